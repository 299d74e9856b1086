"""The conflict-of-interest declaration a member of staff or an advisor makes before first seeing a case."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..forms.staff import DeclarationForm, RecusalForm
from ..i18n import _
from ..services import conflicts, staff
from ..services.regimes import regime_of
from ._helpers import me
from .auth import safe_local_path
from .backoffice import bp


@bp.route("/applications/<uuid:application_id>/declaration", methods=["GET", "POST"])
def declaration(application_id: uuid.UUID) -> Response | tuple[str, int]:
    """Who applies (not what they wrote), and the choice: no conflict of interest, or a recusal with a
    reason. Read with `staff.get_case`, not `_case`: this page is the gate itself."""
    application = staff.get_case(me(), application_id)
    onward = safe_local_path(request.args.get("next", "")) or url_for("backoffice.case", application_id=application.id)
    declare_form, recuse_form = DeclarationForm(), RecusalForm()
    status = 200
    if request.method == "POST":
        choice = request.form.get("choice")
        if choice == "declare" and declare_form.validate_on_submit():
            conflicts.declare_no_conflict(me(), application)
            return redirect(onward)
        if choice == "recuse" and recuse_form.validate_on_submit():
            conflicts.recuse(me(), application, recuse_form.reason.data or "")
            flash(_("U onthoudt zich van dossier %(reference)s.", reference=application.reference), "success")
            return redirect(url_for("backoffice.queue"))
        status = 400
    page = render_template(
        "backoffice/declaration.html",
        application=application,
        regime=regime_of(application),
        declared=conflicts.declaration_of(me(), application),
        declare_form=declare_form,
        recuse_form=recuse_form,
        choice=request.form.get("choice") if request.method == "POST" else None,
        onward=onward,
    )
    return page, status
