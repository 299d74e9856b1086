"""Roles per regime: a case outside one's regimes does not exist for one; a decision maker decides and
signs only under their regimes; an admin acts only for theirs. Advisors see only the cases sent to their
body, through the advice pages: no queue, no calls, no other case, no decision."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from ldapply.extensions import db
from ldapply.models import Application, Call, Signatory, Upload, User
from ldapply.services import accounts, signatories, staff
from ldapply.services.calls import today
from ldapply.services.errors import Forbidden, TransitionNotAllowed
from ldapply.workflows._spec import Provenance, Role
from tests.support import PASSWORD, act, count_statements, csrf_token, login, post, submitted_application, to_review
from tests.support_advice import ask_advice, give_advice


def case_url(application_id: uuid.UUID) -> str:
    return f"/backoffice/applications/{application_id}"


def logged_out(client: FlaskClient) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client)})


def make_staff(app: Flask, email: str, roles: tuple[Role, ...], regime_code: str | None) -> Any:
    with app.app_context():
        user = accounts.create_user(
            email=email, name=email.split("@")[0], password=PASSWORD, roles=roles, regime_code=regime_code
        )
        db.session.commit()
        return type("Staff", (), {"email": user.email, "id": user.id})


@pytest.fixture
def cases(client: FlaskClient, people: Any) -> dict[str, uuid.UUID]:
    """A submitted general case and a submitted childcare case; logged out."""
    made = {regime: submitted_application(client, people, regime=regime) for regime in ("general", "childcare")}
    logged_out(client)
    return made


class TestReviewersPerRegime:
    def test_a_reviewer_for_one_regime_gets_404_on_another_regimes_case(self, client, people, cases):
        login(client, people.general_reviewer)
        childcare = cases["childcare"]
        for url in (case_url(childcare), f"{case_url(childcare)}/declaration", f"{case_url(childcare)}/advice"):
            assert client.get(url).status_code == 404, url
        assert act(client, childcare, "start_admissibility").status_code == 404
        assert post(client, f"{case_url(childcare)}/assessment", {}).status_code == 404

    def test_and_cannot_reach_its_files(self, app, client, people, cases):
        with app.app_context():
            upload_id = db.session.scalar(select(Upload.id).where(Upload.application_id == cases["childcare"]))
        login(client, people.general_reviewer)
        assert client.get(f"{case_url(cases['childcare'])}/uploads/{upload_id}").status_code == 404

    def test_the_same_reviewer_works_on_their_own_regimes_case(self, app, client, people, cases):
        login(client, people.general_reviewer)
        assert client.get(case_url(cases["general"])).status_code == 200
        assert act(client, cases["general"], "start_admissibility").status_code == 302
        with app.app_context():
            assert db.session.get(Application, cases["general"]).state == "admissibility_check"

    def test_a_reviewer_for_every_regime_sees_both(self, client, people, cases):
        login(client, people.reviewer)
        assert client.get(case_url(cases["general"])).status_code == 200
        assert client.get(case_url(cases["childcare"])).status_code == 200

    def test_case_roles_never_give_a_role_outside_its_regime(self, app, people, cases):
        with app.app_context():
            reviewer = db.session.get(User, people.general_reviewer.id)
            general = db.session.get(Application, cases["general"])
            childcare = db.session.get(Application, cases["childcare"])
            assert staff.case_roles(reviewer, general) == {Role.REVIEWER}
            assert staff.case_roles(reviewer, childcare) == frozenset()


class TestDecisionMakersPerRegime:
    @pytest.fixture
    def proposed(self, app, client, people) -> uuid.UUID:
        """A childcare case with a proposal to grant, waiting for a decision."""
        application_id = submitted_application(client, people, regime="childcare")
        login(client, people.reviewer)
        to_review(client, application_id, regime="childcare")
        motivation = "De aanvraag voldoet aan alle voorwaarden en de opvang beantwoordt een lokale behoefte."
        assert act(client, application_id, "propose_grant", motivation).status_code == 302
        return application_id

    def test_a_decision_maker_for_another_regime_cannot_see_or_decide(self, app, client, people, proposed):
        other = make_staff(app, "dm-general@vo.be", (Role.DECISION_MAKER,), "general")
        login(client, other)
        assert client.get(case_url(proposed)).status_code == 404
        assert act(client, proposed, "confirm_grant").status_code == 404
        with app.app_context():
            assert db.session.get(Application, proposed).state != "granted"

    def test_a_decision_maker_for_the_regime_decides(self, app, client, people, proposed):
        login(client, people.decision_maker)
        assert act(client, proposed, "confirm_grant").status_code == 302
        with app.app_context():
            assert db.session.get(Application, proposed).state == "granted"

    @pytest.mark.parametrize("provenance", list(Provenance))
    def test_a_signatory_signs_under_a_delegation_marked_found_only_when_it_was_found(self, app, people, provenance):
        dm = make_staff(app, f"dm-{provenance}@vo.be", (Role.DECISION_MAKER,), "childcare")
        with app.app_context():
            entry = signatories.add_signatory(
                actor=db.session.get(User, people.admin.id),
                user_id=dm.id,
                function="Beslisser",
                delegation="Besluit van de secretaris-generaal",
                provenance=provenance,
                source="",
                regime_code="childcare",
            )
            person = signatories.person_of(entry)
        assert person.delegation == "Besluit van de secretaris-generaal"
        assert person.delegation_found is (provenance == Provenance.FOUND)

    def test_a_signatory_entry_for_every_regime_signs_only_under_the_regimes_of_the_role(self, app, people):
        dm = make_staff(app, "dm-childcare@vo.be", (Role.DECISION_MAKER,), "childcare")
        with app.app_context():
            admin = db.session.get(User, people.admin.id)
            with pytest.raises(TransitionNotAllowed, match="alleen onder de regelingen"):
                signatories.add_signatory(
                    actor=admin,
                    user_id=dm.id,
                    function="Beslisser",
                    delegation="Besluit",
                    provenance=Provenance.FOUND,
                    source="",
                    regime_code=None,
                )
            db.session.rollback()
            signatories.add_signatory(
                actor=admin,
                user_id=dm.id,
                function="Beslisser",
                delegation="Besluit",
                provenance=Provenance.FOUND,
                source="",
                regime_code="childcare",
            )
            user = db.session.get(User, dm.id)
            assert signatories.signatory_for(user, "childcare") is not None
            entry = db.session.scalar(select(Signatory).where(Signatory.user_id == dm.id))
            entry.regime_code = None  # an entry for every regime, as an older admin might have made
            db.session.commit()
            assert signatories.signatory_for(user, "general") is None


class TestAdminsPerRegime:
    def test_an_admin_for_one_regime_opens_calls_only_under_it(self, app, client, people):
        admin = make_staff(app, "adm-childcare@vo.be", (Role.ADMIN,), "childcare")
        login(client, admin)
        data = {
            "regime": "general",
            "title": "Oproep van een ander",
            "opens_on": today().isoformat(),
            "closes_on": (today() + timedelta(days=10)).isoformat(),
            "cap": "10",
        }
        assert post(client, "/backoffice/calls", data).status_code == 403
        with app.app_context():
            assert db.session.scalar(select(Call.id).where(Call.title == "Oproep van een ander")) is None

    def test_an_admin_for_one_regime_adds_no_signatory_for_every_regime(self, app, client, people):
        admin = make_staff(app, "adm-general@vo.be", (Role.ADMIN,), "general")
        with app.app_context():
            actor = db.session.get(User, admin.id)
            with pytest.raises(Forbidden):
                signatories.add_signatory(
                    actor=actor,
                    user_id=people.decision_maker.id,
                    function="Beslisser",
                    delegation="Besluit",
                    provenance=Provenance.FOUND,
                    source="",
                    regime_code=None,
                )


class TestAdvisors:
    @pytest.fixture
    def sent(self, app, client, people) -> dict[str, uuid.UUID]:
        """Two childcare cases in substantive review; the first was sent to Kind en Gezin for advice."""
        first = submitted_application(client, people, regime="childcare")
        second = submitted_application(client, people, regime="childcare")
        login(client, people.reviewer)
        for application_id in (first, second):
            to_review(client, application_id, regime="childcare")
        assert ask_advice(client, first, people.advisory_body_id).status_code == 302
        logged_out(client)
        return {"sent": first, "not_sent": second}

    def test_an_advisor_sees_only_the_case_sent_to_their_body(self, client, people, sent):
        login(client, people.advisor)
        listing = client.get("/backoffice/advice").get_data(as_text=True)
        assert '<a href="/backoffice/advice">Adviesvragen</a>' in listing  # the menu offers only their list
        assert '<a href="/backoffice/">' not in listing
        assert str(sent["sent"]) in listing
        assert str(sent["not_sent"]) not in listing
        assert client.get(f"{case_url(sent['sent'])}/advice").status_code == 200
        assert client.get(f"{case_url(sent['not_sent'])}/advice").status_code == 404
        assert client.get(f"{case_url(sent['not_sent'])}/declaration").status_code == 404

    def test_the_advisor_is_sent_to_their_list_from_every_other_page(self, client, people, sent):
        login(client, people.advisor)
        for url in ("/backoffice/", "/backoffice/calls", "/backoffice/parameters", "/backoffice/signatories"):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.headers["Location"] == "/backoffice/advice", url
        response = client.get(case_url(sent["sent"]))
        assert response.headers["Location"] == f"{case_url(sent['sent'])}/advice"

    def test_the_advisor_cannot_make_any_other_move(self, app, client, people, sent):
        login(client, people.advisor)
        for action in ("announce_refusal", "propose_grant", "request_additions"):
            assert act(client, sent["sent"], action, "Een poging.").status_code == 403
        assert post(client, f"{case_url(sent['sent'])}/assessment", {}).status_code == 403
        assert post(client, f"{case_url(sent['sent'])}/advice/request", {}).status_code == 403
        assert post(client, "/backoffice/calls", {}).status_code == 403
        with app.app_context():
            assert db.session.get(Application, sent["sent"]).state == "advice_requested"

    def test_an_advisor_of_another_body_sees_nothing(self, app, client, people, sent):
        from ldapply.models import AdvisoryBody

        with app.app_context():
            body = AdvisoryBody(name="Stad Leuven", regime_code="childcare")
            db.session.add(body)
            db.session.flush()
            accounts.create_user(
                email="leuven@stad.be", name="Lotte", password=PASSWORD, roles=(Role.ADVISOR,), advisory_body=body
            )
            db.session.commit()
        login(client, type("P", (), {"email": "leuven@stad.be"}))
        assert client.get(f"{case_url(sent['sent'])}/advice").status_code == 404
        assert str(sent["sent"]) not in client.get("/backoffice/advice").get_data(as_text=True)

    def test_the_advisor_advises_and_never_decides(self, app, client, people, sent):
        login(client, people.advisor)
        assert give_advice(client, sent["sent"]).status_code == 302
        with app.app_context():
            assert db.session.get(Application, sent["sent"]).state == "substantive_review"
            advisor = db.session.get(User, people.advisor.id)
            assert Role.DECISION_MAKER not in staff.case_roles(advisor, db.session.get(Application, sent["sent"]))
        assert act(client, sent["sent"], "confirm_grant").status_code == 403

    def test_the_advisors_list_costs_a_bounded_number_of_statements(self, app, client, people, sent):
        login(client, people.advisor)
        client.get("/backoffice/advice")
        with count_statements(app) as statements:
            assert client.get("/backoffice/advice").status_code == 200
        assert len(statements) <= 5, statements


class TestDemoAccounts:
    def test_the_seed_makes_a_single_regime_reviewer_and_an_advisor_of_a_body(self, app):
        from ldapply.cli import seed_demo

        with app.app_context():
            shown = seed_demo()
            assert seed_demo() == shown  # a second seed changes nothing
            one = accounts.find_user_by_email("eenregeling@demo.ldapply.be")
            assert [(g.role, g.regime_code is not None) for g in one.role_grants] == [("reviewer", True)]
            advisor = accounts.find_user_by_email("adviseur@demo.ldapply.be")
            [grant] = advisor.role_grants
            assert grant.role == Role.ADVISOR
            assert grant.advisory_body_id is not None
            assert staff.is_advisor_only(advisor)
