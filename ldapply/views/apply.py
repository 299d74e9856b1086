"""The applicant's pages: start, the generic step runner, check answers, submit, status and letters."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..forms.base import EmptyForm, SubmitForm
from ..forms.builder import build_step_form, form_data_for
from ..services import accounts, applications, letters, transitions, uploads
from ..services.answers import answer_sections
from ..services.errors import InvalidUpload, NotFound
from ..services.regimes import regime_of
from ..workflows import REGIMES
from ._helpers import me, pdf_download

bp = Blueprint("apply", __name__)


@bp.get("/")
@login_required
def home() -> str | Response:
    user = me()
    if accounts.is_staff(user) and not user.memberships:
        return redirect(url_for("backoffice.queue"))
    return render_template(
        "apply/home.html", applications=applications.applications_of(user), regimes=REGIMES.values(), form=EmptyForm()
    )


@bp.post("/applications")
@login_required
def start() -> Response:
    regime_code = request.form.get("regime", "")
    if not EmptyForm().validate_on_submit() or regime_code not in REGIMES:
        abort(400)
    application = applications.start_application(user=me(), regime_code=regime_code)
    return redirect(url_for("apply.overview", application_id=application.id))


@bp.get("/applications/<uuid:application_id>")
@login_required
def overview(application_id: uuid.UUID) -> str:
    application = applications.get_for_member(me(), application_id)
    regime = regime_of(application)
    return render_template(
        "apply/overview.html",
        application=application,
        regime=regime,
        state=regime.state(application.state),
        editable=applications.is_editable(application),
        steps=applications.step_statuses(application),
        letters=letters.letters_for(application.id),
        history=transitions.history(application.id),
    )


@bp.route("/applications/<uuid:application_id>/steps/<slug>", methods=["GET", "POST"])
@login_required
def edit_step(application_id: uuid.UUID, slug: str) -> Response | tuple[str, int]:
    application = applications.get_for_member(me(), application_id)
    regime = regime_of(application)
    step = regime.step(slug)
    if step is None or step not in regime.visible_steps(application.answers):
        raise NotFound()
    if not applications.is_editable(application):
        flash("Deze aanvraag is ingediend en kan niet meer gewijzigd worden.", "info")
        return redirect(url_for("apply.overview", application_id=application.id))
    form_class = build_step_form(step, application.answers, request.form if request.method == "POST" else None)
    form = form_class(data=form_data_for(step, applications.initial_answers(application)))
    if form.validate_on_submit():
        try:
            applications.save_step(
                application=application, step=step, answers=form.answers(), files=form.files(), actor=me()
            )
            return redirect(_next_page(application))
        except InvalidUpload as refusal:  # shown beside the file field, with the other answers kept
            getattr(form, refusal.field).errors = [refusal.message]
    status = 400 if request.method == "POST" else 200
    return render_template(
        "apply/step.html", application=application, regime=regime, step=step, form=form, answers=application.answers
    ), status


def _next_page(application: applications.Application) -> str:
    missing = applications.incomplete_steps(application)
    if missing:
        return url_for("apply.edit_step", application_id=application.id, slug=missing[0].slug)
    return url_for("apply.check_answers", application_id=application.id)


@bp.get("/applications/<uuid:application_id>/check")
@login_required
def check_answers(application_id: uuid.UUID) -> str:
    application = applications.get_for_member(me(), application_id)
    regime = regime_of(application)
    return render_template(
        "apply/check.html",
        application=application,
        regime=regime,
        sections=zip(regime.visible_steps(application.answers), answer_sections(application, regime), strict=True),
        missing=applications.incomplete_steps(application),
        editable=applications.is_editable(application),
        form=SubmitForm(),
    )


@bp.post("/applications/<uuid:application_id>/submit")
@login_required
def submit(application_id: uuid.UUID) -> Response | tuple[str, int]:
    application = applications.get_for_member(me(), application_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        regime = regime_of(application)
        return render_template(
            "apply/check.html",
            application=application,
            regime=regime,
            sections=zip(regime.visible_steps(application.answers), answer_sections(application, regime), strict=True),
            missing=applications.incomplete_steps(application),
            editable=applications.is_editable(application),
            form=form,
        ), 400
    applications.submit(application=application, actor=me(), declaration=bool(form.declaration.data))
    flash(f"Uw aanvraag {application.reference} is ingediend. U ontvangt een ontvangstbevestiging.", "success")
    return redirect(url_for("apply.overview", application_id=application.id))


@bp.get("/applications/<uuid:application_id>/uploads/<uuid:upload_id>")
@login_required
def download_upload(application_id: uuid.UUID, upload_id: uuid.UUID) -> Response:
    application = applications.get_for_member(me(), application_id)
    upload = uploads.get_upload(application, upload_id)
    return pdf_download(uploads.upload_bytes(upload), upload.filename)


@bp.get("/applications/<uuid:application_id>/letters/<uuid:letter_id>")
@login_required
def download_letter(application_id: uuid.UUID, letter_id: uuid.UUID) -> Response:
    application = applications.get_for_member(me(), application_id)
    letter = next((lt for lt in letters.letters_for(application.id) if lt.id == letter_id), None)
    if letter is None:
        raise NotFound()
    try:
        data = letters.letter_pdf(letter)
    except LookupError:
        raise NotFound("Deze brief wordt nog opgemaakt. Probeer het over enkele ogenblikken opnieuw.") from None
    return pdf_download(data, letters.download_name(application.reference, letter))
