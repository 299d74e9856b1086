"""The applicant's whole journey in a real Chromium, for each regime, in Dutch and in English.

Two people of a new organisation do what applicants do, in the language chosen with the switch:

1. Sara signs up, confirms her address by the link in the mail the real SMTP server received, registers
   the organisation (she becomes its administrator and authorised signatory) and invites her colleague.
2. Pieter accepts the invitation by its mail link, creating his account; he does the eligibility pre-check,
   starts the application from it, fills every step (uploads, Belgian money amounts such as "€ 95.000"
   and "180.000,50"), fixes a wrong enterprise number, leaves halfway and resumes, and marks the
   application ready for signature.
3. Sara, the signatory, declares and submits it, sees the confirmation page and downloads the receipt,
   which lists each attachment with its SHA-256.
4. A reviewer asks, in the back office, for additions to one question; the applicant changes only that
   and hands the additions in from the check page; the reviewer sees what changed.
5. The decision: childcare is refused after a hearing in which Sara responds to the intended refusal;
   the other regimes are granted. Sara downloads the decision letter. No regime has an administrative
   objection today (the decree names none), so the granted journeys check that none is offered; the
   childcare journey is given one (`allow_objection`) and Sara lodges it with a motivation and an attachment:
   it becomes a case of its own, linked to the refused application, which stays refused.

Staff use the same language. A Celery worker process renders the letters and sends the mail over SMTP.
`check_accessibility` runs axe-core on every page shown and saves its screenshots (desktop and 375 px)
under tests/output/<backend>/screenshots/<test>/.
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask_babel import force_locale
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from ldapply import formatting
from ldapply.workflows import get_regime
from ldapply.workflows._spec import Field, FieldKind, Regime, Step
from tests.browser.a11y import Checker
from tests.browser.answering import Answering, upload_name
from tests.browser.declaring import declare_if_asked
from tests.browser.words import LANGUAGES, Words
from tests.mailserver import Inbox, link_in
from tests.support import MET_REASON, PASSWORD, PDF, REGIME_ANSWERS, met_needs_reason, minimal_pdf, worker_process

pytestmark = pytest.mark.browser

REGIMES = ("general", "caretakers", "childcare")
REFUSED_AFTER_HEARING = "childcare"  # the regime whose journey goes through an intended refusal
OBJECTING = "childcare"  # the journey that lodges an objection (see allow_objection)
MAIL_TIMEOUT_SECONDS = 30
LETTER_TIMEOUT_SECONDS = 60

ORGANISATION = "Samen Sterk vzw"
ENTERPRISE_NUMBER = "0456.789.034"  # valid check digits; not one of the test fixture's organisations
WRONG_ENTERPRISE_NUMBER = "0456.789.035"
STREET, POSTCODE, MUNICIPALITY = "Kerkstraat 12", "9000", "Gent"
# Belgian notation, as people type it: with the euro sign, thousands points and a decimal comma.
BUDGET = {
    "budget_flemish": ("€ 95.000", Decimal("95000")),
    "budget_federal": ("180.000,50", Decimal("180000.50")),
    "budget_commissioning": ("12 500", Decimal("12500")),
    "budget_users": ("5.000", Decimal("5000")),
}
ADDITIONS_QUESTION = "Beschrijf de lokale behoefte concreter, met cijfers uit de wijk."
ADDITIONS_ITEM = "Hier ontbreken de cijfers over de wachtlijst in de wijk."
ADDITIONS_ANSWER = "In de wijk wonen 1.200 gezinnen; 300 vroegen in 2026 om deze dienst."
MOTIVATION_GRANT = "De dienst beantwoordt een aangetoonde lokale behoefte en voldoet aan elke voorwaarde."
INTENDED_REFUSAL = "Wij zijn van plan te weigeren: het participatieplan betrekt de werknemers niet."
REFUSAL_REASON = "Het participatieplan betrekt alleen de gebruikers, niet de werknemers en de buurt."
HEARING_RESPONSE = "Wij richten vanaf september een werknemersoverleg op; het plan zit in de bijlage."
HEARING_ANSWER = "Een plan voor later toont niet aan dat de voorwaarde nu vervuld is."
REFUSAL_MOTIVATION = "De werknemers en de buurt participeren vandaag niet in de werking."
OBJECTION = "Wij zijn het niet eens met de beslissing: de werknemers zijn wel betrokken, zie bijlage."
FAILED_CONDITION = "participation"
DECLARATION = "Ik verklaar dat deze gegevens juist en volledig zijn en dat ik gemachtigd ben om de organisatie te vertegenwoordigen."


@dataclass(frozen=True)
class Applicant:
    name: str
    email: str


SARA = Applicant("Sara Peeters", "sara@samensterk.be")
PIETER = Applicant("Pieter Claes", "pieter@samensterk.be")


# -- the run's mail server and worker --------------------------------------------------------------


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    """A real SMTP server on a free local port for the module; the worker sends every mail there."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    found = Inbox(url=f"smtp://127.0.0.1:{port}")
    controller = Controller(found, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield found
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def mailing_worker(app: Flask, backend: Any, inbox: Inbox, live_server: str) -> Iterator[subprocess.Popen[bytes]]:
    """`celery worker` as its own process: renders letters, and sends mail to the inbox with links to
    the live server."""
    environ = {"LDAPPLY_MAIL_URL": inbox.url, "LDAPPLY_PUBLIC_URL": live_server}
    with worker_process(backend, "journey-worker.log", environ) as process:
        yield process


def wait_for_mail(inbox: Inbox, to: str, count: int, worker: subprocess.Popen[bytes]) -> EmailMessage:
    """The `count`-th mail to `to`, once the worker has delivered it."""
    deadline = time.monotonic() + MAIL_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker process died"
        received = inbox.to(to)
        if len(received) >= count:
            return received[count - 1]
        time.sleep(0.2)
    raise AssertionError(f"no mail {count} to {to} in {MAIL_TIMEOUT_SECONDS} s; got {inbox.messages!r}")


def wait_for_letter(app: Flask, application_id: uuid.UUID, kind: str, worker: subprocess.Popen[bytes]) -> None:
    from ldapply.extensions import db
    from ldapply.models import Letter, LetterStatus

    deadline = time.monotonic() + LETTER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker process died"
        with app.app_context():
            letter = db.session.scalar(
                db.select(Letter).where(Letter.application_id == application_id, Letter.kind == kind)
            )
            if letter is not None and letter.status != LetterStatus.PENDING:
                assert letter.status == LetterStatus.RENDERED, letter.error
                return
        time.sleep(0.2)
    raise AssertionError(f"no {kind} letter rendered within {LETTER_TIMEOUT_SECONDS} s")


# -- one journey: the browser, the words of its language, the checks on every page -------------------


@dataclass
class Journey:
    app: Flask
    page: Page
    words: Words
    regime: Regime
    check: Checker
    folder: Path
    inbox: Inbox
    worker: subprocess.Popen[bytes]

    @property
    def lang(self) -> str:
        return self.words.lang

    @property
    def answering(self) -> Answering:
        return Answering(self.page, self.words, self.folder)

    def see(self, name: str) -> None:
        """axe-core and the 375 px check on the page as it is now, with its screenshots."""
        self.check(self.page, name)

    def heading(self) -> Locator:
        return self.page.get_by_role("heading", level=1)

    def flash(self) -> Locator:
        return self.page.locator("main > .notice[role=status]")

    def button(self, message: str, **values: Any) -> Locator:
        return self.page.get_by_role("button", name=self.words(message, **values), exact=True)

    def link(self, message: str, **values: Any) -> Locator:
        return self.page.get_by_role("link", name=self.words(message, **values), exact=True)

    def label(self, action: str) -> str:
        transition = self.regime.transition(action)
        assert transition is not None, f"{self.regime.code} has no action {action!r}"
        return self.words.text(transition.label)

    def public_label(self, state: str) -> str:
        return self.words.text(self.regime.state(state).public_label)

    def letter_title(self, kind: str) -> str:
        return self.words.text(self.regime.letter(kind).title)

    def money(self, value: Decimal) -> str:
        with self.app.test_request_context(), force_locale(self.lang):
            return formatting.money(value, self.lang)

    # -- logging in and out, in the journey's language ---------------------------------------------

    def choose_language(self, then: str = "/login") -> None:
        self.page.goto(f"/language/{self.lang}?next={then}")
        expect(self.page.locator("html")).to_have_attribute("lang", self.lang)

    def log_in(self, email: str, *, then: str = "/login") -> None:
        self.choose_language(then)
        self.page.get_by_label(self.words("E-mailadres"), exact=True).fill(email)
        self.page.get_by_label(self.words("Wachtwoord"), exact=True).fill(PASSWORD)
        self.button("Aanmelden").click()
        expect(self.button("Afmelden")).to_be_visible()

    def log_out(self) -> None:
        self.button("Afmelden").click()
        expect(self.heading()).to_have_text(self.words("Aanmelden"))

    # -- the back office ---------------------------------------------------------------------------

    def open_case(self, reference: str) -> None:
        self.page.goto("/backoffice/?view=all")
        self.page.get_by_role("link", name=reference, exact=True).click()
        declare_if_asked(self.page, self.heading().filter(has_text=reference))
        expect(self.heading()).to_contain_text(reference)

    def open_tab(self, message: str) -> None:
        """One of the case's tabs, by its link."""
        name = self.words(message)
        self.page.locator("nav.case-tabs").get_by_role("link", name=name, exact=True).click()
        expect(self.page.locator("nav.case-tabs [aria-current=page]")).to_have_text(name)

    def act(self, action: str) -> None:
        """A back-office move by its button; the page says it is done."""
        name = self.label(action)
        self.page.locator(f"#action-{action}").get_by_role("button", name=name, exact=True).click()
        expect(self.flash()).to_have_text(self.words("Uitgevoerd: %(action)s.", action=name))

    def confirm(self, action: str, name: str) -> None:
        """An irreversible move: its own page with the letter it issues, then the confirmation."""
        label = self.label(action)
        self.page.get_by_role("link", name=f"{label}…", exact=True).click()
        expect(
            self.page.frame_locator("iframe[name=letter-preview]").get_by_text("Raad van State").first
        ).to_be_visible()
        self.see(name)
        self.page.get_by_role("button", name=re.compile(re.escape(label) + "$")).click()
        expect(self.flash()).to_have_text(self.words("Uitgevoerd: %(action)s.", action=label))

    def motivation(self, action: str) -> Locator:
        name = self.words("Motivering voor de aanvrager bij „%(action)s”", action=self.label(action))
        return self.page.get_by_role("textbox", name=name, exact=True)


# -- 1. sign up, confirm, register the organisation, invite a colleague -----------------------------


def sign_up(journey: Journey, person: Applicant) -> None:
    page, words = journey.page, journey.words
    journey.choose_language()
    page.get_by_role("link", name=words("Maak een account aan voor uw organisatie"), exact=True).click()
    expect(journey.heading()).to_have_text(words("Account aanmaken"))
    journey.see("sign-up")
    page.get_by_label(words("Uw naam"), exact=True).fill(person.name)
    page.get_by_label(words("E-mailadres"), exact=True).fill(person.email)
    page.get_by_label(words("Wachtwoord"), exact=True).fill(PASSWORD)
    page.get_by_label(words("Wachtwoord nog een keer"), exact=True).fill(PASSWORD)
    journey.button("Account aanmaken").click()
    expect(journey.heading()).to_have_text(words("Bekijk uw mailbox"))
    expect(page.get_by_text(person.email)).to_be_visible()
    journey.see("sign-up-mail-sent")


def confirm_by_mail(journey: Journey, person: Applicant) -> None:
    """Follow the link in the mail; confirm with the password where the page asks for it."""
    page, words = journey.page, journey.words
    mail = wait_for_mail(journey.inbox, person.email, 1, journey.worker)
    page.goto(link_in(mail))
    if page.get_by_role("heading", name=words("Bevestig uw e-mailadres"), exact=True).count():
        journey.see("confirm-email")
        page.get_by_label(words("Wachtwoord"), exact=True).fill(PASSWORD)
        journey.button("Bevestigen en aanmelden").click()
    else:
        expect(journey.flash()).to_contain_text(words("Uw e-mailadres is bevestigd. Meld u aan om verder te gaan."))
        journey.log_in(person.email)
    expect(journey.heading()).to_have_text(words("Organisatie registreren"))


def register_organisation(journey: Journey) -> None:
    page, words = journey.page, journey.words
    journey.see("organisation-register")
    page.get_by_label(words("Naam van de organisatie"), exact=True).fill(ORGANISATION)
    page.get_by_label(words("Ondernemingsnummer (KBO)"), exact=True).fill(ENTERPRISE_NUMBER)
    page.get_by_label(words("Rechtsvorm"), exact=True).select_option("vzw")
    page.get_by_label(words("Straat en huisnummer"), exact=True).fill(STREET)
    page.get_by_label(words("Postcode"), exact=True).fill(POSTCODE)
    page.get_by_label(words("Gemeente"), exact=True).fill(MUNICIPALITY)
    journey.button("Organisatie registreren").click()
    expect(journey.flash()).to_contain_text(
        words("%(name)s is geregistreerd. U bent beheerder en gemachtigd ondertekenaar.", name=ORGANISATION)
    )
    journey.see("home-new-organisation")


def invite(journey: Journey, colleague: Applicant) -> None:
    page, words = journey.page, journey.words
    page.get_by_role("navigation", name=words("Hoofdmenu")).get_by_role("link", name=words("Leden")).click()
    expect(journey.heading()).to_have_text(words("Leden"))
    journey.see("members")
    page.get_by_label(words("E-mailadres van uw collega"), exact=True).fill(colleague.email)
    journey.button("Uitnodiging versturen").click()
    expect(page.get_by_role("cell", name=colleague.email, exact=True)).to_be_visible()
    journey.see("members-invited")


def accept_invitation(journey: Journey, colleague: Applicant) -> None:
    """Not logged in, the colleague follows the mail's link and makes an account on the way."""
    page, words = journey.page, journey.words
    mail = wait_for_mail(journey.inbox, colleague.email, 1, journey.worker)
    journey.choose_language()
    page.goto(link_in(mail))
    expect(journey.heading()).to_have_text(words("Uitnodiging van %(organisation)s", organisation=ORGANISATION))
    journey.see("invitation")
    page.get_by_label(words("Uw naam"), exact=True).fill(colleague.name)
    page.get_by_label(words("Wachtwoord"), exact=True).fill(PASSWORD)
    page.get_by_label(words("Wachtwoord nog een keer"), exact=True).fill(PASSWORD)
    journey.button("Account aanmaken en lid worden").click()
    expect(journey.flash()).to_contain_text(words("Welkom. U bent nu lid van %(name)s.", name=ORGANISATION))
    journey.see("home-colleague")


# -- 2. pre-check, start, fill the steps, leave and resume, ready for signature ----------------------


def journey_answers(regime: Regime) -> dict[str, dict[str, Any]]:
    """The regime's example answers with this organisation's details and Belgian money amounts."""
    answers = {slug: dict(step) for slug, step in REGIME_ANSWERS[regime.code].items()}
    answers["organisation"].update(organisation_name=ORGANISATION, enterprise_number=ENTERPRISE_NUMBER)
    if "budget" in answers:
        answers["budget"] = {name: typed for name, (typed, _) in BUDGET.items()}
    return answers


def precheck_answers(regime: Regime, step: Step) -> dict[str, Any]:
    """The pre-check asks some of the application's questions: the same answers, by field name."""
    everything = {name: value for answers in journey_answers(regime).values() for name, value in answers.items()}
    return {f.name: everything[f.name] for f in step.fields if f.name in everything and everything[f.name] is not PDF}


def precheck_and_start(journey: Journey) -> uuid.UUID:
    page, words, regime = journey.page, journey.words, journey.regime
    page.goto(f"/regimes/{regime.code}/precheck")
    expect(journey.heading()).to_have_text(words("Kom ik in aanmerking?"))
    journey.see("precheck")
    from ldapply.services import eligibility

    step = eligibility.precheck_step(regime)
    journey.answering.fill_step(step, precheck_answers(regime, step))
    journey.button("Controleren").click()
    result = page.get_by_role("region", name=words("Resultaat"))
    expect(result).to_be_visible()
    expect(result.locator(".verdict")).not_to_contain_text(words("U komt niet in aanmerking, omdat:"))
    journey.see("precheck-result")
    result.get_by_role("button", name=words("Aanvraag starten met deze antwoorden"), exact=True).click()
    expect(journey.heading()).to_have_text(
        re.compile(re.escape(words("Aanvraag %(reference)s", reference="")) + r"\S+")
    )
    journey.see("task-list-new")
    return uuid.UUID(page.url.rstrip("/").rsplit("/", 1)[-1])


def open_step(journey: Journey, step: Step) -> None:
    journey.page.get_by_role("link", name=journey.words.text(step.title), exact=True).click()
    expect(journey.heading()).to_have_text(journey.words.text(step.title))


def save(journey: Journey) -> None:
    journey.button("Opslaan en verder").click()


def fix_a_wrong_enterprise_number(journey: Journey, answers: dict[str, Any]) -> None:
    page, words = journey.page, journey.words
    step = journey.regime.step("organisation")
    assert step is not None
    open_step(journey, step)
    expect_carried_from_precheck(journey, step)
    journey.answering.fill_step(step, {**answers, "enterprise_number": WRONG_ENTERPRISE_NUMBER})
    save(journey)
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name=words("Er is een probleem"))).to_be_visible()
    expect(summary.get_by_role("link")).to_have_count(1)
    number = page.get_by_role("textbox", name=words.text(step.fields[1].label), exact=True)
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(number).to_have_value(WRONG_ENTERPRISE_NUMBER)
    journey.answering.expect_kept(step, {k: v for k, v in answers.items() if k != "enterprise_number"})
    journey.see("step-organisation-error")
    summary.get_by_role("link").click()
    expect(number).to_be_focused()
    number.fill(answers["enterprise_number"])
    save(journey)
    expect(page).not_to_have_url(re.compile(r"/steps/organisation$"))


