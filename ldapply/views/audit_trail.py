"""The audit trail on screen: a case's entries for its staff, the whole trail for admins (with filters and
a check of the chain). Both are paged by entry number (keyset), so each page costs the same few statements
whatever the trail's size. Looking at these pages is not itself recorded."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..clock import LOCAL_ZONE, local
from ..extensions import db
from ..forms.base import EmptyForm
from ..i18n import _, _l, format_day, text
from ..models import Application, AuditEntry
from ..services import audit, case_work
from ..services.errors import Forbidden, NotFound
from ..workflows import REGIMES
from ..workflows._spec import INTERNAL_ROLES, Regime, Role
from ._helpers import me
from .backoffice import _case, bp

PAGE_SIZE = 50
CHECK_SECONDS = 10.0  # a check from the page stops after this and offers to go on (gunicorn allows 30 s)

# What known actions mean; an action without a label here is shown by its code alone. Moves are named by
# the regime of their case.
ACTION_LABELS = {
    "verdict.recorded": _l("Oordeel over een voorwaarde"),
    "signatory.added": _l("Ondertekenaar toegevoegd"),
    "signatory.activated": _l("Ondertekenaar ingeschakeld"),
    "signatory.deactivated": _l("Ondertekenaar uitgeschakeld"),
    "parameter.changed": _l("Parameterwaarde gewijzigd"),
    "case.assigned": _l("Behandelaar gewijzigd"),
    "conflict.declared": _l("Geen belangenconflict verklaard"),
    "conflict.recused": _l("Onthouden wegens belangenconflict"),
    audit.VERIFIED: _l("Auditspoor gecontroleerd"),
}
PROBLEMS = {
    "missing": _l("vermelding %(seq)s ontbreekt (verwijderd)"),
    "link": _l("de schakel van vermelding %(seq)s naar de vorige klopt niet (een vermelding ervoor werd gewijzigd)"),
    "changed": _l("de inhoud van vermelding %(seq)s klopt niet met haar hash (gewijzigd)"),
    "cut_off": _l("vermelding %(seq)s en volgende ontbreken: het einde van de trail werd afgeknipt"),
    "head": _l("het begin- of eindpunt van de trail klopt niet bij vermelding %(seq)s"),
}


@dataclass(frozen=True)
class Change:
    """One value an entry records: its name, before and after."""

    name: str
    old: str
    new: str


@dataclass(frozen=True)
class Row:
    """An entry as the table shows it."""

    entry: AuditEntry
    action: str  # what it means, when known; empty otherwise
    case: Application | None  # the case it belongs to, on the admin page
    changes: list[Change]


@bp.get("/applications/<uuid:application_id>/audit")
def case_audit(application_id: uuid.UUID) -> str:
    """A case's audit trail, newest first: who did what when, with the values before and after."""
    application = _case(application_id)
    if not set(me().roles_for(application.regime_code)) & INTERNAL_ROLES:
        raise NotFound()  # an advisor's body sees its advice, not the case's internal trail
    page = audit.search(audit.TrailFilter(application_id=application.id), before=_before(), limit=PAGE_SIZE)
    regime = REGIMES.get(application.regime_code)
    return render_template(
        "backoffice/audit_case.html",
        application=application,
        rows=[_row(entry, regime, None) for entry in page.entries],
        page=page,
        first_page=request.args.get("before") is not None,
    )


@bp.get("/audit")
def audit_trail() -> str:
    """The whole trail for admins: narrowed by actor, action, object, case and dates; and the chain's check."""
    _require_admin()
    filters, errors, values = _filters()
    page = audit.search(filters, before=_before(), limit=PAGE_SIZE) if not errors else audit.TrailPage([], None)
    cases = _cases_of(page.entries)
    rows = []
    for entry in page.entries:
        case = cases.get(entry.application_id) if entry.application_id is not None else None
        rows.append(_row(entry, _regime_of(case), case))
    return render_template(
        "backoffice/audit.html",
        rows=rows,
        page=page,
        values=values,
        query={name: value for name, value in values.items() if value},  # the filters, for the page links
        errors=errors,
        first_page=request.args.get("before") is not None,
        verification=_verification(audit.latest_verification()),
        form=EmptyForm(),
    )


@bp.post("/audit/verify")
def verify_audit_trail() -> Response:
    """Check the chain from the page (a long trail in steps of CHECK_SECONDS; the command line checks it
    whole), record the check in the trail, and show its outcome."""
    _require_admin()
    if not EmptyForm().validate_on_submit():
        raise NotFound()
    after = _int(request.form.get("after")) or 0
    result = audit.check_and_record(after=max(after, 0), seconds=CHECK_SECONDS)
    if result.broken is not None:
        flash(_("Het auditspoor is niet intact: %(problem)s.", problem=_problem(result.broken)), "warn")
    elif result.complete:
        flash(_("Het auditspoor is intact: %(count)s vermeldingen gecontroleerd.", count=result.checked), "success")
    else:
        flash(
            _(
                "%(count)s vermeldingen gecontroleerd, tot nummer %(last)s, zonder fout. Controleer verder om het "
                "einde te bereiken.",
                count=result.checked,
                last=result.last_seq,
            ),
            "info",
        )
    return redirect(url_for("backoffice.audit_trail", _anchor="verification"))


