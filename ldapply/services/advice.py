"""Advice from outside advisory bodies: asked with a due date, given by the body's advisors.

Both moves are the regime's: asking is the transition into the state whose move is the advisor's,
recording is the transition out of it that `advises`. Each is made here together with its row, in one
transaction (`transitions.apply_transition` commits, or rolls back when it refuses)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Set
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from ..clock import local_date, utcnow
from ..extensions import db
from ..i18n import _, format_day
from ..models import AdviceRequest, AdvisoryBody, Application, RoleGrant, User
from ..workflows._clock import ClockSpec, DayCount
from ..workflows._spec import Parameter, Party, Regime, Role, Transition
from ..working_days import add_days, next_working_day
from . import accounts, legal_clock, mail, staff, transitions
from .clock_records import ClockRecord
from .errors import DomainError, NotFound, TransitionNotAllowed
from .memo import per_request
from .regimes import regime_of

MAX_TEXT = 10_000
PAGE_SIZE = 50


# -- the regime's moves -----------------------------------------------------------------------------


def _advisor_states(regime: Regime) -> frozenset[str]:
    return frozenset(s.code for s in regime.states if s.whose_move == Party.ADVISOR)


def request_move(regime: Regime) -> Transition | None:
    """The move that asks for advice: into the state whose move is the advisor's."""
    states = _advisor_states(regime)
    return next((t for t in regime.transitions if t.target in states and not t.automatic), None)


def record_move(regime: Regime) -> Transition | None:
    """The move that records the advice: out of the advisor's state, marking its actor as an advisor."""
    states = _advisor_states(regime)
    return next((t for t in regime.transitions if t.advises and t.sources & states), None)


# -- what the pages read ----------------------------------------------------------------------------


# The administration's own rule (not found in the regimes' law): a default advice due date never falls on a
# Saturday, Sunday, public holiday or closing day. A working-day count never lands on one; a calendar-day one
# that does is moved to the next working day, as Belgian law usually does with a deadline (Ger.W. art. 53).
# Staff may still choose another date.
DUE_MOVES_TO_WORKING_DAY = True


@dataclass(frozen=True)
class Due:
    """The default due date for advice: today plus the pinned parameter the advisor's state names, counted as
    the case's clock counts (`count`); `moved`: its last day was not a working day and gave way to the next."""

    on: date | None
    parameter: Parameter | None
    days: int | None
    count: DayCount = DayCount.CALENDAR
    moved: bool = False


def default_due(application: Application) -> Due:
    """From today, the number of days of the parameter the advisor's state is bound by, as pinned for the
    application at submission (its provenance shown beside it), counted in the days of the case's clock."""
    regime = regime_of(application)
    move = request_move(regime)
    name = regime.state(move.target).deadline if move is not None else None
    if name is None:
        return Due(None, None, None)
    parameter = regime.parameter(name)
    value = (application.parameters or {}).get(name, parameter.value)
    days = value if isinstance(value, int) and not isinstance(value, bool) else None
    spec = clock_of(application, regime)
    count = spec.days if spec is not None else DayCount.CALENDAR
    if days is None:
        return Due(None, parameter, None, count)
    start = local_date(utcnow())
    on, moved = due_after(start, days, count, legal_clock.closing_days(start))
    return Due(on, parameter, days, count, moved)


def due_after(start: date, days: int, count: DayCount, closed: Set[date]) -> tuple[date, bool]:
    """The last day of `days` counted from `start`, moved to a working day by the administration's rule;
    and whether it was moved."""
    end = add_days(start, days, count, closed)
    due = next_working_day(end, closed) if DUE_MOVES_TO_WORKING_DAY else end
    return due, due != end


def clock_of(application: Application, regime: Regime) -> ClockSpec | None:
    """The regime's clock that runs on the case now (the advice is asked under it); else the first one
    started and not stopped; None when no clock has started."""
    specs = {spec.name: spec for spec in regime.clocks}
    records = {
        name: ClockRecord.from_json(found) for name, found in (application.clocks or {}).items() if name in specs
    }
    running = [name for name, record in records.items() if record.running]
    standing = [name for name, record in records.items() if record.stopped_on is None]
    chosen = next(iter(running or standing), None)
    return specs[chosen] if chosen is not None else None


