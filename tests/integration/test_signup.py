"""Sign-up as a newcomer does it: register, receive the mail on a real SMTP server, confirm, log in.

Also a forgotten password, the limits on guessing passwords, and the outbox itself: sent once, retried
after a transient failure, written to a file without a server, subjects kept on one line.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from ldapply.extensions import db
from ldapply.models import Mail, User, utcnow
from ldapply.services import accounts, mail
from ldapply.tasks import send_mail
from tests.mailserver import body_of, deliver_mail, link_in
from tests.support import PASSWORD, csrf_token, post

NEW = {"name": "Nora Nieuw", "email": "nora@nieuw.be", "password": PASSWORD, "password_again": PASSWORD}


def register(client, **changes):
    return post(client, "/register", {**NEW, **changes})


def log_in(client, email=NEW["email"], password=PASSWORD):
    return post(client, "/login", {"email": email, "password": password})


TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')


def confirm(client, link, password=PASSWORD):
    """Open the link in the mail and confirm with the password, as the page asks."""
    page = client.get(link)
    assert page.status_code == 200, page.get_data(as_text=True)
    token = TOKEN_RE.search(page.get_data(as_text=True)).group(1)
    return post(client, "/confirm", {"token": token, "password": password})


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

        page = client.get(link_in(message)).get_data(as_text=True)
        assert "Bevestig uw e-mailadres" in page
        assert "nora@nieuw.be" in page
        assert user_row(app).email_confirmed_at is None  # opening the link confirms nothing yet

        wrong = confirm(client, link_in(message), password="niet mijn wachtwoord")
        assert wrong.status_code == 200
        assert "Dit wachtwoord klopt niet" in wrong.get_data(as_text=True)
        assert user_row(app).email_confirmed_at is None

        confirmed = confirm(client, link_in(message))
        assert confirmed.status_code == 302
        assert confirmed.headers["Location"] == "/organisation/register"  # logged in, no organisation yet
        page = client.get("/organisation/register").get_data(as_text=True)
        assert "Registreer nu de organisatie" in page
        assert "Afmelden" in page
        assert user_row(app).email_confirmed_at is not None

        again = client.get(link_in(message))  # the link once more: harmless, it sends to the login page
        assert again.status_code == 302
        assert again.headers["Location"] == "/login"
        post(client, "/logout")
        assert log_in(client).headers["Location"] == "/organisation/register"

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
        assert confirm(client, links[-1]).headers["Location"] == "/organisation/register"

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
        assert "/password/forgot" in body_of(warning)  # the way out for who forgot the password
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
        assert client.post("/confirm", data={"token": "x", "password": PASSWORD}).status_code == 400
        assert client.post("/password/forgot", data={"email": NEW["email"]}).status_code == 400
        assert client.post("/password/reset", data={"token": "x"}).status_code == 400

    def test_the_password_rules_are_on_the_form_before_anything_is_typed(self, client):
        page = client.get("/register").get_data(as_text=True)
        assert '<p class="hint" id="password-hint">Minstens 12 tekens, niet uw e-mailadres.' in page
        assert 'aria-describedby="password-hint"' in page  # read out with the field


class TestAccountsMadeBySomeoneElse:
    """Pre-hijacking: someone signs up with another person's address and waits for them to confirm it."""

    def test_a_link_followed_without_the_password_confirms_nothing(self, app, client, mail_server):
        register(client, name="Mallory", password="wachtwoord van mallory", password_again="wachtwoord van mallory")
        deliver_mail(app)
        link = link_in(mail_server.last_to("nora@nieuw.be"))
        client.get(link)  # Nora, or her mail scanner, follows the link she did not ask for
        assert user_row(app).email_confirmed_at is None
        assert confirm(client, link).status_code == 200  # her own password is not the account's
        assert user_row(app).email_confirmed_at is None

    def test_signing_up_again_replaces_the_unconfirmed_password_and_its_links(self, app, client, mail_server):
        register(client, name="Mallory", password="wachtwoord van mallory", password_again="wachtwoord van mallory")
        deliver_mail(app)
        mallory_link = link_in(mail_server.last_to("nora@nieuw.be"))
        register(client)  # the owner of the address signs up herself
        deliver_mail(app)
        own_link = link_in(mail_server.last_to("nora@nieuw.be"))

        assert client.get(mallory_link).status_code == 400  # made for a password that is gone
        assert confirm(client, own_link).headers["Location"] == "/organisation/register"
        assert user_row(app).name == "Nora Nieuw"
        post(client, "/logout")
        refused = log_in(client, password="wachtwoord van mallory")
        assert "klopt niet" in refused.get_data(as_text=True)

    def test_a_double_click_sends_one_mail_whose_link_works(self, app, client, mail_server):
        register(client)
        register(client)
        assert deliver_mail(app) == 1
        assert confirm(client, link_in(mail_server.last_to("nora@nieuw.be"))).status_code == 302


