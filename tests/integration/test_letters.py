"""Letters: issued with the decision, queued after commit, rendered once, never reaching outside."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ldapply import create_app
from ldapply.extensions import db
from ldapply.models import Letter, LetterStatus, utcnow
from ldapply.services import letters
from ldapply.services.dispatch import enqueue_after_commit
from ldapply.tasks import render_letter
from ldapply.workflows import get_regime
from tests.support import (
    act,
    login,
    queued_tasks,
    sample_letter_context,
    submitted_application,
    through_hearing,
    to_review,
)


@pytest.fixture
def receipt_id(app, client, people):
    submitted_application(client, people)
    with app.app_context():
        return db.session.scalar(db.select(Letter.id))


class TestRendering:
    def test_a_second_render_of_the_same_letter_does_nothing(self, app, receipt_id):
        with app.app_context():
            assert letters.render_and_store(receipt_id) is True
            first = db.session.get(Letter, receipt_id)
            stamp, digest = first.rendered_at, first.sha256
            assert letters.render_and_store(receipt_id) is False
            db.session.refresh(first)
            assert (first.rendered_at, first.sha256, first.attempts) == (stamp, digest, 1)
            assert db.session.scalar(db.select(db.func.count(Letter.id))) == 1

    def test_the_stored_pdf_matches_its_recorded_hash(self, app, receipt_id):
        import hashlib

        with app.app_context():
            render_letter(str(receipt_id))
            letter = db.session.get(Letter, receipt_id)
            data = letters.letter_pdf(letter)
        assert data.startswith(b"%PDF")
        assert hashlib.sha256(data).hexdigest() == letter.sha256
        assert letter.size == len(data)

    def test_a_letter_whose_template_is_missing_is_marked_failed_with_the_reason(self, app, receipt_id):
        with app.app_context():
            letter = db.session.get(Letter, receipt_id)
            letter.kind = "no_such_letter"
            db.session.commit()
            render_letter(str(receipt_id))
            db.session.refresh(letter)
            assert letter.status == LetterStatus.FAILED
            assert "no_such_letter" in letter.error

    def test_text_typed_by_people_is_escaped_in_the_letter(self, app):
        context = sample_context(motivation='<img src="file:///etc/passwd"> & <b>vet</b>')
        html = letters.render_html("general", "decision_refused", context)
        assert "&lt;img src=" in html
        assert "<b>vet</b>" not in html
        with app.app_context():
            assert letters.render_pdf(html).startswith(b"%PDF")

    @pytest.mark.parametrize(
        "html",
        [
            '<img src="file:///etc/passwd">',
            '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
            "<style>@import url(https://example.invalid/x.css);</style>",
            '<svg><image href="file:///etc/hostname"/></svg>',
            '<link rel="attachment" href="file:///etc/passwd">',
        ],
    )
    def test_a_letter_that_reaches_for_files_or_hosts_is_refused(self, app, html):
        with app.app_context(), pytest.raises(letters.LetterRenderError, match="outside resources"):
            letters.render_pdf(f"<html><body>{html}</body></html>")


def sample_context(motivation: str) -> dict:
    """The shared sample context, with a motivation and a condition note typed by people."""
    regime = get_regime("general")
    context = sample_letter_context(regime, "decision_refused")
    context["motivation"] = motivation
    context["conditions"][0].update(met=False, reason="<i>nee</i>")
    context["organisation"]["name"] = "Org <vzw>"
    return context


class TestDispatch:
    def test_nothing_is_queued_when_the_transaction_rolls_back(self, app):
        with app.app_context():
            enqueue_after_commit("letters.render", "00000000-0000-0000-0000-000000000000")
            db.session.rollback()
            db.session.commit()
        assert queued_tasks(app) == []

    def test_a_decision_taken_while_the_broker_is_down_is_kept_and_its_letter_sent_later(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        to_review(client, application_id, met=False)
        through_hearing(client, people, application_id, respond=False)
        assert act(client, application_id, "propose_refusal", "Onvoldoende onderbouwd.").status_code == 302
        queued_tasks(app)

        broken = create_app(
            {
                "TESTING": True,
                "CELERY": {
                    **app.config["CELERY"],
                    "broker_url": "redis://127.0.0.1:1/0",
                    "broker_transport_options": {"socket_connect_timeout": 1, "socket_timeout": 1},
                },
            }
        )
        app.extensions["celery"].set_default()
        broken.test_client_class = app.test_client_class  # staff declare no conflict of interest when asked
        broken_client = broken.test_client()
        login(broken_client, people.decision_maker)
        assert act(broken_client, application_id, "confirm_refusal").status_code == 302

        with app.app_context():
            letter = db.session.scalar(db.select(Letter).where(Letter.kind == "decision_refused"))
            assert letter.status == LetterStatus.PENDING
            assert queued_tasks(app) == []
            letter.dispatched_at = utcnow() - timedelta(seconds=app.config["LETTER_DISPATCH_GRACE_SECONDS"] + 1)
            db.session.commit()
            assert letters.dispatch_pending() == 1
            letter_id = letter.id
        assert queued_tasks(app) == [("letters.render", [str(letter_id)])]

    def test_a_recently_dispatched_letter_is_not_sent_again(self, app, receipt_id):
        with app.app_context():
            assert letters.dispatch_pending() == 0

    def test_a_letter_a_worker_is_working_on_is_not_sent_again(self, app, receipt_id):
        with app.app_context():
            letter = db.session.get(Letter, receipt_id)
            long_ago = utcnow() - timedelta(seconds=app.config["LETTER_DISPATCH_GRACE_SECONDS"] + 1)
            letter.dispatched_at, letter.attempts, letter.last_attempt_at = long_ago, 1, utcnow()
            db.session.commit()
            assert letters.dispatch_pending() == 0

    def test_a_letter_abandoned_mid_flight_is_sent_again_after_its_lease(self, app, receipt_id):
        queued_tasks(app)
        with app.app_context():
            letter = db.session.get(Letter, receipt_id)
            expired = utcnow() - timedelta(seconds=app.config["LETTER_LEASE_SECONDS"] + 1)
            letter.dispatched_at, letter.attempts, letter.last_attempt_at = expired, 1, expired
            db.session.commit()
            assert letters.dispatch_pending() == 1
        assert queued_tasks(app) == [("letters.render", [str(receipt_id)])]

    def test_a_letter_that_keeps_failing_is_given_up_and_shown_as_failed(self, app, receipt_id):
        with app.app_context():
            letter = db.session.get(Letter, receipt_id)
            letter.attempts = app.config["LETTER_MAX_ATTEMPTS"]
            db.session.commit()
            render_letter(str(receipt_id))
            db.session.refresh(letter)
            assert letter.status == LetterStatus.FAILED
            assert "given up" in letter.error
            assert letters.dispatch_pending() == 0

    def test_the_letter_is_addressed_to_the_organisation_on_record_not_to_typed_answers(self, app, receipt_id):
        with app.app_context():
            letter = db.session.get(Letter, receipt_id)
            assert letter.context["organisation"] == {
                "name": "Buurtwerk De Brug vzw",
                "enterprise_number": "0403.170.701",
                "address": [],  # the organisation on record has no registered address in this fixture
            }
