"""What every browser test shares: Debian's chromium and how it is started, a tab with the page-reload flag that
``hold_still`` needs, signing in, and screenshots at desktop width and at 390 px.

The fixtures built on these (``browser``, ``page``) are in ``tests/e2e/conftest.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.accessibility import DESKTOP, LEAVING_FLAG, PHONE, hold_still

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: how long a wait for the page (an action, a navigation, an ``expect``) may take before the test fails: far more
#: than an unloaded machine needs (Playwright's own defaults, 30 s and 5 s for ``expect``, were reached on a loaded
#: 2-core machine running two test workers, chromium and the live server), still bounded
WAIT_MS = 90_000
#: every test person's password (the fixtures hash it with MD5: the tests check who may do what, not hashing)
PASSWORD = "a-long-test-password"


def launched_chromium(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[Any]:
    """Debian's chromium, closed afterwards; a missing one fails on CI (CI=true) and skips, saying why, elsewhere."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: run scripts/browser.sh (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        print(reason)
        pytest.skip(reason)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def open_tab(browser: Any, **context: Any) -> Any:
    """A tab in a browser context of its own (``context``: Playwright's options, e.g. ``viewport``), whose every
    document sets the flag ``hold_still`` reads (a following page has begun to reload)."""
    made = browser.new_context(**context)
    made.set_default_timeout(WAIT_MS)
    made.add_init_script(LEAVING_FLAG)
    return made.new_page()


def sign_in(tab: Any, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in on the login page (signing out first when someone is signed in)."""
    if tab.url.startswith(base) and tab.locator("button.link >> text=Sign out").count():
        tab.click("button.link >> text=Sign out")
    tab.goto(f"{base}/login/")
    tab.fill("#id_username", email)
    tab.fill("#id_password", password)
    tab.click("button[type=submit]")


def signed_in_tab(browser: Any, base: str, email: str, width: int = 1280) -> Any:
    """A new tab (``width`` px wide, downloads allowed) in which ``email`` has signed in."""
    tab = open_tab(browser, viewport={"width": width, "height": 900}, accept_downloads=True)
    sign_in(tab, base, email)
    return tab


def shoot_both(tab: Any, folder: Path, name: str, *, fits: bool = False) -> None:
    """The page, held still and full length, at desktop width and at 390 px to FOLDER/NAME-desktop.png and
    NAME-390.png (each must hold a picture: over 10 KB); with ``fits``, the page may not scroll sideways at
    either width. Back to desktop width afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", DESKTOP), ("390", PHONE)):
        tab.set_viewport_size(size)
        hold_still(tab)
        path = folder / f"{name}-{label}.png"
        tab.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000, f"{path} looks empty"
        if fits:
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= size["width"], f"{name} at {label}: the page is {width} px wide, wider than the screen"
    tab.set_viewport_size(DESKTOP)
