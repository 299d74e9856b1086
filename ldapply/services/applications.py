"""Applications from the applicant's side: start, answer steps, check, submit."""

from __future__ import annotations

import copy
import functools
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, bindparam, delete, func, or_, select
from sqlalchemy.orm import defer, lazyload
from sqlalchemy.orm.exc import StaleDataError

from ..clock import LOCAL_ZONE, local, utcnow
from ..extensions import db
from ..i18n import _, format_day, text
from ..models import Application, ApplicationEvent, InformationRequestItem, Letter, Membership, Upload, User
from ..workflows import all_versions, get_regime
from ..workflows._spec import Answers, Field, Regime, StateSpec, Step, Transition

# transitions as a module: it imports modules (recognitions) that import this one back
from . import audit, calls, information_items, information_requests, steps, transitions
from .answers import applicable_answers, handed_in
from .backoffice import end_of_day_after
from .eligibility import reading
from .errors import ChangedMeanwhile, Forbidden, NotFound, StepIncomplete, TransitionNotAllowed
from .information_items import InformationRequest
from .parameter_changes import in_effect
from .regimes import missing_steps, missing_steps_message, regime_of
from .storage import get_storage
from .uploads import remove_files

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on the phone


class StepStatus(StrEnum):
    CANNOT_START = "cannot_start"  # it depends on an earlier step that is not completed yet
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"  # answers saved, but required ones missing or the step not validated
    COMPLETED = "completed"
    CHANGES_REQUESTED = "changes_requested"  # unlocked by a request for additions
    AS_SUBMITTED = "as_submitted"  # not asked in a request for additions: stays as handed in


def new_reference(now: datetime | None = None) -> str:
    year = local(now or utcnow()).year
    return f"LDE-{year}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def start_application(
    *,
    user: User,
    regime_code: str,
    call_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
    answers: Mapping[str, Any] | None = None,
) -> Application:
    """A new draft for the organisation the user acts for, under the current version of the regime.

    `answers` (from the eligibility pre-check) are carried into the draft, limited to the regime's own
    fields. A regime that works with calls needs an open call of that regime; raises StepIncomplete otherwise.
    """
    regime = get_regime(regime_code)
    membership = membership_of(user, organisation_id)
    if membership is None:
        raise NotFound(_("U bent geen lid van een organisatie."))
    if regime.uses_calls:
        open_ids = {call.id for call in calls.open_calls(regime.code)}
        if call_id not in open_ids:
            raise StepIncomplete(
                _("Kies een oproep die nu open is. Zonder open oproep kunt u deze aanvraag niet starten.")
            )
    else:
        call_id = None
    names = {f.name for f in regime.all_fields()}
    application = Application(
        id=uuid.uuid4(),
        reference=new_reference(),
        organisation_id=membership.organisation_id,
        regime_code=regime.code,
        regime_version=regime.version,
        state=regime.initial_state,
        answers={k: v for k, v in (answers or {}).items() if k in names},
        completed_steps=[],
        created_by_id=user.id,
        call_id=call_id,
    )
    db.session.add(application)
    db.session.commit()
    return application


def membership_of(user: User, organisation_id: uuid.UUID | None) -> Membership | None:
    """The user's membership of that organisation; of their first one when none is named."""
    for membership in user.memberships:
        if organisation_id is None or membership.organisation_id == organisation_id:
            return membership
    return None


# The home lists what is open or changed in the last year (an objection period runs from a decision, which
# changes its application); older closed applications, and any past the limit, are in the full list, a page at a
# time. The administration's own display rule: nothing is decided on it.
HOME_RECENT_DAYS = 365
HOME_LIMIT = 100
LIST_PAGE = 50


@dataclass(frozen=True)
class HomeList:
    applications: list[Application]  # newest first
    elsewhere: int  # the organisation's other applications (closed over a year ago, or past the limit)


# What the organisation's lists leave unread of each application: the answers (large) and the steps done (the
# task list's), the clocks and the hold (staff's), and the joined organisation (the user's own, already loaded
# with them) and assignee.
LISTED_ONLY = (
    defer(Application.answers),
    defer(Application.submitted_answers),
    defer(Application.completed_steps),
    defer(Application.clocks),
    defer(Application.unlocked),
    defer(Application.hold_reason),
    lazyload(Application.organisation),
    lazyload(Application.assignee),
)


