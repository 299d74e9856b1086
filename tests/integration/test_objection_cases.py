"""Objections as linked cases of their own: lodging one opens a new case linked to the decided one, which stays
in its state; the objection's case has its own clock, proposal and decision; a rejected objection leaves the
contested case as it is, an upheld one sends it back to the substantive review by ldapply's own move (and the
beat's sweep makes that move when the request could not); the decision letter quotes the objection and names
the contested decision; the period, the signatory rule and one objection per decision hold; the applicant and
staff see the link both ways."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from ldapply.clock import letter_date
from ldapply.extensions import db
from ldapply.models import Application, ApplicationEvent, AuditEntry, Letter, Membership, Organisation, Upload
from ldapply.services import accounts, legal_clock, objections
from ldapply.services.regimes import regime_of
from ldapply.services.storage import get_storage
from ldapply.tasks import render_letter
from tests.support import PASSWORD, act, declare_no_conflict, login
from tests.support_clock import dutch, today
from tests.support_objections import OBJECTION, lodge, refused_with_objection

PROPOSAL = "Het bezwaar brengt geen nieuwe gegevens aan; het personeelsplan telt nog altijd te weinig werknemers."
UPHELD = "Het bezwaar is gegrond: het bijgevoegde personeelsplan toont vijf doelgroepwerknemers aan."


def page(client: Any, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def refused(app: Flask, client: Any, people: Any) -> uuid.UUID:
    """A refused application an objection is open against; the client is the applicant."""
    return refused_with_objection(app, client, people)


def objection_cases(app: Flask, application_id: uuid.UUID) -> list[Application]:
    with app.app_context():
        found = db.session.scalars(db.select(Application).where(Application.objection_of_id == application_id))
        cases = list(found)
        db.session.expunge_all()
        return cases


def loaded(app: Flask, application_id: uuid.UUID) -> Application:
    with app.app_context():
        application = db.session.get_one(Application, application_id)
        db.session.expunge(application)
        return application


def actions_of(app: Flask, application_id: uuid.UUID) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                db.select(ApplicationEvent.action)
                .where(ApplicationEvent.application_id == application_id)
                .order_by(ApplicationEvent.created_at, ApplicationEvent.id)
            )
        )


@pytest.fixture
def lodged(app: Flask, client: Any, refused: uuid.UUID) -> uuid.UUID:
    """The objection's case, lodged with two attachments by the applicant."""
    response = lodge(client, refused, files=2)
    assert response.status_code == 302, response.get_data(as_text=True)
    (case,) = objection_cases(app, refused)
    return case.id


def decide(client: Any, people: Any, case_id: uuid.UUID, proposal: str, decision: str, motivation: str) -> None:
    """The reviewer proposes, the decision maker decides (four eyes)."""
    login(client, people.reviewer)
    response = act(client, case_id, proposal, motivation)
    assert response.status_code == 302, response.get_data(as_text=True)
    login(client, people.decision_maker)
    response = act(client, case_id, decision)
    assert response.status_code == 302, response.get_data(as_text=True)


def letter_text(app: Flask, letter: Letter) -> str:
    with app.app_context():
        render_letter(str(letter.id))
        stored = db.session.get_one(Letter, letter.id)
        data = get_storage().get(stored.storage_key)
    return flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def objection_letter(app: Flask, case_id: uuid.UUID) -> Letter:
    with app.app_context():
        letter = db.session.scalar(
            db.select(Letter).where(Letter.application_id == case_id, Letter.kind == "objection_decision")
        )
        assert letter is not None
        db.session.expunge(letter)
        return letter


# -- lodging -----------------------------------------------------------------------------------------------


