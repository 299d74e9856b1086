"""The back office: queues, the case page, and the generic action endpoint."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..forms.base import ActionForm
from ..services import applications, backoffice, letters, transitions, uploads
from ..services.answers import answer_sections
from ..services.errors import NotFound, TransitionNotAllowed
from ..services.regimes import regime_of
from ._helpers import me, pdf_download

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")


@bp.before_request
@login_required
def _staff_only() -> None:
    backoffice.require_staff(me())


@bp.get("/")
def queue() -> str:
    only_mine = request.args.get("view", "mine") == "mine"
    cases = backoffice.queue(me(), only_my_move=only_mine)
    return render_template("backoffice/queue.html", cases=cases, only_mine=only_mine, regime_of=regime_of)


@bp.get("/applications/<uuid:application_id>")
def case(application_id: uuid.UUID, form: ActionForm | None = None, status: int = 200) -> tuple[str, int]:
    application = backoffice.get_case(me(), application_id)
    regime = regime_of(application)
    proposal = transitions.pending_proposal(application.id)
    page = render_template(
        "backoffice/case.html",
        application=application,
        regime=regime,
        state=regime.state(application.state),
        sections=answer_sections(application, regime),
        letters=letters.letters_for(application.id),
        history=transitions.history(application.id),
        proposal=proposal,
        actions=transitions.available_transitions(application, me(), proposal),
        mismatches=applications.organisation_mismatches(application),
        form=form or ActionForm(),
    )
    return page, status


@bp.post("/applications/<uuid:application_id>/actions/<action>")
def apply_action(application_id: uuid.UUID, action: str) -> Response | tuple[str, int]:
    application = backoffice.get_case(me(), application_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return case(application_id, form=form, status=400)
    try:
        event = transitions.apply_transition(
            application=application, action=action, actor=me(), comment=form.comment.data
        )
    except TransitionNotAllowed as refusal:
        form.comment.errors = [refusal.message]
        return case(application_id, form=form, status=refusal.status_code)
    flash(f"Uitgevoerd: {regime_of(application).transition(event.action).label.nl}.", "success")  # type: ignore[union-attr]
    return redirect(url_for("backoffice.case", application_id=application.id))


@bp.get("/applications/<uuid:application_id>/uploads/<uuid:upload_id>")
def download_upload(application_id: uuid.UUID, upload_id: uuid.UUID) -> Response:
    application = backoffice.get_case(me(), application_id)
    upload = uploads.get_upload(application, upload_id)
    return pdf_download(uploads.upload_bytes(upload), upload.filename)


@bp.get("/applications/<uuid:application_id>/letters/<uuid:letter_id>")
def download_letter(application_id: uuid.UUID, letter_id: uuid.UUID) -> Response:
    application = backoffice.get_case(me(), application_id)
    letter = next((lt for lt in letters.letters_for(application.id) if lt.id == letter_id), None)
    if letter is None:
        raise NotFound()
    try:
        return pdf_download(letters.letter_pdf(letter), letters.download_name(application.reference, letter))
    except LookupError:
        raise NotFound("Deze brief wordt nog opgemaakt.") from None