def expect_carried_from_precheck(journey: Journey, step: Step) -> None:
    """The answers given in the pre-check are already there when the step is first opened."""
    from ldapply.services import eligibility

    asked = precheck_answers(journey.regime, eligibility.precheck_step(journey.regime))
    carried = {
        f.name: asked[f.name] for f in step.fields if f.name in asked and f.kind != FieldKind.ENTERPRISE_NUMBER
    }  # an enterprise number comes back in its stored notation
    journey.answering.expect_kept(step, carried)


def fill_steps(journey: Journey, answers: dict[str, dict[str, Any]], slugs: list[str]) -> None:
    """The steps `slugs` in the order the application leads through them, from the page of the first."""
    for slug in slugs:
        step = journey.regime.step(slug)
        assert step is not None
        expect(journey.page).to_have_url(re.compile(rf"/steps/{slug}$"))
        expect_carried_from_precheck(journey, step)
        journey.see(f"step-{slug}")
        journey.answering.fill_step(step, answers[slug])
        save(journey)


def resume(journey: Journey, application_id: uuid.UUID) -> None:
    """Back after logging out: from the dashboard to the draft's task list."""
    journey.log_in(PIETER.email)
    journey.see("home-draft")
    journey.page.locator(f"main a[href$='/applications/{application_id}']").first.click()
    expect(journey.heading()).to_have_text(re.compile(re.escape(journey.words("Aanvraag %(reference)s", reference=""))))
    journey.see("task-list-halfway")


