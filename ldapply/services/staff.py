"""Who among staff may see and act on which case: roles per regime, advisors only on the cases sent
to their body, nobody on a case they recused themselves from."""

from __future__ import annotations

import functools
import uuid

from flask import g, has_request_context
from sqlalchemy import Select, bindparam, select

from ..extensions import db
from ..models import AdviceRequest, AdvisoryBody, Application, User
from ..workflows._spec import INTERNAL_ROLES, Role
from . import conflicts
from .accounts import is_staff
from .errors import Forbidden, NotFound

_ASKED_CACHE = "advice_asked_of_user"  # per request: whether the user's body was asked on a case


def require_staff(user: User) -> None:
    if not is_staff(user):
        raise Forbidden()


def internal_roles(user: User, regime_code: str) -> frozenset[Role]:
    """The department's roles the user holds under this regime (grants for every regime included)."""
    return frozenset(Role(role) for role in user.roles_for(regime_code) if role in INTERNAL_ROLES)


def is_advisor_only(user: User) -> bool:
    """An outside advisor without any role in the department: they see only the advice asked of their body."""
    return Role.ADVISOR in user.roles and not user.roles & INTERNAL_ROLES


def advisory_body_ids(user: User) -> frozenset[uuid.UUID]:
    """The advisory bodies the user speaks for (their advisor grants)."""
    return frozenset(
        grant.advisory_body_id
        for grant in user.role_grants
        if grant.role == Role.ADVISOR and grant.advisory_body_id is not None
    )


def body_was_asked(user: User, application: Application) -> bool:
    """Whether an active body the user speaks for was asked for advice on this case (read once a request)."""
    bodies = advisory_body_ids(user)
    if not bodies:
        return False
    cache: dict[tuple[uuid.UUID, uuid.UUID], bool] | None = (
        g.setdefault(_ASKED_CACHE, {}) if has_request_context() else None
    )
    key = (user.id, application.id)
    if cache is not None and key in cache:
        return cache[key]
    asked = (
        db.session.scalar(
            select(AdviceRequest.id)
            .join(AdvisoryBody, AdvisoryBody.id == AdviceRequest.advisory_body_id)
            .where(
                AdviceRequest.application_id == application.id,
                AdviceRequest.advisory_body_id.in_(bodies),
                AdvisoryBody.active.is_(True),
            )
            .limit(1)
        )
        is not None
    )
    if cache is not None:
        cache[key] = asked
    return asked


def forget_asked() -> None:
    """After advice was asked in this request: read it again when next needed."""
    if has_request_context():
        g.pop(_ASKED_CACHE, None)


def may_see(user: User, application: Application) -> bool:
    """An internal role under the case's regime, or an advisor whose body was asked on it."""
    return bool(internal_roles(user, application.regime_code)) or body_was_asked(user, application)


def get_case(user: User, application_id: uuid.UUID) -> Application:
    """A submitted case this member of staff may see; NotFound otherwise (drafts are the applicant's own,
    and a case outside one's regimes, or not sent to one's advisory body, does not exist for one);
    Forbidden, with the reason, for someone recused from it."""
    require_staff(user)
    application = db.session.scalar(_case_query(), {"application_id": application_id})
    if application is None or application.submitted_at is None or not may_see(user, application):
        raise NotFound()
    conflicts.refuse_if_recused(user, application)  # 403 with the reason: they know the case exists
    return application


@functools.cache
def _case_query() -> Select[Application]:
    """Built once: every case page and file reads it."""
    return select(Application).where(Application.id == bindparam("application_id"))


def case_roles(user: User, application: Application) -> frozenset[Role]:
    """The staff roles `user` holds on this case: the department's roles granted for its regime (or for
    every regime), and the advisor role only where their body was asked for advice on it."""
    roles = set(internal_roles(user, application.regime_code))
    if Role.ADVISOR in user.roles and body_was_asked(user, application):
        roles.add(Role.ADVISOR)
    return frozenset(roles)


def may_admin(user: User, regime_code: str | None) -> bool:
    """Admin actions under one regime need an admin grant covering it; for every regime (`None`), a grant
    for every regime."""
    if regime_code is None:
        return any(grant.role == Role.ADMIN and grant.regime_code is None for grant in user.role_grants)
    return Role.ADMIN in user.roles_for(regime_code)


def admin_regimes(user: User, codes: list[str]) -> list[str]:
    """Of `codes`, the regimes this user is an admin for, in that order."""
    return [code for code in codes if may_admin(user, code)]
