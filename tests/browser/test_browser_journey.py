"""The whole journey in a real Chromium, driven by labels, roles and text as a person would.

The applicant fills the general regime's form (after one wrong enterprise number), submits it, a
reviewer proposes recognition, a decision maker grants it, the Celery worker process renders the
decision letter, and the applicant downloads it. Screenshots of the step with the error, the
check-answers page and the back-office case page are left in the test's temporary folder for people
to look at.
"""

from __future__ import annotations

import io
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from ldapply.forms.builder import RADIO_MAX_CHOICES
from ldapply.workflows._spec import Field, FieldKind
from ldapply.workflows.general import REGIME
from tests.support import PASSWORD, STEP_ANSWERS, minimal_pdf

pytestmark = pytest.mark.browser

LETTER_TIMEOUT_SECONDS = 60
YES_NO_LABELS = {"yes": "Ja", "no": "Nee"}
INVALID_ENTERPRISE_NUMBER = "0123.456.789"  # fails the mod-97 check
MOTIVATION = "De dienst beantwoordt een aangetoonde lokale behoefte in de wijk."

# What the check-answers page must show for STEP_ANSWERS and the uploaded file, label by label.
EXPECTED_ANSWERS = {
    "Naam van de organisatie": "Buurtwerk De Brug vzw",
    "Ondernemingsnummer (KBO)": "0403.170.701",
    "Rechtsvorm": "Vereniging zonder winstoogmerk (vzw)",
    "Heeft de organisatie ook andere activiteiten dan lokale diensteneconomie?": "Nee",
    "Dienstendomein": "Fietspunten",
    "Beschrijving van de dienst": "Een fietspunt aan het station.",
    "Gevraagde VTE doelgroepwerknemers": "6,5",
    "Gevraagde VTE omkadering": "1",
    "Ondernemingsplan (PDF)": "ondernemingsplan.pdf",
}


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


def heading(page: Page) -> Any:
    return page.get_by_role("heading", level=1)


def fill_field(page: Page, field: Field, value: str) -> None:
    """Answer one question the way its control asks for: radio buttons, a drop-down list or a text box."""
    label = field.label.nl
    if field.kind == FieldKind.YES_NO:
        page.get_by_role("group", name=label).get_by_role("radio", name=YES_NO_LABELS[value], exact=True).check()
    elif field.kind == FieldKind.CHOICE and len(field.choices) <= RADIO_MAX_CHOICES:
        option = field.choice_label(value)
        page.get_by_role("group", name=label).get_by_role("radio", name=option, exact=True).check()
    elif field.kind == FieldKind.CHOICE:
        page.get_by_role("combobox", name=label, exact=True).select_option(label=field.choice_label(value))
    else:
        page.get_by_role("textbox", name=label, exact=True).fill(value)


def fill_step(page: Page, slug: str, answers: dict[str, str]) -> None:
    step = REGIME.step(slug)
    assert step is not None
    expect(heading(page)).to_have_text(step.title.nl)
    for field in step.fields:
        if field.name in answers:
            fill_field(page, field, answers[field.name])


def save_and_continue(page: Page) -> None:
    page.get_by_role("button", name="Opslaan en verder").click()


def answer_shown(page: Page, label: str) -> Any:
    """The value next to `label` in a summary list (a <dt>/<dd> pair)."""
    return (
        page.get_by_role("term")
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
    """Start a draft from the home page; returns its reference as shown in the page heading."""
    page.get_by_role("button", name="Aanvraag starten").click()
    expect(heading(page)).to_have_text(re.compile(r"^Aanvraag \S+$"))
    return heading(page).inner_text().removeprefix("Aanvraag ").strip()


def enter_a_wrong_enterprise_number_then_fix_it(page: Page, screenshot: Path) -> None:
    page.get_by_role("link", name="Organisatie", exact=True).click()
    fill_step(page, "organisation", {**STEP_ANSWERS["organisation"], "enterprise_number": INVALID_ENTERPRISE_NUMBER})
    save_and_continue(page)

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="Er is een probleem")).to_be_visible()
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(summary.get_by_role("link")).to_contain_text(re.compile(r"\bgeen geldig ondernemingsnummer\b"))
    expect(page).to_have_url(re.compile(r"/steps/organisation$"))
    number = page.get_by_role("textbox", name="Ondernemingsnummer (KBO)", exact=True)
    expect(number).to_have_value(INVALID_ENTERPRISE_NUMBER)
    expect(number).to_have_attribute("aria-invalid", "true")
    # the other answers typed on this page are kept
    expect(page.get_by_role("textbox", name="Naam van de organisatie", exact=True)).to_have_value(
        "Buurtwerk De Brug vzw"
    )
    expect(page.get_by_role("radio", name="Vereniging zonder winstoogmerk (vzw)", exact=True)).to_be_checked()
    expect(page.get_by_role("radio", name="Nee", exact=True)).to_be_checked()
    page.screenshot(path=screenshot, full_page=True)

    number.fill(STEP_ANSWERS["organisation"]["enterprise_number"])
    save_and_continue(page)
    expect(page).to_have_url(re.compile(r"/steps/service$"))


