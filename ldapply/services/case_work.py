"""Work on a case beside its moves: assignment, holds and internal notes, each audited; and what the
case page reads, one page at a time, so that it stays fast however long the case's history grows.

Every function that changes a case commits; `Application.version` is the optimistic lock, so a change that
races another one on the same case loses with ChangedMeanwhile and leaves nothing saved.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, bindparam, exists, or_, select
from sqlalchemy.orm import defer
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..forms.kinds import file_references, handler
from ..i18n import _, _l, text
from ..models import (
    TIMELINE_ENTRY,
    Application,
    ApplicationEvent,
    AuditEntry,
    CaseNote,
    ConflictDeclaration,
    Letter,
    Membership,
    RoleGrant,
    Upload,
    User,
    utcnow,
)
from ..workflows._spec import Answers, Party, Regime, Role, Transition
from . import audit
from .answers import display_value
from .errors import ChangedMeanwhile, TransitionNotAllowed
from .letter_context import prepared_in_assessment
from .regimes import regime_of

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


def may_take(user: User, application: Application) -> bool:
    """Whether `user`, who sees the case, may assign it to themselves: a reviewer or decision maker of its
    regime, no member of the applicant. No query (the user's grants and memberships come with them; a recused
    user does not see the case): the overview asks it on every view."""
    return (
        user.active
        and bool(set(user.roles_for(application.regime_code)) & ASSIGNABLE_ROLES)
        and not any(m.organisation_id == application.organisation_id for m in user.memberships)
    )


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


def works_on(user: User, application: Application) -> bool:
    """Whether `user` works on this case inside the administration (not an outside advisor): they see its
    internal notes and may assign it, hold it and release it."""
    return bool(set(user.roles_for(application.regime_code)) & WORKING_ROLES)


def _require_worker(actor: User, application: Application) -> None:
    if not works_on(actor, application):
        raise TransitionNotAllowed(_("U mag aan dit dossier niet werken."))


def _assignee_values(user: User | None) -> dict[str, object]:
    return {"assignee": str(user.id) if user is not None else None, "assignee_name": user.name if user else None}


def _commit(
    application: Application,
    action: str,
    *,
    old: Mapping[str, object],
    new: Mapping[str, object],
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


def staff_member(user_id: uuid.UUID) -> User | None:
    return db.session.get(User, user_id)


def assignable_staff(application: Application) -> list[User]:
    """Who may be given this case, by name, in one query: active reviewers and decision makers of its
    regime (or of every regime) who did not recuse themselves from it and are no member of the applicant."""
    granted = exists().where(
        RoleGrant.user_id == User.id,
        RoleGrant.role.in_([role.value for role in ASSIGNABLE_ROLES]),
        or_(RoleGrant.regime_code.is_(None), RoleGrant.regime_code == application.regime_code),
    )
    recused = exists().where(
        ConflictDeclaration.user_id == User.id,
        ConflictDeclaration.application_id == application.id,
        ConflictDeclaration.recused.is_(True),
    )
    member = exists().where(Membership.user_id == User.id, Membership.organisation_id == application.organisation_id)
    return list(
        db.session.scalars(
            select(User).where(User.active.is_(True), granted, ~recused, ~member).order_by(User.name, User.id)
        )
    )


# -- holds -----------------------------------------------------------------------------------------

HOLD_REASON_MAX = 2000


def hold(*, application: Application, actor: User, reason: str) -> None:
    """Put the case aside, with the reason everyone who opens it reads. The legal clock does not stop for
    it. Refused without a reason, on a closed case, or when the case is on hold already."""
    _require_worker(actor, application)
    reason = (reason or "").strip()
    if not reason:
        raise TransitionNotAllowed(_("Geef de reden waarom het dossier in wacht gaat."))
    if len(reason) > HOLD_REASON_MAX:
        raise TransitionNotAllowed(_("De reden is te lang (hoogstens %(count)s tekens).", count=HOLD_REASON_MAX))
    if application.held_at is not None:
        raise TransitionNotAllowed(_("Dit dossier staat al in wacht."))
    if regime_of(application).state(application.state).terminal:
        raise TransitionNotAllowed(_("Een afgesloten dossier kan niet in wacht gaan."))
    application.held_at, application.held_by_id, application.hold_reason = utcnow(), actor.id, reason
    _commit(application, "case.held", old={"held": False}, new={"held": True, "reason": reason}, actor=actor)


def release(*, application: Application, actor: User) -> None:
    """Take the case off hold."""
    _require_worker(actor, application)
    if application.held_at is None:
        raise TransitionNotAllowed(_("Dit dossier staat niet in wacht."))
    old = {"held": True, "reason": application.hold_reason, "held_at": application.held_at}
    application.held_at, application.held_by_id, application.hold_reason = None, None, None
    _commit(application, "case.released", old=old, new={"held": False}, actor=actor)


def holder_name(application: Application) -> str | None:
    """Who put the case on hold (one look-up, only while it is held)."""
    if application.held_by_id is None:
        return None
    holder = db.session.get(User, application.held_by_id)
    return holder.name if holder is not None else None


# -- notes -----------------------------------------------------------------------------------------

NOTE_MAX = 10_000
NOTES_SHOWN = 50


def add_note(*, application: Application, author: User, body: str) -> CaseNote:
    """An internal note on the case: staff only, never in a letter (letters are built from the case's
    answers, moves and verdicts, never from notes)."""
    _require_worker(author, application)
    body = (body or "").strip()
    if not body:
        raise TransitionNotAllowed(_("Schrijf de notitie."))
    if len(body) > NOTE_MAX:
        raise TransitionNotAllowed(_("De notitie is te lang (hoogstens %(count)s tekens).", count=NOTE_MAX))
    note = CaseNote(id=uuid.uuid4(), application_id=application.id, author_id=author.id, body=body, created_at=utcnow())
    db.session.add(note)
    _commit(
        application,
        "case.note_added",
        old={},
        new={"note_id": note.id, "body": body},
        actor=author,
        object_type="case_note",
        object_id=note.id,
    )
    return note


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, newest first; `older` is the cursor of the next page (None: this is the last)."""

    items: list[T]
    older: str | None


