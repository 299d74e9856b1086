"""The conflict-of-interest gate in the browser: staff opening a case for the first time declare first."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


def declare_if_asked(page: Page, case_page: Locator) -> None:
    """Once the next page is there: on the declaration page, tick "no conflict of interest" and go on;
    then `case_page` (a locator only the case page has, such as its heading) is shown. The page is
    told apart by its form, so this works in every language."""
    gate = page.locator("input[name=no_conflict]")
    expect(gate.or_(case_page)).to_be_visible()
    if gate.is_visible():
        gate.check()
        page.locator("form:has(input[name=choice][value=declare]) button[type=submit]").click()
    expect(case_page).to_be_visible()
