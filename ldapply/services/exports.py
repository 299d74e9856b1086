"""Exports of the register of recognitions and of a selection from the queue, as CSV and XLSX.

Rows are read in keyset batches (never the whole set in memory) and written as they come: the CSV is
streamed to the browser, the XLSX is written by openpyxl's write-only workbook to a temporary file.
Every cell that a spreadsheet would read as a formula is neutralised (OWASP, "CSV Injection"): an
organisation's name is the applicant's own text and must never run in a colleague's Excel.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import Select, and_, false, func, or_, select, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from .. import formatting
from ..clock import local_date, utcnow
from ..extensions import db
from ..i18n import _
from ..models import Application, BulkJob, DecisionProposal, Organisation, ProposalStatus, User
from ..workflows import REGIMES
from ..workflows._spec import INTERNAL_ROLES, Regime
from . import audit
from .storage import get_storage

BATCH = 1000
# An export larger than this is made by the worker (a bulk job) and downloaded when it is ready.
INLINE_LIMIT = 10_000
# Cells starting with these are formulas (or start one) in Excel and LibreOffice; OWASP lists tab and CR too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters XLSX cannot hold (openpyxl refuses them); a CSV keeps them as they are.
_ILLEGAL_XLSX = re.compile(r"[\000-\010\013\014\016-\037]")
XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet: a longer export continues on the next sheet
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
EXPORT_KINDS = tuple(f"export_{fmt}" for fmt in FORMATS)  # the bulk jobs that store an export's file
# The administration's own rule (no law sets it): an export made in the background stays downloadable this
# long after it finished; then its file and its job are deleted (the audit trail keeps that it was made).
RETENTION = timedelta(days=7)
PURGE_BATCH = 500  # jobs deleted per beat run: the rest follow in the next run

Value = str | Decimal | date | None


def neutralise(value: str) -> str:
    """The text as a spreadsheet shows it, never as a formula: a leading ' makes it text (OWASP)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@dataclass(frozen=True)
class Table:
    """An export: its title (the sheet's name), column headers in the reader's language, and its rows."""

    title: str
    headers: tuple[str, ...]
    rows: Iterable[tuple[Value, ...]]


# -- who sees what ---------------------------------------------------------------------------------


def working_regimes(user: User) -> tuple[str, ...]:
    """The regimes this member of staff works under (reviewer, decision maker or admin; an advisor is not)."""
    return tuple(code for code in REGIMES if user.roles_for(code) & INTERNAL_ROLES)


def _in_regimes(codes: Sequence[str]) -> ColumnElement[bool]:
    if set(codes) == set(REGIMES):
        return true()
    return Application.regime_code.in_(codes) if codes else false()


def register_states(regime: Regime) -> tuple[str, ...]:
    """The states of a recognition, from the regime's data: those that hold one (granted, active,
    suspended, ...) and the terminal states only a recognition leads to (revoked, expired)."""
    holding = {state.code for state in regime.states if state.holds_recognition}
    ended = {
        t.target
        for t in regime.transitions
        if t.sources and set(t.sources) <= holding and regime.state(t.target).terminal
    }
    return tuple(sorted(holding | ended))


def _register_filter(codes: Sequence[str]) -> ColumnElement[bool]:
    clauses = [
        and_(Application.regime_code == code, Application.state.in_(register_states(REGIMES[code]))) for code in codes
    ]
    return and_(Application.submitted_at.is_not(None), or_(*clauses) if clauses else false())


def register_scope(user: User, regime_code: str | None) -> tuple[str, ...]:
    """The regimes a register export covers: the one asked for, if the user works under it; else all theirs."""
    mine = working_regimes(user)
    if regime_code:
        return (regime_code,) if regime_code in mine else ()
    return mine


# -- the register ----------------------------------------------------------------------------------


def register_counts(user: User) -> dict[str, int]:
    """Per regime this user works under, how many recognitions the register holds (one grouped count;
    served by ix_applications_state and the partial queue indexes on submitted cases)."""
    codes = working_regimes(user)
    rows = db.session.execute(
        select(Application.regime_code, func.count()).where(_register_filter(codes)).group_by(Application.regime_code)
    )
    counts = dict.fromkeys(codes, 0)
    counts.update({code: int(n) for code, n in rows})
    return counts


def register_count(codes: Sequence[str]) -> int:
    return int(db.session.scalar(select(func.count()).select_from(Application).where(_register_filter(codes))) or 0)


