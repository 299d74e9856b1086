"""Counting the days of a legal period, in calendar days or in working days.

Working days skip Saturdays, Sundays, Belgian public holidays (the `holidays` library) and the
administration's own closing days, which the caller reads once and passes in as a set: these functions
touch no database and no clock.

A period of N days counted from an event (a submission, a hand-in) ends with the Nth counted day after
the event's day: the day of the event itself never counts, and the period runs until the end of its last
day, midnight Brussels time (`services/backoffice.end_of_day_after` is the same rule for calendar days).
"""

from __future__ import annotations

from collections.abc import Set
from datetime import date, timedelta
from functools import lru_cache

import holidays

from .workflows._clock import DayCount

NO_CLOSING_DAYS: frozenset[date] = frozenset()
ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=32)
def public_holidays(year: int) -> frozenset[date]:
    """Belgium's public holidays of one year (the legal ones: New Year, Easter Monday, 1 May, 21 July, ...)."""
    return frozenset(holidays.country_holidays("BE", years=year))


def is_working_day(day: date, closed: Set[date] = NO_CLOSING_DAYS) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year) and day not in closed


def counts(day: date, count: DayCount, closed: Set[date] = NO_CLOSING_DAYS) -> bool:
    """Whether `day` counts towards a period counted as `count`."""
    return count is DayCount.CALENDAR or is_working_day(day, closed)


def add_days(start: date, days: int, count: DayCount, closed: Set[date] = NO_CLOSING_DAYS) -> date:
    """The last day of a period of `days` counted from `start`: the `days`-th counted day after it."""
    if days < 0:
        raise ValueError(f"a period has no negative length: {days}")
    if count is DayCount.CALENDAR:
        return start + timedelta(days=days)
    day, left = start, days
    while left:
        day += ONE_DAY
        if is_working_day(day, closed):
            left -= 1
    return day


def days_counted(after: date, until: date, count: DayCount, closed: Set[date] = NO_CLOSING_DAYS) -> int:
    """How many days count from the day after `after` up to and including `until` (0 when `until` is not later)."""
    if until <= after:
        return 0
    if count is DayCount.CALENDAR:
        return (until - after).days
    return sum(1 for n in range(1, (until - after).days + 1) if is_working_day(after + timedelta(days=n), closed))


def days_between(start: date, end: date, count: DayCount, closed: Set[date] = NO_CLOSING_DAYS) -> int:
    """Counted days from `start` to `end`, negative when `end` comes first: a period's days left (or overrun)."""
    return days_counted(start, end, count, closed) if end >= start else -days_counted(end, start, count, closed)


def next_working_day(day: date, closed: Set[date] = NO_CLOSING_DAYS) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day, closed):
        day += ONE_DAY
    return day


def last_day(
    start: date,
    days: int,
    count: DayCount,
    closed: Set[date] = NO_CLOSING_DAYS,
    *,
    moves_to_working_day: bool = False,
) -> date:
    """The due date of a period of `days` from `start`. With `moves_to_working_day` (a rule the regime must
    declare), a last day on which the administration is closed gives way to the next working day."""
    end = add_days(start, days, count, closed)
    return next_working_day(end, closed) if moves_to_working_day else end
