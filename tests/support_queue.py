"""Test data for the queue and the calls page: many submitted cases written in one Core statement
(the ORM per row would take minutes at 10,000), with the columns the queue reads filled in."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import insert, select

from ldapply.clock import utcnow
from ldapply.extensions import db
from ldapply.models import Application, Membership, Organisation, RoleGrant
from ldapply.services.applications import HOME_RECENT_DAYS
from ldapply.workflows import get_regime


def organisation(app: Flask, name: str, enterprise_number: str | None = None) -> uuid.UUID:
    organisation_id = uuid.uuid4()
    with app.app_context():
        db.session.execute(
            insert(Organisation).values(
                id=organisation_id, created_at=utcnow(), name=name, enterprise_number=enterprise_number
            )
        )
        db.session.commit()
    return organisation_id


def case_row(
    organisation_id: uuid.UUID,
    created_by_id: uuid.UUID,
    *,
    regime: str = "general",
    state: str = "submitted",
    due_on: date | None = None,
    submitted_at: datetime | None = None,
    assignee_id: uuid.UUID | None = None,
    call_id: uuid.UUID | None = None,
    reference: str | None = None,
    requested_volume: Any = None,
) -> dict[str, Any]:
    """One submitted case; whose move follows its regime's state, as transitions keep it."""
    spec = get_regime(regime)
    now = utcnow()
    return {
        "id": uuid.uuid4(),
        "created_at": now,
        "updated_at": now,
        "reference": reference or f"LDE-2026-{secrets.token_hex(5).upper()}",
        "organisation_id": organisation_id,
        "regime_code": regime,
        "regime_version": spec.version,
        "state": state,
        "whose_move": str(spec.state(state).whose_move),
        "answers": {},
        "completed_steps": [],
        "step_changes": {},
        "clocks": {},
        "call_id": call_id,
        "created_by_id": created_by_id,
        "submitted_at": submitted_at or now - timedelta(days=1),
        "due_on": due_on,
        "assignee_id": assignee_id,
        "requested_volume": requested_volume,
        "version": 1,
    }


def insert_cases(app: Flask, rows: list[dict[str, Any]]) -> None:
    """All rows in one Core INSERT call (executemany: SQLite caps the bound values of one statement). Each
    helper opens its own app context: requests made while one is open would share Flask-Login's `g`."""
    columns = {c.name for c in Application.__table__.columns}
    with app.app_context():
        db.session.execute(insert(Application), [{k: v for k, v in row.items() if k in columns} for row in rows])
        db.session.commit()


def grant(app: Flask, user_id: uuid.UUID, role: str, regime_code: str | None) -> None:
    with app.app_context():
        db.session.add(RoleGrant(user_id=user_id, role=role, regime_code=regime_code))
        db.session.commit()


# -- an organisation with a long history (the applicant's home and full list) ----------------------------

LONG_AGO = utcnow() - timedelta(days=HOME_RECENT_DAYS + 30)  # closed before the home's year


def organisation_of(app: Flask, person: Any) -> uuid.UUID:
    with app.app_context():
        return db.session.scalar(select(Membership.organisation_id).where(Membership.user_id == person.id))


def closed_long_ago(organisation_id: uuid.UUID, person: Any, count: int, start: int) -> list[dict[str, Any]]:
    """Withdrawn applications, created and last changed over a year ago, each with a reference of its own."""
    rows = []
    for n in range(start, start + count):
        row = case_row(organisation_id, person.id, state="withdrawn", reference=f"LDE-2020-OLD{n:05d}")
        row.update(created_at=LONG_AGO - timedelta(minutes=n), updated_at=LONG_AGO, submitted_at=LONG_AGO)
        rows.append(row)
    return rows
