"""The append-only audit trail, chained by SHA-256.

Every entry's hash covers its content and the previous entry's hash, so changing or deleting an entry
breaks the chain where it happened; `verify` walks the chain and names the first broken entry. The
one-row head holds the last number and hash: appending takes its row lock first, which orders
concurrent appends on PostgreSQL and takes the write lock on SQLite, so two appends never share a
predecessor. Call `record` last in a transaction, just before its commit: the head's lock is then held
only for the commit, and no transaction waits for a row another one locked before it (no deadlock).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any, Protocol

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import Executable, bindparam, exists, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row

from ..extensions import db
from ..models import AuditEntry, AuditHead, User, utcnow

GENESIS = "0" * 64  # the hash before the first entry
HEAD_ID = 1
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_VERIFY_BATCH = 5000
VERIFIED = "audit.verified"  # the action of an entry that records a check of the chain

Actor = User | None


class _FromRequest:
    """The actor by default: the user logged in for this request, none outside a request."""


FROM_REQUEST = _FromRequest()


def begin_request() -> None:
    """Name the request: a caller's well-formed X-Request-ID is kept (a proxy's), else a new one."""
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def record(
    action: str,
    *,
    object_type: str,
    object_id: object = None,
    application_id: uuid.UUID | None = None,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
    actor: Actor | _FromRequest = FROM_REQUEST,
) -> int:
    """Append one entry in the current transaction (the caller commits); its number. `old` and `new` are the
    values before and after, as JSON keeps them (dates, decimals and ids become strings)."""
    who = _request_user() if isinstance(actor, _FromRequest) else actor
    db.session.flush()  # the caller's changes (and their version checks) go first, before the head is locked
    seq, previous = _take_head()
    entry = _Entry(
        seq=seq,
        created_at=utcnow(),  # read under the head's lock: times rise with the numbers
        actor_id=who.id if who is not None else None,
        actor_name=who.name if who is not None else None,
        request_id=request_id(),
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        application_id=application_id,
        old=_plain(old),
        new=_plain(new),
        prev_hash=previous,
    )
    _append(entry, entry_hash(entry))
    return seq


@dataclass(frozen=True)
class _Entry:
    """An entry's content before it is written (what its hash covers)."""

    seq: int
    created_at: datetime
    actor_id: uuid.UUID | None
    actor_name: str | None
    request_id: str | None
    action: str
    object_type: str
    object_id: str | None
    application_id: uuid.UUID | None
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    prev_hash: str


def _append(entry: _Entry, hashed: str) -> None:
    """Write the entry and move the head's hash on to it: one statement on PostgreSQL (a data-modifying
    WITH), two on SQLite. Core statements built once, not the ORM's unit of work: every case view appends
    an entry."""
    values = {f"v_{name}": value for name, value in (*asdict(entry).items(), ("hash", hashed))}
    for statement in _append_statements(db.engine.dialect.name):
        db.session.execute(statement, values)


# The tables, not the mapped classes: a statement on a mapped class goes through the ORM's bulk machinery
# (synchronising the session's objects), which cost more than the statement itself.
_ENTRIES, _HEAD = AuditEntry.__table__, AuditHead.__table__


@functools.cache
def _append_statements(dialect: str) -> tuple[Executable, ...]:
    columns = [f.name for f in fields(_Entry)] + ["hash"]  # bound as v_<column>: the columns' names are taken
    written = insert(_ENTRIES).values({name: bindparam(f"v_{name}") for name in columns})
    head = update(_HEAD).where(_HEAD.c.id == HEAD_ID)
    if dialect == "postgresql":
        added = written.returning(_ENTRIES.c.hash).cte("added")
        return (head.values(hash=select(added.c.hash).scalar_subquery()),)
    return written, head.values(hash=bindparam("v_hash"))


def _request_user() -> User | None:
    if not has_request_context():
        return None
    user = current_user._get_current_object() if current_user else None
    return user if isinstance(user, User) else None


def _take_head() -> tuple[int, str]:
    """Lock the head and move it on: the new entry's number and its predecessor's hash."""
    moved = _move_head()
    if moved is None:
        _make_head()
        moved = _move_head()
    if moved is None:
        raise RuntimeError(
            "audit_head is missing while audit_entries has entries: nothing can be recorded until an owner "
            "restores the head (docs/operations.md, 'The audit trail')"
        )
    return moved


def _move_head() -> tuple[int, str] | None:
    row = db.session.execute(_move_head_statement()).one_or_none()
    return (int(row.seq), str(row.hash)) if row is not None else None


