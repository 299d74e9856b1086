"""Counting legal periods: calendar and working days over weekends, public holidays and closing days, and
a clock's record through standstills, resumptions and extensions (pure: no database, no clock)."""

from __future__ import annotations

from datetime import date

from ldapply.services.clock_records import ClockRecord, due_now, enter_state, extend, resume, start, stop, suspend
from ldapply.workflows._clock import ClockSpec, DayCount
from ldapply.workflows._spec import Text
from ldapply.working_days import add_days, days_between, days_counted, is_working_day, last_day, next_working_day

CALENDAR, WORKING = DayCount.CALENDAR, DayCount.WORKING
EASTER_MONDAY_2026 = date(2026, 4, 6)
FLEMISH_COMMUNITY_DAY_2025 = date(2025, 7, 11)  # a Friday: a closing day of the Flemish services, not a holiday
CLOSED = frozenset({FLEMISH_COMMUNITY_DAY_2025})


def clock(days: DayCount = CALENDAR, **changes: object) -> ClockSpec:
    options: dict = {
        "name": "decision",
        "label": Text("Beslissing", "Decision"),
        "parameter": "decision_period_days",
        "days": days,
        "starts_in": frozenset({"review"}),
        "suspended_in": frozenset({"asked", "hearing"}),
        "stops_in": frozenset({"decided"}),
    }
    return ClockSpec(**{**options, **changes})  # type: ignore[arg-type]


class TestWorkingDays:
    def test_a_working_day_period_skips_the_weekend(self):
        friday = date(2026, 3, 6)
        assert add_days(friday, 1, WORKING) == date(2026, 3, 9)  # Monday
        assert add_days(friday, 1, CALENDAR) == date(2026, 3, 7)

    def test_a_working_day_period_skips_easter_monday(self):
        thursday = date(2026, 4, 2)
        assert not is_working_day(EASTER_MONDAY_2026)
        # Friday 3, then Tuesday 7 and Wednesday 8: Saturday, Sunday and Easter Monday do not count.
        assert add_days(thursday, 3, WORKING) == date(2026, 4, 8)
        assert add_days(thursday, 3, CALENDAR) == date(2026, 4, 5)

    def test_a_closing_day_counts_only_when_the_administration_keeps_it(self):
        wednesday = date(2025, 7, 9)
        assert is_working_day(FLEMISH_COMMUNITY_DAY_2025)  # not a public holiday in Belgium
        assert add_days(wednesday, 2, WORKING) == FLEMISH_COMMUNITY_DAY_2025
        # Thursday 10, then Monday 14: the closing day and the weekend do not count.
        assert add_days(wednesday, 2, WORKING, CLOSED) == date(2025, 7, 14)
        assert add_days(wednesday, 2, CALENDAR, CLOSED) == FLEMISH_COMMUNITY_DAY_2025

    def test_the_day_of_the_event_never_counts(self):
        saturday = date(2026, 3, 7)
        assert add_days(saturday, 0, WORKING) == saturday
        assert add_days(saturday, 1, WORKING) == date(2026, 3, 9)

    def test_counting_back_the_days_of_a_period_gives_its_length(self):
        start_day = date(2025, 7, 1)
        for days in (1, 5, 10, 30):
            end = add_days(start_day, days, WORKING, CLOSED)
            assert days_counted(start_day, end, WORKING, CLOSED) == days
            assert days_between(end, start_day, WORKING, CLOSED) == -days
        assert days_counted(start_day, start_day, WORKING) == 0

    def test_national_day_and_a_closing_day_in_the_same_month(self):
        # 10 working days from Tuesday 8 July 2025: 11 July (closing day) and 21 July (National Day) are skipped.
        assert add_days(date(2025, 7, 8), 10, WORKING, CLOSED) == date(2025, 7, 24)

    def test_a_last_day_moves_to_the_next_working_day_only_where_the_regime_says_so(self):
        monday = date(2026, 3, 30)
        assert last_day(monday, 7, CALENDAR) == EASTER_MONDAY_2026
        assert last_day(monday, 7, CALENDAR, moves_to_working_day=True) == date(2026, 4, 7)
        assert next_working_day(date(2025, 7, 11), CLOSED) == date(2025, 7, 14)


