"""The append-only audit trail, chained by SHA-256.

Every entry's hash covers its content and the previous entry's hash, so changing or deleting an entry
breaks the chain where it happened; `verify` walks the chain and names the first broken entry. The
one-row head holds the last number and hash: appending takes its row lock first, which orders
concurrent appends on PostgreSQL and takes the write lock on SQLite, so two appends never share a
predecessor. Call `record` last in a transaction, just before its commit: the head's lock is then held
only for the commit, and no transaction waits for a row another one locked before it (no deadlock).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import select, update

from ..extensions import db
from ..models import AuditEntry, AuditHead, User, utcnow

GENESIS = "0" * 64  # the hash before the first entry
HEAD_ID = 1
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_VERIFY_BATCH = 2000

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
) -> AuditEntry:
    """Append one entry in the current transaction (the caller commits). `old` and `new` are the values
    before and after, as JSON keeps them (dates, decimals and ids become strings)."""
    who = _request_user() if isinstance(actor, _FromRequest) else actor
    seq, previous = _take_head()
    entry = AuditEntry(
        seq=seq,
        created_at=utcnow(),
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
    entry.hash = entry_hash(entry)
    db.session.add(entry)
    db.session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(hash=entry.hash))
    return entry


def _request_user() -> User | None:
    if not has_request_context():
        return None
    user = current_user._get_current_object() if current_user else None
    return user if isinstance(user, User) else None


def _take_head() -> tuple[int, str]:
    """Lock the head and move it on: the new entry's number and its predecessor's hash."""
    row = db.session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.hash)
    ).one_or_none()
    if row is not None:
        return int(row.seq), str(row.hash)
    # An empty database (a fresh test schema): the migration's head row is made here instead.
    db.session.add(AuditHead(id=HEAD_ID, seq=1, hash=GENESIS))
    db.session.flush()
    return 1, GENESIS


def _plain(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return dict(json.loads(json.dumps(dict(values), default=str)))


def entry_hash(entry: AuditEntry) -> str:
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


@dataclass(frozen=True)
class Break:
    """Where the chain breaks: the entry's number (or the head's) and what is wrong there."""

    seq: int
    reason: str


def verify() -> tuple[int, Break | None]:
    """Walk the whole chain: the number of entries checked and the first break, if any."""
    expected_seq, previous, checked = None, GENESIS, 0
    for entry in _entries():
        if expected_seq is not None and entry.seq != expected_seq:
            return checked, Break(expected_seq, f"entry {expected_seq} is missing (deleted)")
        if entry.prev_hash != previous:
            return checked, Break(
                entry.seq, "its link to the previous entry does not match (an entry before it was deleted)"
            )
        if entry_hash(entry) != entry.hash:
            return checked, Break(entry.seq, "its content does not match its hash (changed)")
        previous, expected_seq, checked = entry.hash, entry.seq + 1, checked + 1
    head = db.session.get(AuditHead, HEAD_ID)
    last_seq = (expected_seq or 1) - 1
    if head is not None and (head.seq != last_seq or head.hash != previous):
        return checked, Break(
            head.seq, f"the trail ends at entry {last_seq} but the head records entry {head.seq} (cut off)"
        )
    return checked, None


def _entries() -> Iterator[AuditEntry]:
    after = 0
    while True:
        batch = list(
            db.session.scalars(
                select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(_VERIFY_BATCH)
            )
        )
        if not batch:
            return
        yield from batch
        after = batch[-1].seq
        for entry in batch:  # a long trail is checked in constant memory
            db.session.expunge(entry)


def trail_of(application_id: uuid.UUID, *, limit: int = 50, before: int | None = None) -> list[AuditEntry]:
    """A case's audit entries, newest first, one page at a time (`before`: the last number shown)."""
    query = select(AuditEntry).where(AuditEntry.application_id == application_id)
    if before is not None:
        query = query.where(AuditEntry.seq < before)
    return list(db.session.scalars(query.order_by(AuditEntry.seq.desc()).limit(limit)))
