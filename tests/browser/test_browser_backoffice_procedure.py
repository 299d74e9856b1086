"""The back office's whole procedure in a real Chromium, once per regime: what issue 8 is done by.

The application is submitted through the Flask test client (`tests.support.submitted_application`, as the
other back-office walks do): the applicant's own journeys walk the submission in the browser already, so
this walk starts where the back office does. Its pinned parameters are given an administrative objection
(`allow_objection`): no regime has one today. Then, each person in a browser context of their own, signed
in once:

1. The reviewer opens the case from the queue, declares no conflict of interest, starts the admissibility
   check and asks additional information item by item, each with what is wrong, by a date they choose: a
   long text, and an upload (caretakers: a whole step, see `procedure_walk.asked_items`). The admissibility
   period stands still.
2. Three days pass (the case's history moves three days back, its clocks counted again by the clock service);
   the applicant reads the items, answers each on its step and hands the additions in. The reviewer sees
   both items answered and the period running again, due the three days it stood still later than its
   start and length alone give; they declare the application admissible.
3. The reviewer asks an advisory body for advice; the body's advisor signs in with their own account,
   declares no conflict and records the advice. The reviewer judges every condition met and proposes the
   grant with a motivation; the decision maker, another person (four eyes), reads the advice on the case
   and in the letter the decision issues, and confirms. The Celery worker process renders the letter; the
   applicant opens the decision letter (PDF).
4. The applicant lodges an objection: it becomes a case of its own, <reference>-B1, which the reviewer
   finds in the queue, linked to the decided application, which is still granted.

Pages not checked elsewhere pass axe-core; each milestone leaves a screenshot under
tests/output/<backend>/screenshots/<test>/.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect

from ldapply.clock import local_date, utcnow
from ldapply.workflows import get_regime
from ldapply.workflows._spec import Regime
from tests.browser.a11y import Checker
from tests.browser.declaring import declare_if_asked
from tests.browser.procedure_walk import (
    Asked,
    Desks,
    act,
    asked_items,
    days_pass,
    download_pdf,
    dutch_day,
    flash,
    label_of,
    milestone,
    motivation_box,
    open_asking,
    open_tab,
    state_tag,
    wait_for_letter,
)
from tests.browser.signing_in import reference_of
from tests.support import MET_REASON, PASSWORD, met_needs_reason, minimal_pdf, submitted_application

pytestmark = pytest.mark.browser

REGIMES = ("general", "caretakers", "childcare")
AXE_REGIME = "general"
STILL_DAYS = 3  # how long the applicant takes to answer the request for additions
ANSWER_DAYS = 14  # the date the reviewer gives the applicant to answer by, from today
ADDITIONS_QUESTION = "Vul de aanvraag aan zoals hieronder per onderdeel gevraagd."
SIGNED_UPLOAD = "ondertekend-stuk.pdf"
ADVICE_QUESTION = "Beantwoordt deze dienst een lokale behoefte die het bestaande aanbod aanvult?"
ADVICE = "Het adviesorgaan adviseert gunstig: de dienst vult het lokale aanbod aan en de behoefte is aangetoond."
ADVICE_ANSWER = "De administratie volgt het advies: de cijfers van de aanvulling tonen de lokale behoefte aan."
MOTIVATION = "De aanvraag voldoet aan elke voorwaarde en het advies is gunstig; de erkenning wordt toegekend."
OBJECTION = "Wij vragen de erkenning voor meer doelgroepwerknemers dan de beslissing vermeldt; zie het personeelsplan."
FORUM_ADVISOR = ("fien@forum.be", "Fien")  # an advisor of the Forum, which advises under every regime


@dataclass(frozen=True)
class Account:
    email: str
    name: str


@dataclass(frozen=True)
class Advisory:
    body: str
    advisor: Any  # a person of the people fixture, or an Account


@dataclass
class Walk:
    """One case walked through the back office: the regime, its reference, everyone's browser."""

    app: Flask
    people: Any
    regime: Regime
    application_id: uuid.UUID
    reference: str
    desks: Desks
    check: Checker
    folder: Path
    with_axe: bool  # the pages differ little between regimes: axe-core runs on them in one of them

    def see(self, page: Page, name: str, part: Locator) -> None:
        """A page no other browser test checks: axe-core and 375 px (in one regime), else a screenshot of `part`."""
        if self.with_axe:
            self.check(page, name)
        else:
            milestone(self.check, page, name, part)

    @property
    def reviewer(self) -> Page:
        return self.desks.of(self.people.reviewer)

    @property
    def applicant(self) -> Page:
        return self.desks.of(self.people.applicant)

    def case_heading(self, page: Page, reference: str | None = None) -> Any:
        return page.get_by_role("heading", level=1, name=f"Dossier {reference or self.reference}", exact=True)

    def open_from_queue(self, page: Page, reference: str | None = None) -> None:
        page.goto("/backoffice/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Werkvoorraad")
        page.get_by_role("link", name=reference or self.reference, exact=True).click()
        declare_if_asked(page, self.case_heading(page, reference))


