"""The applicant's pages: pre-check, dashboard, start, the task list, the generic step runner, check
answers, ready for signature, submit and its confirmation, status, letters, additions and objections."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..extensions import db
from ..forms.base import ActionForm, EmptyForm, SubmitForm
from ..forms.builder import build_step_form, form_data_for
from ..forms.journey import RenameForm
from ..forms.kinds import upload_limit
from ..i18n import _, current_locale, format_day, text
from ..models import Application, ApplicationEvent, User
from ..services import (
    accounts,
    applications,
    backoffice,
    calls,
    eligibility,
    information_items,
    information_requests,
    legal_clock,
    letters,
    objections,
    parameter_changes,
    renewals,
    steps,
    transitions,
    uploads,
)
from ..services.answers import attachments, display_value, step_rows
from ..services.clock_view import ClockView
from ..services.errors import (
    ChangedMeanwhile,
    Forbidden,
    InvalidUpload,
    NotFound,
    StepIncomplete,
    TransitionNotAllowed,
)
from ..services.regimes import missing_steps, regime_of
from ..workflows import REGIMES
from ..workflows._spec import Party, Regime, Role, Step, Transition
from . import step_page
from ._helpers import acting_membership, me, pdf_download
from .home_rows import home_board

bp = Blueprint("apply", __name__)
bp.add_app_template_global(attachments, "attachments")  # every upload among the answers, per field
bp.add_app_template_global(renewals.links, "renewal_links")  # a case's renewals, on the applicant's and staff pages


@bp.app_template_global("information_request_form")
def information_request_form(application: Application, transition: Transition) -> information_items.RequestForm:
    """The case page's request for additions: its default date, and after a refused post of this move what
    the reviewer ticked and typed, with the problems (the back office's form; its item part is a partial)."""
    refused = request.method == "POST" and (request.view_args or {}).get("action") == transition.action
    posted = request.form if refused else None
    return information_items.request_form(application, transition, posted, request.form.getlist("items"))


PRECHECK_KEY = "precheck"  # the pre-check's answers, kept in the session to start an application with them


@bp.app_template_filter("last_day")
def last_day(due: datetime | None) -> str:
    """A deadline (the midnight that ends it) as its last day: "tot en met 12 november 2026"."""
    return format_day(due - timedelta(seconds=1)) if due is not None else "—"


def _regime(code: str) -> Regime:
    """The regime of the pre-check, with the parameter values in effect now."""
    if code not in REGIMES:
        raise NotFound()
    return parameter_changes.in_effect(REGIMES[code])


def _open_calls() -> dict[str, list[calls.OfferedCall]]:
    return {code: calls.offered_calls(code) for code, regime in REGIMES.items() if regime.uses_calls}


# -- the dashboard ---------------------------------------------------------------------------------


@bp.get("/")
@login_required
def home() -> str | Response:
    user = me()
    if accounts.is_staff(user) and not user.memberships:
        return redirect(url_for("backoffice.queue"))
    membership = acting_membership()
    board = applications.dashboard(user, membership.organisation_id) if membership else None
    return render_template(
        "apply/home.html",
        membership=membership,
        board=home_board(board) if board else None,
        regimes=REGIMES.values(),
        open_calls=_open_calls(),
        kept=_kept_precheck(None),
        form=EmptyForm(),
    )


@bp.get("/applications/all")
@login_required
def all_applications() -> str | Response:
    """Every application of the organisation, newest first, a page at a time: also those closed over a year
    ago, which the home leaves out."""
    membership = acting_membership()
    if membership is None:
        return redirect(url_for("apply.home"))
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    found, more = applications.every_application_of(membership.organisation_id, page)
    return render_template(
        "apply/all_applications.html", membership=membership, found=found, page=page, more=more, regime_of=regime_of
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
    kept = _kept_precheck(regime_code) if request.form.get("from_precheck") else None
    membership = acting_membership()
    try:
        application = applications.start_application(
            user=me(),
            regime_code=regime_code,
            call_id=call_id,
            organisation_id=membership.organisation_id if membership else None,
            answers=kept,
        )
    except StepIncomplete as refusal:
        flash(refusal.message, "warn")
        if kept is not None:
            return redirect(url_for("apply.precheck_start", code=regime_code))
        return redirect(url_for("apply.home"))
    if kept is not None:
        session.pop(PRECHECK_KEY, None)
    return redirect(url_for("apply.overview", application_id=application.id))


# -- the eligibility pre-check ---------------------------------------------------------------------


def _kept_precheck(regime_code: str | None) -> dict[str, Any] | None:
    """The answers of the pre-check done in this session (for `regime_code`, or for any regime with
    its code under "regime"); None when there are none."""
    kept = session.get(PRECHECK_KEY)
    if not isinstance(kept, dict) or kept.get("regime") not in REGIMES or not isinstance(kept.get("answers"), dict):
        return None
    if regime_code is None:
        return kept
    return dict(kept["answers"]) if kept["regime"] == regime_code else None


@bp.route("/regimes/<code>/precheck", methods=["GET", "POST"])
def precheck(code: str) -> str | tuple[str, int]:
    """The eligibility pre-check: the questions the regime's conditions read, answered before starting,
    with an answer for the whole regime."""
    regime = _regime(code)
    step = eligibility.precheck_step(regime)
    kept = _kept_precheck(code) or {}
    form_class = build_step_form(step, kept, request.form if request.method == "POST" else None)
    form = form_class(data=form_data_for(step, kept))
    result = None
    if form.validate_on_submit():
        answers = form.answers()
        session[PRECHECK_KEY] = {"regime": code, "answers": eligibility.stored_answers(answers)}
        result = eligibility.overall(regime, answers)
    membership = acting_membership() if current_user.is_authenticated else None
    page = render_template(
        "apply/precheck.html",
        regime=regime,
        step=step,
        form=form,
        result=result,
        membership=membership,
        calls=_open_calls().get(code, []),
        start_form=EmptyForm(),
    )
    return page, 400 if request.method == "POST" and result is None else 200


@bp.get("/regimes/<code>/precheck/start")
@login_required
def precheck_start(code: str) -> str | Response:
    """After logging in or signing up: start the application with the pre-check's answers kept."""
    regime = _regime(code)
    kept = _kept_precheck(code)
    if kept is None:
        return redirect(url_for("apply.precheck", code=code))
    step = eligibility.precheck_step(regime)
    return render_template(
        "apply/precheck_start.html",
        regime=regime,
        rows=step_rows(step, kept, current_locale()),
        membership=acting_membership(),
        calls=_open_calls().get(code, []),
        form=EmptyForm(),
    )


# -- naming and deleting drafts --------------------------------------------------------------------


@bp.route("/applications/<uuid:application_id>/name", methods=["GET", "POST"])
@login_required
def rename(application_id: uuid.UUID) -> str | Response | tuple[str, int]:
    application = applications.get_for_member(me(), application_id)
    form = RenameForm(data={"name": application.name or ""})
    if form.validate_on_submit():
        applications.rename(application=application, name=form.name.data or "")
        flash(_("De aanvraag heet nu „%(name)s”.", name=application.name), "success")
        return redirect(url_for("apply.overview", application_id=application.id))
    page = render_template("apply/rename.html", application=application, regime=regime_of(application), form=form)
    return page, 400 if request.method == "POST" else 200


@bp.route("/applications/<uuid:application_id>/delete", methods=["GET", "POST"])
@login_required
def delete(application_id: uuid.UUID) -> str | Response:
    """A draft never submitted is deleted after confirmation on this page, with its uploads."""
    application = applications.get_for_member(me(), application_id)
    if not applications.is_deletable(application):
        flash(_("Een ingediende aanvraag kan niet verwijderd worden: ze hoort bij het dossier."), "info")
        return redirect(url_for("apply.overview", application_id=application.id))
    form = EmptyForm()
    if form.validate_on_submit():
        label = application.name or application.reference
        applications.delete_draft(application)
        flash(_("De aanvraag „%(name)s” is verwijderd.", name=label), "success")
        return redirect(url_for("apply.home"))
    return render_template("apply/delete.html", application=application, regime=regime_of(application), form=form)


# -- the task list and the status page -------------------------------------------------------------


WHOSE_MOVE = {
    Party.APPLICANT: "applicant",
    Party.NOBODY: "nobody",
}


@bp.get("/applications/<uuid:application_id>")
@login_required
def overview(application_id: uuid.UUID, form: ActionForm | None = None, failed: str | None = None) -> str:
    user = me()
    application = applications.get_for_member(user, application_id)
    regime = regime_of(application)
    state = regime.state(application.state)
    history = transitions.history(application.id)
    found_letters = letters.letters_for(application.id)
    # An objection is a case of its own: the case it contests, or the objections against this one's decisions.
    linked = objections.linked_cases(application) if objections.may_be_linked(application, history) else []
    lodged = objections.against_decision(application, linked, history)
    return render_template(
        "apply/overview.html",
        application=application,
        regime=regime,
        state=state,
        whose_move=WHOSE_MOVE.get(state.whose_move, "administration"),
        editable=applications.is_editable(application),
        steps=applications.step_rows(application),
        requested=applications.requested_items(application),
        information=information_requests.open_request(application, history),
        changed=applications.changed_fields(application),
        letters=found_letters,
        pending_letters=any(letter.status == "pending" for letter in found_letters),
        new_decision=applications.new_decision(application, found_letters, history),
        history=history,
        public_history=[e for e in history if (t := regime.transition(e.action)) is not None and t.recital],
        deadline=backoffice.deadline_of(application, history),
        clock=legal_clock.clock_view(application),
        objection_due=None if lodged else transitions.objection_due(application, history, found_letters),
        linked=linked,
        lodged=lodged,
        ready=applications.is_ready(application),
        ready_by=db.session.get(User, application.ready_by_id) if application.ready_by_id else None,
        actions=_applicant_moves(application, regime, user, history),
        responses=uploads.event_uploads(application.id),
        max_response_files=transitions.MAX_RESPONSE_FILES,
        upload_limit_mb=upload_limit() // (1024 * 1024),
        rename_form=RenameForm(),
        form=form or ActionForm(),
        failed=failed,
    )


def _applicant_moves(
    application: Application, regime: Regime, user: User, history: list[ApplicationEvent]
) -> list[Any]:
    """The moves the page offers: a response in a hearing first, giving up last. Submitting and handing in
    additions are on the check page; a draft never submitted is deleted rather than withdrawn."""
    moves = [
        t
        for t in transitions.available_transitions(application, user, None, history)
        if not (t.submits or t.hands_in) and not (application.submitted_at is None and regime.state(t.target).terminal)
    ]
    return sorted(moves, key=lambda t: (not t.responds, regime.state(t.target).terminal))


@bp.get("/applications/<uuid:application_id>/letters.json")
@login_required
def letter_statuses(application_id: uuid.UUID) -> Response:
    """The status of each letter of one application, for the page to update without a reload."""
    application = applications.get_for_member(me(), application_id)
    found = letters.letters_for(application.id)
    statuses = applications.letter_statuses(application, found)
    for status in statuses:
        status["url"] = url_for("apply.download_letter", application_id=application.id, letter_id=status["id"])
    return jsonify({"letters": statuses, "pending": any(s["status"] == "pending" for s in statuses)})


@bp.post("/applications/<uuid:application_id>/actions/<action>")
@login_required
def applicant_action(application_id: uuid.UUID, action: str) -> Response | str | tuple[str, int]:
    """The applicant's other moves: hand in additions, respond in a hearing, withdraw, lodge an objection."""
    application = applications.get_for_member(me(), application_id)
    regime = regime_of(application)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    transition = regime.transition(action)
    if transition is None or transition.submits or Role.APPLICANT not in transition.roles:
        abort(404)  # submission goes through the check page and its declaration; staff moves through the back office
    if transition.hands_in:
        return _hand_in(application)
    if (transition.irreversible or transition.objects) and not applications.may_sign(me(), application):
        raise Forbidden(applications.not_signatory_message(application, move=text(transition.label)))
    if transition.irreversible and form.confirmed.data != "yes":
        return render_template("apply/confirm.html", application=application, transition=transition, form=form)
    try:
        event = transitions.apply_transition(
            application=application,
            action=action,
            actor=me(),
            motivation=form.comment.data,
            files=form.chosen_files() if transition.responds or transition.objects else (),
        )
    except (TransitionNotAllowed, InvalidUpload) as refusal:
        form.comment.errors = [refusal.message]  # the text typed is kept on the page shown again
        return overview(application_id, form=form, failed=action), refusal.status_code
    flash(_("Uitgevoerd: %(action)s.", action=text(transition.label)), "success")
    if event.application_id != application_id:  # an objection: its own case, where it is followed from now on
        case = applications.get_for_member(me(), event.application_id)
        flash(_("Uw bezwaar wordt behandeld als een dossier van zichzelf: %(reference)s.", reference=case.reference))
    return redirect(url_for("apply.overview", application_id=event.application_id))


@bp.route("/applications/<uuid:application_id>/renewal", methods=["GET", "POST"])
@login_required
def renewal(application_id: uuid.UUID) -> str | Response | tuple[str, int]:
    """Renewing a recognition ("Verlenging aanvragen"): the page says until when it runs and from when a renewal
    may be started (the administration's own rule); its form opens the renewal, a draft of its own."""
    application = applications.get_for_member(me(), application_id)
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            case = renewals.start(application, me())
        except (TransitionNotAllowed, ChangedMeanwhile) as refusal:
            return _renewal_page(application, form, refusal.message), refusal.status_code
        flash(
            _(
                "Uw verlenging is gestart als een aanvraag van zichzelf: %(reference)s. Kijk elke stap na, pas aan "
                "wat veranderde, voeg de documenten opnieuw toe en dien ze in.",
                reference=case.reference,
            ),
            "success",
        )
        return redirect(url_for("apply.overview", application_id=case.id))
    return _renewal_page(application, form), 200


def _renewal_page(application: Application, form: EmptyForm, problem: str | None = None) -> str:
    return render_template(
        "apply/renewal.html",
        application=application,
        regime=regime_of(application),
        links=renewals.links(application),
        problem=problem,
        form=form,
    )


def _hand_in(application: Application) -> Response:
    try:
        applications.hand_in_additions(application=application, actor=me())
    except (TransitionNotAllowed, ChangedMeanwhile) as refusal:
        flash(refusal.message, "warn")
        return redirect(url_for("apply.check_answers", application_id=application.id))
    flash(_("Uw aanvulling is ingediend. De administratie behandelt uw aanvraag verder."), "success")
    return redirect(url_for("apply.overview", application_id=application.id))


# -- the steps (the generic step page) -------------------------------------------------------------


@bp.route("/applications/<uuid:application_id>/steps/<slug>", methods=["GET", "POST"])
@login_required
def edit_step(application_id: uuid.UUID, slug: str) -> Response | tuple[str, int]:
    application, step = _step_of(application_id, slug)
    if step is None:
        return redirect(url_for("apply.overview", application_id=application_id))
    if request.method == "GET":
        return step_page.show(application, step)
    return step_page.save(application, step, lambda: _next_page(application))


@bp.post("/applications/<uuid:application_id>/steps/<slug>/uploads/<uuid:upload_id>/remove")
@login_required
def remove_upload(application_id: uuid.UUID, slug: str, upload_id: uuid.UUID) -> Response | tuple[str, int]:
    """The "remove" button beside a file on a step (before submission); the page comes back with every
    answer typed on it kept."""
    application, step = _step_of(application_id, slug)
    if step is None:
        return redirect(url_for("apply.overview", application_id=application_id))
    return step_page.save(application, step, lambda: _next_page(application), removed=upload_id)


def _step_of(application_id: uuid.UUID, slug: str) -> tuple[Application, Step | None]:
    """The member's application and the step to fill in; None (with a message) when it may not change."""
    application = applications.get_for_member(me(), application_id)
    regime = regime_of(application)
    step = regime.step(slug)
    if step is None or step not in regime.visible_steps(application.answers):
        raise NotFound()
    if not applications.is_step_unlocked(application, step):
        flash(_("Deze aanvraag is ingediend en kan niet meer gewijzigd worden."), "info")
        return application, None
    return application, step


def _next_page(application: Application) -> str:
    missing = missing_steps(application)
    if missing:
        return url_for("apply.edit_step", application_id=application.id, slug=missing[0].slug)
    return url_for("apply.check_answers", application_id=application.id)


# -- check answers, ready for signature, submit ----------------------------------------------------


def _sections(application: Application, regime: Regime) -> list[tuple[Step, list[tuple[Any, str, str, bool]]]]:
    """Per step that applies: its answers (field, label, value shown, whether it may be changed now: not
    in a step that stays as submitted, nor a question of a step whose other questions were asked)."""
    answers, locale = application.answers, current_locale()
    sections = []
    for step in regime.visible_steps(answers):
        unlocked = applications.is_step_unlocked(application, step)
        locked = steps.locked_fields(application, step) if unlocked else frozenset()
        rows = [
            (f, text(f.label), display_value(f, answers.get(f.name), locale), unlocked and f.name not in locked)
            for f in step.visible_fields(answers)
        ]
        sections.append((step, rows))
    return sections


def _check_page(application: Application, form: SubmitForm, refusal: str | None = None) -> str:
    user = me()
    regime = regime_of(application)
    draft = application.state == regime.initial_state and application.submitted_at is None
    # Only members see this page, so the move that hands in additions is theirs where the state has it;
    # whether it is complete is shown on the page, and checked again when it is handed in.
    hand_in = next((t for t in regime.transitions if t.hands_in and application.state in t.sources), None)
    return render_template(
        "apply/check.html",
        application=application,
        regime=regime,
        sections=_sections(application, regime),
        missing=missing_steps(application),
        editable=applications.is_editable(application),
        can_submit=draft,
        may_sign=applications.may_sign(user, application),
        signatories=applications.signatories_of(application.organisation_id) if draft or hand_in else [],
        ready=applications.is_ready(application),
        ready_by=db.session.get(User, application.ready_by_id) if application.ready_by_id else None,
        hand_in=hand_in,
        requested=applications.requested_items(application),
        information=information_requests.open_request(application) if hand_in else None,
        changed=applications.changed_fields(application),
        refusal=refusal,
        form=form,
        action_form=EmptyForm(),
    )


@bp.get("/applications/<uuid:application_id>/check")
@login_required
def check_answers(application_id: uuid.UUID) -> str:
    return _check_page(applications.get_for_member(me(), application_id), SubmitForm())


@bp.post("/applications/<uuid:application_id>/ready")
@login_required
def mark_ready(application_id: uuid.UUID) -> Response:
    """A preparer marks the complete draft, or the additions, ready for signature."""
    application = applications.get_for_member(me(), application_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        applications.mark_ready(application=application, actor=me())
    except StepIncomplete as refusal:
        flash(refusal.message, "warn")
    else:
        flash(
            _(
                "De aanvraag is klaar voor ondertekening. De ondertekenaars van uw organisatie zien ze bovenaan hun overzicht."
            ),
            "success",
        )
    return redirect(url_for("apply.check_answers", application_id=application.id))


@bp.post("/applications/<uuid:application_id>/submit")
@login_required
def submit(application_id: uuid.UUID) -> Response | tuple[str, int]:
    """Submit with the declaration, only as a signatory. Submitted already (a double click, a replayed
    request): the confirmation page, with one receipt and no error."""
    application = applications.get_for_member(me(), application_id)
    if application.submitted_at is not None:
        return redirect(url_for("apply.submitted", application_id=application.id))
    form = SubmitForm()
    if not applications.may_sign(me(), application):
        return _check_page(application, form, applications.not_signatory_message(application)), 403
    if not form.validate_on_submit():
        return _check_page(application, form), 400
    try:
        done = applications.submit(application=application, actor=me(), declaration=bool(form.declaration.data))
    except (StepIncomplete, TransitionNotAllowed) as refusal:
        return _check_page(application, form, refusal.message), refusal.status_code
    if done:
        flash(_("Uw aanvraag %(reference)s is ingediend.", reference=application.reference), "success")
    return redirect(url_for("apply.submitted", application_id=application.id))


@bp.get("/applications/<uuid:application_id>/submitted")
@login_required
def submitted(application_id: uuid.UUID) -> str | Response:
    """The confirmation page: what was done, what happens next and when, where to follow it."""
    application = applications.get_for_member(me(), application_id)
    if application.submitted_at is None:
        return redirect(url_for("apply.overview", application_id=application.id))
    regime = regime_of(application)
    submit_move = regime.transition(regime.submit_action)
    found = letters.letters_for(application.id)
    return render_template(
        "apply/submitted.html",
        application=application,
        regime=regime,
        state=regime.state(application.state),
        clock=_submission_clock(application, regime.state(submit_move.target).code if submit_move else None),
        receipt=next((letter for letter in found if submit_move and letter.kind == submit_move.letter), None),
        letters=found,
        pending_letters=any(letter.status == "pending" for letter in found),
    )


def _submission_clock(application: Application, submitted_state: str | None) -> ClockView | None:
    """The clock the submission started (the admissibility check's), while it has not stopped: its due date is
    the case's `due_on`, the one staff see; None once the case moved on or when no clock starts there."""
    clock = legal_clock.clock_view(application)
    if clock is None or clock.stopped or submitted_state not in clock.spec.starts_in:
        return None
    return clock


# -- files and letters -----------------------------------------------------------------------------


@bp.get("/applications/<uuid:application_id>/uploads/<uuid:upload_id>")
@login_required
def download_upload(application_id: uuid.UUID, upload_id: uuid.UUID) -> Response:
    application = applications.get_for_member(me(), application_id)
    upload = uploads.get_upload(application, upload_id)
    return pdf_download(uploads.upload_bytes(upload), upload.filename, upload.content_type)


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
        raise NotFound(_("Deze brief wordt nog opgemaakt. Probeer het over enkele ogenblikken opnieuw.")) from None
    applications.letter_downloaded(letter, me())  # every letter download goes in the audit trail
    return pdf_download(data, letters.download_name(application.reference, letter))