class TestLodging:
    def test_it_opens_a_case_of_its_own_linked_to_the_decided_one_which_stays_in_its_state(
        self, app, client, people, refused
    ):
        before = loaded(app, refused)
        response = lodge(client, refused, files=2)
        assert response.status_code == 302, response.get_data(as_text=True)
        (case,) = objection_cases(app, refused)
        assert response.headers["Location"].endswith(f"/applications/{case.id}")  # followed where it is handled
        contested = loaded(app, refused)
        assert contested.state == "refused"
        assert (case.organisation_id, case.regime_code, case.regime_version) == (
            contested.organisation_id,
            contested.regime_code,
            contested.regime_version,
        )
        assert case.reference == f"{contested.reference}-B1"
        assert case.parameters == contested.parameters
        assert case.submitted_answers == contested.submitted_answers
        assert case.submitted_at is not None
        assert case.submitted_at > before.submitted_at
        assert (case.state, case.whose_move) == ("objection_lodged", "reviewer")
        # Its own clock, from objection_decision_days: not known (an assumption), so no due date.
        assert case.clocks["objection"]["stopped_on"] is None
        assert case.due_on is None
        assert actions_of(app, case.id) == ["lodge_objection"]
        with app.app_context():
            event = db.session.scalar(db.select(ApplicationEvent).where(ApplicationEvent.application_id == case.id))
            assert (event.from_state, event.comment) == ("refused", OBJECTION)
            files = set(db.session.scalars(db.select(Upload.filename).where(Upload.event_id == event.id)))
            assert files == {"personeelsplan-0.pdf", "personeelsplan-1.pdf"}
            entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "objection.lodged"))
            assert entry.application_id == refused
            assert entry.new["objection_reference"] == case.reference
            assert entry.actor_id == people.applicant.id

    def test_one_objection_per_decision(self, app, client, people, lodged, refused):
        response = lodge(client, refused, "Nog een bezwaar tegen dezelfde beslissing.")
        assert response.status_code == 409
        assert "al bezwaar ingediend" in response.get_data(as_text=True)
        assert len(objection_cases(app, refused)) == 1

    def test_no_objection_after_the_period(self, app, client, people, refused):
        with app.app_context():
            letter = db.session.scalar(db.select(Letter).where(Letter.kind == "decision_refused"))
            letter.rendered_at = letter.rendered_at - timedelta(days=40)  # the period counts from the letter
            db.session.commit()
        response = lodge(client, refused, "Te laat.")
        assert response.status_code == 409
        assert "De termijn om bezwaar in te dienen liep af" in response.get_data(as_text=True)
        assert objection_cases(app, refused) == []
        assert loaded(app, refused).state == "refused"

    def test_only_a_signatory_lodges_an_objection(self, app, client, people, refused):
        with app.app_context():
            organisation_id = db.session.scalar(
                db.select(Membership.organisation_id).where(Membership.user_id == people.applicant.id)
            )
            organisation = db.session.get(Organisation, organisation_id)
            preparer = accounts.create_user(
                email="pim@a.be", name="Pim", password=PASSWORD, organisation=organisation, is_signatory=False
            )
            db.session.commit()
            email = preparer.email
        login(client, SimpleNamespace(email=email))
        response = lodge(client, refused)
        assert response.status_code == 403
        assert objection_cases(app, refused) == []

    def test_the_case_itself_offers_no_objection_and_no_second_one_is_offered(self, app, client, lodged, refused):
        assert "/actions/lodge_objection" not in page(client, f"/applications/{refused}")
        assert "/actions/lodge_objection" not in page(client, f"/applications/{lodged}")


# -- the decision on the objection -----------------------------------------------------------------------