# -- the data the walk starts from ---------------------------------------------------------------------


def allow_objection(app: Flask, application_id: uuid.UUID) -> None:
    """Give the application an administrative objection. No regime has one today (`objection_enabled` is
    ldapply's assumption, false); the parameters pinned at submission are what a regime version with an
    objection would pin, as in the applicant journeys."""
    from ldapply.extensions import db
    from ldapply.models import Application

    with app.app_context():
        application = db.session.get_one(Application, application_id)
        application.parameters = {**(application.parameters or {}), "objection_enabled": True}
        db.session.commit()


def advisory_for(app: Flask, people: Any, code: str) -> Advisory:
    """Who advises: Kind en Gezin's advisor on childcare; elsewhere an advisor account of the Forum, which
    advises under every regime (the people fixture gives it none)."""
    if code == "childcare":
        return Advisory("Kind en Gezin", people.advisor)
    from ldapply.extensions import db
    from ldapply.models import AdvisoryBody
    from ldapply.services import accounts
    from ldapply.workflows._spec import Role

    with app.app_context():
        forum = db.session.get_one(AdvisoryBody, people.forum_body_id)
        email, name = FORUM_ADVISOR
        user = accounts.create_user(
            email=email, name=name, password=PASSWORD, roles=(Role.ADVISOR,), advisory_body=forum
        )
        db.session.commit()
        return Advisory(forum.name, Account(user.email, user.name))


# -- 1. admissibility, with a request for additions item by item ---------------------------------------


def tick(page: Page, form: Locator, item: Asked) -> None:
    """Tick the item: a whole step in the list, a question in its step's list of questions."""
    title = item.step.title.nl
    if item.field is None:
        form.get_by_role("checkbox", name=f"{title} (de hele stap)", exact=True).check()
        return
    fields = form.locator("details.additions-fields").filter(
        has=page.get_by_text(f"Alleen enkele vragen van „{title}”", exact=True)
    )
    fields.locator("summary").click()
    fields.get_by_role("checkbox", name=item.field.label.nl, exact=True).check()


def request_additions(walk: Walk, items: tuple[Asked, ...]) -> None:
    page, regime = walk.reviewer, walk.regime
    today = local_date(utcnow())
    walk.open_from_queue(page)
    act(page, regime, "start_admissibility")
    clock = page.locator("#clock")
    length = regime.parameter("admissibility_check_days").value
    expect(clock).to_contain_text(f"Uiterlijk {dutch_day(today + timedelta(days=length))}")
    form = open_asking(page, regime, "request_additions")
    for item in items:
        tick(page, form, item)
        form.get_by_role("textbox", name=f"Wat ontbreekt of klopt niet bij „{item.name}”?").fill(item.message)
    motivation_box(page, regime, "request_additions").fill(ADDITIONS_QUESTION)
    form.get_by_label("Te beantwoorden uiterlijk op").fill((today + timedelta(days=ANSWER_DAYS)).isoformat())
    milestone(walk.check, page, "reviewer-asks-items", form)
    act(page, regime, "request_additions")
    panel = page.get_by_role("region", name="Aanvragen om informatie")
    for item in items:
        expect(panel.get_by_role("row").filter(has_text=item.message)).to_contain_text("Open")
    expect(clock).to_contain_text("Staat stil")


