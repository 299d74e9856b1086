"""Hand tasks to the broker only after the transaction that needs them has committed.

A failed hand-off loses nothing: the rows stay pending and the periodic sweeper dispatches them again.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db

log = logging.getLogger(__name__)
_PENDING_KEY = "ldapply_after_commit"


def enqueue_after_commit(task_name: str, *args: str) -> None:
    """Queue `task_name(*args)` once the current transaction commits; forget it on rollback."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback, even of an otherwise empty transaction, discards it
    session.info.setdefault(_PENDING_KEY, []).append((task_name, args))


def send_task(task_name: str, *args: str) -> bool:
    """Send now; return False instead of raising when the broker cannot be reached."""
    celery = current_app.extensions["celery"]
    try:
        celery.send_task(task_name, args=list(args), retry=False)
    except Exception:  # any broker failure: the sweeper will dispatch again
        log.warning("could not hand %s%r to the broker; the sweeper will retry", task_name, args, exc_info=True)
        return False
    return True


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    for task_name, args in session.info.pop(_PENDING_KEY, []):
        send_task(task_name, *args)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, _previous_transaction: Any) -> None:
    session.info.pop(_PENDING_KEY, None)