@functools.cache
def _move_head_statement() -> Executable:
    return update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(seq=_HEAD.c.seq + 1).returning(_HEAD.c.seq, _HEAD.c.hash)


def _make_head() -> None:
    """An empty trail without its head row (a fresh test schema; the migration makes it otherwise): made
    here, once, whoever comes first. A trail with entries never gets a new head: the head is what shows a
    cut-off tail, so a lost head stops appends instead of hiding the cut."""
    upsert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    empty = select(literal(HEAD_ID), literal(0), literal(GENESIS)).where(~exists(select(AuditEntry.seq)))
    db.session.execute(
        upsert(AuditHead).from_select(["id", "seq", "hash"], empty).on_conflict_do_nothing(index_elements=["id"])
    )


def _plain(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return dict(json.loads(json.dumps(dict(values), default=str)))


class _Hashed(Protocol):
    """An entry as the ORM or a plain row gives it."""

    @property
    def seq(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def actor_id(self) -> uuid.UUID | None: ...
    @property
    def actor_name(self) -> str | None: ...
    @property
    def request_id(self) -> str | None: ...
    @property
    def action(self) -> str: ...
    @property
    def object_type(self) -> str: ...
    @property
    def object_id(self) -> str | None: ...
    @property
    def application_id(self) -> uuid.UUID | None: ...
    @property
    def old(self) -> dict[str, Any] | None: ...
    @property
    def new(self) -> dict[str, Any] | None: ...
    @property
    def prev_hash(self) -> str: ...


def entry_hash(entry: _Hashed) -> str:
    """SHA-256 over the entry's content and its predecessor's hash, in a canonical JSON form."""
    content = {
        "seq": entry.seq,
        "created_at": _moment(entry.created_at),
        "actor_id": str(entry.actor_id) if entry.actor_id else None,
        "actor_name": entry.actor_name,
        "request_id": entry.request_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "application_id": str(entry.application_id) if entry.application_id else None,
        "old": entry.old,
        "new": entry.new,
        "prev_hash": entry.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _moment(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


# -- checking the chain ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """Where the chain breaks: the entry's number and what is wrong there (`reason` in English, for the
    command line; `kind` for pages to say it in the reader's language)."""

    seq: int
    reason: str
    kind: str = "changed"  # missing | link | changed | cut_off | head


@dataclass(frozen=True)
class Verification:
    """The outcome of a check: entries checked intact, the first break, the last entry checked intact,
    and whether the check reached the head (a check with a time budget may stop before)."""

    checked: int
    broken: Break | None
    last_seq: int
    complete: bool


def verify() -> tuple[int, Break | None]:
    """Walk the whole chain: the number of entries checked and the first break, if any."""
    result = check()
    return result.checked, result.broken


def check(*, after: int = 0, seconds: float | None = None) -> Verification:
    """Check the chain from the entry after `after` (0: from the start; later: trusting entry `after`'s
    stored hash) up to the head, or until `seconds` have passed.

    The head is read first and only entries up to it are checked: entries appended meanwhile are beyond
    it, and every entry up to it is committed (its append held the head's lock until its commit), so a
    check that runs while others append reads a consistent chain on every backend.
    """
    started = time.monotonic()
    head = db.session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID)).one_or_none()
    start = _start(after)
    if isinstance(start, Break):
        return Verification(0, start, after, False)
    previous, expected, checked = start, after + 1, 0
    last = head.seq if head is not None else None
    for batch in _batches(after, last):
        for row in batch:
            broken = _broken(row, expected, previous)
            if broken is not None:
                return Verification(checked, broken, expected - 1, False)
            previous, expected, checked = row.hash, row.seq + 1, checked + 1
        if seconds is not None and time.monotonic() - started > seconds:
            return Verification(checked, None, expected - 1, False)
    return Verification(checked, _head_break(head, expected - 1, previous), expected - 1, True)


def _start(after: int) -> str | Break:
    """The hash the entry after `after` must link to."""
    if after <= 0:
        return GENESIS
    found = db.session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == after))
    return found if found is not None else Break(after, f"entry {after} is missing (deleted)", "missing")


def _broken(row: Row[Any], expected: int, previous: str) -> Break | None:
    if row.seq != expected:
        return Break(expected, f"entry {expected} is missing (deleted)", "missing")
    if row.prev_hash != previous:
        return Break(row.seq, "its link to the previous entry does not match (an entry before it changed)", "link")
    if entry_hash(row) != row.hash:
        return Break(row.seq, "its content does not match its hash (changed)", "changed")
    return None


