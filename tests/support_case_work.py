"""Helpers for the case page's tests: a case in review, staff granted for one regime, a long history."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from ldapply.extensions import db
from ldapply.models import Application, ApplicationEvent, AuditEntry, CaseNote, Letter, RoleGrant, User, utcnow
from ldapply.services import accounts
from ldapply.workflows import get_regime
from ldapply.workflows._spec import Role
from tests.support import PASSWORD, act, declare_no_conflict, login, submitted_application


def case_url(application_id: uuid.UUID, tail: str = "") -> str:
    return f"/backoffice/applications/{application_id}{tail}"


def open_case(client: FlaskClient, application_id: uuid.UUID, tail: str = "") -> Any:
    """The case page (or one of its sub-pages) as the logged-in member of staff sees it, declared first."""
    declare_no_conflict(client, application_id)
    return client.get(case_url(application_id, tail))


def case_in_review(client: FlaskClient, people: Any, regime: str = "general") -> uuid.UUID:
    """A submitted case moved into the admissibility check by the reviewer; the client stays the reviewer."""
    application_id = submitted_application(client, people, regime)
    login(client, people.reviewer)
    declare_no_conflict(client, application_id)
    response = act(client, application_id, "start_admissibility")
    assert response.status_code == 302, response.get_data(as_text=True)
    return application_id


def staff_for(app: Flask, email: str, name: str, role: Role, regime_code: str | None) -> uuid.UUID:
    """A member of staff with one role, granted for one regime (None: every regime)."""
    with app.app_context():
        user = accounts.create_user(email=email, name=name, password=PASSWORD)
        db.session.add(RoleGrant(user_id=user.id, role=role.value, regime_code=regime_code))
        db.session.commit()
        return user.id


def load(app: Flask, application_id: uuid.UUID) -> Application:
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application is not None
        db.session.expunge(application)
        return application


def audit_of(app: Flask, application_id: uuid.UUID, action: str) -> list[AuditEntry]:
    with app.app_context():
        entries = list(
            db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.application_id == application_id, AuditEntry.action == action)
                .order_by(AuditEntry.seq)
            )
        )
        for entry in entries:
            db.session.expunge(entry)
        return entries


def add_history(app: Flask, application_id: uuid.UUID, count: int, *, letters: bool = True, notes: bool = True) -> None:
    """`count` more state changes (each with a letter, and a note), dated before everything the case holds,
    written in bulk as years of work on one case would leave them."""
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application is not None
        regime = get_regime(application.regime_code)
        actor = db.session.scalar(select(User.id).where(User.email == "rev@vo.be"))
        first = (
            db.session.scalar(
                select(ApplicationEvent.created_at)
                .where(ApplicationEvent.application_id == application_id)
                .order_by(ApplicationEvent.created_at)
                .limit(1)
            )
            or utcnow()
        )
        kind = regime.letters[0].key
        events, letter_rows, note_rows = [], [], []
        for number in range(count):
            at = first - timedelta(minutes=count * 2 - number)
            event_id = uuid.uuid4()
            events.append(
                {
                    "id": event_id,
                    "application_id": application_id,
                    "actor_id": actor,
                    "action": "start_admissibility",
                    "from_state": application.state,
                    "to_state": application.state,
                    "comment": f"Stap {number} in een lang dossier.",
                    "note": None,
                    "created_at": at,
                }
            )
            letter_rows.append(
                {
                    "id": uuid.uuid4(),
                    "application_id": application_id,
                    "event_id": event_id,
                    "kind": kind,
                    "regime_code": regime.code,
                    "regime_version": regime.version,
                    "status": "pending",
                    "context": {"filler": "x" * 200},
                    "attempts": 0,
                    "created_at": at,
                }
            )
            note_rows.append(
                {
                    "id": uuid.uuid4(),
                    "application_id": application_id,
                    "author_id": actor,
                    "body": f"Notitie {number}.",
                    "created_at": at,
                }
            )
        db.session.execute(insert(ApplicationEvent), events)
        if letters:
            db.session.execute(insert(Letter), letter_rows)
        if notes:
            db.session.execute(insert(CaseNote), note_rows)
        db.session.commit()
