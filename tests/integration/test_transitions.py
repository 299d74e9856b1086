"""The one state-changing function: roles, source states, motivation, four eyes, races, audit."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from ldapply.clock import utcnow
from ldapply.extensions import db
from ldapply.models import Application, ApplicationEvent, ConditionVerdict, DecisionProposal, Letter, User
from ldapply.services import accounts
from ldapply.services.errors import ChangedMeanwhile, TransitionNotAllowed
from ldapply.services.transitions import apply_transition
from ldapply.workflows import get_regime
from ldapply.workflows._spec import Role
from tests.support import act, login, submitted_application, to_review

REGIME = get_regime("general")


@pytest.fixture
def submitted(client, people):
    application_id = submitted_application(client, people)
    return application_id


def load(application_id: uuid.UUID) -> Application:
    return db.session.get(Application, application_id)


def user(person) -> User:
    return db.session.get(User, person.id)


class TestRolesAndStates:
    def test_a_reviewer_cannot_confirm_a_decision(self, client, people, submitted):
        login(client, people.reviewer)
        to_review(client, submitted, met=True)
        act(client, submitted, "propose_grant", "Goed.")
        response = act(client, submitted, "confirm_grant")
        assert response.status_code == 409
        assert "U mag deze actie niet uitvoeren." in response.get_data(as_text=True)

    def test_a_decision_maker_cannot_propose(self, client, people, submitted):
        login(client, people.decision_maker)
        response = act(client, submitted, "propose_grant", "Goed.")
        assert response.status_code == 409

    def test_a_proposal_needs_a_motivation(self, app, client, people, submitted):
        login(client, people.reviewer)
        to_review(client, submitted, met=True)
        response = act(client, submitted, "propose_grant", "   ")
        assert response.status_code == 409
        page = response.get_data(as_text=True)
        assert "Geef een motivering op." in page
        assert 'href="#action-propose_grant"' in page  # the summary leads to the form that needs fixing
        assert 'id="action-propose_grant"' in page
        with app.app_context():
            assert load(submitted).state == "substantive_review"

    def test_the_proposer_cannot_confirm_their_own_proposal(self, app, client, people, submitted):
        login(client, people.reviewer_and_decision_maker)
        to_review(client, submitted, met=True)
        act(client, submitted, "propose_grant", "Goed.")
        response = act(client, submitted, "confirm_grant")
        assert response.status_code == 409
        assert "vier-ogenprincipe" in response.get_data(as_text=True)
        with app.app_context():
            assert load(submitted).state == "decision_proposed"
            assert db.session.scalar(db.select(db.func.count(Letter.id)).where(Letter.kind != "receipt")) == 0

    def test_a_confirmation_must_match_the_proposed_outcome(self, app, client, people, submitted):
        login(client, people.reviewer)
        to_review(client, submitted, met=True)
        act(client, submitted, "propose_grant", "Goed.")
        login(client, people.decision_maker)
        assert act(client, submitted, "confirm_refusal").status_code == 409
        with app.app_context():
            assert load(submitted).state == "decision_proposed"

    def test_a_returned_proposal_goes_back_to_the_reviewer(self, app, client, people, submitted):
        login(client, people.reviewer)
        to_review(client, submitted, met=True)
        act(client, submitted, "propose_grant", "Goed.")
        login(client, people.decision_maker)
        assert act(client, submitted, "return_proposal", "Motiveer de lokale behoefte beter.").status_code == 302
        with app.app_context():
            assert load(submitted).state == "substantive_review"
            assert db.session.scalar(db.select(DecisionProposal.status)) == "returned"

    def test_an_unknown_action_is_refused(self, client, people, submitted):
        login(client, people.reviewer)
        assert act(client, submitted, "approve_everything", "x").status_code == 409

    def test_an_applicant_cannot_act_on_their_submitted_application(self, app, people, submitted):
        with app.app_context(), pytest.raises(TransitionNotAllowed):
            apply_transition(application=load(submitted), action="submit", actor=user(people.applicant))


def actor_for(transition, people):
    if Role.SYSTEM in transition.roles:
        return None
    if Role.APPLICANT in transition.roles:
        return people.applicant
    if Role.REVIEWER in transition.roles:
        return people.reviewer
    if Role.ADMIN in transition.roles:
        return people.admin
    return people.decision_maker


def satisfy_guard(application, transition, people) -> None:
    """Give the application the facts its guard asks for, so only the state decides."""
    guard = transition.guard.__name__ if transition.guard else None
    db.session.execute(db.delete(ConditionVerdict).where(ConditionVerdict.application_id == application.id))
    db.session.execute(db.delete(DecisionProposal).where(DecisionProposal.application_id == application.id))
    codes = [c.code for c in REGIME.conditions]
    if guard in ("all_conditions_met", "some_condition_not_met"):
        for index, code in enumerate(codes):
            met = guard == "all_conditions_met" or index > 0
            db.session.add(
                ConditionVerdict(
                    application_id=application.id,
                    condition_code=code,
                    verdict="met" if met else "not_met",
                    reason="De stukken in het dossier tonen dit duidelijk aan.",
                    assessed_by_id=people.reviewer.id,
                )
            )
    application.parameters = {**(application.parameters or {}), "objection_enabled": guard == "objection_possible"}
    if guard == "term_ended":  # a recognition granted long ago, whose term has run out
        db.session.add(
            DecisionProposal(
                application_id=application.id,
                outcome="grant",
                motivation="Toegekend.",
                proposed_by_id=people.reviewer.id,
                status="confirmed",
                settled_by_id=people.decision_maker.id,
                settled_at=utcnow() - timedelta(days=365 * 10),
            )
        )


def attempt(application_id, people, state, action):
    """Put the application in `state`, then try `action` as the role the action belongs to."""
    transition = REGIME.transition(action)
    application = load(application_id)
    application.state = state
    satisfy_guard(application, transition, people)
    if transition.confirms:
        db.session.add(
            DecisionProposal(
                application_id=application.id,
                outcome=transition.confirms,
                motivation="Motivering van het voorstel.",
                proposed_by_id=people.reviewer.id,
            )
        )
    db.session.commit()
    events_before = db.session.scalar(db.select(db.func.count(ApplicationEvent.id)))
    person = actor_for(transition, people)
    actor = user(person) if person else None
    volume = Decimal("5") if transition.asks_volume else None  # the administration's minimum of 5 target-group FTE
    texts = {"motivation": "Motivering.", "note": "Notitie."}
    if state in transition.sources:
        event = apply_transition(application=application, action=action, actor=actor, volume=volume, **texts)
        # An objection is a case of its own: the move is made there, the decided application stays as it is.
        moved = load(event.application_id)
        assert moved.state == transition.target, action
        assert (moved.objection_of_id == application_id) == transition.objects, action
        assert load(application_id).state == (state if transition.objects else transition.target), action
        assert db.session.scalar(db.select(db.func.count(ApplicationEvent.id))) == events_before + 1
    else:
        with pytest.raises(TransitionNotAllowed):
            apply_transition(application=application, action=action, actor=actor, volume=volume, **texts)
        db.session.rollback()
        assert load(application_id).state == state, action
        assert db.session.scalar(db.select(db.func.count(ApplicationEvent.id))) == events_before


@pytest.mark.parametrize("state", [s.code for s in REGIME.states])
def test_every_action_is_refused_outside_the_table_and_allowed_inside_it(app, people, submitted, state):
    """The full state-by-action matrix (R10): one application per state, every action tried on it."""
    with app.app_context():
        for transition in REGIME.transitions:
            attempt(submitted, people, state, transition.action)


class TestRaces:
    def test_the_second_of_two_racing_reviewers_is_told_the_application_changed(self, app, people, submitted):
        with app.app_context():
            first_view = load(submitted)  # loaded before the other reviewer acts
            reviewer = user(people.reviewer)
            with app.app_context():  # another request, another session
                apply_transition(
                    application=load(submitted),
                    action="start_admissibility",
                    actor=user(people.reviewer_and_decision_maker),
                )
            first_view.state  # noqa: B018  (still the stale copy the first reviewer saw)
            with pytest.raises(ChangedMeanwhile):
                apply_transition(application=first_view, action="start_admissibility", actor=reviewer)
        with app.app_context():
            events = db.session.scalars(db.select(ApplicationEvent.action).order_by(ApplicationEvent.created_at))
            assert list(events) == ["submit", "start_admissibility"]

    def test_a_stale_copy_cannot_overwrite_a_newer_state(self, app, people, submitted):
        with app.app_context():
            stale = load(submitted)
            with app.app_context():
                newer = load(submitted)
                newer.state = "decision_proposed"
                db.session.commit()
            stale.state = "granted"
            with pytest.raises(Exception, match="expected to update 1 row"):
                db.session.commit()


class TestAccounts:
    def test_passwords_are_stored_as_scrypt_hashes(self, app, people):
        with app.app_context():
            assert user(people.applicant).password_hash.startswith("scrypt:")

    def test_a_deactivated_account_cannot_log_in(self, app, client, people):
        with app.app_context():
            user(people.applicant).active = False
            db.session.commit()
            assert accounts.authenticate(people.applicant.email, "correct horse battery staple") is None
