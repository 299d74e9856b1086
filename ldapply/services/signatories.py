"""Who signs letters: the signatories an admin keeps (function, delegation, provenance), and the
person a letter names as its signatory and contact."""

from __future__ import annotations

import uuid

from sqlalchemy import and_, or_, select

from ..extensions import db
from ..i18n import _
from ..models import Application, ApplicationEvent, RoleGrant, Signatory, User
from ..workflows._spec import Provenance, Role
from . import audit
from .errors import Forbidden, TransitionNotAllowed
from .letter_context import Person
from .staff import may_admin

ROLE_FUNCTIONS = {
    Role.REVIEWER: "Dossierbehandelaar",
    Role.DECISION_MAKER: "Beslisser",
    Role.ADMIN: "Beheerder",
}


def signatory_for(user: User, regime_code: str) -> Signatory | None:
    """The user's active entry for this regime (or for every regime), while they are a decision maker
    under it: a decision maker signs only under the regimes they hold the role for."""
    if Role.DECISION_MAKER not in user.roles_for(regime_code):
        return None
    return db.session.scalar(
        select(Signatory)
        .where(
            Signatory.user_id == user.id,
            Signatory.active.is_(True),
            or_(Signatory.regime_code.is_(None), Signatory.regime_code == regime_code),
        )
        .order_by(Signatory.regime_code.is_(None), Signatory.created_at.desc(), Signatory.id)
        .limit(1)
    )


def has_entry(user: User) -> bool:
    return db.session.scalar(select(Signatory.id).where(Signatory.user_id == user.id).limit(1)) is not None


def person_of(signatory: Signatory) -> Person:
    return Person(
        signatory.user.name,
        signatory.function,
        signatory.delegation,
        signatory.user.email,
        delegation_found=signatory.provenance == Provenance.FOUND,
    )


def letter_signatory(actor: User | None, regime_code: str, *, decides: bool, team: tuple[str, str]) -> Person:
    """Decisions are signed by the decision maker who confirms (the engine made sure they may); other
    letters by the staff member who acts, or by the first signatory of the regime when nobody of
    staff acts (a receipt), else by the team."""
    roles = actor.roles_for(regime_code) if actor is not None else frozenset()
    if actor is not None and roles:
        entry = signatory_for(actor, regime_code)
        if entry is not None:
            return person_of(entry)
        if not decides:
            role = next((Role(r) for r in sorted(roles) if Role(r) in ROLE_FUNCTIONS), Role.REVIEWER)
            return Person(actor.name, ROLE_FUNCTIONS[role], "", actor.email)
    first = db.session.scalar(
        select(Signatory)
        .where(Signatory.active.is_(True), or_(Signatory.regime_code.is_(None), Signatory.regime_code == regime_code))
        .order_by(Signatory.created_at, Signatory.id)
        .limit(1)
    )
    return person_of(first) if first is not None else Person(*team)  # (unit, department) of the sender


def contact_for(application: Application) -> Person | None:
    """The reviewer who last acted on the case, who handles it: the person the applicant can contact."""
    actor = db.session.scalar(
        select(User)
        .join(ApplicationEvent, ApplicationEvent.actor_id == User.id)
        .where(
            ApplicationEvent.application_id == application.id,
            User.role_grants.any(
                and_(
                    RoleGrant.role == Role.REVIEWER,
                    or_(RoleGrant.regime_code.is_(None), RoleGrant.regime_code == application.regime_code),
                )
            ),
        )
        .order_by(ApplicationEvent.created_at.desc(), ApplicationEvent.id.desc())
        .limit(1)
    )
    return Person(actor.name, "", "", actor.email) if actor is not None else None


def all_signatories() -> list[Signatory]:
    return list(
        db.session.scalars(select(Signatory).order_by(Signatory.active.desc(), Signatory.created_at, Signatory.id))
    )


def add_signatory(
    *,
    actor: User,
    user_id: uuid.UUID,
    function: str,
    delegation: str,
    provenance: Provenance,
    source: str,
    regime_code: str | None,
) -> Signatory:
    """Admins of the regime (of every regime, for an entry for every regime) record who may sign
    decisions. Raises Forbidden for anyone else, TransitionNotAllowed when the person is not a decision
    maker under that regime (every regime)."""
    if not may_admin(actor, regime_code or None):
        raise Forbidden()
    user = db.session.get(User, user_id)
    if user is None or not _decides_under(user, regime_code or None):
        raise TransitionNotAllowed(
            _("Alleen een beslisser kan beslissingen ondertekenen, en alleen onder de regelingen waarvoor hij beslist.")
        )
    entry = Signatory(
        user_id=user.id,
        function=function.strip(),
        delegation=delegation.strip(),
        provenance=str(provenance),
        source=source.strip(),
        regime_code=regime_code or None,
        created_by_id=actor.id,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record("signatory.added", object_type="signatory", object_id=entry.id, new=_values(entry), actor=actor)
    db.session.commit()
    return entry


def _values(entry: Signatory) -> dict[str, object]:
    """A signatory entry as the audit trail keeps it."""
    return {
        "user_id": entry.user_id,
        "function": entry.function,
        "delegation": entry.delegation,
        "provenance": entry.provenance,
        "source": entry.source,
        "regime_code": entry.regime_code,
        "active": entry.active,
    }


def _decides_under(user: User, regime_code: str | None) -> bool:
    if regime_code is None:
        return any(grant.role == Role.DECISION_MAKER and grant.regime_code is None for grant in user.role_grants)
    return Role.DECISION_MAKER in user.roles_for(regime_code)


def set_active(*, actor: User, signatory_id: uuid.UUID, active: bool) -> None:
    entry = db.session.get(Signatory, signatory_id)
    if Role.ADMIN not in actor.roles or (entry is not None and not may_admin(actor, entry.regime_code)):
        raise Forbidden()
    if entry is not None and entry.active != active:
        entry.active = active
        audit.record(
            "signatory.activated" if active else "signatory.deactivated",
            object_type="signatory",
            object_id=entry.id,
            old={"active": not active},
            new={"active": active, "user_id": entry.user_id, "regime_code": entry.regime_code},
            actor=actor,
        )
        db.session.commit()


def decision_makers() -> list[User]:
    return list(
        db.session.scalars(
            select(User).join(RoleGrant).where(RoleGrant.role == Role.DECISION_MAKER).order_by(User.name, User.id)
        )
    )
