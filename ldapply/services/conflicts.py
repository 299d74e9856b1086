"""The conflict-of-interest gate: before staff or an advisor first see a case's content they declare
no conflict with the applying organisation, or recuse themselves. Stub: filled in by issue 8's work."""

from __future__ import annotations

from ..models import Application, User


def needs_declaration(user: User, application: Application) -> bool:
    """Whether `user` must declare (or recuse) before seeing this case's content."""
    return False
