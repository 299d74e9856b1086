"""Periods that end by themselves: when a state's deadline passes and the regime declares what then
happens (a hearing period ends without a response), ldapply makes that move itself."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import and_, or_, select

from ..extensions import db
from ..models import Application
from ..workflows import REGIMES
from .backoffice import deadline_of
from .errors import ChangedMeanwhile, TransitionNotAllowed
from .regimes import regime_of
from .transitions import apply_transition

log = logging.getLogger(__name__)


def end_lapsed_periods(now: datetime) -> int:
    """Apply the automatic move of every application whose state's period ended before `now`;
    returns how many moved. A case someone moved meanwhile is left to them."""
    moved = 0
    for application in _waiting_on_a_deadline():
        state = regime_of(application).state(application.state)
        deadline = deadline_of(application)
        if state.on_deadline is None or deadline is None or deadline.due is None:
            continue
        if deadline.due > now:
            continue
        moved += make_automatic_move(application, state.on_deadline)
    return moved


def make_automatic_move(application: Application, action: str) -> int:
    """Make ldapply's own move `action` (committed with whatever the caller changed before it); 1 when it
    moved, 0 when it did not. A case someone moved meanwhile (the optimistic lock), or that is no longer
    where the move starts (an earlier run), is left as it is: running twice moves once."""
    try:
        apply_transition(application=application, action=action, actor=None)
    except (ChangedMeanwhile, TransitionNotAllowed) as exc:
        db.session.rollback()
        log.info("%s of %s not made: %s", action, application.reference, exc)
        return 0
    except Exception:  # one broken case must not stop the others; it is logged and tried next run
        db.session.rollback()
        log.exception("%s of %s could not be made", action, application.reference)
        return 0
    return 1


def _waiting_on_a_deadline() -> list[Application]:
    clauses = [
        and_(Application.regime_code == regime.code, Application.state.in_(states))
        for regime in REGIMES.values()
        if (states := [s.code for s in regime.states if s.on_deadline])
    ]
    if not clauses:
        return []
    # Cases waiting longest first (their latest move is oldest), so no case waits behind others forever.
    return list(
        db.session.scalars(select(Application).where(or_(*clauses)).order_by(Application.updated_at, Application.id))
    )
