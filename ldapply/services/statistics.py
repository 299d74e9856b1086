"""Figures for the statistics page, aggregated in the database, never over rows in Python.

The counts and lead times are taken by the worker (`statistics.refresh`, every hour from Celery beat, and at
once when the page finds none) and kept as one small snapshot in the file store; the page reads the snapshot,
so it costs no query over the cases whatever their number. Measured on this machine with 1,000,000
applications and 5,000,000 events in PostgreSQL: the grouped counts take about half a second each, the
lead-time medians over every event about 80 seconds, far beyond a page (and its 15 s statement timeout).

The statements, and what serves them:
- cases per regime and state: a grouped count over submitted cases (a parallel scan of applications; the
  partial queue indexes on submitted cases do not hold both columns);
- overdue cases: `due_on < today`, grouped per regime (ix_applications_queue_regime_due, partial on
  submitted cases, holds both columns, for an index-only scan where the planner prefers one);
- lead time per phase: `LEAD()` over each case's events in the order of ix_application_events_timeline
  (application_id, created_at, id), so that window needs no sort of its own; the median per regime and state
  with ROW_NUMBER() and COUNT() over the finished stays, in the same statement;
- each call's cap used, live on the page: the calls service's one aggregate over the latest calls
  (`calls.usages`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, func, or_, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from ..clock import local_date, utcnow
from ..extensions import db
from ..models import Application, ApplicationEvent, Call, User
from ..workflows import REGIMES
from ..workflows._spec import Regime
from . import calls
from .dispatch import send_task
from .exports import working_regimes
from .storage import get_storage

log = logging.getLogger(__name__)

CALLS_SHOWN = 20  # the latest calls; older ones are on the calls page
SNAPSHOT_KEY = "statistics/figures.json"
REFRESH_TASK = "statistics.refresh"
REFRESH_EVERY = timedelta(hours=1)  # Celery beat's interval (config.py); older than twice that: asked again
FRESH_ENOUGH = timedelta(minutes=5)  # a refresh asked this soon after the last one does nothing


class days_between(FunctionElement[float]):  # noqa: N801  (used like a SQL function)
    """The days (with fractions) from the first moment to the second, on either backend."""

    type = Float()
    inherit_cache = True


@compiles(days_between)
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)})) / 86400.0)"


# -- the aggregates --------------------------------------------------------------------------------


def cases_by_state() -> dict[str, dict[str, int]]:
    """Submitted cases per regime and state."""
    rows = db.session.execute(
        select(Application.regime_code, Application.state, func.count())
        .where(Application.submitted_at.is_not(None))
        .group_by(Application.regime_code, Application.state)
    )
    found: dict[str, dict[str, int]] = {}
    for code, state, count in rows:
        found.setdefault(code, {})[state] = int(count)
    return found


def overdue_by_regime(today: date) -> dict[str, int]:
    """Submitted cases whose decision was due before today, per regime."""
    rows = db.session.execute(
        select(Application.regime_code, func.count())
        .where(Application.submitted_at.is_not(None), Application.due_on < today)
        .group_by(Application.regime_code)
    )
    return {code: int(count) for code, count in rows}


def lead_times() -> dict[str, dict[str, tuple[float, int]]]:
    """Per regime and state, the median of the days cases stayed there before their next move, and over how
    many stays (finished stays only: a case still in a state has not finished its stay there)."""
    event = ApplicationEvent
    left_at = func.lead(event.created_at).over(partition_by=event.application_id, order_by=(event.created_at, event.id))
    stay = (
        select(
            Application.regime_code.label("regime"),
            event.to_state.label("state"),
            days_between(event.created_at, left_at).label("days"),
        )
        .join(Application, Application.id == event.application_id)
        .subquery()
    )
    group = (stay.c.regime, stay.c.state)
    ranked = (
        select(
            stay.c.regime,
            stay.c.state,
            stay.c.days,
            func.row_number().over(partition_by=group, order_by=stay.c.days).label("rank"),
            func.count().over(partition_by=group).label("stays"),
        )
        .where(stay.c.days.is_not(None))
        .subquery()
    )
    middle = or_(ranked.c.rank == (ranked.c.stays + 1) // 2, ranked.c.rank == (ranked.c.stays + 2) // 2)
    rows = db.session.execute(
        select(ranked.c.regime, ranked.c.state, func.avg(ranked.c.days), func.max(ranked.c.stays))
        .where(middle)
        .group_by(ranked.c.regime, ranked.c.state)
    )
    found: dict[str, dict[str, tuple[float, int]]] = {}
    for code, state, days, stays in rows:
        found.setdefault(code, {})[state] = (round(float(days), 1), int(stays))
    return found


# -- the snapshot ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    computed_at: datetime
    today: date  # the day "overdue" was counted against
    by_state: dict[str, dict[str, int]]
    overdue: dict[str, int]
    lead: dict[str, dict[str, tuple[float, int]]]

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "computed_at": self.computed_at.isoformat(),
                "today": self.today.isoformat(),
                "by_state": self.by_state,
                "overdue": self.overdue,
                "lead": {code: {s: list(v) for s, v in states.items()} for code, states in self.lead.items()},
            }
        ).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Snapshot:
        raw = json.loads(data)
        return cls(
            computed_at=datetime.fromisoformat(raw["computed_at"]),
            today=date.fromisoformat(raw["today"]),
            by_state={code: {s: int(n) for s, n in states.items()} for code, states in raw["by_state"].items()},
            overdue={code: int(n) for code, n in raw["overdue"].items()},
            lead={
                code: {s: (float(v[0]), int(v[1])) for s, v in states.items()} for code, states in raw["lead"].items()
            },
        )


def refresh(now: datetime | None = None, *, force: bool = True) -> Snapshot:
    """Take every figure again and keep them as the snapshot the page reads (the worker's job). Without
    `force`, a snapshot younger than FRESH_ENOUGH is kept (a burst of requests asks once)."""
    now = now or utcnow()
    kept = snapshot()
    if not force and kept is not None and now - kept.computed_at < FRESH_ENOUGH:
        return kept
    if db.engine.dialect.name == "postgresql":
        # The web's statement timeout (15 s) is for pages; these aggregates read every case and event.
        db.session.execute(text("SET LOCAL statement_timeout = 0"))
    today = local_date(now)
    taken = Snapshot(now, today, cases_by_state(), overdue_by_regime(today), lead_times())
    db.session.rollback()  # read only: end the transaction (and its SET LOCAL)
    get_storage().put(SNAPSHOT_KEY, taken.to_json())
    return taken


def snapshot() -> Snapshot | None:
    """The figures as last taken, or None before the first time (or if the file cannot be read)."""
    try:
        return Snapshot.from_json(get_storage().get(SNAPSHOT_KEY))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def ask_refresh_if_stale(now: datetime | None = None) -> bool:
    """Hand a refresh to the worker when there is no snapshot or beat has not made one for too long."""
    kept = snapshot()
    if kept is not None and (now or utcnow()) - kept.computed_at < 2 * REFRESH_EVERY:
        return False
    return send_task(REFRESH_TASK)


# -- what the page shows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StateCount:
    state: str
    count: int


@dataclass(frozen=True)
class LeadTime:
    state: str
    median_days: float
    stays: int  # how many finished stays in the state the median is taken over


@dataclass(frozen=True)
class RegimeFigures:
    regime: Regime
    by_state: list[StateCount]  # in the regime's order of states
    lead_times: list[LeadTime]
    overdue: int


@dataclass(frozen=True)
class CallUse:
    call: Call
    usage: calls.CapUsage

    @property
    def used(self) -> Decimal:
        return self.usage.granted + self.usage.proposed


@dataclass(frozen=True)
class Figures:
    snapshot: Snapshot | None
    regimes: list[RegimeFigures] = field(default_factory=list)
    cap_use: list[CallUse] = field(default_factory=list)


def _regime_figures(kept: Snapshot, regime: Regime) -> RegimeFigures:
    counts, lead = kept.by_state.get(regime.code, {}), kept.lead.get(regime.code, {})
    return RegimeFigures(
        regime=regime,
        by_state=[StateCount(s.code, counts[s.code]) for s in regime.states if s.code in counts],
        lead_times=[LeadTime(s.code, *lead[s.code]) for s in regime.states if s.code in lead],
        overdue=kept.overdue.get(regime.code, 0),
    )


def cap_use(codes: Sequence[str]) -> list[CallUse]:
    """The latest calls under the user's regimes with the volume granted and proposed against the cap: two queries."""
    latest = db.session.scalars(
        select(Call).where(Call.regime_code.in_(codes)).order_by(Call.closes_on.desc(), Call.id).limit(CALLS_SHOWN)
    ).all()
    used = calls.usages(latest)
    return [CallUse(call, used[call.id]) for call in latest]


def figures(user: User) -> Figures:
    """The snapshot's figures for the regimes this user works under, and their calls' caps as they are now."""
    codes = working_regimes(user)
    kept = snapshot()
    regimes = [_regime_figures(kept, REGIMES[code]) for code in codes] if kept is not None else []
    return Figures(kept, regimes, cap_use(codes))


# -- charts drawn on the server --------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | int | Decimal
    share: float  # the bar's length as a part of the longest


def bars(rows: Sequence[tuple[str, float | int | Decimal]]) -> list[Bar]:
    """Horizontal bars scaled to the longest: (label, value) each."""
    longest = max((float(value) for _label, value in rows), default=0.0) or 1.0
    return [Bar(label, value, max(float(value), 0.0) / longest) for label, value in rows]


@dataclass(frozen=True)
class Segment:
    kind: str  # granted, proposed or free: a fill of its own, named in the legend and in the row's text
    amount: Decimal
    start: float  # from the left, as a part of the whole
    share: float


def cap_segments(usage: calls.CapUsage) -> tuple[Segment, ...]:
    """Granted, then proposed, then what is free, as parts of the cap (or of what is used, when more is)."""
    whole = max(usage.cap, usage.granted + usage.proposed) or Decimal(1)
    segments, start = [], 0.0
    for kind, amount in (("granted", usage.granted), ("proposed", usage.proposed), ("free", usage.remaining)):
        share = float(amount / whole)
        segments.append(Segment(kind, amount, start, share))
        start += share
    return tuple(segments)
