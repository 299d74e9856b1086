"""The back office's work queue: filters, search, sort and keyset pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import render_template, request, url_for
from sqlalchemy import Row

from ..clock import local_date
from ..i18n import _, _l, format_day, text
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


@dataclass(frozen=True)
class ShownRow:
    """A queue row with its texts made once per page (dates and labels repeat; Jinja calls are dear)."""

    id: str
    reference: str
    select_label: str
    organisation: str
    regime: str
    state: str
    due: str
    overdue: bool
    assignee: str | None
    whose_move: str
    submitted: str


def _shown(rows: Sequence[Row[Any]], today: date) -> list[ShownRow]:
    labels: dict[tuple[str, int, str], tuple[str, str]] = {}
    moves = {str(party): str(label) for party, label in PARTY_LABELS.items()}
    select_label = _("%(reference)s selecteren")  # translated once, filled in per row

    shown = []
    for row in rows:
        key = (row.regime_code, row.regime_version, row.state)
        if key not in labels:
            regime = get_regime(row.regime_code, row.regime_version)
            labels[key] = (text(regime.title), text(regime.state(row.state).label))
        shown.append(
            ShownRow(
                id=str(row.id),
                reference=row.reference,
                select_label=select_label % {"reference": row.reference},
                organisation=row.organisation_name,
                regime=labels[key][0],
                state=labels[key][1],
                due=format_day(row.due_on) if row.due_on else "",
                overdue=row.due_on is not None and row.due_on < today,
                assignee=row.assignee_name,
                whose_move=moves.get(row.whose_move, row.whose_move),
                submitted=format_day(local_date(row.submitted_at)),
            )
        )
    return shown


@bp.get("/")
def queue() -> str:
    user = me()
    scope = queues.scope_of(user)
    assignees = queues.shown_assignee_choices() if not scope.empty else []
    calls = queues.shown_call_choices(scope) if not scope.empty else []
    filters = queues.filters_from(request.args, scope, {a for a, _ in assignees}, {c for c, _, _ in calls})
    result = queues.page(user, filters, request.args.get("after"), request.args.get("before"))
    regimes = scope.regime_list()
    return render_template(
        "backoffice/queue.html",
        filters=filters,
        result=result,
        regimes=regimes,
        states=_state_choices(regimes, filters.regime),
        calls=calls,
        assignees=assignees,
        rows=_shown(result.rows, queues.today()),
        party_labels=PARTY_LABELS,
        next_url=_page_url(filters, result.next_cursor) if result.next_cursor else None,
        previous_url=_page_url(filters, None, before=result.previous_cursor) if result.previous_cursor else None,
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


def _page_url(filters: queues.Filters, after: str | None, before: str | None = None) -> str:
    """The same filters and sort, from the cursor `after` on, or up to the cursor `before` (neither: the first
    page)."""
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
        "before": before,
    }
    return url_for("backoffice.queue", **{k: v for k, v in args.items() if v})
