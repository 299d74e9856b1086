"""The back office: queues, the case page, and the generic action endpoint."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..forms.base import ActionForm, EmptyForm, SignatoryForm
from ..i18n import _, current_locale, text
from ..models import Application
from ..services import (
    advice,
    applications,
    assessment,
    backoffice,
    calls,
    conflicts,
    information_requests,
    ledger,
    legal_clock,
    letters,
    objections,
    samples,
    signatories,
    staff,
    transitions,
    uploads,
)
from ..services.answers import answer_sections, handed_in
from ..services.errors import NotFound, TransitionNotAllowed
from ..services.regimes import regime_of
from ..workflows import REGIMES, all_versions
from ..workflows._spec import Provenance, Role
from ._helpers import letter_html_response, me, pdf_download

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")


@bp.before_request
@login_required
def _staff_only() -> None:
    staff.require_staff(me())


class DeclarationNeeded(Exception):
    """Raised before a first look at a case's content while no conflict-of-interest declaration is on record."""

    def __init__(self, application_id: uuid.UUID) -> None:
        self.application_id = application_id


def _case(application_id: uuid.UUID) -> Application:
    """The case, when this member of staff may see it (role, regime, advisor's body, no recusal) and has
    declared no conflict of interest with the applying organisation. Every page or file that shows a
    case's content reads it through here."""
    application = staff.get_case(me(), application_id)
    if conflicts.needs_declaration(me(), application):
        raise DeclarationNeeded(application.id)
    return application


@bp.errorhandler(DeclarationNeeded)
def _declaration_first(needed: DeclarationNeeded) -> Response:
    """The conflict-of-interest gate: declare or recuse first, then back to where the user was going."""
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("backoffice.declaration", application_id=needed.application_id, next=target))


@bp.get("/applications/<uuid:application_id>")
def case(application_id: uuid.UUID, form: ActionForm | None = None, status: int = 200) -> tuple[str, int]:
    application = _case(application_id)
    regime = regime_of(application)
    proposal = transitions.pending_proposal(application.id)
    history = transitions.history(application.id)
    answers = handed_in(application)  # not the applicant's edits before they are handed in
    page = render_template(
        "backoffice/case.html",
        application=application,
        regime=regime,
        state=regime.state(application.state),
        answers=answers,
        sections=answer_sections(answers, regime, current_locale()),
        changed_rows=applications.changed_rows(application, history, current_locale()),
        letters=letters.letters_for(application.id),
        history=history,
        needs=transitions.considerations_needed(application, history),
        proposal=proposal,
        actions=transitions.available_transitions(application, me(), proposal),
        responses=uploads.event_uploads(application.id),
        mismatches=applications.organisation_mismatches(application),
        checklist=assessment.checklist(application),
        may_assess=assessment.may_assess(application, me()),
        deadline=backoffice.deadline_of(application),
        clock=legal_clock.clock_view(application),
        advice_requests=advice.requests_for(application.id),
        information_items=information_requests.items_for(application.id),
        linked_cases=objections.linked_cases(application),
        usage=calls.usage(application.call) if application.call else None,
        requested=regime.volume(answers) if regime.volume else None,
        form=form or ActionForm(),
    )
    return page, status


