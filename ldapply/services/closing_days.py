"""The administration's own closing days (besides weekends and public holidays), kept by an admin.

Working-day clocks skip them. A change takes effect for the running working-day periods it reaches: their
due date is counted again at once (and each case whose due date moved gets an audit entry saying from
which date to which); what a period had used or had left before it stood still or stopped stays as it
was counted. The closing-days page says so.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..i18n import _
from ..models import ClosingDay, User
from ..workflows._spec import Role
from . import audit, legal_clock
from .errors import Forbidden, NotFound, TransitionNotAllowed

LABEL_MAX = 200


def require_admin(user: User) -> None:
    if Role.ADMIN not in user.roles:
        raise Forbidden()


def all_days() -> list[ClosingDay]:
    return list(db.session.scalars(select(ClosingDay).order_by(ClosingDay.day)))


def add_day(*, actor: User, day: date | None, label: str) -> ClosingDay:
    """Add a closing day; raises TransitionNotAllowed with the reason when the day or label is missing or
    the day is listed already. Committed here, with the running periods it reaches counted again."""
    require_admin(actor)
    label = " ".join((label or "").split())
    if day is None:
        raise TransitionNotAllowed(_("Geef de datum van de sluitingsdag op."))
    if not label:
        raise TransitionNotAllowed(_("Geef een omschrijving op, bijvoorbeeld „Feest van de Vlaamse Gemeenschap”."))
    if len(label) > LABEL_MAX:
        raise TransitionNotAllowed(_("De omschrijving is te lang (hoogstens %(max)s tekens).", max=LABEL_MAX))
    closing = ClosingDay(id=uuid.uuid4(), day=day, label=label, created_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(closing)
    except IntegrityError:
        db.session.rollback()
        raise TransitionNotAllowed(_("Deze dag staat al bij de sluitingsdagen.")) from None
    moved = legal_clock.recount_running(day)
    db.session.flush()
    _audit_change("closing_day.added", closing, old=None, new={"day": day, "label": label}, actor=actor, moved=moved)
    db.session.commit()
    return closing


def remove_day(*, actor: User, closing_day_id: uuid.UUID) -> ClosingDay:
    require_admin(actor)
    closing = db.session.get(ClosingDay, closing_day_id)
    if closing is None:
        raise NotFound()
    day, label = closing.day, closing.label
    db.session.delete(closing)
    db.session.flush()
    moved = legal_clock.recount_running(day)
    db.session.flush()
    _audit_change("closing_day.removed", closing, old={"day": day, "label": label}, new=None, actor=actor, moved=moved)
    db.session.commit()
    return closing


def _audit_change(
    action: str,
    closing: ClosingDay,
    *,
    old: dict[str, object] | None,
    new: dict[str, object] | None,
    actor: User,
    moved: list[legal_clock.Moved],
) -> None:
    """The change, then each case whose due date it moved: written last, just before the commit."""
    audit.record(action, object_type="closing_day", object_id=closing.id, old=old, new=new, actor=actor)
    for application, old_due, new_due in moved:
        audit.record(
            "clock.recounted",
            object_type="application",
            object_id=application.id,
            application_id=application.id,
            old={"due_on": old_due},
            new={"due_on": new_due, "closing_day": closing.day},
            actor=actor,
        )
