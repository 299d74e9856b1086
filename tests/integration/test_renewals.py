"""Renewing an active recognition: within the window before its last day a member of the organisation starts a
renewal, an application of its own linked to the recognised one (-V1), its answers prefilled (the documents not),
outside any call; one at a time; the normal procedure decides it. Granted, the new term starts the day after the
current one ends, and the current one keeps its term; refused, the current one ends at its term and another
renewal may be started. The decision letters say it is a renewal and that the rule is the administration's own;
the reminder links to the renewal; staff see the link both ways; another organisation sees nothing."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from ldapply.clock import add_years, local_date, utcnow
from ldapply.extensions import db
from ldapply.models import Application, AuditEntry, DecisionProposal, LegalReliance, Mail
from ldapply.services import recognitions
from ldapply.workflows import get_regime
from ldapply.workflows._spec import FieldKind
from tests.integration.test_lawful_procedure import (
    Desk,
    granted_and_active,
    heard,
    letter_of,
    ok,
    propose,
    rendered_text,
)
from tests.support import act, fill_steps, login, post, submit, to_review

WINDOW = 180  # renewal_window_days, the administration's own rule


@pytest.fixture
def desk(app: Flask, people: Any) -> Desk:
    return Desk(app, people)


@pytest.fixture
def active(app: Flask, desk: Desk) -> uuid.UUID:
    """A general-regime recognition (a regime with calls), granted and active, 30 days before its last day."""
    application_id = granted_and_active(desk, "general")
    ends_in(app, application_id, 30)
    return application_id


def ends_in(app: Flask, application_id: uuid.UUID, days: int) -> date:
    """As if the recognition was granted long ago: its last day is `days` from today (its decision 5 years before)."""
    with app.app_context():
        ends = local_date(utcnow()) + timedelta(days=days)
        decided = datetime.combine(add_years(ends + timedelta(days=1), -5), time(12), tzinfo=UTC)
        db.session.execute(
            update(DecisionProposal).where(DecisionProposal.application_id == application_id).values(settled_at=decided)
        )
        db.session.execute(update(Application).where(Application.id == application_id).values(recognition_ends_on=ends))
        db.session.commit()
        return ends


def loaded(app: Flask, application_id: uuid.UUID) -> Application:
    with app.app_context():
        application = db.session.get_one(Application, application_id)
        db.session.expunge(application)
        return application


def renewals_of(app: Flask, application_id: uuid.UUID) -> list[Application]:
    with app.app_context():
        found = list(
            db.session.scalars(
                select(Application).where(Application.renewal_of_id == application_id).order_by(Application.created_at)
            )
        )
        db.session.expunge_all()
        return found


def text_of(response: Any) -> str:
    """The page's text, without its tags, on one line."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def start_renewal(client: Any, application_id: uuid.UUID) -> Any:
    return post(client, f"/applications/{application_id}/renewal", {})


def started(desk: Desk, application_id: uuid.UUID) -> uuid.UUID:
    response = ok(start_renewal(desk.applicant, application_id))
    return uuid.UUID(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def submitted_renewal(desk: Desk, application_id: uuid.UUID) -> uuid.UUID:
    renewal_id = started(desk, application_id)
    fill_steps(desk.applicant, renewal_id)  # each step checked and saved again, the documents added anew
    ok(submit(desk.applicant, renewal_id))
    return renewal_id


def test_a_renewal_opens_within_the_window_as_a_linked_call_less_draft_with_the_answers(app: Flask, desk: Desk) -> None:
    application_id = granted_and_active(desk, "general")
    ends = ends_in(app, application_id, WINDOW + 1)  # one day before the window opens
    page = desk.applicant.get(f"/applications/{application_id}/renewal")
    assert page.status_code == 200
    assert "administratie zelf hanteert" in text_of(page)  # the window is the administration's own rule
    refused = start_renewal(desk.applicant, application_id)
    assert refused.status_code == 409
    opens = ends - timedelta(days=WINDOW)
    assert f"vanaf {opens.day} " in text_of(refused)
    assert renewals_of(app, application_id) == []

    ends_in(app, application_id, WINDOW)  # the window's first day
    renewal_id = started(desk, application_id)
    renewal, recognised = loaded(app, renewal_id), loaded(app, application_id)
    assert renewal.reference == f"{recognised.reference}-V1"
    assert (renewal.renewal_of_id, renewal.state, renewal.call_id) == (application_id, "draft", None)
    assert (renewal.regime_code, renewal.organisation_id) == (recognised.regime_code, recognised.organisation_id)
    assert renewal.completed_steps == []  # the applicant checks every step before submitting
    files = {f.name for f in get_regime("general").all_fields() if f.kind is FieldKind.FILE}
    handed_in = recognised.submitted_answers or {}
    assert renewal.answers == {k: v for k, v in handed_in.items() if k not in files}
    assert files & set(handed_in)
    assert not files & set(renewal.answers)
    step = desk.applicant.get(f"/applications/{renewal_id}/steps/organisation")
    assert recognised.submitted_answers["organisation_name"] in text_of(step)  # prefilled on the step page
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "renewal.started")).one()
        assert (entry.application_id, entry.new["renewal_reference"]) == (application_id, renewal.reference)
    overview = text_of(desk.applicant.get(f"/applications/{renewal_id}"))
    assert f"de erkenning in dossier {recognised.reference}" in overview


