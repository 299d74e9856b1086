"""The eligibility pre-check, derived from a regime's conditions: their fields become the questions,
their checks the verdicts."""

from __future__ import annotations

from dataclasses import dataclass

from ..workflows._spec import Answers, Condition, FieldKind, Finding, Regime, Step, Text

# Uploads and repeating groups are evidence for the application itself, not quick questions.
_NOT_ASKED = frozenset({FieldKind.FILE, FieldKind.GROUP})


@dataclass(frozen=True)
class PrecheckResult:
    condition: Condition
    finding: Finding | None  # None: decided by a reviewer, not from these answers


def precheck_step(regime: Regime) -> Step:
    """One step with the fields that the automatic checks read, in the order the regime asks them."""
    names = {name for condition in regime.conditions if condition.check for name in condition.fields}
    fields = tuple(f for f in regime.all_fields() if f.name in names and f.kind not in _NOT_ASKED)
    return Step("precheck", Text("Kom ik in aanmerking?", "Am I eligible?"), fields=fields)


def evaluate(regime: Regime, answers: Answers) -> list[PrecheckResult]:
    """Conditions whose questions were all asked get a finding; the rest are left to the reviewer."""
    params, asked = regime.parameter_values(), {f.name for f in precheck_step(regime).fields}
    return [
        PrecheckResult(c, c.check(answers, params) if c.check and set(c.fields) <= asked else None)
        for c in regime.conditions
    ]