class TestGuessingPasswords:
    def test_five_failures_a_minute_stop_an_account_with_a_clear_message(self, client, people):
        for _ in range(5):
            assert log_in(client, people.applicant.email, "fout wachtwoord").status_code == 200
        blocked = log_in(client, people.applicant.email)  # even the right password waits now
        page = blocked.get_data(as_text=True)
        assert blocked.status_code == 429
        assert "te vaak een verkeerd wachtwoord" in page
        assert f'value="{people.applicant.email}"' in page  # what was typed stays
        assert log_in(client, people.other_applicant.email).status_code == 302  # other accounts go on

    def test_an_unknown_address_is_limited_the_same_way(self, client, people):
        for _ in range(5):
            log_in(client, "niemand@nergens.be", "fout wachtwoord")
        assert log_in(client, "niemand@nergens.be", "fout wachtwoord").status_code == 429

    def test_twenty_failures_a_minute_stop_an_address(self, client, people):
        for number in range(20):
            log_in(client, f"gok{number}@x.be", "fout wachtwoord")
        assert log_in(client, people.applicant.email).status_code == 429

    def test_successful_logins_are_not_counted(self, client, people):
        for _ in range(8):
            assert log_in(client, people.applicant.email).status_code == 302

    def test_the_confirmation_page_counts_failures_too(self, app, client, mail_server):
        register(client)
        deliver_mail(app)
        link = link_in(mail_server.last_to("nora@nieuw.be"))
        for _ in range(5):
            confirm(client, link, password="fout wachtwoord")
        assert confirm(client, link).status_code == 429
        assert user_row(app).email_confirmed_at is None


def reset_link(app, mail_server, email):
    deliver_mail(app)
    message = mail_server.last_to(email)
    assert message["Subject"] == "Een nieuw wachtwoord kiezen voor ldapply"
    return link_in(message)


NEW_PASSWORD = "een heel nieuw wachtwoord"


def choose_password(client, link, password=NEW_PASSWORD):
    page = client.get(link)
    assert page.status_code == 200, page.get_data(as_text=True)
    token = TOKEN_RE.search(page.get_data(as_text=True)).group(1)
    return post(client, "/password/reset", {"token": token, "password": password, "password_again": password})


class TestForgottenPassword:
    def test_the_login_page_offers_it(self, client):
        assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)

    def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(self, app, client, mail_server, people):
        elsewhere = app.test_client()  # An is logged in on another computer too
        from tests.support import login

        login(elsewhere, people.applicant)
        asked = post(client, "/password/forgot", {"email": "AN@a.be "})
        assert asked.headers["Location"] == "/password/sent"
        assert "Als er een account is voor an@a.be" in client.get("/password/sent").get_data(as_text=True)
        link = reset_link(app, mail_server, people.applicant.email)

        saved = choose_password(client, link)
        assert saved.status_code == 302
        assert saved.headers["Location"] == "/"
        assert "Uw nieuwe wachtwoord is bewaard" in client.get("/").get_data(as_text=True)  # logged in here
        assert elsewhere.get("/").headers["Location"].startswith("/login")  # and out everywhere else

        assert client.get(link).status_code == 400  # one-time
        token = link.rpartition("/")[2]
        again = post(client, "/password/reset", {"token": token, "password": "x" * 12, "password_again": "x" * 12})
        assert again.status_code == 400
        post(client, "/logout")
        assert log_in(client, people.applicant.email).status_code == 200  # the old password is gone
        assert log_in(client, people.applicant.email, "een heel nieuw wachtwoord").status_code == 302
        deliver_mail(app)
        assert mail_server.last_to(people.applicant.email)["Subject"] == "Uw wachtwoord voor ldapply is gewijzigd"

    def test_an_unknown_address_gets_the_same_page_and_no_mail(self, app, client, mail_server, people):
        post(client, "/password/forgot", {"email": "niemand@nergens.be"})
        unknown = client.get("/password/sent").get_data(as_text=True)
        post(client, "/password/forgot", {"email": people.applicant.email})
        known = client.get("/password/sent").get_data(as_text=True)
        assert unknown.replace("niemand@nergens.be", "X") == known.replace(people.applicant.email, "X")
        assert deliver_mail(app) == 1
        assert mail_server.to("niemand@nergens.be") == []

    def test_asking_again_within_a_minute_sends_one_mail(self, app, client, mail_server, people):
        for _ in range(3):
            post(client, "/password/forgot", {"email": people.applicant.email})
        assert deliver_mail(app) == 1

    def test_a_link_older_than_an_hour_does_not_work(self, app, client, people):
        class AnHourAgo(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(time.time() - accounts.RESET_MAX_AGE - 60)

        with app.app_context():
            user = db.session.get(User, people.applicant.id)
            old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=accounts.RESET_SALT, signer=AnHourAgo)
            token = old.dumps({"user": str(user.id), "email": user.email, "fp": accounts._fingerprint(user)})
        expired = client.get(f"/password/reset/{token}")
        assert expired.status_code == 400
        assert "1 uur geldig" in expired.get_data(as_text=True)

    def test_the_new_password_follows_the_rules_and_is_not_kept_on_error(self, app, client, mail_server, people):
        post(client, "/password/forgot", {"email": people.applicant.email})
        link = reset_link(app, mail_server, people.applicant.email)
        short = choose_password(client, link, password="kort")
        page = short.get_data(as_text=True)
        assert short.status_code == 200
        assert "minstens 12 tekens" in page
        assert 'class="error-summary"' in page
        assert 'value="kort"' not in page
        assert choose_password(client, link).status_code == 302  # the link still works after a refusal

    def test_it_confirms_an_unconfirmed_address(self, app, client, mail_server):
        register(client)
        deliver_mail(app)
        post(client, "/password/forgot", {"email": NEW["email"]})
        assert choose_password(client, reset_link(app, mail_server, NEW["email"])).status_code == 302
        assert user_row(app).email_confirmed_at is not None


