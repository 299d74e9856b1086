"""The legal clocks of a case (the regime's ClockSpecs): started, suspended, resumed, extended and stopped
as the case moves, and the due date they give, the same for staff and applicant.

Each clock's record is kept in `application.clocks[name]` (services/clock_records.py says what a move does
to it), and `application.due_on` holds the due date of the clock that runs now (the queue sorts on it): None
while every clock stands still or has stopped, or while the running one's parameter has no value. The
lengths are the application's pinned parameter values (the regime's where none is pinned); working-day
clocks read the administration's closing days once per call. Also here: extensions with a reason, the
backfill from a case's history (`flask ldapply clocks-rebuild`), and the reminders of overdue cases.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence, Set
from datetime import date, datetime
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..clock import local_date, utcnow
from ..extensions import db
from ..i18n import _, format_day
from ..models import Application, ApplicationEvent, ClosingDay, Reminder, User
from ..workflows import all_versions
from ..workflows._clock import ClockSpec, DayCount
from ..workflows._spec import Regime, Transition
from ..working_days import NO_CLOSING_DAYS
from . import audit, mail, staff
from .accounts import in_language_of, signature
from .assessment import parameters_of
from .clock_records import ClockRecord, due_now, enter_state, extend, iso, recount
from .clock_view import ClockView, shown
from .errors import ChangedMeanwhile, Forbidden, NotFound, TransitionNotAllowed
from .regimes import regime_of

log = logging.getLogger(__name__)

OVERDUE = "overdue"  # the reminders' kind: one mail per case and due date
REMIND_BATCH = 500
REASON_MAX = 2000


# -- parameters and closing days -----------------------------------------------------------------------


def period_values(application: Application, regime: Regime) -> dict[str, int | None]:
    """The clocks' lengths in days: pinned on the application, else the regime's."""
    pinned = parameters_of(application)
    names = {c.parameter for c in regime.clocks} | {
        c.extension_parameter for c in regime.clocks if c.extension_parameter
    }
    values: dict[str, int | None] = {}
    for name in names:
        value = pinned[name] if name in pinned else regime.parameter(name).value
        values[name] = None if value is None else int(str(value))
    return values


def needs_closing_days(specs: Iterable[ClockSpec]) -> bool:
    return any(spec.days is DayCount.WORKING or spec.last_day_moves_to_working_day for spec in specs)


def closing_days(since: date | None = None) -> frozenset[date]:
    """The administration's closing days (from `since` on): read once, passed to the arithmetic."""
    query = select(ClosingDay.day)
    if since is not None:
        query = query.where(ClosingDay.day >= since)
    return frozenset(db.session.scalars(query))


def _closing_days_for(specs: Sequence[ClockSpec], clocks: Mapping[str, Any], day: date) -> frozenset[date]:
    if not needs_closing_days(specs):
        return NO_CLOSING_DAYS
    starts = [ClockRecord.from_json(found).running_since for found in clocks.values()]
    return closing_days(min([day, *(s for s in starts if s is not None)]))


# -- the case moves ------------------------------------------------------------------------------------


def on_move(application: Application, regime: Regime, transition: Transition, now: datetime) -> None:
    """Start, suspend, resume or stop the regime's clocks as `application` enters its new state, and
    set `application.due_on` from the clock that runs now."""
    if not regime.clocks:
        return
    day = local_date(now)
    clocks = application.clocks or {}
    closed = _closing_days_for(regime.clocks, clocks, day)
    application.clocks = enter_state(
        clocks, regime.clocks, application.state, day, period_values(application, regime), closed, transition.action
    )
    application.due_on = due_now(regime.clocks, application.clocks)


