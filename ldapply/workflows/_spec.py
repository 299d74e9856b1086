"""The types a regime is declared in: plain, frozen data with no Flask, database or Celery."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

Answers = Mapping[str, Any]
Params = Mapping[str, Any]  # parameter name -> value, as pinned on the application


@dataclass(frozen=True)
class Text:
    """A user-facing text in Dutch (first) and English."""

    nl: str
    en: str

    def get(self, locale: str) -> str:
        return self.en if locale.startswith("en") else self.nl

    def __str__(self) -> str:
        return self.nl


class Role(StrEnum):
    """Who may act. Applicants act for their organisation; the others are staff."""

    APPLICANT = "applicant"
    REVIEWER = "reviewer"
    DECISION_MAKER = "decision_maker"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.REVIEWER, Role.DECISION_MAKER, Role.ADMIN})


class Party(StrEnum):
    """Whose move it is while an application rests in a state."""

    APPLICANT = "applicant"
    REVIEWER = "reviewer"
    ADVISOR = "advisor"
    DECISION_MAKER = "decision_maker"
    ADMIN = "admin"
    NOBODY = "nobody"


class Provenance(StrEnum):
    FOUND = "found"
    MODELLED_2013 = "modelled_on_2013"
    ASSUMPTION = "assumption"


@dataclass(frozen=True)
class Parameter:
    """A regime number with where it comes from; code never carries the bare value."""

    name: str
    value: int | Decimal | bool | str | None
    unit: str
    provenance: Provenance
    source: str


class FieldKind(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    YES_NO = "yes_no"
    CHOICE = "choice"
    ENTERPRISE_NUMBER = "enterprise_number"
    FILE = "file"
    MULTI_CHOICE = "multi_choice"
    GROUP = "group"  # a repeating group of rows; its columns are `Field.fields`


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text


@dataclass(frozen=True)
class Field:
    name: str
    label: Text
    kind: FieldKind
    required: bool = True
    hint: Text | None = None
    choices: tuple[Choice, ...] = ()
    max_length: int | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    file_kinds: tuple[str, ...] = ()  # allowed upload kinds, e.g. ("pdf",)
    show_if: Callable[[Answers], bool] | None = None
    fields: tuple[Field, ...] = ()  # the columns of a GROUP
    min_items: int = 0  # rows a GROUP needs
    max_items: int = 20

    def choice_label(self, value: object, locale: str = "nl") -> str | None:
        for choice in self.choices:
            if choice.value == value:
                return choice.label.get(locale)
        return None


@dataclass(frozen=True)
class Rule:
    """A cross-field check on a step; `message` tells the applicant what to fix."""

    check: Callable[[Answers], bool]
    message: Text
    field: str


@dataclass(frozen=True)
class Step:
    slug: str
    title: Text
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = ()
    intro: Text | None = None
    show_if: Callable[[Answers], bool] | None = None

    def visible_fields(self, answers: Answers) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.show_if is None or f.show_if(answers))


@dataclass(frozen=True)
class StateSpec:
    """A state: internal label for staff, public label for the applicant, and whose move it is.

    `deadline` names the parameter (in days) within which the move must be made; `clock_suspended`
    marks states in which the legal clock stands still (the applicant was asked for something).
    """

    code: str
    label: Text
    public_label: Text
    whose_move: Party
    terminal: bool = False
    applicant_edits: bool = False
    deadline: str | None = None
    clock_suspended: bool = False
    holds_recognition: bool = False  # the volume granted counts against its call's cap
    assessable: bool = False  # reviewers judge the legal conditions while the application is here


@dataclass(frozen=True)
class Finding:
    """What ldapply can tell about a condition from the answers alone."""

    met: bool
    text: Text


@dataclass(frozen=True)
class Condition:
    """A legal condition of recognition. From it come the eligibility pre-check (its `fields`),
    the finding shown to reviewers (`check`), the reviewer's checklist, and the reasons in letters."""

    code: str
    title: Text
    article: str
    fields: tuple[str, ...] = ()
    check: Callable[[Answers, Params], Finding | None] | None = None


@dataclass(frozen=True)
class Facts:
    """What a transition guard may look at: plain values, no database."""

    answers: Answers
    parameters: Params
    verdicts: Mapping[str, bool]  # condition code -> the reviewer's verdict (met or not)
    conditions: tuple[str, ...]  # every condition code of the regime

    def all_conditions_met(self) -> bool:
        return all(self.verdicts.get(code) is True for code in self.conditions)

    def some_condition_not_met(self) -> bool:
        return any(verdict is False for verdict in self.verdicts.values())


