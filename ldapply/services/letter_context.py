"""What a letter says, as plain data: built from a `CaseRecord` by pure functions, frozen at issue.

The schema is documented in `docs/letter-context.md`. Whether a value may be printed as law is
decided here, once, from its provenance: templates print what they are given and compute no law.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from .. import formatting
from ..clock import LOCAL_ZONE, add_years, letter_date, local, local_date
from ..workflows._spec import (
    Answers,
    Citation,
    Condition,
    Field,
    FieldKind,
    Parameter,
    Provenance,
    Regime,
    Transition,
    Verdict,
)
from .answers import attachments, step_rows

SCHEMA = 2


@dataclass(frozen=True)
class Sender:
    authority: str
    department: str
    unit: str
    address: tuple[str, ...]
    email: str
    website: str
    verify_url: str


@dataclass(frozen=True)
class EventRecord:
    action: str
    from_state: str
    to_state: str
    at: datetime
    comment: str | None
    files: tuple[str, ...] = ()
    event_id: Any = None
    items: tuple[str, ...] = ()  # what the move recorded: the items a request asks, the answers a hand-in changed


@dataclass(frozen=True)
class VerdictRecord:
    verdict: Verdict  # met, not met, or not applicable (printed as such, never as met)
    reason: str | None


@dataclass(frozen=True)
class ProposalRecord:
    outcome: str
    motivation: str
    volume: Decimal | None
    considerations: Mapping[str, str]


@dataclass(frozen=True)
class Person:
    name: str
    function: str
    delegation: str = ""
    email: str = ""
    # Whether the delegation the signatory acts under was found in the regulations (the signatory's provenance):
    # one that was not is printed as what the administration recorded, never as a found act.
    delegation_found: bool = True


@dataclass(frozen=True)
class RequestedItem:
    """One item of a request for additions, as the reviewer asked it: the step or question (a step slug or a
    field name; "" for the whole application), what is wrong or missing, and the date to answer by."""

    item: str
    message: str
    due_on: date | None


@dataclass(frozen=True)
class CaseRecord:
    """Everything a letter may say about a case, read from the database once (or made up for samples)."""

    reference: str
    organisation_name: str
    enterprise_number: str | None
    answers: Answers
    parameters: Mapping[str, Any]
    started_on: date
    events: tuple[EventRecord, ...]
    verdicts: Mapping[str, VerdictRecord]
    proposal: ProposalRecord | None
    signatory: Person
    contact: Person | None
    issued_at: datetime
    verification_code: str
    message: str = ""  # what the move that issues the letter says to the applicant
    submitted_on: date | None = None
    call: Mapping[str, str] | None = None  # {"title", "closes_on"} of the call the application answers
    # What the issuing move recorded: the items a request for additions asks, the answers a hand-in changed.
    items: tuple[str, ...] = ()
    organisation_address: tuple[str, ...] = ()  # the registered address on record, as lines
    # An objection case (services/objections.py): the moves of the case whose decision it contests, before its
    # own, and that case's reference. The letters' procedure reads both; the hearing and advice are its own.
    contested_events: tuple[EventRecord, ...] = ()
    contested_reference: str | None = None
    # What the issuing move asked, item by item, when it requests additions (with the date the reviewer chose).
    requested: tuple[RequestedItem, ...] = ()
    # A renewal (services/renewals.py): the reference of the recognised application it renews and that
    # recognition's last day; a renewal's term starts the day after it.
    renewal_of: str | None = None
    renewal_of_ends_on: date | None = None


# -- the parts -------------------------------------------------------------------------------------


def nl_number(value: Decimal | int | None) -> str:
    """A number in a letter, as on the pages: "180.000", "12,5" (ldapply.formatting, in Dutch)."""
    return formatting.number(value)


def period_context(regime: Regime, started_on: date) -> dict[str, Any]:
    period = regime.in_force
    until = f" tot en met {letter_date_of(period.ends)}" if period.ends else ""
    in_force = f"van {letter_date_of(period.starts)}{until}"
    outside = not period.covers(started_on)
    note = (
        f"Deze aanvraag werd gestart op {letter_date_of(started_on)}, buiten de periode waarin deze regeling "
        f"volgens de administratie gold ({in_force}; het begin van die periode is een aanname). De administratie "
        "behandelt de aanvraag volgens deze regeling; een overgangsregel die dat toelaat, is in ldapply niet "
        "vastgelegd."
        if outside
        else ""
    )
    return {
        "code": regime.code,
        "title": regime.title.nl,
        "version": regime.version,
        "in_force": in_force,
        "outside_period": outside,
        "period_note": note,
    }


def letter_date_of(day: date) -> str:
    return letter_date(datetime(day.year, day.month, day.day, 12, tzinfo=LOCAL_ZONE))


def parameter_of(regime: Regime, name: str) -> Parameter | None:
    return next((p for p in regime.parameters if p.name == name), None)


def pinned(case: CaseRecord, regime: Regime, name: str) -> Any:
    parameter = parameter_of(regime, name)
    return case.parameters.get(name, parameter.value if parameter else None)


def own_rule_phrase(parameter: Parameter) -> str:
    """How a value that is not law is stated: as the administration's own rule, with where it comes from."""
    return f"een regel die de administratie zelf hanteert, {parameter.provenance.label.nl}"


