"""Requests for additional information, item by item: which step, field or upload, what is wrong, by
which date; the clock stands still until the applicant answers or the date passes. What the pages show of
them, and the lapse of a request whose date passed (information_items stores and answers them)."""

from __future__ import annotations

import copy
import functools
import logging
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import ScalarSelect, Select, and_, bindparam, func, or_, select

from ..clock import local_date
from ..extensions import db
from ..models import Application, ApplicationEvent, InformationRequestItem
from ..workflows import REGIMES
from ..workflows._spec import Field, Regime, Step, Transition
from .assessment import parameters_of
from .information_items import (
    LAPSE_PARAMETER,
    LAPSE_REVIEW,
    WHOLE_APPLICATION,
    due_passed,
    item_parts,
    regime_items,
)
from .regimes import regime_of

log = logging.getLogger(__name__)

CASE_PAGE_ITEMS = 200  # the newest items on the case page; a case rarely has more than a few requests
LAPSE_BATCH = 500  # cases lapsed per beat run: the rest follow in the next run


@dataclass(frozen=True)
class AskedRow:
    """One item as pages show it: the step (and question) it names, and for an answered item whether the
    hand-in changed its answers."""

    item: InformationRequestItem
    step: Step | None
    question: Field | None
    changed: bool = False
    waiting: bool = True  # the case still waits on an answer (it is where the applicant answers)

    @property
    def whole_application(self) -> bool:
        return self.item.item == WHOLE_APPLICATION

    @property
    def names(self) -> set[str]:
        """The answers the item covers: its question, every question of its step, or every one."""
        if self.question is not None:
            return {self.question.name}
        return {f.name for f in self.step.fields} if self.step is not None else set()

    def touched(self, changed: Collection[str]) -> bool:
        """Whether any of `changed` (answers changed) is an answer the item covers."""
        return bool(set(changed) & self.names) if not self.whole_application else bool(changed)

    @property
    def lapsed(self) -> bool:
        """Unanswered, and its date is over."""
        return self.item.answered_at is None and due_passed(self.item.due_on)

    @property
    def status(self) -> str:
        """answered; lapsed (its date passed unanswered); open (waiting for the answer); or closed (the case
        left the request otherwise, e.g. withdrawn)."""
        if self.item.answered_at is not None:
            return "answered"
        if self.lapsed:
            return "lapsed"
        return "open" if self.waiting else "closed"


@functools.cache
def _items_query() -> Select[InformationRequestItem]:
    """Built once: every view of a case reads it."""
    return (
        select(InformationRequestItem)
        .where(InformationRequestItem.application_id == bindparam("application_id"))
        .order_by(InformationRequestItem.created_at.desc(), InformationRequestItem.id)
        .limit(CASE_PAGE_ITEMS)
    )


def items_for(application_id: uuid.UUID) -> list[AskedRow]:
    """The items asked on a case, newest request first, with what each hand-in changed (two queries)."""
    application = db.session.get_one(Application, application_id)  # the page's own, from the session
    regime = regime_of(application)
    found = list(db.session.scalars(_items_query(), {"application_id": application_id}))
    changed = _changed_by_hand_ins(application, regime, found)
    requests = {event_id: rank for rank, event_id in enumerate(dict.fromkeys(i.event_id for i in found))}
    waiting = regime.state(application.state).applicant_edits
    rows = [
        replace(_row(regime, item, changed.get(item.answered_at) if item.answered_at else None), waiting=waiting)
        for item in found
    ]
    return sorted(rows, key=lambda r: (requests[r.item.event_id], _position(regime, r.item.item)))


def _changed_by_hand_ins(
    application: Application, regime: Regime, items: Sequence[InformationRequestItem]
) -> dict[datetime, set[str]]:
    """Per hand-in that answered some of `items` (by its moment), the answers it changed."""
    moments = {i.answered_at for i in items if i.answered_at is not None}
    if not moments:
        return {}
    hands_in = [t.action for t in regime.transitions if t.hands_in]
    events = db.session.execute(
        select(ApplicationEvent.created_at, ApplicationEvent.items).where(
            ApplicationEvent.application_id == application.id,
            ApplicationEvent.action.in_(hands_in),
            ApplicationEvent.created_at.in_(moments),
        )
    )
    return {at: set(changed or []) for at, changed in events}


def _row(regime: Regime, item: InformationRequestItem, changed: set[str] | None) -> AskedRow:
    step, question = item_parts(regime, item.item)
    row = AskedRow(item, step, question)
    if changed is None:
        return row
    return AskedRow(item, step, question, row.touched(changed))


def _position(regime: Regime, name: str) -> int:
    order = regime_items(regime)
    return order.index(name) if name in order else -1


# -- the request the applicant answers now -------------------------------------------------------------


@dataclass(frozen=True)
class AskedOnStep:
    """A request's items on one step: the reviewer's message for the whole step, and per question asked."""

    whole_step: str | None
    questions: dict[str, str]

    def __bool__(self) -> bool:
        return self.whole_step is not None or bool(self.questions)


