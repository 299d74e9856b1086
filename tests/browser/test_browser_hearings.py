"""Two hearings in a real Chromium: a refusal after a response, and a suspension after a response.

The applications are created and submitted through the Flask test client (filling every step in the
browser is what `test_browser_journey.py` already does); everything after that is done in the browser
by the people concerned, found by the labels, roles and texts they see.

1. Childcare: the reviewer checks admissibility, judges one condition "Niet vervuld" with a reason and
   announces the intended refusal; the applicant reads the notice and the letter, and responds with a
   text and a PDF; the reviewer sees both and proposes the refusal, first without answering the response
   (refused) and then with an answer; the decision maker confirms it on its own page after reading the
   letter preview; the applicant downloads the refusal, and anyone can check it on /verify.
2. Caretakers: an active recognition (granted and activated through the test client) is suspended
   after a hearing in which the organisation responded.

Full-page screenshots of every key step are left in the test's temporary folder.
"""

from __future__ import annotations

import io
import re
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from ldapply.services.letters import CODE_ALPHABET
from ldapply.workflows import get_regime
from ldapply.workflows._spec import Regime
from tests.browser.declaring import declare_if_asked
from tests.browser.procedure_walk import open_tab
from tests.browser.test_browser_journey import (
    answer_shown,
    flash,
    heading,
    log_in,
    log_out,
    open_case_from_queue,
    wait_for_letter,
)
from tests.support import MET_REASON, login, met_needs_reason, minimal_pdf, post, submitted_application
from tests.support import act as act_by_client

pytestmark = pytest.mark.browser

CHILDCARE = get_regime("childcare")
CARETAKERS = get_regime("caretakers")

NOT_MET = "Niet vervuld"
MET = "Vervuld"
REASON_LABEL = "Reden (komt in de brief)"
SIGNATORY_FUNCTION = "Afdelingshoofd Sociale Economie"  # what tests/conftest.py records for the decision maker

# childcare: the refusal, on a condition the reviewer judges (no finding from the answers to contradict)
FAILED_CONDITION = "participation"
FAILED_REASON = "Het participatieplan betrekt alleen de gebruikers; de werknemers en de buurt komen er niet in voor."
INTENDED_REFUSAL = "Wij zijn van plan de erkenning te weigeren omdat de werknemers en de buurt niet participeren."
RESPONSE = "Wij richten vanaf september een werknemersoverleg en een buurtcomité op; het plan zit in bijlage."
ATTACHMENT = "participatieplan.pdf"
REFUSAL_MOTIVATION = "De werknemers en de belanghebbenden uit de buurt participeren vandaag niet in de werking."
HEARING_ANSWER = "Een plan om later overleg op te richten toont niet aan dat de voorwaarde nu vervuld is."

# caretakers: the suspension
GRANT_MOTIVATION = "De huisbewaarders beantwoorden een aangetoonde behoefte in de wijken Rabot en Nieuw Gent."
INTENDED_SUSPENSION = "De organisatie bezorgde al twee kwartalen geen rapportering over haar huisbewaarders."
SUSPENSION_RESPONSE = "Onze rapporteringsverantwoordelijke was langdurig ziek; de rapporten volgen binnen de maand."
SUSPENSION_MOTIVATION = "De rapportering over de huisbewaarders ontbreekt al twee kwartalen op rij."
SUSPENSION_ANSWER = "Een belofte om later te rapporteren herstelt de ontbrekende rapportering van nu niet."


# -- the regime's words ----------------------------------------------------------------------------


def label_of(regime: Regime, action: str) -> str:
    transition = regime.transition(action)
    assert transition is not None, f"the {regime.code} regime has no action {action!r}"
    return transition.label.nl


def letter_title(regime: Regime, kind: str) -> str:
    return regime.letter(kind).title.nl


def staff_label(regime: Regime, state: str) -> str:
    return regime.state(state).label.nl


def public_label(regime: Regime, state: str) -> str:
    return regime.state(state).public_label.nl


