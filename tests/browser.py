"""Where the browser tests find Chromium and Playwright (Debian's chromium; Playwright never downloads one)."""

import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any


def chromium() -> str | None:
    """The path of Debian's Chromium, or None."""
    return shutil.which("chromium")


def missing_browser() -> str | None:
    if chromium() is None:
        return "Chromium (apt-get install chromium)"
    if find_spec("playwright") is None:
        return "Playwright for Python (the test extra)"
    return None


SCREEN = {"width": 1366, "height": 900}


def screenshots_folder() -> Path:
    """Where browser tests write their screenshots (test artefacts): ``OPENLEG_SCREENSHOTS`` or test-artifacts/."""
    folder = Path(os.environ.get("OPENLEG_SCREENSHOTS") or Path(__file__).resolve().parent.parent / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page, name: str) -> Path:
    """A full-page PNG of what the user sees now, named for the step."""
    path = screenshots_folder() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@dataclass
class BrowserSession:
    """One user's browser across the phases of a test: its base URL and its cookies between phases."""

    base_url: str
    state: dict | None = None

    def run(self, script: Callable[[Any], Any]) -> Any:
        """Run ``script(page)`` in Debian's Chromium and return what it returns.

        Playwright's sync API keeps an asyncio loop running in the thread that drives it, and Django refuses
        database queries from such a thread; the browser therefore runs on a thread of its own, and the test
        checks the database between phases. Cookies (the login) carry over to the next phase.
        """
        with ThreadPoolExecutor(max_workers=1) as pool:
            result, self.state = pool.submit(self._drive, script).result()
        return result

    def _drive(self, script):
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium())
            try:
                context = browser.new_context(
                    base_url=self.base_url, viewport=SCREEN, locale="de-CH", accept_downloads=True,
                    storage_state=self.state,
                )
                page = context.new_page()
                page.set_default_timeout(20_000)
                try:
                    result = script(page)
                except Exception:
                    screenshot(page, f"failed-{script.__name__}")  # what the user saw when the step failed
                    raise
                return result, context.storage_state()
            finally:
                browser.close()