def applications_of(organisation_id: uuid.UUID) -> HomeList:
    """The applications the home lists, without their answers: every one still open or changed in the last
    `HOME_RECENT_DAYS`, newest first, at most `HOME_LIMIT`; and how many others the full list holds (one query)."""
    chosen = {"organisation_id": organisation_id, "since": utcnow() - timedelta(days=HOME_RECENT_DAYS)}
    rows = db.session.execute(_home_query(), chosen).all()
    found = [row[0] for row in rows]
    # nothing listed: the count alone
    total = rows[0][1] if rows else db.session.scalar(select(_organisation_count()), chosen)
    return HomeList(found, (total or 0) - len(found))


def _organisation_count() -> ScalarSelect[int]:
    of_organisation = Application.organisation_id == bindparam("organisation_id")
    return select(func.count()).where(of_organisation).scalar_subquery()


@functools.cache
def _home_query() -> Select[Application, int]:
    """Built once (its conditions name every regime's terminal states: building them on each home cost more
    than running them)."""
    return (
        select(Application, _organisation_count())
        .options(*LISTED_ONLY)
        .where(
            Application.organisation_id == bindparam("organisation_id"),
            or_(~_closed(), Application.updated_at >= bindparam("since")),
        )
        .order_by(Application.created_at.desc(), Application.id)
        .limit(HOME_LIMIT)
    )


def _closed() -> ColumnElement[bool]:
    """An application in a terminal state of its regime (any version's)."""
    return or_(
        *(and_(Application.regime_code == code, Application.state.in_(states)) for code, states in _terminal_states())
    )


@functools.cache
def _terminal_states() -> tuple[tuple[str, tuple[str, ...]], ...]:
    terminal: dict[str, set[str]] = {}
    for regime in all_versions():
        terminal.setdefault(regime.code, set()).update(s.code for s in regime.states if s.terminal)
    return tuple((code, tuple(sorted(states))) for code, states in sorted(terminal.items()))


def every_application_of(organisation_id: uuid.UUID, page: int) -> tuple[list[Application], bool]:
    """The organisation's full list, newest first, `LIST_PAGE` at a time (page 1, 2, ...); whether a next page
    exists."""
    found = list(
        db.session.scalars(
            select(Application)
            .options(*LISTED_ONLY)
            .where(Application.organisation_id == organisation_id)
            .order_by(Application.created_at.desc(), Application.id)
            .offset((max(page, 1) - 1) * LIST_PAGE)
            .limit(LIST_PAGE + 1)
        )
    )
    return found[:LIST_PAGE], len(found) > LIST_PAGE


def get_for_member(user: User, application_id: uuid.UUID) -> Application:
    """The application, if it belongs to one of the user's organisations; NotFound otherwise."""
    application = db.session.get(Application, application_id)
    if application is None or application.organisation_id not in user.organisation_ids:
        raise NotFound()
    return application


def is_editable(application: Application) -> bool:
    """Applicants edit their answers in a draft, and again when asked for additions."""
    return regime_of(application).state(application.state).applicant_edits


def save_step(
    *,
    application: Application,
    step: Step,
    answers: Mapping[str, Any],
    actor: User,
    staged: Mapping[str, Sequence[steps.StagedFile]] | None = None,
    loaded: str | None = None,
) -> None:
    """Store a validated step: its answers, the files staged for it, the step as completed, and who saved it
    when (`step_changes`).

    `loaded` is what the form carried (`steps.loaded_token`: the step's revision and answers when the page
    was loaded): when someone else saved the step since, nothing is saved and `steps.StepChangedMeanwhile`
    says who, with their answers. Files the new answers let go are removed once the change is committed.
    Whether the step may change is checked on every attempt: a save that loses the race to a submission
    (or to the end of a request for additions) writes nothing.
    """

    def change() -> list[str]:
        if steps.changed_by_someone_else(application, step, actor, loaded):
            raise steps.StepChangedMeanwhile(step, application)
        return _merge_step(application, step, answers, staged or {}, actor)

    keys = steps.change_step(application, step, change)
    remove_files(keys)  # only once the answers let go of them are the files removed


