"""A real Celery worker process renders the decision letter; the journey is driven through the web."""

from __future__ import annotations

import hashlib
import io
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from ldapply.extensions import db
from ldapply.models import Letter, LetterStatus
from tests.support import (
    act,
    login,
    submitted_application,
    to_review,
    worker_process,
)

ROOT = Path(__file__).resolve().parents[2]
LETTER_TIMEOUT_SECONDS = 60


@pytest.fixture(scope="module")
def worker(app, backend) -> Iterator[subprocess.Popen[bytes]]:
    """`celery worker` as its own process, on the run's database and broker."""
    with worker_process(backend, "worker.log") as process:
        yield process


def wait_for_rendered(app, kind: str, process: subprocess.Popen[bytes]) -> Letter:
    deadline = time.monotonic() + LETTER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "the worker process died"
        with app.app_context():
            letter = db.session.scalar(db.select(Letter).where(Letter.kind == kind))
            if letter is not None and letter.status != LetterStatus.PENDING:
                db.session.expunge(letter)
                return letter
        time.sleep(0.2)
    raise AssertionError(f"no {kind} letter rendered within {LETTER_TIMEOUT_SECONDS} s")


def wait_for_log(backend, line: str) -> None:
    deadline = time.monotonic() + LETTER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if line in (backend.instance_path / "worker.log").read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise AssertionError(f"the worker never logged {line!r}")


@pytest.mark.system
def test_worker_process_renders_the_decision_letter_the_applicant_downloads(app, client, people, worker):
    application_id = submitted_application(client, people)
    login(client, people.reviewer)
    to_review(client, application_id, met=True)
    act(client, application_id, "propose_grant", "De dienst beantwoordt een aangetoonde lokale behoefte.")
    login(client, people.decision_maker)
    decided_at = time.monotonic()
    assert act(client, application_id, "confirm_grant").status_code == 302

    letter = wait_for_rendered(app, "decision_granted", worker)
    seconds = time.monotonic() - decided_at
    assert letter.status == LetterStatus.RENDERED, letter.error
    print(f"decision letter rendered by the worker {seconds:.2f} s after the decision")  # noqa: T201

    login(client, people.applicant)
    download = client.get(f"/applications/{application_id}/letters/{letter.id}")
    assert download.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(download.data)).pages)
    assert "Buurtwerk De Brug vzw" in text
    assert "verleend" in text
    assert "De dienst beantwoordt een aangetoonde lokale behoefte." in text
    assert "Besluit van de Vlaamse Regering van 5 oktober 2007" in text
    assert hashlib.sha256(download.data).hexdigest() == letter.sha256


@pytest.mark.system
def test_worker_renders_a_letter_once_when_its_task_is_delivered_twice(app, backend, client, people, worker):
    from ldapply.services.dispatch import send_task

    application_id = submitted_application(client, people)
    receipt = wait_for_rendered(app, "receipt", worker)
    first_render = receipt.rendered_at
    with app.app_context():
        assert send_task("letters.render", str(receipt.id))  # a duplicate delivery
    wait_for_log(backend, f"letter {receipt.id} was already rendered")
    with app.app_context():
        letters = db.session.scalars(db.select(Letter).where(Letter.application_id == application_id)).all()
        assert len(letters) == 1
        assert letters[0].rendered_at == first_render
        assert letters[0].attempts == 1


@pytest.mark.system
def test_the_worker_ends_a_lapsed_hearing_period_and_hands_the_case_back(app, client, people, worker):
    """What Celery beat schedules every minute, run by the real worker: a hearing whose period has
    passed moves to the reviewer, recorded as ldapply's own move."""
    from ldapply.clock import utcnow
    from ldapply.models import Application, ApplicationEvent
    from ldapply.services.dispatch import send_task

    application_id = submitted_application(client, people)
    login(client, people.reviewer)
    to_review(client, application_id, met=False)
    assert act(client, application_id, "announce_refusal", "Onvoldoende doelgroepwerknemers.").status_code == 302
    with app.app_context():
        announced = db.session.scalar(db.select(ApplicationEvent).where(ApplicationEvent.action == "announce_refusal"))
        announced.created_at = utcnow() - timedelta(days=30)  # the period of the letter has passed
        db.session.commit()
        assert send_task("procedure.end_lapsed_periods")
    deadline = time.monotonic() + LETTER_TIMEOUT_SECONDS
    state = None
    while time.monotonic() < deadline and state != "heard":
        assert worker.poll() is None, "the worker process died"
        with app.app_context():
            state = db.session.get(Application, application_id).state
        time.sleep(0.2)
    assert state == "heard"
    with app.app_context():
        ended = db.session.scalar(db.select(ApplicationEvent).where(ApplicationEvent.action == "end_hearing"))
        assert ended.actor_id is None
