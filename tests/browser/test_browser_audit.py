"""The audit trail's pages in a real Chromium: a reviewer reads a case's trail from the case page, an admin
reads the whole trail, narrows it, checks the chain and sees a broken entry named; axe-core finds nothing
serious or critical and every page fits 375 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import Checker
from tests.browser.declaring import declare_if_asked
from tests.browser.test_accessibility import choose_language, log_in, reference_of
from tests.browser.words import LANGUAGES, Words
from tests.support import REASON, login, post, submitted_application, to_review
from tests.support_audit import append_entries, change_entry

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", LANGUAGES)
def test_staff_read_the_trail_and_an_admin_checks_the_chain(
    app, client, people, page, lang, check_accessibility: Checker
):
    words = Words(app, lang)
    application_id = submitted_application(client, people)
    login(client, people.reviewer)
    to_review(client, application_id)
    code = "local_need"
    post(
        client,
        f"/backoffice/applications/{application_id}/assessment",
        {f"verdict-{code}": "not_met", f"reason-{code}": REASON, f"note-{code}": "Navragen bij de gemeente."},
    )
    reference = reference_of(app, application_id)

    choose_language(page, lang)
    log_in(page, words, people.reviewer)
    page.goto(f"/backoffice/applications/{application_id}")
    declare_if_asked(page, page.get_by_role("heading", level=1, name=re.compile(re.escape(reference))))
    page.locator(f"a[href='/backoffice/applications/{application_id}/audit']").click()
    expect(page.locator("table.audit-table")).to_be_visible()
    expect(page.locator("table.audit-table")).to_contain_text("Navragen bij de gemeente.")
    check_accessibility(page, "case-audit-trail")

    with app.app_context():
        append_entries(60)
    page.context.clear_cookies()
    choose_language(page, lang)
    log_in(page, words, people.admin)
    page.locator("nav.nav a[href='/backoffice/audit']").click()
    expect(page.locator("table.audit-table tbody tr")).to_have_count(50)
    check_accessibility(page, "audit-trail")
    page.locator("a[rel=next]").click()
    check_accessibility(page, "audit-trail-older")

    page.goto("/backoffice/audit")
    page.locator("#audit-action").fill("transition.")
    page.locator("#audit-reference").fill(reference)
    page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator("table.audit-table")).to_contain_text(reference)
    check_accessibility(page, "audit-trail-filtered")
    page.goto("/backoffice/audit?since=11-07-2026&reference=NOPE")
    expect(page.locator(".error-summary")).to_be_visible()
    check_accessibility(page, "audit-trail-bad-filters")

    page.goto("/backoffice/audit")
    page.locator("#verification form:not(:has(input[name=after])) button[type=submit]").click()
    expect(page.locator("#verification .tag-done")).to_be_visible()
    check_accessibility(page, "audit-trail-checked")

    with app.app_context():
        change_entry(30, new={"n": 0})
    page.locator("#verification form:not(:has(input[name=after])) button[type=submit]").click()
    expect(page.locator("#verification .tag-warn")).to_be_visible()
    expect(page.locator("#verification")).to_contain_text("30")
    check_accessibility(page, "audit-trail-broken")
