"""Closing days (admins) and clock extensions (the roles a clock names), on the back office's blueprint."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from ..forms.base import EmptyForm
from ..forms.clock import DAY_MESSAGE, ClosingDayForm, ExtensionForm
from ..i18n import _, format_day, text
from ..models import Application
from ..services import backoffice as deadlines
from ..services import closing_days, legal_clock
from ..services.errors import NotFound, TransitionNotAllowed
from ..services.regimes import regime_of
from ._helpers import me
from .backoffice import _case, bp


@bp.app_template_global("may_extend_clock")
def may_extend_clock(application: Application, clock: legal_clock.ClockView) -> bool:
    """Whether the user looking at the case page may extend its clock now (the route checks it again)."""
    return clock.extendable and legal_clock.may_extend(me(), application, clock.name)


@bp.app_template_global("step_period")
def step_period(application: Application) -> deadlines.Deadline | None:
    """The current step's own period (a hearing's response period), for the clock's panel."""
    return deadlines.deadline_of(application)


@bp.post("/applications/<uuid:application_id>/clocks/<name>/extend")
def extend_clock(application_id: uuid.UUID, name: str) -> Response:
    application = _case(application_id)
    spec = legal_clock.spec_of(regime_of(application), name)
    if spec is None:
        raise NotFound()
    form = ExtensionForm()
    back = url_for("backoffice.case", application_id=application.id, _anchor="clock")
    if not form.validate_on_submit():  # the token itself is checked for every POST (CSRFProtect)
        problems = " ".join(str(message) for field in (form.days, form.reason) for message in field.errors)
        flash(_("Termijn niet verlengd. %(reason)s", reason=problems), "warn")
        return redirect(back)
    try:
        due = legal_clock.extend_clock(
            application=application,
            name=name,
            days=form.days_value(),
            reason=form.reason.data or "",
            actor=me(),
        )
    except TransitionNotAllowed as refusal:
        flash(_("Termijn niet verlengd. %(reason)s", reason=refusal.message), "warn")
        return redirect(back)
    label = text(spec.label)
    if due is None:
        flash(_("%(clock)s: termijn verlengd; hij staat nog stil.", clock=label), "success")
    else:
        flash(_("%(clock)s: termijn verlengd tot en met %(date)s.", clock=label, date=format_day(due)), "success")
    return redirect(back)


@bp.route("/closing-days", methods=["GET", "POST"])
def manage_closing_days() -> str | Response:
    """The administration's closing days: listed, added with a label, removed (admins only)."""
    closing_days.require_admin(me())
    form = ClosingDayForm()
    if form.validate_on_submit():
        try:
            added = closing_days.add_day(actor=me(), day=form.day.data, label=form.label.data or "")
        except TransitionNotAllowed as refusal:
            form.day.errors = [refusal.message]
        else:
            flash(_("Sluitingsdag %(date)s toegevoegd.", date=format_day(added.day)), "success")
            return redirect(url_for("backoffice.manage_closing_days"))
    elif form.day.errors:
        form.day.errors = [str(DAY_MESSAGE)]  # not WTForms' own wording
    return render_template("backoffice/closing_days.html", rows=closing_days.all_days(), form=form)


@bp.post("/closing-days/<uuid:closing_day_id>/delete")
def remove_closing_day(closing_day_id: uuid.UUID) -> Response:
    closing_days.require_admin(me())
    if not EmptyForm().validate_on_submit():
        raise NotFound()  # the token is checked before (CSRFProtect): nothing else to get wrong
    removed = closing_days.remove_day(actor=me(), closing_day_id=closing_day_id)
    flash(_("Sluitingsdag %(date)s verwijderd.", date=format_day(removed.day)), "success")
    return redirect(url_for("backoffice.manage_closing_days"))