def replay(
    application: Application, events: Sequence[ApplicationEvent], closed: Set[date] = NO_CLOSING_DAYS
) -> dict[str, Any]:
    """The clocks a case would have from its history (oldest first), with the extensions it had kept."""
    regime = regime_of(application)
    params = period_values(application, regime)
    specs = {spec.name: spec for spec in regime.clocks}
    kept = [
        (datetime.fromisoformat(extension["at"]), name, extension)
        for name, found in (application.clocks or {}).items()
        if name in specs
        for period in [*found.get("rounds", []), found]  # a restarted clock's earlier periods had theirs
        for extension in period.get("extensions", [])
    ]
    steps: list[tuple[datetime, int, Any]] = [(e.created_at, 0, e) for e in events]
    steps += [(at, 1, (name, extension)) for at, name, extension in kept]
    clocks: dict[str, Any] = {}
    for _at, kind, item in sorted(steps, key=lambda step: (step[0], step[1])):
        if kind == 0:
            day = local_date(item.created_at)
            clocks = enter_state(clocks, regime.clocks, item.to_state, day, params, closed, item.action)
            continue
        name, extension = item
        if name in clocks:
            record = ClockRecord.from_json(clocks[name])
            extend(record, specs[name], int(extension["days"]), closed)
            record.extensions.append(extension)
            clocks[name] = record.to_json()
    return clocks


@click.command("clocks-rebuild")
@click.option("--all", "every", is_flag=True, help="Also cases whose clocks are set already (extensions are kept).")
@with_appcontext
def rebuild_command(every: bool) -> None:
    """Set each submitted case's legal clocks and due date from its history (cases submitted before 0006)."""
    click.echo(f"clocks rebuilt for {rebuild(every=every)} cases")


def rebuild(*, every: bool = False, batch: int = 500) -> int:
    """Replay the history of every submitted case without clocks (`every`: of every case); the count."""
    closed = closing_days()
    done, after = 0, None
    while True:
        query = select(Application).where(Application.submitted_at.is_not(None)).order_by(Application.id).limit(batch)
        found = list(db.session.scalars(query.where(Application.id > after) if after is not None else query))
        if not found:
            break
        after = found[-1].id
        chosen = [a for a in found if every or not a.clocks]
        histories = _histories([a.id for a in chosen])
        for application in chosen:
            regime = regime_of(application)
            application.clocks = replay(application, histories.get(application.id, []), closed)
            application.due_on = due_now(regime.clocks, application.clocks)
        done += len(chosen)
        db.session.commit()
    audit.record("clock.rebuilt", object_type="clocks", new={"cases": done, "every": every}, actor=None)
    db.session.commit()
    return done


def _histories(ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[ApplicationEvent]]:
    out: dict[uuid.UUID, list[ApplicationEvent]] = {}
    if not ids:
        return out
    rows = db.session.scalars(
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id.in_(ids))
        .order_by(ApplicationEvent.created_at, ApplicationEvent.id)
    )
    for event in rows:
        out.setdefault(event.application_id, []).append(event)
    return out


# -- extension -----------------------------------------------------------------------------------------


def spec_of(regime: Regime, name: str) -> ClockSpec | None:
    return next((spec for spec in regime.clocks if spec.name == name), None)


def record_of(application: Application, name: str) -> ClockRecord | None:
    found = (application.clocks or {}).get(name)
    return ClockRecord.from_json(found) if found is not None else None


def may_extend(user: User, application: Application, name: str) -> bool:
    """Whether `user` may extend this clock now: a role the clock names, under the case's regime, and the
    clock still open to an extension."""
    spec = spec_of(regime_of(application), name)
    return (
        spec is not None
        and bool(spec.extended_by & staff.case_roles(user, application))
        and (_extension_refusal(application, spec) is None)
    )


def _extension_refusal(application: Application, spec: ClockSpec) -> str | None:
    record = record_of(application, spec.name)
    if record is None or record.stopped_on is not None:
        return _("Deze termijn loopt niet (meer); hij kan niet verlengd worden.")
    maximum = _extension_days(application, spec)
    if maximum is None:
        return _("Deze termijn kan niet verlengd worden.")
    if len(record.extensions) >= spec.extensions:
        return _("Deze termijn werd al verlengd; een verdere verlenging is niet mogelijk.")
    return None


def _extension_days(application: Application, spec: ClockSpec) -> int | None:
    if spec.extension_parameter is None:
        return None
    return period_values(application, regime_of(application)).get(spec.extension_parameter)


