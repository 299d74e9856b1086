"""The eligibility pre-check, derived from a regime's conditions: their fields become the questions,
their checks the verdicts, and together an overall answer.

A check is run on the pre-check's answers while recording which answers it reads. A check that reads
an answer the pre-check does not ask (an upload, a repeating group, a field of no condition) cannot be
decided here: the condition is left to the reviewer, never reported as not met.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from .. import formatting
from ..forms.kinds import handler
from ..i18n import _, current_locale
from ..workflows._spec import Answers, Condition, Finding, Parameter, Regime, Step, Text

T = TypeVar("T")


class RecordingAnswers(Mapping[str, Any]):
    """Answers that remember every name looked up, whether or not it was answered."""

    def __init__(self, answers: Answers) -> None:
        self._answers = answers
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> Any:
        self.read.add(name)
        return self._answers[name]

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            self.read.add(name)
        return name in self._answers

    def get(self, name: str, default: Any = None) -> Any:
        self.read.add(name)
        return self._answers.get(name, default)

    def __iter__(self) -> Iterator[str]:
        self.read.update(self._answers)  # iterating reads everything there is
        return iter(self._answers)

    def __len__(self) -> int:
        return len(self._answers)


def reading(function: Callable[[Answers], T], answers: Answers) -> tuple[T, frozenset[str]]:
    """What `function` returns for `answers`, and the answer names it looked at to decide."""
    recording = RecordingAnswers(answers)
    result = function(recording)
    return result, frozenset(recording.read)


class Outcome(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    DEPENDS = "depends"  # the check needs evidence the pre-check does not ask for
    REVIEWER = "reviewer"  # no check decides it: the reviewer judges it from the application


@dataclass(frozen=True)
class Norm:
    """A threshold a condition rests on, as shown to applicants: a value with its unit, and whether it is law."""

    value: str  # "5 VTE doelgroepwerknemers per jaar", or "nog niet vastgelegd", in the page's language
    parameter: Parameter

    @property
    def is_law(self) -> bool:
        return self.parameter.is_law


@dataclass(frozen=True)
class PrecheckResult:
    condition: Condition
    finding: Finding | None  # None: decided by a reviewer, not from these answers
    outcome: Outcome
    needs: tuple[Text, ...] = ()  # what the check needs that the pre-check does not ask (field labels)
    norms: tuple[Norm, ...] = ()
    text: Text | None = None  # the finding as applicants read it: without the names of parameters


class Verdict(StrEnum):
    LIKELY = "likely"
    NOT_ELIGIBLE = "not_eligible"
    DEPENDS = "depends"


@dataclass(frozen=True)
class Overall:
    verdict: Verdict
    results: tuple[PrecheckResult, ...]

    @property
    def not_met(self) -> list[PrecheckResult]:
        return [r for r in self.results if r.outcome is Outcome.NOT_MET]

    @property
    def depends(self) -> list[PrecheckResult]:
        return [r for r in self.results if r.outcome is Outcome.DEPENDS]

    @property
    def reviewer(self) -> list[PrecheckResult]:
        return [r for r in self.results if r.outcome is Outcome.REVIEWER]


def precheck_step(regime: Regime) -> Step:
    """One step with the fields that the automatic checks read, in the order the regime asks them: the
    fields each condition declares, and those its check reads on the regime's example case."""
    params = regime.parameter_values()
    names = {name for condition in regime.conditions if condition.check for name in condition.fields}
    for condition in regime.conditions:
        if condition.check is not None:
            names |= _run(condition, params, regime.example_answers)[1]
    fields = tuple(f for f in regime.all_fields() if f.name in names and handler(f).quick_question)
    return Step("precheck", Text("Kom ik in aanmerking?", "Am I eligible?"), fields=fields)


def evaluate(regime: Regime, answers: Answers) -> list[PrecheckResult]:
    """Per condition: met or not from the answers, or left to the reviewer (with what it would need)."""
    params, asked = regime.parameter_values(), {f.name for f in precheck_step(regime).fields}
    labels = {f.name: f.label for f in regime.all_fields()}
    results = []
    for condition in regime.conditions:
        norms = norms_of(regime, condition)
        if condition.check is None:
            results.append(PrecheckResult(condition, None, Outcome.REVIEWER, norms=norms))
            continue
        finding, read = _run(condition, params, answers)
        unasked = sorted(read - asked)
        if unasked:  # decided on evidence this page cannot ask for
            needs = tuple(labels[name] for name in unasked if name in labels)
            results.append(PrecheckResult(condition, None, Outcome.DEPENDS, needs=needs, norms=norms))
        elif finding is None:
            results.append(PrecheckResult(condition, None, Outcome.REVIEWER, norms=norms))
        else:
            outcome = Outcome.MET if finding.met else Outcome.NOT_MET
            results.append(PrecheckResult(condition, finding, outcome, norms=norms, text=finding.text))
    return results


def _run(condition: Condition, params: Mapping[str, Any], answers: Answers) -> tuple[Finding | None, frozenset[str]]:
    check = condition.check
    if check is None:
        return None, frozenset()
    return reading(lambda recorded: check(recorded, params), answers)


def overall(regime: Regime, answers: Answers) -> Overall:
    """The answer for the whole regime: not eligible when a condition the answers decide is not met;
    else it depends on the reviewer when a check needs evidence not asked here; else likely eligible
    (the reviewer still judges the conditions no check decides)."""
    results = tuple(evaluate(regime, answers))
    if any(r.outcome is Outcome.NOT_MET for r in results):
        verdict = Verdict.NOT_ELIGIBLE
    elif any(r.outcome is Outcome.DEPENDS for r in results):
        verdict = Verdict.DEPENDS
    else:
        verdict = Verdict.LIKELY
    return Overall(verdict, results)


def norms_of(regime: Regime, condition: Condition) -> tuple[Norm, ...]:
    names = {p.name for p in regime.parameters}
    return tuple(Norm(norm_value(regime.parameter(n)), regime.parameter(n)) for n in condition.norm if n in names)


def norm_value(parameter: Parameter) -> str:
    """A parameter's value with its unit, in the page's language (numbers in Belgian notation, as
    everywhere); never its name."""
    if parameter.value is None:
        return _("nog niet vastgelegd")
    if isinstance(parameter.value, bool):
        return _("ja") if parameter.value else _("nee")
    locale = current_locale()
    unit = parameter.unit_text.get(locale)
    try:
        shown = formatting.number(Decimal(str(parameter.value)), locale)
    except InvalidOperation:
        shown = str(parameter.value)
    return f"{shown} {unit}".strip()


def stored_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The pre-check's answers as the session and a draft keep them: JSON values only."""
    return {k: _plain(v) for k, v in answers.items() if v not in (None, "", [])}


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