class TestClockRecord:
    def test_a_standstill_keeps_the_days_that_were_left(self):
        spec = clock()
        record = start(spec, date(2026, 3, 2), 7)
        assert record.due_on == date(2026, 3, 9)
        suspend(record, spec, date(2026, 3, 5))  # day 3 of 7: the additions are asked
        assert (record.days_used, record.days_left, record.due_on) == (3, 4, None)
        resume(record, spec, date(2026, 3, 15))  # handed in 10 days later
        assert record.due_on == date(2026, 3, 19)  # the hand-in day + the 4 days left
        assert record.suspensions == [[date(2026, 3, 5), date(2026, 3, 15)]]

    def test_a_working_day_clock_resumes_with_its_working_days(self):
        spec = clock(WORKING)
        record = start(spec, date(2025, 7, 7), 10, CLOSED)  # Monday
        assert record.due_on == date(2025, 7, 23)  # 11 July closed, 21 July National Day
        suspend(record, spec, date(2025, 7, 9), CLOSED)  # Tuesday 8 and Wednesday 9 used
        assert record.days_left == 8
        resume(record, spec, date(2025, 7, 25), CLOSED)  # a Friday
        assert record.due_on == date(2025, 8, 6)

    def test_a_period_that_ran_out_stays_run_out_through_a_standstill(self):
        spec = clock()
        record = start(spec, date(2026, 3, 2), 7)
        suspend(record, spec, date(2026, 3, 12))
        assert record.days_left == -3
        assert record.due_on == date(2026, 3, 9)
        resume(record, spec, date(2026, 3, 20))
        assert record.due_on == date(2026, 3, 9)

    def test_an_extension_moves_a_running_due_date_and_is_kept_through_a_standstill(self):
        spec = clock()
        running = start(spec, date(2026, 3, 2), 90)
        extend(running, spec, 30)
        assert (running.due_on, running.extended_days) == (date(2026, 6, 30), 30)
        standing = start(spec, date(2026, 3, 2), 90)
        suspend(standing, spec, date(2026, 3, 12))
        extend(standing, spec, 30)
        resume(standing, spec, date(2026, 3, 22))
        assert standing.due_on == date(2026, 7, 10)

    def test_an_extension_counts_on_from_the_old_due_date(self):
        spec = clock()
        record = start(spec, date(2026, 3, 2), 7)
        extend(record, spec, 5)
        assert record.due_on == date(2026, 3, 14)

    def test_a_stop_keeps_the_due_date_for_the_record(self):
        spec = clock()
        record = start(spec, date(2026, 3, 2), 7)
        stop(record, spec, date(2026, 3, 6))
        assert (record.stopped_on, record.due_on, record.days_used, record.days_left) == (
            date(2026, 3, 6),
            date(2026, 3, 9),
            4,
            3,
        )
        assert ClockRecord.from_json(record.to_json()) == record

    def test_entering_states_starts_once_stands_still_resumes_and_stops(self):
        spec = clock()
        params = {"decision_period_days": 7}
        clocks = enter_state({}, [spec], "review", date(2026, 3, 2), params)
        clocks = enter_state(clocks, [spec], "advice", date(2026, 3, 3), params)
        clocks = enter_state(clocks, [spec], "review", date(2026, 3, 4), params)  # entering again: no restart
        assert due_now([spec], clocks) == date(2026, 3, 9)
        clocks = enter_state(clocks, [spec], "asked", date(2026, 3, 5), params)
        assert due_now([spec], clocks) is None
        clocks = enter_state(clocks, [spec], "review", date(2026, 3, 15), params)
        assert due_now([spec], clocks) == date(2026, 3, 19)
        clocks = enter_state(clocks, [spec], "decided", date(2026, 3, 16), params)
        clocks = enter_state(clocks, [spec], "review", date(2026, 3, 17), params)  # stopped for good
        assert due_now([spec], clocks) is None
        assert clocks["decision"]["stopped_on"] == "2026-03-16"

    def test_a_parameter_without_a_value_gives_no_due_date(self):
        spec = clock()
        clocks = enter_state({}, [spec], "review", date(2026, 3, 2), {"decision_period_days": None})
        assert clocks["decision"]["started_on"] == "2026-03-02"
        assert due_now([spec], clocks) is None
