"""Admins manage staff: accounts, role grants per regime (or for every regime), advisory bodies and their
advisors, deactivation. Every change is in the audit trail with its old and new values.

An admin for one regime grants and revokes roles under that regime only; accounts are deactivated, and
grants for every regime given, by an admin for every regime. The last active admin for every regime
keeps that grant: nobody could manage staff any more without it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..i18n import LOCALES, _
from ..models import AdvisoryBody, RoleGrant, User
from ..workflows import REGIMES
from ..workflows._spec import STAFF_ROLES, Role
from . import accounts, audit
from .errors import Forbidden, NotFound, TransitionNotAllowed
from .staff import may_admin

PAGE_SIZE = 50


def require_admin(user: User) -> None:
    """Staff management is for admins (of some regime, or of every regime)."""
    if Role.ADMIN not in user.roles:
        raise Forbidden()


# -- reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffPage:
    people: list[User]
    total: int
    page: int
    pages: int


def staff_members(page: int = 1) -> StaffPage:
    """Everyone with a staff role, active or not, by name, with their grants: a page at a time (three
    statements, whatever the number of staff)."""
    has_grant = User.role_grants.any()
    total = db.session.scalar(select(func.count()).select_from(User).where(has_grant)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    people = db.session.scalars(
        select(User)
        .where(has_grant)
        .options(selectinload(User.role_grants))
        .order_by(User.active.desc(), User.name, User.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return StaffPage(list(people), total, page, pages)


def member(user_id: uuid.UUID) -> User:
    user = db.session.get(User, user_id, options=[selectinload(User.role_grants)])
    if user is None:
        raise NotFound()
    return user


def all_bodies() -> list[AdvisoryBody]:
    return list(db.session.scalars(select(AdvisoryBody).order_by(AdvisoryBody.active.desc(), AdvisoryBody.name)))


def bodies_by_id(ids: set[uuid.UUID]) -> dict[uuid.UUID, AdvisoryBody]:
    if not ids:
        return {}
    return {b.id: b for b in db.session.scalars(select(AdvisoryBody).where(AdvisoryBody.id.in_(ids)))}


# -- accounts ---------------------------------------------------------------------------------------


def create_staff_account(
    *,
    actor: User,
    email: str,
    name: str,
    locale: str | None,
    role: Role,
    regime_code: str | None,
    body_id: uuid.UUID | None,
) -> tuple[User, bool]:
    """An account for a member of staff or an advisor with their first role; the new user gets a mail with
    the link to choose a password. An address that has an account already gets the role on that account.
    Returns the user and whether the account is new (commits)."""
    require_admin(actor)
    email = email.strip().lower()
    existing = accounts.find_user_by_email(email)
    user = existing or accounts.new_staff_account(email=email, name=name.strip(), locale=_locale(locale))
    db.session.flush()
    grant = _new_grant(actor, user, role, regime_code, body_id)
    if existing is None:
        accounts.send_staff_welcome(user)
        audit.record(
            "staff.account_created",
            object_type="user",
            object_id=user.id,
            new={"email": user.email, "name": user.name, "locale": user.locale, "grant": _grant_values(grant)},
            actor=actor,
        )
    else:
        _audit_grant("staff.granted", grant, actor)
    db.session.commit()
    return user, existing is None


def _locale(locale: str | None) -> str | None:
    return locale if locale in LOCALES else None


def set_active(*, actor: User, user_id: uuid.UUID, active: bool) -> User:
    """Deactivate an account (its sessions end at once) or activate it again; by an admin for every
    regime. The last active admin for every regime stays active (commits)."""
    if not may_admin(actor, None):
        raise Forbidden()
    user = member(user_id)
    if user.active == active:
        return user
    if not active and _is_global_admin(user) and _other_global_admins(user.id) == 0:
        raise TransitionNotAllowed(_("Dit is de laatste beheerder voor alle regelingen: die blijft actief."))
    user.active = active
    audit.record(
        "staff.activated" if active else "staff.deactivated",
        object_type="user",
        object_id=user.id,
        old={"active": not active},
        new={"active": active, "email": user.email},
        actor=actor,
    )
    if active:
        db.session.commit()
    else:
        accounts.end_all_sessions(user)  # every cookie issued before stops working (commits)
    return user


# -- grants -----------------------------------------------------------------------------------------


def grant(
    *, actor: User, user_id: uuid.UUID, role: Role, regime_code: str | None, body_id: uuid.UUID | None
) -> RoleGrant:
    """Give `role` under `regime_code` (None: every regime); an advisor's grant names the body and takes
    its regime. Refused (TransitionNotAllowed) when the user holds it already (commits)."""
    require_admin(actor)
    user = member(user_id)
    given = _new_grant(actor, user, role, regime_code, body_id)
    _audit_grant("staff.granted", given, actor)
    db.session.commit()
    return given


def revoke(*, actor: User, grant_id: uuid.UUID) -> None:
    """Take a grant away; the last active admin for every regime keeps theirs (commits)."""
    require_admin(actor)
    given = db.session.get(RoleGrant, grant_id)
    if given is None:
        raise NotFound()
    if not may_admin(actor, given.regime_code):
        raise Forbidden(_("U beheert de rollen onder deze regeling niet."))
    if given.role == Role.ADMIN and given.regime_code is None and _other_global_admins(given.user_id) == 0:
        raise TransitionNotAllowed(
            _("Dit is de laatste beheerder voor alle regelingen. Geef eerst iemand anders die rol.")
        )
    values = _grant_values(given)
    db.session.delete(given)
    db.session.flush()
    audit.record("staff.revoked", object_type="role_grant", object_id=given.id, old=values, new=None, actor=actor)
    db.session.commit()


def _new_grant(actor: User, user: User, role: Role, regime_code: str | None, body_id: uuid.UUID | None) -> RoleGrant:
    """A grant added to the session after the checks: the role exists, the regime too, the actor manages
    it, an advisor's body is active, and the user does not hold it yet."""
    if role not in STAFF_ROLES:
        raise TransitionNotAllowed(_("Kies een rol."))
    body = None
    if role == Role.ADVISOR:
        body = db.session.get(AdvisoryBody, body_id) if body_id else None
        if body is None or not body.active:
            raise TransitionNotAllowed(_("Een adviseur spreekt voor een adviesorgaan: kies een actief adviesorgaan."))
        regime_code = body.regime_code
    if regime_code is not None and regime_code not in REGIMES:
        raise TransitionNotAllowed(_("Kies een regeling."))
    if not may_admin(actor, regime_code):
        raise Forbidden(_("U beheert de rollen onder deze regeling niet."))
    if any(g.role == role and g.regime_code == regime_code for g in user.role_grants):
        raise TransitionNotAllowed(_("%(name)s heeft deze rol al.", name=user.name))
    given = accounts.grant_of(role, regime_code, body)
    user.role_grants.append(given)
    db.session.flush()
    return given


