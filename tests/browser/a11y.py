"""Accessibility checks in the browser: axe-core on WCAG 2.1 A and AA, reflow at 375 px, a screenshot each.

axe-core's script comes from the `axe-playwright-python` package, which ships `axe.min.js`; only the
script is used, run through Playwright's own `evaluate` so it needs no network and no inline script tag.
Every page checked leaves a full-page screenshot (and one at 375 px) in the run's output folder:
`$LDAPPLY_TEST_OUTPUT/screenshots/<test>/<nn>-<name>.jpg`, by default under `tests/output/<backend>/` (JPEG: the
screenshots cost half what PNG did).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
NARROW_WIDTH = 375
NARROW_HEIGHT = 800

# Only what a report needs: axe's full result holds far more than a failure message can show.
RUN_AXE = """async (options) => {
  const results = await axe.run(document, options);
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary, html: n.html.slice(0, 200)})),
  }));
}"""
PAGE_WIDTH = "() => document.documentElement.scrollWidth"
WIDE_ELEMENTS = """(limit) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > limit + 1 || e.scrollWidth > e.clientWidth + 1)
  .filter(e => getComputedStyle(e).overflowX === 'visible')
  .slice(-5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : ''))"""


def output_folder() -> Path:
    """Where this run leaves screenshots and reports: $LDAPPLY_TEST_OUTPUT, else tests/output/<backend>
    (the embedded and the services run may go at once; each keeps its own pictures)."""
    configured = os.environ.get("LDAPPLY_TEST_OUTPUT")
    backend = os.environ.get("LDAPPLY_TEST_BACKEND", "embedded")
    return Path(configured) if configured else ROOT / "tests" / "output" / slug(backend)


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:150] or "page"


def describe(violations: list[dict[str, Any]]) -> str:
    """Every violation with its rule, impact, help text and the elements it was found on."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html']}")
            lines.append("      " + (node["summary"] or "").replace("\n", "\n      "))
    return "\n".join(lines)


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now (any impact)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    return page.evaluate(RUN_AXE, options)


@dataclass
class Checker:
    """One test's checker: call it with the page and a short name for the page it shows."""

    folder: Path
    count: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, page: Page, name: str) -> None:
        self.check(page, name, with_axe=True)

    def layout_only(self, page: Page, name: str) -> None:
        """Screenshots and the 375 px check without axe, for a context without JavaScript (where axe
        cannot run; the same pages are checked with axe in the other tests)."""
        self.check(page, name, with_axe=False)

    def check(self, page: Page, name: str, *, with_axe: bool) -> None:
        self.count += 1
        stem = f"{self.count:02d}-{slug(name)}"
        violations = run_axe(page) if with_axe else []
        page.screenshot(path=self.folder / f"{stem}.jpg", full_page=True, type="jpeg", quality=70)
        width = self.narrow_width(page, stem)
        if violations:
            report = {"page": name, "url": page.url, "violations": violations}
            (self.folder / f"{stem}.axe.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
            self.findings.append(report)
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        problems = []
        if blocking:
            problems.append(f"axe-core found serious or critical WCAG 2.1 AA violations:\n{describe(blocking)}")
        if width > NARROW_WIDTH:
            wide = self.wide_elements(page)
            problems.append(f"at {NARROW_WIDTH} px the page scrolls sideways ({width} px wide; e.g. {wide})")
        assert not problems, f"{name} ({page.url}):\n" + "\n".join(problems)

    @staticmethod
    def at_narrow_width(page: Page, action: Any) -> Any:
        """`action(page)` with the viewport 375 px wide; the viewport is restored afterwards."""
        original = page.viewport_size
        page.set_viewport_size({"width": NARROW_WIDTH, "height": NARROW_HEIGHT})
        try:
            return action(page)
        finally:
            if original is not None:
                page.set_viewport_size(original)

    def narrow_width(self, page: Page, stem: str) -> int:
        """The page's scroll width at 375 px wide, with a screenshot as `<stem>-375.jpg`."""

        def measure(narrow: Page) -> int:
            narrow.screenshot(path=self.folder / f"{stem}-{NARROW_WIDTH}.jpg", full_page=True, type="jpeg", quality=70)
            return int(narrow.evaluate(PAGE_WIDTH))

        return self.at_narrow_width(page, measure)

    def wide_elements(self, page: Page) -> list[str]:
        """A few elements that stick out past 375 px, to say where the sideways scroll comes from."""
        return self.at_narrow_width(page, lambda narrow: narrow.evaluate(WIDE_ELEMENTS, NARROW_WIDTH))


def checker_for(test_name: str) -> Checker:
    """A checker whose screenshots go to a fresh folder named after the test."""
    folder = output_folder() / "screenshots" / slug(test_name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return Checker(folder)