def hearing_period(regime: Regime) -> str | None:
    """The parameter that gives the applicant's time to respond: the deadline of the regime's hearing states."""
    return next((s.deadline for s in regime.states if s.hearing and s.deadline), None)


def additions_period(regime: Regime) -> str | None:
    """The time given to hand in additions: the deadline of the state where the applicant edits, clock stopped."""
    return next((s.deadline for s in regime.states if s.applicant_edits and s.clock_suspended and s.deadline), None)


def days_text(case: CaseRecord, regime: Regime, name: str | None, after: str) -> dict[str, Any] | None:
    parameter = parameter_of(regime, name) if name else None
    days = pinned(case, regime, parameter.name) if parameter else None
    if parameter is None or days is None:
        return None
    text = f"binnen {days} dagen na {after}"
    if not parameter.is_law:
        text += f" (een termijn die de administratie zelf hanteert; {parameter.provenance.label.nl})"
    return {"days": days, "text": text}


def admissibility_period(regime: Regime) -> str | None:
    """The reviewers' term for the admissibility check: the deadline of the state a hand-in of additions
    returns the file to (the same term runs from the submission)."""
    target = next((t.target for t in regime.transitions if t.hands_in), None)
    return regime.state(target).deadline if target else None


def term_context(case: CaseRecord, regime: Regime, name: str | None) -> dict[str, Any] | None:
    """A term as a letter states it: value and unit, and whether it is law or the administration's own rule."""
    parameter = parameter_of(regime, name) if name else None
    value = pinned(case, regime, parameter.name) if parameter else None
    if parameter is None or value is None:
        return None
    return {
        "days": value,
        "unit": parameter.unit,
        "is_law": parameter.is_law,
        "provenance_label": parameter.provenance.label.nl,
    }


def deadlines_context(case: CaseRecord, regime: Regime) -> dict[str, Any]:
    return {
        "additions": days_text(case, regime, additions_period(regime), "de kennisgeving van deze brief"),
        "hearing": days_text(case, regime, hearing_period(regime), "de kennisgeving van deze brief"),
        "admissibility": term_context(case, regime, admissibility_period(regime)),
    }


def additions_request_context(case: CaseRecord, regime: Regime, kind: str) -> dict[str, Any] | None:
    """For the receipt of additions: the latest request for additions, each item it asked and whether the
    hand-in changed it (`case.items`: the answers changed); asked [] when the request named none (every step)."""
    if acknowledges(regime, kind) != "additions":
        return None
    request = next((e for e in reversed(case.events) if _asks_additions(regime, e)), None)
    if request is None:
        return None
    asked, changed = set(request.items), set(case.items)
    items = []
    for step in regime.steps:
        fields = [f for f in step.fields if f.name in asked]
        if step.slug in asked or fields:
            names = {f.name for f in (fields or step.fields)}
            label = ", ".join(f.label.nl for f in fields) if fields else step.title.nl
            items.append({"step": step.title.nl, "label": label, "changed": bool(names & changed)})
    return {"on": letter_date(request.at), "asked": items}


