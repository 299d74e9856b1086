"""The conflict-of-interest gate: before staff or an advisor first see a case's content they declare
no conflict with the applying organisation, or recuse themselves. A member of the applying
organisation is recused without asking: they cannot declare."""

from __future__ import annotations

import functools
import uuid

from flask import g, has_request_context
from sqlalchemy import Select, bindparam, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..i18n import _
from ..models import Application, ConflictDeclaration, User
from . import audit
from .accounts import is_staff
from .errors import Forbidden

MAX_REASON = 2000
_CACHE = "conflict_declarations"  # per request: a page asks once, however many checks it makes


def declaration_of(user: User, application: Application) -> ConflictDeclaration | None:
    """The user's declaration (or recusal) on this case, read once per request."""
    cache: dict[tuple[uuid.UUID, uuid.UUID], ConflictDeclaration | None] | None = (
        g.setdefault(_CACHE, {}) if has_request_context() else None
    )
    key = (user.id, application.id)
    if cache is not None and key in cache:
        return cache[key]
    found = db.session.scalar(_declaration_query(), {"user_id": user.id, "application_id": application.id})
    if cache is not None:
        cache[key] = found
    return found


@functools.cache
def _declaration_query() -> Select[ConflictDeclaration]:
    """Built once: every look at a case asks it."""
    return select(ConflictDeclaration).where(
        ConflictDeclaration.user_id == bindparam("user_id"),
        ConflictDeclaration.application_id == bindparam("application_id"),
    )


def _remember(declaration: ConflictDeclaration) -> None:
    if has_request_context():
        g.setdefault(_CACHE, {})[(declaration.user_id, declaration.application_id)] = declaration


def is_member(user: User, application: Application) -> bool:
    """Whether the user belongs to the applying organisation (recused without asking)."""
    return application.organisation_id in user.organisation_ids


def recusal_reason(user: User, application: Application) -> str | None:
    """Why the user may not see this case's content: they belong to the applying organisation, or they
    recused themselves; None otherwise."""
    if is_member(user, application):
        return _(
            "U bent lid van de organisatie die deze aanvraag indiende. U onthoudt zich daarom van dit dossier: "
            "u kunt de inhoud niet inzien en er niets in doen."
        )
    declaration = declaration_of(user, application)
    if declaration is not None and declaration.recused:
        return _(
            "U hebt zich van dit dossier onthouden (belangenconflict). U kunt de inhoud niet inzien en er niets "
            "in doen. Reden die u opgaf: %(reason)s",
            reason=declaration.reason or "",
        )
    return None


def refuse_if_recused(user: User, application: Application) -> None:
    """Forbidden, with the reason, for a user recused from the case."""
    reason = recusal_reason(user, application)
    if reason is not None:
        raise Forbidden(reason)


def needs_declaration(user: User, application: Application) -> bool:
    """Whether `user` must declare (or recuse) before seeing this case's content: any member of staff
    (reviewer, decision maker, admin, advisor) without a declaration on record for it."""
    return is_staff(user) and declaration_of(user, application) is None


def declare_no_conflict(user: User, application: Application) -> ConflictDeclaration:
    """Record that the user has no conflict of interest with the applying organisation (commits). A
    declaration made already stays as it is."""
    refuse_if_recused(user, application)
    existing = declaration_of(user, application)
    if existing is not None:
        return existing
    return _record(user, application, recused=False, reason=None)


def recuse(user: User, application: Application, reason: str) -> ConflictDeclaration:
    """Record that the user recuses themselves from the case, with their reason (commits). A declaration
    of no conflict made before becomes a recusal: a conflict can come to light later. A recusal is final."""
    reason = reason.strip()[:MAX_REASON]
    if not reason:
        raise ValueError("a recusal needs a reason")
    refuse_if_recused(user, application)
    existing = declaration_of(user, application)
    if existing is None:
        return _record(user, application, recused=True, reason=reason)
    existing.recused, existing.reason = True, reason
    _audit("conflict.recused", existing, old={"recused": False})
    db.session.commit()
    return existing


def _record(user: User, application: Application, *, recused: bool, reason: str | None) -> ConflictDeclaration:
    declaration = ConflictDeclaration(
        user_id=user.id,
        application_id=application.id,
        organisation_id=application.organisation_id,
        recused=recused,
        reason=reason,
    )
    db.session.add(declaration)
    try:
        db.session.flush()
    except IntegrityError:  # the same person declared in another tab at the same moment: theirs stands
        db.session.rollback()
        g.pop(_CACHE, None)
        found = declaration_of(user, application)
        if found is None:
            raise
        return found
    _audit("conflict.recused" if recused else "conflict.declared", declaration, old=None)
    db.session.commit()
    _remember(declaration)
    return declaration


def _audit(action: str, declaration: ConflictDeclaration, *, old: dict[str, object] | None) -> None:
    audit.record(
        action,
        object_type="conflict_declaration",
        object_id=declaration.id,
        application_id=declaration.application_id,
        old=old,
        new={
            "user_id": declaration.user_id,
            "organisation_id": declaration.organisation_id,
            "recused": declaration.recused,
            "reason": declaration.reason,
        },
    )


def recused_user_ids(application_id: uuid.UUID) -> frozenset[uuid.UUID]:
    """Everyone who recused themselves from the case (assignment skips them)."""
    return frozenset(
        db.session.scalars(
            select(ConflictDeclaration.user_id).where(
                ConflictDeclaration.application_id == application_id, ConflictDeclaration.recused.is_(True)
            )
        )
    )
