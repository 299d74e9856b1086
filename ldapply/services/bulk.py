"""Bulk actions on a selection from the queue, run by the worker with their progress kept in bulk_jobs.

A job is created and committed first, then handed to the worker (`bulk.run`). The worker claims it with one
conditional UPDATE (pending -> running), so a second delivery of the same task does nothing. It then works
case by case, each in a transaction of its own: the actor's rights are checked again on every case (a grant
may have been withdrawn since the selection was made), every case gets its own audit entry, and the counts
of cases done and failed move with each commit, which is what the progress page shows. A case that fails
is counted, with its reason, and the rest go on.

A worker that dies leaves its job "running": each case and each batch of exported rows stamps the job's
heartbeat, and a running job without one for STALE_AFTER is marked interrupted (by the beat's sweep, or by its
page when someone looks first). Its creator (or an admin) may run it again: a new claim goes on from the cases
handled so far, which are not done twice (a case's count moves in the case's own transaction), and a worker
of the old claim that was only slow stops at its next case.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from flask_babel import force_locale
from sqlalchemy import func, select, update

from ..extensions import db
from ..i18n import _, current_locale
from ..models import Application, BulkJob, RoleGrant, User, utcnow
from ..workflows._spec import INTERNAL_ROLES, Role
from . import audit, case_work, exports, failed_letters, queue
from .dispatch import send_task
from .errors import DomainError, Forbidden, NotFound, TransitionNotAllowed
from .storage import get_storage

log = logging.getLogger(__name__)

BULK_TASK = "bulk.run"
ASSIGN, EXPORT_CSV, EXPORT_XLSX, REISSUE = "assign", "export_csv", "export_xlsx", "reissue"
KINDS = (ASSIGN, EXPORT_CSV, EXPORT_XLSX, REISSUE)
EXPORT_FORMATS = {EXPORT_CSV: "csv", EXPORT_XLSX: "xlsx"}
PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
MAX_SELECTION = 5000  # one form's worth of ticked cases; larger sets are exports of the register
PROGRESS_EVERY = 500  # exported rows between two progress updates
FAILURES_KEPT = 100  # the failed cases named on the progress page (all are counted)
# The administration's own choice, not a legal term: a worker moves a job on with every case and every
# PROGRESS_EVERY exported rows, so this long without a sign of life means its worker is gone.
STALE_AFTER = timedelta(minutes=10)
INTERRUPTED = "interrupted"  # options[INTERRUPTED]: the job failed because its worker stopped


class InvalidBulkRequest(DomainError):
    """The selection or the action asked cannot be started as it stands; the message says why."""


class ClaimLost(Exception):
    """The job is no longer this run's (it was marked interrupted, or run again): the worker stops here."""


# -- starting a job (in the request) ---------------------------------------------------------------


def _selection(ids: Sequence[str]) -> list[uuid.UUID]:
    chosen: dict[uuid.UUID, None] = {}
    for raw in ids:
        try:
            chosen[uuid.UUID(str(raw))] = None
        except ValueError:
            raise InvalidBulkRequest(_("De selectie is ongeldig. Laad de werkvoorraad opnieuw.")) from None
    if not chosen:
        raise InvalidBulkRequest(_("Vink eerst een of meer aanvragen aan."))
    if len(chosen) > MAX_SELECTION:
        raise InvalidBulkRequest(_("Kies hoogstens %(count)s aanvragen tegelijk.", count=MAX_SELECTION))
    return list(chosen)


def _assignee(assignee_id: str | None) -> User:
    try:
        assignee = db.session.get(User, uuid.UUID(assignee_id or ""))
    except ValueError:
        assignee = None
    if assignee is None or not assignee.active:
        raise InvalidBulkRequest(_("Kies aan wie u de aanvragen toewijst."))
    return assignee


# The queue's filter fields a job "on everything the filter shows" keeps, to find the cases when it runs.
FILTER_FIELDS = ("regime", "state", "call", "assignee", "move", "view", "due", "q", "sort")


