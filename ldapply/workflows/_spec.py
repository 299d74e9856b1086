"""The types a regime is declared in: plain, frozen data with no Flask, database or Celery."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._clock import ClockSpec

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
    """Who may act. Applicants act for their organisation; the others are staff. Nobody holds SYSTEM:
    it marks the moves ldapply makes itself when a state's period ends."""

    APPLICANT = "applicant"
    REVIEWER = "reviewer"
    DECISION_MAKER = "decision_maker"
    ADMIN = "admin"
    ADVISOR = "advisor"  # a member of an outside advisory body: sees only the cases sent to that body
    SYSTEM = "system"


# Who may enter the back office; an advisor only for the cases sent to their body.
STAFF_ROLES = frozenset({Role.REVIEWER, Role.DECISION_MAKER, Role.ADMIN, Role.ADVISOR})
INTERNAL_ROLES = frozenset({Role.REVIEWER, Role.DECISION_MAKER, Role.ADMIN})


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

    @property
    def label(self) -> Text:
        return PROVENANCE_LABELS[self]


PROVENANCE_LABELS = {
    Provenance.FOUND: Text("gevonden in de regelgeving", "found in the legislation"),
    Provenance.MODELLED_2013: Text(
        "naar het model van de regeling van 2013, niet teruggevonden in de regelgeving van 2006-2008",
        "modelled on the 2013 regime, not found in the 2006-2008 legislation",
    ),
    Provenance.ASSUMPTION: Text(
        "aanname van de administratie, niet teruggevonden in de regelgeving",
        "the administration's assumption, not found in the legislation",
    ),
}


@dataclass(frozen=True)
class Citation:
    """Where a rule comes from. Only a FOUND citation is printed as law; any other is stated as the
    administration's own rule, never cited to an article."""

    text: str
    provenance: Provenance
    source: str = ""

    @property
    def is_law(self) -> bool:
        return self.provenance is Provenance.FOUND


@dataclass(frozen=True)
class Period:
    """The period a regime version was in force (`until` None: still in force, or not known to end)."""

    starts: date
    ends: date | None
    provenance: Provenance
    source: str

    def covers(self, day: date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)


@dataclass(frozen=True)
class Parameter:
    """A regime number with where it comes from; code never carries the bare value.

    `unit` is Dutch, as letters print it ("kalenderdagen"); pages show `unit_text`, which adds `unit_en`
    for English pages (a unit without one reads in Dutch there too)."""

    name: str
    value: int | Decimal | bool | str | None
    unit: str
    provenance: Provenance
    source: str
    unit_en: str = ""

    @property
    def is_law(self) -> bool:
        return self.provenance is Provenance.FOUND

    @property
    def unit_text(self) -> Text:
        return Text(self.unit, self.unit_en or self.unit)


