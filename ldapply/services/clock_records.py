"""One legal clock's record, as a case keeps it in `application.clocks[name]`, and what a move, a standstill,
a resumption, an extension and a stop do to it. Pure: the closing days come in as a set (read by the
caller), and no clock is read here.

A period of N days counted from a day ends with the Nth counted day after it (ldapply/working_days.py).
A suspension from day S to day R leaves the days of (S, R] out: the day the applicant was asked counts as
used, and the day they answered is where the count resumes, with the days that were left. A period that
had already run out when the clock stood still stays run out: the standstill gives it no days back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..workflows._clock import ClockSpec, DayCount
from ..working_days import NO_CLOSING_DAYS, add_days, days_between, days_counted, next_working_day


@dataclass
class ClockRecord:
    """What a case keeps of one clock. While it runs, `running_since` is the day counting (re)started and
    `days_left` the days left from there; while it stands still, `suspended_since` and the days left then.
    `ends_on` is the period's last day as counted, `due_on` the due date shown (the same, unless the regime
    moves a last day on which the administration is closed). Both stay when the clock stops, for the record."""

    parameter: str
    count: DayCount
    days: int | None  # the period's length when it started; None: its parameter has no value yet
    started_on: date
    running_since: date | None = None
    days_left: int | None = None
    days_used: int = 0  # counted days used before `running_since`
    suspended_since: date | None = None
    suspensions: list[list[date | None]] = field(default_factory=list)  # [from, to] (to None: still)
    ends_on: date | None = None
    due_on: date | None = None
    stopped_on: date | None = None
    extended_days: int = 0
    extensions: list[dict[str, Any]] = field(default_factory=list)
    rounds: list[dict[str, Any]] = field(default_factory=list)  # the periods before a restart, oldest first

    @property
    def running(self) -> bool:
        return self.stopped_on is None and self.suspended_since is None

    @property
    def suspended(self) -> bool:
        return self.stopped_on is None and self.suspended_since is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "parameter": self.parameter,
            "count": self.count.value,
            "days": self.days,
            "started_on": iso(self.started_on),
            "running_since": iso(self.running_since),
            "days_left": self.days_left,
            "days_used": self.days_used,
            "suspended_since": iso(self.suspended_since),
            "suspensions": [[iso(start), iso(end)] for start, end in self.suspensions],
            "ends_on": iso(self.ends_on),
            "due_on": iso(self.due_on),
            "stopped_on": iso(self.stopped_on),
            "extended_days": self.extended_days,
            "extensions": [dict(extension) for extension in self.extensions],
            "rounds": [dict(earlier) for earlier in self.rounds],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ClockRecord:
        return cls(
            parameter=data["parameter"],
            count=DayCount(data["count"]),
            days=data.get("days"),
            started_on=day_of(data["started_on"]),  # type: ignore[arg-type]
            running_since=day_of(data.get("running_since")),
            days_left=data.get("days_left"),
            days_used=data.get("days_used", 0),
            suspended_since=day_of(data.get("suspended_since")),
            suspensions=[[day_of(start), day_of(end)] for start, end in data.get("suspensions", [])],
            ends_on=day_of(data.get("ends_on")),
            due_on=day_of(data.get("due_on")),
            stopped_on=day_of(data.get("stopped_on")),
            extended_days=data.get("extended_days", 0),
            extensions=[dict(extension) for extension in data.get("extensions", [])],
            rounds=[dict(earlier) for earlier in data.get("rounds", [])],
        )


def iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def day_of(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# -- what a move, a standstill and an extension do to a record (pure: closing days come in) -----------


def _set_end(record: ClockRecord, spec: ClockSpec, ends_on: date | None, closed: Set[date]) -> None:
    record.ends_on = ends_on
    moves = spec.last_day_moves_to_working_day and ends_on is not None
    record.due_on = next_working_day(ends_on, closed) if moves and ends_on is not None else ends_on


def start(spec: ClockSpec, day: date, days: int | None, closed: Set[date] = NO_CLOSING_DAYS) -> ClockRecord:
    record = ClockRecord(spec.parameter, spec.days, days, started_on=day, running_since=day, days_left=days)
    _set_end(record, spec, add_days(day, days, spec.days, closed) if days is not None else None, closed)
    return record


def suspend(record: ClockRecord, spec: ClockSpec, day: date, closed: Set[date] = NO_CLOSING_DAYS) -> None:
    """The clock stands still from the end of `day`: the days used so far are kept, and the days left."""
    if not record.running or record.running_since is None:
        return
    record.days_used += days_counted(record.running_since, day, record.count, closed)
    if record.ends_on is not None:
        record.days_left = days_between(day, record.ends_on, record.count, closed)
        if record.days_left > 0:
            _set_end(record, spec, None, closed)  # dated again when it resumes
    record.running_since, record.suspended_since = None, day
    record.suspensions.append([day, None])


def resume(record: ClockRecord, spec: ClockSpec, day: date, closed: Set[date] = NO_CLOSING_DAYS) -> None:
    """The clock runs again from `day` with the days that were left."""
    if not record.suspended:
        return
    record.suspensions[-1][1] = day
    record.suspended_since, record.running_since = None, day
    if record.days_left is not None and record.days_left > 0:
        _set_end(record, spec, add_days(day, record.days_left, record.count, closed), closed)
    elif record.ends_on is not None:  # it had run out before it stood still: it stays run out
        record.days_left = days_between(day, record.ends_on, record.count, closed)


def stop(record: ClockRecord, spec: ClockSpec, day: date, closed: Set[date] = NO_CLOSING_DAYS) -> None:
    if record.stopped_on is not None:
        return
    if record.running and record.running_since is not None:
        record.days_used += days_counted(record.running_since, day, record.count, closed)
        if record.ends_on is not None:
            record.days_left = days_between(day, record.ends_on, record.count, closed)
    elif record.suspended:
        record.suspensions[-1][1] = day
    record.running_since = record.suspended_since = None
    record.stopped_on = day


def extend(record: ClockRecord, spec: ClockSpec, days: int, closed: Set[date] = NO_CLOSING_DAYS) -> None:
    """Add `days` to the period: a dated period ends `days` counted days later; one standing still keeps
    them for when it resumes."""
    if record.ends_on is not None:
        new_end = add_days(record.ends_on, days, record.count, closed)
        anchor = record.running_since or record.suspended_since or new_end
        record.days_left = days_between(anchor, new_end, record.count, closed)
        suspended_with_days = record.suspended and record.days_left > 0
        _set_end(record, spec, None if suspended_with_days else new_end, closed)
    elif record.days_left is not None:
        record.days_left += days
    record.extended_days += days


def recount(record: ClockRecord, spec: ClockSpec, closed: Set[date]) -> None:
    """Date a running period again (the closing days changed); what was used or left stays as counted."""
    if record.running and record.running_since is not None and record.days_left is not None and record.days_left > 0:
        _set_end(record, spec, add_days(record.running_since, record.days_left, record.count, closed), closed)


def restart(
    record: ClockRecord, spec: ClockSpec, day: date, days: int | None, closed: Set[date] = NO_CLOSING_DAYS
) -> ClockRecord:
    """A new period from `day`, the stopped one (with those before it) kept as an earlier round."""
    earlier = record.to_json()
    rounds = earlier.pop("rounds")
    fresh = start(spec, day, days, closed)
    fresh.rounds = [*rounds, earlier]
    return fresh


def enter_state(
    clocks: Mapping[str, Any],
    specs: Sequence[ClockSpec],
    state: str,
    day: date,
    params: Mapping[str, int | None],
    closed: Set[date] = NO_CLOSING_DAYS,
    action: str | None = None,
) -> dict[str, Any]:
    """The clocks (as JSON) after the case entered `state` on `day` by the move `action`: each declared clock
    starts, stands still, resumes or stops as its spec says, and one that stopped starts anew after a move
    that restarts it; a clock not declared (an earlier version's) stays as it was."""
    out = dict(clocks)
    for spec in specs:
        found = clocks.get(spec.name)
        if found is None:
            if state not in spec.starts_in:
                continue
            record = start(spec, day, params.get(spec.parameter), closed)
        else:
            record = ClockRecord.from_json(found)
            if record.stopped_on is not None:
                if action not in spec.restarted_by or state not in spec.starts_in:
                    continue
                record = restart(record, spec, day, params.get(spec.parameter), closed)
                out[spec.name] = record.to_json()
                continue
            if state in spec.stops_in:
                stop(record, spec, day, closed)
            elif state in spec.suspended_in:
                suspend(record, spec, day, closed)
            else:
                resume(record, spec, day, closed)
        out[spec.name] = record.to_json()
    return out


def due_now(specs: Sequence[ClockSpec], clocks: Mapping[str, Any]) -> date | None:
    """The due date of the clock that runs now (the earliest, should more than one run)."""
    dues = [
        record.due_on
        for spec in specs
        if (found := clocks.get(spec.name)) is not None
        and (record := ClockRecord.from_json(found)).running
        and record.due_on is not None
    ]
    return min(dues, default=None)