def _require_admin() -> None:
    if Role.ADMIN not in me().roles:
        raise Forbidden()


def _before() -> int | None:
    return _int(request.args.get("before"))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _filters() -> tuple[audit.TrailFilter, dict[str, str], dict[str, str]]:
    """The admin's filters from the query string: the filter, the errors per field, and the values typed."""
    names = ("actor", "action", "object_type", "object_id", "reference", "since", "until")
    values = {name: request.args.get(name, "").strip()[:200] for name in names}
    errors: dict[str, str] = {}
    since, until = _day(values["since"]), _day(values["until"])
    for name, day in (("since", since), ("until", until)):
        if values[name] and day is None:
            errors[name] = _("Geef een datum als 2026-07-11.")
    if since and until and until < since:
        errors["until"] = _("De einddatum ligt voor de begindatum.")
    application_id = None
    if values["reference"]:
        application_id = db.session.scalar(
            select(Application.id).where(Application.reference == values["reference"].upper())
        )
        if application_id is None:
            errors["reference"] = _("Er is geen dossier met referentie %(reference)s.", reference=values["reference"])
    filters = audit.TrailFilter(
        actor=values["actor"],
        action=values["action"],
        object_type=values["object_type"],
        object_id=values["object_id"],
        application_id=application_id,
        since=_midnight(since) if since else None,
        until=_midnight(until + timedelta(days=1)) if until else None,
    )
    return filters, errors, values


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _midnight(day: date) -> datetime:
    """The start of a day in Brussels, the day staff mean when they give a date."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_ZONE)


def _cases_of(entries: Iterable[AuditEntry]) -> dict[uuid.UUID, Application]:
    """The cases of a page's entries, in one statement (for their reference and regime)."""
    ids = {e.application_id for e in entries if e.application_id is not None}
    if not ids:
        return {}
    found = db.session.scalars(select(Application).where(Application.id.in_(ids)))
    return {application.id: application for application in found}


def _regime_of(application: Application | None) -> Regime | None:
    return REGIMES.get(application.regime_code) if application is not None else None


def _row(entry: AuditEntry, regime: Regime | None, case: Application | None) -> Row:
    return Row(entry, _action_label(entry.action, regime), case, _changes(entry.old, entry.new, regime))


def _action_label(action: str, regime: Regime | None) -> str:
    if action.startswith("transition.") and regime is not None:
        transition = regime.transition(action.removeprefix("transition."))
        return text(transition.label) if transition is not None else ""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else ""


def _changes(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, regime: Regime | None) -> list[Change]:
    """Each value the entry records, with what it was before and became (a value kept the same is shown once)."""
    before, after = dict(old or {}), dict(new or {})
    names = list(before) + [name for name in after if name not in before]
    return [
        Change(
            name, _shown(name, before[name], regime) if name in before else "", _shown(name, after.get(name), regime)
        )
        for name in names
        if name in after or name in before
    ]


def _shown(name: str, value: Any, regime: Regime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if name == "state" and regime is not None and isinstance(value, str):
        state = next((s for s in regime.states if s.code == value), None)
        return f"{text(state.label)} ({value})" if state is not None else value
    if name == "verdict" and value in case_work.VERDICT_WORDS:
        return f"{case_work.VERDICT_WORDS[value]} ({value})"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


@dataclass(frozen=True)
class LastCheck:
    """The latest check of the chain, as recorded in the trail."""

    entry: AuditEntry
    checked: int
    first: int
    last: int
    complete: bool
    problem: str  # empty when intact so far


def _verification(entry: AuditEntry | None) -> LastCheck | None:
    if entry is None or entry.new is None:
        return None
    found = entry.new
    broken = found.get("broken_seq")
    problem = _problem(audit.Break(int(broken), "", str(found.get("problem")))) if broken is not None else ""
    return LastCheck(
        entry, int(found["checked"]), int(found["from"]), int(found["to"]), bool(found["complete"]), problem
    )


def _problem(broken: audit.Break) -> str:
    message = PROBLEMS.get(broken.kind, PROBLEMS["changed"])
    return str(message) % {"seq": broken.seq}


def moment(value: datetime) -> str:
    """When an entry was made, to the second, in Brussels time."""
    return _("%(date)s om %(time)s", date=format_day(value), time=local(value).strftime("%H:%M:%S"))


bp.add_app_template_filter(moment, "audit_moment")
