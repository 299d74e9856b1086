"""Advice from an advisor account, in the browser: a reviewer asks Kind en Gezin from the case page; the
advisor logs in, finds the case in their list, declares no conflict of interest, reads the question and
the application and gives the advice; the decision maker reads it on the case. Every page is checked
with axe-core. Then an admin's staff pages: a new account with a role, and the advisory bodies."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import Checker
from tests.browser.declaring import declare_if_asked
from tests.browser.signing_in import log_in, log_out, reference_of
from tests.support import login, submitted_application, to_review
from tests.support_advice import ADVICE, QUESTION

pytestmark = pytest.mark.browser


def flash(page: Page) -> Any:
    return page.locator("main > .notice[role=status]")


def test_advice_from_an_advisor_account(app, client, people, page, check_accessibility: Checker):
    application_id = submitted_application(client, people, regime="childcare")
    login(client, people.reviewer)
    to_review(client, application_id, regime="childcare")
    reference = reference_of(app, application_id)

    # The reviewer asks Kind en Gezin, on the page the case's advice part leads to, by the date it proposes.
    log_in(page, people.reviewer)
    page.goto(f"/backoffice/applications/{application_id}")
    declare_if_asked(page, page.get_by_role("heading", level=1, name=f"Dossier {reference}"))
    page.get_by_role("region", name="Advies").get_by_role("link", name="Advies vragen…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Advies vragen")
    page.get_by_role("button", name="Advies vragen", exact=True).click()  # nothing chosen: refused, nothing lost
    expect(page.locator(".error-summary")).to_be_focused()
    page.get_by_label("Adviesorgaan", exact=True).select_option(label="Kind en Gezin")
    page.get_by_label("Vraag aan het adviesorgaan").fill(QUESTION)
    expect(page.get_by_label("Advies gevraagd tegen")).not_to_have_value("")
    check_accessibility(page, "case-asking-advice")
    page.get_by_role("button", name="Advies vragen", exact=True).click()
    expect(flash(page)).to_contain_text("Advies gevraagd")
    expect(page.get_by_role("region", name="Advies")).to_contain_text("Nog niet gegeven")
    log_out(page)

    # The advisor: only their list in the menu; the case behind the declaration; the advice.
    log_in(page, people.advisor)
    expect(page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Backoffice")).to_have_count(0)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Adviesvragen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adviesvragen")
    check_accessibility(page, "advisor-list")
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eerst: hebt u een belangenconflict?")
    check_accessibility(page, "advisor-declaration")
    page.get_by_label("Ik verklaar dat ik geen belangenconflict heb met deze organisatie").check()
    page.get_by_role("button", name="Verklaren en het dossier openen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Advies over dossier {reference}")
    expect(page.get_by_text(QUESTION)).to_be_visible()
    check_accessibility(page, "advisor-case")
    page.get_by_role("textbox", name="Advies", exact=True).fill(ADVICE)
    page.get_by_role("button", name="Advies registreren", exact=True).click()
    expect(flash(page)).to_have_text("Advies geregistreerd.")
    log_out(page)

    # The decision maker reads the advice on the case: the body, who, the text.
    log_in(page, people.decision_maker)
    page.goto(f"/backoffice/applications/{application_id}")
    declare_if_asked(page, page.get_by_role("heading", level=1, name=f"Dossier {reference}"))
    part = page.get_by_role("region", name="Advies")
    expect(part).to_contain_text("Advies van Kind en Gezin")
    expect(part).to_contain_text(ADVICE)
    expect(part).to_contain_text(people.advisor.name)


def test_an_admin_manages_staff(app, people, page, check_accessibility: Checker):
    log_in(page, people.admin)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Personeel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Personeel")
    check_accessibility(page, "staff-list")
    page.get_by_label("E-mailadres", exact=True).fill("nieuw@vo.be")
    page.get_by_label("Naam", exact=True).fill("Nele Nieuw")
    page.get_by_label("Rol", exact=True).select_option(label="Dossierbehandelaar")
    page.get_by_label("Regeling", exact=True).select_option(index=1)
    page.get_by_role("button", name="Account aanmaken", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nele Nieuw")
    expect(flash(page)).to_contain_text("er ging een e-mail naar nieuw@vo.be")
    check_accessibility(page, "staff-member")
    page.goto("/backoffice/advisory-bodies")
    check_accessibility(page, "advisory-bodies")
    page.get_by_label("Naam van het adviesorgaan").fill("Stad Gent")
    page.get_by_role("button", name="Toevoegen", exact=True).click()
    expect(page.get_by_role("cell", name="Stad Gent", exact=True)).to_be_visible()
