"""The default advice due date: counted as the case's clock counts, and never on a day the administration is
closed (weekends, Belgian public holidays, its closing days): the administration's rule moves a calendar-day
last day to the next working day."""

from __future__ import annotations

from datetime import date

from ldapply.services.advice import due_after
from ldapply.workflows._clock import DayCount

NO_DAYS: frozenset[date] = frozenset()


def test_calendar_days_ending_on_a_working_day_stay_as_counted():
    assert due_after(date(2026, 12, 1), 9, DayCount.CALENDAR, NO_DAYS) == (date(2026, 12, 10), False)


def test_calendar_days_ending_on_a_saturday_end_on_monday():
    assert due_after(date(2026, 12, 1), 4, DayCount.CALENDAR, NO_DAYS) == (date(2026, 12, 7), True)


def test_calendar_days_ending_on_a_public_holiday_end_the_day_after():
    # Tuesday 21 July 2026, the national holiday: Wednesday 22 July.
    assert due_after(date(2026, 7, 1), 20, DayCount.CALENDAR, NO_DAYS) == (date(2026, 7, 22), True)


def test_calendar_days_ending_on_a_closing_day_end_on_the_next_working_day():
    # Friday 10 July 2026 closed, then the weekend: Monday 13 July.
    closed = frozenset({date(2026, 7, 10)})
    assert due_after(date(2026, 7, 1), 9, DayCount.CALENDAR, closed) == (date(2026, 7, 13), True)


def test_working_days_skip_weekends_holidays_and_closing_days():
    # From Thursday 16 July 2026: Fri 17, (weekend), Mon 20, (21 July), Wed 22 closed, Thu 23, Fri 24.
    closed = frozenset({date(2026, 7, 22)})
    assert due_after(date(2026, 7, 16), 4, DayCount.WORKING, closed) == (date(2026, 7, 24), False)
