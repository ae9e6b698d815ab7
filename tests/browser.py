"""Where the browser tests find Chromium and Playwright (Debian's chromium; Playwright never downloads one)."""

import shutil
from importlib.util import find_spec


def chromium() -> str | None:
    """The path of Debian's Chromium, or None."""
    return shutil.which("chromium")


def missing_browser() -> str | None:
    if chromium() is None:
        return "Chromium (apt-get install chromium)"
    if find_spec("playwright") is None:
        return "Playwright for Python (the test extra)"
    return None