def _merge_step(
    application: Application,
    step: Step,
    answers: Mapping[str, Any],
    staged: Mapping[str, Sequence[steps.StagedFile]],
    actor: User,
) -> list[str]:
    """Put the step's answers and files into the application (not committed); return the storage keys of
    the uploads no answer keeps any more."""
    steps.record_change(application, step, actor)  # first: reading the actor must not flush half a change
    locked = steps.locked_fields(application, step)  # not asked in a request for additions: kept as submitted
    before = dict(application.answers)
    merged = {**before, **{k: v for k, v in answers.items() if k not in locked}}
    steps.attach(application, step, merged, {k: v for k, v in staged.items() if k not in locked})
    visible = {f.name for f in step.visible_fields(merged)}
    for field in step.fields:  # answers to fields that no longer apply are not kept
        if field.name not in visible:
            merged.pop(field.name, None)
    application.answers = merged
    application.completed_steps = sorted({*application.completed_steps, step.slug})
    return steps.release(application, steps.dropped_uploads(step, before, merged))


def initial_answers(application: Application) -> dict[str, Any]:
    """The answers so far, with fields the organisation's record can fill pre-filled."""
    regime = regime_of(application)
    known = {
        field: getattr(application.organisation, attribute) for attribute, field in regime.organisation_fields.items()
    }
    return {**{k: v for k, v in known.items() if v}, **application.answers}


def organisation_mismatches(application: Application) -> list[str]:
    """Labels of answers that differ from the organisation's record, for the reviewer to check."""
    regime = regime_of(application)
    fields = {f.name: f for f in regime.all_fields()}
    mismatches, answers = [], handed_in(application)
    for attribute, name in regime.organisation_fields.items():
        on_record, answered = getattr(application.organisation, attribute), answers.get(name)
        if on_record and answered and str(on_record).casefold() != str(answered).casefold():
            mismatches.append(fields[name].label.nl)
    return mismatches


# -- the task list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepChange:
    """Who saved a step last, and when (from `applications.step_changes`, written when a step is saved)."""

    by_name: str
    at: datetime | None


@dataclass(frozen=True)
class StepRow:
    step: Step
    status: StepStatus
    change: StepChange | None
    waits_for: tuple[Step, ...] = ()  # the earlier steps it depends on, while they are not completed


def last_change(application: Application, slug: str) -> StepChange | None:
    entry = (application.step_changes or {}).get(slug)
    if not isinstance(entry, Mapping):
        return None
    try:
        at = datetime.fromisoformat(str(entry.get("at"))) if entry.get("at") else None
    except ValueError:
        at = None
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return StepChange(str(entry.get("by_name") or ""), at)


def answered(value: Any) -> bool:
    """Whether an answer was given: False and 0 are answers, an empty text or list is not."""
    return value is not None and value != "" and value != [] and value != {}


def _missing_required(step: Step, answers: Answers) -> bool:
    return any(f.required and not answered(answers.get(f.name)) for f in step.visible_fields(answers))


def _prerequisites(step: Step, answers: Answers) -> tuple[bool, frozenset[str]]:
    """Whether the step applies, and the answers its conditions (of the step and of its fields) read."""
    visible, read = (True, frozenset[str]()) if step.show_if is None else reading(step.show_if, answers)
    for field in step.fields:
        if field.show_if is not None:
            read |= reading(field.show_if, answers)[1]
    return bool(visible), read - {f.name for f in step.fields}


def _waits_for(regime: Regime, step: Step, answers: Answers, done: set[str]) -> tuple[bool, list[Step]]:
    """Whether the step applies, and the earlier steps it depends on that are not completed: the steps
    whose answers its conditions read, and the step that decides the application type (what follows
    depends on it)."""
    owner = {f.name: s for s in regime.steps for f in s.fields}
    visible, read = _prerequisites(step, answers)
    waits = [owner[name] for name in sorted(read) if name in owner and owner[name].slug not in done]
    gate = owner.get(regime.application_type_field or "")
    if gate is not None and regime.steps.index(step) > regime.steps.index(gate) and gate.slug not in done:
        waits.append(gate)
    return visible, list(dict.fromkeys(waits))


