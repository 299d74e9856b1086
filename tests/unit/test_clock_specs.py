"""A regime's legal clocks are checked when it loads: states and parameters they name exist, lengths are
whole days above zero, a clock never starts where it stops. Plain data only: no app, no database."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from ldapply.workflows import REGIMES
from ldapply.workflows._clock import DayCount
from ldapply.workflows._spec import Regime
from ldapply.workflows._validate import RegimeError, check_regime
from tests.regimes import label_2013

ALL = [*sorted(REGIMES.values(), key=lambda r: r.code), label_2013.REGIME]


def with_clock(regime: Regime, name: str, **changes: Any) -> Regime:
    return replace(regime, clocks=tuple(replace(c, **changes) if c.name == name else c for c in regime.clocks))


def with_parameter(regime: Regime, name: str, value: Any) -> Regime:
    return replace(
        regime, parameters=tuple(replace(p, value=value) if p.name == name else p for p in regime.parameters)
    )


@pytest.mark.parametrize("regime", ALL, ids=lambda r: r.code)
class TestEveryRegime:
    def test_it_declares_an_admissibility_and_a_decision_clock_and_one_for_an_objection_where_it_has_one(self, regime):
        objects = any(t.objects for t in regime.transitions)
        assert [c.name for c in regime.clocks] == ["admissibility", "decision", *(["objection"] if objects else [])]
        check_regime(regime)

    def test_a_clock_naming_an_unknown_state_is_refused(self, regime):
        broken = with_clock(regime, "decision", suspended_in=frozenset({"hearing_typo"}))
        with pytest.raises(RegimeError, match="clock 'decision' names unknown state 'hearing_typo'"):
            check_regime(broken)

    def test_a_clock_naming_an_unknown_parameter_is_refused(self, regime):
        broken = with_clock(regime, "decision", extension_parameter="decision_extension_dayz")
        with pytest.raises(RegimeError, match="names unknown parameter 'decision_extension_dayz'"):
            check_regime(broken)

    @pytest.mark.parametrize("value", [0, -3, Decimal("7.5"), True, "90"])
    def test_a_length_that_is_not_whole_days_above_zero_is_refused(self, regime, value):
        broken = with_parameter(regime, "decision_period_days", value)
        with pytest.raises(RegimeError, match="'decision_period_days', not a whole number of days above zero"):
            check_regime(broken)

    def test_a_length_not_known_yet_is_allowed(self, regime):
        check_regime(with_parameter(regime, "decision_period_days", None))

    def test_a_clock_that_starts_where_it_stops_is_refused(self, regime):
        broken = with_clock(regime, "admissibility", stops_in=frozenset({"submitted"}))
        with pytest.raises(RegimeError, match="starts in a state where it stops or stands still"):
            check_regime(broken)


def test_the_test_regime_counts_its_decision_in_working_days_and_its_admissibility_in_calendar_days():
    clocks = {c.name: c for c in label_2013.REGIME.clocks}
    assert clocks["decision"].days is DayCount.WORKING
    assert clocks["admissibility"].days is DayCount.CALENDAR
    assert label_2013.REGIME.parameter("decision_period_days").unit == "werkdagen"
    assert clocks["decision"].suspended_in == {"additions_requested"}  # it has no hearing
    assert label_2013.REGIME.parameter("decision_period_days").unit_en == "working days"


def test_the_lde_clocks_name_no_state_that_ends_by_itself():
    regime = REGIMES["general"]
    hearing = next(s for s in regime.states if s.on_deadline)
    broken = replace(regime, clocks=(replace(regime.clocks[0], parameter=hearing.deadline),))
    with pytest.raises(RegimeError, match="which a clock keeps"):
        check_regime(broken)