def answer_item(walk: Walk, item: Asked) -> None:
    """From the overview's list of items: the step it concerns, the item said there, the new answer saved."""
    page = walk.applicant
    page.goto(f"/applications/{walk.application_id}")
    page.locator(".asked-items").get_by_role("row").filter(has_text=item.message).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(item.step.title.nl)
    expect(page.get_by_text(item.message).first).to_be_visible()  # at the top, or above the question asked
    if item.answer is None:
        upload = walk.folder / SIGNED_UPLOAD
        upload.write_bytes(minimal_pdf("Ondertekend"))
        page.get_by_label(item.changes.label.nl, exact=True).set_input_files(upload)
    else:
        page.get_by_role("textbox", name=item.changes.label.nl, exact=True).fill(item.answer)
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text(item.step.title.nl)


def answer_additions(walk: Walk, items: tuple[Asked, ...]) -> None:
    page, regime = walk.applicant, walk.regime
    overview = f"/applications/{walk.application_id}"
    page.goto(overview)
    expect(page.get_by_text(ADDITIONS_QUESTION)).to_be_visible()
    asked = page.locator(".asked-items")
    expect(asked.locator("tbody tr")).to_have_count(len(items))
    for item in items:
        expect(asked.get_by_role("row").filter(has_text=item.message)).to_contain_text("Nog niet gewijzigd")
    milestone(walk.check, page, "applicant-reads-items")
    for item in items:
        answer_item(walk, item)
    page.goto(f"{overview}/check")
    for item in items:
        expect(page.get_by_text(item.answer or SIGNED_UPLOAD).first).to_be_visible()
    page.get_by_role("button", name=label_of(regime, "submit_additions"), exact=True).click()
    expect(flash(page)).to_have_text("Uw aanvulling is ingediend. De administratie behandelt uw aanvraag verder.")
    milestone(walk.check, page, "applicant-handed-in")


def see_answers_and_declare_admissible(walk: Walk, items: tuple[Asked, ...]) -> None:
    page, regime = walk.reviewer, walk.regime
    today = local_date(utcnow())
    started = today - timedelta(days=STILL_DAYS)
    length = regime.parameter("admissibility_check_days").value
    walk.open_from_queue(page)
    panel = page.get_by_role("region", name="Aanvragen om informatie")
    for item in items:
        row = panel.get_by_role("row").filter(has_text=item.message)
        expect(row).to_contain_text("Beantwoord")
        expect(row).to_contain_text("gewijzigd")
    open_tab(page, "Aanvraag en bijlagen")
    for item in items:
        if item.answer is not None:
            expect(page.get_by_text(item.answer).first).to_be_visible()
    open_tab(page, "Overzicht")
    # The period ran from the submission, stood still from the request until the answer, and runs again
    # with the days it had left: it is due the days it stood still later than its start and length give.
    clock = page.locator("#clock")
    expect(clock).not_to_contain_text("Staat stil")
    expect(clock).to_contain_text(f"van {dutch_day(started)} tot {dutch_day(today)}")
    expect(clock).to_contain_text(f"samen {STILL_DAYS} kalenderdagen")
    expect(clock.locator("p").first).to_have_text(
        f"Uiterlijk {dutch_day(started + timedelta(days=length + STILL_DAYS))}"
    )
    walk.see(page, "case-additions-answered-clock-resumed", clock)
    act(page, regime, "accept_for_review")
    expect(state_tag(page)).to_have_text(regime.state("substantive_review").label.nl)


# -- 2. advice, the conditions, the proposal; the decision under four eyes and its letter -----------------


