"""The case page's work in a real Chromium: a reviewer takes the case, writes an internal note, puts the
case on hold with a reason and releases it, and reads the paged timeline; every page passes axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import Checker
from tests.browser.declaring import declare_if_asked
from tests.browser.test_accessibility import choose_language, log_in, reference_of
from tests.browser.words import LANGUAGES, Words
from tests.support_case_work import add_history, case_in_review, case_url

pytestmark = pytest.mark.browser


def open_tab(page: Page, words: Words, message: str) -> None:
    name = words(message)
    page.locator("nav.case-tabs").get_by_role("link", name=name, exact=True).click()
    expect(page.locator("nav.case-tabs [aria-current=page]")).to_have_text(name)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_reviewer_takes_the_case_notes_it_holds_it_and_reads_the_timeline(
    app, client, people, page, lang, check_accessibility: Checker
):
    words = Words(app, lang)
    application_id = case_in_review(client, people)
    reference = reference_of(app, application_id)
    add_history(app, application_id, 60, letters=False, notes=False)

    choose_language(page, lang)
    log_in(page, words, people.reviewer)
    page.goto(case_url(application_id))
    heading = page.get_by_role("heading", level=1, name=re.compile(re.escape(reference)))
    declare_if_asked(page, heading)

    page.get_by_role("button", name=words("Aan mij toewijzen"), exact=True).click()
    summary = page.locator("dl.summary").first
    expect(summary).to_contain_text(people.reviewer.name)

    open_tab(page, words, "Interne notities")
    page.get_by_label(words("Nieuwe interne notitie"), exact=True).fill("Gebeld met de <zaakvoerder>.")
    page.get_by_role("button", name=words("Notitie toevoegen"), exact=True).click()
    expect(page.locator("ol.notes")).to_contain_text("Gebeld met de <zaakvoerder>.")
    check_accessibility(page, "case-notes")
    open_tab(page, words, "Overzicht")

    page.get_by_role("button", name=words("In wacht zetten"), exact=True).click()  # no reason: refused
    expect(page.locator("#hold-reason-error")).to_have_text(words("Geef de reden waarom het dossier in wacht gaat."))
    check_accessibility(page, "case-hold-refused")
    page.get_by_label(words("In wacht zetten: reden"), exact=True).fill("Wacht op het attest van de RSZ.")
    page.get_by_role("button", name=words("In wacht zetten"), exact=True).click()
    notice = page.locator("#hold")
    expect(notice).to_contain_text("Wacht op het attest van de RSZ.")
    expect(notice).to_contain_text(words("De wettelijke termijn loopt door: een wachtstand schort hem niet op."))
    check_accessibility(page, "case-on-hold")

    open_tab(page, words, "Tijdlijn")
    check_accessibility(page, "case-timeline")
    page.get_by_role("link", name=words("Oudere gebeurtenissen"), exact=True).click()
    expect(page.get_by_role("heading", level=2, name=re.compile(re.escape(words("Tijdlijn"))))).to_be_visible()
    check_accessibility(page, "case-timeline-older")
    open_tab(page, words, "Overzicht")

    page.get_by_role("button", name=words("Uit wacht halen"), exact=True).click()
    expect(page.locator("#hold")).to_have_count(0)
    open_tab(page, words, "Tijdlijn")
    timeline = page.locator("table.timeline")
    expect(timeline).to_contain_text(words("Uit wacht gehaald"))
    expect(timeline).to_contain_text(words("Toegewezen aan %(name)s", name=people.reviewer.name))
