"""An objection as a linked case of its own, in the browser: the reviewer finds the objection from the refused
case's page and back, proposes to uphold it; the decision maker reads the letter the decision will issue and
upholds it; the refused case is back in the substantive review and still names its objection. Every page is
checked with axe-core."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import Checker
from tests.browser.declaring import declare_if_asked
from tests.browser.signing_in import log_in, log_out, reference_of
from tests.support_objections import OBJECTION, lodge, objection_case_of, refused_with_objection

pytestmark = pytest.mark.browser

UPHELD = "Het bezwaar is gegrond: het bijgevoegde personeelsplan toont vijf doelgroepwerknemers aan."


def open_case(page: Page, application_id: uuid.UUID, reference: str) -> None:
    page.goto(f"/backoffice/applications/{application_id}")
    declare_if_asked(page, page.get_by_role("heading", level=1, name=f"Dossier {reference}"))


def test_an_objection_as_a_linked_case(app, client, people, page, check_accessibility: Checker):
    refused = refused_with_objection(app, client, people)
    assert lodge(client, refused).status_code == 302
    objection = objection_case_of(app, refused)
    contested, reference = reference_of(app, refused), reference_of(app, objection)

    # The reviewer: from the refused case to its objection, and back.
    log_in(page, people.reviewer)
    open_case(page, refused, contested)
    linked = page.get_by_role("region", name="Gekoppelde dossiers")
    expect(linked.get_by_role("row", name=re.compile(re.escape(reference)))).to_contain_text("Bezwaar ingediend")
    check_accessibility(page, "case-with-its-objection")
    linked.get_by_role("link", name=reference, exact=True).click()
    declare_if_asked(page, page.get_by_role("heading", level=1, name=f"Dossier {reference}"))
    linked = page.get_by_role("region", name="Gekoppelde dossiers")
    expect(linked).to_contain_text(f"Bezwaar tegen dossier {contested}")
    expect(page.get_by_text(OBJECTION).first).to_be_visible()
    check_accessibility(page, "objection-case")
    action = "Voorstellen: bezwaar gegrond"
    form = page.locator("form").filter(has=page.get_by_role("button", name=action, exact=True))
    form.get_by_role("textbox", name=f"Motivering voor de aanvrager bij „{action}”", exact=True).fill(UPHELD)
    form.get_by_role("button", name=action, exact=True).click()
    expect(page.locator("main > .notice[role=status]")).to_have_text(f"Uitgevoerd: {action}.")
    log_out(page)

    # The decision maker reads the letter the decision issues, and upholds the objection.
    log_in(page, people.decision_maker)
    open_case(page, objection, reference)
    decision = "Beslissen: bezwaar gegrond"
    page.get_by_role("link", name=f"{decision}…", exact=True).click()
    letter = page.frame_locator("iframe[name=letter-preview]")
    expect(letter.get_by_text(OBJECTION).first).to_be_visible()  # the letter quotes the objection
    expect(letter.get_by_text(re.compile(rf"over uw aanvraag\s+{re.escape(contested)}")).first).to_be_visible()
    check_accessibility(page, "objection-decision-confirm")
    page.get_by_role("button", name=re.compile(re.escape(decision) + "$")).click()
    expect(page.locator("main > .notice[role=status]")).to_have_text(f"Uitgevoerd: {decision}.")
    expect(page.locator("dl.summary .tag").first).to_have_text("Bezwaar beslist")

    # The refused case is back in the substantive review, by ldapply's own move, and names its objection.
    page.get_by_role("region", name="Gekoppelde dossiers").get_by_role("link", name=contested, exact=True).click()
    declare_if_asked(page, page.get_by_role("heading", level=1, name=f"Dossier {contested}"))
    expect(page.locator("dl.summary .tag").first).to_have_text("Inhoudelijk onderzoek")
    expect(page.get_by_role("region", name="Gekoppelde dossiers")).to_contain_text("Bezwaar beslist")
    check_accessibility(page, "case-reopened-after-its-objection")