def _head_break(head: Row[int, str] | None, last_seq: int, previous: str) -> Break | None:
    if head is None:
        if last_seq == 0:
            return None  # an empty trail in a schema whose head is made on the first append
        return Break(last_seq, "the head is missing (deleted)", "head")
    if head.seq > last_seq:
        return Break(
            last_seq + 1,
            f"entry {last_seq + 1} is missing: the trail ends at entry {last_seq} but the head records entry "
            f"{head.seq} (cut off)",
            "cut_off",
        )
    if head.hash != previous:
        return Break(last_seq, "the head's hash does not match the last entry (changed)", "head")
    return None


_CHAIN_COLUMNS = (
    AuditEntry.seq,
    AuditEntry.created_at,
    AuditEntry.actor_id,
    AuditEntry.actor_name,
    AuditEntry.request_id,
    AuditEntry.action,
    AuditEntry.object_type,
    AuditEntry.object_id,
    AuditEntry.application_id,
    AuditEntry.old,
    AuditEntry.new,
    AuditEntry.prev_hash,
    AuditEntry.hash,
)


def _batches(after: int, last: int | None) -> Iterator[Sequence[Row[Any]]]:
    """The entries after `after` up to `last` (None: every entry), in order, a batch at a time: a long
    trail is checked in constant memory, as plain rows (no ORM objects to build and forget)."""
    while True:
        query = select(*_CHAIN_COLUMNS).where(AuditEntry.seq > after)
        if last is not None:
            query = query.where(AuditEntry.seq <= last)
        batch = db.session.execute(query.order_by(AuditEntry.seq).limit(_VERIFY_BATCH)).all()
        if not batch:
            return
        yield batch
        after = batch[-1].seq


def check_and_record(
    *, after: int = 0, seconds: float | None = None, actor: Actor | _FromRequest = FROM_REQUEST
) -> Verification:
    """Check the chain (as `check`) and record that it was checked, by whom, and what was found."""
    result = check(after=after, seconds=seconds)
    broken = result.broken
    record(
        VERIFIED,
        object_type="audit_trail",
        new={
            "checked": result.checked,
            "from": after + 1,
            "to": result.last_seq,
            "complete": result.complete,
            "broken_seq": broken.seq if broken else None,
            "problem": broken.kind if broken else None,
        },
        actor=actor,
    )
    db.session.commit()
    return result


def latest_verification() -> AuditEntry | None:
    return db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == VERIFIED).order_by(AuditEntry.seq.desc()).limit(1)
    )


# -- reading the trail ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrailFilter:
    """What an admin narrows the trail to; empty fields do not narrow it."""

    actor: str = ""  # a part of the actor's name
    action: str = ""  # the start of the action, e.g. "transition." or "verdict."
    object_type: str = ""
    object_id: str = ""
    application_id: uuid.UUID | None = None
    since: datetime | None = None  # from this moment on
    until: datetime | None = None  # before this moment


@dataclass(frozen=True)
class TrailPage:
    """Entries newest first, and the number to pass as `before` for the next (older) page."""

    entries: list[AuditEntry]
    next_before: int | None


def search(filters: TrailFilter, *, before: int | None = None, limit: int = 50) -> TrailPage:
    """One page of the trail, newest first, paged by number (keyset: one statement whatever its size)."""
    query = select(AuditEntry)
    if filters.actor.strip():
        query = query.where(AuditEntry.actor_name.icontains(filters.actor.strip(), autoescape=True))
    if filters.action.strip():
        query = query.where(AuditEntry.action.startswith(filters.action.strip(), autoescape=True))
    if filters.object_type.strip():
        query = query.where(AuditEntry.object_type == filters.object_type.strip())
    if filters.object_id.strip():
        query = query.where(AuditEntry.object_id == filters.object_id.strip())
    if filters.application_id is not None:
        query = query.where(AuditEntry.application_id == filters.application_id)
    if filters.since is not None:
        query = query.where(AuditEntry.created_at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEntry.created_at < filters.until)
    if before is not None:
        query = query.where(AuditEntry.seq < before)
    rows = list(db.session.scalars(query.order_by(AuditEntry.seq.desc()).limit(limit + 1)))
    more = len(rows) > limit
    return TrailPage(rows[:limit], rows[limit - 1].seq if more else None)


def trail_of(application_id: uuid.UUID, *, limit: int = 50, before: int | None = None) -> list[AuditEntry]:
    """A case's audit entries, newest first, one page at a time (`before`: the last number shown)."""
    return search(TrailFilter(application_id=application_id), before=before, limit=limit).entries