class FieldKind(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"  # an amount in euro, typed and shown in Belgian notation ("€ 180.000,50")
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
class ShownWhen:
    """A declarative condition for a question: shown when the answer `field` is one of `values`
    (with `among`, for a multiple choice: when one of `values` was chosen). Unlike a `show_if` callable, pages can
    state it to the browser, which reveals the question as soon as it applies."""

    field: str
    values: tuple[object, ...]
    among: bool = False  # the answer is a multiple choice (a list): shown when one of `values` is in it

    def __call__(self, answers: Answers) -> bool:
        answer = answers.get(self.field)
        if self.among:
            return isinstance(answer, list | tuple) and any(value in answer for value in self.values)
        return answer in self.values


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
    max_files: int = 1  # files a FILE field takes; above 1 its answer is a list of upload references
    # The declarative form of `show_if`, when it has one; set from either (frozen: once, at construction).
    shown_when: ShownWhen | None = None

    def __post_init__(self) -> None:
        if self.shown_when is None and isinstance(self.show_if, ShownWhen):
            object.__setattr__(self, "shown_when", self.show_if)
        if self.show_if is None and self.shown_when is not None:
            object.__setattr__(self, "show_if", self.shown_when)

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
    hearing: bool = False  # the applicant is being heard on an intended adverse decision and may respond
    heard: bool = False  # the hearing is over (a response came, or its period ended)
    on_deadline: str | None = None  # the action ldapply takes itself when the deadline passes


@dataclass(frozen=True)
class Finding:
    """What ldapply can tell about a condition from the answers alone."""

    met: bool
    text: Text


@dataclass(frozen=True)
class Condition:
    """A legal condition of recognition. From it come the eligibility pre-check (its `fields`),
    the finding shown to reviewers (`check`), the reviewer's checklist, and the reasons in letters.

    `basis` is where the condition comes from; `norm` names the parameters its threshold rests on
    (printed as the administration's own rule unless found). A `decisive` condition blocks a grant
    while its automatic finding says it is not met, whatever the reviewer judges. `inapplicable_when` says
    in which case the condition does not concern an application (its own terms must allow that); without
    it the condition concerns every application and a reviewer cannot judge it "not applicable".
    """

    code: str
    title: Text
    basis: Citation
    fields: tuple[str, ...] = ()
    check: Callable[[Answers, Params], Finding | None] | None = None
    norm: tuple[str, ...] = ()
    decisive: bool = False
    inapplicable_when: Text | None = None
    # Where the condition comes from for a renewal, when that differs from `basis` (a call's condition: a
    # renewal is outside any call); None: `basis` applies to a renewal too.
    renewal_basis: Citation | None = None


class Verdict(StrEnum):
    """A reviewer's judgement of one condition. "Not applicable" says the condition does not concern this
    application (with a reason why, printed in the letter): it neither stands in the way of a grant nor
    founds a refusal, and a letter never prints it as met."""

    MET = "met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Facts:
    """What a transition guard may look at: plain values, no database."""

    answers: Answers
    parameters: Params
    verdicts: Mapping[str, Verdict]  # condition code -> the reviewer's verdict
    conditions: tuple[str, ...]  # every condition code of the regime
    blocking: tuple[str, ...] = ()  # decisive conditions whose automatic finding is "not met"
    recognised_until: date | None = None  # the last day of the recognition granted, when it has a term
    today: date | None = None

    def all_conditions_met(self) -> bool:
        """A grant: every condition judged, each met or not applicable, and none blocked by its finding."""
        allowed = (Verdict.MET, Verdict.NOT_APPLICABLE)
        return not self.blocking and all(self.verdicts.get(code) in allowed for code in self.conditions)

    def some_condition_not_met(self) -> bool:
        """A refusal rests on at least one condition judged not met; "not applicable" founds none."""
        return any(verdict == Verdict.NOT_MET for verdict in self.verdicts.values())


class Need(StrEnum):
    """Whether a free-text box is offered, and whether it must be filled."""

    NO = "no"
    OPTIONAL = "optional"
    REQUIRED = "required"


@dataclass(frozen=True)
class Transition:
    """A move from one of `sources` to `target`, allowed to `roles`.

    Texts: `motivation` is what the actor writes for the applicant (it reaches letters: the reasons,
    the additions asked, the advice, the hearing response); `note` is internal and never leaves the case.

    Four eyes: `proposes` records a proposal with that outcome; a transition that `decides` confirms a
    pending proposal with the outcome in `confirms`, made by someone who neither proposed it nor advised
    on the case. `returns_proposal` sends a pending proposal back. `submits` is the first submission
    (it pins the parameters and dates the application); `hands_in` hands in additions; `advises` marks
    its actor as an advisor on the case; `responds` is an applicant's response in a hearing (text and
    attachments); `objects` is the applicant's objection against a decision, which opens a case of its own;
    `reopens`, on a decision of such a case, names ldapply's own move on the contested case that follows it
    (an objection upheld sends the application back for a new decision). `automatic` moves are made by
    ldapply itself (when a state's period ends, after an objection is upheld). `irreversible` moves ask
    for confirmation on a page of their own. `recital` is the sentence the move leaves in the procedure
    history of later letters.
    """

    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[Role]
    label: Text
    motivation: Need = Need.NO
    note: Need = Need.OPTIONAL
    proposes: str | None = None
    confirms: str | None = None
    decides: bool = False
    returns_proposal: bool = False
    letter: str | None = None
    guard: Callable[[Facts], Text | None] | None = None  # a refusal message, or None when allowed
    asks_volume: bool = False  # the actor states the volume granted (a partial grant)
    submits: bool = False
    hands_in: bool = False
    advises: bool = False
    responds: bool = False
    objects: bool = False  # the applicant's administrative objection against a decision
    reopens: str | None = None  # the automatic move this decision of an objection case makes on the contested case
    automatic: bool = False
    irreversible: bool = False
    recital: Text | None = None


@dataclass(frozen=True)
class LetterSpec:
    key: str
    title: Text
    is_decision: bool = False


@dataclass(frozen=True)
class LegalBasis:
    """An instrument the regime rests on. `articles` only when they are known (found); an unknown
    article is left out, never guessed."""

    instrument: Text
    date: date
    numac: str | None
    articles: str | None = None

    def citation(self, locale: str = "nl") -> str:
        numac = f" (numac {self.numac})" if self.numac else ""
        articles = f", {self.articles}" if self.articles else ""
        return f"{self.instrument.get(locale)}{numac}{articles}"


@dataclass(frozen=True)
class Outcome:
    """A decision outcome a reviewer can propose; `code` matches Transition.proposes/confirms."""

    code: str
    label: Text
    grants: bool = True  # whether the outcome grants volume (a refusal does not)
    needs_hearing: bool = False  # adverse: proposed only after the applicant was heard, where the regime hears


@dataclass(frozen=True)
class ExampleCase:
    """A realistic case for the sample letters: per letter kind, the moves after submission that lead to it
    (the last issues it or proposes its decision), and what people wrote on the way."""

    paths: Mapping[str, tuple[str, ...]]
    texts: Mapping[str, str]  # action -> what the actor wrote
    motivations: Mapping[str, str]  # outcome -> the decision's motivation
    hearing_answers: Mapping[str, str]  # outcome -> the answer to the hearing response
    advice_answer: str
    reason_not_met: str
    on: datetime  # the date the letters are dated
    reference: str  # with {code}
    call: Mapping[str, str] | None = None
    organisation_address: tuple[str, ...] = ()  # the example organisation's registered address, per line
    # Why a condition without a norm set was judged met (a reviewer must say: services/motivation.norm_unset).
    reason_met_without_norm: str = "De stukken van het dossier tonen aan dat aan deze voorwaarde voldaan is."


@dataclass(frozen=True)
class Renewal:
    """How a recognition with a term is renewed: a new application of the same regime, linked to the recognised
    one, that an organisation may start from one of `sources` within `window` (a parameter, in days) before the
    recognition's last day. Granted, the new term starts the day after the current one ends."""

    window: str  # the parameter: how many days before the recognition's last day a renewal may be started
    sources: frozenset[str]  # the recognised application's states a renewal may be started from


@dataclass(frozen=True)
class Regime:
    code: str
    title: Text
    version: int
    in_force: Period
    legal_basis: tuple[LegalBasis, ...]
    parameters: tuple[Parameter, ...]
    steps: tuple[Step, ...]
    states: tuple[StateSpec, ...]
    initial_state: str
    transitions: tuple[Transition, ...]
    letters: tuple[LetterSpec, ...]
    outcomes: tuple[Outcome, ...] = ()
    conditions: tuple[Condition, ...] = ()
    # The volume an application asks for (FTE, places, ...), counted against a call's cap.
    volume: Callable[[Answers], Decimal] | None = None
    volume_unit: Text = Text("VTE", "FTE")
    volume_whole: bool = False  # the volume is counted in whole units (places), not in fractions (FTE)
    uses_calls: bool = False
    application_type_field: str | None = None  # the answer a call's allowed application types restrict
    # Organisation attributes that pre-fill a field, and that reviewers see compared with the answer.
    organisation_fields: Mapping[str, str] = field(default_factory=dict)  # attribute -> field name
    # A realistic case in stored form, for the sample letters lawyers review.
    example_answers: Mapping[str, Any] = field(default_factory=dict)
    duration: str | None = None  # the parameter (in years) a recognition lasts; None: no term
    example_case: ExampleCase | None = None
    clocks: tuple[ClockSpec, ...] = ()  # the legal periods the administration keeps (workflows/_clock.py)
    # The move ldapply makes itself when a recognition's term (`duration`) has ended; None: it never ends by itself.
    expiry_action: str | None = None
    # The parameter (in days) for reminding the organisation before its recognition's term ends.
    renewal_reminder: str | None = None
    # How a recognition is renewed (a linked application, services/renewals.py); None: it cannot be renewed.
    renewal: Renewal | None = None

    @property
    def submit_action(self) -> str:
        """The applicant's first submission: the transition declared to submit."""
        return next(t.action for t in self.transitions if t.submits)

    def hears(self) -> bool:
        return any(s.hearing for s in self.states)

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
