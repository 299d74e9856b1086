"""Figures for the statistics page: each one aggregate query in the database, never rows in Python.

At a million applications the work stays in the database and uses its indexes:
- cases per regime and state: a grouped count over submitted cases (ix_applications_queue_state_due, partial on
  submitted cases, when the user works under every regime; with ix_applications_queue_regime_due beside it);
- overdue cases: `due_on < today` on ix_applications_queue_regime_due (regime_code, due_on; partial on
  submitted cases), a range per regime;
- lead time per phase: `LEAD()` over each case's events in the order of ix_application_events_timeline
  (application_id, created_at, id), so the window needs no sort of its own; the median per state is taken
  with ROW_NUMBER() and COUNT() over the stays of that state, both in the same statement;
- each call's cap used: the calls service's aggregate per call (`calls.usage`), for the latest calls only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, false, func, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from ..extensions import db
from ..models import Application, ApplicationEvent, Call, User
from ..workflows import REGIMES
from ..workflows._spec import Regime
from . import calls
from .exports import working_regimes

CALLS_SHOWN = 20  # the latest calls; older ones are on the calls page


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


def _in_regimes(codes: Sequence[str]) -> ColumnElement[bool]:
    if set(codes) == set(REGIMES):
        return true()  # every regime: no filter, so the planner may use the narrower index
    return Application.regime_code.in_(codes) if codes else false()


# -- the figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateCount:
    regime: Regime
    state: str
    count: int


def cases_by_state(codes: Sequence[str]) -> list[StateCount]:
    """Submitted cases per regime and state, in the regime's order of states."""
    rows = db.session.execute(
        select(Application.regime_code, Application.state, func.count())
        .where(Application.submitted_at.is_not(None), _in_regimes(codes))
        .group_by(Application.regime_code, Application.state)
    ).all()
    counts = {(code, state): int(n) for code, state, n in rows}
    found = []
    for code in codes:
        regime = REGIMES[code]
        found += [StateCount(regime, s.code, counts[code, s.code]) for s in regime.states if (code, s.code) in counts]
    return found


@dataclass(frozen=True)
class LeadTime:
    regime: Regime  # the first of the user's regimes with the state: it names it (regimes share state codes)
    state: str
    median_days: float
    stays: int  # how many completed stays in the state the median is taken over


def lead_times(codes: Sequence[str]) -> list[LeadTime]:
    """Per state, the median of the days cases stayed in it before their next move (finished stays only:
    a case still in a state has not finished its stay there)."""
    event = ApplicationEvent
    left_at = func.lead(event.created_at).over(partition_by=event.application_id, order_by=(event.created_at, event.id))
    stays = select(event.to_state.label("state"), days_between(event.created_at, left_at).label("days"))
    if set(codes) != set(REGIMES):  # scoped to the user's regimes: the events of their cases only
        stays = stays.join(Application, Application.id == event.application_id).where(_in_regimes(codes))
    stay = stays.subquery()
    ranked = (
        select(
            stay.c.state,
            stay.c.days,
            func.row_number().over(partition_by=stay.c.state, order_by=stay.c.days).label("rank"),
            func.count().over(partition_by=stay.c.state).label("stays"),
        )
        .where(stay.c.days.is_not(None))
        .subquery()
    )
    middle = or_(ranked.c.rank == (ranked.c.stays + 1) // 2, ranked.c.rank == (ranked.c.stays + 2) // 2)
    rows = db.session.execute(
        select(ranked.c.state, func.avg(ranked.c.days), func.max(ranked.c.stays)).where(middle).group_by(ranked.c.state)
    ).all()
    found = {state: (round(float(days), 1), int(n)) for state, days, n in rows}
    return [LeadTime(regime, state, *found[state]) for regime, state in _states_in_order(codes) if state in found]


def _states_in_order(codes: Sequence[str]) -> list[tuple[Regime, str]]:
    """Every state of the user's regimes once, in the procedure's order, with the first regime that has it."""
    seen: dict[str, Regime] = {}
    for code in codes:
        for state in REGIMES[code].states:
            seen.setdefault(state.code, REGIMES[code])
    return [(regime, state) for state, regime in seen.items()]


def overdue_by_regime(codes: Sequence[str], today: date) -> dict[str, int]:
    """Cases whose decision is due before today, per regime (zero where none are)."""
    rows = db.session.execute(
        select(Application.regime_code, func.count())
        .where(Application.submitted_at.is_not(None), Application.due_on < today, _in_regimes(codes))
        .group_by(Application.regime_code)
    ).all()
    found = dict.fromkeys(codes, 0)
    found.update({code: int(n) for code, n in rows})
    return found


@dataclass(frozen=True)
class CallUse:
    call: Call
    usage: calls.CapUsage

    @property
    def used(self) -> Decimal:
        return self.usage.granted + self.usage.proposed


def cap_use(codes: Sequence[str]) -> list[CallUse]:
    """The latest calls under the user's regimes with the volume granted and proposed against the cap."""
    latest = db.session.scalars(
        select(Call).where(Call.regime_code.in_(codes)).order_by(Call.closes_on.desc(), Call.id).limit(CALLS_SHOWN)
    ).all()
    return [CallUse(call, calls.usage(call)) for call in latest]


@dataclass(frozen=True)
class Figures:
    codes: tuple[str, ...]
    by_state: list[StateCount]
    lead_times: list[LeadTime]
    overdue: dict[str, int]
    cap_use: list[CallUse]


def figures(user: User, today: date) -> Figures:
    codes = working_regimes(user)
    return Figures(
        codes=codes,
        by_state=cases_by_state(codes),
        lead_times=lead_times(codes),
        overdue=overdue_by_regime(codes, today),
        cap_use=cap_use(codes),
    )


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