def extend_clock(
    *, application: Application, name: str, days: int | None, reason: str, actor: User, now: datetime | None = None
) -> date | None:
    """Extend the clock `name` by `days`, with a reason; returns the new due date (None while it stands
    still). Recorded in the clock and in the audit trail, committed here. Raises NotFound for a clock the
    regime does not have, Forbidden without a role the clock names, TransitionNotAllowed when the clock
    cannot be extended (so far) or the days or reason are wrong, ChangedMeanwhile when someone else
    changed the case first."""
    regime = regime_of(application)
    spec = spec_of(regime, name)
    if spec is None:
        raise NotFound()
    if not spec.extended_by & staff.case_roles(actor, application):
        raise Forbidden(_("U mag deze termijn niet verlengen."))
    refusal = _extension_refusal(application, spec)
    if refusal is not None:
        raise TransitionNotAllowed(refusal)
    maximum = _extension_days(application, spec) or 0
    if days is None or not 1 <= days <= maximum:
        raise TransitionNotAllowed(
            _("Verleng met minstens 1 en hoogstens %(max)s %(unit)s.", max=maximum, unit=count_unit(spec.days))
        )
    reason = " ".join(reason.split()) if reason else ""
    if not reason:
        raise TransitionNotAllowed(_("Geef de reden van de verlenging op."))
    if len(reason) > REASON_MAX:
        raise TransitionNotAllowed(_("De reden is te lang (hoogstens %(max)s tekens).", max=REASON_MAX))
    moment = now or utcnow()
    record = record_of(application, name)
    if record is None:  # _extension_refusal said it runs
        raise NotFound()
    closed = _closing_days_for([spec], application.clocks or {}, local_date(moment))
    old_due = record.due_on
    extend(record, spec, days, closed)
    record.extensions.append(
        {
            "days": days,
            "reason": reason,
            "at": moment.isoformat(),
            "by": str(actor.id),
            "by_name": actor.name,
            "old_due": iso(old_due),
            "new_due": iso(record.due_on),
        }
    )
    application.clocks = {**(application.clocks or {}), name: record.to_json()}
    application.due_on = due_now(regime.clocks, application.clocks)
    try:
        db.session.flush()
        audit.record(
            "clock.extended",
            object_type="application",
            object_id=application.id,
            application_id=application.id,
            old={"clock": name, "due_on": old_due},
            new={"clock": name, "due_on": record.due_on, "days": days, "reason": reason},
            actor=actor,
        )
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise ChangedMeanwhile() from None
    return record.due_on


def count_unit(count: DayCount) -> str:
    return _("werkdagen") if count is DayCount.WORKING else _("kalenderdagen")


# -- closing days changed ------------------------------------------------------------------------------


Moved = tuple[Application, date | None, date | None]  # a case, its due date before and after


def recount_running(changed: date) -> list[Moved]:
    """Date again the running working-day periods that reach the closing day `changed` (one added or
    removed), in the caller's transaction; the cases whose due date moved, with the old and the new one.
    What was used or left before (a standstill, a stop) stays as it was counted."""
    codes = {r.code for r in all_versions() if needs_closing_days(r.clocks)}
    if not codes:
        return []
    closed = closing_days()
    moved: list[Moved] = []
    candidates = db.session.scalars(
        select(Application).where(
            Application.submitted_at.is_not(None),
            Application.regime_code.in_(sorted(codes)),
            Application.due_on >= changed,
        )
    )
    for application in candidates:
        regime = regime_of(application)
        clocks = dict(application.clocks or {})
        for spec in regime.clocks:
            if spec.name in clocks and needs_closing_days([spec]):
                record = ClockRecord.from_json(clocks[spec.name])
                recount(record, spec, closed)
                clocks[spec.name] = record.to_json()
        new_due = due_now(regime.clocks, clocks)
        if new_due != application.due_on:
            moved.append((application, application.due_on, new_due))
            application.clocks, application.due_on = clocks, new_due
    return moved


# -- overdue -------------------------------------------------------------------------------------------


