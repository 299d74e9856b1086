"""Every back-office page costs the same number of SQL statements at 10 and at 10,000 rows of what it
lists (quality: a bounded number of queries whatever the data size). The rows are written in bulk, as a
long life of the service would leave them; the page is asked once to warm up, then counted."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import insert, select

from ldapply.clock import utcnow
from ldapply.extensions import db
from ldapply.models import (
    AdviceRequest,
    AdvisoryBody,
    Application,
    ApplicationEvent,
    Call,
    ClosingDay,
    LegalReliance,
    Letter,
    LetterStatus,
    Organisation,
    RoleGrant,
    Signatory,
    User,
)
from ldapply.services import accounts
from ldapply.services.exports import register_states
from ldapply.workflows import get_regime
from ldapply.workflows._spec import Role
from tests.support import PASSWORD, count_statements, login, submitted_application
from tests.support_audit import append_entries
from tests.support_case_work import add_history
from tests.support_queue import case_row

SIZES = (10, 10_000)
REGIME = get_regime("general")


@dataclass
class World:
    """What the pages of one test share: the people, a real case, an organisation for rows in bulk."""

    app: Any
    people: Any
    case_id: uuid.UUID
    organisation_id: uuid.UUID
    written: int = 0  # rows of the page's kind written so far
    extra: dict[str, Any] = field(default_factory=dict)


Seed = Callable[[World, int, int], None]  # (world, first number, how many)


@dataclass(frozen=True)
class Page:
    name: str
    path: Callable[[World], str]
    who: str  # an attribute of `people`, or "advisor"
    seed: Seed
    prepare: Callable[[World], None] | None = None


def _rows(model: Any, rows: list[dict[str, Any]]) -> None:
    now = utcnow()
    db.session.execute(insert(model), [{"id": uuid.uuid4(), "created_at": now, **row} for row in rows])


def _cases(world: World, count: int, *, state: str = "submitted", **values: Any) -> list[uuid.UUID]:
    rows = [{**case_row(world.organisation_id, world.people.applicant.id, state=state), **values} for _ in range(count)]
    columns = {c.name for c in Application.__table__.columns}
    db.session.execute(insert(Application), [{k: v for k, v in row.items() if k in columns} for row in rows])
    return [row["id"] for row in rows]


def _events(application_ids: list[uuid.UUID], *, action: str = "submit") -> list[uuid.UUID]:
    rows = [
        {"id": uuid.uuid4(), "application_id": a, "action": action, "from_state": "draft", "to_state": "submitted"}
        for a in application_ids
    ]
    db.session.execute(insert(ApplicationEvent), [{**row, "created_at": utcnow()} for row in rows])
    return [row["id"] for row in rows]


def _users(start: int, count: int, prefix: str) -> list[uuid.UUID]:
    rows = [
        {
            "id": uuid.uuid4(),
            "created_at": utcnow(),
            "email": f"{prefix}{start + n}@bounds.example",
            "name": f"{prefix.title()} {start + n:05d}",
            "password_hash": "scrypt:not-a-real-hash",
            "active": True,
            "session_token": secrets.token_hex(16),
            "email_confirmed_at": utcnow(),
        }
        for n in range(count)
    ]
    db.session.execute(insert(User), rows)
    return [row["id"] for row in rows]


# -- what each page lists -------------------------------------------------------------------------


def seed_cases(world: World, _start: int, count: int) -> None:
    _cases(world, count)


def seed_call_cases(world: World, _start: int, count: int) -> None:
    call_id = db.session.scalar(select(Call.id).where(Call.regime_code == REGIME.code).limit(1))
    _cases(world, count, call_id=call_id, requested_volume=1)


def seed_history(world: World, _start: int, count: int) -> None:
    db.session.commit()
    add_history(world.app, world.case_id, count)
    append_entries(count, application_id=world.case_id)


def seed_audit(world: World, _start: int, count: int) -> None:
    append_entries(count)
    append_entries(count, application_id=world.case_id)


def seed_signatories(world: World, start: int, count: int) -> None:
    users = _users(start, count, "signer")
    _rows(RoleGrant, [{"user_id": u, "role": Role.DECISION_MAKER.value, "regime_code": None} for u in users])
    _rows(
        Signatory,
        [
            {
                "user_id": u,
                "function": "Afdelingshoofd",
                "delegation": "Delegatiebesluit, art. 3",
                "provenance": "found",
                "source": "bounds",
                "regime_code": None,
                "active": True,
                "created_by_id": world.people.admin.id,
            }
            for u in users
        ],
    )


def seed_staff(world: World, start: int, count: int) -> None:
    users = _users(start, count, "staff")
    _rows(RoleGrant, [{"user_id": u, "role": Role.REVIEWER.value, "regime_code": REGIME.code} for u in users])


def seed_failed_letters(world: World, _start: int, count: int) -> None:
    cases = _cases(world, count)
    events = _events(cases)
    _rows(
        Letter,
        [
            {
                "application_id": a,
                "event_id": e,
                "kind": "receipt",
                "regime_code": REGIME.code,
                "regime_version": REGIME.version,
                "status": LetterStatus.FAILED,
                "context": {},
                "attempts": 12,
                "error": "LetterRenderError: boom",
                "last_attempt_at": utcnow(),
            }
            for a, e in zip(cases, events, strict=True)
        ],
    )


def seed_closing_days(world: World, start: int, count: int) -> None:
    first = date(2000, 1, 1)
    _rows(
        ClosingDay,
        [{"day": first + timedelta(days=start + n), "label": f"Sluitingsdag {start + n}"} for n in range(count)],
    )


def seed_register(world: World, _start: int, count: int) -> None:
    state = register_states(REGIME)[0]
    _cases(world, count, state=state, recognition_ends_on=date.today() + timedelta(days=400))


def seed_statistics(world: World, _start: int, count: int) -> None:
    _events(_cases(world, count))


def seed_reliances(world: World, _start: int, count: int) -> None:
    cases = _cases(world, count)
    events = _events(cases)
    _rows(
        LegalReliance,
        [
            {
                "application_id": a,
                "event_id": e,
                "regime_code": REGIME.code,
                "regime_version": REGIME.version,
                "kind": "parameter",
                "name": "decision_days",
                "provenance": "assumption",
            }
            for a, e in zip(cases, events, strict=True)
        ],
    )


def seed_bodies(world: World, start: int, count: int) -> None:
    _rows(AdvisoryBody, [{"name": f"Adviesorgaan {start + n:05d}", "regime_code": None} for n in range(count)])


def prepare_advisor(world: World) -> None:
    """An advisory body with an advisor account of its own: the advice queue lists the cases sent to it."""
    body_id = uuid.uuid4()
    db.session.execute(insert(AdvisoryBody).values(id=body_id, created_at=utcnow(), name="Kind en Gezin (test)"))
    advisor = accounts.create_user(email="advisor@bounds.example", name="Adviseur", password=PASSWORD)
    db.session.add(RoleGrant(user_id=advisor.id, role=Role.ADVISOR.value, advisory_body_id=body_id))
    db.session.commit()
    world.extra.update(body_id=body_id, advisor=advisor.email)


def seed_advice(world: World, _start: int, count: int) -> None:
    state = next(s.code for s in REGIME.states if str(s.whose_move) == "advisor")
    cases = _cases(world, count, state=state)
    _rows(
        AdviceRequest,
        [
            {
                "application_id": a,
                "advisory_body_id": world.extra["body_id"],
                "requested_by_id": world.people.reviewer.id,
                "question": "Is de opvang nodig?",
                "due_on": date.today() + timedelta(days=30),
            }
            for a in cases
        ],
    )


def case_path(tail: str = "") -> Callable[[World], str]:
    return lambda world: f"/backoffice/applications/{world.case_id}{tail}"


PAGES = [
    Page("queue", lambda w: "/backoffice/?move=all", "reviewer", seed_cases),
    Page("queue, mine", lambda w: "/backoffice/", "reviewer", seed_cases),
    Page("case", case_path(), "reviewer", seed_history),
    Page("case assessment", case_path("/assessment"), "reviewer", seed_history),
    Page("case answers", case_path("/answers"), "reviewer", seed_history),
    Page("case timeline", case_path("/timeline"), "reviewer", seed_history),
    Page("case notes", case_path("/notes"), "reviewer", seed_history),
    Page("case letters", case_path("/letters"), "reviewer", seed_history),
    Page("case audit trail", case_path("/audit"), "reviewer", seed_history),
    Page("calls", lambda w: "/backoffice/calls", "admin", seed_call_cases),
    Page("parameters", lambda w: "/backoffice/parameters", "admin", seed_cases),
    Page("signatories", lambda w: "/backoffice/signatories", "admin", seed_signatories),
    Page("audit trail", lambda w: "/backoffice/audit", "admin", seed_audit),
    Page("failed letters", lambda w: "/backoffice/letters/failed", "admin", seed_failed_letters),
    Page("closing days", lambda w: "/backoffice/closing-days", "admin", seed_closing_days),
    Page("staff", lambda w: "/backoffice/staff", "admin", seed_staff),
    Page("register", lambda w: "/backoffice/register", "reviewer", seed_register),
    Page("statistics", lambda w: "/backoffice/statistics", "reviewer", seed_statistics),
    Page("uncertainty ledger", lambda w: "/backoffice/uncertainty", "reviewer", seed_reliances),
    Page("advisory bodies", lambda w: "/backoffice/advisory-bodies", "admin", seed_bodies),
    Page("advice queue", lambda w: "/backoffice/advice", "advisor", seed_advice, prepare_advisor),
]


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_the_page_costs_the_same_statements_at_10_and_10000_rows(app, client, people, page):
    world = World(app, people, submitted_application(client, people), uuid.uuid4())
    with app.app_context():
        db.session.execute(insert(Organisation).values(id=world.organisation_id, created_at=utcnow(), name="Veel vzw"))
        db.session.commit()
        if page.prepare is not None:
            page.prepare(world)
    email = world.extra["advisor"] if page.who == "advisor" else getattr(people, page.who).email
    login(client, SimpleNamespace(email=email))
    counts = []
    for size in SIZES:
        with app.app_context():
            page.seed(world, world.written, size - world.written)
            db.session.commit()
        world.written = size
        path = page.path(world)
        assert client.get(path).status_code == 200, path  # warm: the declaration made, caches filled
        with count_statements(app) as statements:
            answer = client.get(path)
        assert answer.status_code == 200, path
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{page.name}: {counts[0]} statements at 10 rows, {counts[1]} at 10,000"
