"""Who may reach what: organisations see only their own applications, only staff reach the back office."""

from __future__ import annotations

import pytest

from ldapply.extensions import db
from ldapply.models import Letter, Upload
from ldapply.tasks import render_letter
from tests.support import csrf_token, login, post, start_application, submitted_application


@pytest.fixture
def ids(app, client, people):
    """One submitted application of organisation A, with an upload and a letter."""
    application_id = submitted_application(client, people)
    with app.app_context():
        upload_id = db.session.scalar(db.select(Upload.id))
        letter_id = db.session.scalar(db.select(Letter.id))
        render_letter(str(letter_id))
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    return {
        "application_id": application_id,
        "upload_id": upload_id,
        "letter_id": letter_id,
        "slug": "service",
        "code": "general",
        "action": "propose_grant",
        "signatory_id": "00000000-0000-4000-8000-000000000000",
        "job_id": "00000000-0000-4000-8000-000000000000",
        "user_id": "00000000-0000-4000-8000-000000000000",
        "body_id": "00000000-0000-4000-8000-000000000000",
        "regime_code": "general",
        "kind": "receipt",
        "name": "decision",  # a clock's name (a parameter's, on the parameters routes)
        "version": 1,  # a regime's version
        "closing_day_id": "00000000-0000-4000-8000-000000000000",
    }


def id_routes(app):
    """Every route that takes an application id: the inventory that must stay fully covered."""
    for rule in app.url_map.iter_rules():
        if "application_id" in rule.arguments:
            yield rule


def url_for_rule(app, rule, ids) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments})


def call(client, rule, url):
    if "POST" in rule.methods and "GET" not in rule.methods:
        return post(client, url)
    return client.get(url)


class TestOrganisationIsolation:
    def test_the_inventory_of_id_routes_is_not_empty(self, app):
        assert len(list(id_routes(app))) >= 8

    def test_another_organisation_gets_404_on_every_id_route(self, app, client, people, ids):
        login(client, people.other_applicant)
        for rule in id_routes(app):
            if rule.endpoint.startswith("backoffice."):
                continue  # the back office answers 403 to every applicant, tested below
            response = call(client, rule, url_for_rule(app, rule, ids))
            assert response.status_code == 404, rule.endpoint

    def test_own_organisation_reaches_every_applicant_id_route(self, app, client, people, ids):
        login(client, people.applicant)
        for rule in id_routes(app):
            if rule.endpoint.startswith("backoffice.") or "POST" in rule.methods:
                continue
            response = client.get(url_for_rule(app, rule, ids))
            assert response.status_code in (200, 302), rule.endpoint

    def test_an_applicant_gets_403_on_every_back_office_route(self, app, client, people, ids):
        login(client, people.applicant)
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("backoffice."):
                response = call(client, rule, url_for_rule(app, rule, ids))
                assert response.status_code == 403, rule.endpoint

    def test_an_unknown_application_id_is_404_for_staff(self, client, people):
        login(client, people.reviewer)
        assert client.get("/backoffice/applications/00000000-0000-0000-0000-000000000000").status_code == 404

    def test_staff_do_not_see_drafts(self, app, client, people):
        login(client, people.applicant)
        draft_id = start_application(client)
        login(client, people.reviewer)
        assert client.get(f"/backoffice/applications/{draft_id}").status_code == 404


class TestAnonymousVisitors:
    def test_pages_send_anonymous_visitors_to_the_login_page(self, client):
        response = client.get("/")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")

    def test_back_office_sends_anonymous_visitors_to_the_login_page(self, client):
        response = client.get("/backoffice/")
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


class TestCsrf:
    def test_a_post_without_a_token_is_refused(self, client, people):
        login(client, people.applicant)
        response = client.post("/applications", data={"regime": "general"})
        assert response.status_code == 400
        assert "sessie is verlopen" in response.get_data(as_text=True)

    def test_login_without_a_token_is_refused(self, client, people):
        response = client.post("/login", data={"email": people.applicant.email, "password": "x"})
        assert response.status_code == 400

    def test_every_post_route_refuses_a_missing_token(self, app, client, people, ids):
        login(client, people.reviewer)
        for rule in app.url_map.iter_rules():
            if "POST" in rule.methods:
                url = url_for_rule(app, rule, ids) if rule.arguments else rule.rule
                assert client.post(url, data={}).status_code == 400, rule.endpoint


class TestSessions:
    def test_logout_invalidates_the_old_session_cookie_on_the_server(self, client, people):
        login(client, people.applicant)
        stolen = client.get_cookie("session").value
        client.post("/logout", data={"csrf_token": csrf_token(client)})
        client.set_cookie("session", stolen)
        response = client.get("/")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")

    def test_a_wrong_password_gets_one_message_that_does_not_tell_which_part_was_wrong(self, client, people):
        response = client.post(
            "/login", data={"email": people.applicant.email, "password": "wrong", "csrf_token": csrf_token(client)}
        )
        unknown = client.post(
            "/login", data={"email": "nobody@x.be", "password": "wrong", "csrf_token": csrf_token(client)}
        )
        assert response.status_code == unknown.status_code == 200
        assert "Het e-mailadres of het wachtwoord klopt niet." in response.get_data(as_text=True)
        assert "Het e-mailadres of het wachtwoord klopt niet." in unknown.get_data(as_text=True)

    def test_a_next_parameter_cannot_send_the_user_to_another_site(self, client, people):
        response = client.post(
            "/login?next=//evil.example/",
            data={
                "email": people.applicant.email,
                "password": "correct horse battery staple",
                "csrf_token": csrf_token(client),
            },
        )
        assert response.headers["Location"] == "/"


class TestHeaders:
    @pytest.mark.parametrize("path", ["/login", "/does-not-exist", "/healthz"])
    def test_every_response_carries_the_security_headers(self, client, path):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