@per_request
def requests_for(application_id: uuid.UUID) -> list[AdviceRequest]:
    """The advice asked on a case, oldest first, with what each body answered."""
    return list(db.session.scalars(_requests_query(), {"application_id": application_id}))


@functools.cache
def _requests_query() -> Select[AdviceRequest]:
    """Built once: every view of a case reads it."""
    return (
        select(AdviceRequest)
        .where(AdviceRequest.application_id == bindparam("application_id"))
        .order_by(AdviceRequest.created_at, AdviceRequest.id)
    )


def people_of(requests: list[AdviceRequest]) -> dict[uuid.UUID, User]:
    """Who asked and who advised, by id, in one statement (with their grants, to tell an advisor from a
    reviewer who registered advice that came by post)."""
    ids = {r.requested_by_id for r in requests} | {r.advised_by_id for r in requests if r.advised_by_id}
    if not ids:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(ids)).options(selectinload(User.role_grants)))
    return {user.id: user for user in users}


def bodies_for(regime_code: str) -> list[AdvisoryBody]:
    """The active bodies that can be asked under this regime."""
    return list(
        db.session.scalars(
            select(AdvisoryBody)
            .where(
                AdvisoryBody.active.is_(True),
                or_(AdvisoryBody.regime_code.is_(None), AdvisoryBody.regime_code == regime_code),
            )
            .order_by(AdvisoryBody.name, AdvisoryBody.id)
        )
    )


def open_request(application: Application, user: User | None = None) -> AdviceRequest | None:
    """The advice asked and not given yet on this case; for an advisor-only `user`, only their body's."""
    query = select(AdviceRequest).where(AdviceRequest.application_id == application.id, AdviceRequest.advice.is_(None))
    if user is not None and not user.roles_for(application.regime_code) & {Role.REVIEWER}:
        query = query.where(AdviceRequest.advisory_body_id.in_(staff.advisory_body_ids(user)))
    return db.session.scalar(query.order_by(AdviceRequest.created_at.desc()).limit(1))


def may_request(application: Application, user: User) -> bool:
    move = request_move(regime_of(application))
    return move is not None and transitions.may_make(application, move.action, user)


def may_record(application: Application, user: User) -> bool:
    move = record_move(regime_of(application))
    return move is not None and transitions.may_make(application, move.action, user)


@dataclass(frozen=True)
class AdvisorPage:
    """A page of the advice asked of an advisor's bodies: open first, by due date."""

    rows: list[tuple[AdviceRequest, Application]]
    total: int
    page: int
    pages: int


def queue_for(user: User, page: int = 1) -> AdvisorPage:
    """The cases sent to the bodies this user speaks for (active bodies only), open advice first, the
    earliest due date first; paged, with the count (two statements)."""
    bodies = staff.advisory_body_ids(user)
    where = (
        AdviceRequest.advisory_body_id.in_(bodies),
        AdvisoryBody.active.is_(True),
        Application.submitted_at.is_not(None),
    )
    joined = (
        select(AdviceRequest, Application)
        .join(Application, Application.id == AdviceRequest.application_id)
        .join(AdvisoryBody, AdvisoryBody.id == AdviceRequest.advisory_body_id)
    )
    total = (
        db.session.scalar(
            select(func.count())
            .select_from(AdviceRequest)
            .join(Application, Application.id == AdviceRequest.application_id)
            .join(AdvisoryBody, AdvisoryBody.id == AdviceRequest.advisory_body_id)
            .where(*where)
        )
        if bodies
        else 0
    ) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = (
        db.session.execute(
            joined.where(*where)
            .order_by(
                AdviceRequest.advice.is_not(None),
                AdviceRequest.due_on.is_(None),
                AdviceRequest.due_on,
                AdviceRequest.created_at,
                AdviceRequest.id,
            )
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        ).all()
        if bodies
        else []
    )
    return AdvisorPage([(row[0], row[1]) for row in rows], total, page, pages)


# -- the two moves ----------------------------------------------------------------------------------


