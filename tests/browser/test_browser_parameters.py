"""An admin sets a parameter's value in a real Chromium: from the parameters page to the form, a refusal shown in the
error summary, the new value saved with its reason, and its history; every page passes axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import Checker
from tests.browser.signing_in import log_in, log_out

pytestmark = pytest.mark.browser

REASON = "Hoorzittingen vragen in de praktijk drie weken (nota van de afdeling, 1 december 2026)."


def open_the_form(page: Page, name: str) -> None:
    page.goto("/backoffice/parameters")
    row = page.locator(f"#parameter-general-1-{name}")
    row.get_by_role("link", name=re.compile("^Wijzigen")).click()
    expect(page.get_by_role("heading", name=f"Parameter {name} wijzigen", level=1)).to_be_visible()


def test_an_admin_sets_a_value_and_sees_it_in_effect_with_its_history(
    page: Page, people, check_accessibility: Checker
) -> None:
    log_in(page, people.admin)
    open_the_form(page, "hearing_days")
    check_accessibility(page, "parameter-form")
    page.get_by_label("Nieuwe waarde").fill("21,5")
    page.get_by_label("Reden van de wijziging").fill(REASON)
    page.get_by_role("button", name="Nieuwe waarde opslaan").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Vul een geheel getal in, zonder komma.")
    check_accessibility(page, "parameter-refused")
    page.get_by_label("Nieuwe waarde").fill("21")
    page.get_by_role("button", name="Nieuwe waarde opslaan").click()
    expect(page.get_by_text("Ze geldt voor aanvragen die vanaf nu worden ingediend")).to_be_visible()
    row = page.locator("#parameter-general-1-hearing_days")
    expect(row).to_contain_text("21 kalenderdagen")
    expect(row).to_contain_text("Regel van de administratie")
    history = page.get_by_role("table", name="Geschiedenis van de waarden")
    expect(history).to_contain_text(REASON)
    expect(history.locator("tbody tr")).to_have_count(1)
    check_accessibility(page, "parameters-after-change")
    log_out(page)
    log_in(page, people.reviewer)
    page.goto("/backoffice/parameters")
    expect(page.locator("#parameter-general-1-hearing_days")).to_contain_text("21 kalenderdagen")
    expect(page.get_by_role("link", name=re.compile("^Wijzigen"))).to_have_count(0)  # seen, not changed
