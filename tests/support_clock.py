"""Helpers for the legal clock's tests: days in Brussels time, a case's history moved back in time, and
moves replayed on chosen days through the clock's own service (`now` passed, no clock patched)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from flask import Flask
from sqlalchemy import select

from ldapply.clock import LOCAL_ZONE, MONTHS_NL, local_date, utcnow
from ldapply.extensions import db
from ldapply.models import Application, ApplicationEvent
from ldapply.services import legal_clock
from ldapply.services.regimes import regime_of


def today() -> date:
    return local_date(utcnow())


def noon(day: date) -> datetime:
    """Midday in Brussels on `day`: a moment that is that day whatever the season."""
    return datetime.combine(day, time(12), tzinfo=LOCAL_ZONE)


def dutch(day: date) -> str:
    """A date as the Dutch pages write it: 19 maart 2026."""
    return f"{day.day} {MONTHS_NL[day.month - 1]} {day.year}"


def date_history(app: Flask, application_id: uuid.UUID, days: Sequence[date]) -> None:
    """Move the case's events, oldest first, to midday of `days` (as if it had been handled then)."""
    with app.app_context():
        events = list(
            db.session.scalars(
                select(ApplicationEvent)
                .where(ApplicationEvent.application_id == application_id)
                .order_by(ApplicationEvent.created_at, ApplicationEvent.id)
            )
        )
        assert len(events) == len(days), [e.action for e in events]
        for event, day in zip(events, days, strict=True):
            event.created_at = noon(day)
        db.session.commit()


def moved_on(app: Flask, application_id: uuid.UUID, moves: Sequence[tuple[str, date]]) -> None:
    """The case's clocks as if it had made `moves` (action, day), from no clock at all: each move's target
    state entered and the clock service told the day (`legal_clock.on_move` with its `now`). The last
    move must leave the case in the state it is in."""
    with app.app_context():
        application = db.session.get_one(Application, application_id)
        regime = regime_of(application)
        actual = application.state
        application.clocks = {}
        for action, day in moves:
            transition = regime.transition(action)
            assert transition is not None, action
            application.state = transition.target
            legal_clock.on_move(application, regime, transition, noon(day))
        assert application.state == actual
        db.session.commit()


def due_on(app: Flask, application_id: uuid.UUID) -> date | None:
    with app.app_context():
        return db.session.get_one(Application, application_id).due_on


def days_later(day: date, days: int) -> date:
    return day + timedelta(days=days)