@dataclass(frozen=True)
class Transition:
    """A move from one of `sources` to `target`, allowed to `roles`.

    `proposes` records a decision proposal with that outcome; `confirms` requires a pending
    proposal with that outcome made by another user (four eyes).
    """

    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[Role]
    label: Text
    needs_comment: bool = False
    proposes: str | None = None
    confirms: str | None = None
    letter: str | None = None
    guard: Callable[[Facts], Text | None] | None = None  # a refusal message, or None when allowed
    asks_volume: bool = False  # the actor states the volume granted (a partial grant)


@dataclass(frozen=True)
class LetterSpec:
    key: str
    title: Text
    is_decision: bool = False


@dataclass(frozen=True)
class LegalBasis:
    instrument: Text
    date: date
    numac: str | None
    articles: str

    def citation(self, locale: str = "nl") -> str:
        numac = f" (numac {self.numac})" if self.numac else ""
        return f"{self.instrument.get(locale)}{numac}, {self.articles}"


@dataclass(frozen=True)
class Outcome:
    """A decision outcome a reviewer can propose; `code` matches Transition.proposes/confirms."""

    code: str
    label: Text
    grants: bool = True  # whether the outcome grants volume (a refusal does not)


@dataclass(frozen=True)
class Regime:
    code: str
    title: Text
    version: int
    legal_basis: tuple[LegalBasis, ...]
    parameters: tuple[Parameter, ...]
    steps: tuple[Step, ...]
    states: tuple[StateSpec, ...]
    initial_state: str
    transitions: tuple[Transition, ...]
    letters: tuple[LetterSpec, ...]
    outcomes: tuple[Outcome, ...] = ()
    conditions: tuple[Condition, ...] = ()
    submit_action: str = "submit"  # the applicant's transition out of the initial state
    # The volume an application asks for (FTE, places, ...), counted against a call's cap.
    volume: Callable[[Answers], Decimal] | None = None
    volume_unit: Text = Text("VTE", "FTE")
    volume_whole: bool = False  # the volume is counted in whole units (places), not in fractions (FTE)
    uses_calls: bool = False
    application_type_field: str | None = None  # the answer a call's allowed application types restrict
    # Organisation attributes that pre-fill a field, and that reviewers see compared with the answer.
    organisation_fields: Mapping[str, str] = field(default_factory=dict)  # attribute -> field name

    def step(self, slug: str) -> Step | None:
        return next((s for s in self.steps if s.slug == slug), None)

    def state(self, code: str) -> StateSpec:
        for spec in self.states:
            if spec.code == code:
                return spec
        raise KeyError(f"{self.code}: unknown state {code!r}")

    def transition(self, action: str) -> Transition | None:
        return next((t for t in self.transitions if t.action == action), None)

    def letter(self, key: str) -> LetterSpec:
        for spec in self.letters:
            if spec.key == key:
                return spec
        raise KeyError(f"{self.code}: unknown letter {key!r}")

    def parameter(self, name: str) -> Parameter:
        for param in self.parameters:
            if param.name == name:
                return param
        raise KeyError(f"{self.code}: unknown parameter {name!r}")

    def outcome(self, code: str) -> Outcome:
        for outcome in self.outcomes:
            if outcome.code == code:
                return outcome
        raise KeyError(f"{self.code}: unknown outcome {code!r}")

    def condition(self, code: str) -> Condition:
        for condition in self.conditions:
            if condition.code == code:
                return condition
        raise KeyError(f"{self.code}: unknown condition {code!r}")

    def parameter_values(self) -> dict[str, Any]:
        return {p.name: p.value for p in self.parameters}

    def parameter_values_json(self) -> dict[str, Any]:
        """The values as JSON keeps them: decimals as strings, the rest as they are."""
        return {p.name: str(p.value) if isinstance(p.value, Decimal) else p.value for p in self.parameters}

    def visible_steps(self, answers: Answers) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.show_if is None or s.show_if(answers))

    def all_fields(self) -> tuple[Field, ...]:
        return tuple(f for s in self.steps for f in s.fields)

    def field(self, name: str) -> Field:
        for candidate in self.all_fields():
            if candidate.name == name:
                return candidate
        raise KeyError(f"{self.code}: unknown field {name!r}")