def ask_advice(walk: Walk, advisory: Advisory) -> None:
    page = walk.reviewer
    page.get_by_role("region", name="Advies").get_by_role("link", name="Advies vragen…").click()
    page.get_by_label("Adviesorgaan", exact=True).select_option(label=advisory.body)
    page.get_by_label("Vraag aan het adviesorgaan").fill(ADVICE_QUESTION)
    expect(page.get_by_label("Advies gevraagd tegen")).not_to_have_value("")
    page.get_by_role("button", name="Advies vragen", exact=True).click()
    expect(flash(page)).to_contain_text("Advies gevraagd")
    expect(page.get_by_role("region", name="Advies")).to_contain_text("Nog niet gegeven")


def give_advice(walk: Walk, advisory: Advisory) -> None:
    page = walk.desks.of(advisory.advisor)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Adviesvragen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adviesvragen")
    page.get_by_role("link", name=walk.reference, exact=True).click()
    page.get_by_label("Ik verklaar dat ik geen belangenconflict heb met deze organisatie").check()
    page.get_by_role("button", name="Verklaren en het dossier openen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Advies over dossier {walk.reference}")
    expect(page.get_by_text(ADVICE_QUESTION)).to_be_visible()
    page.get_by_role("textbox", name="Advies", exact=True).fill(ADVICE)
    page.get_by_role("button", name="Advies registreren", exact=True).click()
    expect(flash(page)).to_have_text("Advies geregistreerd.")
    milestone(walk.check, page, "advisor-advised")


def assess_and_propose(walk: Walk) -> None:
    page, regime = walk.reviewer, walk.regime
    page.reload()
    expect(page.get_by_role("region", name="Advies")).to_contain_text(ADVICE)
    open_tab(page, "Beoordeling")
    section = page.get_by_role("region", name="Beoordeling van de voorwaarden")
    for condition in regime.conditions:
        row = section.locator("div.condition").filter(
            has=page.get_by_role("heading", name=condition.title.nl, exact=True)
        )
        row.get_by_role("radio", name="Vervuld", exact=True).check()
        if met_needs_reason(regime, condition):
            row.get_by_role("textbox", name="Reden (komt in de brief)", exact=True).fill(MET_REASON)
    section.get_by_role("button", name="Beoordeling bewaren").click()
    expect(flash(page)).to_have_text(f"Beoordeling bewaard ({len(regime.conditions)} voorwaarde(n) gewijzigd).")
    motivation_box(page, regime, "propose_grant").fill(MOTIVATION)
    answer = f"Antwoord op het advies bij „{label_of(regime, 'propose_grant')}”"
    page.get_by_role("textbox", name=answer, exact=True).fill(ADVICE_ANSWER)  # the letter answers the advice
    act(page, regime, "propose_grant")
    proposal = page.get_by_role("region", name="Voorstel van beslissing")
    expect(proposal).to_contain_text(MOTIVATION)
    expect(proposal).to_contain_text(ADVICE_ANSWER)
    # Four eyes: the one who proposed is not offered the decision.
    decision = label_of(regime, "confirm_grant")
    expect(page.get_by_role("link", name=f"{decision}…", exact=True)).to_have_count(0)
    milestone(walk.check, page, "reviewer-proposed", proposal)


