"""Reads answered from memory instead of the database.

`per_request`: reads that one request makes several times (a case page's guards, checklist and panels each
ask for the verdicts, the pending proposal, the advice), answered once per request. Any write forgets them
all: a flush, an UPDATE/INSERT/DELETE statement, a commit or a rollback of the session. A page therefore never
shows what it read before its own change; outside a request (the worker, the shell) nothing is kept.

`for_display`: short lists a page offers as choices (the queue's filter menus), kept by the process for a
few seconds. A commit in this process that changes one of their tables forgets them at once; another
process's change shows within `seconds`. Only for what a page shows: nothing decides on them (a form's
post and a background job read the database again).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Collection
from typing import Any, ParamSpec, TypeVar

from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

# How long another process's change (a new call, a new member of staff) may take to reach what pages offer.
DISPLAY_SECONDS = 30

P = ParamSpec("P")
R = TypeVar("R")


def per_request(read: Callable[P, R]) -> Callable[P, R]:
    """`read`'s answer kept for the rest of the request, by its (hashable) arguments."""

    @functools.wraps(read)
    def remembered(*args: P.args, **kwargs: P.kwargs) -> R:
        if not has_request_context():
            return read(*args, **kwargs)
        kept: dict[Any, Any] = g.setdefault("_ldapply_memo", {})
        key = (read, args, tuple(sorted(kwargs.items())))
        if key not in kept:
            kept[key] = read(*args, **kwargs)
        return kept[key]

    return remembered


def forget(*_: Any) -> None:
    if has_request_context():
        g.pop("_ldapply_memo", None)


def _forget_on_write(state: ORMExecuteState) -> None:
    if not state.is_select:
        forget()


for _moment in ("after_flush", "after_commit", "after_rollback"):
    event.listen(Session, _moment, forget)
event.listen(Session, "do_orm_execute", _forget_on_write)


# -- for display ----------------------------------------------------------------------------------------

_display_lock = threading.Lock()
_display: dict[Any, tuple[float, Any]] = {}  # (read, args) -> (monotonic expiry, answer)
_display_tables: dict[Callable[..., Any], frozenset[str]] = {}  # read -> the tables its answer comes from
_CHANGED = "ldapply_display_tables_changed"
_now = time.monotonic  # a name of its own, for a test to move on


def for_display(seconds: float, *, tables: Collection[str]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """`read`'s answer kept by the process for `seconds`, by its (hashable) arguments, and forgotten when this
    process commits a change to one of `tables`. Callers must treat the answer as read-only."""

    def decorate(read: Callable[P, R]) -> Callable[P, R]:
        _display_tables[read] = frozenset(tables)

        @functools.wraps(read)
        def remembered(*args: P.args, **kwargs: P.kwargs) -> R:
            key = (read, args, tuple(sorted(kwargs.items())))
            now = _now()
            found = _display.get(key)
            if found is not None and found[0] > now:
                return found[1]  # type: ignore[no-any-return]
            answer = read(*args, **kwargs)
            with _display_lock:
                _display[key] = (now + seconds, answer)
            return answer

        return remembered

    return decorate


def forget_displayed(tables: Collection[str] | None = None) -> None:
    """Forget the display lists that come from any of `tables` (None: all of them)."""
    with _display_lock:
        for key in list(_display):
            if tables is None or _display_tables[key[0]] & set(tables):
                del _display[key]


def _note_changed_tables(session: Session, _flush: UOWTransaction) -> None:
    changed = {obj.__table__.name for obj in (*session.new, *session.dirty, *session.deleted)}  # type: ignore[attr-defined]
    session.info.setdefault(_CHANGED, set()).update(changed)


def _note_changed_by_statement(state: ORMExecuteState) -> None:
    if not state.is_select and state.bind_mapper is not None:
        state.session.info.setdefault(_CHANGED, set()).add(state.bind_mapper.local_table.name)  # type: ignore[attr-defined]


def _forget_committed(session: Session) -> None:  # a rolled-back change is forgotten at the next commit: harmless
    changed = session.info.pop(_CHANGED, None)
    if changed:
        forget_displayed(changed)


event.listen(Session, "before_flush", lambda session, flush, _instances: _note_changed_tables(session, flush))
event.listen(Session, "do_orm_execute", _note_changed_by_statement)
event.listen(Session, "after_commit", _forget_committed)
