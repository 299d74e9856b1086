"""The assessment against a regime's legal conditions: findings from the answers, reviewer verdicts,
and the facts that transition guards decide on."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..clock import add_years, local_date
from ..extensions import db
from ..i18n import _, text
from ..models import Application, ConditionVerdict, DecisionProposal, ProposalStatus, User, utcnow
from ..workflows._spec import Condition, Facts, Finding, Regime, Role, Verdict
from . import audit
from .answers import handed_in
from .errors import ChangedMeanwhile, TransitionNotAllowed
from .memo import per_request
from .motivation import MIN_REASON_WORDS, concerns_every_application, met_without_norm, norm_unset, substantive
from .parameter_changes import in_effect
from .regimes import regime_of


@dataclass(frozen=True)
class ConditionRow:
    """One line of the reviewer's checklist."""

    condition: Condition
    finding: Finding | None
    verdict: ConditionVerdict | None
    norm_unset: bool = False  # its norm is not set: "met" needs a reason too


def parameters_of(application: Application) -> dict[str, Any]:
    """The parameter values the application was filed under; the current ones for a draft."""
    return (
        dict(application.parameters)
        if application.parameters is not None
        else in_effect(regime_of(application)).parameter_values()
    )


@per_request
def verdicts_of(application_id: uuid.UUID) -> dict[str, ConditionVerdict]:
    rows = db.session.scalars(_verdicts_query(), {"application_id": application_id})
    return {row.condition_code: row for row in rows}


@functools.cache
def _verdicts_query() -> Select[ConditionVerdict]:
    return select(ConditionVerdict).where(ConditionVerdict.application_id == bindparam("application_id"))


def judged_not_met(application: Application) -> list[str]:
    """The conditions a refusal rests on: those judged not met ("not applicable" founds no refusal)."""
    return [code for code, v in verdicts_of(application.id).items() if v.verdict == Verdict.NOT_MET]


def checklist(application: Application) -> list[ConditionRow]:
    regime = regime_of(application)
    params, verdicts = parameters_of(application), verdicts_of(application.id)
    return [
        ConditionRow(
            c,
            c.check(handed_in(application), params) if c.check else None,
            verdicts.get(c.code),
            norm_unset(c, params),
        )
        for c in regime.conditions
    ]


def facts_for(application: Application) -> Facts:
    regime = regime_of(application)
    params, answers = parameters_of(application), handed_in(application)  # not edits before they are handed in
    return Facts(
        answers=answers,
        parameters=params,
        verdicts={code: Verdict(v.verdict) for code, v in verdicts_of(application.id).items()},
        conditions=tuple(c.code for c in regime.conditions),
        blocking=tuple(c.code for c in regime.conditions if _blocks(c, answers, params)),
        # Only a recognition held has a term to run out (read only then: every case view asks for the facts).
        recognised_until=recognised_until(application, regime, params)
        if regime.state(application.state).holds_recognition
        else None,
        today=local_date(utcnow()),
    )


def recognised_until(application: Application, regime: Regime, params: Mapping[str, Any]) -> date | None:
    """The last day of the recognition last granted: its decision date plus the regime's duration; for a
    renewal, the day kept at its grant (its term starts when the renewed one ends, not at the decision)."""
    if application.renewal_of_id is not None and application.recognition_ends_on is not None:
        return application.recognition_ends_on
    years = params.get(regime.duration) if regime.duration else None
    decided = _last_granted_at(application.id, tuple(o.code for o in regime.outcomes if o.grants))
    if decided is None or years is None:
        return None
    return add_years(local_date(decided), int(years)) - timedelta(days=1)


@per_request
def _last_granted_at(application_id: uuid.UUID, granting: tuple[str, ...]) -> datetime | None:
    return db.session.scalar(
        select(DecisionProposal.settled_at)
        .where(
            DecisionProposal.application_id == application_id,
            DecisionProposal.status == ProposalStatus.CONFIRMED,
            DecisionProposal.outcome.in_(granting),
        )
        .order_by(DecisionProposal.settled_at.desc())
        .limit(1)
    )


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


Judgement = tuple[Verdict, str | None, str | None]  # the verdict, the reason for the letter, an internal note


class VerdictsChangedMeanwhile(ChangedMeanwhile):
    """A checklist saved from a page older than a colleague's change of one of its verdicts."""

    def __init__(self, changed: list[ConditionVerdict], regime: Regime) -> None:
        super().__init__()
        self.codes = [row.condition_code for row in changed]
        names = ", ".join(
            f"„{text(regime.condition(row.condition_code).title)}” ({row.assessed_by.name})" for row in changed
        )
        self.message = _(
            "Intussen gewijzigd door een collega: het oordeel over %(conditions)s. Er werd niets bewaard. "
            "Bij die voorwaarden ziet u het oordeel van uw collega, met uw eigen invoer ernaast; bij de andere "
            "staat wat u invulde. Bekijk ze en bewaar opnieuw.",
            conditions=names,
        )
        self.args = (self.message,)