def _latest_grant(column: str) -> ColumnElement[object]:
    """One value of the case's latest confirmed decision that grants: its volume, or when it was taken
    (a correlated lookup on ix_decision_proposals_application_id, so the first rows come at once)."""
    granting = sorted({o.code for r in REGIMES.values() for o in r.outcomes if o.grants})
    proposal = aliased(DecisionProposal)
    return (
        select(getattr(proposal, column))
        .where(
            proposal.application_id == Application.id,
            proposal.status == ProposalStatus.CONFIRMED,
            proposal.outcome.in_(granting),
        )
        .order_by(proposal.settled_at.desc(), proposal.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def register_table(codes: Sequence[str], locale: str) -> Table:
    headers = (
        _("Referentie"),
        _("Organisatie"),
        _("KBO-nummer"),
        _("Regeling"),
        _("Status"),
        _("Volume toegekend"),
        _("Eenheid"),
        _("Begindatum"),
        _("Einddatum"),
        _("Beslissingsdatum"),
    )
    return Table(_("Register"), headers, _register_rows(codes, locale))


def _register_query(codes: Sequence[str], after: str) -> Select[*tuple[Any, ...]]:
    return (
        select(
            Application.id,
            Application.reference,
            Organisation.name,
            Organisation.enterprise_number,
            Application.regime_code,
            Application.state,
            Application.recognition_ends_on,
            _latest_grant("volume").label("volume"),
            Application.requested_volume,
            _latest_grant("settled_at").label("decided_at"),
        )
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(_register_filter(codes), Application.reference > after)
        .order_by(Application.reference)
        .limit(BATCH)
    )


def _register_rows(codes: Sequence[str], locale: str) -> Iterator[tuple[Value, ...]]:
    after = ""
    while True:
        batch = db.session.execute(_register_query(codes, after)).all()
        if not batch:
            return
        for row in batch:
            regime = REGIMES[row.regime_code]
            decided_on = local_date(row.decided_at) if isinstance(row.decided_at, datetime) else None
            # A grant that names no volume gives what was asked, as the decision letter says.
            volume = row.volume if row.volume is not None else row.requested_volume
            yield (
                row.reference,
                row.name,
                formatting.enterprise_number(row.enterprise_number),
                regime.title.get(locale),
                regime.state(row.state).label.get(locale),
                volume,
                regime.volume_unit.get(locale) if volume is not None else None,
                decided_on,  # a recognition starts on the day of its decision, as the decision letter says
                row.recognition_ends_on,
                decided_on,
            )
        after = batch[-1].reference


# -- a selection from the queue --------------------------------------------------------------------


def visible_ids(user: User, ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """The ids among `ids` of submitted cases under the user's regimes, in the order given."""
    codes = working_regimes(user)
    seen: set[uuid.UUID] = set()
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start : start + BATCH])
        seen.update(
            db.session.scalars(
                select(Application.id).where(
                    Application.id.in_(chunk), Application.submitted_at.is_not(None), _in_regimes(codes)
                )
            )
        )
    return [i for i in ids if i in seen]


def selection_table(ids: Sequence[uuid.UUID], locale: str) -> Table:
    """The cases ticked in the queue (already checked with `visible_ids`), with the queue's columns."""
    headers = (
        _("Referentie"),
        _("Organisatie"),
        _("KBO-nummer"),
        _("Regeling"),
        _("Status"),
        _("Behandelaar"),
        _("Ingediend op"),
        _("Beslissen uiterlijk op"),
    )
    return Table(_("Selectie"), headers, _selection_rows(ids, locale))


def _selection_rows(ids: Sequence[uuid.UUID], locale: str) -> Iterator[tuple[Value, ...]]:
    assignee = aliased(User)
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start : start + BATCH])
        rows = db.session.execute(
            select(
                Application.id,
                Application.reference,
                Organisation.name,
                Organisation.enterprise_number,
                Application.regime_code,
                Application.state,
                assignee.name.label("assignee"),
                Application.submitted_at,
                Application.due_on,
            )
            .join(Organisation, Organisation.id == Application.organisation_id)
            .outerjoin(assignee, assignee.id == Application.assignee_id)
            .where(Application.id.in_(chunk))
        ).all()
        by_id = {row.id: row for row in rows}
        for application_id in chunk:  # the queue's order, as ticked
            row = by_id.get(application_id)
            if row is None:
                continue
            regime = REGIMES[row.regime_code]
            yield (
                row.reference,
                row.name,
                formatting.enterprise_number(row.enterprise_number),
                regime.title.get(locale),
                regime.state(row.state).label.get(locale),
                row.assignee,
                local_date(row.submitted_at) if row.submitted_at else None,
                row.due_on,
            )