def continue_where_left(journey: Journey, slug: str) -> None:
    step = journey.regime.step(slug)
    assert step is not None
    open_step(journey, step)


def check_answers(journey: Journey, answers: dict[str, dict[str, Any]]) -> None:
    page, words = journey.page, journey.words
    expect(journey.heading()).to_have_text(words("Controleer uw antwoorden"))
    budget = answers.get("budget")
    if budget is not None:
        step = journey.regime.step("budget")
        assert step is not None
        for field in step.fields:
            row = page.get_by_role("term").filter(has_text=re.compile(f"^{re.escape(words.text(field.label))}$"))
            expect(row.locator("xpath=following-sibling::dd[1]")).to_have_text(journey.money(BUDGET[field.name][1]))
    for step in journey.regime.steps:
        for field in step.fields:
            if answers.get(step.slug, {}).get(field.name) is PDF:
                expect(page.get_by_text(upload_name(field), exact=True).first).to_be_visible()
    journey.see("check-answers")


def mark_ready(journey: Journey) -> None:
    journey.button("Klaar voor ondertekening").click()
    expect(journey.flash()).to_contain_text(
        journey.words(
            "De aanvraag is klaar voor ondertekening. De ondertekenaars van uw organisatie zien ze bovenaan hun overzicht."
        )
    )
    marked = journey.words(
        "Klaar voor ondertekening, gemarkeerd door %(name)s op %(date)s.", name=PIETER.name, date="@"
    )
    expect(journey.page.get_by_text(marked.split("@")[0])).to_be_visible()
    journey.see("ready-for-signature")


