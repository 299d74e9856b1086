"""Organisations as their people use them: register one, ask to join one, invite, remove, give roles, switch.

Mails go through the outbox to a real SMTP server; links in them are followed as a person would.
"""

from __future__ import annotations

import re
import threading
import time

import pytest
from sqlalchemy import event, select

from ldapply.extensions import db
from ldapply.models import Invitation, JoinRequest, Membership, Organisation, User
from ldapply.services import accounts, organisations
from ldapply.services.errors import DomainError, Forbidden, NotFound
from tests.mailserver import body_of, deliver_mail, link_in
from tests.support import PASSWORD, csrf_token, login, post
from tests.support_audit import text_of

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
        waiting = client.get("/organisation/register").get_data(as_text=True)
        assert "Uw vraag om lid te worden van Buurtwerk De Brug vzw wacht op een beheerder" in waiting
        assert deliver_mail(app) == 1  # asked twice, one mail
        to_admin = mail_server.last_to("an@a.be")
        assert "Nina" in to_admin["Subject"]
        assert "/organisation/members?organisation=" in body_of(to_admin)

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
        # Decided once: a second decision (another administrator, a double click) changes nothing.
        again = post(
            client, "/organisation/join-requests/decide", {"join_request_id": join_request_id, "decision": "refuse"}
        )
        assert again.status_code == 302
        assert "Over deze vraag is al beslist" in flashed(client)
        assert membership_of(app, newcomer.email, "0403170701") is not None
        with app.app_context():
            assert db.session.get(JoinRequest, uuid_of(join_request_id)).accepted is True

    def test_two_registering_the_same_organisation_at_once_make_one(self, app, newcomer):
        def a_colleague_registers_it_first(*_args) -> None:
            with app.app_context():
                accounts.create_organisation(name="Het Anker", enterprise_number="0417497106")
                db.session.commit()

        details = organisations.OrganisationDetails(**ORGANISATION)
        with app.app_context():
            nina = accounts.find_user_by_email(newcomer.email)
            event.listen(db.session(), "before_flush", a_colleague_registers_it_first, once=True)
            with pytest.raises(organisations.OrganisationExists) as exists:
                organisations.register(nina, details)
            assert exists.value.organisation.name == "Het Anker"  # offered to ask to join it
            db.session.rollback()
            assert db.session.scalar(select(db.func.count(Organisation.id))) == 3

    def test_a_member_who_registers_the_organisation_again_just_acts_for_it(self, app, client, people):
        login(client, people.applicant)
        response = post(client, "/organisation/register", {**ORGANISATION, "enterprise_number": "0403.170.701"})
        assert response.headers["Location"] == "/"
        assert "U bent al lid van Buurtwerk De Brug vzw" in client.get("/").get_data(as_text=True)
        with app.app_context():
            assert db.session.scalars(select(JoinRequest)).all() == []

    def test_the_link_in_the_mail_to_an_administrator_opens_the_right_organisation(self, app, client, people):
        with app.app_context():
            org_b = accounts.find_organisation("0123456749")
            db.session.add(Membership(user_id=people.applicant.id, organisation=org_b, is_admin=True))
            db.session.commit()
            org_b_id = str(org_b.id)
        login(client, people.applicant)  # acting for A, the first
        page = client.get(f"/organisation/members?organisation={org_b_id}").get_data(as_text=True)
        assert "Leden van Andere Organisatie vzw" in page
        assert "U werkt nu voor Andere Organisatie vzw" in page
        other = client.get("/organisation/members?organisation=00000000-0000-4000-8000-000000000000")
        assert "Leden van Andere Organisatie vzw" in other.get_data(as_text=True)  # not a member: ignored


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

    def test_an_invitation_revoked_while_it_is_being_accepted_is_not_accepted(self, app, people):
        an = membership_of(app, people.applicant.email, "0403170701")
        with app.app_context():
            invitation = organisations.invite(db.session.get(Membership, an.id), people.other_applicant.email)
            db.session.commit()
            invitation_id = invitation.id
        with app.app_context():
            opened = db.session.get(Invitation, invitation_id)  # Bo's request read the open invitation
            with app.app_context():  # meanwhile An revokes it
                organisations.revoke_invitation(db.session.get(Membership, an.id), invitation_id)
                db.session.commit()
            assert opened.revoked_at is None  # what Bo's request read
            with pytest.raises(NotFound):
                organisations.accept_invitation(opened, db.session.get(User, people.other_applicant.id))
            db.session.rollback()
        assert membership_of(app, people.other_applicant.email, "0403170701") is None

    def test_the_registration_form_sent_twice_at_once_makes_one_account(self, app, people):
        an = membership_of(app, people.applicant.email, "0403170701")
        with app.app_context():
            invitation_id = organisations.invite(db.session.get(Membership, an.id), "cas@a.be").id
            db.session.commit()

        def the_other_request_commits_first(*_args) -> None:
            with app.app_context():  # the same form, sent a moment earlier, makes the account
                accounts.create_user(email="cas@a.be", name="Cas", password=PASSWORD)
                db.session.commit()

        with app.app_context():
            invitation = db.session.get(Invitation, invitation_id)
            event.listen(db.session(), "before_flush", the_other_request_commits_first, once=True)
            with pytest.raises(NotFound, match="al gebruikt"):
                organisations.register_through_invitation(invitation, name="Cas", password=PASSWORD, locale="nl")
            db.session.rollback()
        with app.app_context():
            assert len(db.session.scalars(select(User).where(User.email == "cas@a.be")).all()) == 1

    def test_inviting_twice_in_a_minute_is_one_invitation_and_one_mail(self, app, client, people, mail_server):
        login(client, people.applicant)
        post(client, "/organisation/invitations", {"email": "cas@a.be"})
        post(client, "/organisation/invitations", {"email": "cas@a.be"})
        assert deliver_mail(app) == 1
        with app.app_context():
            (invitation,) = db.session.scalars(select(Invitation)).all()
            assert invitation.revoked_at is None
        assert client.get(link_in(mail_server.last_to("cas@a.be"))).status_code == 200

    def test_invitations_are_limited_so_the_service_cannot_be_used_to_send_mail_to_anyone(self, client, people):
        login(client, people.applicant)
        for number in range(30):
            assert post(client, "/organisation/invitations", {"email": f"c{number}@a.be"}).status_code == 302
        assert post(client, "/organisation/invitations", {"email": "c30@a.be"}).status_code == 429

    def test_logged_in_with_another_address_the_invitation_is_refused_and_explained(
        self, app, client, people, mail_server
    ):
        login(client, people.applicant)
        post(client, "/organisation/invitations", {"email": "cas@a.be"})
        deliver_mail(app)
        link = link_in(mail_server.last_to("cas@a.be"))
        login(client, people.other_applicant)  # Bo opens Cas's link
        page = client.get(link).get_data(as_text=True)
        assert "Deze uitnodiging is voor cas@a.be, maar u bent aangemeld als bo@b.be" in page
        assert "Uitnodiging aanvaarden" not in page
        refused = post(client, "/invitations/accept", {"token": link.rpartition("/")[2]})
        assert refused.status_code == 403
        assert "Deze uitnodiging is voor cas@a.be" in refused.get_data(as_text=True)
        assert membership_of(app, people.other_applicant.email, "0403170701") is None

        onwards = post(client, "/logout", {"next": link})  # "log out and go on as cas@a.be"
        assert onwards.headers["Location"] == link
        assert "Account aanmaken en lid worden" in client.get(link).get_data(as_text=True)

    def test_an_unconfirmed_account_for_the_address_is_completed_through_the_link(
        self, app, client, people, mail_server
    ):
        """Someone signed up with Cas's address and a password of their own, and never confirmed it."""
        post(
            client,
            "/register",
            {
                "name": "Mallory",
                "email": "cas@a.be",
                "password": "wachtwoord van mallory",
                "password_again": "wachtwoord van mallory",
            },
        )
        login(client, people.applicant)
        post(client, "/organisation/invitations", {"email": "cas@a.be"})
        deliver_mail(app)
        link = link_in(mail_server.last_to("cas@a.be"))
        post(client, "/logout")
        page = client.get(link).get_data(as_text=True)
        assert "Account aanmaken en lid worden" in page
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        joined = post(
            client,
            "/invitations/register",
            {"token": token, "name": "Cas Collega", "password": PASSWORD, "password_again": PASSWORD},
        )
        assert joined.status_code == 302
        assert membership_of(app, "cas@a.be", "0403170701") is not None
        post(client, "/logout")
        stale = client.post(
            "/login", data={"email": "cas@a.be", "password": "wachtwoord van mallory", "csrf_token": csrf_token(client)}
        )
        assert "klopt niet" in stale.get_data(as_text=True)

    def test_accepting_an_invitation_settles_ones_own_request_to_join(self, app, client, newcomer, mail_server):
        login(client, newcomer)
        post(client, "/organisation/join", {"enterprise_number": "0403170701"})
        login(client, Someone("an@a.be", "An"))
        post(client, "/organisation/invitations", {"email": newcomer.email})
        deliver_mail(app)
        link = link_in(mail_server.last_to(newcomer.email))
        login(client, newcomer)
        token = re.search(r'name="token" value="([^"]+)"', client.get(link).get_data(as_text=True)).group(1)
        assert post(client, "/invitations/accept", {"token": token}).status_code == 302
        login(client, Someone("an@a.be", "An"))
        assert "Vragen om lid te worden" not in client.get("/organisation/members").get_data(as_text=True)

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
        page = client.get("/organisation/members").get_data(as_text=True)  # no longer an administrator
        assert "Alleen een beheerder kan collega's uitnodigen" in page
        assert "Uitnodiging versturen" not in page
        assert set_role(client, own, "is_admin", True).status_code == 403

    def test_two_administrators_demoting_each_other_at_once_leave_one(self, app, people):
        bea = add_member(app, "bea@a.be", "Bea", is_admin=True)
        an_id = membership_of(app, people.applicant.email, "0403170701").id
        bea_id = membership_of(app, bea.email, "0403170701").id
        outcome = race(
            app,
            lambda: organisations.set_role(db.session.get(Membership, an_id), bea_id, "is_admin", False),
            lambda: organisations.set_role(db.session.get(Membership, bea_id), an_id, "is_admin", False),
        )
        assert sorted(outcome) == ["done", "refused"]
        assert admins_of(app, "0403170701") == 1

    def test_two_administrators_removing_each_other_at_once_leave_one(self, app, people):
        bea = add_member(app, "bea@a.be", "Bea", is_admin=True)
        an_id = membership_of(app, people.applicant.email, "0403170701").id
        bea_id = membership_of(app, bea.email, "0403170701").id
        outcome = race(
            app,
            lambda: organisations.remove_member(db.session.get(Membership, an_id), bea_id),
            lambda: organisations.remove_member(db.session.get(Membership, bea_id), an_id),
        )
        assert sorted(outcome) == ["done", "refused"]
        assert admins_of(app, "0403170701") == 1

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
        shown = text_of(client.get("/organisation/members").get_data(as_text=True))  # the text, not a CSRF token
        assert people.other_applicant.name not in shown.split()
        assert people.other_applicant.email not in shown
        assert set_role(client, other, "is_signatory", False).status_code == 404
        assert client.get(f"/organisation/members/{other.id}/remove").status_code == 404
        assert post(client, "/organisation/members/remove", {"membership_id": str(other.id)}).status_code == 404
        assert post(client, "/organisation/invitations/revoke", {"invitation_id": invitation_id}).status_code == 404
        decide = {"join_request_id": join_request_id, "decision": "accept"}
        assert post(client, "/organisation/join-requests/decide", decide).status_code == 404
        assert post(client, "/organisation/switch", {"organisation_id": str(other.organisation_id)}).status_code == 404
        assert membership_of(app, people.other_applicant.email, "0123456749").is_signatory
        assert membership_of(app, people.reviewer.email, "0123456749") is None

    def test_a_member_who_is_no_administrator_sees_the_members_and_changes_nothing(self, app, client, people):
        preparer = add_member(app, "piet@a.be", "Piet")
        an = membership_of(app, people.applicant.email, "0403170701")
        login(client, preparer)
        assert "Leden en rollen" in client.get("/").get_data(as_text=True)
        page = client.get("/organisation/members").get_data(as_text=True)
        assert "Vraag het aan een beheerder: An." in page  # who to ask
        assert "Gemachtigd ondertekenaar" in page  # who may sign
        for control in ("Uitnodiging versturen", "Beheerder maken", "Verwijderen", "Intrekken"):
            assert control not in page, control
        assert post(client, "/organisation/invitations", {"email": "x@a.be"}).status_code == 403
        assert set_role(client, an, "is_signatory", False).status_code == 403
        assert post(client, "/organisation/members/remove", {"membership_id": str(an.id)}).status_code == 403
        assert client.get(f"/organisation/members/{an.id}/remove").status_code == 403
        assert membership_of(app, people.applicant.email, "0403170701").is_signatory

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
        page = client.get("/organisation/members").get_data(as_text=True)  # not an administrator of B
        assert "Leden van Andere Organisatie vzw" in page
        assert "Uitnodiging versturen" not in page


def uuid_of(text: str):
    import uuid

    return uuid.UUID(text)


def admins_of(app, enterprise_number: str) -> int:
    with app.app_context():
        organisation = accounts.find_organisation(enterprise_number)
        return len(organisations.administrators(organisation.id))


def race(app, first, second) -> list[str]:
    """Run two member changes as two requests would: the first has made its change and not yet committed
    when the second starts; each commits when done. Returns "done" or "refused" for each."""
    outcome: list[str] = []

    def run(change) -> None:
        try:
            change()
        except (DomainError, Forbidden):
            db.session.rollback()
            outcome.append("refused")
            return
        db.session.commit()
        outcome.append("done")

    def second_request() -> None:
        with app.app_context():
            run(second)

    with app.app_context():
        first()  # made, not committed
        thread = threading.Thread(target=second_request)
        thread.start()
        time.sleep(0.5)  # the second request reads and tries its change meanwhile
        db.session.commit()
        outcome.append("done")
    thread.join(20)
    return outcome


def test_csrf_token_helper_reaches_the_members_page(client, people):
    login(client, people.applicant)
    assert csrf_token(client, "/organisation/members")
