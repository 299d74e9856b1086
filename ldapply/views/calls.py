"""Calls for applications (oproepen): admins open them; staff see how much of each cap is taken."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..forms.base import CallForm
from ..i18n import _, text
from ..services import calls, staff
from ..services.errors import Forbidden, TransitionNotAllowed
from ..workflows import REGIMES
from ._helpers import me
from .backoffice import bp


@bp.route("/calls", methods=["GET", "POST"])
def manage_calls() -> str | Response:
    """Admins open calls for applications; staff see them and how much of each cap is taken."""
    form = CallForm()
    with_calls = [r for r in REGIMES.values() if r.uses_calls and staff.may_admin(me(), r.code)]  # admins per regime
    form.regime.choices = [SelectChoice(r.code, text(r.title)) for r in with_calls]
    form.application_types.choices = calls.application_type_choices(with_calls)
    if request.method == "POST" and not with_calls:
        raise Forbidden()
    if form.validate_on_submit():
        try:
            calls.open_call(
                actor=me(),
                regime_code=form.regime.data or "",
                title=form.title.data or "",
                opens_on=form.opens_on.data,
                closes_on=form.closes_on.data,  # type: ignore[arg-type]
                cap=form.cap_value(),
                application_types=list(form.application_types.data or []),
            )
        except TransitionNotAllowed as refusal:
            form.closes_on.errors = [refusal.message]
        else:
            flash(_("Oproep „%(title)s” geopend.", title=form.title.data), "success")
            return redirect(url_for("backoffice.manage_calls"))
    every_call = calls.all_calls()
    usage = calls.usages(every_call)  # one aggregate query for all of them
    rows = [(call, usage[call.id]) for call in every_call]
    return render_template("backoffice/calls.html", rows=rows, form=form, is_admin=bool(with_calls), regimes=REGIMES)
