"""Celery tasks: thin wrappers that take ids and call services."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.exc import OperationalError

from .clock import local_date, utcnow
from .services import (
    bulk,
    exports,
    information_requests,
    legal_clock,
    letters,
    mail,
    objections,
    periods,
    recognitions,
    statistics,
    uploads,
)

log = logging.getLogger(__name__)

# Transient failures (database or disk blips) are retried with backoff for about half an hour in all.
TRANSIENT = (OperationalError, OSError)


@shared_task(name="letters.render", bind=True, max_retries=10, acks_late=True)
def render_letter(self: Task, letter_id: str) -> None:
    """Render one letter to PDF and store it; a duplicate delivery does nothing."""
    try:
        if not letters.render_and_store(uuid.UUID(letter_id)):
            log.info("letter %s was already rendered", letter_id)
    except (letters.LetterRenderError, SoftTimeLimitExceeded) as exc:
        log.exception("letter %s cannot be rendered", letter_id)
        letters.mark_failed(uuid.UUID(letter_id), f"{type(exc).__name__}: {exc}")
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            letters.mark_failed(uuid.UUID(letter_id), f"gave up after {self.max_retries} retries: {exc}")
            return
        countdown = min(5 * 2**self.request.retries, 600)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="letters.dispatch_pending")
def dispatch_pending_letters() -> int:
    """Hand pending letters to the broker again when their first hand-off was lost."""
    return letters.dispatch_pending()


@shared_task(name="procedure.end_lapsed_periods")
def end_lapsed_periods() -> int:
    """Move cases whose hearing period ended without a response back to the reviewer, and reopen the cases
    an upheld objection sends back that were not reopened when it was decided."""
    return periods.end_lapsed_periods(utcnow()) + objections.reopen_upheld()


@shared_task(name="mail.send", bind=True, max_retries=8, acks_late=True)
def send_mail(self: Task, mail_id: str) -> None:
    """Send one mail from the outbox; a duplicate delivery does nothing (the row is claimed first)."""
    try:
        mail.deliver(uuid.UUID(mail_id))
    except (mail.TransientMailError, *TRANSIENT) as exc:
        if self.request.retries >= self.max_retries:
            mail.mark_failed(uuid.UUID(mail_id), f"gave up after {self.max_retries} retries: {exc}")
            return
        raise self.retry(exc=exc, countdown=min(5 * 2**self.request.retries, 600)) from exc


@shared_task(name="mail.dispatch_pending")
def dispatch_pending_mails() -> int:
    """Hand mails whose first hand-off was lost to the broker again."""
    return mail.dispatch_pending()


# A file chosen on a step that was then left unsaved waits this long for its step to be saved.
STAGED_UPLOAD_GRACE = timedelta(days=1)


@shared_task(name="uploads.clean_staged")
def clean_staged_uploads() -> int:
    """Remove files chosen on a step that was never saved, a day after they were chosen."""
    return uploads.clean_staged_uploads(utcnow() - STAGED_UPLOAD_GRACE)


@shared_task(name="clock.remind_overdue")
def remind_overdue() -> int:
    """Flag overdue cases and remind their assignees, once per due date."""
    return legal_clock.remind_overdue(utcnow())


@shared_task(name="information_requests.expire")
def expire_information_requests() -> int:
    """Requests for information whose date passed: the regime's parameter decides what follows."""
    return information_requests.expire_lapsed(utcnow())


@shared_task(name="recognitions.expire_and_remind")
def expire_recognitions() -> int:
    """Recognitions at the end of their term expire; those near it get a reminder."""
    return recognitions.expire_and_remind(local_date(utcnow()))


# A job works through up to 5,000 cases or a whole register: far beyond the 60 s letters get, still below
# Redis's visibility timeout (an hour), after which an unacknowledged task would be delivered again.
@shared_task(name="bulk.run", acks_late=True, soft_time_limit=1800, time_limit=1860)
def run_bulk_job(job_id: str) -> None:
    """One bulk action on a selection from the queue, case by case."""
    bulk.run_job(uuid.UUID(job_id))


@shared_task(name="bulk.sweep_interrupted")
def sweep_interrupted_bulk_jobs() -> int:
    """Running bulk jobs whose worker gave no sign of life for a while are marked interrupted."""
    return bulk.sweep_interrupted()


@shared_task(name="exports.purge_expired")
def purge_expired_exports() -> int:
    """Exports made in the background are deleted, file and job, once their retention period is over."""
    return exports.purge_expired()


@shared_task(name="statistics.refresh", soft_time_limit=900, time_limit=960)
def refresh_statistics() -> None:
    """The statistics page's figures taken again (aggregates over every case and event; minutes at a million)."""
    statistics.refresh(force=False)
