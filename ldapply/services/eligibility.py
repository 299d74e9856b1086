"""The eligibility pre-check, derived from a regime's conditions: their fields become the questions,
their checks the verdicts."""

from __future__ import annotations

from dataclasses import dataclass

from ..workflows._spec import Answers, Condition, Finding, Regime, Step, Text


@dataclass(frozen=True)
class PrecheckResult:
    condition: Condition
    finding: Finding | None  # None: decided by a reviewer, not from these answers


def precheck_step(regime: Regime) -> Step:
    """One step with the fields that the automatic checks read, in the order the regime asks them."""
    names = {name for condition in regime.conditions if condition.check for name in condition.fields}
    fields = tuple(f for f in regime.all_fields() if f.name in names)
    return Step("precheck", Text("Kom ik in aanmerking?", "Am I eligible?"), fields=fields)


def evaluate(regime: Regime, answers: Answers) -> list[PrecheckResult]:
    params = regime.parameter_values()
    return [PrecheckResult(c, c.check(answers, params) if c.check else None) for c in regime.conditions]
