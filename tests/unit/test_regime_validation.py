"""The checks a regime passes when it loads (`ldapply.workflows._validate.check_regime`), walked over the
data of every registered regime: a variant that breaks four eyes, misspells a name, or lets an adverse
proposal be made before the hearing is refused with an error that names the regime and the bad name, and
`register` refuses to load it.

Plain data only: no app, no database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from ldapply.workflows import REGIMES, get_regime, register, unregister
from ldapply.workflows._spec import Regime, Transition
from ldapply.workflows._validate import RegimeError, check_regime

ALL = sorted(REGIMES.values(), key=lambda r: r.code)
HEARING = [r for r in ALL if r.hears()]


# -- building variants -----------------------------------------------------------------------------


def with_transition(regime: Regime, action: str, **changes: Any) -> Regime:
    assert regime.transition(action) is not None, action
    return replace(
        regime, transitions=tuple(replace(t, **changes) if t.action == action else t for t in regime.transitions)
    )


def with_state(regime: Regime, code: str, **changes: Any) -> Regime:
    return replace(regime, states=tuple(replace(s, **changes) if s.code == code else s for s in regime.states))


def with_condition(regime: Regime, code: str, **changes: Any) -> Regime:
    return replace(regime, conditions=tuple(replace(c, **changes) if c.code == code else c for c in regime.conditions))


def refusal(variant: Regime) -> str:
    """The message check_regime refuses the variant with."""
    with pytest.raises(RegimeError) as refused:
        check_regime(variant)
    return str(refused.value)


def names_regime_and(message: str, regime: Regime, *names: str) -> bool:
    return f"regime {regime.code!r}" in message and all(repr(str(name)) in message for name in names)


def misspelt(name: str) -> str:
    return f"{name}_typo"


def deciding(regime: Regime) -> list[Transition]:
    return [t for t in regime.transitions if t.decides]


def cases(pick: Any) -> Iterator[Any]:
    """(regime, item) pairs for parametrize, with readable ids."""
    for regime in ALL:
        for item, label in pick(regime):
            yield pytest.param(regime, item, id=f"{regime.code}-{label}")


def quiet_transition(regime: Regime) -> Transition:
    """A move that neither proposes nor decides nor issues a letter (the admissibility check's start)."""
    return next(t for t in regime.transitions if not (t.decides or t.proposes or t.letter or t.automatic))


def before_the_hearing(regime: Regime, proposal: Transition) -> set[str]:
    """The states from which the hearing that precedes `proposal` is announced."""
    hearing_states = {s.code for s in regime.states if s.hearing}
    hearings = {
        source for t in regime.transitions if t.target in proposal.sources for source in t.sources & hearing_states
    }
    return {source for t in regime.transitions if t.target in hearings for source in t.sources}


def adverse_proposals(regime: Regime) -> list[Transition]:
    adverse = {o.code for o in regime.outcomes if o.needs_hearing}
    return [t for t in regime.transitions if t.proposes in adverse]


# -- the regimes as declared -----------------------------------------------------------------------


@pytest.mark.parametrize("regime", ALL, ids=lambda r: r.code)
def test_every_registered_regime_passes_the_checks_when_declared_as_it_is(regime):
    check_regime(regime)  # raises RegimeError otherwise
    assert deciding(regime), "a regime without deciding transitions would make the four-eyes tests vacuous"


def test_the_walk_covers_the_three_lde_regimes_and_the_test_regime():
    assert {"general", "caretakers", "childcare", "label_2013"} <= {r.code for r in ALL}
    assert {"general", "caretakers", "childcare"} <= {r.code for r in HEARING}


# -- four eyes ---------------------------------------------------------------------------------------


DECIDING = list(cases(lambda r: [(t, t.action) for t in deciding(r)]))


class TestFourEyesIsCheckedWhenTheRegimeLoads:
    @pytest.mark.parametrize(("regime", "transition"), DECIDING)
    def test_a_variant_is_refused_when_a_deciding_transition_lost_its_confirms_and_decides(self, regime, transition):
        message = refusal(with_transition(regime, transition.action, confirms=None, decides=False))
        assert names_regime_and(message, regime, transition.action), message
        assert "does not decide" in message

    @pytest.mark.parametrize(("regime", "transition"), DECIDING)
    def test_a_variant_is_refused_when_a_deciding_transition_lost_only_its_confirms(self, regime, transition):
        message = refusal(with_transition(regime, transition.action, confirms=None))
        assert names_regime_and(message, regime, transition.action), message
        assert "confirms no outcome" in message

    @pytest.mark.parametrize(("regime", "transition"), DECIDING)
    def test_a_variant_is_refused_when_a_deciding_transition_lost_only_its_decides(self, regime, transition):
        message = refusal(with_transition(regime, transition.action, decides=False))
        assert names_regime_and(message, regime, transition.action, transition.confirms or ""), message

    @pytest.mark.parametrize(
        ("regime", "letter"),
        list(cases(lambda r: [(spec.key, spec.key) for spec in r.letters if spec.is_decision])),
    )
    def test_a_variant_is_refused_when_a_decision_letter_is_issued_by_a_transition_that_does_not_decide(
        self, regime, letter
    ):
        quiet = quiet_transition(regime)
        message = refusal(with_transition(regime, quiet.action, letter=letter))
        assert names_regime_and(message, regime, quiet.action, letter), message
        assert "does not decide" in message


# -- misspelt names ----------------------------------------------------------------------------------


class TestMisspeltNamesAreRefusedWhenTheRegimeLoads:
    @pytest.mark.parametrize("regime", ALL, ids=lambda r: r.code)
    def test_a_variant_is_refused_when_a_transition_targets_a_misspelt_state(self, regime):
        transition = deciding(regime)[0]
        bad = misspelt(str(transition.target))
        message = refusal(with_transition(regime, transition.action, target=bad))
        assert names_regime_and(message, regime, transition.action, bad), message

    @pytest.mark.parametrize("regime", ALL, ids=lambda r: r.code)
    def test_a_variant_is_refused_when_a_transition_leaves_from_a_misspelt_state(self, regime):
        transition = deciding(regime)[0]
        bad = misspelt(str(sorted(transition.sources)[0]))
        message = refusal(with_transition(regime, transition.action, sources=transition.sources | {bad}))
        assert names_regime_and(message, regime, transition.action, bad), message

    @pytest.mark.parametrize("regime", ALL, ids=lambda r: r.code)
    def test_a_variant_is_refused_when_its_initial_state_is_misspelt(self, regime):
        bad = misspelt(str(regime.initial_state))
        message = refusal(replace(regime, initial_state=bad))
        assert names_regime_and(message, regime, bad), message

    @pytest.mark.parametrize(
        ("regime", "state"),
        list(cases(lambda r: [(s, str(s.code)) for s in r.states if s.deadline is not None])),
    )
    def test_a_variant_is_refused_when_a_state_deadline_names_a_misspelt_parameter(self, regime, state):
        bad = misspelt(str(state.deadline))
        message = refusal(with_state(regime, state.code, deadline=bad))
        assert names_regime_and(message, regime, bad), message
        assert str(state.code) in message

    @pytest.mark.parametrize(
        ("regime", "transition"),
        list(cases(lambda r: [(t, t.action) for t in r.transitions if t.letter is not None])),
    )
    def test_a_variant_is_refused_when_a_transition_issues_a_misspelt_letter(self, regime, transition):
        bad = misspelt(str(transition.letter))
        message = refusal(with_transition(regime, transition.action, letter=bad))
        assert names_regime_and(message, regime, transition.action, bad), message

    @pytest.mark.parametrize(
        ("regime", "condition"),
        list(cases(lambda r: [(c, c.code) for c in r.conditions if c.fields])),
    )
    def test_a_variant_is_refused_when_a_condition_reads_a_misspelt_field(self, regime, condition):
        bad = misspelt(condition.fields[0])
        message = refusal(with_condition(regime, condition.code, fields=(bad, *condition.fields[1:])))
        assert names_regime_and(message, regime, condition.code, bad), message

    @pytest.mark.parametrize(
        ("regime", "condition"),
        list(cases(lambda r: [(c, c.code) for c in r.conditions if c.norm])),
    )
    def test_a_variant_is_refused_when_a_condition_norm_names_a_misspelt_parameter(self, regime, condition):
        bad = misspelt(condition.norm[0])
        message = refusal(with_condition(regime, condition.code, norm=(bad, *condition.norm[1:])))
        assert names_regime_and(message, regime, condition.code, bad), message

    @pytest.mark.parametrize("regime", [r for r in ALL if r.application_type_field], ids=lambda r: r.code)
    def test_a_variant_is_refused_when_its_application_type_field_is_misspelt(self, regime):
        bad = misspelt(str(regime.application_type_field))
        message = refusal(replace(regime, application_type_field=bad))
        assert names_regime_and(message, regime, bad), message

    @pytest.mark.parametrize("regime", [r for r in ALL if r.application_type_field], ids=lambda r: r.code)
    def test_a_variant_is_refused_when_its_application_type_field_is_not_a_choice(self, regime):
        message = refusal(replace(regime, application_type_field="local_need"))
        assert names_regime_and(message, regime, "local_need"), message

    @pytest.mark.parametrize(
        ("regime", "transition"),
        list(cases(lambda r: [(t, t.action) for t in r.transitions if t.proposes])),
    )
    def test_a_variant_is_refused_when_a_proposal_names_a_misspelt_outcome(self, regime, transition):
        bad = misspelt(str(transition.proposes))
        message = refusal(with_transition(regime, transition.action, proposes=bad))
        assert names_regime_and(message, regime, transition.action, bad), message


# -- the hearing before an adverse proposal ------------------------------------------------------------

ADVERSE = [
    pytest.param(regime, t, id=f"{regime.code}-{t.action}") for regime in HEARING for t in adverse_proposals(regime)
]


class TestAnAdverseProposalComesAfterTheHearing:
    def test_every_lde_regime_has_adverse_proposals_to_walk(self):
        assert {t.action for regime in HEARING for t in adverse_proposals(regime)} >= {
            "propose_refusal",
            "propose_suspension",
            "propose_revocation",
        }

    @pytest.mark.parametrize(("regime", "transition"), ADVERSE)
    def test_a_variant_is_refused_when_an_adverse_proposal_is_made_from_the_state_before_the_hearing(
        self, regime, transition
    ):
        before = before_the_hearing(regime, transition)
        assert before, f"no state before the hearing of {transition.action}"
        assert not any(regime.state(code).heard for code in before)
        message = refusal(with_transition(regime, transition.action, sources=frozenset(before)))
        assert names_regime_and(message, regime, transition.action), message
        assert "before the hearing" in message

    @pytest.mark.parametrize(("regime", "transition"), ADVERSE)
    def test_a_variant_is_refused_when_an_adverse_proposal_also_leaves_from_the_state_before_the_hearing(
        self, regime, transition
    ):
        widened = transition.sources | before_the_hearing(regime, transition)
        message = refusal(with_transition(regime, transition.action, sources=widened))
        assert names_regime_and(message, regime, transition.action), message
        assert "before the hearing" in message


# -- register ------------------------------------------------------------------------------------------


def renamed(regime: Regime) -> Regime:
    """A copy under a code of its own: register refuses a code that is taken before it checks anything."""
    return replace(regime, code=f"{regime.code}_variant")


BROKEN = {
    "four-eyes": lambda r: with_transition(r, deciding(r)[0].action, confirms=None, decides=False),
    "state": lambda r: with_transition(r, deciding(r)[0].action, target="nowhere"),
    "deadline": lambda r: with_state(r, next(s.code for s in r.states if s.deadline), deadline="no_such_days"),
    "letter": lambda r: with_transition(r, deciding(r)[0].action, letter="no_such_letter"),
    "field": lambda r: with_condition(r, next(c.code for c in r.conditions if c.fields), fields=("no_such_field",)),
}


class TestRegisterRefusesABrokenRegime:
    @pytest.mark.parametrize("regime", ALL, ids=lambda r: r.code)
    @pytest.mark.parametrize("breakage", sorted(BROKEN))
    def test_register_raises_and_does_not_load_the_regime_when_it_is_broken(self, regime, breakage):
        variant = BROKEN[breakage](renamed(regime))
        try:
            with pytest.raises(RegimeError, match=f"regime '{variant.code}'"):
                register(variant)
            assert variant.code not in REGIMES
            with pytest.raises(LookupError):
                get_regime(variant.code)
        finally:
            unregister(variant.code)

    @pytest.mark.parametrize("regime", HEARING, ids=lambda r: r.code)
    def test_register_raises_when_an_adverse_proposal_comes_before_the_hearing(self, regime):
        proposal = adverse_proposals(regime)[0]
        variant = with_transition(
            renamed(regime), proposal.action, sources=frozenset(before_the_hearing(regime, proposal))
        )
        try:
            with pytest.raises(RegimeError, match="before the hearing"):
                register(variant)
            assert variant.code not in REGIMES
        finally:
            unregister(variant.code)

    @pytest.mark.parametrize("regime", ALL, ids=lambda r: r.code)
    def test_register_raises_when_only_an_earlier_version_is_broken(self, regime):
        current = renamed(regime)
        earlier = replace(BROKEN["letter"](current), version=regime.version + 100)
        try:
            with pytest.raises(RegimeError, match=f"version {earlier.version}"):
                register(current, earlier=(earlier,))
            assert current.code not in REGIMES
        finally:
            unregister(current.code)

    @pytest.mark.parametrize("regime", ALL, ids=lambda r: r.code)
    def test_register_loads_an_unbroken_copy(self, regime):
        """The control: the refusals above come from the breakage, not from the copy itself."""
        copy = renamed(regime)
        try:
            register(copy)
            assert get_regime(copy.code) is copy
        finally:
            unregister(copy.code)
