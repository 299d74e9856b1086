"""Data for the benchmarks, made through the real services."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

from ldapply.extensions import db
from ldapply.models import Application, ConditionVerdict, Letter, Signatory, utcnow
from ldapply.services import accounts
from ldapply.services.transitions import apply_transition
from ldapply.workflows import get_regime
from ldapply.workflows._spec import Role

REGIME = get_regime("general")

ANSWERS = {
    "organisation_name": "Buurtwerk De Brug vzw",
    "enterprise_number": "0403170701",
    "legal_form": "vzw",
    "has_other_activities": False,
    "service_field": "bicycle_points",
    "service_description": "Een fietspunt aan het station. " * 10,
    "local_need": "Er is geen fietsherstelling in de wijk. " * 10,
    "target_group_fte": "6.5",
    "supervisory_fte": "1",
}


def make_granted_letters(count: int) -> Iterator[tuple[uuid.UUID, float]]:
    """Take `count` grant decisions one by one; yield each letter's id and the moment its decision committed."""
    organisation = accounts.create_organisation(name="Buurtwerk De Brug vzw")
    applicant = accounts.create_user(
        email=f"a-{uuid.uuid4().hex[:6]}@bench.be", name="A", password="x" * 12, organisation=organisation
    )
    reviewer = accounts.create_user(
        email=f"r-{uuid.uuid4().hex[:6]}@bench.be", name="R", password="x" * 12, roles=(Role.REVIEWER,)
    )
    decider = accounts.create_user(
        email=f"d-{uuid.uuid4().hex[:6]}@bench.be", name="D", password="x" * 12, roles=(Role.DECISION_MAKER,)
    )
    db.session.add(
        Signatory(
            user_id=decider.id,
            function="Afdelingshoofd",
            delegation="Delegatiebesluit (benchmark)",
            provenance="assumption",
            source="bench",
            created_by_id=decider.id,
        )
    )
    db.session.commit()
    for number in range(count):
        application = Application(
            reference=f"BENCH-{uuid.uuid4().hex[:8]}",
            organisation_id=organisation.id,
            regime_code=REGIME.code,
            regime_version=REGIME.version,
            state="substantive_review",
            submitted_at=utcnow(),
            parameters=REGIME.parameter_values_json(),
            answers=ANSWERS,
            completed_steps=[],
            created_by_id=applicant.id,
        )
        db.session.add(application)
        db.session.flush()
        for condition in REGIME.conditions:
            db.session.add(
                ConditionVerdict(
                    application_id=application.id,
                    condition_code=condition.code,
                    verdict="met",
                    assessed_by_id=reviewer.id,
                )
            )
        db.session.commit()
        apply_transition(application=application, action="propose_grant", actor=reviewer, motivation=f"Goed {number}.")
        event = apply_transition(application=application, action="confirm_grant", actor=decider)
        committed_at = time.monotonic()
        yield db.session.scalar(db.select(Letter.id).where(Letter.event_id == event.id)), committed_at