class TestNamesInMails:
    def test_a_name_with_a_line_break_or_a_web_address_is_refused_beside_the_field(self, client):
        for name in ["Nora\r\nBcc: iedereen@x.be", "Nora via https://phish.example", "www.phish.example"]:
            response = register(client, name=name)
            page = response.get_data(as_text=True)
            assert response.status_code == 200, name
            assert "Een naam mag geen webadres en geen regeleinde bevatten." in page, name

    def test_a_subject_is_sent_on_one_line_and_no_longer_than_its_column(self, app, mail_server):
        with app.app_context():
            queued = mail.queue_mail("x@y.be", "Lid worden\r\nBcc: iedereen@x.be " + "lang " * 100, "Tekst")
            db.session.commit()
            assert mail.deliver(queued.id) is True
        (received,) = mail_server.messages
        assert received["Bcc"] is None
        assert received["Subject"].startswith("Lid worden Bcc: iedereen@x.be lang")
        assert len(received["Subject"]) == mail.SUBJECT_MAX

    def test_a_recipient_with_a_line_break_is_refused(self, app):
        with app.app_context(), pytest.raises(ValueError, match="not a single e-mail address"):
            mail.queue_mail("x@y.be\r\nBcc: z@y.be", "Onderwerp", "Tekst")


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
            stuck.status, stuck.attempts, stuck.claimed_at = "sending", 1, stuck.created_at
            db.session.commit()
            from tests.support import queued_tasks

            queued_tasks(app)  # the hand-offs at commit
            assert mail.dispatch_pending() == 1
            assert queued_tasks(app) == [("mail.send", [str(lost.id)])]
            assert db.session.get(Mail, stuck.id).status == "failed"

    def test_an_old_mail_being_sent_now_by_a_retry_is_not_given_up(self, app):
        """The lease counts from the claim: a retry 20 minutes after the mail was written is not lost."""
        with app.app_context():
            retried = mail.queue_mail("a@y.be", "Opnieuw", "Tekst")
            db.session.commit()
            retried.created_at = utcnow() - timedelta(minutes=20)
            retried.status, retried.attempts, retried.claimed_at = "sending", 3, utcnow()
            db.session.commit()
            from tests.support import queued_tasks

            queued_tasks(app)
            mail.dispatch_pending()
            assert db.session.get(Mail, retried.id).status == "sending"

    def test_a_retry_whose_task_was_lost_is_handed_off_again_and_given_up_at_last(self, app):
        with app.app_context():
            waiting = mail.queue_mail("a@y.be", "Wacht", "Tekst")
            worn = mail.queue_mail("b@y.be", "Op", "Tekst")
            db.session.commit()
            long_ago = utcnow() - timedelta(minutes=20)
            waiting.attempts, waiting.claimed_at, waiting.created_at = 2, long_ago, long_ago
            worn.attempts, worn.claimed_at, worn.created_at = mail.MAX_ATTEMPTS, long_ago, long_ago
            db.session.commit()
            from tests.support import queued_tasks

            queued_tasks(app)
            assert mail.dispatch_pending() == 1
            assert queued_tasks(app) == [("mail.send", [str(waiting.id)])]
            assert db.session.get(Mail, worn.id).status == "failed"

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


def test_logging_out_goes_on_to_a_local_page_only(client, people):
    from tests.support import login

    login(client, people.applicant)
    assert post(client, "/logout", {"next": "/help"}).headers["Location"] == "/help"
    login(client, people.applicant)
    assert post(client, "/logout", {"next": "//evil.example/"}).headers["Location"] == "/login"
