"""Letters the worker could not render: the list across cases, and handing one to the worker again.

A retry puts the letter back to pending with a fresh count of attempts and hands it to the worker after
the commit, by the same path a new letter takes (`letters.render`, and the sweeper if the hand-off is lost).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..i18n import _
from ..models import Application, Letter, LetterStatus, User, utcnow
from . import audit
from .dispatch import enqueue_after_commit
from .errors import NotFound, TransitionNotAllowed
from .exports import working_regimes
from .letters import RENDER_TASK

PAGE_SIZE = 50
ERROR_LINE_LENGTH = 300


@dataclass(frozen=True)
class FailedLetter:
    id: uuid.UUID
    application_id: uuid.UUID
    reference: str
    regime_code: str
    kind: str
    attempts: int
    last_attempt_at: datetime | None
    created_at: datetime
    error_line: str


@dataclass(frozen=True)
class FailedPage:
    rows: list[FailedLetter]
    total: int
    next_cursor: str | None  # the keyset of the next page, None on the last


def _scope(user: User) -> ColumnElement[bool]:
    return Letter.regime_code.in_(working_regimes(user))


def first_line(error: str | None) -> str:
    lines = (error or "").strip().splitlines()
    return lines[0][:ERROR_LINE_LENGTH] if lines else ""


def parse_cursor(value: str | None) -> tuple[datetime, uuid.UUID] | None:
    """The page's keyset, "<created_at ISO>_<letter id>"; anything else is the first page."""
    if not value or "_" not in value:
        return None
    moment, _sep, letter_id = value.rpartition("_")
    try:
        at, after = datetime.fromisoformat(moment), uuid.UUID(letter_id)
    except ValueError:
        return None
    return (at, after) if at.tzinfo is not None else None


def failed_page(user: User, cursor: tuple[datetime, uuid.UUID] | None = None) -> FailedPage:
    """One page of failed letters under the user's regimes, newest first (keyset on created_at and id, served
    by ix_letters_status), and how many there are in all: two statements whatever their number."""
    query = (
        select(
            Letter.id,
            Letter.application_id,
            Application.reference,
            Letter.regime_code,
            Letter.kind,
            Letter.attempts,
            Letter.last_attempt_at,
            Letter.created_at,
            Letter.error,
        )
        .join(Application, Application.id == Letter.application_id)
        .where(Letter.status == LetterStatus.FAILED, _scope(user))
    )
    if cursor is not None:
        moment, last_id = cursor
        query = query.where(or_(Letter.created_at < moment, and_(Letter.created_at == moment, Letter.id < last_id)))
    rows = db.session.execute(query.order_by(Letter.created_at.desc(), Letter.id.desc()).limit(PAGE_SIZE + 1)).all()
    total = db.session.scalar(
        select(func.count()).select_from(Letter).where(Letter.status == LetterStatus.FAILED, _scope(user))
    )
    shown = [
        FailedLetter(
            r.id,
            r.application_id,
            r.reference,
            r.regime_code,
            r.kind,
            r.attempts,
            r.last_attempt_at,
            r.created_at,
            first_line(r.error),
        )
        for r in rows[:PAGE_SIZE]
    ]
    more = len(rows) > PAGE_SIZE
    next_cursor = f"{shown[-1].created_at.isoformat()}_{shown[-1].id}" if more and shown else None
    return FailedPage(shown, int(total or 0), next_cursor)


def _reset(condition: ColumnElement[bool]) -> list[uuid.UUID]:
    """Failed letters matching `condition` back to pending, with their attempts counted afresh (the cause may
    be mended: a template, a font, the disk) and handed to the worker once the transaction commits."""
    reset = list(
        db.session.scalars(
            update(Letter)
            .where(condition, Letter.status == LetterStatus.FAILED)
            .values(status=LetterStatus.PENDING, attempts=0, error=None, dispatched_at=utcnow())
            .returning(Letter.id)
        )
    )
    for letter_id in reset:
        enqueue_after_commit(RENDER_TASK, str(letter_id))
    return reset


def retry(letter_id: uuid.UUID, actor: User) -> Letter:
    """Hand one failed letter to the worker again, audited; refused when it is not failed (any more)."""
    letter = db.session.get(Letter, letter_id)
    if letter is None or letter.regime_code not in working_regimes(actor):
        raise NotFound()
    old = {"status": letter.status, "attempts": letter.attempts, "error": first_line(letter.error)}
    if not _reset(Letter.id == letter.id):
        db.session.rollback()
        raise TransitionNotAllowed(_("Deze brief is niet (meer) mislukt: er valt niets opnieuw te proberen."))
    audit.record(
        "letter.retry",
        object_type="letter",
        object_id=letter.id,
        application_id=letter.application_id,
        old=old,
        new={"status": LetterStatus.PENDING, "kind": letter.kind},
        actor=actor,
    )
    db.session.commit()
    return letter


def reset_failed_of(application_id: uuid.UUID) -> list[uuid.UUID]:
    """Every failed letter of one case back to pending, in the caller's transaction (a bulk re-issue audits
    the case and commits)."""
    return _reset(Letter.application_id == application_id)