# -- 3. submit as the signatory; the receipt --------------------------------------------------------


def submit_as_signatory(journey: Journey, application_id: uuid.UUID) -> str:
    page, words = journey.page, journey.words
    journey.log_in(SARA.email)
    journey.see("home-signatory")
    page.goto(f"/applications/{application_id}/check")
    journey.see("check-signatory")
    page.get_by_role("checkbox", name=words(DECLARATION), exact=True).check()
    page.get_by_role("button", name=journey.label("submit"), exact=True).click()
    expect(journey.heading()).to_have_text(words("Uw aanvraag is ingediend"))
    reference = page.locator(".reference").inner_text().strip()
    journey.see("submitted")
    return reference


def uploaded_files(journey: Journey, answers: dict[str, dict[str, Any]]) -> list[Path]:
    return [
        journey.folder / upload_name(field)
        for step in journey.regime.steps
        for field in step.fields
        if answers.get(step.slug, {}).get(field.name) is PDF
    ]


def download_letter(journey: Journey, kind: str) -> str:
    """The letter of `kind` from the letters list, as text."""
    page = journey.page
    page.reload()
    item = page.get_by_role("listitem").filter(has_text=journey.letter_title(kind))
    with page.expect_download() as download_info:
        item.get_by_role("link", name=journey.words("PDF downloaden"), exact=True).click()
    download = download_info.value
    assert download.failure() is None
    target = journey.folder / download.suggested_filename
    download.save_as(target)
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(target.read_bytes())).pages)


