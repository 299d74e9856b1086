"""Reads that one request makes several times (a case page's guards, checklist and panels each ask for the
verdicts, the pending proposal, the advice), answered from the database once per request.

Any write forgets them all: a flush, an UPDATE/INSERT/DELETE statement, a commit or a rollback of the
session. A page therefore never shows what it read before its own change; outside a request (the worker,
the shell) nothing is kept.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

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
