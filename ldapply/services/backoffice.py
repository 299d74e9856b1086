"""The current step's own period: a hearing's response period, the time to hand in additions.

The periods a legal clock keeps (the admissibility check, the decision) are not counted here: the clock
gives them their due date without restarting on every entry into a state (services/legal_clock.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select

from ..clock import LOCAL_ZONE, local_date
from ..extensions import db
from ..models import Application, ApplicationEvent
from ..workflows._spec import Parameter
from .assessment import parameters_of
from .regimes import regime_of


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
    """The current state's own deadline, counted from when the case entered it; None where it has none or
    where a legal clock keeps that period (the clock's due date is the one shown). `events` as for `entered_at`."""
    regime = regime_of(application)
    state = regime.state(application.state)
    if state.deadline is None or state.deadline in {clock.parameter for clock in regime.clocks}:
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