def start(
    *,
    actor: User,
    kind: str,
    ids: Sequence[str],
    assignee_id: str | None = None,
    queue_filter: Mapping[str, str] | None = None,
) -> BulkJob:
    """Create a bulk job on the cases ticked in the queue, or (with `queue_filter`, the queue's filter fields)
    on every case the queue's filter shows, up to MAX_SELECTION; and hand it to the worker."""
    if not exports.working_regimes(actor):
        raise Forbidden()
    if kind not in KINDS:
        raise InvalidBulkRequest(_("Kies wat er met de geselecteerde aanvragen moet gebeuren."))
    selection = [] if queue_filter is not None else _selection(ids)
    options: dict[str, Any] = {}
    if kind == ASSIGN:
        assignee = _assignee(assignee_id)
        options = {"assignee_id": str(assignee.id), "assignee_name": assignee.name}
    elif kind in EXPORT_FORMATS:
        options = {"source": "selection", "locale": current_locale()}
    if queue_filter is not None:
        options["filter"] = {k: str(v)[:200] for k, v in queue_filter.items() if k in FILTER_FIELDS and v}
    job = BulkJob(
        kind=kind,
        created_by_id=actor.id,
        application_ids=[str(i) for i in selection],
        options=options,
        status=PENDING,
    )
    return _launch(job, actor)


def _matching(actor: User, args: Mapping[str, str]) -> tuple[list[str], bool]:
    """The cases the queue shows this actor with these filter fields, in the queue's order, page by page as
    the queue reads them (its keyset); at most MAX_SELECTION, and whether there were more."""
    scope = queue.scope_of(actor)
    if scope.empty:
        return [], False
    assignees = {a for a, _name in queue.assignee_choices()}
    calls = {c for c, _title, _regime in queue.call_choices(scope)}
    filters = queue.filters_from(args, scope, assignees, calls)
    found: list[str] = []
    after: str | None = None
    while len(found) < MAX_SELECTION:
        shown = queue.page(actor, filters, after)
        found += [str(row.id) for row in shown.rows]
        after = shown.next_cursor
        if after is None:
            break
    return found[:MAX_SELECTION], len(found) > MAX_SELECTION or after is not None


def _resolve_filter(job: BulkJob, actor: User) -> None:
    """A job on the queue's filter: its cases found now, kept on the job (the progress counts them)."""
    args = job.options.get("filter")
    if args is None or job.application_ids:
        return
    ids, capped = _matching(actor, args)
    options = {**job.options, "total": len(ids), "capped": capped}
    db.session.execute(update(BulkJob).where(BulkJob.id == job.id).values(application_ids=ids, options=options))
    db.session.commit()


def start_register_export(*, actor: User, fmt: str, codes: Sequence[str], total: int) -> BulkJob:
    """A register export too large to make while the browser waits: the worker makes it."""
    job = BulkJob(
        kind=f"export_{fmt}",
        created_by_id=actor.id,
        application_ids=[],
        options={"source": "register", "regimes": list(codes), "total": total, "locale": current_locale()},
        status=PENDING,
    )
    return _launch(job, actor)


def _launch(job: BulkJob, actor: User) -> BulkJob:
    """Commit first, then hand to the broker: the worker never looks for a job that is not there yet."""
    db.session.add(job)
    db.session.flush()
    audit.record(
        "bulk.start",
        object_type="bulk_job",
        object_id=job.id,
        new={"kind": job.kind, "total": total_of(job), **{k: v for k, v in job.options.items() if k != "locale"}},
        actor=actor,
    )
    db.session.commit()
    if not send_task(BULK_TASK, str(job.id)):
        message = _("De taak kon niet aan de achtergrondverwerking worden gegeven. Probeer het later opnieuw.")
        _finish(job.id, FAILED, error=message, expected=(PENDING,))
    return job


def total_of(job: BulkJob) -> int:
    return len(job.application_ids) if job.application_ids else int(job.options.get("total", 0))


def on_filter(job: BulkJob) -> bool:
    """Whether the job is on everything the queue's filter showed (rather than on the cases ticked)."""
    return "filter" in job.options


def job_for(user: User, job_id: uuid.UUID) -> BulkJob:
    """A job its creator (or an admin) may follow; NotFound for anyone else."""
    job = db.session.get(BulkJob, job_id)
    if job is None or (job.created_by_id != user.id and Role.ADMIN not in user.roles):
        raise NotFound()
    return job


def assignees() -> list[tuple[uuid.UUID, str]]:
    """Members of staff a case can be assigned to (a reviewer or decision-maker grant), by name: one query.
    Whether they may have a particular case (its regime, a recusal) is checked case by case."""
    holders = select(RoleGrant.user_id).where(RoleGrant.role.in_(sorted(case_work.ASSIGNABLE_ROLES)))
    rows = db.session.execute(
        select(User.id, User.name).where(User.id.in_(holders), User.active.is_(True)).order_by(User.name, User.id)
    )
    return [(row.id, row.name) for row in rows]


def result_of(job: BulkJob) -> bytes:
    if job.status != DONE or job.result_key is None:
        raise NotFound(_("Dit bestand is nog niet klaar."))
    return get_storage().get(job.result_key)