def words(text: str) -> str:
    """Text with every run of white space made one space, as a line-wrapped PDF reads back."""
    return " ".join(text.split())


# -- the data the test client made -----------------------------------------------------------------


def reference_of(app: Flask, application_id: uuid.UUID) -> str:
    from ldapply.extensions import db
    from ldapply.models import Application

    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application is not None
        return application.reference


def active_recognition(client: FlaskClient, people: Any) -> uuid.UUID:
    """A caretakers application submitted, granted under four eyes and activated, all by the test client."""
    application_id = submitted_application(client, people, regime="caretakers")
    login(client, people.reviewer)
    for action in ("start_admissibility", "accept_for_review"):
        response = act_by_client(client, application_id, action)
        assert response.status_code == 302, f"{action}: " + response.get_data(as_text=True)
    verdicts = {f"verdict-{c.code}": "met" for c in CARETAKERS.conditions}
    verdicts |= {f"reason-{c.code}": MET_REASON for c in CARETAKERS.conditions if met_needs_reason(CARETAKERS, c)}
    response = post(client, f"/backoffice/applications/{application_id}/assessment", verdicts)
    assert response.status_code == 302, response.get_data(as_text=True)
    steps = (
        (people.reviewer, "propose_grant", GRANT_MOTIVATION),
        (people.decision_maker, "confirm_grant", ""),
        (people.admin, "activate", ""),
    )
    for person, action, comment in steps:
        login(client, person)
        response = act_by_client(client, application_id, action, comment)
        assert response.status_code == 302, f"{action}: " + response.get_data(as_text=True)
    return application_id


# -- what people do on a page ----------------------------------------------------------------------


def shoot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=folder / f"{name}.png", full_page=True)


def act(page: Page, regime: Regime, action: str) -> None:
    """Press a back-office action button and see it done."""
    name = label_of(regime, action)
    page.get_by_role("button", name=name, exact=True).click()
    expect(flash(page)).to_have_text(f"Uitgevoerd: {name}.")


def motivation_box(page: Page, regime: Regime, action: str) -> Locator:
    return page.get_by_role(
        "textbox", name=f"Motivering voor de aanvrager bij „{label_of(regime, action)}”", exact=True
    )


def hearing_answer_box(page: Page, regime: Regime, action: str) -> Locator:
    name = f"Antwoord op de reactie van de aanvrager bij „{label_of(regime, action)}”"
    return page.get_by_role("textbox", name=name, exact=True)


def response_box(page: Page, regime: Regime, action: str) -> Locator:
    return page.get_by_role("textbox", name=f"Uw reactie bij „{label_of(regime, action)}”", exact=True)


def expect_not_offered(page: Page, regime: Regime, action: str) -> None:
    """Neither a button nor a link to a confirmation page for `action`."""
    name = label_of(regime, action)
    expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name=f"{name}…", exact=True)).to_have_count(0)


def open_my_application(page: Page, reference: str) -> None:
    expect(heading(page)).to_have_text("Mijn aanvragen")
    page.get_by_role("link", name=reference, exact=True).click()
    expect(heading(page)).to_have_text(f"Aanvraag {reference}")


def letter_item(page: Page, regime: Regime, kind: str) -> Locator:
    return page.get_by_role("listitem").filter(has_text=letter_title(regime, kind))


def see_letter_ready(page: Page, app: Flask, regime: Regime, kind: str, worker: subprocess.Popen[bytes]) -> Locator:
    """Wait for the worker to render the letter, then see its download link after a reload."""
    status, error = wait_for_letter(app, kind, worker)
    assert status == "rendered", error
    page.reload()
    item = letter_item(page, regime, kind)
    expect(item.get_by_role("link", name="PDF downloaden", exact=True)).to_be_visible()
    return item


def download(page: Page, link: Locator, folder: Path) -> tuple[str, bytes]:
    with page.expect_download() as download_info:
        link.click()
    got = download_info.value
    assert got.failure() is None
    target = folder / got.suggested_filename
    got.save_as(target)
    return got.suggested_filename, target.read_bytes()


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def condition_row(section: Locator, page: Page, title: str) -> Locator:
    return section.locator("div.condition").filter(has=page.get_by_role("heading", name=title, exact=True))