def _grant_values(given: RoleGrant) -> dict[str, object]:
    return {
        "user_id": given.user_id,
        "role": given.role,
        "regime_code": given.regime_code,
        "advisory_body_id": given.advisory_body_id,
    }


def _audit_grant(action: str, given: RoleGrant, actor: User) -> None:
    audit.record(action, object_type="role_grant", object_id=given.id, old=None, new=_grant_values(given), actor=actor)


def _is_global_admin(user: User) -> bool:
    return any(g.role == Role.ADMIN and g.regime_code is None for g in user.role_grants)


def _other_global_admins(user_id: uuid.UUID) -> int:
    """Active users other than `user_id` with an admin grant for every regime."""
    return (
        db.session.scalar(
            select(func.count(func.distinct(RoleGrant.user_id)))
            .join(User, User.id == RoleGrant.user_id)
            .where(
                RoleGrant.role == Role.ADMIN,
                RoleGrant.regime_code.is_(None),
                RoleGrant.user_id != user_id,
                User.active.is_(True),
            )
        )
        or 0
    )


# -- advisory bodies --------------------------------------------------------------------------------


def create_body(*, actor: User, name: str, regime_code: str | None) -> AdvisoryBody:
    """An advisory body advising under one regime (None: every regime), by an admin of it (commits)."""
    name = " ".join(name.split())
    if not name:
        raise TransitionNotAllowed(_("Geef de naam van het adviesorgaan."))
    if regime_code is not None and regime_code not in REGIMES:
        raise TransitionNotAllowed(_("Kies een regeling."))
    if not may_admin(actor, regime_code):
        raise Forbidden(_("U beheert deze regeling niet."))
    if db.session.scalar(select(AdvisoryBody.id).where(func.lower(AdvisoryBody.name) == name.lower())):
        raise TransitionNotAllowed(_("Er is al een adviesorgaan met die naam."))
    body = AdvisoryBody(id=uuid.uuid4(), name=name[:200], regime_code=regime_code, active=True)
    db.session.add(body)
    db.session.flush()
    audit.record(
        "advisory_body.created",
        object_type="advisory_body",
        object_id=body.id,
        new={"name": body.name, "regime_code": body.regime_code, "active": True},
        actor=actor,
    )
    db.session.commit()
    return body


def set_body_active(*, actor: User, body_id: uuid.UUID, active: bool) -> AdvisoryBody:
    """Deactivate a body (it is no longer asked, and its advisors no longer see its cases) or activate it
    again (commits)."""
    body = db.session.get(AdvisoryBody, body_id)
    if body is None:
        raise NotFound()
    if not may_admin(actor, body.regime_code):
        raise Forbidden(_("U beheert deze regeling niet."))
    if body.active != active:
        body.active = active
        audit.record(
            "advisory_body.activated" if active else "advisory_body.deactivated",
            object_type="advisory_body",
            object_id=body.id,
            old={"active": not active},
            new={"active": active, "name": body.name},
            actor=actor,
        )
        db.session.commit()
    return body
