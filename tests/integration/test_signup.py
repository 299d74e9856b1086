"""Sign-up as a newcomer does it: register, receive the mail on a real SMTP server, confirm, log in.

Also the outbox itself: sent once, retried after a transient failure, written to a file without a server.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from ldapply.extensions import db
from ldapply.models import Mail, User
from ldapply.services import accounts, mail
from ldapply.tasks import send_mail
from tests.mailserver import body_of, deliver_mail, link_in
from tests.support import PASSWORD, csrf_token, post

NEW = {"name": "Nora Nieuw", "email": "nora@nieuw.be", "password": PASSWORD, "password_again": PASSWORD}


def register(client, **changes):
    return post(client, "/register", {**NEW, **changes})


def log_in(client, email=NEW["email"], password=PASSWORD):
    return post(client, "/login", {"email": email, "password": password})


def user_row(app, email=NEW["email"]):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge_all()
        return user


class TestSignUp:
    def test_sign_up_mail_confirm_and_log_in(self, app, client, mail_server):
        response = register(client)
        assert response.status_code == 302
        assert response.headers["Location"] == "/register/sent"
        assert "nora@nieuw.be" in client.get("/register/sent").get_data(as_text=True)
        assert user_row(app).email_confirmed_at is None

        assert deliver_mail(app) == 1
        message = mail_server.last_to("nora@nieuw.be")
        assert message["Subject"] == "Bevestig uw e-mailadres voor ldapply"
        assert message["From"] == app.config["MAIL_FROM"]
        assert "Beste Nora Nieuw" in body_of(message)

        confirmed = client.get(link_in(message))
        assert confirmed.status_code == 302
        assert confirmed.headers["Location"] == "/login"
        assert "Uw e-mailadres is bevestigd" in client.get("/login").get_data(as_text=True)
        assert user_row(app).email_confirmed_at is not None

        logged_in = log_in(client)
        assert logged_in.status_code == 302
        assert logged_in.headers["Location"] == "/organisation/register"  # no organisation yet
        assert "Organisatie registreren" in client.get("/organisation/register").get_data(as_text=True)

    def test_a_mail_is_sent_once_however_often_its_task_runs(self, app, client, mail_server):
        register(client)
        deliver_mail(app)
        with app.app_context():
            row = db.session.scalar(select(Mail))
            assert (row.status, row.attempts) == ("sent", 1)
            assert row.sent_at is not None
            send_mail(str(row.id))  # a duplicate delivery of the task
        assert len(mail_server.messages) == 1

    def test_an_unconfirmed_account_cannot_log_in_and_may_ask_a_new_link_once_a_minute(self, app, client, mail_server):
        register(client)
        refused = log_in(client)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 200
        assert "Bevestig eerst uw e-mailadres" in page
        assert "Stuur mij een nieuwe link" in page
        assert client.get("/").status_code == 302  # not logged in

        first = post(client, "/confirm/resend")
        assert first.headers["Location"] == "/register/sent"
        assert "We stuurden u een nieuwe link." in client.get("/register/sent").get_data(as_text=True)
        post(client, "/confirm/resend")
        assert "Wacht een minuut" in client.get("/register/sent").get_data(as_text=True)

        assert deliver_mail(app) == 2  # the first mail and one resend, not the second
        links = [link_in(m) for m in mail_server.to("nora@nieuw.be")]
        assert len(links) == 2
        assert client.get(links[-1]).status_code == 302
        assert log_in(client).headers["Location"] == "/organisation/register"

    def test_registering_an_address_that_has_an_account_does_not_tell(self, app, client, mail_server, people):
        taken = register(client, email=people.applicant.email, name="Iemand Anders")
        sent_page = client.get("/register/sent").get_data(as_text=True)
        fresh = register(client)
        assert taken.status_code == fresh.status_code == 302
        assert taken.headers["Location"] == fresh.headers["Location"]
        assert sent_page.replace(people.applicant.email, "X") == client.get("/register/sent").get_data(
            as_text=True
        ).replace("nora@nieuw.be", "X")

        with app.app_context():
            assert db.session.get(User, people.applicant.id).name == "An"  # nothing changed
        deliver_mail(app)
        warning = mail_server.last_to(people.applicant.email)
        assert warning["Subject"] == "U hebt al een account bij ldapply"
        assert "/login" in body_of(warning)
        assert "/confirm/" not in body_of(warning)
        assert log_in(client, people.applicant.email).status_code == 302  # the password is still theirs

    def test_the_form_says_what_is_wrong_and_keeps_what_was_typed(self, client):
        cases = {
            "short": ({"password": "kort", "password_again": "kort"}, "minstens 12 tekens"),
            "e-mail": (
                {"password": "nora@nieuw.be", "password_again": "nora@nieuw.be"},
                "niet hetzelfde zijn als uw e-mailadres",
            ),
            "mismatch": ({"password_again": PASSWORD + "x"}, "De twee wachtwoorden zijn niet hetzelfde."),
            "address": ({"email": "geen-adres"}, "Vul een geldig e-mailadres in"),
        }
        for name, (changes, message) in cases.items():
            response = register(client, **changes)
            page = response.get_data(as_text=True)
            assert response.status_code == 200, name
            assert message in page, name
            assert 'class="error-summary"' in page, name
            assert 'value="Nora Nieuw"' in page, name

    def test_an_altered_or_expired_link_confirms_nothing(self, app, client, mail_server):
        register(client)
        deliver_mail(app)
        link = link_in(mail_server.last_to("nora@nieuw.be"))
        assert client.get(link[:-2] + "xx").status_code == 400

        class TwoDaysAgo(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(time.time() - accounts.CONFIRM_MAX_AGE - 60)

        user = user_row(app)
        with app.app_context():
            old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=accounts.CONFIRM_SALT, signer=TwoDaysAgo)
            token = old.dumps({"user": str(user.id), "email": user.email})
        expired = client.get(f"/confirm/{token}")
        assert expired.status_code == 400
        assert "verlopen" in expired.get_data(as_text=True)
        assert user_row(app).email_confirmed_at is None

    def test_registering_needs_a_csrf_token(self, client):
        client.get("/register")
        assert client.post("/register", data=NEW).status_code == 400
        assert client.post("/confirm/resend", data={}).status_code == 400


class TestOutbox:
    def test_a_server_that_cannot_be_reached_leaves_the_mail_pending_for_a_retry(self, app, mail_server):
        with app.app_context():
            queued = mail.queue_mail("x@y.be", "Onderwerp", "Tekst")
            db.session.commit()
            mail_id = queued.id
            app.config["MAIL_URL"] = "smtp://127.0.0.1:9"  # nothing listens on the discard port
            try:
                with pytest.raises(mail.TransientMailError):
                    mail.deliver(mail_id)
            finally:
                app.config["MAIL_URL"] = mail_server.url
            row = db.session.get(Mail, mail_id)
            assert (row.status, row.attempts) == ("pending", 1)
            assert mail.deliver(mail_id) is True
            db.session.refresh(row)
            assert (row.status, row.attempts, row.error) == ("sent", 2, None)
        assert [m["Subject"] for m in mail_server.messages] == ["Onderwerp"]

    def test_a_refused_address_fails_at_once(self, app, mail_server):
        mail_server.refuse = "refused@y.be"
        with app.app_context():
            queued = mail.queue_mail("refused@y.be", "Onderwerp", "Tekst")
            db.session.commit()
            assert mail.deliver(queued.id) is False
            row = db.session.get(Mail, queued.id)
            assert row.status == "failed"
            assert "550" in (row.error or "")

    def test_without_a_server_the_mail_is_written_to_a_file(self, app, tmp_path, caplog):
        app.config["MAIL_DIR"], previous = tmp_path, app.config["MAIL_DIR"]
        try:
            with app.app_context():
                queued = mail.queue_mail("x@y.be", "Bevestig", "Klik op http://127.0.0.1:5000/confirm/abc")
                db.session.commit()
                with caplog.at_level("INFO", logger="ldapply.services.mail"):
                    assert mail.deliver(queued.id) is True
        finally:
            app.config["MAIL_DIR"] = previous
        (written,) = tmp_path.glob("*.eml")
        assert "Subject: Bevestig" in written.read_text()
        assert str(written) in caplog.text

    def test_the_sweeper_hands_off_lost_mails_and_gives_up_on_lost_sends(self, app):
        with app.app_context():
            lost = mail.queue_mail("a@y.be", "Verloren", "Tekst")
            stuck = mail.queue_mail("b@y.be", "Vast", "Tekst")
            db.session.commit()
            lost.created_at = stuck.created_at = lost.created_at - timedelta(hours=1)
            stuck.status, stuck.attempts = "sending", 1
            db.session.commit()
            from tests.support import queued_tasks

            queued_tasks(app)  # the hand-offs at commit
            assert mail.dispatch_pending() == 1
            assert queued_tasks(app) == [("mail.send", [str(lost.id)])]
            assert db.session.get(Mail, stuck.id).status == "failed"

    def test_the_outbox_command_lists_mails_with_their_links(self, app):
        with app.app_context():
            mail.queue_mail("x@y.be", "Bevestig uw e-mailadres", "Klik op http://127.0.0.1:5000/confirm/abc\n")
            db.session.commit()
        result = app.test_cli_runner().invoke(args=["ldapply", "mail-outbox"])
        assert result.exit_code == 0, result.output
        assert "x@y.be" in result.output
        assert "http://127.0.0.1:5000/confirm/abc" in result.output


def test_login_page_offers_sign_up(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/register"' in page
    assert csrf_token(client, "/register")