def decide(walk: Walk, advisory: Advisory) -> None:
    page, regime = walk.desks.of(walk.people.decision_maker), walk.regime
    walk.open_from_queue(page)
    advice = page.get_by_role("region", name="Advies")
    expect(advice).to_contain_text(f"Advies van {advisory.body}")
    expect(advice).to_contain_text(ADVICE)
    expect(advice).to_contain_text(advisory.advisor.name)
    walk.see(page, "decision-maker-reads-the-advice", advice)
    decision = label_of(regime, "confirm_grant")
    page.get_by_role("link", name=f"{decision}…", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{decision}: bevestigen")
    letter = page.frame_locator("iframe[name=letter-preview]").locator("body")
    for expected in (ADVICE, ADVICE_ANSWER, MOTIVATION):
        expect(letter).to_contain_text(expected)
    milestone(walk.check, page, "decision-maker-confirms")
    page.get_by_role("button", name=f"Bevestigen: {decision}", exact=True).click()
    expect(flash(page)).to_have_text(f"Uitgevoerd: {decision}.")
    expect(state_tag(page)).to_have_text(regime.state("granted").label.nl)


def open_decision_letter(walk: Walk, worker: Any) -> None:
    page, regime = walk.applicant, walk.regime
    wait_for_letter(walk.app, walk.application_id, "decision_granted", worker)
    page.goto(f"/applications/{walk.application_id}")
    expect(state_tag(page)).to_have_text(regime.state("granted").public_label.nl)
    item = page.get_by_role("listitem").filter(has_text=regime.letter("decision_granted").title.nl)
    name, text = download_pdf(page, item.get_by_role("link", name="PDF downloaden", exact=True), walk.folder)
    assert name == f"{walk.reference}-beslissing-erkenning.pdf"
    for expected in (MOTIVATION, ADVICE, ADVICE_ANSWER, "Raad van State"):
        assert expected in text, expected
    milestone(walk.check, page, "applicant-decision-letter")


# -- 3. the objection, a case of its own ------------------------------------------------------------------


def lodge_objection(walk: Walk) -> str:
    page, regime = walk.applicant, walk.regime
    action = label_of(regime, "lodge_objection")
    button = page.get_by_role("button", name=action, exact=True)
    form = page.locator("form.action-form").filter(has=button)
    form.get_by_role("textbox", name=f"Uw toelichting bij „{action}”", exact=True).fill(OBJECTION)
    button.click()
    objection = f"{walk.reference}-B1"
    expect(flash(page).first).to_have_text(f"Uitgevoerd: {action}.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(objection)
    expect(state_tag(page)).to_have_text(regime.state("objection_lodged").public_label.nl)
    milestone(walk.check, page, "applicant-objection-lodged")
    return objection


def find_the_objection_case(walk: Walk, objection: str) -> None:
    page, regime = walk.reviewer, walk.regime
    walk.open_from_queue(page, objection)
    expect(state_tag(page)).to_have_text(regime.state("objection_lodged").label.nl)
    linked = page.get_by_role("region", name="Gekoppelde dossiers")
    expect(linked).to_contain_text(f"Bezwaar tegen dossier {walk.reference}")
    expect(page.get_by_text(OBJECTION).first).to_be_visible()
    milestone(walk.check, page, "reviewer-objection-case", linked)
    linked.get_by_role("link", name=walk.reference, exact=True).click()
    declare_if_asked(page, walk.case_heading(page))
    expect(state_tag(page)).to_have_text(regime.state("granted").label.nl)
    row = page.get_by_role("region", name="Gekoppelde dossiers").get_by_role("row", name=re.compile(objection))
    expect(row).to_contain_text(regime.state("objection_lodged").label.nl)
    milestone(walk.check, page, "reviewer-granted-case-with-its-objection", row)


# -- the test -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", REGIMES)
def test_a_case_through_the_back_office_to_its_objection(
    app, client, people, browser, live_server, worker, tmp_path, code, check_accessibility: Checker
):
    regime = get_regime(code)
    application_id = submitted_application(client, people, regime=code)
    allow_objection(app, application_id)
    advisory = advisory_for(app, people, code)
    desks = Desks(browser, live_server)
    walk = Walk(
        app,
        people,
        regime,
        application_id,
        reference_of(app, application_id),
        desks,
        check_accessibility,
        tmp_path,
        with_axe=code == AXE_REGIME,
    )
    items = asked_items(regime)
    try:
        request_additions(walk, items)
        days_pass(app, application_id, STILL_DAYS)
        answer_additions(walk, items)
        see_answers_and_declare_admissible(walk, items)

        ask_advice(walk, advisory)
        give_advice(walk, advisory)
        assess_and_propose(walk)
        decide(walk, advisory)
        open_decision_letter(walk, worker)

        objection = lodge_objection(walk)
        find_the_objection_case(walk, objection)
    finally:
        desks.close()