# -- running a job (in the worker) -----------------------------------------------------------------


def _claim(job_id: uuid.UUID) -> int | None:
    """Take a pending job: its claim's number, or None when another delivery took it first."""
    claimed = db.session.execute(
        update(BulkJob)
        .where(BulkJob.id == job_id, BulkJob.status == PENDING)
        .values(status=RUNNING, attempt=BulkJob.attempt + 1, heartbeat_at=utcnow())
        .returning(BulkJob.attempt)
    ).scalar()
    db.session.commit()
    return claimed


def _beat(job_id: uuid.UUID, attempt: int, **values: Any) -> None:
    """Stamp the heartbeat (with `values`) in the current transaction, while the job is this run's; else stop."""
    moved = db.session.execute(
        update(BulkJob)
        .where(BulkJob.id == job_id, BulkJob.status == RUNNING, BulkJob.attempt == attempt)
        .values(heartbeat_at=utcnow(), **values)
    )
    if not moved.rowcount:  # type: ignore[attr-defined]
        db.session.rollback()
        raise ClaimLost(job_id)


def _finish(
    job_id: uuid.UUID,
    status: str,
    *,
    error: str | None = None,
    expected: tuple[str, ...] = (RUNNING,),
    attempt: int | None = None,
) -> None:
    """End the job; a run that lost its claim (`attempt` no longer the job's) ends nothing: the run that took
    the job over ends it."""
    db.session.rollback()
    ending = update(BulkJob).where(BulkJob.id == job_id, BulkJob.status.in_(expected))
    if attempt is not None:
        ending = ending.where(BulkJob.attempt == attempt)
    db.session.execute(ending.values(status=status, finished_at=utcnow(), error=error[:2000] if error else None))
    db.session.commit()


def run_job(job_id: uuid.UUID) -> None:
    """Run one bulk job to its end, case by case, each with its own timeline entry. A second delivery of
    the task finds the job claimed already and does nothing."""
    attempt = _claim(job_id)
    if attempt is None:
        log.info("bulk job %s was already taken", job_id)
        return
    job = db.session.get(BulkJob, job_id)
    actor = db.session.get(User, job.created_by_id) if job is not None else None
    if job is None or actor is None or not actor.active:
        _finish(job_id, FAILED, error=_("Wie deze taak startte, heeft geen actieve account meer."), attempt=attempt)
        return
    try:
        _resolve_filter(job, actor)
        if job.kind in EXPORT_FORMATS:
            _export(job, actor, attempt)
        else:
            _each_case(job, actor, _assign if job.kind == ASSIGN else _reissue, attempt)
    except ClaimLost:
        log.warning("bulk job %s: claim %s lost (marked interrupted or run again); this run stops", job_id, attempt)
        return
    except Exception as exc:  # the job as a whole stops (a full disk, the time limit): said on its page
        log.exception("bulk job %s failed", job_id)
        _finish(job_id, FAILED, error=f"{type(exc).__name__}: {exc}", attempt=attempt)
        return
    _finish(job_id, DONE, attempt=attempt)


def _check_case(actor: User, application: Application | None) -> Application:
    """The case, when the actor may still work on it now (their grants are read afresh for every case)."""
    if application is None or application.submitted_at is None:
        raise NotFound(_("Deze aanvraag bestaat niet (meer)."))
    if not actor.roles_for(application.regime_code) & INTERNAL_ROLES:
        raise Forbidden(_("U werkt niet (meer) onder de regeling van deze aanvraag."))
    return application


CaseAction = Callable[[BulkJob, Application, User], None]


def _each_case(job: BulkJob, actor: User, act: CaseAction, attempt: int) -> None:
    """Each case from the first not handled yet (`done` + `failed` so far: a run again goes on from there).
    A case's count moves in the case's own transaction, before its work commits it: a case is counted exactly
    when its work was kept, so a run again never does it twice."""
    job_id, failures = job.id, list(job.options.get("failures", []))
    for raw in list(job.application_ids)[job.done + job.failed :]:
        found = db.session.get(Application, uuid.UUID(raw))
        reference = found.reference if found is not None else raw
        try:
            _beat(job_id, attempt, done=BulkJob.done + 1)
            act(job, _check_case(actor, found), actor)
        except (SoftTimeLimitExceeded, ClaimLost):
            raise
        except DomainError as refusal:
            _count_failure(job_id, attempt, failures, reference, refusal.message)
        except Exception as exc:  # one case's surprise does not stop the others
            log.exception("bulk job %s: case %s failed", job_id, raw)
            _count_failure(job_id, attempt, failures, reference, f"{type(exc).__name__}: {exc}")