def step_rows(application: Application) -> list[StepRow]:
    """Every step that applies, or may apply once earlier steps are done, with its status."""
    regime, answers = regime_of(application), application.answers
    done = set(application.completed_steps)
    additions = is_editable(application) and application.submitted_at is not None
    rows = []
    for step in regime.steps:
        visible, waits = _waits_for(regime, step, answers, done)
        if not visible and not waits:
            continue  # the answers so far say it does not apply
        if additions:
            status = StepStatus.CHANGES_REQUESTED if is_step_unlocked(application, step) else StepStatus.AS_SUBMITTED
        elif waits:
            status = StepStatus.CANNOT_START
        elif step.slug in done and not _missing_required(step, answers):
            status = StepStatus.COMPLETED
        elif step.slug in done or any(answered(answers.get(f.name)) for f in step.fields):
            status = StepStatus.IN_PROGRESS
        else:
            status = StepStatus.NOT_STARTED
        rows.append(StepRow(step, status, last_change(application, step.slug), tuple(waits)))
    return rows


# -- additions, item by item -----------------------------------------------------------------------


def is_step_unlocked(application: Application, step: Step) -> bool:
    """Whether the applicant may change this step now: any step of a draft; during a request for
    additions only the steps asked for (a step asked by its slug, or by one of its fields), or every
    step when the request named no items."""
    return steps.may_change(application, step)


def unlocked_fields(application: Application) -> set[str] | None:
    """The field names the applicant may change during a request for additions: every field of a step
    asked, and each field asked on its own; None when everything may change."""
    if application.submitted_at is None or application.unlocked is None:
        return None
    items = set(application.unlocked)
    return {
        f.name
        for step in regime_of(application).steps
        for f in step.fields
        if step.slug in items or steps.asks_field(items, f.name)
    }


def _keep_locked_as_submitted(application: Application) -> None:
    """What was not asked stays as handed in, whatever was sent for it."""
    allowed, before = unlocked_fields(application), application.submitted_answers
    if allowed is None or before is None:
        return
    answers = dict(application.answers)
    for field in regime_of(application).all_fields():
        if field.name in allowed:
            continue
        if field.name in before:
            answers[field.name] = before[field.name]
        else:
            answers.pop(field.name, None)
    application.answers = answers


@dataclass(frozen=True)
class RequestedItem:
    step: Step
    fields: tuple[Field, ...]  # the fields asked, when the request named fields rather than the whole step
    changed: bool  # the applicant changed an answer of it since the last hand-in


def requested_items(application: Application) -> list[RequestedItem]:
    """The items a request for additions asks for, in the order of the steps."""
    if application.unlocked is None:
        return []
    items, changed = set(application.unlocked), changed_fields(application)
    found = []
    for step in regime_of(application).steps:
        fields = tuple(f for f in step.fields if steps.asks_field(items, f.name))
        if step.slug in items or fields:
            names = {f.name for f in (fields or step.fields)}
            found.append(RequestedItem(step, fields, bool(names & changed)))
    return found


def changed_fields(application: Application, previous: Mapping[str, Any] | None = None) -> set[str]:
    """The answers that differ from the answers as last handed in (or from `previous`)."""
    before = application.submitted_answers if previous is None else previous
    if before is None:
        return set()
    now = application.answers
    return {name for name in {*before, *now} if before.get(name) != now.get(name)}


def hand_in_additions(*, application: Application, actor: User) -> None:
    """Hand in the additions asked: the move records which answers changed since the last hand-in, and
    the answers become the new 'as handed in' (the move keeps this version too, and issues its receipt).

    The additions change the application a signatory declared: only a signatory hands them in, as only a
    signatory submits; a preparer marks them ready (`mark_ready`)."""
    if not may_sign(actor, application):
        raise TransitionNotAllowed(not_signatory_message(application, additions=True))
    _refuse_after_the_date(application)
    regime = regime_of(application)
    action = next(t.action for t in regime.transitions if t.hands_in)
    _keep_locked_as_submitted(application)
    application.answers = applicable_answers(application.answers, regime)
    changed = sorted(changed_fields(application))
    application.submitted_answers = copy.deepcopy(application.answers)
    application.unlocked = None  # with the move: a refused hand-in rolls both back
    clear_ready(application)
    _move_with_changes(application=application, action=action, actor=actor, items=changed)


def _refuse_after_the_date(application: Application) -> None:
    """Additions count only until the request's date: after it the request lapsed, even before ldapply moved
    the case back (the beat runs every few minutes)."""
    request = information_requests.open_request(application)
    if request is not None and information_items.due_passed(request.due_on):
        raise TransitionNotAllowed(
            _(
                "De termijn voor deze aanvulling liep af op %(date)s. De administratie behandelt uw aanvraag "
                "verder zoals u ze indiende.",
                date=format_day(request.due_on),
            )
        )