def information_request_context(case: CaseRecord, regime: Regime, kind: str) -> dict[str, Any] | None:
    """For a request for additions: the date the reviewer chose to answer by, and each step or question asked
    with what is wrong (the whole application, asked with the message only, is not listed); None for other
    letters, or a request recorded without its items."""
    asking = [t for t in regime.transitions if t.letter == kind]
    if not case.requested or not any(not t.submits and regime.state(t.target).applicant_edits for t in asking):
        return None
    order = [name for step in regime.steps for name in (step.slug, *(f.name for f in step.fields))]
    items = []
    for asked in sorted(case.requested, key=lambda a: order.index(a.item) if a.item in order else len(order)):
        step, label = _item_label(regime, asked.item)
        if step is not None:
            items.append({"step": step, "label": label, "message": asked.message})
    due = next((asked.due_on for asked in case.requested if asked.due_on is not None), None)
    return {"due_on": letter_date_of(due) if due else None, "asked": items}


def _item_label(regime: Regime, name: str) -> tuple[str | None, str]:
    """(step title, what is asked: the question's label, or the step's title) of a step slug or field name."""
    for step in regime.steps:
        if step.slug == name:
            return step.title.nl, step.title.nl
        for candidate in step.fields:
            if candidate.name == name:
                return step.title.nl, candidate.label.nl
    return None, name


def _asks_additions(regime: Regime, event: EventRecord) -> bool:
    transition = regime.transition(event.action)
    return transition is not None and not transition.submits and regime.state(event.to_state).applicant_edits


def citation_context(citation: Citation) -> tuple[str, bool]:
    if citation.is_law:
        return citation.text, True
    return f"Regel van de administratie: {citation.text} ({citation.provenance.label.nl})", False


def norm_text(condition: Condition, case: CaseRecord, regime: Regime) -> str:
    parts = []
    for name in condition.norm:
        parameter = parameter_of(regime, name)
        value = pinned(case, regime, name)
        if parameter is None:
            continue
        if value is None:  # no threshold to apply: said so, not presented as a rule (the verdict's reason says more)
            parts.append("geen: de administratie heeft hiervoor geen norm vastgelegd")
            continue
        law = "gevonden in de regelgeving" if parameter.is_law else own_rule_phrase(parameter)
        parts.append(f"{nl_number(Decimal(str(value)))} {parameter.unit}: {law}")
    return "; ".join(parts)


def condition_basis(condition: Condition, case: CaseRecord) -> Citation:
    """Where the condition comes from for this case: a renewal's own basis where the condition has one."""
    return condition.renewal_basis if case.renewal_of is not None and condition.renewal_basis else condition.basis


def conditions_context(case: CaseRecord, regime: Regime) -> list[dict[str, Any]]:
    rows = []
    for condition in regime.conditions:
        finding = condition.check(case.answers, case.parameters) if condition.check else None
        verdict = case.verdicts.get(condition.code)
        basis, is_law = citation_context(condition_basis(condition, case))
        rows.append(
            {
                "code": condition.code,
                "title": condition.title.nl,
                "basis": basis,
                "basis_is_law": is_law,
                "norm": norm_text(condition, case, regime),
                "finding": finding.text.nl if finding else None,
                # "met" is true, false, or none (not judged, or not applicable: "verdict" tells them apart);
                # letters rendered from contexts stored before "verdict" existed read "met" alone.
                "met": {Verdict.MET: True, Verdict.NOT_MET: False}.get(verdict.verdict) if verdict else None,
                "verdict": str(verdict.verdict) if verdict else None,
                "reason": verdict.reason if verdict else None,
            }
        )
    return rows