@dataclass(frozen=True)
class OpenRequest:
    """The request the applicant is answering: its date, and its items in the order of the steps."""

    due_on: date | None
    rows: list[AskedRow]

    def for_step(self, step: Step) -> AskedOnStep:
        """What the reviewer wrote on this step: for the whole step, and per question asked. A question that
        bears the step's own name (lok_advice, ...) is asked on its own, never as the step."""
        on_step = [r for r in self.rows if r.step is not None and r.step.slug == step.slug]
        whole = next((r.item.message for r in on_step if r.question is None), None)
        return AskedOnStep(whole, {r.question.name: r.item.message for r in on_step if r.question is not None})

    @property
    def items(self) -> list[AskedRow]:
        """The items that name a step or a question (not the whole application)."""
        return [r for r in self.rows if not r.whole_application]


def open_request(application: Application, events: Sequence[ApplicationEvent] | None = None) -> OpenRequest | None:
    """The request for additions the application waits on (None when it waits on none): the items of the
    move that brought it into its state. `events`, its history, saves finding that move (one query less)."""
    regime = regime_of(application)
    if application.submitted_at is None or not regime.state(application.state).applicant_edits:
        return None  # no query: a draft, or a state where nothing is asked
    if events is not None:
        event_id = next((e.id for e in reversed(events) if e.to_state == application.state), None)
        if event_id is None:
            return None
        where = InformationRequestItem.event_id == event_id
    else:
        where = InformationRequestItem.event_id == _request_event(application)
    found = db.session.scalars(select(InformationRequestItem).where(where).order_by(InformationRequestItem.id))
    rows = sorted((_row(regime, item, None) for item in found), key=lambda r: _position(regime, r.item.item))
    if not rows:
        return None
    return OpenRequest(rows[0].item.due_on, rows)


def _request_event(application: Application) -> ScalarSelect[uuid.UUID]:
    """The latest move into the application's state, as a subquery."""
    return (
        select(ApplicationEvent.id)
        .where(ApplicationEvent.application_id == application.id, ApplicationEvent.to_state == application.state)
        .order_by(ApplicationEvent.created_at.desc(), ApplicationEvent.id.desc())
        .limit(1)
        .scalar_subquery()
    )


# -- lapse -----------------------------------------------------------------------------------------------


def lapse_move(regime: Regime, state: str) -> Transition | None:
    """The regime's automatic move out of a state where the applicant answers a request (additions_lapsed)."""
    if not regime.state(state).applicant_edits:
        return None
    return next((t for t in regime.transitions if t.automatic and state in t.sources), None)


def expire_lapsed(now: datetime) -> int:
    """Requests whose date passed without an answer: the regime's parameter decides what follows. With
    "review" the case goes back to the reviewer by the lapse move (the items stay unanswered, the answers
    not handed in are dropped, nothing stays open to change); returns how many cases moved. Idempotent: a
    case someone moved meanwhile, or moved by an earlier run, is left as it is."""
    from .periods import make_automatic_move  # not at the top: applications reads this module, periods moves cases

    today = local_date(now)
    moved = 0
    for application in _lapsed(today):
        regime = regime_of(application)
        move = lapse_move(regime, application.state)
        request = open_request(application)
        if move is None or request is None or request.due_on is None or today <= request.due_on:
            continue
        if parameters_of(application).get(LAPSE_PARAMETER) != LAPSE_REVIEW:
            log.info("request on %s lapsed; its regime says nothing follows", application.reference)
            continue
        if application.submitted_answers is not None:  # what was not handed in does not count
            application.answers = copy.deepcopy(application.submitted_answers)
        moved += make_automatic_move(application, move.action)
    return moved


def _lapsed(today: date) -> list[Application]:
    """Cases waiting on a request whose latest open date is before `today`: per regime the states a lapse
    leaves (the state index), each with its unanswered items (the items' index on the application)."""
    clauses = [
        and_(Application.regime_code == regime.code, Application.state.in_(states))
        for regime in REGIMES.values()
        if (states := [s.code for s in regime.states if lapse_move(regime, s.code) is not None])
    ]
    if not clauses:
        return []
    latest_due = (
        select(func.max(InformationRequestItem.due_on))
        .where(
            InformationRequestItem.application_id == Application.id,
            InformationRequestItem.answered_at.is_(None),
        )
        .scalar_subquery()
    )
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.submitted_at.is_not(None), or_(*clauses), latest_due < today)
            .order_by(Application.updated_at, Application.id)
            .limit(LAPSE_BATCH)
        )
    )


def marked_lapsed(application_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Of these cases (a page of the queue), those whose latest move was a lapsed request: "aanvraag om
    informatie verlopen" until the reviewer moves on. One query."""
    if not application_ids:
        return set()
    lapses = {t.action for regime in REGIMES.values() for t in regime.transitions if _is_lapse(regime, t)}
    latest = (
        select(ApplicationEvent.application_id, func.max(ApplicationEvent.created_at).label("at"))
        .where(ApplicationEvent.application_id.in_(application_ids))
        .group_by(ApplicationEvent.application_id)
        .subquery()
    )
    found = db.session.scalars(
        select(ApplicationEvent.application_id)
        .join(
            latest,
            and_(
                ApplicationEvent.application_id == latest.c.application_id, ApplicationEvent.created_at == latest.c.at
            ),
        )
        .where(ApplicationEvent.action.in_(lapses))
    )
    return set(found)


def _is_lapse(regime: Regime, transition: Transition) -> bool:
    return transition.automatic and any(lapse_move(regime, s) == transition for s in transition.sources)