def judge_one_condition_not_met(page: Page, regime: Regime, failed: str, reason: str) -> None:
    """In the checklist: `failed` not met with a reason for the letter, every other condition met; saved, the
    overview says so and the tab shows the verdicts; back on the overview."""
    open_tab(page, "Beoordeling")
    section = page.get_by_role("region", name="Beoordeling van de voorwaarden")
    for condition in regime.conditions:
        row = condition_row(section, page, condition.title.nl)
        if condition.code == failed:
            row.get_by_role("radio", name=NOT_MET, exact=True).check()
            row.get_by_role("textbox", name=REASON_LABEL, exact=True).fill(reason)
        else:
            row.get_by_role("radio", name=MET, exact=True).check()
    section.get_by_role("button", name="Beoordeling bewaren").click()
    expect(flash(page)).to_have_text(f"Beoordeling bewaard ({len(regime.conditions)} voorwaarde(n) gewijzigd).")
    open_tab(page, "Beoordeling")
    for condition in regime.conditions:
        row = condition_row(section, page, condition.title.nl)
        verdict = NOT_MET if condition.code == failed else MET
        expect(row.get_by_role("radio", name=verdict, exact=True)).to_be_checked()
    failed_title = next(c.title.nl for c in regime.conditions if c.code == failed)
    expect(condition_row(section, page, failed_title).get_by_role("textbox", name=REASON_LABEL)).to_have_value(reason)
    open_tab(page, "Overzicht")


def respond_to_hearing(page: Page, regime: Regime, action: str, text: str, attachment: Path | None) -> None:
    """The applicant types a response and, if given, chooses a PDF in the file chooser."""
    response_box(page, regime, action).fill(text)
    if attachment is not None:
        with page.expect_file_chooser() as chooser_info:
            page.get_by_label("Bijlagen (PDF, niet verplicht)", exact=True).click()
        chooser = chooser_info.value
        assert chooser.is_multiple()
        chooser.set_files(attachment)
    name = label_of(regime, action)
    page.get_by_role("button", name=name, exact=True).click()
    expect(flash(page)).to_have_text(f"Uitgevoerd: {name}.")


def open_confirmation(page: Page, regime: Regime, action: str) -> Locator:
    """An irreversible move: follow its link to the page of its own; returns the letter preview frame."""
    name = label_of(regime, action)
    page.get_by_role("link", name=f"{name}…", exact=True).click()
    expect(heading(page)).to_have_text(f"{name}: bevestigen")
    frame = page.frame_locator("iframe[name=letter-preview]")
    expect(frame.get_by_text("Raad van State").first).to_be_visible()
    return frame.locator("body")


def confirm_on_page(page: Page, regime: Regime, action: str) -> None:
    name = label_of(regime, action)
    page.get_by_role("button", name=f"Bevestigen: {name}", exact=True).click()
    expect(flash(page)).to_have_text(f"Uitgevoerd: {name}.")


VERIFICATION_CODE = re.compile(r"de code ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")


def one_character_changed(code: str) -> str:
    first = code[0]
    other = next(c for c in CODE_ALPHABET if c != first)
    return other + code[1:]


def verify(page: Page, reference: str, code: str) -> None:
    page.goto("/verify")
    expect(heading(page)).to_have_text("Is deze brief echt?")
    page.get_by_role("textbox", name="Kenmerk", exact=True).fill(reference)
    page.get_by_role("textbox", name="Verificatiecode", exact=True).fill(code)
    page.get_by_role("button", name="Controleren", exact=True).click()


# -- 1. refusal after a hearing with a response ----------------------------------------------------