class TestDecision:
    def test_a_rejected_objection_ends_its_case_and_leaves_the_decision_as_it_was(
        self, app, client, people, lodged, refused
    ):
        events_before = actions_of(app, refused)
        decide(client, people, lodged, "propose_reject_objection", "reject_objection", PROPOSAL)
        assert loaded(app, lodged).state == "objection_decided"
        assert loaded(app, lodged).clocks["objection"]["stopped_on"] is not None
        assert loaded(app, refused).state == "refused"
        assert actions_of(app, refused) == events_before
        with app.app_context():
            assert objections.reopen_upheld() == 0  # nothing for the sweep either

    def test_an_upheld_objection_sends_the_contested_case_back_to_the_substantive_review(
        self, app, client, people, lodged, refused
    ):
        decide(client, people, lodged, "propose_uphold_objection", "uphold_objection", UPHELD)
        assert loaded(app, lodged).state == "objection_decided"
        assert loaded(app, refused).state == "substantive_review"
        assert actions_of(app, refused)[-1] == "reopen_after_objection"
        with app.app_context():
            reopen = db.session.scalar(
                db.select(ApplicationEvent).where(
                    ApplicationEvent.application_id == refused, ApplicationEvent.action == "reopen_after_objection"
                )
            )
            assert reopen.actor_id is None  # ldapply's own move
            assert objections.reopen_upheld() == 0  # done already: the sweep finds nothing
        assert actions_of(app, refused).count("reopen_after_objection") == 1

    def test_the_reopened_case_gets_a_decision_period_from_the_reopening_shown_to_staff_and_applicant(
        self, app, client, people, lodged, refused
    ):
        first = loaded(app, refused).clocks["decision"]
        assert first["stopped_on"] is not None  # the refusal stopped the first decision period
        decide(client, people, lodged, "propose_uphold_objection", "uphold_objection", UPHELD)
        contested = loaded(app, refused)
        with app.app_context():
            days = legal_clock.period_values(contested, regime_of(contested))["decision_period_days"]
        clock = contested.clocks["decision"]
        reopened_on = today()
        assert clock["started_on"] == reopened_on.isoformat()
        assert clock["stopped_on"] is None
        assert clock["due_on"] == (reopened_on + timedelta(days=days)).isoformat()
        assert contested.due_on == reopened_on + timedelta(days=days)  # the queue sorts on it
        assert [r["stopped_on"] for r in clock["rounds"]] == [first["stopped_on"]]  # the first period is kept
        login(client, people.reviewer)
        declare_no_conflict(client, refused)
        staff_page = flat(page(client, f"/backoffice/applications/{refused}"))
        assert f"Uiterlijk {dutch(contested.due_on)}" in staff_page
        login(client, people.applicant)
        assert f"verwacht uiterlijk {dutch(contested.due_on)}" in flat(page(client, f"/applications/{refused}"))

    def test_the_sweep_reopens_the_contested_case_when_the_request_could_not_once(
        self, app, client, people, lodged, refused
    ):
        with app.app_context():  # someone moved the contested case meanwhile: the move after the decision fails
            db.session.get_one(Application, refused).state = "withdrawn"
            db.session.commit()
        decide(client, people, lodged, "propose_uphold_objection", "uphold_objection", UPHELD)
        assert loaded(app, lodged).state == "objection_decided"
        assert loaded(app, refused).state == "withdrawn"
        assert "reopen_after_objection" not in actions_of(app, refused)
        with app.app_context():
            assert objections.reopen_upheld() == 0  # not where the move starts: left as it is
            db.session.get_one(Application, refused).state = "refused"  # and moved back
            db.session.commit()
            assert objections.reopen_upheld() == 1
            assert objections.reopen_upheld() == 0  # idempotent
        assert loaded(app, refused).state == "substantive_review"
        assert actions_of(app, refused).count("reopen_after_objection") == 1

    def test_the_beat_task_runs_the_sweep(self, app, client, people, lodged, refused):
        from ldapply.tasks import end_lapsed_periods

        with app.app_context():
            db.session.get_one(Application, refused).state = "withdrawn"
            db.session.commit()
        decide(client, people, lodged, "propose_uphold_objection", "uphold_objection", UPHELD)
        with app.app_context():
            db.session.get_one(Application, refused).state = "refused"
            db.session.commit()
            assert end_lapsed_periods() >= 1
        assert loaded(app, refused).state == "substantive_review"

    def test_the_letter_quotes_the_objection_and_names_the_contested_decision_and_its_date(
        self, app, client, people, lodged, refused
    ):
        decide(client, people, lodged, "propose_reject_objection", "reject_objection", PROPOSAL)
        contested = loaded(app, refused)
        with app.app_context():
            decided_at = db.session.scalar(
                db.select(ApplicationEvent.created_at).where(
                    ApplicationEvent.application_id == refused, ApplicationEvent.action == "confirm_refusal"
                )
            )
        letter = objection_letter(app, lodged)
        context = letter.context
        assert context["reference"] == loaded(app, lodged).reference
        assert context["objection"]["text"] == OBJECTION
        assert context["objection"]["contested"] == {
            "reference": contested.reference,
            "on": letter_date(decided_at),
            "title": "Beslissing: weigering van de erkenning",
        }
        steps = [step["text"] for step in context["procedure"]]
        assert "De erkenning werd geweigerd." in steps  # the contested case's history comes first
        assert steps[-1] == "De aanvrager diende bezwaar in."
        assert context["decision"]["outcome"] == "objection_rejected"
        text = letter_text(app, letter)
        assert flat(OBJECTION) in text
        assert flat(PROPOSAL) in text
        named = f"beslissing van {letter_date(decided_at)} („Beslissing: weigering van de erkenning”) over uw aanvraag"
        assert f"{named} {contested.reference}" in text
        assert "ongegrond" in text

    def test_an_advisor_on_the_contested_case_may_not_decide_the_objection(self, app, client, people, lodged):
        from ldapply.services import transitions

        with app.app_context():
            case = db.session.get_one(Application, lodged)
            contested_id = case.objection_of_id
            db.session.add(
                ApplicationEvent(
                    application_id=contested_id,
                    actor_id=people.decision_maker.id,
                    action="record_advice",
                    from_state="advice_requested",
                    to_state="substantive_review",
                )
            )
            db.session.commit()
            assert people.decision_maker.id in transitions.advisor_ids(case, transitions.history(case.id))
        login(client, people.reviewer)
        assert act(client, lodged, "propose_reject_objection", PROPOSAL).status_code == 302
        login(client, people.decision_maker)
        response = act(client, lodged, "reject_objection")
        assert response.status_code == 409
        assert "advies gaf" in response.get_data(as_text=True)


