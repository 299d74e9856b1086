"""The back office's work queue: filters, search, sort and keyset pages."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for

from ..i18n import _l
from ..services import queue as queues
from ..workflows import get_regime
from ..workflows._spec import Party
from ._helpers import me
from .backoffice import bp

PARTY_LABELS = {
    Party.APPLICANT: _l("Aanvrager"),
    Party.REVIEWER: _l("Dossierbehandelaar"),
    Party.ADVISOR: _l("Adviseur"),
    Party.DECISION_MAKER: _l("Beslisser"),
    Party.ADMIN: _l("Beheerder"),
    Party.NOBODY: _l("Niemand"),
}


@bp.get("/")
def queue() -> str:
    user = me()
    scope = queues.scope_of(user)
    assignees = queues.assignee_choices() if not scope.empty else []
    calls = queues.call_choices(scope) if not scope.empty else []
    filters = queues.filters_from(request.args, scope, {a for a, _ in assignees}, {c for c, _, _ in calls})
    result = queues.page(user, filters, request.args.get("after"))
    regimes = scope.regime_list()
    return render_template(
        "backoffice/queue.html",
        filters=filters,
        result=result,
        regimes=regimes,
        states=_state_choices(regimes, filters.regime),
        calls=calls,
        assignees=assignees,
        party_labels=PARTY_LABELS,
        today=queues.today(),
        staff_state=_staff_state,
        next_url=_page_url(filters, result.next_cursor) if result.next_cursor else None,
        first_url=_page_url(filters, None),
        tab_urls={move: url_for("backoffice.queue", move=move) for move in (queues.MINE, queues.EVERYONE)},
    )


def _state_choices(regimes: list[Any], chosen_regime: str | None) -> list[tuple[str, Any]]:
    """The states of the chosen regime, or of every regime in scope (each code once, in the regimes' order)."""
    seen: dict[str, Any] = {}
    for regime in regimes:
        if chosen_regime in (None, regime.code):
            for state in regime.states:
                seen.setdefault(state.code, state.label)
    return list(seen.items())


def _staff_state(regime_code: str, regime_version: int, state: str) -> tuple[Any, Any]:
    """The regime's title and the state's staff label, from the version the case is pinned to."""
    regime = get_regime(regime_code, regime_version)
    return regime.title, regime.state(state).label


def _page_url(filters: queues.Filters, after: str | None) -> str:
    """The same filters and sort, from the cursor on (None: the first page)."""
    args: dict[str, Any] = {
        "regime": filters.regime,
        "state": filters.state,
        "call": filters.call_id,
        "assignee": filters.assignee,
        "move": filters.move,
        "due": filters.due,
        "q": filters.q,
        "sort": filters.sort,
        "after": after,
    }
    return url_for("backoffice.queue", **{k: v for k, v in args.items() if v})