def test_a_childcare_application_is_refused_after_the_applicant_responded(app, client, people, worker, page, tmp_path):
    regime = CHILDCARE
    application_id = submitted_application(client, people, regime="childcare")
    reference = reference_of(app, application_id)
    attachment = tmp_path / ATTACHMENT
    attachment.write_bytes(minimal_pdf("Participatieplan 2026"))

    # The reviewer: admissibility, the conditions, the intended refusal.
    log_in(page, people.reviewer)
    open_case_from_queue(page, reference)
    act(page, regime, "start_admissibility")
    act(page, regime, "accept_for_review")
    expect(answer_shown(page, "Status")).to_contain_text(staff_label(regime, "substantive_review"))
    expect_not_offered(page, regime, "propose_refusal")
    judge_one_condition_not_met(page, regime, FAILED_CONDITION, FAILED_REASON)
    shoot(page, tmp_path, "1-reviewer-assessed")
    motivation_box(page, regime, "announce_refusal").fill(INTENDED_REFUSAL)
    act(page, regime, "announce_refusal")
    expect(answer_shown(page, "Status")).to_contain_text(staff_label(regime, "hearing"))
    expect_not_offered(page, regime, "propose_refusal")
    expect_not_offered(page, regime, "confirm_refusal")
    shoot(page, tmp_path, "2-reviewer-hearing")
    log_out(page)

    # The applicant: the notice, the letter, the response with an attachment.
    log_in(page, people.applicant)
    open_my_application(page, reference)
    expect(answer_shown(page, "Status")).to_have_text(public_label(regime, "hearing"))
    expect(
        page.get_by_text("De administratie is van plan een beslissing te nemen die voor u nadelig is")
    ).to_be_visible()
    expect(page.get_by_text(INTENDED_REFUSAL, exact=True)).to_be_visible()
    item = see_letter_ready(page, app, regime, "intended_refusal", worker)
    _, intended = download(page, item.get_by_role("link", name="PDF downloaden"), tmp_path)
    intended_text = words(pdf_text(intended))
    assert INTENDED_REFUSAL in intended_text
    assert FAILED_REASON in intended_text
    shoot(page, tmp_path, "3-applicant-hearing")
    respond_to_hearing(page, regime, "respond_to_hearing", RESPONSE, attachment)
    expect(answer_shown(page, "Status")).to_have_text(public_label(regime, "heard"))
    expect(page.get_by_role("button", name=label_of(regime, "respond_to_hearing"))).to_have_count(0)
    shoot(page, tmp_path, "4-applicant-responded")
    log_out(page)

    # The reviewer: the response and its attachment; the proposal must answer it.
    log_in(page, people.reviewer)
    open_case_from_queue(page, reference)
    expect(answer_shown(page, "Status")).to_contain_text(staff_label(regime, "heard"))
    expect(page.locator("main .notice").filter(has_text=RESPONSE)).to_be_visible()  # the overview says it first
    open_tab(page, "Tijdlijn")
    history = page.get_by_role("row").filter(has_text=label_of(regime, "respond_to_hearing"))
    expect(history).to_have_count(1)
    expect(history).to_contain_text(RESPONSE)
    expect(page.get_by_text(RESPONSE, exact=True).first).to_be_visible()
    # A PDF opens in the browser (inline, sandboxed) rather than downloading: fetch what the link serves.
    href = history.get_by_role("link", name=ATTACHMENT, exact=True).get_attribute("href")
    assert href is not None
    served = page.request.get(href)
    assert served.ok
    assert served.headers["content-disposition"].startswith("inline")
    assert served.body() == attachment.read_bytes()
    expect(page.get_by_role("link", name=ATTACHMENT, exact=True).first).to_be_visible()
    shoot(page, tmp_path, "5-reviewer-sees-response")
    open_tab(page, "Overzicht")
    expect(page.get_by_role("link", name=ATTACHMENT, exact=True).first).to_be_visible()  # beside the response

    motivation_box(page, regime, "propose_refusal").fill(REFUSAL_MOTIVATION)
    page.get_by_role("button", name=label_of(regime, "propose_refusal"), exact=True).click()
    problem = page.get_by_role("alert")
    expect(problem.get_by_role("heading", name="Er is een probleem")).to_be_visible()
    expect(problem).to_contain_text("De aanvrager reageerde op de voorgenomen beslissing")
    expect(problem).to_contain_text("Vul het antwoord op de reactie in.")
    expect(motivation_box(page, regime, "propose_refusal")).to_have_value(REFUSAL_MOTIVATION)
    expect(answer_shown(page, "Status")).to_contain_text(staff_label(regime, "heard"))
    shoot(page, tmp_path, "6-reviewer-proposal-refused")
    hearing_answer_box(page, regime, "propose_refusal").fill(HEARING_ANSWER)
    act(page, regime, "propose_refusal")
    proposal = page.get_by_role("region", name="Voorstel van beslissing")
    expect(proposal).to_contain_text(REFUSAL_MOTIVATION)
    expect(proposal).to_contain_text(HEARING_ANSWER)
    log_out(page)

    # The decision maker: the letter preview, then the decision.
    log_in(page, people.decision_maker)
    open_case_from_queue(page, reference)
    preview = open_confirmation(page, regime, "confirm_refusal")
    expect(preview).to_contain_text(RESPONSE)
    expect(preview).to_contain_text(HEARING_ANSWER)
    expect(preview).to_contain_text(ATTACHMENT)
    expect(
        page.get_by_role("textbox", name="Antwoord op de reactie van de aanvrager (komt in de brief)")
    ).to_have_value(HEARING_ANSWER)
    shoot(page, tmp_path, "7-decision-maker-confirm")
    confirm_on_page(page, regime, "confirm_refusal")
    expect(answer_shown(page, "Status")).to_contain_text(staff_label(regime, "refused"))
    log_out(page)

    # The applicant: the refusal letter.
    log_in(page, people.applicant)
    open_my_application(page, reference)
    expect(answer_shown(page, "Status")).to_have_text(public_label(regime, "refused"))
    item = see_letter_ready(page, app, regime, "decision_refused", worker)
    shoot(page, tmp_path, "8-applicant-refused")
    name, letter = download(page, item.get_by_role("link", name="PDF downloaden"), tmp_path)
    assert name == f"{reference}-beslissing-weigering-van-de-erkenning.pdf"
    text = words(pdf_text(letter))
    for expected in (RESPONSE, HEARING_ANSWER, REFUSAL_MOTIVATION, FAILED_REASON, ATTACHMENT):
        assert expected in text, expected
    assert "Raad van State" in text
    assert "Pagina 1 van" in text
    assert SIGNATORY_FUNCTION in text
    assert "ONTWERP" not in text
    codes = set(VERIFICATION_CODE.findall(text))
    assert len(codes) == 1, codes
    code = codes.pop()
    log_out(page)

    # Anyone: is this letter genuine?
    verify(page, reference, code)
    answer = page.get_by_role("status")
    expect(answer.get_by_role("heading", name="Deze brief is echt")).to_be_visible()
    expect(answer_shown(answer, "Soort brief")).to_have_text(letter_title(regime, "decision_refused"))
    shoot(page, tmp_path, "9-verify-genuine")
    verify(page, reference, one_character_changed(code))
    expect(page.get_by_text("Deze brief is echt")).to_have_count(0)
    expect(page.get_by_role("status")).to_contain_text("Geen brief gevonden met dit kenmerk en deze code.")
    shoot(page, tmp_path, "10-verify-wrong-code")


