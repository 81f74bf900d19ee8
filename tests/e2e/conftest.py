"""The browser tests' fixtures: ``browser`` (Debian's chromium) and ``page`` (a tab in it); see browsing.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.browsing import launched_chromium, open_tab


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[Any]:
    """Debian's chromium for one test; missing, it fails on CI (CI=true) and skips, saying why, elsewhere."""
    yield from launched_chromium(monkeypatch, settings)


@pytest.fixture
def page(browser: Any) -> Any:
    """A tab at Playwright's default size (1280 x 720)."""
    return open_tab(browser)
