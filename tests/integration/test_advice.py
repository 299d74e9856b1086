"""Advice: a reviewer in substantive review asks an advisory body, with a question and a due date (the
pinned parameter's days from today, its provenance said); the body's advisors get a mail; the advisor
records the advice from their own page; the decision maker reads it on the case; whoever advised never
decides. A reviewer may register advice that came by post. Nothing is half-saved when a move is refused."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

import holidays
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from ldapply.extensions import db
from ldapply.models import AdviceRequest, AdvisoryBody, Application, AuditEntry, ClosingDay, Mail
from ldapply.services import advice
from ldapply.services.calls import today
from ldapply.services.regimes import regime_of
from ldapply.workflows import get_regime
from ldapply.workflows._clock import DayCount
from tests.support import act, count_statements, login, post, submitted_application, to_review
from tests.support_advice import ADVICE, QUESTION, ask_advice, give_advice

REGIME = "childcare"


def case_url(application_id: uuid.UUID, tail: str = "") -> str:
    return f"/backoffice/applications/{application_id}{tail}"


def state_of(app: Flask, application_id: uuid.UUID) -> str:
    with app.app_context():
        return db.session.get(Application, application_id).state


def requests_of(app: Flask, application_id: uuid.UUID) -> list[AdviceRequest]:
    with app.app_context():
        found = list(db.session.scalars(select(AdviceRequest).where(AdviceRequest.application_id == application_id)))
        db.session.expunge_all()
        return found


@pytest.fixture
def in_review(client: FlaskClient, people: Any) -> uuid.UUID:
    """A childcare case in substantive review, every condition met; the client is the reviewer."""
    application_id = submitted_application(client, people, regime=REGIME)
    login(client, people.reviewer)
    to_review(client, application_id, regime=REGIME)
    return application_id


def working_day_from(day: date, closed: frozenset[date] = frozenset()) -> date:
    """`day`, or the first day after it that is no Saturday, Sunday, Belgian public holiday or closing day."""
    while day.weekday() >= 5 or day in holidays.country_holidays("BE", years=day.year) or day in closed:
        day += timedelta(days=1)
    return day


class TestDefaultDue:
    """The suggested due date counts as the case's clock does, and never falls on a day the office is closed."""

    def test_a_last_day_on_a_closing_day_gives_way_to_the_next_working_day(self, app, client, people, in_review):
        regime = get_regime(REGIME)
        days = int(regime.parameter(regime.state("advice_requested").deadline).value)
        closed = working_day_from(today() + timedelta(days=days))  # the day the page would otherwise suggest
        with app.app_context():
            db.session.add(ClosingDay(id=uuid.uuid4(), day=closed, label="Brugdag", created_by_id=people.admin.id))
            db.session.commit()
        page = client.get(case_url(in_review, "/advice/request")).get_data(as_text=True)
        assert f'value="{working_day_from(closed, frozenset({closed})).isoformat()}"' in page
        assert "voorgesteld is de eerstvolgende werkdag (eigen regel van de administratie)" in page

    def test_the_case_in_review_counts_in_the_days_of_its_decision_clock(self, app, in_review):
        with app.app_context():
            application = db.session.get(Application, in_review)
            regime = regime_of(application)
            assert advice.clock_of(application, regime).name == "decision"
            assert advice.default_due(application).count is DayCount.CALENDAR  # the LDE decision clock

    def test_a_working_day_clock_counts_working_days(self, app, client, people):
        """The test regime label_2013 counts its decision period in working days (it asks no advice itself)."""
        application_id = submitted_application(client, people, regime="label_2013")
        login(client, people.reviewer)
        to_review(client, application_id, regime="label_2013")
        with app.app_context():
            application = db.session.get(Application, application_id)
            spec = advice.clock_of(application, regime_of(application))
            assert spec.name == "decision"
            assert spec.days is DayCount.WORKING