def request_advice(
    *, application: Application, actor: User, body_id: uuid.UUID, question: str, due_on: date | None
) -> AdviceRequest:
    """Ask `body_id` for advice on the case with `question`, by `due_on`; the body's advisors get a mail.
    Raises TransitionNotAllowed when the move is not the actor's to make now or the input is wrong."""
    regime = regime_of(application)
    move = request_move(regime)
    if move is None:
        raise TransitionNotAllowed(_("Deze regeling kent geen adviesaanvraag."))
    body = db.session.get(AdvisoryBody, body_id)
    if body is None or not body.active or body.regime_code not in (None, application.regime_code):
        raise TransitionNotAllowed(_("Kies een adviesorgaan dat over deze regeling adviseert."))
    question = question.strip()
    if not question:
        raise TransitionNotAllowed(_("Schrijf de vraag aan het adviesorgaan."))
    if due_on is not None and due_on < local_date(utcnow()):
        raise TransitionNotAllowed(_("De datum voor het advies kan niet in het verleden liggen."))
    asked = AdviceRequest(
        id=uuid.uuid4(),
        application_id=application.id,
        advisory_body_id=body.id,
        requested_by_id=actor.id,
        question=question[:MAX_TEXT],
        due_on=due_on,
    )
    db.session.add(asked)  # committed with the move, or rolled back with it
    _mail_advisors(body, application, asked)
    _move(
        application,
        move,
        actor,
        note=_("Advies gevraagd aan %(body)s: %(question)s", body=body.name, question=asked.question),
    )
    staff.forget_asked()
    return asked


def record_advice(*, application: Application, actor: User, request_id: uuid.UUID, advice: str) -> AdviceRequest:
    """The advice given on the open request `request_id`: by an advisor of the body asked, or by a reviewer
    registering advice that came by post. Its author is an advisor on the case from then on (never its
    decision maker). Raises TransitionNotAllowed when it is not theirs to record now."""
    move = record_move(regime_of(application))
    asked = open_request(application, actor)
    if move is None or asked is None or asked.id != request_id:
        raise TransitionNotAllowed(_("Er staat voor u geen adviesvraag open in dit dossier."))
    advice = advice.strip()
    if not advice:
        raise TransitionNotAllowed(_("Schrijf het advies."))
    asked.advice, asked.advised_by_id, asked.advised_at = advice[:MAX_TEXT], actor.id, utcnow()
    _move(application, move, actor, motivation=asked.advice)
    return asked


def _move(
    application: Application, move: Transition, actor: User, *, note: str | None = None, motivation: str | None = None
) -> None:
    """The regime's move, committed with what was added to the session before it; when it is refused,
    that goes too (nothing half-saved)."""
    try:
        transitions.apply_transition(
            application=application, action=move.action, actor=actor, note=note, motivation=motivation
        )
    except DomainError:
        db.session.rollback()
        raise


def _mail_advisors(body: AdvisoryBody, application: Application, asked: AdviceRequest) -> None:
    """Each active advisor of the body hears of the question, in their own language, with a link."""
    advisors = db.session.scalars(
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.ADVISOR, RoleGrant.advisory_body_id == body.id, User.active.is_(True))
        .order_by(User.email)
    ).unique()
    for advisor in advisors:
        with accounts.in_language_of(advisor):
            due = _("Graag uw advies uiterlijk op %(date)s.", date=format_day(asked.due_on)) if asked.due_on else ""
            mail.queue_mail(
                advisor.email,
                _("Adviesvraag over dossier %(reference)s", reference=application.reference),
                _(
                    "Beste %(name)s,\n\nHet Departement vraagt %(body)s om advies over dossier %(reference)s van "
                    "%(organisation)s.\n\nDe vraag:\n%(question)s\n\n%(due)s\n\nU vindt het dossier en het "
                    "formulier voor uw advies hier:\n\n%(link)s",
                    name=advisor.name,
                    body=body.name,
                    reference=application.reference,
                    organisation=application.organisation.name,
                    question=asked.question,
                    due=due,
                    link=mail.link("backoffice.advice_case", application_id=str(application.id)),
                )
                + accounts.signature(),
            )


def get_body(body_id: uuid.UUID) -> AdvisoryBody:
    body = db.session.get(AdvisoryBody, body_id)
    if body is None:
        raise NotFound()
    return body