@bp.post("/applications/<uuid:application_id>/actions/<action>")
def apply_action(application_id: uuid.UUID, action: str) -> Response | tuple[str, int]:
    application = _case(application_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return case(application_id, form=form, status=400)
    transition = regime_of(application).transition(action)
    if transition is not None and Role.APPLICANT in transition.roles:
        raise NotFound()  # the applicant's moves go through the applicant's pages, with their checks
    asks_confirmation = transition is not None and transition.irreversible
    try:
        if asks_confirmation and form.confirmed.data != "yes":
            return confirm_action(application_id, action, form=form)  # asked on a page of its own first
        transitions.apply_transition(
            application=application,
            action=action,
            actor=me(),
            motivation=form.comment.data,
            note=form.note.data,
            volume=form.volume_value(),
            considerations=form.considerations(),
            items=_items_asked(application, action),
        )
    except TransitionNotAllowed as refusal:
        form.comment.errors = [refusal.message]
        if asks_confirmation and transitions.may_make(application, action, me()):
            return confirm_action(application_id, action, form=form, status=refusal.status_code)
        return case(application_id, form=form, status=refusal.status_code)
    flash(_("Uitgevoerd: %(action)s.", action=text(transition.label) if transition else action), "success")
    return redirect(url_for("backoffice.case", application_id=application.id))


def _items_asked(application: Application, action: str) -> list[str] | None:
    """The steps and fields a request for additions asks for (ticked on the case page); None for other moves."""
    regime = regime_of(application)
    if not applications.asks_items(regime, action):
        return None
    return applications.asked_items(regime, request.form.getlist("items"))


@bp.get("/applications/<uuid:application_id>/actions/<action>/confirm")
def confirm_action(
    application_id: uuid.UUID, action: str, form: ActionForm | None = None, status: int = 200
) -> tuple[str, int]:
    """An irreversible move asks for confirmation here, with the letter it will issue and what would stop it."""
    application = _case(application_id)
    form = form or ActionForm()
    try:
        shown = transitions.preview(
            application=application,
            action=action,
            actor=me(),
            motivation=form.comment.data,
            considerations=form.considerations(),
        )
    except TransitionNotAllowed as refusal:
        form.comment.errors = [refusal.message]
        return case(application_id, form=form, status=refusal.status_code)
    if not form.comment.data and shown.proposal is not None:
        form.comment.data = shown.proposal.motivation
        form.hearing_answer.data = (shown.proposal.considerations or {}).get("hearing", "")
        form.advice_answer.data = (shown.proposal.considerations or {}).get("advice", "")
    page = render_template(
        "backoffice/confirm.html",
        application=application,
        regime=regime_of(application),
        preview=shown,
        form=form,
    )
    return page, status


@bp.route("/applications/<uuid:application_id>/actions/<action>/preview", methods=["GET", "POST"])
def preview_letter(application_id: uuid.UUID, action: str) -> Response:
    """The letter the move would issue (GET: as proposed; POST: with the motivation as now typed), as
    HTML for the page's frame, or as PDF with ?format=pdf. Marked as a draft, it is never a letter."""
    application = _case(application_id)
    form = ActionForm()
    if request.method == "POST" and not form.validate_on_submit():
        raise NotFound()
    try:
        shown = transitions.preview(
            application=application,
            action=action,
            actor=me(),
            motivation=form.comment.data,
            considerations=form.considerations(),
        )
    except TransitionNotAllowed as refusal:
        raise NotFound(refusal.message) from None
    if shown.context is None:
        raise NotFound()
    document = _letter_document(application, shown)
    if request.args.get("format") == "pdf":
        name = f"{application.reference}-{_('ontwerp')}-{shown.transition.letter}.pdf"
        return pdf_download(letters.render_pdf(document), name)
    return letter_html_response(document)


def _letter_document(application: Application, shown: transitions.Preview) -> str:
    """The letter as the move would issue it, marked as a draft."""
    context = {**(shown.context or {}), "draft": True}
    return letters.render_html(regime_of(application).code, shown.transition.letter or "", context)


@bp.post("/applications/<uuid:application_id>/assessment")
def assess(application_id: uuid.UUID) -> Response | tuple[str, int]:
    """The reviewer's checklist: per condition met or not, a reason for the letter, an internal note."""
    application = _case(application_id)
    if not ActionForm().validate_on_submit():
        return case(application_id, status=400)
    verdicts = {}
    for row in assessment.checklist(application):
        code = row.condition.code
        choice = request.form.get(f"verdict-{code}", "")
        if choice in ("met", "not_met"):
            reason = request.form.get(f"reason-{code}", "").strip()[:5000] or None
            note = request.form.get(f"note-{code}", "").strip()[:5000] or None
            verdicts[code] = (choice == "met", reason, note)
    try:
        changed = assessment.record_verdicts(application=application, actor=me(), verdicts=verdicts)
    except TransitionNotAllowed as refusal:
        flash(_("Beoordeling niet bewaard. %(reason)s", reason=refusal.message), "warn")
        return redirect(url_for("backoffice.case", application_id=application.id, _anchor="assessment"))
    flash(_("Beoordeling bewaard (%(count)s voorwaarde(n) gewijzigd).", count=changed), "success")
    return redirect(url_for("backoffice.case", application_id=application.id, _anchor="assessment"))


@bp.get("/parameters")
def parameters() -> str:
    """Every parameter of every regime version, with its value and where that value comes from."""
    return render_template("backoffice/parameters.html", regimes=all_versions())


@bp.get("/applications/<uuid:application_id>/uploads/<uuid:upload_id>")
def download_upload(application_id: uuid.UUID, upload_id: uuid.UUID) -> Response:
    application = _case(application_id)
    upload = uploads.get_upload(application, upload_id)
    return pdf_download(uploads.upload_bytes(upload), upload.filename, upload.content_type)


@bp.get("/applications/<uuid:application_id>/letters/<uuid:letter_id>")
def download_letter(application_id: uuid.UUID, letter_id: uuid.UUID) -> Response:
    application = _case(application_id)
    letter = letters.letter_of(application.id, letter_id)
    if letter is None:
        raise NotFound()
    try:
        return pdf_download(letters.letter_pdf(letter), letters.download_name(application.reference, letter))
    except LookupError:
        raise NotFound(_("Deze brief wordt nog opgemaakt.")) from None


@bp.route("/signatories", methods=["GET", "POST"])
def manage_signatories() -> str | Response:
    """Who signs decisions, in what function and under which delegation: admins keep it, staff see it."""
    form = SignatoryForm()
    form.user.choices = [SelectChoice(str(u.id), f"{u.name} ({u.email})") for u in signatories.decision_makers()]
    form.provenance.choices = [SelectChoice(p.value, text(p.label)) for p in Provenance]
    form.regime.choices = [SelectChoice("", _("Alle regelingen"))] + [
        SelectChoice(c, text(r.title)) for c, r in REGIMES.items()
    ]
    if form.validate_on_submit():
        try:
            signatories.add_signatory(
                actor=me(),
                user_id=uuid.UUID(form.user.data or ""),
                function=form.function.data or "",
                delegation=form.delegation.data or "",
                provenance=Provenance(form.provenance.data),
                source=form.source.data or "",
                regime_code=form.regime.data or None,
            )
        except TransitionNotAllowed as refusal:
            form.user.errors = [refusal.message]
        else:
            flash(_("Ondertekenaar toegevoegd."), "success")
            return redirect(url_for("backoffice.manage_signatories"))
    return render_template(
        "backoffice/signatories.html",
        rows=signatories.all_signatories(),
        form=form,
        is_admin=Role.ADMIN in me().roles,
        regimes=REGIMES,
    )


@bp.post("/signatories/<uuid:signatory_id>/active")
def toggle_signatory(signatory_id: uuid.UUID) -> Response:
    if not EmptyForm().validate_on_submit():
        raise NotFound()
    signatories.set_active(actor=me(), signatory_id=signatory_id, active=request.form.get("active") == "yes")
    flash(_("Ondertekenaar bijgewerkt."), "success")
    return redirect(url_for("backoffice.manage_signatories"))


@bp.get("/uncertainty")
def uncertainty() -> str:
    """The legal-uncertainty ledger: per parameter or citation not found in the law, the decisions on it."""
    rows = ledger.reliances()
    by_name: dict[str, list[ledger.Reliance]] = {}
    for row in rows:
        by_name.setdefault(row.name, []).append(row)
    return render_template("backoffice/uncertainty.html", by_name=by_name, regimes=all_versions())


@bp.get("/sample-letters")
def sample_letters() -> str:
    """Every letter kind of every regime, from a sample case, for lawyers to review the whole set."""
    return render_template("backoffice/sample_letters.html", regimes=REGIMES.values())


@bp.get("/sample-letters/<regime_code>/<kind>")
def sample_letter(regime_code: str, kind: str) -> Response:
    regime = REGIMES.get(regime_code)
    if regime is None or kind not in {spec.key for spec in regime.letters}:
        raise NotFound()
    shown = samples.sample(regime, kind)
    document = letters.render_html(regime.code, kind, shown.context)
    if request.args.get("format") == "pdf":
        return pdf_download(letters.render_pdf(document), f"{_('voorbeeld')}-{regime.code}-{kind}.pdf")
    return letter_html_response(document)
