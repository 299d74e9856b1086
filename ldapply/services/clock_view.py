"""What pages show of a case's legal clock: its due date and state, the days used and left, and the bar
(elapsed, suspended, remaining) in calendar time. Built by `legal_clock.clock_view`.

The counts that need the closing days (a working-day clock's days used and left, the bar) are worked out
only when a page asks for them, and the closing days read once then: the applicant's due date costs no
statement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from ..workflows._clock import ClockSpec, DayCount
from ..workflows._spec import Parameter, Text
from ..working_days import days_between, days_counted
from .clock_records import ClockRecord, day_of, resume

BAR_WIDTH = 1000  # the bar's SVG viewBox width


@dataclass(frozen=True)
class Segment:
    """A stretch of the bar: `kind` is elapsed, suspended, overdue or remaining; x and width in the bar's units."""

    kind: str
    start: date
    end: date
    x: float
    width: float


@dataclass(frozen=True)
class Extension:
    days: int
    reason: str
    at: datetime
    by_name: str
    old_due: date | None
    new_due: date | None


@dataclass(frozen=True)
class EarlierClock:
    """A clock that stopped before the one shown: what it gave and when it stopped."""

    label: Text
    count: DayCount
    days: int | None
    used: int
    started_on: date
    stopped_on: date | None
    due_on: date | None
    late: bool


class ClockView:
    """The clock that runs now (or stands still, or stopped last) of one case, as pages show it."""

    def __init__(
        self,
        spec: ClockSpec,
        record: ClockRecord,
        *,
        today: date,
        parameter: Parameter,
        extension_parameter: Parameter | None,
        extension_max: int | None,
        extendable: bool,
        earlier: Sequence[tuple[ClockSpec, ClockRecord]],
        closing_days: Callable[[date], frozenset[date]],
    ) -> None:
        self.spec, self.record, self.today = spec, record, today
        self.name, self.label, self.count = spec.name, spec.label, record.count
        self.parameter, self.extension_parameter = parameter, extension_parameter
        self.extension_max, self.extendable = extension_max, extendable
        self.days, self.extended_days = record.days, record.extended_days
        self.due_on, self.started_on, self.stopped_on = record.due_on, record.started_on, record.stopped_on
        self.suspended, self.suspended_since = record.suspended, record.suspended_since
        self.stopped = record.stopped_on is not None
        self.overdue = record.running and record.due_on is not None and today > record.due_on
        self.late = _late(record)
        self.extensions = tuple(_extension(e) for e in record.extensions)
        self.suspensions = tuple((start, end) for start, end in record.suspensions if start is not None)
        self.earlier = tuple(_earlier(s, r) for s, r in earlier)
        self._closing_days = closing_days

    @property
    def total(self) -> int | None:
        return None if self.days is None else self.days + self.extended_days

    @cached_property
    def closed(self) -> Set[date]:
        if self.spec.days is DayCount.WORKING or self.spec.last_day_moves_to_working_day:
            return self._closing_days(self.record.started_on)
        return frozenset()

    @cached_property
    def used(self) -> int:
        """Counted days used so far."""
        record = self.record
        if record.running and record.running_since is not None:
            return record.days_used + days_counted(record.running_since, self.today, record.count, self.closed)
        return record.days_used

    @cached_property
    def remaining(self) -> int | None:
        """Counted days left (negative: how many past the due date); while it stands still, those it kept."""
        record = self.record
        if record.stopped_on is not None or record.suspended:
            return record.days_left
        if record.ends_on is None:
            return None
        return days_between(self.today, record.ends_on, record.count, self.closed)

    @cached_property
    def suspended_days(self) -> int:
        """Calendar days the clock stood still."""
        until = self.stopped_on or self.today
        return sum(((end or until) - start).days for start, end in self.suspensions)

    @cached_property
    def resumes_due(self) -> date | None:
        """While it stands still with days left: the due date it would have were it to resume today."""
        record = self.record
        if not record.suspended or record.days_left is None or record.days_left <= 0:
            return None
        projected = ClockRecord.from_json(record.to_json())
        resume(projected, self.spec, self.today, self.closed)
        return projected.due_on

    @cached_property
    def _bar(self) -> tuple[tuple[Segment, ...], float | None]:
        return bar(self.record, self.today, self.resumes_due)

    @property
    def segments(self) -> tuple[Segment, ...]:
        return self._bar[0]

    @property
    def bar_due_x(self) -> float | None:
        return self._bar[1]


def bar(record: ClockRecord, today: date, resumes_due: date | None) -> tuple[tuple[Segment, ...], float | None]:
    """The bar in calendar time from the start: elapsed (overdue past the due date), suspended, and what is
    left up to the due date (while it stands still: up to the date it would have were it to resume today);
    and where the due date falls."""
    until = record.stopped_on or today
    due = resumes_due if record.suspended else record.due_on
    stretches: list[tuple[str, date, date]] = []
    cursor: date | None = record.started_on
    for start, end in record.suspensions:
        if start is None:
            continue
        if cursor is not None:
            stretches += _running(cursor, start, record.due_on)
        stretches.append(("suspended", start, end or until))
        cursor = end
    if cursor is not None:
        stretches += _running(cursor, until, record.due_on)
    if record.stopped_on is None and due is not None and due > today:
        stretches.append(("remaining", today, due))
    last = max([until, *(end for _kind, _start, end in stretches), *([due] if due else [])])
    span = max((last - record.started_on).days, 1)

    def x(day: date) -> float:
        return round(BAR_WIDTH * (day - record.started_on).days / span, 1)

    segments = tuple(Segment(kind, s, e, x(s), round(x(e) - x(s), 1)) for kind, s, e in stretches if e > s)
    return segments, (x(due) if due is not None else None)


def _running(start: date, end: date, due: date | None) -> list[tuple[str, date, date]]:
    if due is None or end <= due:
        return [("elapsed", start, end)]
    if start >= due:
        return [("overdue", start, end)]
    return [("elapsed", start, due), ("overdue", due, end)]


def _late(record: ClockRecord) -> bool:
    return record.stopped_on is not None and record.due_on is not None and record.stopped_on > record.due_on


def _extension(data: Mapping[str, Any]) -> Extension:
    return Extension(
        days=int(data["days"]),
        reason=str(data.get("reason", "")),
        at=datetime.fromisoformat(data["at"]),
        by_name=str(data.get("by_name", "")),
        old_due=day_of(data.get("old_due")),
        new_due=day_of(data.get("new_due")),
    )


def _earlier(spec: ClockSpec, record: ClockRecord) -> EarlierClock:
    return EarlierClock(
        label=spec.label,
        count=record.count,
        days=None if record.days is None else record.days + record.extended_days,
        used=record.days_used,
        started_on=record.started_on,
        stopped_on=record.stopped_on,
        due_on=record.due_on,
        late=_late(record),
    )


def shown(records: Sequence[tuple[ClockSpec, ClockRecord]]) -> tuple[ClockSpec, ClockRecord]:
    """The clock a page shows: one that runs (the earliest due), else one that stands still, else the one
    that stopped last."""
    running = [(s, r) for s, r in records if r.running]
    if running:
        return min(running, key=lambda pair: pair[1].due_on or date.max)
    suspended = [(s, r) for s, r in records if r.suspended]
    if suspended:
        return suspended[0]
    return max(reversed(records), key=lambda pair: (pair[1].stopped_on or date.min, pair[1].started_on))
