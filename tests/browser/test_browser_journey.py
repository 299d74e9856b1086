"""The whole journey in a real Chromium, driven by labels, roles and text as a person would.

The applicant starts a general-regime application for the open call, fills its steps (after one wrong
enterprise number), checks and submits it; a reviewer runs the admissibility check, assesses every
condition as met and proposes recognition; a decision maker grants it; the Celery worker process renders
the decision letter; and the applicant downloads it. The answers come from `tests.support.GENERAL_ANSWERS`
and the questions are found by the labels the regime declares, so a change of wording does not break the
test. Screenshots of the step with the error, the check-answers page and the back-office case page are
left in the test's temporary folder for people to look at.
"""

from __future__ import annotations

import io
import re
import subprocess
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from ldapply import formatting
from ldapply.forms import notation
from ldapply.forms.kinds import RADIO_MAX_CHOICES
from ldapply.workflows import get_regime
from ldapply.workflows._spec import Field, FieldKind, Step
from tests.browser.declaring import declare_if_asked
from tests.browser.procedure_walk import open_tab
from tests.support import GENERAL_ANSWERS, PASSWORD, PDF, minimal_pdf

pytestmark = pytest.mark.browser

REGIME = get_regime("general")
ANSWERS = GENERAL_ANSWERS
LETTER_TIMEOUT_SECONDS = 60
YES_NO_LABELS = {"yes": "Ja", "no": "Nee"}
TEXT_KINDS = {
    FieldKind.TEXT,
    FieldKind.TEXTAREA,
    FieldKind.DECIMAL,
    FieldKind.INTEGER,
    FieldKind.MONEY,
    FieldKind.ENTERPRISE_NUMBER,
}
INVALID_ENTERPRISE_NUMBER = "0123.456.789"  # fails the mod-97 check
MOTIVATION = "De dienst beantwoordt een aangetoonde lokale behoefte in de wijk."
CONDITION_MET = "Vervuld"


# -- the regime: steps, fields and labels ------------------------------------------------------------


def step_of(slug: str) -> Step:
    step = REGIME.step(slug)
    assert step is not None, f"the general regime has no step {slug!r}"
    return step


def field_of(slug: str, name: str) -> Field:
    return next(f for f in step_of(slug).fields if f.name == name)


def label(slug: str, name: str) -> str:
    return field_of(slug, name).label.nl


def action_label(action: str) -> str:
    transition = REGIME.transition(action)
    assert transition is not None, f"the general regime has no action {action!r}"
    return transition.label.nl


def upload_name(field: Field) -> str:
    return f"{field.name}.pdf"


def shown(field: Field, value: Any) -> str:
    """How the check-answers page shows an answer typed or chosen as `value`."""
    if value is PDF:
        return upload_name(field)
    match field.kind:
        case FieldKind.YES_NO:
            return YES_NO_LABELS[value]
        case FieldKind.CHOICE:
            return field.choice_label(value) or value
        case FieldKind.DATE:
            return date.fromisoformat(value).strftime("%d-%m-%Y")
        case FieldKind.MONEY:  # typed in Belgian notation, shown as an amount: "120000" -> "€ 120.000,00"
            return formatting.money(notation.parse_number(value, money=True))
    return value


# -- helpers: what a person does on a page --------------------------------------------------------