def _count_failure(
    job_id: uuid.UUID, attempt: int, failures: list[dict[str, str]], reference: str, reason: str
) -> None:
    db.session.rollback()  # the case's work and its count as done
    if len(failures) < FAILURES_KEPT:
        failures.append({"reference": reference, "reason": reason[:500]})
    job = db.session.get(BulkJob, job_id)
    options = {**(job.options if job is not None else {}), "failures": failures}
    _beat(job_id, attempt, failed=BulkJob.failed + 1, options=options)
    db.session.commit()


def _case_done(job: BulkJob, application: Application, action: str, actor: User, new: dict[str, Any]) -> None:
    """The job's audit entry on the case's trail, committed (the case's count moved in `_each_case`, and was
    committed with the case's work, or is now)."""
    audit.record(
        action,
        object_type="application",
        object_id=application.id,
        application_id=application.id,
        new={"job": str(job.id), **new},
        actor=actor,
    )
    db.session.commit()


def _assign(job: BulkJob, application: Application, actor: User) -> None:
    assignee = db.session.get(User, uuid.UUID(job.options["assignee_id"]))
    if assignee is None:
        raise NotFound(_("Wie de aanvragen zou krijgen, bestaat niet meer."))
    before = application.assignee_id
    # Refuses, or audits and commits the assignment with this case's count (unchanged: nothing committed yet).
    case_work.assign(application=application, assignee=assignee, actor=actor)
    _case_done(
        job,
        application,
        "bulk.assign",
        actor,
        {"assignee": str(assignee.id), "assignee_name": assignee.name, "changed": before != assignee.id},
    )


def _reissue(job: BulkJob, application: Application, actor: User) -> None:
    letters = failed_letters.reset_failed_of(application.id)
    if not letters:
        raise TransitionNotAllowed(_("Deze aanvraag heeft geen mislukte brieven."))
    _case_done(job, application, "bulk.reissue", actor, {"letters": [str(i) for i in letters]})


def _export(job: BulkJob, actor: User, attempt: int) -> None:
    """The file made whole by this run (a run again starts it afresh: an export changes no case)."""
    fmt, locale, job_id = EXPORT_FORMATS[job.kind], str(job.options.get("locale", "nl")), job.id
    _beat(job_id, attempt, done=0, failed=0)
    db.session.commit()
    scope: dict[str, object]
    with force_locale(locale):  # the headers in the language of whoever asked
        if job.options.get("source") == "register":
            mine = exports.working_regimes(actor)
            codes = [c for c in job.options.get("regimes", []) if c in mine]
            table, scope = exports.register_table(codes, locale), {"register": codes}
        else:
            ids = [uuid.UUID(i) for i in job.application_ids]
            visible = exports.visible_ids(actor, ids)
            _skipped(job_id, attempt, len(ids) - len(visible))
            table, scope = exports.selection_table(visible, locale), {"selection": len(ids)}
        counted = _counting(job_id, attempt, table.rows)
        table = exports.Table(table.title, table.headers, counted)
        with tempfile.TemporaryFile() as file:
            if fmt == "csv":
                for chunk in exports.csv_chunks(table):
                    file.write(chunk)
            else:
                exports.write_xlsx(table, file)
            file.seek(0)
            stored = get_storage().put(f"exports/{job_id}.{fmt}", file.read())
    count = counted.count
    _beat(job_id, attempt, done=count, result_key=stored.key)
    exports.record_export(fmt, count=count, filter={**scope, "job": str(job_id)}, actor=actor)


def _skipped(job_id: uuid.UUID, attempt: int, count: int) -> None:
    """Ticked cases the actor may not export (any more) are counted as failed."""
    if count:
        _beat(job_id, attempt, failed=count)
        db.session.commit()


class _counting(Iterator[tuple[exports.Value, ...]]):  # noqa: N801  (used like a function)
    """The rows as they pass, with the job's progress committed every PROGRESS_EVERY rows."""

    def __init__(self, job_id: uuid.UUID, attempt: int, rows: Iterable[tuple[exports.Value, ...]]) -> None:
        self.job_id, self.attempt, self.rows, self.count = job_id, attempt, iter(rows), 0

    def __next__(self) -> tuple[exports.Value, ...]:
        row = next(self.rows)
        self.count += 1
        if self.count % PROGRESS_EVERY == 0:
            _beat(self.job_id, self.attempt, done=self.count)
            db.session.commit()
        return row


# -- interrupted jobs ------------------------------------------------------------------------------


def stale_before(now: datetime | None = None) -> datetime:
    return (now or utcnow()) - STALE_AFTER


