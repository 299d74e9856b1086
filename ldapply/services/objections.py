"""Objections as cases of their own, linked to the case whose decision they contest.

Lodging an objection against the decision a case rests in (the regime's `objects` move) opens a new case in the
same transaction: the same organisation, regime and version, the contested case's pinned parameters and handed-in
answers, a reference of its own (the contested one's with "-B1", "-B2", ...), and `objection_of_id` pointing back.
The objection move is made on that case (transitions.apply_transition), which gives it its own clock, proposal and
decision; the contested case stays in its state. A decision on the objection that `reopens` (an objection upheld)
is followed by ldapply's own move on the contested case, in the same request; should that move fail, the beat's
sweep (`reopen_upheld`) makes it later, once.
"""

from __future__ import annotations

import copy
import functools
import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import aliased, defer

from ..clock import utcnow
from ..extensions import db
from ..i18n import _
from ..models import Application, ApplicationEvent, User
from ..workflows import all_versions
from ..workflows._spec import Regime, Transition
from . import audit
from .answers import handed_in
from .backoffice import entered_at
from .errors import TransitionNotAllowed
from .regimes import regime_of

log = logging.getLogger(__name__)

LINKED_SHOWN = 20  # a case has one objection per decision; a long life has a few
SWEEP_BATCH = 200  # contested cases reopened per beat run: the rest follow in the next run


# -- lodging -------------------------------------------------------------------------------------------


def lodged_refusal(application: Application, events: Sequence[ApplicationEvent] | None = None) -> str | None:
    """Why no objection may be lodged against the decision the application rests in because one was already
    lodged against it (one objection case per decision); None when none was. `events` as for entered_at."""
    since = entered_at(application, events)
    query = select(Application.reference).where(Application.objection_of_id == application.id)
    if since is not None:
        query = query.where(Application.submitted_at >= since)
    found = db.session.scalar(query.order_by(Application.submitted_at.desc()).limit(1))
    if found is None:
        return None
    return _("Tegen deze beslissing werd al bezwaar ingediend, in het dossier %(reference)s.", reference=found)


def case_for(
    application: Application, transition: Transition, actor: User | None
) -> tuple[Application | None, Application]:
    """(the contested case, the case the move is made on): for an objection, `application` and a new case of
    its own (`open_case`); for any other move, (None, `application`)."""
    if not transition.objects:
        return None, application
    return application, open_case(application, actor)


def open_case(contested: Application, actor: User | None) -> Application:
    """The objection's own case, added to the session (the caller makes the objection move on it and commits).

    It starts from the decision it contests (the state the objection move leaves in the regime's table), with
    the contested case's pinned parameters and handed-in answers; submitted now, by the objecting member. The
    contested case's version rises with it, so that of two objections lodged at once one loses (ChangedMeanwhile)."""
    if actor is None:
        raise TransitionNotAllowed(_("U mag deze actie niet uitvoeren."))
    now = utcnow()
    contested.updated_at = now
    db.session.flush()  # the contested case's row first: a racing objection waits here, then finds it changed
    answers = handed_in(contested)
    case = Application(
        id=uuid.uuid4(),
        reference=_reference(contested),
        organisation_id=contested.organisation_id,
        regime_code=contested.regime_code,
        regime_version=contested.regime_version,
        state=contested.state,
        answers=copy.deepcopy(answers),
        submitted_answers=copy.deepcopy(answers),
        completed_steps=list(contested.completed_steps or []),
        parameters=copy.deepcopy(contested.parameters),
        created_by_id=actor.id,
        submitted_at=now,
        created_at=contested.created_at,  # the application it carries was started then (the regime's period)
        objection_of_id=contested.id,
        clocks={},
    )
    db.session.add(case)
    return case


def _reference(contested: Application) -> str:
    """The contested case's reference with the objection's number: LDE-2026-ABC123-B1, -B2, ..."""
    count = db.session.scalar(select(func.count()).where(Application.objection_of_id == contested.id)) or 0
    return f"{contested.reference}-B{count + 1}"


def record_lodged(
    contested: Application | None, case: Application, event: ApplicationEvent, actor: User | None
) -> None:
    """The contested case's trail says that an objection was lodged against it, naming the objection's case
    (written last in the transaction, as services/audit.py asks); nothing when the move opened no case."""
    if contested is None:
        return
    audit.record(
        "objection.lodged",
        object_type="application",
        object_id=case.id,
        application_id=contested.id,
        old={"state": contested.state},
        new={
            "objection_id": case.id,
            "objection_reference": case.reference,
            "event_id": event.id,
            "motivation": event.comment,
        },
        actor=actor,
    )