def own_rules_context(case: CaseRecord, regime: Regime, kind: str) -> list[dict[str, str]]:
    """The administration's own rules this letter applies, each with where it comes from."""
    rules = []
    for subject, name in rule_parameters(case, regime, kind):
        parameter, value = parameter_of(regime, name), pinned(case, regime, name)
        if parameter is not None and not parameter.is_law and value is not None:
            rules.append(
                {
                    "text": f"{subject}: {nl_number(Decimal(str(value)))} {parameter.unit}",
                    "provenance_label": parameter.provenance.label.nl,
                }
            )
    return rules + _renewal_rule(case, regime, kind) + _objection_rule(case, regime, kind)


def _objection_rule(case: CaseRecord, regime: Regime, kind: str) -> list[dict[str, str]]:
    """A decision that offers an objection, or decides one, applies the objection procedure: where no law
    provides for it, that is the administration's own rule, and said so."""
    enabled = parameter_of(regime, "objection_enabled")
    spec = regime.letter(kind)
    if enabled is None or enabled.is_law or not spec.is_decision or not pinned(case, regime, enabled.name):
        return []
    days = pinned(case, regime, "objection_days")
    within = f", binnen {days} dagen na de kennisgeving van de beslissing" if days is not None else ""
    return [
        {
            "text": f"Bezwaar bij de administratie tegen haar beslissing over een erkenning{within}",
            "provenance_label": enabled.provenance.label.nl,
        }
    ]


def _renewal_rule(case: CaseRecord, regime: Regime, kind: str) -> list[dict[str, str]]:
    """A renewal's decision rests on the rule that a recognition is renewed by a new application, within the window."""
    window = parameter_of(regime, regime.renewal.window) if regime.renewal else None
    value = pinned(case, regime, window.name) if window is not None else None
    if case.renewal_of is None or window is None or window.is_law or not regime.letter(kind).is_decision:
        return []
    when = f"vanaf {nl_number(Decimal(str(value)))} {window.unit} vóór haar laatste dag" if value is not None else ""
    return [
        {
            "text": f"Verlenging van een erkenning door een nieuwe aanvraag, in te dienen {when}".rstrip()
            + "; de verlengde erkenning gaat in de dag na het einde van de lopende",
            "provenance_label": window.provenance.label.nl,
        }
    ]


def rule_parameters(case: CaseRecord, regime: Regime, kind: str) -> list[tuple[str, str]]:
    """(what it rules, parameter name) for the norms and the duration this letter applies; a condition judged not
    applicable applies no norm."""
    rules = []
    if regime.duration and grants(regime, kind):
        rules.append(("Duur van een erkenning", regime.duration))
    if rests_on_conditions(regime, kind):
        rules += [(c.title.nl, name) for c in regime.conditions if _applies(case, c.code) for name in c.norm]
    return rules


def _applies(case: CaseRecord, code: str) -> bool:
    verdict = case.verdicts.get(code)
    return verdict is None or verdict.verdict != Verdict.NOT_APPLICABLE


def grants(regime: Regime, kind: str) -> bool:
    """Whether the letter issues a decision whose outcome grants a recognition."""
    outcomes = {t.confirms for t in regime.transitions if t.letter == kind and t.confirms}
    return any(o.grants for o in regime.outcomes if o.code in outcomes)


# -- the procedure ---------------------------------------------------------------------------------


def procedure_context(case: CaseRecord, regime: Regime) -> list[dict[str, str]]:
    """The facts and the procedure, from the moves that declare a recital, in order (for an objection case,
    the contested case's moves first)."""
    rows = []
    for event in (*case.contested_events, *case.events):
        transition = regime.transition(event.action)
        if transition is not None and transition.recital is not None:
            rows.append({"date": letter_date(event.at), "text": transition.recital.nl})
    return rows


def hearing_context(case: CaseRecord, regime: Regime) -> dict[str, Any] | None:
    """The latest hearing of the case: when it was notified, and the response if one came."""
    hearing_states = {s.code for s in regime.states if s.hearing}
    notified = next((e for e in reversed(case.events) if e.to_state in hearing_states), None)
    if notified is None:
        return None
    after = case.events[case.events.index(notified) + 1 :]
    response = next((e for e in after if _transition_flag(regime, e.action, "responds")), None)
    period = days_text(case, regime, hearing_period(regime), "de kennisgeving van die brief")
    return {
        "notified_on": letter_date(notified.at),
        "period_text": period["text"] if period else "",
        "response_on": letter_date(response.at) if response else None,
        "response": response.comment if response else None,
        "attachments": list(response.files) if response else [],
        "answer": (case.proposal.considerations.get("hearing") if case.proposal else None) or None,
    }


