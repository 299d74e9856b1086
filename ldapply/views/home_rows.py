"""The applicant's home as it is shown: each application's texts and addresses made in the view (Jinja's filters,
macros and url_for per row cost more than the page's queries)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from flask import url_for

from ..i18n import current_locale, format_day
from ..services.applications import Dashboard, DashboardRow
from ..workflows._spec import Party

NO_ID = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class HomeRow:
    """One application on the home, its texts in the page's language."""

    id: str
    reference: str
    name: str | None
    objection_of: str | None  # the reference of the case an objection contests
    regime: str
    state: str  # as the applicant sees it
    todo: str | None  # what the organisation must do (applications.Todo)
    due: str | None  # the last day of the todo or of the administration's next step
    administration_due: bool  # `due` is the administration's, not the organisation's
    created: str
    submitted: str | None
    call: str | None
    call_closes: str | None
    decision_new: bool
    overview_url: str
    rename_url: str
    delete_url: str

    @property
    def title(self) -> str:
        return self.name or self.reference


@dataclass(frozen=True)
class HomeBoard:
    todo: list[HomeRow]
    drafts: list[HomeRow]
    submitted: list[HomeRow]
    recognitions: list[HomeRow]
    closed: list[HomeRow]
    elsewhere: int

    @property
    def decided(self) -> list[HomeRow]:
        """Rows with a decision letter not opened yet (drafts have none)."""
        return [row for row in (*self.todo, *self.submitted, *self.recognitions, *self.closed) if row.decision_new]


def home_board(board: Dashboard) -> HomeBoard:
    every = (*board.todo, *board.drafts, *board.submitted, *board.recognitions, *board.closed)
    references = {row.application.id: row.application.reference for row in every}
    # each page's address with the id left open, made once: url_for per row costs more than the row's query
    paths = {
        e: url_for(e, application_id=NO_ID).split(NO_ID) for e in ("apply.overview", "apply.rename", "apply.delete")
    }

    language = current_locale()  # asked once: Flask-Babel looks it up anew on every call

    def shown(rows: Sequence[DashboardRow]) -> list[HomeRow]:
        return [_home_row(row, references, paths, language) for row in rows]

    return HomeBoard(
        todo=shown(board.todo),
        drafts=shown(board.drafts),
        submitted=shown(board.submitted),
        recognitions=shown(board.recognitions),
        closed=shown(board.closed),
        elsewhere=board.elsewhere,
    )


def _home_row(
    row: DashboardRow,
    references: Mapping[uuid.UUID, str],
    paths: Mapping[str, list[str]],
    language: str,
) -> HomeRow:
    application, call = row.application, row.application.call
    id_ = str(application.id)
    return HomeRow(
        id=id_,
        reference=application.reference,
        name=application.name,
        objection_of=references.get(application.objection_of_id, "—") if application.objection_of_id else None,
        regime=row.regime.title.get(language),
        state=row.state.public_label.get(language),
        todo=str(row.todo) if row.todo else None,
        # a deadline is the midnight that ends it: shown as its last day, "tot en met 12 november 2026"
        due=format_day(row.due - timedelta(seconds=1)) if row.due else None,
        administration_due=row.state.whose_move != Party.APPLICANT,
        created=format_day(application.created_at),
        submitted=format_day(application.submitted_at) if application.submitted_at else None,
        call=call.title if call else None,
        call_closes=format_day(call.closes_on) if call else None,
        decision_new=row.decision_new,
        overview_url=id_.join(paths["apply.overview"]),
        rename_url=id_.join(paths["apply.rename"]),
        delete_url=id_.join(paths["apply.delete"]),
    )
