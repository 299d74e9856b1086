"""The legal-uncertainty ledger: per parameter or citation not found in the law, the decisions resting on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Application, ApplicationEvent, LegalReliance


@dataclass(frozen=True)
class Reliance:
    regime_code: str
    regime_version: int
    kind: str
    name: str
    provenance: str
    reference: str
    application_id: str
    action: str
    decided_at: datetime


def reliances(name: str | None = None) -> list[Reliance]:
    """Every recorded reliance (of one name, when given), newest decision first."""
    query = (
        select(LegalReliance, Application.reference, ApplicationEvent.action, ApplicationEvent.created_at)
        .join(Application, Application.id == LegalReliance.application_id)
        .join(ApplicationEvent, ApplicationEvent.id == LegalReliance.event_id)
        .order_by(LegalReliance.name, ApplicationEvent.created_at.desc(), LegalReliance.id)
    )
    if name is not None:
        query = query.where(LegalReliance.name == name)
    return [
        Reliance(
            r.regime_code, r.regime_version, r.kind, r.name, r.provenance, reference, str(r.application_id), action, at
        )
        for r, reference, action, at in db.session.execute(query)
    ]
