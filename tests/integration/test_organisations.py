"""Organisations as their people use them: register one, ask to join one, invite, remove, give roles, switch.

Mails go through the outbox to a real SMTP server; links in them are followed as a person would.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ldapply.extensions import db
from ldapply.models import Invitation, JoinRequest, Membership, Organisation, User
from ldapply.services import accounts
from tests.mailserver import body_of, deliver_mail, link_in
from tests.support import PASSWORD, csrf_token, login, post

ORGANISATION = {
    "name": "Klusdienst Het Anker vzw",
    "enterprise_number": "0417.497.106",
    "legal_form": "vzw",
    "street": "Ankerstraat 3",
    "postcode": "2000",
    "municipality": "Antwerpen",
}


class Someone:
    def __init__(self, email: str, name: str) -> None:
        self.email, self.name = email, name


@pytest.fixture
def newcomer(app, people):
    """A confirmed account in no organisation."""
    with app.app_context():
        accounts.create_user(email="nina@anker.be", name="Nina", password=PASSWORD)
        db.session.commit()
    return Someone("nina@anker.be", "Nina")


def membership_of(app, email: str, enterprise_number: str) -> Membership | None:
    with app.app_context():
        found = db.session.scalar(
            select(Membership)
            .join(Membership.user)
            .join(Membership.organisation)
            .where(User.email == email, Organisation.enterprise_number == enterprise_number)
        )
        db.session.expunge_all()
        return found


def add_member(app, email: str, name: str, enterprise_number: str = "0403170701", **roles: bool) -> Someone:
    with app.app_context():
        organisation = accounts.find_organisation(enterprise_number)
        accounts.create_user(
            email=email,
            name=name,
            password=PASSWORD,
            organisation=organisation,
            is_admin=roles.get("is_admin", False),
            is_signatory=roles.get("is_signatory", False),
        )
        db.session.commit()
    return Someone(email, name)


def set_role(client, membership: Membership, role: str, value: bool):
    data = {"membership_id": str(membership.id), "role": role, "value": "1" if value else "0"}
    return post(client, "/organisation/members/role", data)


def flashed(client) -> str:
    return client.get("/organisation/members").get_data(as_text=True)


class TestRegisterOrganisation:
    def test_an_invalid_enterprise_number_is_refused_beside_the_field_and_the_rest_is_kept(self, client, newcomer):
        login(client, newcomer)
        response = post(
            client, "/organisation/register", {**ORGANISATION, "enterprise_number": "0417.497.107", "postcode": "200"}
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Dit is geen geldig ondernemingsnummer" in page
        assert "Een Belgische postcode bestaat uit 4 cijfers" in page
        assert 'class="error-summary"' in page
        assert 'href="#enterprise_number"' in page
        assert 'value="Klusdienst Het Anker vzw"' in page
        assert 'value="Ankerstraat 3"' in page

    def test_a_valid_one_makes_the_registrant_its_first_administrator_and_signatory(self, app, client, newcomer):
        login(client, newcomer)
        response = post(client, "/organisation/register", {**ORGANISATION, "enterprise_number": "BE 0417 497 106"})
        assert response.status_code == 302
        assert response.headers["Location"] == "/"
        membership = membership_of(app, newcomer.email, "0417497106")  # stored compact
        assert membership is not None
        assert (membership.is_admin, membership.is_signatory) == (True, True)
        with app.app_context():
            organisation = db.session.get(Organisation, membership.organisation_id)
            assert (organisation.legal_form, organisation.postcode, organisation.municipality) == (
                "vzw",
                "2000",
                "Antwerpen",
            )
        members = client.get("/organisation/members").get_data(as_text=True)
        assert "0417.497.106" in members  # shown as people write it
        assert "Nina" in members

    def test_an_existing_organisation_is_joined_on_request_not_duplicated(self, app, client, newcomer, mail_server):
        login(client, newcomer)
        response = post(client, "/organisation/register", {**ORGANISATION, "enterprise_number": "0403.170.701"})
        page = response.get_data(as_text=True)
        assert "Deze organisatie is al geregistreerd" in page
        assert "Vraag om lid te worden" in page
        with app.app_context():
            assert db.session.scalar(select(db.func.count(Organisation.id))) == 2  # no duplicate

        asked = post(client, "/organisation/join", {"enterprise_number": "0403170701"})
        assert asked.headers["Location"] == "/organisation/register"
        post(client, "/organisation/join", {"enterprise_number": "0403170701"})  # asking twice: one request
        assert "U vroeg om lid te worden van Buurtwerk De Brug vzw" in client.get("/organisation/register").get_data(
            as_text=True
        )
        deliver_mail(app)
        to_admin = mail_server.last_to("an@a.be")
        assert "Nina" in to_admin["Subject"]
        assert "/organisation/members" in body_of(to_admin)

        login(client, Someone("an@a.be", "An"))
        with app.app_context():
            (join_request,) = db.session.scalars(select(JoinRequest)).all()
            join_request_id = str(join_request.id)
        assert "Nina" in client.get("/organisation/members").get_data(as_text=True)
        decided = post(
            client, "/organisation/join-requests/decide", {"join_request_id": join_request_id, "decision": "accept"}
        )
        assert decided.status_code == 302
        membership = membership_of(app, newcomer.email, "0403170701")
        assert membership is not None
        assert (membership.is_admin, membership.is_signatory) == (False, False)
        deliver_mail(app)
        assert "aanvaard" in mail_server.last_to(newcomer.email)["Subject"]
        # Decided once: the same request cannot be decided again.
        again = post(
            client, "/organisation/join-requests/decide", {"join_request_id": join_request_id, "decision": "refuse"}
        )
        assert again.status_code == 404


class TestInvitations:
    def test_a_colleague_without_an_account_registers_through_the_link(self, app, client, people, mail_server):
        login(client, people.applicant)
        response = post(client, "/organisation/invitations", {"email": "Collega@A.be"})
        assert response.status_code == 302
        assert "collega@a.be" in flashed(client)
        deliver_mail(app)
        invitation = mail_server.last_to("collega@a.be")
        assert "Buurtwerk De Brug vzw" in invitation["Subject"]
        link = link_in(invitation)

        post(client, "/logout")
        page = client.get(link).get_data(as_text=True)
        assert "Account aanmaken en lid worden" in page
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        short = post(client, "/invitations/register", {"token": token, "name": "Cas", "password": "kort"})
        assert "minstens 12 tekens" in short.get_data(as_text=True)
        joined = post(
            client,
            "/invitations/register",
            {"token": token, "name": "Cas Collega", "password": PASSWORD, "password_again": PASSWORD},
        )
        assert joined.status_code == 302
        assert joined.headers["Location"] == "/"
        assert "Cas Collega" in client.get("/").get_data(as_text=True)  # logged in
        membership = membership_of(app, "collega@a.be", "0403170701")
        assert membership is not None
        with app.app_context():
            assert db.session.get(User, membership.user_id).email_confirmed_at is not None  # the link confirmed it
        assert client.get(link).status_code == 404  # used once

    def test_someone_with_an_account_logs_in_and_accepts_in_one_click(self, app, client, people, mail_server):
        login(client, people.applicant)
        post(client, "/organisation/invitations", {"email": people.other_applicant.email})
        deliver_mail(app)
        link = link_in(mail_server.last_to(people.other_applicant.email))
        post(client, "/logout")

        to_login = client.get(link)
        assert to_login.status_code == 302
        assert to_login.headers["Location"].startswith("/login?next=/invitations/")
        login(client, people.other_applicant)
        page = client.get(link).get_data(as_text=True)
        assert "Uitnodiging aanvaarden" in page
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        accepted = post(client, "/invitations/accept", {"token": token})
        assert accepted.status_code == 302
        assert membership_of(app, people.other_applicant.email, "0403170701") is not None
        header = client.get("/").get_data(as_text=True)
        assert 'id="organisation-switch"' in header  # a member of two organisations chooses

    def test_a_revoked_invitation_no_longer_works(self, app, client, people, mail_server):
        login(client, people.applicant)
        post(client, "/organisation/invitations", {"email": "weg@a.be"})
        deliver_mail(app)
        link = link_in(mail_server.last_to("weg@a.be"))
        with app.app_context():
            invitation_id = str(db.session.scalar(select(Invitation.id)))
        assert post(client, "/organisation/invitations/revoke", {"invitation_id": invitation_id}).status_code == 302
        post(client, "/logout")
        assert client.get(link).status_code == 404

    def test_inviting_a_member_is_refused_beside_the_field(self, client, people):
        login(client, people.applicant)
        response = post(client, "/organisation/invitations", {"email": people.applicant.email})
        assert response.status_code == 200
        assert "is al lid van de organisatie" in response.get_data(as_text=True)


class TestMembers:
    def test_removing_a_member_asks_for_confirmation_first(self, app, client, people):
        preparer = add_member(app, "piet@a.be", "Piet")
        membership = membership_of(app, preparer.email, "0403170701")
        login(client, people.applicant)
        confirm = client.get(f"/organisation/members/{membership.id}/remove").get_data(as_text=True)
        assert "Piet verwijderen uit Buurtwerk De Brug vzw?" in confirm
        assert membership_of(app, preparer.email, "0403170701") is not None  # nothing happened yet
        removed = post(client, "/organisation/members/remove", {"membership_id": str(membership.id)})
        assert removed.status_code == 302
        assert membership_of(app, preparer.email, "0403170701") is None
        assert "Piet is geen lid meer van de organisatie." in flashed(client)

    def test_the_last_administrator_is_kept(self, app, client, people):
        own = membership_of(app, people.applicant.email, "0403170701")
        login(client, people.applicant)
        assert "Uzelf verwijderen" in client.get(f"/organisation/members/{own.id}/remove").get_data(as_text=True)
        post(client, "/organisation/members/remove", {"membership_id": str(own.id)})
        assert "laatste beheerder" in flashed(client)
        set_role(client, own, "is_admin", False)
        assert "altijd een beheerder nodig" in flashed(client)
        assert membership_of(app, people.applicant.email, "0403170701").is_admin

        add_member(app, "bea@a.be", "Bea", is_admin=True)
        set_role(client, own, "is_admin", False)  # with a second administrator it may go
        assert not membership_of(app, people.applicant.email, "0403170701").is_admin
        assert client.get("/organisation/members").status_code == 403  # no longer an administrator

    def test_an_administrator_gives_and_takes_the_signatory_role(self, app, client, people):
        add_member(app, "piet@a.be", "Piet")
        membership = membership_of(app, "piet@a.be", "0403170701")
        login(client, people.applicant)
        assert "Ondertekenaar maken" in client.get("/organisation/members").get_data(as_text=True)
        set_role(client, membership, "is_signatory", True)
        assert membership_of(app, "piet@a.be", "0403170701").is_signatory
        set_role(client, membership, "is_signatory", False)
        assert not membership_of(app, "piet@a.be", "0403170701").is_signatory

    def test_every_change_needs_a_csrf_token(self, app, client, people):
        membership = membership_of(app, people.applicant.email, "0403170701")
        login(client, people.applicant)
        for path, data in [
            ("/organisation/members/role", {"membership_id": str(membership.id), "role": "is_admin", "value": "0"}),
            ("/organisation/members/remove", {"membership_id": str(membership.id)}),
            ("/organisation/invitations", {"email": "x@a.be"}),
            ("/organisation/register", ORGANISATION),
            ("/organisation/switch", {"organisation_id": str(membership.organisation_id)}),
        ]:
            assert client.post(path, data=data).status_code == 400, path
        assert membership_of(app, people.applicant.email, "0403170701").is_admin


class TestIsolation:
    def test_an_administrator_of_one_organisation_cannot_manage_another(self, app, client, people, mail_server):
        other = membership_of(app, people.other_applicant.email, "0123456749")
        login(client, people.other_applicant)
        post(client, "/organisation/invitations", {"email": "iemand@b.be"})
        with app.app_context():
            invitation_id = str(db.session.scalar(select(Invitation.id)))
            db.session.add(JoinRequest(organisation_id=other.organisation_id, user_id=people.reviewer.id))
            db.session.commit()
            join_request_id = str(db.session.scalar(select(JoinRequest.id)))

        login(client, people.applicant)  # administrator of organisation A
        assert "Bo" not in client.get("/organisation/members").get_data(as_text=True)
        assert set_role(client, other, "is_signatory", False).status_code == 404
        assert client.get(f"/organisation/members/{other.id}/remove").status_code == 404
        assert post(client, "/organisation/members/remove", {"membership_id": str(other.id)}).status_code == 404
        assert post(client, "/organisation/invitations/revoke", {"invitation_id": invitation_id}).status_code == 404
        decide = {"join_request_id": join_request_id, "decision": "accept"}
        assert post(client, "/organisation/join-requests/decide", decide).status_code == 404
        assert post(client, "/organisation/switch", {"organisation_id": str(other.organisation_id)}).status_code == 404
        assert membership_of(app, people.other_applicant.email, "0123456749").is_signatory
        assert membership_of(app, people.reviewer.email, "0123456749") is None

    def test_a_member_who_is_no_administrator_gets_403_and_no_members_link(self, app, client, people):
        preparer = add_member(app, "piet@a.be", "Piet")
        login(client, preparer)
        assert 'href="/organisation/members"' not in client.get("/").get_data(as_text=True)
        assert client.get("/organisation/members").status_code == 403
        assert post(client, "/organisation/invitations", {"email": "x@a.be"}).status_code == 403

    def test_the_switch_chooses_the_organisation_acted_for(self, app, client, people):
        with app.app_context():
            org_b = accounts.find_organisation("0123456749")
            user = db.session.get(User, people.applicant.id)
            db.session.add(Membership(user=user, organisation=org_b))  # a plain member of B
            db.session.commit()
            org_b_id = str(org_b.id)
        login(client, people.applicant)
        assert client.get("/organisation/members").status_code == 200  # acting for A, its administrator
        switched = post(client, "/organisation/switch", {"organisation_id": org_b_id})
        assert switched.status_code == 302
        assert f'value="{org_b_id}" selected' in client.get("/").get_data(as_text=True)
        assert client.get("/organisation/members").status_code == 403  # not an administrator of B


def test_csrf_token_helper_reaches_the_members_page(client, people):
    login(client, people.applicant)
    assert csrf_token(client, "/organisation/members")