def _move_with_changes(*, application: Application, action: str, actor: User, items: list[str] | None = None) -> None:
    """The move that commits the changes made to the application just before it: a refused move leaves
    none of them in the session, and losing the race to a colleague's change is ChangedMeanwhile."""
    try:
        transitions.apply_transition(application=application, action=action, actor=actor, items=items)
    except StaleDataError:
        db.session.rollback()
        raise ChangedMeanwhile() from None
    except BaseException:
        db.session.rollback()
        raise


def changes_handed_in(application: Application, events: Sequence[ApplicationEvent]) -> set[str]:
    """For the reviewer: the answers the latest hand-in of additions changed ("gewijzigd"), while no
    request for additions came after it."""
    regime = regime_of(application)
    for event in reversed(events):
        transition = regime.transition(event.action)
        if transition is not None and transition.hands_in:
            return set(event.items or [])
        if regime.state(event.to_state).applicant_edits:
            return set()
    return set()


# -- ready for signature, submission -----------------------------------------------------------------


def signatories_of(organisation_id: uuid.UUID) -> list[User]:
    """The organisation's members who may declare and submit for it."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation_id, Membership.is_signatory.is_(True))
            .order_by(User.name)
        )
    )


def may_sign(user: User, application: Application) -> bool:
    membership = membership_of(user, application.organisation_id)
    return membership is not None and membership.is_signatory


def not_signatory_message(application: Application, *, additions: bool = False, move: str | None = None) -> str:
    """Why someone who is no signatory cannot submit (or hand in the additions, or make `move`: withdraw,
    object), and who can."""
    names = ", ".join(user.name for user in signatories_of(application.organisation_id))
    who = _("Dat kan: %(names)s.", names=names) if names else _("Uw organisatie heeft nog geen ondertekenaar.")
    organisation = application.organisation.name
    if move is not None:
        return " ".join(
            (
                _(
                    "Alleen een gemachtigde ondertekenaar van %(organisation)s kan dit doen: %(move)s.",
                    organisation=organisation,
                    move=move.lower(),
                ),
                who,
            )
        )
    return " ".join(
        (
            _(
                "Alleen een gemachtigde ondertekenaar van %(organisation)s kan de aanvulling indienen.",
                organisation=organisation,
            )
            if additions
            else _(
                "Alleen een gemachtigde ondertekenaar van %(organisation)s kan de aanvraag indienen.",
                organisation=organisation,
            ),
            who,
            _(
                "Markeer de aanvraag als klaar voor ondertekening: de ondertekenaars zien ze dan bovenaan hun overzicht."
            ),
        )
    )


def is_ready(application: Application) -> bool:
    """Marked ready for signature (a draft, or additions to hand in), and no step saved since: a change
    after the mark clears it."""
    if application.ready_at is None or not is_editable(application):
        return False
    changes = [last_change(application, slug) for slug in (application.step_changes or {})]
    return all(c is None or c.at is None or c.at <= application.ready_at for c in changes)


def mark_ready(*, application: Application, actor: User) -> None:
    """A member marks the complete draft, or the additions, ready: the organisation's signatories see it
    first, and a signatory submits or hands in."""
    if not is_editable(application):
        raise StepIncomplete(_("Deze aanvraag is al ingediend."))
    missing = missing_steps(application)
    if missing:
        raise StepIncomplete(missing_steps_message(missing))
    application.ready_at, application.ready_by_id = utcnow(), actor.id
    db.session.commit()


def clear_ready(application: Application) -> None:
    """Forget the ready mark (a step changed after it); the caller commits."""
    application.ready_at, application.ready_by_id = None, None


def submit(*, application: Application, actor: User, declaration: bool) -> bool:
    """Submit a complete draft with a signatory's declaration; issues the receipt.

    Idempotent: an application already submitted (a double click, a replayed request, a colleague who
    was first) is left as it is and False is returned; True when this call submitted it.
    """
    if application.submitted_at is not None:
        return False
    if not may_sign(actor, application):
        raise Forbidden(not_signatory_message(application))
    missing = missing_steps(application)
    if missing:  # refused here too, to answer on the check page rather than with a conflict page
        raise StepIncomplete(missing_steps_message(missing))
    if not declaration:
        raise StepIncomplete(_("Bevestig de verklaring om de aanvraag in te dienen."))
    # What is handed in is what applies: answers to questions the other answers ruled out are not.
    application.answers = applicable_answers(application.answers, regime_of(application))
    application.submitted_answers = copy.deepcopy(application.answers)
    clear_ready(application)
    try:
        _move_with_changes(application=application, action=regime_of(application).submit_action, actor=actor)
    except ChangedMeanwhile:
        if db.session.get(Application, application.id, populate_existing=True).submitted_at is not None:  # type: ignore[union-attr]
            return False
        raise
    return True


# -- drafts: name and delete ------------------------------------------------------------------------


def rename(*, application: Application, name: str) -> None:
    application.name = name.strip()[:200] or None
    db.session.commit()


def is_deletable(application: Application) -> bool:
    """Only a draft that was never submitted: what was handed in belongs to the file for good."""
    return application.submitted_at is None


def delete_draft(application: Application) -> None:
    """Delete a never-submitted draft, its history and its uploads, the stored files included."""
    if not is_deletable(application):
        raise Forbidden(_("Een ingediende aanvraag kan niet verwijderd worden."))
    keys = list(db.session.scalars(select(Upload.storage_key).where(Upload.application_id == application.id)))
    db.session.execute(delete(Upload).where(Upload.application_id == application.id))
    db.session.execute(delete(ApplicationEvent).where(ApplicationEvent.application_id == application.id))
    db.session.delete(application)
    db.session.commit()
    for key in keys:  # only once the rows are gone are the files let go
        get_storage().delete(key)


# -- the dashboard ----------------------------------------------------------------------------------


class Todo(StrEnum):
    SIGN = "sign"  # marked ready: a signatory declares and submits
    ADDITIONS = "additions"
    RESPOND = "respond"  # an intended adverse decision: the applicant may respond
    OBJECTION = "objection"  # a decision the applicant may object to, within the period


@dataclass(frozen=True)
class DashboardRow:
    application: Application
    regime: Regime
    state: StateSpec
    todo: Todo | None
    due: datetime | None  # when the todo, or else the administration's move, is due
    decision_new: bool  # a decision letter the organisation has not opened yet


@dataclass(frozen=True)
class Dashboard:
    todo: list[DashboardRow]
    drafts: list[DashboardRow]
    submitted: list[DashboardRow]
    recognitions: list[DashboardRow]
    closed: list[DashboardRow]
    elsewhere: int  # the organisation's applications only the full list shows (HomeList.elsewhere)


def dashboard(user: User, organisation_id: uuid.UUID) -> Dashboard:
    """The organisation's applications, what needs its action first (soonest due first): a fixed number
    of queries however many applications, events and letters there are."""
    listed = applications_of(organisation_id)
    found = listed.applications
    entered = entered_states([a.id for a in found])
    letters = _letters_by_application([a.id for a in found])
    signs = any(m.organisation_id == organisation_id and m.is_signatory for m in user.memberships)
    objected, asked = _objected(found), _asked_due(found)
    rows = [
        _row(a, entered.get(a.id, {}), letters.get(a.id, []), signs, objected.get(a.id), asked.get(a.id)) for a in found
    ]
    todo = sorted((r for r in rows if r.todo), key=lambda r: (r.due is None, r.due or utcnow()))
    rest = [r for r in rows if not r.todo]
    return Dashboard(
        todo=todo,
        drafts=[r for r in rest if r.application.submitted_at is None and not r.state.terminal],
        submitted=[
            r for r in rest if r.application.submitted_at and not (r.state.terminal or r.state.holds_recognition)
        ],
        recognitions=[r for r in rest if r.state.holds_recognition],
        closed=[r for r in rest if r.state.terminal],
        elsewhere=listed.elsewhere,
    )


def entered_states(application_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, datetime]]:
    """Per application, when it last entered each state (one query)."""
    if not application_ids:
        return {}
    found: dict[uuid.UUID, dict[str, datetime]] = {}
    for application_id, state, at in db.session.execute(_entered_query(), {"ids": list(application_ids)}):
        found.setdefault(application_id, {})[state] = at if at.tzinfo else at.replace(tzinfo=UTC)
    return found


@dataclass(frozen=True)
class ListedLetter:
    """Of a letter, what the organisation's lists read: whether it is a decision, when it was made and opened."""

    application_id: uuid.UUID
    kind: str
    created_at: datetime
    rendered_at: datetime | None
    opened_at: datetime | None