def notes(application_id: uuid.UUID, *, before: str | None = None, limit: int = NOTES_SHOWN) -> Page[CaseNote]:
    """The case's notes, newest first, `limit` at a time (keyset on their time and id)."""
    query = select(CaseNote).where(CaseNote.application_id == application_id)
    if (cursor := _cursor(before, _ROW_KEY)) is not None:
        query = query.where(_before(CaseNote.created_at, cursor[0], CaseNote.id < uuid.UUID(cursor[1])))
    found = list(db.session.scalars(query.order_by(CaseNote.created_at.desc(), CaseNote.id.desc()).limit(limit + 1)))
    return _page(found, limit, lambda note: (note.created_at, note.id.hex))


# -- letters ---------------------------------------------------------------------------------------

LETTERS_SHOWN = 10


def letters(application_id: uuid.UUID, *, before: str | None = None, limit: int = LETTERS_SHOWN) -> Page[Letter]:
    """The case's letters, newest first, `limit` at a time, without their frozen context."""
    query = _newest_letters_query()  # the first page, on every view of the case: built once
    if (cursor := _cursor(before, _ROW_KEY)) is not None:
        query = query.where(_before(Letter.created_at, cursor[0], Letter.id < uuid.UUID(cursor[1])))
    found = list(db.session.scalars(query, {"application_id": application_id, "n": limit + 1}))
    return _page(found, limit, lambda letter: (letter.created_at, letter.id.hex))


@functools.cache
def _newest_letters_query() -> Select[Letter]:
    return (
        select(Letter)
        .where(Letter.application_id == bindparam("application_id"))
        .options(defer(Letter.context))
        .order_by(Letter.created_at.desc(), Letter.id.desc())
        .limit(bindparam("n"))
    )


# -- the timeline ----------------------------------------------------------------------------------

TIMELINE_SHOWN = 50
# Audit entries that are no news to a reader of the case (looking at it, declaring no conflict of interest before
# a first look, and the moves, which the events say) stay off it: models.TIMELINE_ENTRY says which are shown.


@dataclass(frozen=True)
class TimelineItem:
    """One line of the timeline: a state change (`event`) or another entry of the case's audit trail."""

    at: datetime
    key: str  # orders items of the same moment; with `at`, the page's cursor
    event: ApplicationEvent | None = None
    entry: AuditEntry | None = None