def receive_receipt(journey: Journey, application_id: uuid.UUID, answers: dict[str, dict[str, Any]]) -> None:
    wait_for_letter(journey.app, application_id, "receipt", journey.worker)
    text = download_letter(journey, "receipt")
    flat = "".join(text.split())
    for path in uploaded_files(journey, answers):
        assert path.name in text, f"the receipt does not list {path.name}"
        assert hashlib.sha256(path.read_bytes()).hexdigest() in flat, f"the receipt lacks the SHA-256 of {path.name}"
    journey.see("submitted-receipt-ready")


# -- 4. additions, item by item ---------------------------------------------------------------------


def additions_field(regime: Regime) -> tuple[Step, Field]:
    """The question the reviewer asks to complete: the first long text of the application."""
    for step in regime.steps:
        for field in step.fields:
            if field.kind == FieldKind.TEXTAREA and field.name in REGIME_ANSWERS[regime.code].get(step.slug, {}):
                return step, field
    raise AssertionError(f"{regime.code} asks no long text")


def request_additions(journey: Journey, reference: str, reviewer: Any) -> None:
    page, words = journey.page, journey.words
    step, field = additions_field(journey.regime)
    journey.log_in(reviewer.email)
    journey.see("queue")
    journey.open_case(reference)
    journey.see("case-submitted")
    journey.act("start_admissibility")
    page.get_by_role("link", name=journey.label("request_additions") + "…", exact=True).click()
    form = page.locator("#action-request_additions")  # a page of its own
    journey.motivation("request_additions").fill(ADDITIONS_QUESTION)
    form.locator("details.additions-fields").filter(has_text=words.text(step.title)).locator("summary").click()
    form.get_by_role("checkbox", name=words.text(field.label), exact=True).check()
    form.locator(f'textarea[name="message-{field.name}"]').fill(ADDITIONS_ITEM)  # what is wrong, per item
    journey.see("case-request-additions")
    journey.act("request_additions")
    journey.log_out()