# -- writing ---------------------------------------------------------------------------------------


def _csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return _decimal_comma(value)
    if isinstance(value, date):
        return value.isoformat()  # Excel reads ISO dates in every locale
    return neutralise(value)


def _decimal_comma(value: Decimal) -> str:
    """6,5 and 12 (no thousands separator): what Belgian Excel reads as a number."""
    written = f"{value:f}"
    if "." in written:
        written = written.rstrip("0").rstrip(".")
    return written.replace(".", ",")


def csv_chunks(table: Table, *, every: int = 500) -> Iterator[bytes]:
    """The export as CSV, in chunks of `every` rows: UTF-8 with a byte-order mark, so Excel reads the
    accents right, and `;` between cells, the list separator Excel uses in Belgium (and wherever the
    decimal separator is a comma), so a double click opens it in columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    buffer.write("\ufeff")
    writer.writerow([neutralise(header) for header in table.headers])
    for number, row in enumerate(table.rows, 1):
        writer.writerow([_csv_cell(value) for value in row])
        if number % every == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _xlsx_text(value: str) -> str:
    value = _ILLEGAL_XLSX.sub("", value)
    return "'" + value if value in ERROR_CODES else neutralise(value)


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Value) -> WriteOnlyCell | Value:
    if isinstance(value, str):
        return _xlsx_text(value)
    if isinstance(value, date):
        return WriteOnlyCell(sheet, value=value)  # openpyxl gives a date its yyyy-mm-dd format
    return value


def write_xlsx(table: Table, target: IO[bytes]) -> int:
    """Write the export as an XLSX workbook to `target` in write-only mode; returns the number of rows."""
    workbook = Workbook(write_only=True)
    sheet, written, count = _new_sheet(workbook, table, 1), 1, 0
    for row in table.rows:
        if written == XLSX_MAX_ROWS:
            sheet, written = _new_sheet(workbook, table, len(workbook.worksheets) + 1), 1
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        written, count = written + 1, count + 1
    workbook.save(target)
    return count


def _new_sheet(workbook: Workbook, table: Table, number: int) -> WriteOnlyWorksheet:
    title = table.title[:28] if number == 1 else f"{table.title[:24]} {number}"
    sheet = workbook.create_sheet(title=title)
    bold = Font(bold=True)
    header = []
    for text in table.headers:
        cell = WriteOnlyCell(sheet, value=_xlsx_text(text))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    return sheet


def file_name(kind: str, fmt: str, on: date) -> str:
    return f"{kind}-{on.isoformat()}.{fmt}"


def record_export(fmt: str, *, count: int, filter: dict[str, object], actor: User) -> None:
    """The audit entry of an export (who took which data out, how much), committed before the file goes."""
    audit.record(f"export.{fmt}", object_type="export", new={"count": count, "filter": filter}, actor=actor)
    db.session.commit()


# -- retention -------------------------------------------------------------------------------------------


def kept_until(job: BulkJob) -> datetime | None:
    """Until when a finished export's file can be downloaded; None while the job has not finished."""
    return job.finished_at + RETENTION if job.finished_at is not None else None


def purge_expired(now: datetime | None = None) -> int:
    """Delete the stored files and the jobs of exports that finished more than RETENTION ago (a batch per run),
    each with an audit entry of ldapply's own; how many. The file goes after its row is gone: a crash in
    between leaves an orphan file, never a job whose download fails."""
    cutoff = (now or utcnow()) - RETENTION
    expired = db.session.scalars(
        select(BulkJob)
        .where(BulkJob.kind.in_(EXPORT_KINDS), BulkJob.finished_at.is_not(None), BulkJob.finished_at < cutoff)
        .order_by(BulkJob.finished_at, BulkJob.id)
        .limit(PURGE_BATCH)
    ).all()
    keys = [job.result_key for job in expired if job.result_key]
    for job in expired:
        audit.record(
            "export.purged",
            object_type="bulk_job",
            object_id=job.id,
            old={"kind": job.kind, "finished_at": job.finished_at, "file": job.result_key, "done": job.done},
            actor=None,
        )
        db.session.delete(job)
    db.session.commit()
    storage = get_storage()
    for key in keys:
        storage.delete(key)
    return len(expired)