# -- the decision on the objection ---------------------------------------------------------------------


def reopen_contested(case: Application, decided: Transition) -> bool:
    """After a decision on an objection case that `reopens` (committed): ldapply's own move on the contested
    case. Whether it moved; when it could not (it moved meanwhile, the database failed), `reopen_upheld` makes
    the move later."""
    if decided.reopens is None or case.objection_of_id is None:
        return False
    contested = db.session.get(Application, case.objection_of_id)
    if contested is None:
        return False
    from .periods import make_automatic_move  # periods moves through transitions, which calls this module

    moved = bool(make_automatic_move(contested, decided.reopens))
    if not moved:
        log.warning(
            "%s not reopened after the objection %s; the sweep tries again", contested.reference, case.reference
        )
    return moved


def reopen_upheld() -> int:
    """Contested cases an objection decision reopens that were not reopened (the second move of that request
    failed): reopen them now. Idempotent: a case reopened since the decision is found no more. Returns how many
    moved; a contested case that is no longer where the move starts is left as it is."""
    from .periods import make_automatic_move  # periods moves through transitions, which calls this module

    moved = 0
    for contested, action in _not_reopened():
        moved += make_automatic_move(contested, action)
    return moved


def _reopening(regimes: Sequence[Regime]) -> list[tuple[str, str, str, frozenset[str]]]:
    """(regime code, deciding action, the move it makes on the contested case, where that move starts)."""
    found = set()
    for regime in regimes:
        for transition in regime.transitions:
            move = regime.transition(transition.reopens) if transition.reopens else None
            if move is not None:
                found.add((regime.code, transition.action, move.action, move.sources))
    return sorted(found, key=lambda row: row[:3])


def _not_reopened() -> list[tuple[Application, str]]:
    contested, objection = aliased(Application), aliased(Application)
    decision, reopened = aliased(ApplicationEvent), aliased(ApplicationEvent)
    found: list[tuple[Application, str]] = []
    for code, deciding, reopening, sources in _reopening(all_versions()):
        rows = db.session.scalars(
            select(contested)
            .join(objection, objection.objection_of_id == contested.id)
            .join(decision, and_(decision.application_id == objection.id, decision.action == deciding))
            .where(
                objection.regime_code == code,
                contested.state.in_(sources),
                ~exists().where(
                    reopened.application_id == contested.id,
                    reopened.action == reopening,
                    reopened.created_at >= decision.created_at,
                ),
            )
            .order_by(decision.created_at, contested.id)
            .limit(SWEEP_BATCH)
        ).unique()
        found += [(application, reopening) for application in rows]
    return found


# -- what pages show -------------------------------------------------------------------------------------


def linked_cases(application: Application) -> list[Application]:
    """The objection cases against this case's decisions, and the case an objection contests: the contested
    case first, then the objections, oldest first (one query, without their answers)."""
    contests = application.objection_of_id is not None
    found = db.session.scalars(
        _linked_query(contests), {"application_id": application.id, "contested_id": application.objection_of_id}
    )
    return sorted(found, key=lambda case: case.id != application.objection_of_id)


@functools.cache
def _linked_query(contests: bool) -> Select[Application]:
    """Built once per shape (an objection case also shows the case it contests): every case view reads it."""
    linked = Application.objection_of_id == bindparam("application_id")
    if contests:
        linked = or_(linked, Application.id == bindparam("contested_id"))
    return (
        select(Application)
        .options(defer(Application.answers), defer(Application.submitted_answers))
        .where(linked)
        .order_by(Application.submitted_at, Application.id)
        .limit(LINKED_SHOWN)
    )


def may_be_linked(application: Application, events: Sequence[ApplicationEvent]) -> bool:
    """Whether the case may have linked cases, read from what the page has (no query): an objection case; a
    case in a decided state an objection may contest, where the regime opens one; a case reopened after one."""
    regime = regime_of(application)
    if application.objection_of_id is not None:
        return True
    objects = any(t.objects and application.state in t.sources for t in regime.transitions)
    if objects and (application.parameters or {}).get("objection_enabled"):
        return True
    reopening = {t.reopens for t in regime.transitions if t.reopens}
    return any(e.action in reopening for e in events)


def against_decision(
    application: Application, linked: Sequence[Application], events: Sequence[ApplicationEvent]
) -> Application | None:
    """The objection case lodged against the decision the application rests in, among `linked`."""
    since = entered_at(application, events)
    return next(
        (
            case
            for case in reversed(linked)
            if case.objection_of_id == application.id
            and case.submitted_at is not None
            and (since is None or _aware(case.submitted_at) >= _aware(since))
        ),
        None,
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
