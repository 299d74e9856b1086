"""Requests for additional information, item by item: which step, field or upload, what is wrong, by
which date; the clock stands still until the applicant answers or the date passes."""

from __future__ import annotations

import uuid
from datetime import datetime

from ..models import InformationRequestItem


def items_for(application_id: uuid.UUID) -> list[InformationRequestItem]:
    """The items asked on a case, newest request first."""
    return []


def expire_lapsed(now: datetime) -> int:
    """Requests whose date passed without an answer: the regime's parameter decides what follows."""
    return 0