def answer_additions(journey: Journey, application_id: uuid.UUID) -> None:
    page, words = journey.page, journey.words
    step, field = additions_field(journey.regime)
    journey.log_in(SARA.email)
    page.goto(f"/applications/{application_id}")
    expect(page.get_by_text(ADDITIONS_QUESTION)).to_be_visible()
    requested = page.locator(".asked-items")
    expect(requested.locator("tbody tr")).to_have_count(1)
    expect(requested.get_by_text(ADDITIONS_ITEM)).to_be_visible()
    journey.see("overview-additions-requested")
    requested.get_by_role("link", name=words.text(step.title), exact=True).click()
    expect(journey.heading()).to_have_text(words.text(step.title))
    expect(page.get_by_text(ADDITIONS_ITEM)).to_be_visible()  # above the question it concerns
    journey.see("step-additions")
    journey.answering.answer(field, ADDITIONS_ANSWER)
    save(journey)
    page.goto(f"/applications/{application_id}/check")
    expect(page.get_by_text(ADDITIONS_ANSWER)).to_be_visible()
    journey.see("check-additions")
    page.get_by_role("button", name=journey.label("submit_additions"), exact=True).click()
    expect(journey.flash()).to_have_text(
        words("Uw aanvulling is ingediend. De administratie behandelt uw aanvraag verder.")
    )
    journey.see("overview-additions-handed-in")
    journey.log_out()


# -- 5. the decision, a hearing where the regime's journey has one, the objection ---------------------


def assess(journey: Journey, *, failed: str | None) -> None:
    page, words = journey.page, journey.words
    journey.open_tab("Beoordeling")
    section = page.get_by_role("region", name=words("Beoordeling van de voorwaarden"))
    for condition in journey.regime.conditions:
        row = section.locator("div.condition").filter(
            has=page.get_by_role("heading", name=words.text(condition.title), exact=True)
        )
        if condition.code == failed:
            row.get_by_role("radio", name=words("Niet vervuld"), exact=True).check()
            row.get_by_role("textbox", name=words("Reden (komt in de brief)"), exact=True).fill(REFUSAL_REASON)
        else:
            row.get_by_role("radio", name=words("Vervuld"), exact=True).check()
            if met_needs_reason(journey.regime, condition):
                row.get_by_role("textbox", name=words("Reden (komt in de brief)"), exact=True).fill(MET_REASON)
    section.get_by_role("button", name=words("Beoordeling bewaren"), exact=True).click()
    expect(journey.flash()).to_contain_text(
        words("Beoordeling bewaard (%(count)s voorwaarde(n) gewijzigd).", count=len(journey.regime.conditions))
    )