@functools.cache
def _entered_query() -> Select[uuid.UUID, str, datetime]:
    return (
        select(ApplicationEvent.application_id, ApplicationEvent.to_state, func.max(ApplicationEvent.created_at))
        .where(ApplicationEvent.application_id.in_(bindparam("ids", expanding=True)))
        .group_by(ApplicationEvent.application_id, ApplicationEvent.to_state)
    )


def _letters_by_application(application_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[ListedLetter]]:
    """Per application, its letters oldest first: five columns each, not the letter (the list shows no letter)."""
    found: dict[uuid.UUID, list[ListedLetter]] = {}
    if application_ids:
        for row in db.session.execute(_listed_letters_query(), {"ids": list(application_ids)}):
            found.setdefault(row.application_id, []).append(ListedLetter(*row))
    return found


@functools.cache
def _listed_letters_query() -> Select[uuid.UUID, str, datetime, datetime | None, datetime | None]:
    return (
        select(Letter.application_id, Letter.kind, Letter.created_at, Letter.rendered_at, Letter.opened_at)
        .where(Letter.application_id.in_(bindparam("ids", expanding=True)))
        .order_by(Letter.created_at, Letter.id)
    )


def _objected(found: Sequence[Application]) -> dict[uuid.UUID, datetime]:
    """Per application among `found`, when the latest objection case against it was lodged (no query: an
    objection case belongs to the same organisation, so it is among them)."""
    lodged: dict[uuid.UUID, datetime] = {}
    for case in found:
        if case.objection_of_id is not None and case.submitted_at is not None:
            at = _aware(case.submitted_at)
            lodged[case.objection_of_id] = max(at, lodged.get(case.objection_of_id, at))
    return lodged