def test_one_renewal_at_a_time_and_none_after_the_last_day(app: Flask, desk: Desk, active: uuid.UUID) -> None:
    renewal_id = started(desk, active)
    again = start_renewal(desk.applicant, active)
    assert again.status_code == 409
    assert loaded(app, renewal_id).reference in text_of(again)
    assert len(renewals_of(app, active)) == 1
    overview = text_of(desk.applicant.get(f"/applications/{active}"))
    assert loaded(app, renewal_id).reference in overview  # the recognition's page links to its renewal

    with app.app_context():
        db.session.execute(update(Application).where(Application.id == renewal_id).values(state="withdrawn"))
        db.session.commit()
    ends_in(app, active, -1)  # the last day is over (the beat has not expired it yet)
    late = start_renewal(desk.applicant, active)
    assert late.status_code == 409
    assert "verlengen kan niet meer" in text_of(late)
    assert len(renewals_of(app, active)) == 1


def test_a_suspended_recognition_is_not_renewed(app: Flask, desk: Desk, active: uuid.UUID) -> None:
    with app.app_context():
        db.session.execute(update(Application).where(Application.id == active).values(state="suspended"))
        db.session.commit()
    response = start_renewal(desk.applicant, active)
    assert response.status_code == 409
    assert "kan niet verlengd worden" in text_of(response)
    assert renewals_of(app, active) == []


def test_another_organisation_and_staff_cannot_see_or_start_a_renewal(
    app: Flask, desk: Desk, people: Any, active: uuid.UUID
) -> None:
    for person in (people.other_applicant, people.reviewer):
        client = desk(person)
        assert client.get(f"/applications/{active}/renewal").status_code == 404
        assert start_renewal(client, active).status_code == 404
    assert renewals_of(app, active) == []


def test_a_granted_renewal_starts_the_day_after_the_current_term_which_keeps_its_own(
    app: Flask, desk: Desk, active: uuid.UUID
) -> None:
    current_end = loaded(app, active).recognition_ends_on
    assert current_end is not None
    renewal_id = submitted_renewal(desk, active)
    to_review(desk.reviewer, renewal_id)
    reviewer_page = text_of(desk.reviewer.get(f"/backoffice/applications/{renewal_id}"))
    assert f"Verlenging van de erkenning in dossier {loaded(app, active).reference}" in reviewer_page
    original_page = text_of(desk.reviewer.get(f"/backoffice/applications/{active}"))
    assert "Verlengingen van deze erkenning" in original_page
    assert loaded(app, renewal_id).reference in original_page
    propose(desk.reviewer, renewal_id, "propose_grant")
    ok(act(desk.decision_maker, renewal_id, "confirm_grant"))

    starts = current_end + timedelta(days=1)
    assert loaded(app, renewal_id).recognition_ends_on == add_years(starts, 5) - timedelta(days=1)
    recognised = loaded(app, active)
    assert (recognised.state, recognised.recognition_ends_on) == ("active", current_end)

    letter = letter_of(app, renewal_id, "decision_granted")
    assert letter.context["renewal"]["reference"] == recognised.reference
    assert letter.context["decision"]["start_date"] == letter.context["renewal"]["starts_on"]
    printed = rendered_text(app, letter.id)
    assert f"als verlenging van de erkenning verleend in het dossier {recognised.reference}" in printed
    assert "dat deze aanvraag de verlenging vraagt" in printed
    assert "Verlenging van een erkenning door een nieuwe aanvraag" in printed  # among the administration's rules
    assert "binnen een oproep" not in printed  # a renewal is not under a call
    with app.app_context():
        relied = db.session.scalars(select(LegalReliance.name).where(LegalReliance.application_id == renewal_id))
        assert "renewal_window_days" in set(relied)

    again = start_renewal(desk.applicant, active)
    assert again.status_code == 409  # renewed: the next renewal starts from the renewal
    with app.app_context():  # renewed already: no reminder to renew
        assert recognitions.expire_and_remind(current_end - timedelta(days=30)) == 0


