"""A clock that stopped starts anew, with a full period, after a move its spec names (`restarted_by`) into one
of the states it starts in: a case examined again after an upheld objection gets a decision period from the
reopening. The stopped period is kept as an earlier round; any other way back leaves it stopped."""

from __future__ import annotations

from datetime import date

from ldapply.services.clock_records import ClockRecord, due_now, enter_state
from ldapply.workflows import REGIMES
from ldapply.workflows._clock import ClockSpec, DayCount
from ldapply.workflows._spec import Text

PARAMS = {"decision_period_days": 7}


def clock(days: DayCount = DayCount.CALENDAR) -> ClockSpec:
    return ClockSpec(
        name="decision",
        label=Text("Beslissing", "Decision"),
        parameter="decision_period_days",
        days=days,
        starts_in=frozenset({"review"}),
        suspended_in=frozenset({"asked"}),
        stops_in=frozenset({"decided"}),
        restarted_by=frozenset({"reopen"}),
    )


def decided(spec: ClockSpec) -> dict:
    clocks = enter_state({}, [spec], "review", date(2026, 3, 2), PARAMS, action="accept")
    return enter_state(clocks, [spec], "decided", date(2026, 3, 6), PARAMS, action="decide")


def test_the_reopening_move_starts_a_full_period_and_keeps_the_first():
    spec = clock()
    clocks = enter_state(decided(spec), [spec], "review", date(2026, 4, 1), PARAMS, action="reopen")
    record = ClockRecord.from_json(clocks["decision"])
    assert (record.started_on, record.stopped_on, record.days_left) == (date(2026, 4, 1), None, 7)
    assert due_now([spec], clocks) == date(2026, 4, 8)
    assert [(r["started_on"], r["stopped_on"], r["due_on"]) for r in record.rounds] == [
        ("2026-03-02", "2026-03-06", "2026-03-09")
    ]
    assert ClockRecord.from_json(record.to_json()) == record


def test_a_working_day_restart_counts_working_days():
    spec = clock(DayCount.WORKING)
    clocks = enter_state(decided(spec), [spec], "review", date(2026, 4, 3), PARAMS, action="reopen")
    assert due_now([spec], clocks) == date(2026, 4, 15)  # from Friday 3 April: Easter Monday 6 April skipped


def test_a_second_reopening_keeps_both_earlier_periods():
    spec = clock()
    clocks = enter_state(decided(spec), [spec], "review", date(2026, 4, 1), PARAMS, action="reopen")
    clocks = enter_state(clocks, [spec], "decided", date(2026, 4, 3), PARAMS, action="decide")
    clocks = enter_state(clocks, [spec], "review", date(2026, 5, 4), PARAMS, action="reopen")
    assert [r["started_on"] for r in clocks["decision"]["rounds"]] == ["2026-03-02", "2026-04-01"]
    assert due_now([spec], clocks) == date(2026, 5, 11)


def test_another_move_back_leaves_the_stopped_clock_stopped():
    spec = clock()
    clocks = enter_state(decided(spec), [spec], "review", date(2026, 4, 1), PARAMS, action="something_else")
    assert clocks["decision"]["stopped_on"] == "2026-03-06"
    assert due_now([spec], clocks) is None


def test_each_restarting_move_of_a_regime_leads_into_where_its_clock_starts():
    for regime in REGIMES.values():
        for spec in regime.clocks:
            for action in spec.restarted_by:
                move = regime.transition(action)
                if move is not None:  # a regime without the move (no objections) never restarts the clock
                    assert move.target in spec.starts_in, (regime.code, spec.name, action)
