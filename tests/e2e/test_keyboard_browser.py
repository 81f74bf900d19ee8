"""Keyboard use, in Debian's chromium: the first Tab reaches a skip link that takes focus to the content; every
focused control shows a ring at least 2 px wide whose colour has at least 3:1 contrast with what is around it; on
a phone the menu opens and closes from its button (Escape closes it)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.accessibility import DESKTOP, PHONE
from tests.e2e.browsing import PASSWORD, open_tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rgb(css: str) -> tuple[int, int, int]:
    r, g, b = (int(float(x)) for x in re.findall(r"[\d.]+", css)[:3])
    return r, g, b


RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let node = el.parentElement, bg = 'rgb(255, 255, 255)';
  while (node) {
    const c = getComputedStyle(node).backgroundColor;
    if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
    node = node.parentElement;
  }
  return {tag: el.tagName, text: (el.textContent || el.name || '').trim().slice(0, 30),
          width: parseFloat(style.outlineWidth), style: style.outlineStyle, color: style.outlineColor, around: bg};
}"""


def test_keyboard_users_skip_to_the_content_and_always_see_where_the_focus_is(
    live_server: Any,
    browser: Any,
) -> None:
    from playwright.sync_api import expect

    from certcredit.services.people import ensure_person

    ensure_person("sam@example.org", "Sam Staff", PASSWORD, ("staff",))
    page = open_tab(browser, viewport=DESKTOP)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "sam@example.org")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0  # on screen once focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    seen = []
    page.goto(f"{live_server.url}/staff/")
    for _ in range(25):  # the menu, the account, the dashboard's buttons, fields and links
        page.keyboard.press("Tab")
        ring = page.evaluate(RING)
        seen.append(ring["tag"])
        assert ring["style"] != "none" and ring["width"] >= 2, ring
        assert contrast(rgb(ring["color"]), rgb(ring["around"])) >= 3, ring
    assert {"A", "BUTTON", "INPUT", "SELECT"} <= set(seen)


def test_on_a_phone_the_menu_opens_from_its_button_and_escape_closes_it(
    live_server: Any,
    browser: Any,
) -> None:
    from playwright.sync_api import expect

    from certcredit.services.people import ensure_person

    ensure_person("mo@example.org", "Mo Member", PASSWORD)
    page = open_tab(browser, viewport=PHONE)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "mo@example.org")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    toggle = page.locator(".menu-toggle")
    expect(page.locator("#menu")).to_be_hidden()
    toggle.click()
    expect(page.locator("#menu nav")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(page.locator("#menu")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    # at desktop width the same page lists the links with no button
    page.set_viewport_size(DESKTOP)
    expect(toggle).to_be_hidden()
    expect(page.locator("#menu nav")).to_be_visible()