def log_in(page: Page, person: Any) -> None:
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(person.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("button", name="Afmelden")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Afmelden").click()
    expect(page.get_by_role("heading", name="Aanmelden", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("U bent afgemeld.")


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def flash(page: Page) -> Locator:
    return page.get_by_role("status")


def is_radio_list(field: Field) -> bool:
    return field.kind == FieldKind.YES_NO or (
        field.kind == FieldKind.CHOICE and len(field.choices) <= RADIO_MAX_CHOICES
    )


def option_label(field: Field, value: str) -> str:
    return YES_NO_LABELS[value] if field.kind == FieldKind.YES_NO else field.choice_label(value) or value


def control(page: Page, field: Field, value: str) -> Locator:
    """The control that answers `field` with `value`: a radio button, a drop-down list or a box to type in."""
    name = field.label.nl
    if is_radio_list(field):
        return page.get_by_role("group", name=name, exact=True).get_by_role(
            "radio", name=option_label(field, value), exact=True
        )
    if field.kind == FieldKind.CHOICE:
        return page.get_by_role("combobox", name=name, exact=True)
    if field.kind in TEXT_KINDS:
        return page.get_by_role("textbox", name=name, exact=True)
    if field.kind in (FieldKind.DATE, FieldKind.FILE):
        return page.get_by_label(name, exact=True)
    raise AssertionError(f"the browser journey cannot yet answer a {field.kind} field ({field.name})")


def fill_field(page: Page, field: Field, value: Any, folder: Path) -> None:
    """Answer one question the way its control asks for."""
    target = control(page, field, value)
    if value is PDF:
        pdf = folder / upload_name(field)
        pdf.write_bytes(minimal_pdf())
        target.set_input_files(pdf)
    elif is_radio_list(field):
        target.check()
    elif field.kind == FieldKind.CHOICE:
        target.select_option(label=option_label(field, value))
    else:
        target.fill(value)


def expect_answer_kept(page: Page, field: Field, value: Any) -> None:
    """After a refused save, the control still holds what was typed or chosen."""
    target = control(page, field, value)
    if is_radio_list(field):
        expect(target).to_be_checked()
    elif field.kind != FieldKind.FILE:  # a browser never refills a file input
        expect(target).to_have_value(value)


def fill_step(page: Page, step: Step, answers: dict[str, Any], folder: Path) -> None:
    expect(heading(page)).to_have_text(step.title.nl)
    for field in step.fields:
        if field.name in answers:
            fill_field(page, field, answers[field.name], folder)


def save_and_continue(page: Page) -> None:
    page.get_by_role("button", name="Opslaan en verder").click()


def answer_shown(scope: Page | Locator, label: str) -> Locator:
    """The value next to `label` in a summary list (a <dt>/<dd> pair)."""
    return (
        scope.get_by_role("term")
        .filter(has_text=re.compile(f"^{re.escape(label)}$"))
        .locator("xpath=following-sibling::dd[1]")
    )


def wait_for_letter(app: Flask, kind: str, process: subprocess.Popen[bytes]) -> tuple[str, str | None]:
    """Wait until the worker has finished the letter of `kind`; returns (status, error)."""
    from ldapply.extensions import db
    from ldapply.models import Letter, LetterStatus

    deadline = time.monotonic() + LETTER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "the worker process died"
        with app.app_context():
            letter = db.session.scalar(db.select(Letter).where(Letter.kind == kind))
            if letter is not None and letter.status != LetterStatus.PENDING:
                return str(letter.status), letter.error
        time.sleep(0.2)
    raise AssertionError(f"no {kind} letter rendered within {LETTER_TIMEOUT_SECONDS} s")


# -- the journey, part by part ---------------------------------------------------------------------


def start_application(page: Page) -> str:
    """Start a draft for the general regime's open call; returns its reference as shown in the page heading."""
    form = page.locator("form").filter(has=page.get_by_role("heading", name=REGIME.title.nl, exact=True))
    expect(form).to_have_count(1)
    call = form.get_by_role("combobox", name="Oproep", exact=True)
    expect(call.get_by_role("option")).to_have_count(1)
    call.select_option(index=0)
    form.get_by_role("button", name="Aanvraag starten").click()
    expect(heading(page)).to_have_text(re.compile(r"^Aanvraag \S+$"))
    return heading(page).inner_text().removeprefix("Aanvraag ").strip()


def enter_a_wrong_enterprise_number_then_fix_it(page: Page, folder: Path, screenshot: Path) -> None:
    organisation = step_of("organisation")
    answers = ANSWERS["organisation"]
    page.get_by_role("link", name=organisation.title.nl, exact=True).click()
    fill_step(page, organisation, {**answers, "enterprise_number": INVALID_ENTERPRISE_NUMBER}, folder)
    save_and_continue(page)

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="Er is een probleem")).to_be_visible()
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(summary.get_by_role("link")).to_contain_text(re.compile(r"\bgeen geldig ondernemingsnummer\b"))
    expect(page).to_have_url(re.compile(rf"/steps/{organisation.slug}$"))
    number = page.get_by_role("textbox", name=label("organisation", "enterprise_number"), exact=True)
    expect(number).to_have_value(INVALID_ENTERPRISE_NUMBER)
    expect(number).to_have_attribute("aria-invalid", "true")
    for field in organisation.fields:  # the other answers typed on this page are kept
        if field.name in answers and field.name != "enterprise_number":
            expect_answer_kept(page, field, answers[field.name])
    page.screenshot(path=screenshot, full_page=True)

    number.fill(answers["enterprise_number"])
    save_and_continue(page)


def fill_the_remaining_steps(page: Page, folder: Path) -> None:
    """Every step after the organisation, in the order the application leads through them."""
    steps = REGIME.steps
    assert [s.slug for s in steps] == list(ANSWERS), "GENERAL_ANSWERS and the regime's steps differ"
    for step in steps[1:]:
        expect(page).to_have_url(re.compile(rf"/steps/{step.slug}$"))
        fill_step(page, step, ANSWERS[step.slug], folder)
        save_and_continue(page)


def check_answers_and_submit(page: Page, screenshot: Path) -> None:
    expect(heading(page)).to_have_text("Controleer uw antwoorden")
    for step in REGIME.steps:
        section = page.get_by_role("heading", name=step.title.nl, level=2, exact=True).locator(
            "xpath=following-sibling::dl[1]"
        )
        for field in step.fields:
            if field.name in ANSWERS[step.slug]:
                expect(answer_shown(section, field.label.nl)).to_have_text(shown(field, ANSWERS[step.slug][field.name]))
    page.screenshot(path=screenshot, full_page=True)
    page.get_by_role("checkbox", name=re.compile(r"^Ik verklaar dat deze gegevens juist")).check()
    page.get_by_role("button", name=action_label("submit")).click()
    expect(flash(page)).to_contain_text("is ingediend")
    expect(answer_shown(page, "Status")).to_have_text("In behandeling")


def open_case_from_queue(page: Page, reference: str) -> None:
    expect(heading(page)).to_have_text("Werkvoorraad")
    page.get_by_role("link", name=reference, exact=True).click()
    declare_if_asked(page, page.get_by_role("heading", level=1, name=f"Dossier {reference}"))
    expect(heading(page)).to_have_text(f"Dossier {reference}")


def act(page: Page, action: str) -> None:
    """Press a back-office action button and see it done."""
    name = action_label(action)
    page.get_by_role("button", name=name, exact=True).click()
    expect(flash(page)).to_have_text(f"Uitgevoerd: {name}.")


def assess_every_condition_as_met(page: Page) -> None:
    """On the checklist tab; saved, the overview says so, the tab shows each verdict; back on the overview."""
    open_tab(page, "Beoordeling")
    section = page.get_by_role("region", name="Beoordeling van de voorwaarden")
    expect(section.get_by_role("radio", name=CONDITION_MET, exact=True)).to_have_count(len(REGIME.conditions))
    for condition in REGIME.conditions:
        row = section.locator("div.condition").filter(
            has=page.get_by_role("heading", name=condition.title.nl, exact=True)
        )
        row.get_by_role("radio", name=CONDITION_MET, exact=True).check()
    section.get_by_role("button", name="Beoordeling bewaren").click()
    expect(flash(page)).to_have_text(f"Beoordeling bewaard ({len(REGIME.conditions)} voorwaarde(n) gewijzigd).")
    open_tab(page, "Beoordeling")
    for condition in REGIME.conditions:
        row = section.locator("div.condition").filter(
            has=page.get_by_role("heading", name=condition.title.nl, exact=True)
        )
        expect(row.get_by_role("radio", name=CONDITION_MET, exact=True)).to_be_checked()
    open_tab(page, "Overzicht")


def review_and_propose_recognition(page: Page, reference: str, screenshot: Path) -> None:
    open_case_from_queue(page, reference)
    act(page, "start_admissibility")
    act(page, "accept_for_review")
    assess_every_condition_as_met(page)
    page.screenshot(path=screenshot, full_page=True)
    proposal = action_label("propose_grant")
    page.get_by_role("textbox", name=f"Motivering voor de aanvrager bij „{proposal}”", exact=True).fill(MOTIVATION)
    act(page, "propose_grant")
    expect(page.get_by_role("heading", name="Voorstel van beslissing")).to_be_visible()


def decide_recognition(page: Page, reference: str, screenshot: Path) -> None:
    open_case_from_queue(page, reference)
    expect(page.get_by_text(MOTIVATION).first).to_be_visible()
    page.screenshot(path=screenshot, full_page=True)
    confirm(page, "confirm_grant", screenshot.with_name("confirm-grant.png"))
    expect(answer_shown(page, "Status")).to_contain_text("Erkend")


def confirm(page: Page, action: str, screenshot: Path | None = None) -> None:
    """An irreversible move: open its own page, see the letter it will issue, and confirm there."""
    name = action_label(action)
    page.get_by_role("link", name=f"{name}…", exact=True).click()
    expect(heading(page)).to_have_text(f"{name}: bevestigen")
    frame = page.frame_locator("iframe[name=letter-preview]")
    expect(frame.get_by_text("Raad van State").first).to_be_visible()
    if screenshot is not None:
        page.screenshot(path=screenshot, full_page=True)
    page.get_by_role("button", name=f"Bevestigen: {name}", exact=True).click()
    expect(flash(page)).to_have_text(f"Uitgevoerd: {name}.")


def download_decision_letter(page: Page, reference: str, folder: Path) -> bytes:
    page.get_by_role("link", name=reference, exact=True).click()
    expect(answer_shown(page, "Status")).to_have_text("Erkend")
    letter = page.get_by_role("listitem").filter(has_text=REGIME.letter("decision_granted").title.nl)
    with page.expect_download() as download_info:
        letter.get_by_role("link", name="PDF downloaden").click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == f"{reference}-beslissing-erkenning.pdf"
    target = folder / download.suggested_filename
    download.save_as(target)
    return target.read_bytes()


# -- the test ---------------------------------------------------------------------------------------


def test_applicant_staff_and_worker_complete_a_recognition_in_the_browser(app, people, worker, page, tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()

    log_in(page, people.applicant)
    reference = start_application(page)
    enter_a_wrong_enterprise_number_then_fix_it(page, uploads, tmp_path / "organisation-error.png")
    fill_the_remaining_steps(page, uploads)
    check_answers_and_submit(page, tmp_path / "check-answers.png")
    log_out(page)

    log_in(page, people.reviewer)
    review_and_propose_recognition(page, reference, tmp_path / "case-reviewer.png")
    log_out(page)

    log_in(page, people.decision_maker)
    decide_recognition(page, reference, tmp_path / "case-decision-maker.png")
    log_out(page)

    status, error = wait_for_letter(app, "decision_granted", worker)
    assert status == "rendered", error

    log_in(page, people.applicant)
    data = download_decision_letter(page, reference, tmp_path)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert ANSWERS["organisation"]["organisation_name"] in text
    assert "verleend" in text
    assert MOTIVATION in text
    assert "Gelet op" in text
