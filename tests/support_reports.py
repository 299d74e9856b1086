"""Test data for exports, statistics, failed letters and bulk actions: cases written as rows, with the events,
decisions and letters the figures and exports read, at moments the tests choose."""

from __future__ import annotations

import secrets
import time
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update

from ldapply.clock import utcnow
from ldapply.extensions import db
from ldapply.models import (
    Application,
    ApplicationEvent,
    BulkJob,
    DecisionProposal,
    Letter,
    LetterStatus,
    Organisation,
    ProposalStatus,
    RoleGrant,
)
from ldapply.services.call_usage import counted
from ldapply.workflows import get_regime


def organisation(name: str, enterprise_number: str | None = None) -> uuid.UUID:
    organisation_id = uuid.uuid4()
    db.session.execute(
        insert(Organisation).values(
            id=organisation_id, created_at=utcnow(), name=name, enterprise_number=enterprise_number
        )
    )
    return organisation_id


def case(
    organisation_id: uuid.UUID,
    created_by_id: uuid.UUID,
    *,
    regime: str = "general",
    state: str = "submitted",
    reference: str | None = None,
    submitted_at: datetime | None = None,
    due_on: date | None = None,
    ends_on: date | None = None,
    answers: dict[str, Any] | None = None,
    call_id: uuid.UUID | None = None,
    requested_volume: Decimal | None = None,
) -> uuid.UUID:
    """One submitted case in `state`; whose move follows the regime's state, as transitions keep it."""
    spec = get_regime(regime)
    now = utcnow()
    application_id = uuid.uuid4()
    db.session.execute(
        insert(Application).values(
            id=application_id,
            created_at=now,
            updated_at=now,
            reference=reference or f"LDE-2026-{secrets.token_hex(5).upper()}",
            organisation_id=organisation_id,
            regime_code=regime,
            regime_version=spec.version,
            state=state,
            whose_move=str(spec.state(state).whose_move),
            answers=answers or {},
            submitted_answers=answers,
            completed_steps=[],
            step_changes={},
            clocks={},
            created_by_id=created_by_id,
            submitted_at=submitted_at or now - timedelta(days=1),
            due_on=due_on,
            recognition_ends_on=ends_on,
            call_id=call_id,
            requested_volume=requested_volume,
            version=1,
        )
    )
    return application_id


def event(application_id: uuid.UUID, action: str, from_state: str, to_state: str, at: datetime) -> uuid.UUID:
    event_id = uuid.uuid4()
    db.session.execute(
        insert(ApplicationEvent).values(
            id=event_id,
            created_at=at,
            application_id=application_id,
            action=action,
            from_state=from_state,
            to_state=to_state,
        )
    )
    return event_id


def path(application_id: uuid.UUID, start: datetime, stays: list[tuple[str, float]]) -> None:
    """Events that take the case through `stays`: (state, days spent there) each; the last state is entered
    at the end and not left. The first state is entered from draft at `start`."""
    at, previous = start, "draft"
    for state, days in stays:
        event(application_id, f"to_{state}", previous, state, at)
        at, previous = at + timedelta(days=days), state


def granted(
    application_id: uuid.UUID, proposed_by_id: uuid.UUID, *, volume: Decimal | None, settled_at: datetime
) -> None:
    db.session.execute(
        insert(DecisionProposal).values(
            id=uuid.uuid4(),
            created_at=settled_at,
            application_id=application_id,
            outcome="grant",
            motivation="Voldoet aan elke voorwaarde.",
            volume=volume,
            considerations={},
            proposed_by_id=proposed_by_id,
            status=ProposalStatus.CONFIRMED,
            settled_by_id=proposed_by_id,
            settled_at=settled_at,
        )
    )
    _count_against_the_cap(application_id)


def _count_against_the_cap(application_id: uuid.UUID) -> None:
    """Core inserts pass by the ORM events that keep a case's share of its call's cap: keep it here."""
    case_row = db.session.execute(
        select(Application.regime_code, Application.state, Application.requested_volume).where(
            Application.id == application_id
        )
    ).one()
    proposals = db.session.execute(
        select(DecisionProposal.status, DecisionProposal.outcome, DecisionProposal.volume)
        .where(DecisionProposal.application_id == application_id)
        .order_by(DecisionProposal.created_at, DecisionProposal.id)
    ).all()
    proposed, taken = counted(case_row.regime_code, case_row.state, case_row.requested_volume, proposals)
    db.session.execute(
        update(Application).where(Application.id == application_id).values(cap_proposed=proposed, cap_granted=taken)
    )


def failed_letter(
    application_id: uuid.UUID, *, kind: str = "receipt", error: str = "LetterRenderError: boom"
) -> uuid.UUID:
    """A letter the worker gave up on, as `letters.mark_failed` leaves it."""
    application = db.session.get(Application, application_id)
    assert application is not None
    event_id = event(application_id, "submit", "draft", application.state, utcnow())
    letter_id = uuid.uuid4()
    db.session.execute(
        insert(Letter).values(
            id=letter_id,
            created_at=utcnow(),
            application_id=application_id,
            event_id=event_id,
            kind=kind,
            regime_code=application.regime_code,
            regime_version=application.regime_version,
            status=LetterStatus.FAILED,
            context={},
            attempts=12,
            error=error,
            last_attempt_at=utcnow(),
        )
    )
    return letter_id


def grant_role(user_id: uuid.UUID, role: str, regime_code: str | None) -> None:
    db.session.add(RoleGrant(user_id=user_id, role=role, regime_code=regime_code))
    db.session.commit()


def wait_for_job(app: Any, job_id: uuid.UUID, timeout: float = 60) -> BulkJob:
    """Until the worker finished the job (done or failed); the job as it ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            job = db.session.scalar(select(BulkJob).where(BulkJob.id == job_id))
            if job is not None and job.status in ("done", "failed"):
                db.session.expunge(job)
                return job
        time.sleep(0.2)
    raise AssertionError(f"bulk job {job_id} not finished within {timeout} s")
