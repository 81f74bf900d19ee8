"""The browser tests' accessibility and phone-width checks, for any test that has a Playwright page.

``assert_accessible(page)`` loads axe-core (from the npm registry: package.json, installed into node_modules/ by
``make browser-deps``) into the page and fails on any serious or critical violation, naming the rule, the
elements and axe's help text. ``assert_fits(page)`` fails when the page scrolls sideways (wider than the window),
naming the widest elements. ``shoot(page, folder, name)`` writes the page, full length, as a PNG.

The page's Content-Security-Policy allows only the site's own scripts; axe's source goes in through the
browser's devtools channel (``page.evaluate``), which the policy does not govern, so no test needs to loosen it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "var" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
BLOCKING = ("serious", "critical")


def _axe_source() -> str:
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: run `make browser-deps` (npm ci installs axe-core)")
    return AXE.read_text(encoding="utf-8")


def _settled(page: Any, check: Any) -> Any:
    """``check(page)``, again when the page loaded itself anew meanwhile (a status page that follows a task)."""
    for attempt in range(5):
        try:
            return check(page)
        except Exception as error:
            if "context was destroyed" not in str(error) or attempt == 4:
                raise
            page.wait_for_load_state("load")
    raise AssertionError("unreachable")


#: set on every document before its own scripts run: the page is on its way out (``beforeunload`` has fired)
LEAVING_FLAG = "window.addEventListener('beforeunload', () => { window.__leaving = true; });"
#: stops every pending timer (a following page's reload is one) and tells whether the page had already begun to go
STOP_TIMERS = """() => {
    const last = window.setTimeout(() => {}, 0);
    for (let id = 0; id <= last; id++) window.clearTimeout(id);
    return Boolean(window.__leaving);
}"""


def hold_still(page: Any) -> None:
    """Stop a status page that follows a task from loading itself again, so it is measured and photographed as one
    document: a reload that lands during a screenshot can hang it. JavaScript runs one thing at a time, so once the
    timers are cleared and the page has not begun to leave, no reload can come. Needs the fixture's init script
    (``LEAVING_FLAG``)."""
    for _attempt in range(10):
        page.wait_for_load_state("load")
        try:
            if not page.evaluate(STOP_TIMERS):
                return
        except Exception as error:
            if "context was destroyed" not in str(error):
                raise
        page.wait_for_timeout(200)  # the reload already asked for: let it land, then hold the new document
    raise AssertionError(f"{page.url} kept loading itself again")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (WCAG 2.x A and AA rules and axe's best practices)."""

    def run(page: Any) -> list[dict[str, Any]]:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(_axe_source() + "\n;undefined")
        found = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
        return list(found["violations"])

    return list(_settled(page, run))


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        more = f" (+{len(v['nodes']) - 5} more)" if len(v["nodes"]) > 5 else ""
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} -> {targets}{more}")
    return "\n".join(lines)


def assert_accessible(page: Any, where: str = "") -> list[dict[str, Any]]:
    """No serious or critical axe-core violation on the page; returns the lesser ones (moderate, minor)."""
    violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on {where or page.url}:\n{describe(blocking)}"
    return [v for v in violations if v["impact"] not in BLOCKING]


def overflow(page: Any) -> dict[str, Any]:
    """The document's width against the window's, with the widest elements that stick out on the right."""
    script = """() => {
          const view = document.documentElement.clientWidth;
          const out = [];
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.right > view + 1 && r.width > 0) {
              const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim() : '';
              out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls + ' right=' + Math.round(r.right));
            }
          }
          return {document: document.documentElement.scrollWidth, window: view, wide: out.slice(0, 8)};
        }"""
    return dict(_settled(page, lambda page: page.evaluate(script)))


def assert_fits(page: Any, where: str = "") -> None:
    """The page does not scroll sideways: the document is no wider than the window."""
    seen = overflow(page)
    assert seen["document"] <= seen["window"], (
        f"{where or page.url} is {seen['document']} px wide in a {seen['window']} px window: {seen['wide']}"
    )


def shoot(page: Any, folder: str, name: str) -> Path:
    """The page, full length, to var/screenshots/FOLDER/NAME.png."""
    hold_still(page)
    path = SHOTS / folder / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