class TestAsking:
    def test_the_case_page_offers_the_body_with_the_pinned_due_date_and_its_provenance(self, client, in_review):
        overview = client.get(case_url(in_review)).get_data(as_text=True)
        assert case_url(in_review, "/advice/request") in overview  # the overview links to the form
        page = client.get(case_url(in_review, "/advice/request")).get_data(as_text=True)
        regime = get_regime(REGIME)
        parameter = regime.parameter(regime.state("advice_requested").deadline)
        assert "Kind en Gezin" in page
        due = working_day_from(today() + timedelta(days=int(parameter.value))).isoformat()
        assert f'value="{due}"' in page
        assert parameter.name in page
        assert "naar het model van 2013" in page or "modelled" in page or parameter.provenance.label.nl in page
        assert f"/actions/{regime.transition('request_advice').action}" not in overview  # not in the generic list

    def test_asking_moves_the_case_to_the_advisor_and_mails_the_bodys_advisors(self, app, client, people, in_review):
        due = (today() + timedelta(days=20)).isoformat()
        response = ask_advice(client, in_review, people.advisory_body_id, due_on=due)
        assert response.status_code == 302, response.get_data(as_text=True)
        assert state_of(app, in_review) == "advice_requested"
        [asked] = requests_of(app, in_review)
        assert asked.question == QUESTION
        assert asked.due_on.isoformat() == due
        assert asked.requested_by_id == people.reviewer.id
        with app.app_context():
            [sent] = db.session.scalars(select(Mail).where(Mail.recipient == people.advisor.email))
            assert "Adviesvraag over dossier" in sent.subject
            assert QUESTION in sent.body
            assert f"/backoffice/applications/{in_review}/advice" in sent.body
            assert db.session.get(Application, in_review).whose_move == "advisor"
            audited = db.session.scalars(select(AuditEntry.action).where(AuditEntry.application_id == in_review)).all()
            assert "transition.request_advice" in audited
        page = client.get(case_url(in_review)).get_data(as_text=True)
        assert "Nog niet gegeven" in page

    def test_a_question_is_required_and_nothing_is_half_saved(self, app, client, people, in_review):
        response = ask_advice(client, in_review, people.advisory_body_id, question="  ")
        assert response.status_code == 400
        assert "Schrijf de vraag aan het adviesorgaan." in response.get_data(as_text=True)
        assert state_of(app, in_review) == "substantive_review"
        assert requests_of(app, in_review) == []

    def test_a_due_date_in_the_past_is_refused(self, app, client, people, in_review):
        response = ask_advice(
            client, in_review, people.advisory_body_id, due_on=(today() - timedelta(days=1)).isoformat()
        )
        assert response.status_code == 409
        assert "verleden" in response.get_data(as_text=True)
        assert requests_of(app, in_review) == []
        with app.app_context():
            assert db.session.scalar(select(Mail.id).where(Mail.recipient == people.advisor.email)) is None

    def test_a_body_of_another_regime_or_inactive_is_refused(self, app, client, people, in_review):
        with app.app_context():
            other = AdvisoryBody(name="Huisvestingsraad", regime_code="caretakers")
            db.session.add(other)
            db.session.commit()
            other_id = other.id
        assert ask_advice(client, in_review, other_id).status_code == 400  # not among the choices
        with app.app_context():
            db.session.get(AdvisoryBody, people.advisory_body_id).active = False
            db.session.commit()
        assert ask_advice(client, in_review, people.advisory_body_id).status_code == 400
        assert requests_of(app, in_review) == []

    def test_a_refused_move_leaves_no_request_behind(self, app, client, people):
        application_id = submitted_application(client, people, regime=REGIME)
        login(client, people.reviewer)
        assert act(client, application_id, "start_admissibility").status_code == 302  # not in substantive review
        due = (today() + timedelta(days=5)).isoformat()
        response = post(
            client,
            f"{case_url(application_id)}/advice/request",
            {"body": str(people.advisory_body_id), "question": QUESTION, "due_on": due},
        )
        assert response.status_code in (400, 409)
        assert requests_of(app, application_id) == []
        with app.app_context():
            assert db.session.scalar(select(Mail.id).where(Mail.recipient == people.advisor.email)) is None

    def test_only_a_reviewer_asks(self, app, client, people, in_review):
        login(client, people.decision_maker)
        assert ask_advice(client, in_review, people.advisory_body_id).status_code in (400, 409)
        assert state_of(app, in_review) == "substantive_review"


