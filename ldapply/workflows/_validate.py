"""Checks run when a regime loads: every name it refers to exists, and its procedure keeps the law's
promises (four eyes on every decision, a hearing before an adverse one where the regime hears).

A regime with a misspelt name refuses to load with an error that names the regime and the bad name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ._clock import ClockSpec
from ._spec import FieldKind, Regime, Role, Transition


class RegimeError(ValueError):
    """A regime declaration that cannot be right."""


def check_regime(regime: Regime) -> None:
    """Raise RegimeError naming the regime, its version and every bad name found."""
    problems = [
        *_unique(regime),
        *_states(regime),
        *_transitions(regime),
        *_procedure(regime),
        *_fields(regime),
        *_clocks(regime),
        *_renewal(regime),
    ]
    if problems:
        raise RegimeError(f"regime {regime.code!r} version {regime.version}: " + "; ".join(problems))


def _duplicates(kind: str, names: Iterable[str]) -> list[str]:
    return [f"duplicate {kind} '{name}'" for name, count in Counter(names).items() if count > 1]


def _unique(regime: Regime) -> list[str]:
    return [
        *_duplicates("state", (s.code for s in regime.states)),
        *_duplicates("transition", (t.action for t in regime.transitions)),
        *_duplicates("parameter", (p.name for p in regime.parameters)),
        *_duplicates("letter", (letter.key for letter in regime.letters)),
        *_duplicates("step", (s.slug for s in regime.steps)),
        *_duplicates("condition", (c.code for c in regime.conditions)),
        *_duplicates("field", (f.name for f in regime.all_fields())),
    ]


def _states(regime: Regime) -> list[str]:
    states, parameters = {s.code for s in regime.states}, {p.name for p in regime.parameters}
    actions = {t.action: t for t in regime.transitions}
    problems = [] if regime.initial_state in states else [f"initial state '{regime.initial_state}' is not a state"]
    if regime.duration is not None and regime.duration not in parameters:
        problems.append(f"duration names unknown parameter {regime.duration!r}")
    for state in regime.states:
        if state.deadline is not None and state.deadline not in parameters:
            problems.append(f"state '{state.code}' names unknown deadline parameter {state.deadline!r}")
        if state.on_deadline is not None:
            move = actions.get(state.on_deadline)
            if move is None or not move.automatic or state.code not in move.sources:
                problems.append(f"state '{state.code}' names {state.on_deadline!r}, not an automatic move from it")
            if state.deadline is None:
                problems.append(f"state '{state.code}' acts on a deadline it does not have")
    return problems


def _transitions(regime: Regime) -> list[str]:
    states, letters = {s.code for s in regime.states}, {letter.key for letter in regime.letters}
    outcomes = {o.code for o in regime.outcomes}
    problems = []
    for t in regime.transitions:
        for name in sorted(t.sources - states) + ([t.target] if t.target not in states else []):
            problems.append(f"transition '{t.action}' names unknown state '{name}'")
        if t.letter is not None and t.letter not in letters:
            problems.append(f"transition '{t.action}' names unknown letter {t.letter!r}")
        for outcome in (t.proposes, t.confirms):
            if outcome is not None and outcome not in outcomes:
                problems.append(f"transition '{t.action}' names unknown outcome {outcome!r}")
        if t.automatic != (t.roles == frozenset({Role.SYSTEM})):
            problems.append(f"transition '{t.action}': automatic moves, and only they, belong to the system role")
        reopening = next((m for m in regime.transitions if m.action == t.reopens), None) if t.reopens else None
        if t.reopens is not None and (reopening is None or not reopening.automatic or not t.decides):
            problems.append(f"transition '{t.action}' reopens with {t.reopens!r}: a decision, and an automatic move")
    return problems


def _procedure(regime: Regime) -> list[str]:
    """Four eyes on every deciding move; a hearing before every adverse proposal where the regime hears."""
    problems = []
    proposed = {t.proposes for t in regime.transitions if t.proposes}
    decision_letters = {letter.key for letter in regime.letters if letter.is_decision}
    heard = {s.code for s in regime.states if s.heard}
    for t in regime.transitions:
        if t.letter in decision_letters and not t.decides:
            problems.append(f"transition '{t.action}' issues decision letter {t.letter!r} but does not decide")
        if t.decides and (t.confirms is None or t.confirms not in proposed):
            problems.append(f"deciding transition '{t.action}' confirms no outcome that another transition proposes")
        if t.confirms is not None and not t.decides:
            problems.append(f"transition '{t.action}' confirms {t.confirms!r} but is not declared to decide")
        if regime.hears() and _needs_hearing(regime, t) and not t.sources <= heard:
            problems.append(f"adverse proposal '{t.action}' can be made from a state before the hearing")
    submits = [t for t in regime.transitions if t.submits]
    if len(submits) != 1 or regime.initial_state not in submits[0].sources:
        problems.append("exactly one transition must submit, from the initial state")
    return problems


def _needs_hearing(regime: Regime, transition: Transition) -> bool:
    return transition.proposes is not None and any(
        o.code == transition.proposes and o.needs_hearing for o in regime.outcomes
    )


def _clocks(regime: Regime) -> list[str]:
    """Every clock names states and parameters that exist, a length in whole days above zero, and never
    starts where it stops. A period a clock keeps is no state's deadline that ends by itself: the clock
    gives that period its due date (services/backoffice.deadline_of leaves it to the clock)."""
    problems = _duplicates("clock", (c.name for c in regime.clocks))
    for clock in regime.clocks:
        problems += [f"clock {clock.name!r} {problem}" for problem in _clock_problems(regime, clock)]
        for state in regime.states:
            if state.deadline == clock.parameter and state.on_deadline is not None:
                problems.append(f"state '{state.code}' ends by itself on {clock.parameter!r}, which a clock keeps")
    return problems


def _clock_problems(regime: Regime, clock: ClockSpec) -> list[str]:
    states, parameters = {s.code for s in regime.states}, {p.name: p for p in regime.parameters}
    problems = [] if clock.starts_in else ["never starts"]
    problems += [f"names unknown state '{name}'" for name in sorted(clock.states - states)]
    if clock.starts_in & (clock.stops_in | clock.suspended_in):
        problems.append("starts in a state where it stops or stands still")
    if clock.stops_in & clock.suspended_in:
        problems.append("both stops and stands still in the same state")
    for name in filter(None, (clock.parameter, clock.extension_parameter)):
        if name not in parameters:
            problems.append(f"names unknown parameter {name!r}")
        elif not _days_or_unknown(parameters[name].value):
            problems.append(f"has parameter {name!r}, not a whole number of days above zero")
    if clock.extensions < 0:
        problems.append("allows a negative number of extensions")
    return problems


def _days_or_unknown(value: object) -> bool:
    """A length in days: a whole number above zero, or None while the value is not known."""
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value > 0)


def _renewal(regime: Regime) -> list[str]:
    """A renewal renews a recognition with a term, from states that hold one, within a window in days."""
    renewal = regime.renewal
    if renewal is None:
        return []
    states, parameters = {s.code: s for s in regime.states}, {p.name: p for p in regime.parameters}
    problems = [] if regime.duration is not None else ["renews a recognition that has no term (duration)"]
    if renewal.window not in parameters:
        problems.append(f"renewal names unknown parameter {renewal.window!r}")
    elif not _days_or_unknown(parameters[renewal.window].value):
        problems.append(f"renewal window {renewal.window!r} is not a whole number of days above zero")
    for name in sorted(renewal.sources):
        if name not in states or not states[name].holds_recognition:
            problems.append(f"renewal starts from '{name}', not a state that holds a recognition")
    return problems if renewal.sources else [*problems, "renewal starts from no state"]


def _fields(regime: Regime) -> list[str]:
    return [*_condition_names(regime), *_answer_names(regime)]


def _condition_names(regime: Regime) -> list[str]:
    fields, parameters = {f.name for f in regime.all_fields()}, {p.name for p in regime.parameters}
    problems = []
    for condition in regime.conditions:
        for name in condition.fields:
            if name not in fields:
                problems.append(f"condition {condition.code!r} names unknown field '{name}'")
        for name in condition.norm:
            if name not in parameters:
                problems.append(f"condition {condition.code!r} names unknown parameter '{name}'")
    return problems


def _answer_names(regime: Regime) -> list[str]:
    fields = {f.name: f for f in regime.all_fields()}
    problems = []
    for step in regime.steps:
        for rule in step.rules:
            if rule.field not in {f.name for f in step.fields}:
                problems.append(f"step {step.slug!r} has a rule on unknown field {rule.field!r}")
    type_field = regime.application_type_field
    if type_field is not None and (type_field not in fields or fields[type_field].kind is not FieldKind.CHOICE):
        problems.append(f"application type field {type_field!r} is not a choice field of the regime")
    for attribute, name in regime.organisation_fields.items():
        if name not in fields:
            problems.append(f"organisation attribute {attribute!r} pre-fills unknown field '{name}'")
    for name in regime.example_answers:
        if name not in fields:
            problems.append(f"example answer for unknown field '{name}'")
    return problems
