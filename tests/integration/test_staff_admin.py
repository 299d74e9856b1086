"""An admin manages staff in the back office: accounts (with a mail to choose a password), role grants for
one regime or every regime, advisory bodies and their advisors, deactivation (sessions end at once). Every
change is audited with old and new values; the last admin for every regime keeps that role."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from ldapply.extensions import db
from ldapply.models import AdvisoryBody, AuditEntry, Mail, RoleGrant, User
from ldapply.services import mail
from ldapply.workflows._spec import Role
from tests.support import PASSWORD, count_statements, csrf_token, login, post

NEW = {"email": "Nieuw@VO.be", "name": "Nele Nieuw", "locale": "nl", "role": "reviewer", "regime": "general"}


def audit_of(app: Flask, action: str) -> list[AuditEntry]:
    with app.app_context():
        found = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))
        db.session.expunge_all()
        return found


def grants_of(app: Flask, user_id: uuid.UUID) -> set[tuple[str, str | None]]:
    with app.app_context():
        return {
            (g.role, g.regime_code) for g in db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == user_id))
        }


def user_id_of(app: Flask, email: str) -> uuid.UUID:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def grant_id(app: Flask, user_id: uuid.UUID, role: str) -> uuid.UUID:
    with app.app_context():
        return db.session.scalar(select(RoleGrant.id).where(RoleGrant.user_id == user_id, RoleGrant.role == role))


@pytest.fixture
def admin(client: FlaskClient, people: Any) -> FlaskClient:
    login(client, people.admin)
    return client


class TestOnlyAdmins:
    @pytest.mark.parametrize("who", ["reviewer", "decision_maker", "general_reviewer"])
    def test_others_get_403(self, client, people, who):
        login(client, getattr(people, who))
        assert client.get("/backoffice/staff").status_code == 403
        assert client.get(f"/backoffice/staff/{people.reviewer.id}").status_code == 403
        assert client.get("/backoffice/advisory-bodies").status_code == 403
        assert post(client, "/backoffice/staff", NEW).status_code == 403
        assert post(client, f"/backoffice/staff/{people.reviewer.id}/active", {"active": "no"}).status_code == 403

    def test_an_advisor_is_sent_to_their_list(self, client, people):
        login(client, people.advisor)
        assert client.get("/backoffice/staff").headers["Location"] == "/backoffice/advice"


class TestAccounts:
    def test_the_list_shows_staff_with_their_grants_within_a_bound(self, app, admin, people):
        page = admin.get("/backoffice/staff").get_data(as_text=True)
        assert '<a href="/backoffice/staff">Personeel</a>' in page
        assert people.general_reviewer.email in page
        assert people.advisor.email in page
        assert "Kind en Gezin" in page
        assert people.applicant.email not in page
        with count_statements(app) as statements:
            assert admin.get("/backoffice/staff").status_code == 200
        assert len(statements) <= 8, statements

    def test_a_new_account_gets_its_role_and_a_mail_to_choose_a_password(self, app, admin, client):
        response = post(admin, "/backoffice/staff", NEW)
        assert response.status_code == 302, response.get_data(as_text=True)
        user_id = user_id_of(app, "nieuw@vo.be")
        assert grants_of(app, user_id) == {("reviewer", "general")}
        with app.app_context():
            [welcome] = db.session.scalars(select(Mail).where(Mail.recipient == "nieuw@vo.be"))
            link = next(link for link in mail.links_in(welcome.body) if "/password/reset/" in link)
        [created] = audit_of(app, "staff.account_created")
        assert created.new["grant"]["role"] == "reviewer"
        assert created.new["grant"]["regime_code"] == "general"
        # The new colleague chooses a password with the link and is in the back office.
        admin.post("/logout", data={"csrf_token": csrf_token(admin)})
        path = link.split("://", 1)[1].split("/", 1)[1]
        token = path.rsplit("/", 1)[1]
        response = post(client, "/password/reset", {"token": token, "password": PASSWORD, "password_again": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        assert client.get("/backoffice/").status_code == 200

    def test_bad_input_is_said_and_nothing_is_saved(self, app, admin):
        response = post(admin, "/backoffice/staff", {**NEW, "email": "geen-adres", "role": ""})
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        assert "Vul een geldig e-mailadres in." in text
        assert "Kies een rol." in text
        assert user_id_of(app, "geen-adres") is None

    def test_an_advisor_needs_a_body(self, app, admin):
        response = post(admin, "/backoffice/staff", {**NEW, "role": "advisor", "regime": ""})
        assert response.status_code == 400
        assert "Kies het adviesorgaan" in response.get_data(as_text=True)
        assert user_id_of(app, "nieuw@vo.be") is None

    def test_an_existing_address_gets_the_role_on_its_account(self, app, admin, people):
        response = post(admin, "/backoffice/staff", {**NEW, "email": people.applicant.email, "role": "reviewer"})
        assert response.status_code == 302
        assert grants_of(app, people.applicant.id) == {("reviewer", "general")}
        with app.app_context():
            assert db.session.scalar(select(Mail.id).where(Mail.subject == "Uw account bij ldapply")) is None


class TestGrants:
    def test_grant_and_revoke_a_role_for_one_regime_audited(self, app, admin, people):
        user_id = people.general_reviewer.id
        data = {"role": "decision_maker", "regime": "childcare"}
        assert post(admin, f"/backoffice/staff/{user_id}/grants", data).status_code == 302
        assert grants_of(app, user_id) == {("reviewer", "general"), ("decision_maker", "childcare")}
        [granted] = audit_of(app, "staff.granted")
        assert granted.new == {
            "user_id": str(user_id),
            "role": "decision_maker",
            "regime_code": "childcare",
            "advisory_body_id": None,
        }
        given = grant_id(app, user_id, "decision_maker")
        assert post(admin, f"/backoffice/staff/{user_id}/grants/revoke", {"grant_id": str(given)}).status_code == 302
        assert grants_of(app, user_id) == {("reviewer", "general")}
        [revoked] = audit_of(app, "staff.revoked")
        assert revoked.old["role"] == "decision_maker"
        assert revoked.new is None

    def test_a_grant_held_already_is_refused(self, app, admin, people):
        response = post(
            admin, f"/backoffice/staff/{people.general_reviewer.id}/grants", {"role": "reviewer", "regime": "general"}
        )
        assert response.status_code == 409
        assert "heeft deze rol al" in response.get_data(as_text=True)

    def test_a_role_for_every_regime(self, app, admin, people):
        data = {"role": "reviewer", "regime": ""}
        assert post(admin, f"/backoffice/staff/{people.decision_maker.id}/grants", data).status_code == 302
        assert ("reviewer", None) in grants_of(app, people.decision_maker.id)

    def test_an_advisor_grant_names_the_body_and_takes_its_regime(self, app, admin, people):
        data = {"role": "advisor", "regime": "", "body": str(people.advisory_body_id)}
        assert post(admin, f"/backoffice/staff/{people.reviewer.id}/grants", data).status_code == 302
        with app.app_context():
            advisor = db.session.scalar(
                select(RoleGrant).where(RoleGrant.user_id == people.reviewer.id, RoleGrant.role == Role.ADVISOR)
            )
            assert advisor.advisory_body_id == people.advisory_body_id
            assert advisor.regime_code == "childcare"

    def test_the_last_admin_for_every_regime_keeps_the_role(self, app, admin, people):
        own = grant_id(app, people.admin.id, "admin")
        response = post(admin, f"/backoffice/staff/{people.admin.id}/grants/revoke", {"grant_id": str(own)})
        assert response.status_code == 302
        assert "laatste beheerder" in admin.get(f"/backoffice/staff/{people.admin.id}").get_data(as_text=True)
        assert grants_of(app, people.admin.id) == {("admin", None)}
        assert post(admin, f"/backoffice/staff/{people.admin.id}/active", {"active": "no"}).status_code == 302
        with app.app_context():
            assert db.session.get(User, people.admin.id).active is True
        assert audit_of(app, "staff.revoked") == []

    def test_with_a_second_admin_the_first_may_go(self, app, admin, people):
        data = {"role": "admin", "regime": ""}
        assert post(admin, f"/backoffice/staff/{people.reviewer.id}/grants", data).status_code == 302
        own = grant_id(app, people.admin.id, "admin")
        assert (
            post(admin, f"/backoffice/staff/{people.admin.id}/grants/revoke", {"grant_id": str(own)}).status_code == 302
        )
        assert grants_of(app, people.admin.id) == set()

    def test_an_admin_for_one_regime_grants_only_under_it(self, app, client, people):
        from ldapply.services import accounts

        with app.app_context():
            accounts.create_user(
                email="adm-gen@vo.be", name="Gina", password=PASSWORD, roles=(Role.ADMIN,), regime_code="general"
            )
            db.session.commit()
        login(client, type("P", (), {"email": "adm-gen@vo.be"}))
        target = people.decision_maker.id
        assert (
            post(client, f"/backoffice/staff/{target}/grants", {"role": "reviewer", "regime": "general"}).status_code
            == 302
        )
        refused = post(client, f"/backoffice/staff/{target}/grants", {"role": "reviewer", "regime": "childcare"})
        assert refused.status_code == 400  # not among the regimes offered
        refused = post(client, f"/backoffice/staff/{target}/grants", {"role": "reviewer", "regime": ""})
        assert refused.status_code == 403  # every regime: only an admin for every regime
        assert grants_of(app, target) == {("decision_maker", None), ("reviewer", "general")}
        everywhere = grant_id(app, target, "decision_maker")
        assert (
            post(client, f"/backoffice/staff/{target}/grants/revoke", {"grant_id": str(everywhere)}).status_code == 403
        )


class TestDeactivation:
    def test_a_deactivated_user_is_logged_out_at_once_and_cannot_log_in(self, app, admin, people):
        other = app.test_client()
        login(other, people.reviewer)
        assert other.get("/backoffice/").status_code == 200
        assert post(admin, f"/backoffice/staff/{people.reviewer.id}/active", {"active": "no"}).status_code == 302
        response = other.get("/backoffice/")
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
        refused = other.post(
            "/login", data={"email": people.reviewer.email, "password": PASSWORD, "csrf_token": csrf_token(other)}
        )
        assert refused.status_code == 200
        [entry] = audit_of(app, "staff.deactivated")
        assert entry.old == {"active": True}
        assert entry.new["active"] is False
        assert post(admin, f"/backoffice/staff/{people.reviewer.id}/active", {"active": "yes"}).status_code == 302
        login(other, people.reviewer)
        assert other.get("/backoffice/").status_code == 200


class TestAdvisoryBodies:
    def test_create_and_deactivate_a_body_audited(self, app, admin, people):
        assert post(admin, "/backoffice/advisory-bodies", {"name": "Stad Gent", "regime": "general"}).status_code == 302
        with app.app_context():
            body = db.session.scalar(select(AdvisoryBody).where(AdvisoryBody.name == "Stad Gent"))
            assert body.regime_code == "general"
            body_id = body.id
        duplicate = post(admin, "/backoffice/advisory-bodies", {"name": "stad gent", "regime": ""})
        assert duplicate.status_code == 400
        assert "al een adviesorgaan met die naam" in duplicate.get_data(as_text=True)
        assert post(admin, f"/backoffice/advisory-bodies/{body_id}/active", {"active": "no"}).status_code == 302
        with app.app_context():
            assert db.session.get(AdvisoryBody, body_id).active is False
        [created] = audit_of(app, "advisory_body.created")
        assert created.new == {"name": "Stad Gent", "regime_code": "general", "active": True}
        [deactivated] = audit_of(app, "advisory_body.deactivated")
        assert deactivated.old == {"active": True}

    def test_the_page_lists_the_bodies(self, admin):
        page = admin.get("/backoffice/advisory-bodies").get_data(as_text=True)
        assert "Kind en Gezin" in page
        assert re.search(r"Kind en Gezin</td>\s*<td>Lokale diensten buurtgerichte kinderopvang", page)
