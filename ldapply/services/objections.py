"""Objections as cases of their own, linked to the case whose decision they contest."""

from __future__ import annotations

from ..models import Application


def linked_cases(application: Application) -> list[Application]:
    """The objection cases against this case's decisions, and the case an objection contests."""
    return []
