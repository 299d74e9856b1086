"""Advice from outside advisory bodies: asked with a due date, given by the body's advisors."""

from __future__ import annotations

import uuid

from ..models import AdviceRequest


def requests_for(application_id: uuid.UUID) -> list[AdviceRequest]:
    """The advice asked on a case, oldest first, with what each body answered."""
    return []