def interrupted(job: BulkJob) -> bool:
    return job.status == FAILED and bool(job.options.get(INTERRUPTED))


def interruption_message(locale: str | None = None) -> str:
    """Why an interrupted job stopped, in the reader's language (or in `locale`)."""
    with force_locale(locale) if locale else nullcontext():
        return _(
            "Onderbroken: de achtergrondverwerking gaf %(minutes)s minuten geen teken van leven meer.",
            minutes=int(STALE_AFTER.total_seconds() // 60),
        )


def _interrupt(job: BulkJob, now: datetime) -> bool:
    """Mark one running job without a heartbeat since STALE_AFTER as interrupted (its run's claim, unless it
    moved meanwhile), audited as ldapply's own act; the caller commits. Whether it was marked."""
    last = job.heartbeat_at or job.created_at
    marked = db.session.execute(
        update(BulkJob)
        .where(
            BulkJob.id == job.id,
            BulkJob.status == RUNNING,
            BulkJob.attempt == job.attempt,
            func.coalesce(BulkJob.heartbeat_at, BulkJob.created_at) < stale_before(now),
        )
        .values(
            status=FAILED,
            finished_at=now,
            error=interruption_message(locale="nl"),  # the record's language; the page says it in the reader's
            options={**job.options, INTERRUPTED: True},
        )
    ).rowcount  # type: ignore[attr-defined]
    if marked:
        audit.record(
            "bulk.interrupted",
            object_type="bulk_job",
            object_id=job.id,
            old={"status": RUNNING, "heartbeat_at": last.isoformat()},
            new={"status": FAILED, "done": job.done, "failed": job.failed},
            actor=None,
        )
    return bool(marked)


def interrupt_if_stale(job: BulkJob, now: datetime | None = None) -> bool:
    """The job page's check, for whoever looks before the beat's sweep: marked and committed when stale."""
    now = now or utcnow()
    if job.status != RUNNING or (job.heartbeat_at or job.created_at) >= stale_before(now):
        return False
    if not _free(job.id):  # a run holds the job in an open transaction: it is alive, and a page does not wait
        db.session.rollback()
        return False
    marked = _interrupt(job, now)
    db.session.commit()
    db.session.refresh(job)
    return marked


def _free(job_id: uuid.UUID) -> bool:
    """Lock the job's row unless another transaction holds it (PostgreSQL; SQLite serialises writers itself)."""
    held = select(BulkJob.id).where(BulkJob.id == job_id).with_for_update(skip_locked=True)
    return db.session.execute(held).scalar() is not None


def sweep_interrupted(now: datetime | None = None) -> int:
    """The beat's sweep: every running job without a heartbeat since STALE_AFTER marked interrupted; how many."""
    now = now or utcnow()
    stale = db.session.scalars(
        select(BulkJob).where(
            BulkJob.status == RUNNING, func.coalesce(BulkJob.heartbeat_at, BulkJob.created_at) < stale_before(now)
        )
    ).all()
    marked = sum(_interrupt(job, now) for job in stale)
    db.session.commit()
    return marked


def run_again(job: BulkJob, actor: User) -> BulkJob:
    """Hand an interrupted job to the worker again: it goes on from the cases handled so far. Refused when
    the job is not (or no longer: a second click) interrupted; audited as the actor's."""
    if not interrupted(job):
        raise InvalidBulkRequest(_("Deze actie is niet onderbroken: er is niets opnieuw uit te voeren."))
    options = {k: v for k, v in job.options.items() if k != INTERRUPTED}
    moved = db.session.execute(
        update(BulkJob)
        .where(BulkJob.id == job.id, BulkJob.status == FAILED, BulkJob.attempt == job.attempt)
        .values(status=PENDING, finished_at=None, error=None, options=options)
    ).rowcount  # type: ignore[attr-defined]
    if not moved:
        db.session.rollback()
        raise InvalidBulkRequest(_("Deze actie is niet onderbroken: er is niets opnieuw uit te voeren."))
    audit.record(
        "bulk.run_again",
        object_type="bulk_job",
        object_id=job.id,
        old={"status": FAILED, "done": job.done, "failed": job.failed},
        new={"status": PENDING, "remaining": total_of(job) - job.done - job.failed},
        actor=actor,
    )
    db.session.commit()
    if not send_task(BULK_TASK, str(job.id)):
        message = _("De taak kon niet aan de achtergrondverwerking worden gegeven. Probeer het later opnieuw.")
        _finish(job.id, FAILED, error=message, expected=(PENDING,))
    db.session.refresh(job)
    return job