def fill_the_remaining_steps(page: Page, pdf: Path) -> None:
    for slug in ("service", "staffing"):
        fill_step(page, slug, STEP_ANSWERS[slug])
        save_and_continue(page)
    expect(heading(page)).to_have_text("Bijlagen")
    page.get_by_label("Ondernemingsplan (PDF)", exact=True).set_input_files(pdf)
    save_and_continue(page)


def check_answers_and_submit(page: Page, screenshot: Path) -> None:
    expect(heading(page)).to_have_text("Controleer uw antwoorden")
    for label, value in EXPECTED_ANSWERS.items():
        expect(answer_shown(page, label)).to_have_text(value)
    page.screenshot(path=screenshot, full_page=True)
    page.get_by_role("checkbox", name=re.compile(r"^Ik verklaar dat deze gegevens juist")).check()
    page.get_by_role("button", name="Aanvraag indienen").click()
    expect(page.get_by_role("status")).to_contain_text("is ingediend")
    expect(answer_shown(page, "Status")).to_have_text("In behandeling")


def open_case_from_queue(page: Page, reference: str) -> None:
    expect(heading(page)).to_have_text("Werkvoorraad")
    page.get_by_role("link", name=reference, exact=True).click()
    expect(heading(page)).to_have_text(f"Dossier {reference}")


def propose_recognition(page: Page, reference: str, screenshot: Path) -> None:
    open_case_from_queue(page, reference)
    page.screenshot(path=screenshot, full_page=True)
    page.get_by_role("textbox", name="Motivering bij „Erkenning voorstellen”", exact=True).fill(MOTIVATION)
    page.get_by_role("button", name="Erkenning voorstellen").click()
    expect(page.get_by_role("status")).to_have_text("Uitgevoerd: Erkenning voorstellen.")
    expect(page.get_by_role("heading", name="Voorstel van beslissing")).to_be_visible()


def decide_recognition(page: Page, reference: str, screenshot: Path) -> None:
    open_case_from_queue(page, reference)
    expect(page.get_by_text(MOTIVATION).first).to_be_visible()
    page.screenshot(path=screenshot, full_page=True)
    page.get_by_role("button", name="Beslissen: erkenning toekennen").click()
    expect(page.get_by_role("status")).to_have_text("Uitgevoerd: Beslissen: erkenning toekennen.")
    expect(answer_shown(page, "Status")).to_contain_text("Erkend")


def download_decision_letter(page: Page, reference: str, folder: Path) -> bytes:
    page.get_by_role("link", name=reference, exact=True).click()
    expect(answer_shown(page, "Status")).to_have_text("Erkend")
    letter = page.get_by_role("listitem").filter(has_text="Beslissing: erkenning")
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
    pdf = tmp_path / "ondernemingsplan.pdf"
    pdf.write_bytes(minimal_pdf())

    log_in(page, people.applicant)
    reference = start_application(page)
    enter_a_wrong_enterprise_number_then_fix_it(page, tmp_path / "organisation-error.png")
    fill_the_remaining_steps(page, pdf)
    check_answers_and_submit(page, tmp_path / "check-answers.png")
    log_out(page)

    log_in(page, people.reviewer)
    propose_recognition(page, reference, tmp_path / "case-reviewer.png")
    log_out(page)

    log_in(page, people.decision_maker)
    decide_recognition(page, reference, tmp_path / "case-decision-maker.png")
    log_out(page)

    status, error = wait_for_letter(app, "decision_granted", worker)
    assert status == "rendered", error

    log_in(page, people.applicant)
    data = download_decision_letter(page, reference, tmp_path)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Buurtwerk De Brug vzw" in text
    assert "wordt erkend" in text
    assert MOTIVATION in text