def review(journey: Journey, reference: str, reviewer: Any, refuse: bool) -> None:
    page = journey.page
    journey.log_in(reviewer.email)
    journey.open_case(reference)
    journey.open_tab("Aanvraag en bijlagen")
    expect(page.get_by_text(ADDITIONS_ANSWER).first).to_be_visible()
    journey.see("case-additions-handed-in")
    journey.open_tab("Overzicht")
    journey.act("accept_for_review")
    assess(journey, failed=FAILED_CONDITION if refuse else None)
    journey.see("case-assessed")
    if refuse:
        journey.motivation("announce_refusal").fill(INTENDED_REFUSAL)
        journey.act("announce_refusal")
    else:
        journey.motivation("propose_grant").fill(MOTIVATION_GRANT)
        journey.act("propose_grant")
    journey.see("case-proposed" if not refuse else "case-hearing")
    journey.log_out()


def respond_to_intended_refusal(journey: Journey, application_id: uuid.UUID, reviewer: Any, reference: str) -> None:
    page, words = journey.page, journey.words
    journey.log_in(SARA.email)
    page.goto(f"/applications/{application_id}")
    expect(page.get_by_text(INTENDED_REFUSAL, exact=True)).to_be_visible()
    wait_for_letter(journey.app, application_id, "intended_refusal", journey.worker)
    assert INTENDED_REFUSAL in " ".join(download_letter(journey, "intended_refusal").split())
    journey.see("overview-hearing")
    action = journey.label("respond_to_hearing")
    page.get_by_role("textbox", name=words("Uw reactie bij „%(action)s”", action=action), exact=True).fill(
        HEARING_RESPONSE
    )
    attachment = journey.folder / "werknemersoverleg.pdf"
    attachment.write_bytes(minimal_pdf("Plan werknemersoverleg"))
    page.get_by_label(words("Bijlagen (PDF, niet verplicht)"), exact=True).first.set_input_files(attachment)
    page.get_by_role("button", name=action, exact=True).click()
    expect(journey.flash()).to_have_text(words("Uitgevoerd: %(action)s.", action=action))
    journey.see("overview-responded")
    journey.log_out()

    journey.log_in(reviewer.email)
    journey.open_case(reference)
    expect(page.get_by_text(HEARING_RESPONSE, exact=True).first).to_be_visible()
    journey.motivation("propose_refusal").fill(REFUSAL_MOTIVATION)
    name = words("Antwoord op de reactie van de aanvrager bij „%(action)s”", action=journey.label("propose_refusal"))
    page.get_by_role("textbox", name=name, exact=True).fill(HEARING_ANSWER)
    journey.see("case-heard")
    journey.act("propose_refusal")
    journey.log_out()


def decide(journey: Journey, reference: str, decision_maker: Any, refuse: bool) -> None:
    journey.log_in(decision_maker.email)
    journey.open_case(reference)
    journey.see("case-decision-maker")
    journey.confirm("confirm_refusal" if refuse else "confirm_grant", "confirm-decision")
    journey.log_out()


def allow_objection(app: Flask, application_id: uuid.UUID) -> None:
    """Give the application a regime with an administrative objection. No regime has one today (the decree
    names none: `objection_enabled` is ldapply's assumption, false); the parameters pinned at submission are
    what a regime version with an objection would pin."""
    from ldapply.extensions import db
    from ldapply.models import Application

    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application is not None
        assert application.parameters is not None
        application.parameters = {**application.parameters, "objection_enabled": True}
        db.session.commit()


def receive_decision(journey: Journey, application_id: uuid.UUID, refuse: bool) -> None:
    page = journey.page
    kind = "decision_refused" if refuse else "decision_granted"
    journey.log_in(SARA.email)
    page.goto(f"/applications/{application_id}")
    expect(page.locator("dl.summary .tag").first).to_have_text(journey.public_label("refused" if refuse else "granted"))
    wait_for_letter(journey.app, application_id, kind, journey.worker)
    text = " ".join(download_letter(journey, kind).split())
    assert ORGANISATION in text
    assert (REFUSAL_MOTIVATION if refuse else MOTIVATION_GRANT) in text
    assert "Raad van State" in text  # the letter says how to appeal
    journey.see("overview-decision")


def objection_case(app: Flask, application_id: uuid.UUID) -> tuple[str, str]:
    """(the reference of the decided application, that of the objection's own case against it)."""
    from ldapply.extensions import db
    from ldapply.models import Application

    with app.app_context():
        contested = db.session.get_one(Application, application_id)
        case = db.session.scalars(db.select(Application).where(Application.objection_of_id == application_id)).one()
        return contested.reference, case.reference


