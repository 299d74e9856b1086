"""The back office: queues, the case page, and the generic action endpoint."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..forms.base import ActionForm, CallForm
from ..services import applications, assessment, backoffice, calls, letters, transitions, uploads
from ..services.answers import answer_sections
from ..services.errors import NotFound, TransitionNotAllowed
from ..services.regimes import regime_of
from ..workflows import REGIMES, all_versions
from ..workflows._spec import Role
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
        checklist=assessment.checklist(application),
        may_assess=assessment.may_assess(application, me()),
        deadline=backoffice.deadline_of(application),
        usage=calls.usage(application.call) if application.call else None,
        requested=regime.volume(application.answers) if regime.volume else None,
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
            application=application, action=action, actor=me(), comment=form.comment.data, volume=form.volume_value()
        )
    except TransitionNotAllowed as refusal:
        form.comment.errors = [refusal.message]
        return case(application_id, form=form, status=refusal.status_code)
    transition = regime_of(application).transition(event.action)
    flash(f"Uitgevoerd: {transition.label.nl if transition else event.action}.", "success")
    return redirect(url_for("backoffice.case", application_id=application.id))


@bp.post("/applications/<uuid:application_id>/assessment")
def assess(application_id: uuid.UUID) -> Response | tuple[str, int]:
    """The reviewer's checklist: per condition met or not, with a note."""
    application = backoffice.get_case(me(), application_id)
    if not ActionForm().validate_on_submit():
        return case(application_id, status=400)
    verdicts = {}
    for row in assessment.checklist(application):
        choice = request.form.get(f"verdict-{row.condition.code}", "")
        if choice in ("met", "not_met"):
            note = request.form.get(f"note-{row.condition.code}", "").strip()[:5000] or None
            verdicts[row.condition.code] = (choice == "met", note)
    try:
        changed = assessment.record_verdicts(application=application, actor=me(), verdicts=verdicts)
    except TransitionNotAllowed as refusal:
        flash(refusal.message, "warn")
    else:
        flash(f"Beoordeling bewaard ({changed} voorwaarde(n) gewijzigd).", "success")
    return redirect(url_for("backoffice.case", application_id=application.id, _anchor="assessment"))


@bp.route("/calls", methods=["GET", "POST"])
def manage_calls() -> str | Response:
    """Admins open calls for applications; staff see them and how much of each cap is taken."""
    form = CallForm()
    with_calls = [r for r in REGIMES.values() if r.uses_calls]
    form.regime.choices = [SelectChoice(r.code, r.title.nl) for r in with_calls]
    form.application_types.choices = calls.application_type_choices(with_calls)
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
            flash(f"Oproep „{form.title.data}” geopend.", "success")
            return redirect(url_for("backoffice.manage_calls"))
    rows = [(call, calls.usage(call)) for call in calls.all_calls()]
    return render_template("backoffice/calls.html", rows=rows, form=form, is_admin=Role.ADMIN in me().roles)


@bp.get("/parameters")
def parameters() -> str:
    """Every parameter of every regime version, with its value and where that value comes from."""
    return render_template("backoffice/parameters.html", regimes=all_versions())


@bp.get("/applications/<uuid:application_id>/uploads/<uuid:upload_id>")
def download_upload(application_id: uuid.UUID, upload_id: uuid.UUID) -> Response:
    application = backoffice.get_case(me(), application_id)
    upload = uploads.get_upload(application, upload_id)
    return pdf_download(uploads.upload_bytes(upload), upload.filename)


@bp.get("/applications/<uuid:application_id>/letters/<uuid:letter_id>")
def download_letter(application_id: uuid.UUID, letter_id: uuid.UUID) -> Response:
    application = backoffice.get_case(me(), application_id)
    letter = letters.letter_of(application.id, letter_id)
    if letter is None:
        raise NotFound()
    try:
        return pdf_download(letters.letter_pdf(letter), letters.download_name(application.reference, letter))
    except LookupError:
        raise NotFound("Deze brief wordt nog opgemaakt.") from None