def _asked_due(found: Sequence[Application]) -> dict[uuid.UUID, date]:
    """Per application waiting on a request for additions, the date the reviewer chose to answer by: one
    query, only when some application waits on one."""
    waiting = [a.id for a in found if a.submitted_at is not None and regime_of(a).state(a.state).applicant_edits]
    if not waiting:
        return {}
    rows = db.session.execute(
        select(InformationRequestItem.application_id, func.max(InformationRequestItem.due_on).label("due"))
        .where(
            InformationRequestItem.application_id.in_(waiting),
            InformationRequestItem.answered_at.is_(None),
            InformationRequestItem.due_on.is_not(None),
        )
        .group_by(InformationRequestItem.application_id)
    )
    return {row.application_id: row.due for row in rows if row.due is not None}


def _row(
    application: Application,
    entered: Mapping[str, datetime],
    letters: list[ListedLetter],
    signs: bool,
    objected_at: datetime | None = None,
    asked_due: date | None = None,
) -> DashboardRow:
    regime = regime_of(application)
    state = regime.state(application.state)
    # A draft's values are those in effect; read only when its state has a deadline (a draft's has none, so the
    # dashboard stays within its statements).
    params = application.parameters or (in_effect(regime).parameter_values() if state.deadline else {})
    since = entered.get(application.state)
    todo, due = _todo(application, regime, state, params, since, signs, letters, objected_at, asked_due)
    if due is None and state.deadline and not state.clock_suspended:
        due = due_after(since, params.get(state.deadline))
    latest_event = max(entered.values(), default=None)
    newest = letters[-1] if letters else None
    decision_new = bool(
        newest is not None
        and newest.opened_at is None
        and _is_decision(regime, newest.kind)
        and (latest_event is None or _aware(newest.created_at) >= latest_event)
    )
    return DashboardRow(application, regime, state, todo, due, decision_new)