def objection_context(case: CaseRecord, regime: Regime) -> dict[str, Any] | None:
    """The latest objection of the case: when it was lodged, what it argues, and the decision it contests
    (the latest decision before it: in the contested case's history for an objection case of its own)."""
    lodged = next((e for e in reversed(case.events) if _transition_flag(regime, e.action, "objects")), None)
    if lodged is None:
        return None
    before = (*case.contested_events, *case.events[: case.events.index(lodged)])
    decided = next((e for e in reversed(before) if _transition_flag(regime, e.action, "decides")), None)
    return {
        "lodged_on": letter_date(lodged.at),
        "text": lodged.comment or "",
        "contested": _contested_decision(case, regime, decided) if decided else None,
    }


def _contested_decision(case: CaseRecord, regime: Regime, decided: EventRecord) -> dict[str, str | None]:
    """The decision an objection contests: its date, the title of its letter, and the reference of its case
    when the objection is a case of its own (None: the letter's own reference)."""
    transition = regime.transition(decided.action)
    letter = transition.letter if transition is not None else None
    return {
        "reference": case.contested_reference,
        "on": letter_date(decided.at),
        "title": regime.letter(letter).title.nl if letter else "",
    }


def advice_context(case: CaseRecord, regime: Regime) -> list[dict[str, Any]]:
    answer = (case.proposal.considerations.get("advice") if case.proposal else None) or None
    return [
        {"on": letter_date(e.at), "text": e.comment or "", "answer": answer}
        for e in case.events
        if _transition_flag(regime, e.action, "advises")
    ]


def _transition_flag(regime: Regime, action: str, flag: str) -> bool:
    transition: Transition | None = regime.transition(action)
    return bool(transition is not None and getattr(transition, flag))


# -- the decision ----------------------------------------------------------------------------------


def decision_context(case: CaseRecord, regime: Regime) -> dict[str, Any] | None:
    if case.proposal is None:
        return None
    outcome = regime.outcome(case.proposal.outcome)
    requested = regime.volume(case.answers) if regime.volume else None
    granted = case.proposal.volume if case.proposal.volume is not None else requested
    start = renewal_starts(case)
    end, duration_text, duration_is_law = _duration(case, regime, start) if outcome.grants else (None, "", True)
    return {
        "outcome": outcome.code,
        "outcome_label": outcome.label.nl,
        "volume_requested": nl_number(requested),
        "volume_granted": nl_number(granted) if outcome.grants else "—",
        "unit": regime.volume_unit.nl,
        "start_date": letter_date_of(start),
        "end_date": letter_date_of(end) if end else None,
        "duration_text": duration_text,
        "duration_is_law": duration_is_law,
    }


def renewal_starts(case: CaseRecord) -> date:
    """The first day of the recognition the decision grants: its day, or for a renewal the day after the
    renewed recognition ends, if that is later (the rule services/renewals.term_starts keeps)."""
    decided = local_date(case.issued_at)
    if case.renewal_of_ends_on is None:
        return decided
    return max(decided, case.renewal_of_ends_on + timedelta(days=1))


def renewal_context(case: CaseRecord, regime: Regime) -> dict[str, Any] | None:
    """A renewal's letters say so: the recognition it renews, until when that runs, and the rule it rests on
    (the administration's own: the law on renewal was not found)."""
    if case.renewal_of is None:
        return None
    window = parameter_of(regime, regime.renewal.window) if regime.renewal else None
    ends, starts = case.renewal_of_ends_on, renewal_starts(case)
    return {
        "reference": case.renewal_of,
        "ends_on": letter_date_of(ends) if ends else None,
        "starts_on": letter_date_of(starts),
        "rule": own_rule_phrase(window) if window is not None and not window.is_law else "",
        # Issued after the current recognition's last day: the letter speaks of it in the past tense.
        "ended": ends is not None and local_date(case.issued_at) > ends,
        # Decided later than the day after that last day: the renewed term starts on the decision's day (a
        # recognition does not start in the past), so the days in between are not covered; the letter says so.
        "gap": ends is not None and starts > ends + timedelta(days=1),
        "gap_from": letter_date_of(ends + timedelta(days=1)) if ends else None,
        "gap_until": letter_date_of(starts - timedelta(days=1)),
    }