class TestAdvising:
    @pytest.fixture
    def asked(self, client, people, in_review) -> uuid.UUID:
        assert ask_advice(client, in_review, people.advisory_body_id).status_code == 302
        return in_review

    def test_the_advisor_reads_the_question_and_the_application_and_records_the_advice(
        self, app, client, people, asked
    ):
        login(client, people.advisor)
        listing = client.get("/backoffice/advice").get_data(as_text=True)
        assert "Open" in listing
        page = client.get(f"{case_url(asked)}/advice").get_data(as_text=True)
        assert QUESTION in page
        assert "Dorpsstraat 1" in page  # the application as handed in
        assert "/uploads/" in page  # with its files
        assert give_advice(client, asked).status_code == 302
        assert state_of(app, asked) == "substantive_review"
        [done] = requests_of(app, asked)
        assert done.advice == ADVICE
        assert done.advised_by_id == people.advisor.id
        assert done.advised_at is not None
        assert "Advies gegeven op" in client.get("/backoffice/advice").get_data(as_text=True)

    def test_advice_is_required(self, app, client, people, asked):
        login(client, people.advisor)
        response = give_advice(client, asked, text=" ")
        assert response.status_code == 400
        assert "Schrijf het advies." in response.get_data(as_text=True)
        assert state_of(app, asked) == "advice_requested"
        assert requests_of(app, asked)[0].advice is None

    def test_advice_is_given_once(self, app, client, people, asked):
        login(client, people.advisor)
        request_id = re.search(
            r'name="request_id"[^>]*value="([^"]+)"', client.get(f"{case_url(asked)}/advice").get_data(as_text=True)
        ).group(1)
        assert give_advice(client, asked).status_code == 302
        again = post(client, f"{case_url(asked)}/advice/record", {"request_id": request_id, "advice": "Toch anders."})
        assert again.status_code == 409
        assert requests_of(app, asked)[0].advice == ADVICE

    def test_the_decision_maker_sees_the_advice_with_who_and_when(self, client, people, asked):
        login(client, people.advisor)
        give_advice(client, asked)
        login(client, people.decision_maker)
        page = client.get(case_url(asked)).get_data(as_text=True)
        assert "Advies van Kind en Gezin" in page
        assert ADVICE in page
        assert QUESTION in page
        assert people.advisor.name in page

    def test_a_reviewer_registers_advice_that_came_by_post_and_may_not_decide(self, app, client, people, asked):
        login(client, people.reviewer_and_decision_maker)
        assert give_advice(client, asked, page="case").status_code == 302
        [done] = requests_of(app, asked)
        assert done.advised_by_id == people.reviewer_and_decision_maker.id
        page = client.get(case_url(asked)).get_data(as_text=True)
        assert "per post ontvangen" in page
        login(client, people.reviewer)
        motivation = "De aanvraag voldoet aan alle voorwaarden en het advies over de aanvraag is gunstig."
        answer = {"advice_answer": "De administratie volgt het gunstige advies van Kind en Gezin."}
        assert act(client, asked, "propose_grant", motivation, **answer).status_code == 302
        login(client, people.reviewer_and_decision_maker)
        response = act(client, asked, "confirm_grant")
        assert response.status_code == 409
        assert "advies gaf" in response.get_data(as_text=True)
        assert state_of(app, asked) != "active"

    def test_the_case_page_stays_within_its_statement_bound_with_advice(self, app, client, people, asked):
        login(client, people.advisor)
        give_advice(client, asked)
        login(client, people.decision_maker)
        client.get(case_url(asked))
        with count_statements(app) as few:
            assert client.get(case_url(asked)).status_code == 200
        login(client, people.reviewer)
        for _ in range(3):  # more advice asked and given: the page costs the same
            assert ask_advice(client, asked, people.advisory_body_id).status_code == 302
            assert give_advice(client, asked, page="case").status_code == 302
        login(client, people.decision_maker)
        client.get(case_url(asked))
        with count_statements(app) as more:
            assert client.get(case_url(asked)).status_code == 200
        assert len(more) == len(few)