# -- who sees the link ------------------------------------------------------------------------------------


class TestTheLink:
    def test_the_applicant_sees_both_cases_and_the_link_between_them(self, app, client, people, lodged, refused):
        contested, case = loaded(app, refused), loaded(app, lodged)
        overview = page(client, f"/applications/{refused}")
        assert f'href="/applications/{lodged}"' in overview
        assert case.reference in overview
        assert "U kunt bezwaar indienen tot en met" not in overview
        objection = page(client, f"/applications/{lodged}")
        assert "Bezwaar tegen" in objection
        assert f'href="/applications/{refused}"' in objection
        assert contested.reference in objection
        assert "Uw bezwaar wordt behandeld" in objection
        home = page(client, "/")
        assert f"Bezwaar tegen {contested.reference}" in home
        assert f'href="/applications/{lodged}"' in home
        todo = home.split('id="todo"', 1)[1].split("</table>", 1)[0] if 'id="todo"' in home else ""
        assert "bezwaar indienen tegen de beslissing" not in todo  # lodged: no longer a to-do

    def test_the_applicant_sees_the_objection_to_do_until_it_is_lodged(self, app, client, people, refused):
        home = page(client, "/")
        assert "U kunt bezwaar indienen tegen de beslissing" in home

    def test_staff_see_the_link_both_ways_and_the_timeline_says_it(self, app, client, people, lodged, refused):
        contested, case = loaded(app, refused), loaded(app, lodged)
        login(client, people.reviewer)
        original = page(client, f"/backoffice/applications/{refused}")
        linked = original.split('id="linked-cases"', 1)[1].split("</section>", 1)[0]
        assert f'href="/backoffice/applications/{lodged}"' in linked
        assert case.reference in linked
        assert "Bezwaar ingediend" in linked  # its state, as staff name it
        timeline = page(client, f"/backoffice/applications/{refused}/timeline")
        assert f"Bezwaar ingediend: dossier {case.reference}" in timeline  # the contested case's timeline
        objection = page(client, f"/backoffice/applications/{lodged}")
        linked = objection.split('id="linked-cases"', 1)[1].split("</section>", 1)[0]
        assert "Bezwaar tegen dossier" in linked
        assert f'href="/backoffice/applications/{refused}"' in linked
        assert contested.reference in linked
        assert "Geweigerd" in linked

    def test_the_objection_case_shows_the_answers_files_of_the_case_it_contests(self, app, client, people, lodged):
        login(client, people.reviewer)
        objection = page(client, f"/backoffice/applications/{lodged}")
        links = re.findall(rf'href="(/backoffice/applications/{lodged}/uploads/[^"]+)"', objection)
        assert links, "no file among the answers on the objection's case page"
        assert all(client.get(link).status_code == 200 for link in links)

    def test_the_objection_is_no_one_elses_to_see(self, app, client, people, lodged):
        login(client, people.other_applicant)
        assert client.get(f"/applications/{lodged}").status_code == 404