def _duration(case: CaseRecord, regime: Regime, start: date) -> tuple[date | None, str, bool]:
    parameter = parameter_of(regime, regime.duration) if regime.duration else None
    years = pinned(case, regime, regime.duration) if regime.duration else None
    if parameter is None or years is None:
        return None, "De erkenning geldt voor onbepaalde duur.", True
    end = add_years(start, int(years)) - timedelta(days=1)
    text = f"De erkenning geldt voor {years} jaar, tot en met {letter_date_of(end)}"
    if parameter.is_law:
        return end, text + ".", True
    return end, text + f". Die duur is {own_rule_phrase(parameter)}; ze steunt niet op een gekend artikel.", False


def decides_objection(regime: Regime, kind: str) -> bool:
    """Whether the letter decides an objection: issued by a decision on a proposal made while one is handled."""
    lodged = {t.target for t in regime.transitions if t.objects}
    proposed = {t.proposes for t in regime.transitions if t.proposes and set(t.sources) & lodged}
    return any(t.letter == kind and t.decides and t.confirms in proposed for t in regime.transitions)


def offers_objection(case: CaseRecord, regime: Regime, kind: str) -> bool:
    """A decision offers an objection where the administration provides one; its decision on an objection
    offers no further one (only the appeal to the Raad van State remains)."""
    return bool(pinned(case, regime, "objection_enabled")) and not decides_objection(regime, kind)


def remedies_context(case: CaseRecord, regime: Regime, kind: str) -> dict[str, Any]:
    appeal = pinned(case, regime, "council_of_state_appeal_days") or 60
    objection = None
    if offers_objection(case, regime, kind):
        days = pinned(case, regime, "objection_days")
        body = pinned(case, regime, "objection_body") or "de administratie die deze beslissing nam"
        address = pinned(case, regime, "objection_address") or ", ".join(SENDER_FALLBACK_ADDRESS)
        form = pinned(case, regime, "objection_form") or "een gemotiveerd en ondertekend bezwaarschrift"
        rule = parameter_of(regime, "objection_days")
        own = f" Die termijn is {own_rule_phrase(rule)}." if rule is not None and not rule.is_law else ""
        enabled = parameter_of(regime, "objection_enabled")
        if enabled is not None and not enabled.is_law:  # no law provides for it: it cannot stop the appeal's term
            own += (
                " Dit bezwaar is een regel die de administratie zelf hanteert; geen regelgeving voorziet erin. Het "
                f"schorst daarom de termijn van {appeal} dagen voor een beroep bij de Raad van State niet: die "
                "termijn loopt vanaf de kennisgeving van deze beslissing, ook als u bezwaar indient."
            )
        objection = {
            "days": days,
            "body": body,
            "form": form,
            "address": address,
            "text": f"U kunt bezwaar indienen bij {body}, binnen {days} dagen na de kennisgeving van deze "
            f"beslissing, met {form}, gericht aan {address}. U kunt dat ook in ldapply doen.{own}",
        }
    council = (
        "U kunt tegen deze beslissing een beroep tot nietigverklaring instellen bij de Raad van State, binnen "
        f"{appeal} dagen na de kennisgeving ervan. U doet dat met een ondertekend verzoekschrift, aangetekend "
        "verstuurd naar de Raad van State, Wetenschapsstraat 33, 1040 Brussel, of via de elektronische procedure "
        "van de Raad van State."
    )
    return {"objection": objection, "council_of_state": {"days": appeal, "text": council}}


SENDER_FALLBACK_ADDRESS = ("Havenlaan 88", "1000 Brussel")


def legal_basis_context(regime: Regime) -> list[dict[str, Any]]:
    return [
        {"citation": basis.citation("nl"), "articles_known": basis.articles is not None} for basis in regime.legal_basis
    ]


