"""The back office's work queue: submitted cases, filtered, sorted and paged."""

from __future__ import annotations

from sqlalchemy import and_, false, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..models import Application, User
from ..workflows import REGIMES
from ..workflows._spec import Party, Role
from .staff import require_staff

QUEUE_LIMIT = 200


# Reviewers register the advice they asked for until outside advisors have accounts of their own.
PARTIES_OF_ROLE = {
    Role.REVIEWER: frozenset({Party.REVIEWER, Party.ADVISOR}),
    Role.DECISION_MAKER: frozenset({Party.DECISION_MAKER}),
    Role.ADMIN: frozenset({Party.ADMIN}),
}


def parties_for(user: User) -> frozenset[Party]:
    """Whose-move values that mean 'this user's move'."""
    return frozenset().union(*(PARTIES_OF_ROLE.get(Role(role), frozenset()) for role in user.roles))


def _states_where(parties: frozenset[Party]) -> ColumnElement[bool]:
    clauses = []
    for regime in REGIMES.values():
        states = [s.code for s in regime.states if s.whose_move in parties]
        if states:
            clauses.append(and_(Application.regime_code == regime.code, Application.state.in_(states)))
    return or_(*clauses) if clauses else false()


def _submitted() -> ColumnElement[bool]:
    """Only what was handed in reaches the back office: a draft, withdrawn or not, is the applicant's own."""
    return Application.submitted_at.is_not(None)


def queue(user: User, *, only_my_move: bool) -> list[Application]:
    """Submitted applications, oldest first; with `only_my_move`, those waiting on this user's role."""
    require_staff(user)
    condition = and_(_submitted(), _states_where(parties_for(user))) if only_my_move else _submitted()
    return list(
        db.session.scalars(
            select(Application).where(condition).order_by(Application.submitted_at, Application.id).limit(QUEUE_LIMIT)
        )
    )
