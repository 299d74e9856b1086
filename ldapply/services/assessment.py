"""The assessment against a regime's legal conditions: findings from the answers, reviewer verdicts,
and the facts that transition guards decide on."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..clock import add_years, local_date
from ..extensions import db
from ..i18n import _, text
from ..models import Application, ConditionVerdict, DecisionProposal, ProposalStatus, User, utcnow
from ..workflows._spec import Condition, Facts, Finding, Regime, Role
from . import audit
from .answers import handed_in
from .errors import ChangedMeanwhile, TransitionNotAllowed
from .motivation import MIN_REASON_WORDS, substantive
from .regimes import regime_of


@dataclass(frozen=True)
class ConditionRow:
    """One line of the reviewer's checklist."""

    condition: Condition
    finding: Finding | None
    verdict: ConditionVerdict | None


def parameters_of(application: Application) -> dict[str, Any]:
    """The parameter values the application was filed under; the current ones for a draft."""
    return (
        dict(application.parameters)
        if application.parameters is not None
        else regime_of(application).parameter_values()
    )


def verdicts_of(application_id: uuid.UUID) -> dict[str, ConditionVerdict]:
    rows = db.session.scalars(select(ConditionVerdict).where(ConditionVerdict.application_id == application_id))
    return {row.condition_code: row for row in rows}


def checklist(application: Application) -> list[ConditionRow]:
    regime = regime_of(application)
    params, verdicts = parameters_of(application), verdicts_of(application.id)
    return [
        ConditionRow(c, c.check(handed_in(application), params) if c.check else None, verdicts.get(c.code))
        for c in regime.conditions
    ]


def facts_for(application: Application) -> Facts:
    regime = regime_of(application)
    params, answers = parameters_of(application), handed_in(application)  # not edits before they are handed in
    return Facts(
        answers=answers,
        parameters=params,
        verdicts={code: v.met for code, v in verdicts_of(application.id).items()},
        conditions=tuple(c.code for c in regime.conditions),
        blocking=tuple(c.code for c in regime.conditions if _blocks(c, answers, params)),
        recognised_until=recognised_until(application, regime, params),
        today=local_date(utcnow()),
    )


def recognised_until(application: Application, regime: Regime, params: Mapping[str, Any]) -> date | None:
    """The last day of the recognition last granted: its decision date plus the regime's duration; for a
    renewal, the day kept at its grant (its term starts when the renewed one ends, not at the decision)."""
    if application.renewal_of_id is not None and application.recognition_ends_on is not None:
        return application.recognition_ends_on
    years = params.get(regime.duration) if regime.duration else None
    granting = [o.code for o in regime.outcomes if o.grants]
    decided = db.session.scalar(
        select(DecisionProposal.settled_at)
        .where(
            DecisionProposal.application_id == application.id,
            DecisionProposal.status == ProposalStatus.CONFIRMED,
            DecisionProposal.outcome.in_(granting),
        )
        .order_by(DecisionProposal.settled_at.desc())
        .limit(1)
    )
    if decided is None or years is None:
        return None
    return add_years(local_date(decided), int(years)) - timedelta(days=1)


def _blocks(condition: Condition, answers: Any, params: Any) -> bool:
    """A decisive condition whose automatic finding says it is not met: no grant is possible."""
    if not condition.decisive or condition.check is None:
        return False
    finding = condition.check(answers, params)
    return finding is not None and not finding.met


def may_assess(application: Application, user: User) -> bool:
    """Reviewers judge the conditions only in the states the regime marks as assessable."""
    return (
        Role.REVIEWER in user.roles_for(application.regime_code)
        and regime_of(application).state(application.state).assessable
    )


Judgement = tuple[bool, str | None, str | None]  # met, the reason for the letter, an internal note


def record_verdicts(*, application: Application, actor: User, verdicts: Mapping[str, Judgement]) -> int:
    """Store the reviewer's verdict per condition (met or not, a reason for the letter, an internal
    note); returns how many changed. Nothing is stored when one verdict is refused. Every changed verdict
    gets an audit entry with its old and new values.

    Raises TransitionNotAllowed when the actor may not assess this application now, when a decisive
    condition is judged met against its automatic finding, or when a verdict departs from the
    automatic finding without a reason; ChangedMeanwhile when a colleague judged a condition for the
    first time at the same moment.
    """
    if not may_assess(application, actor):
        raise TransitionNotAllowed(_("U kunt de voorwaarden van deze aanvraag nu niet beoordelen."))
    regime = regime_of(application)
    params = parameters_of(application)
    problems = [
        problem
        for code, (met, reason, _note) in verdicts.items()
        if (problem := _verdict_problem(regime.condition(code), met, reason, handed_in(application), params))
    ]
    if problems:
        raise TransitionNotAllowed(" ".join(problems))
    existing = verdicts_of(application.id)
    changes: list[tuple[str, Judgement | None, Judgement]] = []
    for code, (met, reason, note) in verdicts.items():
        row = existing.get(code)
        before = (row.met, row.reason, row.note) if row is not None else None
        if before == (met, reason, note):
            continue
        row = row or ConditionVerdict(application_id=application.id, condition_code=code, assessed_by_id=actor.id)
        row.met, row.reason, row.note, row.assessed_by_id, row.assessed_at = met, reason, note, actor.id, utcnow()
        db.session.add(row)
        changes.append((code, before, (met, reason, note)))
    try:
        db.session.flush()
    except IntegrityError:  # a colleague judged the same condition first, at the same moment: theirs stands
        db.session.rollback()
        raise ChangedMeanwhile() from None
    for code, before, after in changes:  # last, as services/audit.py asks: a verdict overwritten keeps its history
        audit.record(
            "verdict.recorded",
            object_type="condition",
            object_id=code,
            application_id=application.id,
            old=_judgement(before),
            new=_judgement(after),
            actor=actor,
        )
    db.session.commit()
    return len(changes)


def _judgement(judgement: Judgement | None) -> dict[str, Any] | None:
    """A verdict as the audit trail keeps it (the internal note too: the trail is internal)."""
    if judgement is None:
        return None
    met, reason, note = judgement
    return {"met": met, "reason": reason, "note": note}


def _verdict_problem(condition: Condition, met: bool, reason: str | None, answers: Any, params: Any) -> str | None:
    finding = condition.check(answers, params) if condition.check else None
    if met and _blocks(condition, answers, params):
        return _(
            "„%(condition)s” is doorslaggevend: zolang de aanvraag toont dat ze niet vervuld is, kan ze niet als "
            "vervuld beoordeeld worden. Vraag een aanvulling of beoordeel ze als niet vervuld.",
            condition=text(condition.title),
        )
    if finding is not None and finding.met != met and not substantive(reason):
        return _(
            "Uw oordeel over „%(condition)s” wijkt af van de vaststelling uit de aanvraag. Geef de reden "
            "(minstens %(words)s woorden); die komt in de brief.",
            condition=text(condition.title),
            words=MIN_REASON_WORDS,
        )
    return None