def acknowledges(regime: Regime, kind: str) -> str | None:
    """Whether the letter acknowledges what the applicant handed in: "submission" (the receipt, issued by the
    submission itself) or "additions" (issued by a hand-in of additions); None for other letters."""
    moves = [t for t in regime.transitions if t.letter == kind]
    if any(t.submits for t in moves):
        return "submission"
    if any(t.hands_in for t in moves):
        return "additions"
    return None


def sections_context(case: CaseRecord, regime: Regime, only: set[str] | None = None) -> list[dict[str, Any]]:
    """The answers as shown, per step; with `only`, just those answers (the ones a hand-in changed)."""
    sections = []
    for step in regime.visible_steps(case.answers):
        rows = [
            {"label": label, "value": _letter_value(field, case.answers.get(field.name), value)}
            for field, (label, value) in zip(
                step.visible_fields(case.answers), step_rows(step, case.answers), strict=True
            )
            if only is None or field.name in only
        ]
        if rows:
            sections.append({"title": step.title.nl, "rows": rows})
    return sections


def _letter_value(field: Field, answer: Any, shown: str) -> str:
    """An answer as a letter writes it: a date in words ("1 februari 2026"), anything else as on the pages."""
    if field.kind is FieldKind.DATE and isinstance(answer, str):
        try:
            return letter_date_of(date.fromisoformat(answer[:10]))
        except ValueError:
            return shown
    return shown


def attachments_context(case: CaseRecord, regime: Regime, only: set[str] | None = None) -> list[dict[str, Any]]:
    """Every file among the answers (`services.answers.attachments`: in the order of the steps and their
    fields, a field with several once per file, a repeating group once per row), as handed in: label, name,
    SHA-256 and size. With `only`, the files of those answers."""
    return [
        _attachment(item.label.nl, item.reference)
        for item in attachments(case.answers, regime)
        if only is None or item.answer in only
    ]


def _attachment(label: str, reference: Mapping[str, Any]) -> dict[str, Any]:
    size = reference.get("size")
    return {
        "label": label,
        "filename": str(reference.get("filename") or ""),
        "sha256": str(reference.get("sha256") or ""),
        "size": formatting.filesize(size) if isinstance(size, int) else "",
    }


def handed_in_context(case: CaseRecord, regime: Regime, kind: str) -> dict[str, Any]:
    """What a letter that acknowledges a hand-in lists: the answers as submitted (a receipt), or only those
    the additions changed (a receipt of additions); the files among them; the moment (the letter is issued
    by the move itself, so its time is the time of handing in)."""
    handed = acknowledges(regime, kind)
    if handed is None:
        return {"sections": [], "submitted_at": None, "attachments": []}
    only = set(case.items) if handed == "additions" else None
    return {
        "sections": sections_context(case, regime, only),
        "submitted_at": letter_moment(case.issued_at),
        "attachments": attachments_context(case, regime, only),
    }


def letter_moment(moment: datetime) -> str:
    """A date and time as a letter writes them, Brussels time: 3 november 2026 om 14.05 uur (Belgische tijd)."""
    return f"{letter_date(moment)} om {local(moment):%H.%M} uur (Belgische tijd)"


def formatted_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# -- the whole -------------------------------------------------------------------------------------