@dataclass(frozen=True)
class Timeline:
    page: Page[TimelineItem]
    latest_event: ApplicationEvent | None  # the newest state change, on the first page only
    uploads: dict[uuid.UUID, list[Upload]]  # the files that came with the moves shown, per event


def timeline(application_id: uuid.UUID, *, before: str | None = None, limit: int = TIMELINE_SHOWN) -> Timeline:
    """The case's state changes merged with its other audit entries that matter to a reader (assignments,
    holds, notes added, clock extensions, bulk actions; not views, downloads, nor the moves' own entries),
    newest first, `limit` at a time: two queries of at most `limit` + 1 rows, whatever the history's size."""
    cursor = _cursor(before, _TIMELINE_KEY)
    events = _events(application_id, cursor, limit + 1)
    entries = _entries(application_id, cursor, limit + 1)
    merged = sorted(
        [TimelineItem(e.created_at, _event_key(e), event=e) for e in events]
        + [TimelineItem(a.created_at, _entry_key(a), entry=a) for a in entries],
        key=lambda item: (item.at, item.key),
        reverse=True,
    )
    page = _page(merged, limit, lambda item: (item.at, item.key))
    latest = events[0] if events and cursor is None else None
    shown = {item.event.id for item in page.items if item.event is not None} | ({latest.id} if latest else set())
    return Timeline(page, latest, event_uploads(application_id, sorted(shown)))


def latest_event(application_id: uuid.UUID) -> ApplicationEvent | None:
    """The case's newest state change (one row, its answers left unread)."""
    found = _events(application_id, None, 1)
    return found[0] if found else None


def _event_key(event: ApplicationEvent) -> str:
    return "e" + event.id.hex  # "e" after "a": of the same moment, the state change comes first (newest first)


def _entry_key(entry: AuditEntry) -> str:
    return f"a{entry.seq:020d}"


def _events(application_id: uuid.UUID, cursor: tuple[datetime, str] | None, limit: int) -> list[ApplicationEvent]:
    query = _newest_events_query()  # the newest ones, on every view of the case: built once
    if cursor is not None:
        at, key = cursor
        same_moment = ApplicationEvent.id < uuid.UUID(key[1:]) if key.startswith("e") else None
        query = query.where(_before(ApplicationEvent.created_at, at, same_moment))
    return list(db.session.scalars(query, {"application_id": application_id, "n": limit}))


@functools.cache
def _newest_events_query() -> Select[ApplicationEvent]:
    return (
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id == bindparam("application_id"))
        .options(defer(ApplicationEvent.answers))  # every version handed in: large, and not shown here
        .order_by(ApplicationEvent.created_at.desc(), ApplicationEvent.id.desc())
        .limit(bindparam("n"))
    )


def _entries(application_id: uuid.UUID, cursor: tuple[datetime, str] | None, limit: int) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.application_id == application_id, TIMELINE_ENTRY)
    if cursor is not None:
        at, key = cursor
        if key.startswith("e"):  # every entry of that moment comes after its state changes: all still to show
            query = query.where(AuditEntry.created_at <= at)
        else:
            query = query.where(_before(AuditEntry.created_at, at, AuditEntry.seq < int(key[1:])))
    order = (AuditEntry.created_at.desc(), AuditEntry.seq.desc())
    return list(db.session.scalars(query.order_by(*order).limit(limit)))


def _before(column: Any, at: datetime, same_moment: ColumnElement[bool] | None) -> ColumnElement[bool]:
    """Rows older than the cursor: an earlier moment, or the same moment and further in the tie-break."""
    earlier: ColumnElement[bool] = column < at
    return or_(earlier, and_(column == at, same_moment)) if same_moment is not None else earlier


@functools.cache
def _event_uploads_query() -> Select[Upload]:
    return (
        select(Upload)
        .where(
            Upload.application_id == bindparam("application_id"), Upload.event_id.in_(bindparam("ids", expanding=True))
        )
        .order_by(Upload.created_at, Upload.id)
    )


def event_uploads(application_id: uuid.UUID, event_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Upload]]:
    """The files that came with these moves (hearing responses, objections), per event: one query."""
    found: dict[uuid.UUID, list[Upload]] = {}
    if not event_ids:
        return found
    for upload in db.session.scalars(
        _event_uploads_query(), {"application_id": application_id, "ids": list(event_ids)}
    ):
        found.setdefault(upload.event_id, []).append(upload)  # type: ignore[arg-type]
    return found


