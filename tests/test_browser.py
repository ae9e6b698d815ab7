import shutil

from tests import browser


def test_without_debians_chromium_the_browser_tests_name_the_package(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)

    assert browser.chromium() is None
    assert browser.missing_browser() == "Chromium (apt-get install chromium)"


def test_with_chromium_and_playwright_nothing_is_missing(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")

    assert browser.chromium() == "/usr/bin/chromium"
    assert browser.missing_browser() is None
