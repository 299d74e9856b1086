"""The regime's table declares what follows an objection's decision: a decision that `reopens` names
ldapply's own move on the contested case, and a regime naming anything else refuses to load."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ldapply.workflows import REGIMES
from ldapply.workflows._spec import Regime
from ldapply.workflows._validate import RegimeError, check_regime

LDE = [REGIMES[code] for code in ("general", "caretakers", "childcare")]


def with_reopens(regime: Regime, action: str, reopens: str | None) -> Regime:
    return replace(
        regime,
        transitions=tuple(replace(t, reopens=reopens) if t.action == action else t for t in regime.transitions),
    )


@pytest.mark.parametrize("regime", LDE, ids=lambda r: r.code)
class TestReopening:
    def test_an_upheld_objection_reopens_the_contested_case_by_an_automatic_move_to_the_review(self, regime):
        (upholding,) = [t for t in regime.transitions if t.reopens]
        reopen = regime.transition(upholding.reopens)
        lodge = next(t for t in regime.transitions if t.objects)
        assert upholding.decides
        assert regime.state(upholding.target).terminal  # the objection's case ends with its decision
        assert reopen.automatic
        assert lodge.sources <= reopen.sources  # every decision an objection contests can be reopened
        assert regime.state(reopen.target).assessable  # back to the substantive review

    def test_a_decision_that_reopens_with_an_unknown_move_is_refused(self, regime):
        broken = with_reopens(regime, "uphold_objection", "reopen_after_objektion")
        with pytest.raises(RegimeError, match="reopens with 'reopen_after_objektion'"):
            check_regime(broken)

    def test_only_a_decision_reopens_and_only_by_an_automatic_move(self, regime):
        with pytest.raises(RegimeError, match="reopens with 'propose_grant'"):
            check_regime(with_reopens(regime, "uphold_objection", "propose_grant"))
        with pytest.raises(RegimeError, match="'lodge_objection' reopens"):
            check_regime(with_reopens(regime, "lodge_objection", "reopen_after_objection"))