def lodge_objection(journey: Journey, application_id: uuid.UUID) -> None:
    """Sara lodges the objection; it becomes a case of its own, shown where she lands, linked both ways."""
    page, words = journey.page, journey.words
    action = journey.label("lodge_objection")
    button = page.get_by_role("button", name=action, exact=True)
    form = page.locator("form.action-form").filter(has=button)
    form.get_by_role("textbox", name=words("Uw toelichting bij „%(action)s”", action=action), exact=True).fill(
        OBJECTION
    )
    attachment = journey.folder / "bezwaar-bijlage.pdf"
    attachment.write_bytes(minimal_pdf("Verslag van het werknemersoverleg"))
    form.get_by_label(words("Bijlagen (PDF, niet verplicht)"), exact=True).set_input_files(attachment)
    button.click()
    contested, reference = objection_case(journey.app, application_id)
    expect(journey.flash()).to_have_text(
        [
            words("Uitgevoerd: %(action)s.", action=action),
            words("Uw bezwaar wordt behandeld als een dossier van zichzelf: %(reference)s.", reference=reference),
        ]
    )
    expect(journey.heading()).to_contain_text(reference)
    expect(page.locator("dl.summary .tag").first).to_have_text(journey.public_label("objection_lodged"))
    expect(page.get_by_text(OBJECTION).first).to_be_visible()
    expect(page.get_by_role("link", name=attachment.name, exact=True)).to_be_visible()
    journey.see("overview-objection-lodged")
    # The decided application stays as it was, and names its objection.
    page.get_by_role("link", name=words("de beslissing in dossier %(reference)s", reference=contested)).click()
    expect(journey.heading()).to_contain_text(contested)
    expect(page.locator("dl.summary .tag").first).to_have_text(journey.public_label("refused"))
    expect(page.get_by_role("link", name=reference, exact=True).first).to_be_visible()
    expect(page.get_by_role("button", name=action, exact=True)).to_have_count(0)
    journey.see("overview-objection-contested")


def no_objection_offered(journey: Journey) -> None:
    expect(journey.page.get_by_role("button", name=journey.label("lodge_objection"), exact=True)).to_have_count(0)


# -- the test ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", REGIMES)
def test_the_applicants_journey_from_sign_up_to_objection(
    app, people, inbox, mailing_worker, page, tmp_path, lang, code, check_accessibility: Checker
):
    inbox.messages.clear()  # the server lives for the module; each journey reads only its own mail
    regime = get_regime(code)
    journey = Journey(app, page, Words(app, lang), regime, check_accessibility, tmp_path, inbox, mailing_worker)
    answers = journey_answers(regime)
    refuse = code == REFUSED_AFTER_HEARING

    # 1. Sara: sign-up, confirmation, the organisation, an invitation.
    sign_up(journey, SARA)
    confirm_by_mail(journey, SARA)
    register_organisation(journey)
    invite(journey, PIETER)
    journey.log_out()

    # 2. Pieter: the invitation, the pre-check, the steps (leaving halfway), ready for signature.
    accept_invitation(journey, PIETER)
    application_id = precheck_and_start(journey)
    fix_a_wrong_enterprise_number(journey, answers["organisation"])
    slugs = [step.slug for step in regime.steps if step.slug in answers][1:]
    half = len(slugs) // 2
    fill_steps(journey, answers, slugs[:half])
    journey.log_out()
    resume(journey, application_id)
    continue_where_left(journey, slugs[half])
    fill_steps(journey, answers, slugs[half:])
    check_answers(journey, answers)
    mark_ready(journey)
    journey.log_out()

    # 3. Sara signs and submits; the receipt.
    reference = submit_as_signatory(journey, application_id)
    receive_receipt(journey, application_id, answers)
    journey.log_out()

    # 4. Additions, asked by the reviewer for one question and handed in.
    request_additions(journey, reference, people.reviewer)
    answer_additions(journey, application_id)

    # 5. Review, the hearing (one regime), the decision, the letter, the objection.
    review(journey, reference, people.reviewer, refuse)
    if refuse:
        respond_to_intended_refusal(journey, application_id, people.reviewer, reference)
    objecting = code == OBJECTING
    if objecting:
        allow_objection(app, application_id)
    decide(journey, reference, people.decision_maker, refuse)
    receive_decision(journey, application_id, refuse)
    if objecting:
        lodge_objection(journey, application_id)
    else:
        no_objection_offered(journey)