def record_verdicts(
    *,
    application: Application,
    actor: User,
    verdicts: Mapping[str, Judgement],
    seen: Mapping[str, int] | None = None,
) -> int:
    """Store the reviewer's verdict per condition (met, not met or not applicable, a reason for the
    letter, an internal note); returns how many changed. Nothing is stored when one verdict is refused.
    Every changed verdict gets an audit entry with its old and new values.

    `seen` holds, per condition, the version of its verdict on the page the reviewer saved from (0: none
    was shown); a condition without one is not checked. A verdict a colleague changed since that page is
    never overwritten: the whole save is refused (VerdictsChangedMeanwhile), unless it keeps that verdict
    as it now stands.

    Raises TransitionNotAllowed when the actor may not assess this application now, when a decisive
    condition is judged met or not applicable against its automatic finding, when a verdict departs
    from the automatic finding without a reason, or when "not applicable" has none; ChangedMeanwhile
    when a colleague saved a verdict at the same moment.
    """
    if not may_assess(application, actor):
        raise TransitionNotAllowed(_("U kunt de voorwaarden van deze aanvraag nu niet beoordelen."))
    regime = regime_of(application)
    params = parameters_of(application)
    problems = [
        problem
        for code, (verdict, reason, _note) in verdicts.items()
        if (problem := verdict_problem(regime.condition(code), verdict, reason, handed_in(application), params))
    ]
    if problems:
        raise TransitionNotAllowed(" ".join(problems))
    existing = verdicts_of(application.id)
    stale = [row for code, row in existing.items() if _overwrites_unseen(row, verdicts.get(code), seen or {})]
    if stale:
        raise VerdictsChangedMeanwhile(stale, regime)
    changes: list[tuple[str, Judgement | None, Judgement]] = []
    for code, (verdict, reason, note) in verdicts.items():
        row = existing.get(code)
        before = _stored(row) if row is not None else None
        if before == (verdict, reason, note):
            continue
        row = row or ConditionVerdict(application_id=application.id, condition_code=code, assessed_by_id=actor.id)
        row.verdict, row.reason, row.note = str(verdict), reason, note
        row.assessed_by_id, row.assessed_at = actor.id, utcnow()
        db.session.add(row)
        changes.append((code, before, (verdict, reason, note)))
    try:
        db.session.flush()  # an UPDATE carries the version it read: a colleague's save in between makes it stale
    except (IntegrityError, StaleDataError):  # a colleague saved the same verdict first, at the same moment
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


def _stored(row: ConditionVerdict) -> Judgement:
    return Verdict(row.verdict), row.reason, row.note


def _overwrites_unseen(row: ConditionVerdict, judgement: Judgement | None, seen: Mapping[str, int]) -> bool:
    """Whether saving `judgement` would replace a version of this verdict the reviewer's page did not show."""
    shown = seen.get(row.condition_code, row.version)
    return judgement is not None and shown != row.version and judgement != _stored(row)


def _judgement(judgement: Judgement | None) -> dict[str, Any] | None:
    """A verdict as the audit trail keeps it (the internal note too: the trail is internal). Entries made
    before "not applicable" existed hold {"met": true/false} instead of "verdict" (case_work reads both)."""
    if judgement is None:
        return None
    verdict, reason, note = judgement
    return {"verdict": str(verdict), "reason": reason, "note": note}


def verdict_problem(
    condition: Condition, verdict: Verdict, reason: str | None, answers: Any, params: Any
) -> str | None:
    """Why a reviewer's verdict on one condition cannot be recorded for these answers, or None."""
    finding = condition.check(answers, params) if condition.check else None
    if verdict == Verdict.NOT_APPLICABLE:
        return _not_applicable_problem(condition, reason, answers, params)
    if verdict == Verdict.MET and _blocks(condition, answers, params):
        return _(
            "„%(condition)s” is doorslaggevend: zolang de aanvraag toont dat ze niet vervuld is, kan ze niet als "
            "vervuld beoordeeld worden. Vraag een aanvulling of beoordeel ze als niet vervuld.",
            condition=text(condition.title),
        )
    if verdict == Verdict.MET and norm_unset(condition, params) and not substantive(reason):
        return met_without_norm(text(condition.title))
    if finding is not None and finding.met != (verdict == Verdict.MET) and not substantive(reason):
        return _(
            "Uw oordeel over „%(condition)s” wijkt af van de vaststelling uit de aanvraag. Geef de reden "
            "(minstens %(words)s woorden); die komt in de brief.",
            condition=text(condition.title),
            words=MIN_REASON_WORDS,
        )
    return None


def _not_applicable_problem(condition: Condition, reason: str | None, answers: Any, params: Any) -> str | None:
    """A verdict "not applicable" only where the condition's terms allow it, always saying why in the letter; a
    decisive condition the application shows unmet applies to it (it blocks a grant whatever the reviewer judges:
    Facts.all_conditions_met)."""
    if condition.inapplicable_when is None:
        return concerns_every_application(text(condition.title))
    if _blocks(condition, answers, params):
        return _(
            "„%(condition)s” is doorslaggevend en volgens de aanvraag niet vervuld: ze is dus wel van toepassing. "
            "Vraag een aanvulling of beoordeel ze als niet vervuld.",
            condition=text(condition.title),
        )
    if not substantive(reason):
        return _(
            "Geef bij „%(condition)s” de reden waarom deze voorwaarde niet van toepassing is op deze aanvraag "
            "(minstens %(words)s woorden); die komt in de brief.",
            condition=text(condition.title),
            words=MIN_REASON_WORDS,
        )
    return None