def _page(found: list[T], limit: int, key: Callable[[T], tuple[datetime, str]]) -> Page[T]:
    items = found[:limit]
    if len(found) <= limit or not items:
        return Page(items, None)
    at, tiebreak = key(items[-1])
    return Page(items, f"{at.isoformat()}~{tiebreak}")


_ROW_KEY = re.compile(r"^[0-9a-f]{32}$")  # a note's or a letter's id
_TIMELINE_KEY = re.compile(r"^(e[0-9a-f]{32}|a[0-9]{20})$")  # a state change's id, an audit entry's number


def _cursor(before: str | None, key_pattern: re.Pattern[str]) -> tuple[datetime, str] | None:
    """A page's cursor back from its text; a malformed one reads as the first page."""
    moment, _sep, key = (before or "").partition("~")
    if not key_pattern.match(key):
        return None
    try:
        at = datetime.fromisoformat(moment)
    except ValueError:
        return None
    return (at, key) if at.tzinfo is not None else None


# -- the timeline's words for the audit entries -------------------------------------------------------

_SUMMARY_LENGTH = 300
_AREAS = {  # the first part of an action name, for entries this module does not word itself
    "clock": _l("Termijn"),
    "bulk": _l("Bulkactie"),
    "advice": _l("Advies"),
    "information_request": _l("Informatievraag"),
    "conflict": _l("Belangenconflict"),
    "objection": _l("Bezwaar"),
    "recognition": _l("Erkenning"),
}


def describe(entry: AuditEntry, regime: Regime | None = None) -> tuple[str, str | None]:
    """What an audit entry says to a reader of the timeline: a title and, when there is one, its text
    (never an internal note: the timeline's own rows show those only to those who work on the case)."""
    new, old = entry.new or {}, entry.old or {}
    if entry.action == "verdict.recorded" and regime is not None:
        return _verdict_title(regime, entry.object_id or "", new), _shortened(new.get("reason"))
    if entry.action == "case.assigned":
        if new.get("assignee_name"):
            return _("Toegewezen aan %(name)s", name=new["assignee_name"]), new.get("reason")
        return _("Toewijzing opgeheven (was %(name)s)", name=old.get("assignee_name") or "—"), new.get("reason")
    if entry.action == "case.held":
        return _("In wacht gezet"), new.get("reason")
    if entry.action == "case.released":
        return _("Uit wacht gehaald"), None
    if entry.action == "case.note_added":
        return _("Interne notitie toegevoegd"), _shortened(new.get("body"))
    if entry.action == "conflict.recused":
        return _("Onthouden wegens belangenconflict"), _shortened(new.get("reason"))
    if entry.action == "objection.lodged":  # an objection is a case of its own (services/objections.py)
        reference = new.get("objection_reference") or "—"
        return _("Bezwaar ingediend: dossier %(reference)s", reference=reference), _shortened(new.get("motivation"))
    area, _dot, what = entry.action.partition(".")
    title = f"{_AREAS[area]}: {what.replace('_', ' ')}" if area in _AREAS else entry.action
    detail = next((new[key] for key in ("reason", "motivation") if new.get(key)), None)
    return title, _shortened(detail)


# A verdict in the timeline; entries recorded before "not applicable" existed hold "met" (true or false) instead.
VERDICT_WORDS = {"met": _l("vervuld"), "not_met": _l("niet vervuld"), "not_applicable": _l("niet van toepassing")}


def _verdict_title(regime: Regime, code: str, new: Mapping[str, Any]) -> str:
    try:
        condition = text(regime.condition(code).title)
    except KeyError:
        condition = code
    verdict = VERDICT_WORDS.get(new.get("verdict") or ("met" if new.get("met") else "not_met"), "")
    return _("Voorwaarde „%(condition)s” beoordeeld: %(verdict)s", condition=condition, verdict=str(verdict))


def _shortened(value: object) -> str | None:
    if not value:
        return None
    words = str(value)
    return words if len(words) <= _SUMMARY_LENGTH else words[: _SUMMARY_LENGTH - 1].rstrip() + "…"


# -- staff views of the case's content ---------------------------------------------------------------