# -- 2. suspension after a hearing -----------------------------------------------------------------


def test_an_active_caretakers_recognition_is_suspended_after_a_hearing(app, client, people, worker, page, tmp_path):
    regime = CARETAKERS
    application_id = active_recognition(client, people)
    reference = reference_of(app, application_id)

    # The reviewer announces the intended suspension; an active recognition waits on nobody.
    log_in(page, people.reviewer)
    expect(heading(page)).to_have_text("Werkvoorraad")
    page.get_by_role("link", name="Alle ingediende aanvragen", exact=True).click()
    page.get_by_role("link", name=reference, exact=True).click()
    declare_if_asked(page, page.get_by_role("heading", level=1, name=f"Dossier {reference}"))
    expect(heading(page)).to_have_text(f"Dossier {reference}")
    expect(answer_shown(page, "Status")).to_contain_text(staff_label(regime, "active"))
    expect_not_offered(page, regime, "propose_suspension")
    motivation_box(page, regime, "announce_suspension").fill(INTENDED_SUSPENSION)
    act(page, regime, "announce_suspension")
    expect(answer_shown(page, "Status")).to_contain_text(staff_label(regime, "suspension_hearing"))
    expect_not_offered(page, regime, "propose_suspension")
    shoot(page, tmp_path, "1-reviewer-suspension-hearing")
    log_out(page)

    # The organisation sees the notice and the letter, and responds.
    log_in(page, people.applicant)
    open_my_application(page, reference)
    expect(answer_shown(page, "Status")).to_have_text(public_label(regime, "suspension_hearing"))
    expect(
        page.get_by_text("De administratie is van plan een beslissing te nemen die voor u nadelig is")
    ).to_be_visible()
    expect(page.get_by_text(INTENDED_SUSPENSION, exact=True)).to_be_visible()
    item = see_letter_ready(page, app, regime, "intended_suspension", worker)
    _, intended = download(page, item.get_by_role("link", name="PDF downloaden"), tmp_path)
    assert INTENDED_SUSPENSION in words(pdf_text(intended))
    shoot(page, tmp_path, "2-applicant-suspension-hearing")
    respond_to_hearing(page, regime, "respond_to_suspension_hearing", SUSPENSION_RESPONSE, None)
    expect(answer_shown(page, "Status")).to_have_text(public_label(regime, "suspension_heard"))
    log_out(page)

    # The reviewer proposes the suspension, answering the response.
    log_in(page, people.reviewer)
    open_case_from_queue(page, reference)
    expect(answer_shown(page, "Status")).to_contain_text(staff_label(regime, "suspension_heard"))
    expect(page.get_by_text(SUSPENSION_RESPONSE, exact=True).first).to_be_visible()
    motivation_box(page, regime, "propose_suspension").fill(SUSPENSION_MOTIVATION)
    hearing_answer_box(page, regime, "propose_suspension").fill(SUSPENSION_ANSWER)
    shoot(page, tmp_path, "3-reviewer-proposes-suspension")
    act(page, regime, "propose_suspension")
    expect(page.get_by_role("region", name="Voorstel van beslissing")).to_contain_text(SUSPENSION_ANSWER)
    log_out(page)

    # The decision maker confirms on the confirmation page.
    log_in(page, people.decision_maker)
    open_case_from_queue(page, reference)
    preview = open_confirmation(page, regime, "suspend")
    expect(preview).to_contain_text(SUSPENSION_RESPONSE)
    expect(preview).to_contain_text(SUSPENSION_ANSWER)
    shoot(page, tmp_path, "4-decision-maker-confirms-suspension")
    confirm_on_page(page, regime, "suspend")
    expect(answer_shown(page, "Status")).to_contain_text(staff_label(regime, "suspended"))
    log_out(page)

    # The organisation: suspended, with the letter.
    log_in(page, people.applicant)
    open_my_application(page, reference)
    expect(answer_shown(page, "Status")).to_have_text("Erkenning geschorst")
    item = see_letter_ready(page, app, regime, "suspension", worker)
    shoot(page, tmp_path, "5-applicant-suspended")
    name, letter = download(page, item.get_by_role("link", name="PDF downloaden"), tmp_path)
    assert name == f"{reference}-beslissing-schorsing-van-de-erkenning.pdf"
    text = words(pdf_text(letter))
    for expected in (SUSPENSION_RESPONSE, SUSPENSION_ANSWER, SUSPENSION_MOTIVATION, "geschorst", SIGNATORY_FUNCTION):
        assert expected in text, expected
    assert "Raad van State" in text
    assert VERIFICATION_CODE.search(text)
