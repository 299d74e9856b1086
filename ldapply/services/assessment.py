"""The assessment against a regime's legal conditions: findings from the answers, reviewer verdicts,
and the facts that transition guards decide on."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import Application, ConditionVerdict, User, utcnow
from ..workflows._spec import Condition, Facts, Finding, Role
from .errors import TransitionNotAllowed
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
        ConditionRow(c, c.check(application.answers, params) if c.check else None, verdicts.get(c.code))
        for c in regime.conditions
    ]


def facts_for(application: Application) -> Facts:
    regime = regime_of(application)
    return Facts(
        answers=application.answers,
        parameters=parameters_of(application),
        verdicts={code: v.met for code, v in verdicts_of(application.id).items()},
        conditions=tuple(c.code for c in regime.conditions),
    )


def may_assess(application: Application, user: User) -> bool:
    """Reviewers judge the conditions only in the states the regime marks as assessable."""
    return Role.REVIEWER in user.roles and regime_of(application).state(application.state).assessable


def record_verdicts(*, application: Application, actor: User, verdicts: Mapping[str, tuple[bool, str | None]]) -> int:
    """Store the reviewer's verdict per condition (met or not, with a note); returns how many changed.

    Raises TransitionNotAllowed when the actor may not assess this application now.
    """
    if not may_assess(application, actor):
        raise TransitionNotAllowed("U kunt de voorwaarden van deze aanvraag nu niet beoordelen.")
    regime = regime_of(application)
    existing = verdicts_of(application.id)
    changed = 0
    for code, (met, note) in verdicts.items():
        regime.condition(code)  # only the regime's own conditions
        row = existing.get(code) or ConditionVerdict(
            application_id=application.id, condition_code=code, met=met, assessed_by_id=actor.id
        )
        if row.met != met or row.note != note or row not in db.session:
            row.met, row.note, row.assessed_by_id, row.assessed_at = met, note, actor.id, utcnow()
            db.session.add(row)
            changed += 1
    db.session.commit()
    return changed


def condition_context(application: Application) -> list[dict[str, Any]]:
    """The conditions as plain data for a letter: title, article, verdict and note."""
    return [
        {
            "title": row.condition.title.nl,
            "article": row.condition.article,
            "met": row.verdict.met if row.verdict else None,
            "note": row.verdict.note if row.verdict else None,
            "finding": row.finding.text.nl if row.finding else None,
        }
        for row in checklist(application)
    ]