def record_view(application: Application, page: str, **details: object) -> None:
    """A staff view of the case's content, in the audit trail: one entry, committed."""
    _record_access("case.viewed", "application", application.id, application, {"page": page, **details})


def record_download(application: Application, kind: str, object_id: uuid.UUID, **details: object) -> None:
    """A staff download of one of the case's files (`kind`: "upload" or "letter"), in the audit trail."""
    _record_access(f"{kind}.downloaded", kind, object_id, application, details)


def _record_access(
    action: str, object_type: str, object_id: uuid.UUID, application: Application, new: Mapping[str, object]
) -> None:
    audit.record(action, object_type=object_type, object_id=object_id, application_id=application.id, new=new)
    db.session.commit()


# -- what the page needs of the history, read in targeted queries -------------------------------------


def considerations_needed(application: Application) -> dict[str, Any]:
    """What a proposal on this case must answer (as transitions.considerations_needed gives it from the
    whole history), in one query: a response given since the latest hearing began; an advice given, for
    the proposals prepared in the assessment."""
    regime = regime_of(application)
    hearing_states = [s.code for s in regime.states if s.hearing]
    responding = [t.action for t in regime.transitions if t.responds]
    advising = [t.action for t in regime.transitions if t.advises]
    of_case = ApplicationEvent.application_id == application.id
    hearing_began = (
        select(ApplicationEvent.created_at)
        .where(of_case, ApplicationEvent.to_state.in_(hearing_states))
        .order_by(ApplicationEvent.created_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    responded = exists().where(
        of_case, ApplicationEvent.action.in_(responding), ApplicationEvent.created_at > hearing_began
    )
    advised = exists().where(of_case, ApplicationEvent.action.in_(advising))
    row = db.session.execute(select(responded.label("responded"), advised.label("advised"))).one()
    answering = {t.action for t in regime.transitions if t.proposes and prepared_in_assessment(regime, t)}
    return {"hearing": bool(row.responded), "advice": answering if row.advised else set()}


def last_additions_move(application: Application) -> list[ApplicationEvent]:
    """The latest hand-in of additions or request for them, as a one-event history: what
    applications.changed_rows reads to mark the answers the latest hand-in changed."""
    regime = regime_of(application)
    handing_in = [t.action for t in regime.transitions if t.hands_in]
    asking = [s.code for s in regime.states if s.applicant_edits]
    event = db.session.scalar(
        select(ApplicationEvent)
        .where(
            ApplicationEvent.application_id == application.id,
            or_(ApplicationEvent.action.in_(handing_in), ApplicationEvent.to_state.in_(asking)),
        )
        .options(defer(ApplicationEvent.answers))
        .order_by(ApplicationEvent.created_at.desc(), ApplicationEvent.id.desc())
        .limit(1)
    )
    return [event] if event is not None else []


# -- the checklist's answers -------------------------------------------------------------------------


@dataclass(frozen=True)
class ConditionAnswer:
    """An answer a condition rests on, as the checklist shows it beside the condition."""

    step_slug: str
    step_title: str
    label: str
    value: str
    files: list[Mapping[str, Any]]  # the uploads, for a file question (each opened from the page)


def condition_answers(regime: Regime, answers: Answers, locale: str) -> dict[str, list[ConditionAnswer]]:
    """Per condition code, the handed-in answers of its `fields`, formatted as the answers below show them."""
    located = {f.name: (step, f) for step in regime.steps for f in step.fields}
    shown: dict[str, list[ConditionAnswer]] = {}
    for condition in regime.conditions:
        rows = []
        for name in condition.fields:
            if name not in located:
                continue  # a pre-check question that the application itself does not ask
            step, field = located[name]
            value = answers.get(name)
            files = list(file_references(value)) if handler(field).is_file else []
            rows.append(
                ConditionAnswer(
                    step.slug,
                    step.title.get(locale),
                    field.label.get(locale),
                    display_value(field, value, locale),
                    files,
                )
            )
        shown[condition.code] = rows
    return shown


# -- the generic moves -------------------------------------------------------------------------------


def is_advice_move(regime: Regime, transition: Transition) -> bool:
    """A move of the advice procedure (giving advice, or sending the case to an advisor): the advice part
    of the case page offers those, not the generic actions."""
    return transition.advises or regime.state(transition.target).whose_move == Party.ADVISOR
