"""Who among staff may see and act on which case: roles per regime, advisors only on the cases sent
to their body, nobody on a case they recused themselves from."""

from __future__ import annotations

import uuid

from ..extensions import db
from ..models import Application, User
from ..workflows._spec import Role
from . import conflicts
from .accounts import is_staff
from .errors import Forbidden, NotFound


def require_staff(user: User) -> None:
    if not is_staff(user):
        raise Forbidden()


def get_case(user: User, application_id: uuid.UUID) -> Application:
    """A submitted case this member of staff may see; NotFound otherwise (drafts are the applicant's own)."""
    require_staff(user)
    application = db.session.get(Application, application_id)
    if application is None or application.submitted_at is None:
        raise NotFound()
    conflicts.refuse_if_recused(user, application)  # 403 with the reason: they know the case exists
    return application


def case_roles(user: User, application: Application) -> frozenset[Role]:
    """The staff roles `user` holds on this case: the grants for its regime (or for every regime)."""
    return frozenset(Role(role) for role in user.roles_for(application.regime_code) if role != Role.ADVISOR)