def _todo(
    application: Application,
    regime: Regime,
    state: StateSpec,
    params: Mapping[str, Any],
    since: datetime | None,
    signs: bool,
    letters: Sequence[transitions.MadeLetter] = (),
    objected_at: datetime | None = None,
    asked_due: date | None = None,
) -> tuple[Todo | None, datetime | None]:
    """What the application asks of the organisation now, and by when: additions by the date the reviewer
    chose (`asked_due`; the state's days for a request recorded without one), a response in a hearing, an
    objection within its period unless one was lodged against the decision (`objected_at`: the latest)."""
    if application.submitted_at is None:
        return (Todo.SIGN, None) if signs and is_ready(application) and not state.terminal else (None, None)
    days = params.get(state.deadline) if state.deadline else None
    if state.applicant_edits:
        return Todo.ADDITIONS, end_of_day(asked_due) if asked_due is not None else due_after(since, days)
    if state.hearing:
        return Todo.RESPOND, due_after(since, days)
    if objected_at is not None and (since is None or objected_at >= _aware(since)):
        return None, None  # an objection against this decision is a case of its own, listed with its own row
    start = transitions.objection_start(regime, state.code, since, letters)
    objection = transitions.objection_deadline(regime, state.code, params, start)
    if objection is not None and utcnow() < objection:
        return Todo.OBJECTION, objection
    return None, None


def due_after(since: datetime | None, days: Any) -> datetime | None:
    return end_of_day_after(since, int(days)) if since is not None and days is not None else None


def end_of_day(day: date) -> datetime:
    """The midnight (Brussels time) that ends `day`: a date to answer by, as a deadline."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LOCAL_ZONE)


def _is_decision(regime: Regime, kind: str) -> bool:
    return any(spec.key == kind and spec.is_decision for spec in regime.letters)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- letters seen by the applicant -------------------------------------------------------------------


def letter_downloaded(letter: Letter, actor: User) -> None:
    """A member downloaded the letter: recorded in the audit trail, and a decision stops being new."""
    first = letter.opened_at is None
    if first:
        letter.opened_at = utcnow()
    audit.record(
        "letter.downloaded",
        object_type="letter",
        object_id=letter.id,
        application_id=letter.application_id,
        new={"kind": letter.kind, "first": first},
        actor=actor,
    )
    db.session.commit()


def new_decision(
    application: Application, letters: Sequence[Letter], events: Sequence[ApplicationEvent]
) -> Letter | None:
    """The decision letter the organisation has not opened yet, while nothing happened after it."""
    regime = regime_of(application)
    newest = letters[-1] if letters else None
    if newest is None or newest.opened_at is not None or not _is_decision(regime, newest.kind):
        return None
    if events and newest.event_id != events[-1].id:
        return None
    return newest


def letter_statuses(application: Application, letters: Sequence[Letter]) -> list[dict[str, Any]]:
    """What the page shows of each letter, as JSON for the page to update itself."""
    regime = regime_of(application)
    return [
        {
            "id": str(letter.id),
            "title": text(regime.letter(letter.kind).title),
            "status": letter.status,
            "rendered_at": format_day(letter.rendered_at) if letter.rendered_at else None,  # as the page prints it
        }
        for letter in letters
    ]


# -- additions in the back office --------------------------------------------------------------------


def asks_items(regime: Regime, action: str) -> bool:
    """Whether the move asks the applicant for additions (its target is where the applicant edits again)."""
    transition = regime.transition(action)
    return transition is not None and regime.state(transition.target).applicant_edits


def asked_items(regime: Regime, chosen: Sequence[str]) -> list[str]:
    """The steps and fields a reviewer ticked, known to the regime, in the regime's order."""
    return information_items.in_regime_order(regime, chosen)


def information_request(
    application: Application, transition: Transition, posted: Mapping[str, str], chosen: Sequence[str]
) -> InformationRequest:
    """A request for additions as the reviewer posted it: the items ticked (`chosen`), per item its message
    ("message-<item>"), and the date ("due_on"; blank: the default). Raises information_items.RequestInvalid."""
    messages = {name: posted.get(f"message-{name}", "") for name in chosen}
    return information_items.read_request(
        application, transition, chosen=chosen, messages=messages, due_text=posted.get("due_on", "")
    )


def changed_rows(application: Application, events: Sequence[ApplicationEvent], locale: str) -> set[tuple[str, str]]:
    """(step title, field label) of every answer the latest hand-in of additions changed, for the case page."""
    changed, answers = changes_handed_in(application, events), handed_in(application)
    regime = regime_of(application)
    return {
        (step.title.get(locale), f.label.get(locale))
        for step in regime.visible_steps(answers)
        for f in step.visible_fields(answers)
        if f.name in changed
    }
