"""The guards a judge would look for beyond four eyes: heard within the period and on the grounds
announced, no recognition taken away by letting it 'expire' early, no proposal left hanging."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from ldapply.clock import utcnow
from ldapply.extensions import db
from ldapply.models import Application, ApplicationEvent, DecisionProposal, User
from ldapply.services.backoffice import end_of_day_after
from ldapply.services.errors import TransitionNotAllowed
from ldapply.services.transitions import apply_transition
from tests.support import REASON, act, login, post, submitted_application, through_hearing, to_review


def load(application_id: uuid.UUID) -> Application:
    return db.session.get(Application, application_id)


@pytest.fixture
def in_review(client, people):
    """A general-regime application in substantive review, its first condition judged not met."""
    application_id = submitted_application(client, people)
    login(client, people.reviewer)
    to_review(client, application_id, met=False)
    return application_id


def announce(client, application_id):
    response = act(client, application_id, "announce_refusal", "De lokale behoefte is niet aangetoond.")
    assert response.status_code == 302, response.get_data(as_text=True)


class TestHearingPeriod:
    def test_a_period_of_n_days_ends_at_midnight_after_its_last_day_in_brussels(self):
        letter_sent = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)  # 16:30 in Brussels
        assert end_of_day_after(letter_sent, 15) == datetime(2026, 12, 16, 23, 0, tzinfo=UTC)  # midnight, CET

    def test_a_response_after_the_period_is_refused_with_the_last_day(self, app, client, people, in_review):
        announce(client, in_review)
        with app.app_context():
            event = db.session.scalar(db.select(ApplicationEvent).where(ApplicationEvent.action == "announce_refusal"))
            event.created_at = utcnow() - timedelta(days=30)
            db.session.commit()
        login(client, people.applicant)
        response = post(client, f"/applications/{in_review}/actions/respond_to_hearing", {"comment": "Te laat."})
        assert response.status_code == 409
        assert "De termijn om te reageren liep af op" in response.get_data(as_text=True)
        with app.app_context():
            assert load(in_review).state == "hearing"


class TestGroundsHeard:
    def test_a_refusal_on_a_condition_not_announced_needs_a_new_hearing(self, app, client, people, in_review):
        through_hearing(client, people, in_review, respond=False)
        response = post(
            client,
            f"/backoffice/applications/{in_review}/assessment",
            {"verdict-participation": "not_met", "reason-participation": REASON},
        )
        assert response.status_code == 302
        response = act(client, in_review, "propose_refusal", "Twee voorwaarden zijn niet vervuld.")
        assert response.status_code == 409
        assert "werd niet gehoord over" in response.get_data(as_text=True)

    def test_a_refusal_on_the_conditions_announced_is_allowed(self, client, people, in_review):
        through_hearing(client, people, in_review, respond=False)
        assert act(client, in_review, "propose_refusal", "De lokale behoefte is niet aangetoond.").status_code == 302


class TestEndOfTheProcedure:
    def test_withdrawing_settles_the_pending_proposal(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        to_review(client, application_id, met=True)
        assert act(client, application_id, "propose_grant", "Alle voorwaarden zijn vervuld.").status_code == 302
        login(client, people.applicant)
        response = post(client, f"/applications/{application_id}/actions/withdraw", {"confirmed": "yes"})
        assert response.status_code == 302
        with app.app_context():
            assert db.session.scalar(db.select(DecisionProposal.status)) == "withdrawn"

    def test_a_recognition_cannot_expire_before_its_term(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        to_review(client, application_id, met=True)
        act(client, application_id, "propose_grant", "Alle voorwaarden zijn vervuld.")
        login(client, people.decision_maker)
        assert act(client, application_id, "confirm_grant").status_code == 302
        login(client, people.admin)
        assert act(client, application_id, "activate").status_code == 302
        with app.app_context():
            admin = db.session.get(User, people.admin.id)
            with pytest.raises(TransitionNotAllowed, match="nog niet verlopen"):
                apply_transition(application=load(application_id), action="expire", actor=admin, note="Einde.")
            proposal = db.session.scalar(db.select(DecisionProposal).where(DecisionProposal.status == "confirmed"))
            proposal.settled_at = utcnow() - timedelta(days=366 * 5 + 2)  # five years and more ago
            db.session.commit()
            apply_transition(application=load(application_id), action="expire", actor=admin, note="Einde.")
            assert load(application_id).state == "expired"