def test_a_refused_renewal_leaves_the_current_term_and_another_may_be_started(
    app: Flask, desk: Desk, active: uuid.UUID
) -> None:
    current_end = loaded(app, active).recognition_ends_on
    renewal_id = submitted_renewal(desk, active)
    to_review(desk.reviewer, renewal_id, met=False)
    heard(desk, renewal_id, respond_=False)
    propose(desk.reviewer, renewal_id, "propose_refusal")
    ok(act(desk.decision_maker, renewal_id, "confirm_refusal"))

    assert loaded(app, renewal_id).recognition_ends_on is None
    recognised = loaded(app, active)
    assert (recognised.state, recognised.recognition_ends_on) == ("active", current_end)
    printed = rendered_text(app, letter_of(app, renewal_id, "decision_refused").id)
    assert f"de verlenging van de erkenning in het dossier {recognised.reference}" in printed
    assert "de huidige erkenning blijft gelden tot en met" in printed

    second = started(desk, active)
    assert loaded(app, second).reference == f"{recognised.reference}-V2"


def test_the_reminder_links_to_the_renewal(app: Flask, desk: Desk, people: Any, active: uuid.UUID) -> None:
    ends = loaded(app, active).recognition_ends_on
    assert ends is not None
    with app.app_context():
        assert recognitions.expire_and_remind(ends - timedelta(days=30)) == 1
        mail = db.session.scalars(select(Mail).where(Mail.recipient == people.applicant.email)).all()[-1]
        assert f"/applications/{active}/renewal" in mail.body
        assert "administratie zelf hanteert" in mail.body
    login(desk.applicant, people.applicant)
    assert desk.applicant.get(f"/applications/{active}/renewal").status_code == 200


RACES = 5


def pressed_at_once(browsers: list[Any], path: str) -> list[int]:
    """Each browser has the renewal page open; all press its button at the same moment: the statuses."""
    import threading

    from tests.support_audit import form_token

    tokens = [form_token(browser.get(path)) for browser in browsers]
    barrier = threading.Barrier(len(browsers))
    statuses = [0] * len(browsers)

    def press(index: int) -> None:
        barrier.wait(10)
        statuses[index] = browsers[index].post(path, {"csrf_token": tokens[index]}).status

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def test_two_members_starting_a_renewal_at_once_open_one(
    app: Flask, desk: Desk, people: Any, active: uuid.UUID
) -> None:
    """Two tabs (or two colleagues) press "Verlenging aanvragen" at the same moment, over real HTTP with a thread
    per request: one renewal opens, the other press is refused, every time."""
    from tests.support_audit import Browser, served

    path = f"/applications/{active}/renewal"
    with served(app) as base:
        browsers = [Browser(base), Browser(base)]
        for browser in browsers:
            browser.log_in(people.applicant.email)
        for round_ in range(RACES):
            statuses = pressed_at_once(browsers, path)
            assert sorted(statuses) == [302, 409], statuses
            found = renewals_of(app, active)
            assert len(found) == round_ + 1  # exactly one more renewal per race
            with app.app_context():  # withdrawn: the next race may open one again
                db.session.execute(update(Application).where(Application.id == found[-1].id).values(state="withdrawn"))
                db.session.commit()
    assert [case.reference[-3:] for case in renewals_of(app, active)] == [f"-V{n}" for n in range(1, RACES + 1)]


def test_a_renewal_of_a_recognition_revoked_meanwhile_cannot_be_proposed_or_granted(
    app: Flask, desk: Desk, active: uuid.UUID
) -> None:
    """Revocation stays possible while a renewal is under way (it is a sanction); what it took away cannot then be
    renewed: granting is refused with the reason, and refusing stays possible."""
    renewal_id = submitted_renewal(desk, active)
    to_review(desk.reviewer, renewal_id)
    propose(desk.reviewer, renewal_id, "propose_grant")
    with app.app_context():  # the recognition revoked meanwhile (the procedure's own steps: test_lawful_procedure)
        db.session.execute(update(Application).where(Application.id == active).values(state="revoked"))
        db.session.commit()
    response = act(desk.decision_maker, renewal_id, "confirm_grant")
    assert response.status_code != 302
    reference = loaded(app, active).reference
    assert f"De erkenning {reference} die deze aanvraag verlengt, is intussen ingetrokken" in text_of(response)
    assert loaded(app, renewal_id).state == "decision_proposed"
    page = text_of(desk.decision_maker.get(f"/backoffice/applications/{renewal_id}"))
    assert "Beslissen: erkenning toekennen" not in page  # not offered either
