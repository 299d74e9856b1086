"""The step page's enhancements in a real Chromium (static/ldapply.js): a question revealed and hidden as
the answer it depends on changes, the error summary taking the focus and its links reaching the field,
a row added with the focus on it, and a chosen file kept through a refused save."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.support import PASSWORD, login, minimal_pdf, start_application

pytestmark = pytest.mark.browser


def log_in(page: Page, person: Any) -> None:
    page.goto("/login")
    page.get_by_label("E-mailadres", exact=True).fill(person.email)
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden", exact=True).click()
    expect(page.get_by_role("button", name="Afmelden")).to_be_visible()


@pytest.fixture
def applicant_page(client, people, page) -> Page:
    login(client, people.applicant)
    log_in(page, people.applicant)
    return page


def test_a_question_is_revealed_as_soon_as_the_answer_calls_for_it(client, applicant_page):
    page = applicant_page
    draft = start_application(client, "general")
    page.goto(f"/applications/{draft}/steps/organisation")
    follow_up = page.get_by_role("textbox", name="Verantwoordelijke van de sui-generisafdeling")
    expect(follow_up).to_be_hidden()
    question = "Heeft de organisatie ook andere activiteiten dan lokale diensteneconomie?"
    group = page.get_by_role("group", name=question)
    yes = group.get_by_role("radio", name="Ja", exact=True)
    expect(yes).to_have_attribute("aria-controls", "question-sui_generis_responsible")  # the box it opens
    yes.check()
    expect(follow_up).to_be_visible()
    expect(page.locator("[data-reveal-status]")).to_contain_text("Verantwoordelijke van de sui-generisafdeling")
    group.get_by_role("radio", name="Nee", exact=True).check()
    expect(follow_up).to_be_hidden()


def test_a_multiple_choice_follow_up_appears_with_its_box_ticked(client, applicant_page):
    page = applicant_page
    draft = start_application(client, "caretakers")
    page.goto(f"/applications/{draft}/steps/caretaker_tasks")
    other = page.get_by_role("textbox", name="Welke andere taken?")
    expect(other).to_be_hidden()
    page.get_by_role("checkbox", name="Andere", exact=True).check()
    expect(other).to_be_visible()


def test_the_error_summary_takes_the_focus_and_its_links_reach_the_field(client, applicant_page, check_accessibility):
    page = applicant_page
    draft = start_application(client, "general")
    page.goto(f"/applications/{draft}/steps/service")
    page.get_by_role("button", name="Opslaan en verder").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    check_accessibility(page, "step-with-errors")
    summary.get_by_role("link", name="Beschrijving van de dienst – Vul dit veld in.").click()
    expect(page.get_by_role("textbox", name="Beschrijving van de dienst")).to_be_focused()


def test_a_row_is_added_with_the_focus_on_it_and_the_typed_rows_kept(client, applicant_page, check_accessibility):
    page = applicant_page
    draft = start_application(client, "childcare")
    page.goto(f"/applications/{draft}/steps/locations")
    page.get_by_role("textbox", name="Adres, rij 1").fill("Dorpsstraat 1")
    page.get_by_role("button", name="Nog een rij toevoegen").click()
    expect(page.get_by_role("textbox", name="Adres, rij 2")).to_be_focused()
    expect(page.get_by_role("textbox", name="Adres, rij 1")).to_have_value("Dorpsstraat 1")
    check_accessibility(page, "step-row-added")
    page.get_by_role("button", name="Verwijderen rij 1").click()
    expect(page.get_by_role("status")).to_have_text("Rij 1 van ‘Locaties’ is verwijderd.")
    expect(page.get_by_role("textbox", name="Adres, rij 1")).to_have_value("")


def test_a_chosen_file_is_kept_through_a_refused_save_and_saved_with_the_step(
    client, applicant_page, tmp_path, check_accessibility
):
    page = applicant_page
    draft = start_application(client, "general")
    page.goto(f"/applications/{draft}/steps/public_commission")
    plan = tmp_path / "collegebesluit.pdf"
    plan.write_bytes(minimal_pdf())
    page.get_by_label("Beslissing van de overheid", exact=True).set_input_files(plan)
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".file-list")).to_contain_text("collegebesluit.pdf")
    expect(page.locator(".file-list")).to_contain_text("blijft bewaard")
    check_accessibility(page, "step-file-kept")
    page.get_by_role("textbox", name="Opdrachtgevende overheid").fill("Stad Gent")
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page).not_to_have_url(re.compile(r"/steps/public_commission$"))
    page.goto(f"/applications/{draft}/steps/public_commission")
    expect(page.locator(".file-list")).to_contain_text("Bewaard: collegebesluit.pdf")


def test_a_save_after_someone_elses_shows_their_answers_and_overwrites_only_when_saved_again(
    app, client, people, applicant_page, check_accessibility
):
    from types import SimpleNamespace

    from ldapply.extensions import db
    from ldapply.models import Application, User
    from ldapply.services import accounts
    from tests.support import STEP_ANSWERS, post

    page = applicant_page
    draft = start_application(client, "general")
    with app.app_context():  # a colleague of the same organisation saves the step meanwhile
        applicant = db.session.get(User, people.applicant.id)
        colleague = accounts.create_user(
            email="collega@a.be", name="Collega", password=PASSWORD, organisation=applicant.memberships[0].organisation
        )
        db.session.commit()
        colleague_login = SimpleNamespace(email=colleague.email)  # what `login` reads
    other = app.test_client()
    login(other, colleague_login)
    page.goto(f"/applications/{draft}/steps/staffing")  # loaded before the colleague's save
    assert post(other, f"/applications/{draft}/steps/staffing", STEP_ANSWERS["staffing"]).status_code == 302
    page.get_by_role("textbox", name="Gevraagde VTE doelgroepwerknemers").fill("8,5")
    page.get_by_role("textbox", name="Gevraagde VTE omkadering").fill("1")
    page.get_by_role("textbox", name="Hoe begeleidt u de doelgroepwerknemers?").fill("Anders.")
    page.get_by_role("textbox", name="Hoe participeren werknemers, gebruikers en belanghebbenden?").fill("Anders.")
    page.get_by_role("button", name="Opslaan en verder").click()
    notice = page.get_by_role("alert").filter(has_text="Iemand anders heeft deze stap intussen gewijzigd")
    expect(notice).to_be_focused()
    expect(page.locator(".their-answer").first).to_contain_text("6,5")
    expect(page.get_by_role("textbox", name="Gevraagde VTE doelgroepwerknemers")).to_have_value("8,5")
    check_accessibility(page, "step-changed-meanwhile")
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page).not_to_have_url(re.compile(r"/steps/staffing$"))

    with app.app_context():
        assert db.session.get(Application, draft).answers["target_group_fte"] == "8.5"
