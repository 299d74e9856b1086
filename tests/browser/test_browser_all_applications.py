"""In a real Chromium, Dutch and English: the applicant's home lists what is open or changed in the last year and
leads to the full list, where an application closed long ago is found on its page; every page passes axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import Checker
from tests.browser.test_accessibility import choose_language, log_in
from tests.browser.words import LANGUAGES, Words
from tests.support_queue import case_row, closed_long_ago, insert_cases, organisation_of

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_home_leads_to_every_application_page_by_page(app, people, page, lang, check_accessibility: Checker):
    words = Words(app, lang)
    organisation_id = organisation_of(app, people.applicant)
    recent = case_row(organisation_id, people.applicant.id, state="withdrawn", reference="LDE-2026-RECENT01")
    insert_cases(app, [recent, *closed_long_ago(organisation_id, people.applicant, 60, 0)])

    choose_language(page, lang)
    log_in(page, words, people.applicant)
    expect(page.get_by_role("link", name="LDE-2026-RECENT01", exact=True)).to_be_visible()
    expect(page.get_by_text("LDE-2020-OLD00000")).to_have_count(0)  # closed over a year ago: not on the home
    expect(page.locator(".all-applications")).to_contain_text(words("(ook de %(count)s die hier niet staan)", count=60))
    check_accessibility(page, "home-with-older-applications")

    page.get_by_role("link", name=words("Alle aanvragen van uw organisatie"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words("Alle aanvragen"))
    expect(page.get_by_role("link", name="LDE-2026-RECENT01", exact=True)).to_be_visible()  # newest first
    check_accessibility(page, "all-applications")
    page.get_by_role("link", name=words("Volgende"), exact=True).click()
    expect(page.get_by_role("link", name="LDE-2020-OLD00059", exact=True)).to_be_visible()  # the oldest, on page 2
    expect(page.get_by_role("link", name=words("Volgende"), exact=True)).to_have_count(0)
    check_accessibility(page, "all-applications-page-2")
