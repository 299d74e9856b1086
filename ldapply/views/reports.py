"""Exports, figures, failed letters and bulk actions on a selection from the queue."""

from __future__ import annotations

import io
import tempfile
import uuid

from flask import (
    Response,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from werkzeug.wrappers import Response as WerkzeugResponse

from ..clock import local_date
from ..forms.base import EmptyForm
from ..i18n import _, current_locale, text
from ..services import bulk, calls, exports, failed_letters, statistics
from ..services.errors import Forbidden
from ..workflows import REGIMES, get_regime
from ._helpers import me
from .backoffice import bp

REFRESH_SECONDS = 2  # how often the progress page of a running job reloads itself


def _kind_label(kind: str) -> str:
    labels = {
        bulk.ASSIGN: _("Toewijzen"),
        bulk.EXPORT_CSV: _("Exporteren als CSV"),
        bulk.EXPORT_XLSX: _("Exporteren als XLSX"),
        bulk.REISSUE: _("Mislukte brieven opnieuw aanmaken"),
    }
    return labels.get(kind, kind)


def _status_label(status: str) -> str:
    labels = {
        bulk.PENDING: _("Wacht op de achtergrondverwerking"),
        bulk.RUNNING: _("Bezig"),
        bulk.DONE: _("Klaar"),
        bulk.FAILED: _("Gestopt door een fout"),
    }
    return labels.get(status, status)


def _working_regimes() -> tuple[str, ...]:
    """The regimes the user works under; an advisor (or anyone without an internal role) has no business here."""
    codes = exports.working_regimes(me())
    if not codes:
        raise Forbidden()
    return codes


def _safe_next(default: str) -> str:
    """Back to the back-office page the form was on, never to another site."""
    target = request.form.get("next") or ""
    return target if target.startswith("/backoffice") and "//" not in target and "\\" not in target else default


# -- the register ----------------------------------------------------------------------------------


@bp.get("/register")
def register() -> str:
    codes = _working_regimes()
    return render_template(
        "backoffice/export.html",
        counts=exports.register_counts(me()),
        regimes=[REGIMES[c] for c in codes],
        inline_limit=exports.INLINE_LIMIT,
        retention_days=exports.RETENTION.days,
        form=EmptyForm(),
    )


@bp.post("/register/export")
def register_export() -> WerkzeugResponse:
    """The register as CSV (streamed) or XLSX; a very large one is made by the worker instead."""
    _working_regimes()
    fmt = request.form.get("format", "")
    if fmt not in exports.FORMATS:
        flash(_("Kies CSV of XLSX."), "warn")
        return redirect(url_for("backoffice.register"))
    regime = request.form.get("regime") or None
    codes = exports.register_scope(me(), regime)
    if not codes:
        raise Forbidden()
    count = exports.register_count(codes)
    if count > exports.INLINE_LIMIT:
        job = bulk.start_register_export(actor=me(), fmt=fmt, codes=codes, total=count)
        flash(_("Het register is groot; de export wordt op de achtergrond gemaakt."), "info")
        return redirect(url_for("backoffice.bulk_job", job_id=job.id))
    exports.record_export(fmt, count=count, filter={"register": list(codes)}, actor=me())
    table = exports.register_table(codes, current_locale())
    name = exports.file_name(_("register"), fmt, calls.today())
    if fmt == "csv":
        response = Response(stream_with_context(exports.csv_chunks(table)), mimetype=exports.CSV_MIMETYPE)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return _download_headers(response)
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (the response sends it from disk, then closes it)
    exports.write_xlsx(table, spool)
    spool.seek(0)
    sent = send_file(spool, mimetype=exports.XLSX_MIMETYPE, as_attachment=True, download_name=name)
    return _download_headers(sent)


def _download_headers(response: WerkzeugResponse) -> WerkzeugResponse:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# -- figures ---------------------------------------------------------------------------------------


@bp.get("/statistics")
def statistics_page() -> str:
    """The figures as the worker last took them (no query over the cases here), and each call's cap now."""
    _working_regimes()
    figures = statistics.figures(me())
    asked = statistics.ask_refresh_if_stale()  # none yet, or beat has stopped: the worker takes them now
    sections = [
        (
            one,
            statistics.bars([(text(one.regime.state(row.state).label), row.count) for row in one.by_state]),
            statistics.bars([(text(one.regime.state(row.state).label), row.median_days) for row in one.lead_times]),
        )
        for one in figures.regimes
    ]
    overdue = statistics.bars([(text(one.regime.title), one.overdue) for one in figures.regimes])
    caps = [(use, statistics.cap_segments(use.usage)) for use in figures.cap_use]
    return render_template(
        "backoffice/statistics.html",
        figures=figures,
        sections=sections,
        overdue=overdue,
        caps=caps,
        asked=asked,
        regimes=REGIMES,
        calls_shown=statistics.CALLS_SHOWN,
    )


# -- failed letters --------------------------------------------------------------------------------


@bp.get("/letters/failed")
def failed_letters_page() -> str:
    _working_regimes()
    page = failed_letters.failed_page(me(), failed_letters.parse_cursor(request.args.get("after")))
    titles = {(r.regime_code, r.kind): text(get_regime(r.regime_code).letter(r.kind).title) for r in page.rows}
    return render_template(
        "backoffice/failed_letters.html",
        page=page,
        titles=titles,
        first=not request.args.get("after"),
        form=EmptyForm(),
    )


@bp.post("/letters/<uuid:letter_id>/retry")
def retry_letter(letter_id: uuid.UUID) -> WerkzeugResponse:
    """Hand a failed letter to the worker again (from the list, or from the case page with `next`)."""
    _working_regimes()
    letter = failed_letters.retry(letter_id, me())
    flash(
        _(
            "De brief wordt opnieuw aangemaakt: %(kind)s.",
            kind=text(get_regime(letter.regime_code).letter(letter.kind).title),
        ),
        "success",
    )
    return redirect(_safe_next(url_for("backoffice.failed_letters_page")))


# -- bulk actions ----------------------------------------------------------------------------------


@bp.post("/bulk")
def bulk_start() -> WerkzeugResponse:
    """Start a bulk action on the cases ticked in the queue; its progress is on a page of its own."""
    back = _safe_next(url_for("backoffice.queue"))  # every POST passed the CSRF check (CSRFProtect) to get here
    try:
        job = bulk.start(
            actor=me(),
            kind=request.form.get("kind", ""),
            ids=request.form.getlist("ids"),
            assignee_id=request.form.get("assignee_id"),
            queue_filter=_queue_filter(),
        )
    except bulk.InvalidBulkRequest as refusal:
        flash(refusal.message, "warn")
        return redirect(back)
    return redirect(url_for("backoffice.bulk_job", job_id=job.id))


def _queue_filter() -> dict[str, str] | None:
    """With "everything the filter shows" chosen: the queue's filter fields the bar carried (`filter_<name>`)."""
    if request.form.get("scope") != "filter":
        return None
    return {name: request.form.get(f"filter_{name}", "") for name in bulk.FILTER_FIELDS}


@bp.get("/bulk/<uuid:job_id>")
def bulk_job(job_id: uuid.UUID) -> WerkzeugResponse:
    """The job's progress. While it runs the page reloads itself every two seconds with the HTTP Refresh
    header, which needs no script (the meta tag would do the same, but axe-core rates any timed meta refresh
    critical); `?auto=0` stops it, as WCAG 2.2.1 asks, and leaves a link to update by hand."""
    job = bulk.job_for(me(), job_id)
    bulk.interrupt_if_stale(job)  # a worker that died: said here, before the beat's sweep comes by
    running = job.status in (bulk.PENDING, bulk.RUNNING)
    refreshing = running and request.args.get("auto") != "0"
    response = make_response(
        render_template(
            "backoffice/bulk_job.html",
            job=job,
            total=bulk.total_of(job),
            kind_label=_kind_label(job.kind),
            status_label=_("Onderbroken") if bulk.interrupted(job) else _status_label(job.status),
            interrupted=bulk.interrupted(job),
            interruption=bulk.interruption_message(),
            remaining=bulk.total_of(job) - job.done - job.failed,
            running=running,
            refreshing=refreshing,
            on_filter=bulk.on_filter(job),
            downloadable=job.status == bulk.DONE and job.result_key is not None,
            kept_until=exports.kept_until(job),
            retention_days=exports.RETENTION.days,
        )
    )
    if refreshing:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


@bp.post("/bulk/<uuid:job_id>/again")
def bulk_again(job_id: uuid.UUID) -> WerkzeugResponse:
    """Run an interrupted job again, from the cases handled so far (the creator or an admin; CSRF checked)."""
    job = bulk.job_for(me(), job_id)
    try:
        bulk.run_again(job, me())
    except bulk.InvalidBulkRequest as refusal:
        flash(refusal.message, "warn")
    return redirect(url_for("backoffice.bulk_job", job_id=job.id))


@bp.get("/bulk/<uuid:job_id>/download")
def bulk_download(job_id: uuid.UUID) -> WerkzeugResponse:
    job = bulk.job_for(me(), job_id)
    data = bulk.result_of(job)
    fmt = bulk.EXPORT_FORMATS[job.kind]
    name = exports.file_name(_("export"), fmt, local_date(job.created_at))
    mimetype = exports.CSV_MIMETYPE if fmt == "csv" else exports.XLSX_MIMETYPE
    sent = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)
    return _download_headers(sent)


@bp.app_context_processor
def _bulk_bar() -> dict[str, object]:
    """Constants the queue's bulk bar reads (no query)."""
    return {"bulk_filter_fields": bulk.FILTER_FIELDS, "bulk_max": bulk.MAX_SELECTION}


@bp.app_template_global("bulk_assignees")
def bulk_assignees() -> list[tuple[uuid.UUID, str]]:
    """Who the queue's bulk bar can assign cases to (read only when the bar is drawn)."""
    return bulk.assignees()
