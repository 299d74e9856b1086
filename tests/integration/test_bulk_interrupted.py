"""A bulk job whose worker died is not left "running" for ever: without a heartbeat for STALE_AFTER it is marked
interrupted (by the beat's sweep, or by its page when someone looks first), and its creator may run it again
from where it stopped, through a real worker, without any case being done twice."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from ldapply.clock import utcnow
from ldapply.extensions import db
from ldapply.models import Application, AuditEntry, BulkJob
from ldapply.services import bulk
from tests.support import login, post, worker_process
from tests.support_reports import case, organisation, wait_for_job

COUNT = 300  # enough cases that the worker is still at them when it is killed


def _job(app, job_id: uuid.UUID) -> BulkJob:
    with app.app_context():
        job = db.session.get_one(BulkJob, job_id)
        db.session.expunge(job)
        return job


def _silent_since(app, job_id: uuid.UUID, ago: timedelta) -> None:
    """The job's last heartbeat `ago` back: time passing while its dead worker gives no sign of life."""
    with app.app_context():
        db.session.execute(update(BulkJob).where(BulkJob.id == job_id).values(heartbeat_at=utcnow() - ago))
        db.session.commit()


def _entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _start(client, ids, assignee_id: uuid.UUID) -> uuid.UUID:
    response = post(
        client, "/backoffice/bulk", {"kind": "assign", "ids": [str(i) for i in ids], "assignee_id": str(assignee_id)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return uuid.UUID(response.headers["Location"].rsplit("/", 1)[-1])


@pytest.fixture
def many(app, people) -> list[uuid.UUID]:
    with app.app_context():
        org = organisation("Buurtwerk Onderbroken vzw")
        ids = [case(org, people.applicant.id, reference=f"LDE-2026-K{n:04d}") for n in range(COUNT)]
        db.session.commit()
    return ids


@pytest.mark.system
def test_a_job_whose_worker_died_is_run_again_from_where_it_stopped_and_no_case_twice(
    app, backend, client, people, many
):
    assignee = people.reviewer_and_decision_maker
    login(client, people.reviewer)
    with worker_process(backend, "bulk-killed.log") as worker:
        job_id = _start(client, many, assignee.id)
        deadline = time.monotonic() + 60
        while _job(app, job_id).done < 3:
            assert time.monotonic() < deadline, "the worker never started the job"
            assert worker.poll() is None, "the worker process died by itself"
            time.sleep(0.02)
        worker.kill()  # the worker dies mid-job: no clean-up, no last word
        worker.wait()
    left = _job(app, job_id)
    assert left.status == "running", "a dead worker says nothing"
    assert 3 <= left.done < COUNT

    _silent_since(app, job_id, bulk.STALE_AFTER - timedelta(minutes=1))
    with app.app_context():
        assert bulk.sweep_interrupted() == 0, "a few minutes' silence is not yet a dead worker"
    _silent_since(app, job_id, bulk.STALE_AFTER + timedelta(minutes=1))
    with app.app_context():
        assert bulk.sweep_interrupted() == 1
        assert bulk.sweep_interrupted() == 0
    stopped = _job(app, job_id)
    assert stopped.status == "failed"
    assert stopped.finished_at is not None
    [marked] = _entries(app, "bulk.interrupted")
    assert marked.actor_id is None  # ldapply's own act

    response = client.get(f"/backoffice/bulk/{job_id}")
    assert "Refresh" not in response.headers, "an interrupted job's page stays put"
    page = response.get_data(as_text=True)
    assert "Onderbroken" in page
    assert "Wat al verwerkt is, wordt niet opnieuw gedaan." in page
    assert f"De {COUNT - stopped.done} resterende aanvragen opnieuw uitvoeren" in page
    assert f'action="/backoffice/bulk/{job_id}/again"' in page

    assert post(client, f"/backoffice/bulk/{job_id}/again").status_code == 302
    again = post(client, f"/backoffice/bulk/{job_id}/again", follow_redirects=True).get_data(as_text=True)
    assert "Deze actie is niet onderbroken: er is niets opnieuw uit te voeren." in again  # a second click
    [run_again] = _entries(app, "bulk.run_again")
    assert run_again.actor_id == people.reviewer.id
    assert run_again.new["remaining"] == COUNT - stopped.done

    with worker_process(backend, "bulk-again.log"):
        finished = wait_for_job(app, job_id, timeout=120)
    assert (finished.status, finished.done, finished.failed) == ("done", COUNT, 0), finished.error
    with app.app_context():
        assigned = db.session.scalar(
            select(func.count()).where(Application.id.in_(many), Application.assignee_id == assignee.id)
        )
        per_case = db.session.execute(
            select(AuditEntry.application_id, func.count())
            .where(AuditEntry.action == "case.assigned", AuditEntry.application_id.in_(many))
            .group_by(AuditEntry.application_id)
        ).all()
    assert assigned == COUNT
    assert len(per_case) == COUNT
    assert {count for _case, count in per_case} == {1}, "no case was assigned twice"


def test_a_stale_job_is_marked_on_its_page_a_live_one_is_not_and_only_its_creator_runs_it_again(
    app, client, people, many
):
    login(client, people.reviewer)
    job_id = _start(client, many[:3], people.reviewer_and_decision_maker.id)
    with app.app_context():  # a worker claimed it (as run_job does first), then was heard of no more
        db.session.execute(
            update(BulkJob)
            .where(BulkJob.id == job_id)
            .values(status="running", attempt=BulkJob.attempt + 1, heartbeat_at=utcnow())
        )
        db.session.commit()
    live = client.get(f"/backoffice/bulk/{job_id}")
    assert live.headers["Refresh"] == "2"
    assert "Onderbroken" not in live.get_data(as_text=True)

    _silent_since(app, job_id, bulk.STALE_AFTER + timedelta(seconds=5))
    page = client.get(f"/backoffice/bulk/{job_id}").get_data(as_text=True)
    assert "Onderbroken" in page
    assert "De 3 resterende aanvragen opnieuw uitvoeren" in page
    assert _job(app, job_id).status == "failed"
    assert len(_entries(app, "bulk.interrupted")) == 1

    login(client, SimpleNamespace(email=people.decision_maker.email))  # not the creator, not an admin
    assert post(client, f"/backoffice/bulk/{job_id}/again").status_code == 404
    assert _job(app, job_id).status == "failed"
    assert _entries(app, "bulk.run_again") == []

    with app.app_context():  # the old claim's worker, only slow, comes back: it finds the job no longer its own
        job = db.session.get_one(BulkJob, job_id)
        with pytest.raises(bulk.ClaimLost):
            bulk._beat(job_id, job.attempt, done=BulkJob.done + 1)
        old_claim = job.attempt
        db.session.execute(  # run again, and taken by a new run
            update(BulkJob)
            .where(BulkJob.id == job_id)
            .values(status="running", attempt=BulkJob.attempt + 1, finished_at=None, error=None)
        )
        db.session.commit()
        bulk._finish(job_id, bulk.DONE, attempt=old_claim)  # the old run's last word ends nothing
    assert _job(app, job_id).done == 0
    assert (_job(app, job_id).status, _job(app, job_id).finished_at) == ("running", None)


def test_a_stale_job_whose_row_a_run_holds_is_left_to_that_run_and_its_page_does_not_wait(app, client, people, many):
    """A run in the middle of a case holds the job's row (its count moves in the case's transaction): it is alive,
    so the page neither waits for it nor marks it. SQLite has no row locks; there writers take turns."""
    login(client, people.reviewer)
    job_id = _start(client, many[:3], people.reviewer_and_decision_maker.id)
    with app.app_context():
        db.session.execute(
            update(BulkJob)
            .where(BulkJob.id == job_id)
            .values(status="running", attempt=BulkJob.attempt + 1, heartbeat_at=utcnow())
        )
        db.session.commit()
    _silent_since(app, job_id, bulk.STALE_AFTER + timedelta(seconds=5))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as run:  # the run's open transaction on the job's row
                run.execute(select(BulkJob.id).where(BulkJob.id == job_id).with_for_update())
                started = time.monotonic()
                page = client.get(f"/backoffice/bulk/{job_id}")
                waited = time.monotonic() - started
                run.rollback()
            assert page.status_code == 200
            assert waited < 2, f"the page waited {waited:.1f} s for the run's lock"
            assert "Onderbroken" not in page.get_data(as_text=True)
            assert _job(app, job_id).status == "running"
            assert _entries(app, "bulk.interrupted") == []
    assert "Onderbroken" in client.get(f"/backoffice/bulk/{job_id}").get_data(as_text=True)  # no run holds it now
    assert _job(app, job_id).status == "failed"


def test_the_interruption_is_recorded_in_dutch_and_read_in_the_readers_language(app, client, people, many):
    login(client, people.reviewer)
    job_id = _start(client, many[:2], people.reviewer_and_decision_maker.id)
    with app.app_context():
        db.session.execute(
            update(BulkJob).where(BulkJob.id == job_id).values(status="running", attempt=BulkJob.attempt + 1)
        )
        db.session.commit()
    _silent_since(app, job_id, bulk.STALE_AFTER + timedelta(seconds=5))
    client.get("/language/en")
    page = client.get(f"/backoffice/bulk/{job_id}").get_data(as_text=True)
    assert "Interrupted: the background processing gave no sign of life" in page
    assert _job(app, job_id).error.startswith("Onderbroken: de achtergrondverwerking gaf")
