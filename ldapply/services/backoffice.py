"""The back office's reads: queues and cases, for staff only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import and_, false, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ..clock import LOCAL_ZONE, local_date
from ..extensions import db
from ..models import Application, ApplicationEvent, User
from ..workflows import REGIMES
from ..workflows._spec import Parameter, Party, Role
from .accounts import is_staff
from .assessment import parameters_of
from .errors import Forbidden, NotFound
from .regimes import regime_of

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


def get_case(user: User, application_id: uuid.UUID) -> Application:
    require_staff(user)
    application = db.session.get(Application, application_id)
    if application is None or application.submitted_at is None:
        raise NotFound()  # drafts are the applicant's own until submitted
    return application


def require_staff(user: User) -> None:
    if not is_staff(user):
        raise Forbidden()


@dataclass(frozen=True)
class Deadline:
    """When the current state's move is due, and the parameter (with its provenance) it comes from."""

    parameter: Parameter
    due: datetime | None  # None while the parameter's value is unknown or the clock stands still
    suspended: bool


def entered_at(application: Application, events: Sequence[ApplicationEvent] | None = None) -> datetime | None:
    """When the application last entered its current state. `events`, its history oldest first (as
    transitions.history gives it), when the page has read it already; else one query."""
    if events is not None:
        return next((e.created_at for e in reversed(events) if e.to_state == application.state), None)
    return db.session.scalar(
        select(ApplicationEvent.created_at)
        .where(ApplicationEvent.application_id == application.id, ApplicationEvent.to_state == application.state)
        .order_by(ApplicationEvent.created_at.desc())
        .limit(1)
    )


def deadline_of(application: Application, events: Sequence[ApplicationEvent] | None = None) -> Deadline | None:
    """The current state's deadline; `events` as for `entered_at`."""
    regime = regime_of(application)
    state = regime.state(application.state)
    if state.deadline is None:
        return None
    parameter = regime.parameter(state.deadline)
    days = parameters_of(application).get(state.deadline, parameter.value)
    entered = entered_at(application, events)
    due = end_of_day_after(entered, int(days)) if days is not None and entered is not None else None
    return Deadline(parameter=parameter, due=due, suspended=state.clock_suspended)


def end_of_day_after(moment: datetime, days: int) -> datetime:
    """ "Within N days of this letter" ends at midnight, Brussels time, at the end of day N."""
    last_day = local_date(moment) + timedelta(days=days)
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=LOCAL_ZONE)
