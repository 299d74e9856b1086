"""The conflict-of-interest gate: before a first look at a case's content, staff declare no conflict with
the applying organisation or recuse themselves; a recused person sees nothing of the case and does nothing
in it; a member of the applying organisation is recused without asking; every choice is in the audit trail."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from ldapply.extensions import db
from ldapply.models import AuditEntry, ConflictDeclaration, Letter, Organisation, Upload
from ldapply.services import accounts
from ldapply.tasks import render_letter
from ldapply.workflows import get_regime
from ldapply.workflows._spec import Role
from tests.support import (
    PASSWORD,
    act,
    count_statements,
    csrf_token,
    declare_no_conflict,
    login,
    post,
    submitted_application,
)

SERVICE_DESCRIPTION = "Een fietspunt aan het station."  # an answer of the general regime's application


def gated(client: FlaskClient) -> FlaskClient:
    """The client as it is, not declaring by itself when the gate asks."""
    client.declares_when_asked = False  # type: ignore[attr-defined]
    return client


def case_url(application_id: uuid.UUID) -> str:
    return f"/backoffice/applications/{application_id}"


def declaration_url(application_id: uuid.UUID) -> str:
    return f"{case_url(application_id)}/declaration"


def recuse(client: FlaskClient, application_id: uuid.UUID, reason: str = "Ik ben bestuurder van deze vzw.") -> Any:
    return post(client, declaration_url(application_id), {"choice": "recuse", "reason": reason})


def audit_actions(app: Flask, application_id: uuid.UUID) -> list[tuple[str, dict[str, Any] | None]]:
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.application_id == application_id).order_by(AuditEntry.seq)
        )
        return [(e.action, e.new) for e in entries if e.action.startswith("conflict.")]


@pytest.fixture
def case(app: Flask, client: FlaskClient, people: Any) -> dict[str, uuid.UUID]:
    """A submitted general case with an upload and a rendered receipt; the client is logged out."""
    application_id = submitted_application(client, people)
    with app.app_context():
        upload_id = db.session.scalar(select(Upload.id).where(Upload.application_id == application_id))
        letter_id = db.session.scalar(select(Letter.id).where(Letter.application_id == application_id))
        render_letter(str(letter_id))
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    return {"application": application_id, "upload": upload_id, "letter": letter_id}


def content_urls(ids: dict[str, uuid.UUID]) -> list[str]:
    base = case_url(ids["application"])
    return [
        base,
        f"{base}/uploads/{ids['upload']}",
        f"{base}/letters/{ids['letter']}",
        f"{base}/actions/confirm_grant/confirm",
        f"{base}/actions/start_admissibility/preview",
    ]


class TestTheFirstVisit:
    @pytest.mark.parametrize("who", ["reviewer", "decision_maker", "admin"])
    def test_every_member_of_staff_is_sent_to_the_declaration_first(self, client, people, case, who):
        login(gated(client), getattr(people, who))
        for url in content_urls(case):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith(declaration_url(case["application"]) + "?next="), url

    def test_a_move_is_refused_until_declared_and_nothing_moves(self, app, client, people, case):
        login(gated(client), people.reviewer)
        response = act(client, case["application"], "start_admissibility")
        assert response.status_code == 302
        assert response.headers["Location"].startswith(declaration_url(case["application"]))
        assert "Ontvankelijkheidsonderzoek" not in client.get(f"/applications/{case['application']}").get_data(
            as_text=True
        )

    def test_the_declaration_page_shows_who_applies_and_not_what_they_wrote(self, client, people, case):
        login(gated(client), people.reviewer)
        page = client.get(declaration_url(case["application"])).get_data(as_text=True)
        assert "Buurtwerk De Brug vzw" in page
        assert "0403.170.701" in page
        assert get_regime("general").title.nl in page
        assert "Ik verklaar dat ik geen belangenconflict heb met deze organisatie" in page
        assert "Ik onthoud mij" in page
        assert SERVICE_DESCRIPTION not in page
        assert "/uploads/" not in page

    def test_the_declaration_page_costs_a_bounded_number_of_statements(self, app, client, people, case):
        login(gated(client), people.reviewer)
        client.get(declaration_url(case["application"]))
        with count_statements(app) as statements:
            assert client.get(declaration_url(case["application"])).status_code == 200
        assert len(statements) <= 6, statements


class TestDeclaring:
    def test_declaring_opens_the_page_asked_for_and_is_audited(self, app, client, people, case):
        login(gated(client), people.reviewer)
        asked = client.get(f"{case_url(case['application'])}/uploads/{case['upload']}").headers["Location"]
        response = post(client, asked, {"choice": "declare", "no_conflict": "y"})
        assert response.status_code == 302
        assert response.headers["Location"].startswith(f"{case_url(case['application'])}/uploads/{case['upload']}")
        assert client.get(case_url(case["application"])).status_code == 200
        assert SERVICE_DESCRIPTION in client.get(case_url(case["application"]) + "/answers").get_data(as_text=True)
        [(action, new)] = audit_actions(app, case["application"])
        assert action == "conflict.declared"
        assert new is not None
        assert new["recused"] is False
        assert new["user_id"] == str(people.reviewer.id)

    def test_without_the_box_ticked_nothing_is_recorded(self, app, client, people, case):
        login(gated(client), people.reviewer)
        response = post(client, declaration_url(case["application"]), {"choice": "declare"})
        assert response.status_code == 400
        assert "Vink de verklaring aan" in response.get_data(as_text=True)
        with app.app_context():
            assert db.session.scalar(select(ConflictDeclaration.id)) is None
        assert client.get(case_url(case["application"])).status_code == 302

    def test_the_next_page_is_never_another_site(self, client, people, case):
        login(gated(client), people.reviewer)
        response = post(
            client,
            f"{declaration_url(case['application'])}?next=//evil.example/",
            {"choice": "declare", "no_conflict": "y"},
        )
        assert response.headers["Location"] == case_url(case["application"])

    def test_a_declaration_is_made_once_per_person_and_case(self, app, client, people, case):
        login(gated(client), people.reviewer)
        declare_no_conflict(client, case["application"])
        declare_no_conflict(client, case["application"])
        assert [a for a, _ in audit_actions(app, case["application"])] == ["conflict.declared"]
        login(client, people.decision_maker)
        assert client.get(case_url(case["application"])).status_code == 302  # each person declares for themselves


class TestRecusing:
    def test_a_recused_person_gets_403_on_every_content_page_and_every_move(self, app, client, people, case):
        login(gated(client), people.reviewer)
        response = recuse(client, case["application"])
        assert response.status_code == 302
        for url in [*content_urls(case), declaration_url(case["application"])]:
            response = client.get(url)
            assert response.status_code == 403, url
            assert "onthouden" in response.get_data(as_text=True)
        assert act(client, case["application"], "start_admissibility").status_code == 403
        assert post(client, f"{case_url(case['application'])}/assessment", {}).status_code == 403
        assert (
            post(client, declaration_url(case["application"]), {"choice": "declare", "no_conflict": "y"}).status_code
            == 403
        )
        [(action, new)] = audit_actions(app, case["application"])
        assert action == "conflict.recused"
        assert new is not None
        assert new["recused"] is True
        assert new["reason"] == "Ik ben bestuurder van deze vzw."

    def test_a_recusal_needs_a_reason(self, app, client, people, case):
        login(gated(client), people.reviewer)
        response = recuse(client, case["application"], reason="  ")
        assert response.status_code == 400
        assert "Geef de reden waarom u zich onthoudt." in response.get_data(as_text=True)
        with app.app_context():
            assert db.session.scalar(select(ConflictDeclaration.id)) is None

    def test_who_declared_may_still_recuse_when_a_conflict_comes_to_light(self, app, client, people, case):
        login(gated(client), people.reviewer)
        declare_no_conflict(client, case["application"])
        page = client.get(declaration_url(case["application"])).get_data(as_text=True)
        assert "geen belangenconflict hebt met deze organisatie" in page
        assert recuse(client, case["application"], "Mijn zus werd er net directeur.").status_code == 302
        assert client.get(case_url(case["application"])).status_code == 403
        actions = audit_actions(app, case["application"])
        assert [a for a, _ in actions] == ["conflict.declared", "conflict.recused"]

    def test_a_recusal_is_personal(self, client, people, case):
        login(gated(client), people.reviewer)
        recuse(client, case["application"])
        login(client, people.reviewer_and_decision_maker)
        declare_no_conflict(client, case["application"])
        assert client.get(case_url(case["application"])).status_code == 200


class TestMembersOfTheApplyingOrganisation:
    @pytest.fixture
    def member_of_staff(self, app: Flask, people: Any) -> Any:
        """A reviewer who is also a member of the organisation that applied."""
        with app.app_context():
            organisation = db.session.scalar(select(Organisation).where(Organisation.enterprise_number == "0403170701"))
            user = accounts.create_user(
                email="lid@vo.be", name="Lien", password=PASSWORD, roles=(Role.REVIEWER,), organisation=organisation
            )
            db.session.commit()
            return type("Member", (), {"email": user.email})

    def test_they_are_recused_without_asking_and_cannot_declare(self, app, client, people, case, member_of_staff):
        login(gated(client), member_of_staff)
        for url in [*content_urls(case), declaration_url(case["application"])]:
            response = client.get(url)
            assert response.status_code == 403, url
            assert "lid van de organisatie" in response.get_data(as_text=True)
        response = post(client, declaration_url(case["application"]), {"choice": "declare", "no_conflict": "y"})
        assert response.status_code == 403
        with app.app_context():
            assert db.session.scalar(select(ConflictDeclaration.id)) is None
