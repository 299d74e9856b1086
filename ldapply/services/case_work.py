"""Work on a case beside its moves: assignment, holds and internal notes, each audited.

Every function here changes one case and commits; `Application.version` is the optimistic lock, so a
change that races another one on the same case loses with ChangedMeanwhile and leaves nothing saved.
"""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..i18n import _
from ..models import Application, ConflictDeclaration, Membership, User
from ..workflows._spec import Role
from . import audit
from .errors import ChangedMeanwhile, TransitionNotAllowed

# Who may handle a case and so be assigned it.
ASSIGNABLE_ROLES = frozenset({Role.REVIEWER, Role.DECISION_MAKER})
# Who may assign, hold or release a case (an advisor only gives advice).
WORKING_ROLES = frozenset({Role.REVIEWER, Role.DECISION_MAKER, Role.ADMIN})


def assign(*, application: Application, assignee: User | None, actor: User, reason: str | None = None) -> None:
    """Assign the case to `assignee` (None: unassign). Refused when the actor may not work on the case, or
    the assignee holds no reviewer or decision-maker role for its regime, recused themselves from it, or
    is a member of the applying organisation. Commits; ChangedMeanwhile when the case changed meanwhile."""
    _require_worker(actor, application)
    if assignee is not None:
        refusal = assignment_refusal(application, assignee)
        if refusal is not None:
            raise TransitionNotAllowed(refusal)
    if (assignee.id if assignee is not None else None) == application.assignee_id:
        return  # nothing changes: no version bump, no audit entry
    old = _assignee_values(application.assignee)
    application.assignee_id = assignee.id if assignee is not None else None
    application.assignee = assignee
    new = _assignee_values(assignee)
    if reason and reason.strip():
        new["reason"] = reason.strip()[:2000]
    _commit(application, "case.assigned", old=old, new=new, actor=actor)


def assignment_refusal(application: Application, assignee: User) -> str | None:
    """Why `assignee` may not be given this case, or None when they may."""
    if not set(assignee.roles_for(application.regime_code)) & ASSIGNABLE_ROLES or not assignee.active:
        return _("%(name)s is geen dossierbehandelaar of beslisser voor deze regeling.", name=assignee.name)
    if _recused(assignee.id, application.id):
        return _("%(name)s heeft zich voor dit dossier onthouden (belangenconflict).", name=assignee.name)
    if _member(assignee.id, application.organisation_id):
        return _("%(name)s is lid van de aanvragende organisatie.", name=assignee.name)
    return None


def _recused(user_id: uuid.UUID, application_id: uuid.UUID) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    ConflictDeclaration.user_id == user_id,
                    ConflictDeclaration.application_id == application_id,
                    ConflictDeclaration.recused.is_(True),
                )
            )
        )
    )


def _member(user_id: uuid.UUID, organisation_id: uuid.UUID) -> bool:
    return bool(
        db.session.scalar(
            select(exists().where(Membership.user_id == user_id, Membership.organisation_id == organisation_id))
        )
    )


def _require_worker(actor: User, application: Application) -> None:
    if not set(actor.roles_for(application.regime_code)) & WORKING_ROLES:
        raise TransitionNotAllowed(_("U mag aan dit dossier niet werken."))


def _assignee_values(user: User | None) -> dict[str, object]:
    return {"assignee": str(user.id) if user is not None else None, "assignee_name": user.name if user else None}


def _commit(
    application: Application,
    action: str,
    *,
    old: dict[str, object],
    new: dict[str, object],
    actor: User,
    object_type: str = "application",
    object_id: object = None,
) -> None:
    """Write the change with its audit entry (last, as services/audit.py asks) and commit; a change that
    lost the race to another one on the same case is rolled back and reported as ChangedMeanwhile."""
    try:
        db.session.flush()  # the version check runs here, before the audit head is locked
        audit.record(
            action,
            object_type=object_type,
            object_id=object_id if object_id is not None else application.id,
            application_id=application.id,
            old=old,
            new=new,
            actor=actor,
        )
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise ChangedMeanwhile() from None
    except BaseException:
        db.session.rollback()
        raise