def build_context(case: CaseRecord, regime: Regime, kind: str, sender: Sender) -> dict[str, Any]:
    """The frozen context of one letter: plain, JSON-safe data only."""
    spec = regime.letter(kind)
    decision = spec.is_decision
    return {
        "schema": SCHEMA,
        "kind": kind,
        "title": spec.title.nl + (" (verlenging van een erkenning)" if case.renewal_of is not None else ""),
        "is_decision": decision,
        "reference": case.reference,
        "date": letter_date(case.issued_at),
        "submitted_on": letter_date_of(case.submitted_on) if case.submitted_on else None,
        "call": dict(case.call) if case.call else None,
        "sender": {
            "authority": sender.authority,
            "department": sender.department,
            "unit": sender.unit,
            "address": list(sender.address),
            "email": sender.email,
            "website": sender.website,
        },
        "contact": {"name": case.contact.name, "email": case.contact.email} if case.contact else None,
        "organisation": {
            "name": case.organisation_name,
            "enterprise_number": formatting.enterprise_number(case.enterprise_number),
            "address": list(case.organisation_address),
        },
        "regime": period_context(regime, case.started_on),
        "legal_basis": legal_basis_context(regime),
        "own_rules": own_rules_context(case, regime, kind),
        "procedure": procedure_context(case, regime),
        "hearing": hearing_context(case, regime),
        "objection": objection_context(case, regime),
        "renewal": renewal_context(case, regime),
        "advice": advice_context(case, regime),
        "message": case.message,
        "motivation": case.proposal.motivation if decision and case.proposal else "",
        "conditions": conditions_context(case, regime) if rests_on_conditions(regime, kind) else [],
        "decision": decision_context(case, regime) if decision else None,
        "deadlines": deadlines_context(case, regime),
        "remedies": remedies_context(case, regime, kind),
        "signatory": {
            "name": case.signatory.name,
            "function": case.signatory.function,
            "delegation": case.signatory.delegation,
            "delegation_found": case.signatory.delegation_found,
        },
        "verification": {"code": formatted_code(case.verification_code), "url": sender.verify_url},
        "answers": _plain(dict(case.answers)),
        **handed_in_context(case, regime, kind),
        "additions_request": additions_request_context(case, regime, kind),
        "information_request": information_request_context(case, regime, kind),
        "parameters": {
            p.name: {"value": _plain(pinned(case, regime, p.name)), "unit": p.unit, "provenance": str(p.provenance)}
            for p in regime.parameters
        },
    }


def rests_on_conditions(regime: Regime, kind: str) -> bool:
    """A letter lists the legal conditions when it comes out of their assessment: issued, or its decision
    proposed, where reviewers judge the conditions (a grant or refusal, an intended refusal); a
    suspension or a receipt does not."""
    return any(prepared_in_assessment(regime, t) for t in regime.transitions if t.letter == kind)


def prepared_in_assessment(regime: Regime, transition: Transition) -> bool:
    """Whether the move (or the proposal it decides on) is made where reviewers judge the conditions."""
    outcome = transition.confirms if transition.decides else None
    prepared = [t for t in regime.transitions if outcome is not None and t.proposes == outcome]
    return any(regime.state(source).assessable for move in prepared or [transition] for source in move.sources)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


# -- what the decision relies on, and what a judge would catch ---------------------------------------


def reliances(case: CaseRecord, regime: Regime, kind: str) -> list[tuple[str, str, str]]:
    """(kind, name, provenance) of every parameter and citation not found in the law that the letter
    relies on: the legal-uncertainty ledger's rows for this decision."""
    names = {name for _subject, name in rule_parameters(case, regime, kind)}
    if case.renewal_of is not None and regime.renewal is not None and regime.letter(kind).is_decision:
        names.add(regime.renewal.window)  # a renewal's decision rests on the renewal rule too
    if hearing_context(case, regime) is not None:
        names.add(hearing_period(regime) or "")
    rows = [("parameter", p.name, str(p.provenance)) for p in regime.parameters if p.name in names and not p.is_law]
    if rests_on_conditions(regime, kind):
        bases = [(c.code, condition_basis(c, case)) for c in regime.conditions]
        rows += [("citation", code, str(basis.provenance)) for code, basis in bases if not basis.is_law]
    if regime.in_force.provenance is not Provenance.FOUND:
        rows.append(("citation", "in_force", str(regime.in_force.provenance)))
    return rows


ARTICLE = re.compile(r"\bart(?:ikel|\.)\s*(\d+(?:bis|ter)?)", re.IGNORECASE)


def found_articles(regime: Regime) -> set[str]:
    """Article numbers the regime's found sources cite; anything else cited as an article is not law."""
    texts = [b.articles or "" for b in regime.legal_basis] + [c.basis.text for c in regime.conditions if c.basis.is_law]
    return {m.lower() for text in texts for m in ARTICLE.findall(text)}
