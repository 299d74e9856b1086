"""The applicant's pages: pre-check, start, the generic step runner, check answers, submit, status, letters."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..forms.base import ActionForm, EmptyForm, SubmitForm
from ..forms.builder import build_step_form, form_data_for
from ..models import Application
from ..services import accounts, applications, backoffice, calls, eligibility, letters, transitions, uploads
from ..services.answers import answer_sections
from ..services.errors import InvalidUpload, NotFound, StepIncomplete, TransitionNotAllowed
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
        "apply/home.html",
        applications=applications.applications_of(user),
        regimes=REGIMES.values(),
        open_calls={code: calls.open_calls(code) for code, regime in REGIMES.items() if regime.uses_calls},
        form=EmptyForm(),
    )


@bp.post("/applications")
@login_required
def start() -> Response:
    regime_code = request.form.get("regime", "")
    if not EmptyForm().validate_on_submit() or regime_code not in REGIMES:
        abort(400)
    try:
        call_id = uuid.UUID(request.form["call"]) if request.form.get("call") else None
    except ValueError:
        abort(400)
    try:
        application = applications.start_application(user=me(), regime_code=regime_code, call_id=call_id)
    except StepIncomplete as refusal:
        flash(refusal.message, "warn")
        return redirect(url_for("apply.home"))
    return redirect(url_for("apply.overview", application_id=application.id))


@bp.route("/regimes/<code>/precheck", methods=["GET", "POST"])
def precheck(code: str) -> str:
    """The eligibility pre-check: the questions the regime's conditions read, answered before starting."""
    if code not in REGIMES:
        raise NotFound()
    regime = REGIMES[code]
    step = eligibility.precheck_step(regime)
    form = build_step_form(step, {}, request.form if request.method == "POST" else None)()
    results = eligibility.evaluate(regime, form.answers()) if form.validate_on_submit() else None
    return render_template("apply/precheck.html", regime=regime, step=step, form=form, results=results)


@bp.get("/applications/<uuid:application_id>")
@login_required
def overview(application_id: uuid.UUID, form: ActionForm | None = None, failed: str | None = None) -> str:
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
        deadline=backoffice.deadline_of(application),
        # A response in a hearing comes first; giving up comes last.
        actions=sorted(
            (t for t in transitions.available_transitions(application, me(), None) if t.action != regime.submit_action),
            key=lambda t: (not t.responds, regime.state(t.target).terminal),
        ),
        responses=uploads.event_uploads(application.id),
        form=form or ActionForm(),
        failed=failed,
    )


@bp.post("/applications/<uuid:application_id>/actions/<action>")
@login_required
def applicant_action(application_id: uuid.UUID, action: str) -> Response | str | tuple[str, int]:
    """The applicant's other moves: submit additions, respond in a hearing, withdraw, lodge an objection."""
    application = applications.get_for_member(me(), application_id)
    regime = regime_of(application)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    transition = regime.transition(action)
    if transition is None or action == regime.submit_action:
        abort(404)  # submission goes through the check page and its declaration
    if transition.irreversible and form.confirmed.data != "yes":
        return render_template("apply/confirm.html", application=application, transition=transition, form=form)
    try:
        transitions.apply_transition(
            application=application,
            action=action,
            actor=me(),
            motivation=form.comment.data,
            files=form.chosen_files() if transition.responds else (),
        )
    except (TransitionNotAllowed, InvalidUpload) as refusal:
        form.comment.errors = [refusal.message]  # the text typed is kept on the page shown again
        return overview(application_id, form=form, failed=action), refusal.status_code
    flash(f"Uitgevoerd: {transition.label.nl}.", "success")
    return redirect(url_for("apply.overview", application_id=application.id))


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


def _next_page(application: Application) -> str:
    missing = applications.incomplete_steps(application)
    if missing:
        return url_for("apply.edit_step", application_id=application.id, slug=missing[0].slug)
    return url_for("apply.check_answers", application_id=application.id)


def _check_page(application: Application, form: SubmitForm) -> str:
    regime = regime_of(application)
    return render_template(
        "apply/check.html",
        application=application,
        regime=regime,
        sections=zip(regime.visible_steps(application.answers), answer_sections(application, regime), strict=True),
        missing=applications.incomplete_steps(application),
        editable=applications.is_editable(application),
        can_submit=application.state == regime.initial_state,
        form=form,
    )


@bp.get("/applications/<uuid:application_id>/check")
@login_required
def check_answers(application_id: uuid.UUID) -> str:
    return _check_page(applications.get_for_member(me(), application_id), SubmitForm())


@bp.post("/applications/<uuid:application_id>/submit")
@login_required
def submit(application_id: uuid.UUID) -> Response | tuple[str, int]:
    application = applications.get_for_member(me(), application_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        return _check_page(application, form), 400
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
    letter = letters.letter_of(application.id, letter_id)
    if letter is None:
        raise NotFound()
    try:
        data = letters.letter_pdf(letter)
    except LookupError:
        raise NotFound("Deze brief wordt nog opgemaakt. Probeer het over enkele ogenblikken opnieuw.") from None
    return pdf_download(data, letters.download_name(application.reference, letter))