def remind_overdue(now: datetime) -> int:
    """Remind the assignee of every case whose due date passed, once per due date (the `reminders` table
    holds that it was sent); the number reminded. The queue flags the same cases by their due date."""
    today = local_date(now)
    reminded = exists().where(
        Reminder.application_id == Application.id, Reminder.kind == OVERDUE, Reminder.about == Application.due_on
    )
    rows = db.session.execute(
        select(Application.id, Application.due_on)
        .where(
            Application.submitted_at.is_not(None),
            Application.due_on < today,
            Application.assignee_id.is_not(None),
            ~reminded,
        )
        .order_by(Application.due_on, Application.id)
        .limit(REMIND_BATCH)
    ).all()
    db.session.rollback()
    sent = 0
    for application_id, due_on in rows:
        try:
            sent += due_on is not None and _remind(application_id, due_on)
        except Exception:  # one case must not stop the others; it is logged and tried next run
            db.session.rollback()
            log.exception("overdue reminder for %s not sent", application_id)
    return sent


def _remind(application_id: uuid.UUID, due_on: date) -> bool:
    application = db.session.get(Application, application_id)
    if application is None or application.due_on != due_on or application.assignee is None:
        return False  # moved meanwhile
    try:
        with db.session.begin_nested():
            db.session.add(Reminder(application_id=application.id, kind=OVERDUE, about=due_on))
    except IntegrityError:  # another run sent it
        db.session.rollback()
        return False
    assignee = application.assignee
    with in_language_of(assignee):
        locale = assignee.locale if assignee.locale in ("nl", "en") else "nl"
        label = _running_label(application, locale)
        subject = _("Termijn overschreden: dossier %(reference)s", reference=application.reference)
        body = (
            _(
                "Beste %(name)s,\n\nDe termijn „%(clock)s” van dossier %(reference)s (%(organisation)s) liep af "
                "op %(date)s. Het dossier staat op uw naam.\n\nOpen het dossier: %(link)s",
                name=assignee.name,
                clock=label,
                reference=application.reference,
                organisation=application.organisation.name,
                date=format_day(due_on),
                link=mail.link("backoffice.case", application_id=str(application.id)),
            )
            + signature()
        )
    mail.queue_mail(assignee.email, subject, body)
    db.session.commit()
    return True


def _running_label(application: Application, locale: str) -> str:
    regime = regime_of(application)
    for spec in regime.clocks:
        record = record_of(application, spec.name)
        if record is not None and record.running and record.due_on == application.due_on:
            return spec.label.get(locale)
    return ""


# -- what pages show -----------------------------------------------------------------------------------


def clock_view(application: Application, now: datetime | None = None) -> ClockView | None:
    """The clock that runs now (or stands still; else the one that stopped last), for the case page's bar
    and the applicant's due date; None before any clock started."""
    regime = regime_of(application)
    records = [
        (spec, ClockRecord.from_json(found))
        for spec in regime.clocks
        if (found := (application.clocks or {}).get(spec.name)) is not None
    ]
    if not records:
        return None
    spec, record = shown(records)
    return ClockView(
        spec,
        record,
        today=local_date(now or utcnow()),
        parameter=regime.parameter(spec.parameter),
        extension_parameter=regime.parameter(spec.extension_parameter) if spec.extension_parameter else None,
        extension_max=_extension_days(application, spec),
        extendable=_extension_refusal(application, spec) is None,
        earlier=_earlier_periods(records, record),
        closing_days=closing_days,
    )


def _earlier_periods(
    records: Sequence[tuple[ClockSpec, ClockRecord]], shown_record: ClockRecord
) -> list[tuple[ClockSpec, ClockRecord]]:
    """The periods that stopped before the one shown, oldest first: other clocks, and the rounds a restarted
    clock had (a decision period before the case was reopened after an objection)."""
    stopped = [(s, r) for s, r in records if r is not shown_record and r.stopped_on is not None]
    rounds = [(s, ClockRecord.from_json(earlier)) for s, r in records for earlier in r.rounds]
    return sorted(stopped + rounds, key=lambda pair: (pair[1].started_on, pair[1].stopped_on or date.max))
