"""The back office: queues, the case page, and the generic action endpoint."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..forms.base import ActionForm, EmptyForm, LdapplyForm, SignatoryForm
from ..forms.case_work import AssignForm, HoldForm, NoteForm
from ..i18n import _, _l, current_locale, text
from ..models import Application, ApplicationEvent, DecisionProposal, User
from ..services import (
    applications,
    assessment,
    calls,
    case_work,
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
from ..services import backoffice as deadlines
from ..services.answers import answer_sections, handed_in
from ..services.errors import ChangedMeanwhile, NotFound, TransitionNotAllowed
from ..services.regimes import regime_of
from ..workflows import REGIMES, all_versions
from ..workflows._spec import Party, Provenance, Regime, Role, Transition, Verdict
from ._helpers import letter_html_response, me, pdf_download

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")
bp.add_app_template_global(case_work.describe, "describe_entry")  # the timeline's words for an audit entry


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
def case(
    application_id: uuid.UUID, form: ActionForm | None = None, status: int = 200, **forms: LdapplyForm
) -> tuple[str, int]:
    """The case's overview: where it stands, its clock, what to do next and the newest letters. The
    checklist, the answers and the timeline are tabs of their own (case_tabs.html), so each page reads only
    what it shows and its cost stays the same however long the case's history grows; each view is audited."""
    application = _case(application_id)
    page = _overview(application, form, forms)
    _viewed(application, "case")
    return page, status


def _overview(application: Application, form: ActionForm | None, forms: Mapping[str, LdapplyForm]) -> str:
    user = me()
    regime = regime_of(application)
    proposal = transitions.pending_proposal(application.id)
    answers = handed_in(application)  # not the applicant's edits before they are handed in
    working = case_work.works_on(user, application)
    moves = transitions.available_transitions(application, user, proposal)
    actions = [t for t in moves if not case_work.is_advice_move(regime, t)]  # the advice part offers those
    last = case_work.latest_event(application.id)
    last_shown = _last_move_shown(application, regime, last, proposal)
    return render_template(
        "backoffice/case.html",
        tab="overview",
        application=application,
        regime=regime,
        state=regime.state(application.state),
        letters=case_work.letters(application.id),
        last=last_shown,
        last_uploads=case_work.event_uploads(application.id, [last_shown.id]).get(last_shown.id, [])
        if last_shown and transitions.brings_files(regime.transition(last_shown.action))
        else [],
        needs=case_work.considerations_needed(application) if any(t.proposes for t in actions) else {},
        proposal=proposal,
        actions=actions,
        moves=moves,
        mismatches=applications.organisation_mismatches(application),
        clock=legal_clock.clock_view(application),
        # the newest move entered the state the case is in: the step's period counts from it (no query)
        deadline=deadlines.deadline_of(application, [last] if last and last.to_state == application.state else None),
        information_items=information_requests.items_for(application.id),
        linked_cases=objections.linked_cases(application),
        usage=calls.usage(application.call) if application.call else None,
        requested=regime.volume(answers) if regime.volume else None,
        working=working,
        may_take=working and case_work.may_take(user, application),
        whose_move_label=str(WHOSE_MOVE.get(application.whose_move, application.whose_move)),
        holder=case_work.holder_name(application),
        form=form,  # a refused move's form, with what was typed; none on a plain view (no form to build)
        hold_form=forms.get("hold_form"),
    )


def _last_move_shown(
    application: Application, regime: Regime, last: ApplicationEvent | None, proposal: DecisionProposal | None
) -> ApplicationEvent | None:
    """The newest move, when its comment is what the case waits on (a request to the applicant, a hearing):
    shown at the top of the overview. Not beside a pending proposal (that says what comes next), nor once
    the case has no next step."""
    if last is None or not last.comment or proposal is not None or last.to_state != application.state:
        return None
    return last if regime.state(last.to_state).whose_move != Party.NOBODY else None


@bp.get("/applications/<uuid:application_id>/assessment")
def case_assessment(
    application_id: uuid.UUID,
    status: int = 200,
    typed: Mapping[str, TypedVerdict] | None = None,
    unsaved: Mapping[str, TypedVerdict] | None = None,
) -> tuple[str, int]:
    """The checklist of the regime's conditions, each with the answers it rests on, the automatic finding
    and the verdict; the pending proposal above it. `typed`: the checklist as the reviewer posted it, when
    its save was refused; `unsaved`: what they posted for conditions a colleague judged meanwhile (the
    colleague's verdict is shown, theirs beside it)."""
    application = _case(application_id)
    regime, answers = regime_of(application), handed_in(application)
    page = render_template(
        "backoffice/case_assessment.html",
        **_tab(application, "assessment"),
        proposal=transitions.pending_proposal(application.id),
        requested=regime.volume(answers) if regime.volume else None,
        checklist=assessment.checklist(application),
        typed=typed or {},
        unsaved=unsaved or {},
        condition_answers=case_work.condition_answers(regime, answers, current_locale()),
        may_assess=assessment.may_assess(application, me()),
    )
    _viewed(application, "assessment")
    return page, status


@bp.get("/applications/<uuid:application_id>/answers")
def case_answers(application_id: uuid.UUID) -> str:
    """The application as handed in, step by step (what changed in the latest additions marked), and its files."""
    application = _case(application_id)
    regime, answers, locale = regime_of(application), handed_in(application), current_locale()
    page = render_template(
        "backoffice/case_answers.html",
        **_tab(application, "answers"),
        answers=answers,
        sections=answer_sections(answers, regime, locale),
        section_slugs=[step.slug for step in regime.visible_steps(answers)],
        changed_rows=applications.changed_rows(application, case_work.last_additions_move(application), locale),
        mismatches=applications.organisation_mismatches(application),
    )
    _viewed(application, "answers")
    return page


def _viewed(application: Application, page: str, **details: object) -> None:
    """A staff view of the case's content, in the audit trail (rendered first: the commit expires what
    the page read)."""
    case_work.record_view(application, page, **details)


def _generic_transition(application: Application, action: str) -> Transition | None:
    """The move `action` when the generic action endpoint handles it; NotFound for the applicant's moves
    (the applicant's pages make them, with their checks) and the advice procedure's (the advice part)."""
    regime = regime_of(application)
    transition = regime.transition(action)
    if transition is not None and (Role.APPLICANT in transition.roles or case_work.is_advice_move(regime, transition)):
        raise NotFound()
    return transition


WHOSE_MOVE: dict[str, object] = {
    Party.APPLICANT: _l("de aanvrager"),
    Party.REVIEWER: _l("de dossierbehandelaar"),
    Party.ADVISOR: _l("de adviesinstantie"),
    Party.DECISION_MAKER: _l("de beslisser"),
    Party.ADMIN: _l("de beheerder"),
    Party.NOBODY: _l("niemand: er is geen volgende stap"),
}

CHANGED_MEANWHILE = _l(
    "Dit dossier werd intussen gewijzigd door iemand anders. Hieronder ziet u de nieuwe toestand; "
    "bekijk ze en probeer opnieuw als dat nog nodig is."
)


def _fresh_page(application_id: uuid.UUID, page: Callable[..., tuple[str, int]] | None = None) -> tuple[str, int]:
    """The loser of a race between two members of staff: told so, on the case (or the tab `page`) as it is
    now (409)."""
    flash(str(CHANGED_MEANWHILE), "warn")
    return (page or case)(application_id, status=409)


@bp.post("/applications/<uuid:application_id>/actions/<action>")
def apply_action(application_id: uuid.UUID, action: str) -> Response | tuple[str, int]:
    application = _case(application_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return case(application_id, form=form, status=400)
    seen = request.form.get("seen")  # the case's version on the page the move was pressed on
    if seen is not None and seen != str(application.version):
        return _fresh_page(application_id)  # someone changed the case since that page was shown
    transition = _generic_transition(application, action)
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
    except ChangedMeanwhile:
        return _fresh_page(application_id)
    except TransitionNotAllowed as refusal:
        form.comment.errors = [refusal.message]
        if asks_confirmation and transitions.may_make(application, action, me()):
            return confirm_action(application_id, action, form=form, status=refusal.status_code)
        if applications.asks_items(regime_of(application), action) and transitions.may_make(application, action, me()):
            return ask_items(application_id, action, form=form, status=refusal.status_code)
        return case(application_id, form=form, status=refusal.status_code)
    flash(_("Uitgevoerd: %(action)s.", action=text(transition.label) if transition else action), "success")
    return redirect(url_for("backoffice.case", application_id=application.id))


def _items_asked(application: Application, action: str) -> applications.InformationRequest | None:
    """The items a request for additions asks for (ticked on the case page, each with what is wrong) and
    the date to answer by; None for other moves, and for a move that is not this user's to make (the move
    then says why). Raises RequestInvalid, with every problem, before anything is stored."""
    regime = regime_of(application)
    transition = regime.transition(action)
    if transition is None or not applications.asks_items(regime, action):
        return None
    if not transitions.may_make(application, action, me()):
        return None
    chosen = applications.asked_items(regime, request.form.getlist("items"))
    return applications.information_request(application, transition, request.form, chosen)


@bp.get("/applications/<uuid:application_id>/actions/<action>/items")
def ask_items(
    application_id: uuid.UUID, action: str, form: ActionForm | None = None, status: int = 200
) -> tuple[str, int] | Response:
    """A request for additions, on a page of its own: the steps, questions and files the applicant must
    complete, what is wrong with each, and the date to answer by. A refused post comes back here with every
    tick and text."""
    application = _case(application_id)
    transition = _generic_transition(application, action)
    if transition is None or not applications.asks_items(regime_of(application), action):
        raise NotFound()
    if not transitions.may_make(application, action, me()):
        flash(_("„%(action)s” kan nu niet in dit dossier.", action=text(transition.label)), "warn")
        return redirect(url_for("backoffice.case", application_id=application.id))
    page = render_template(
        "backoffice/ask_items.html",
        application=application,
        regime=regime_of(application),
        action=transition,
        answers=handed_in(application),
        needs=case_work.considerations_needed(application) if transition.proposes else {},
        form=form or ActionForm(formdata=None),
        failed_action=action if form is not None else None,
    )
    _viewed(application, "ask_items", action=action)
    return page, status


@bp.get("/applications/<uuid:application_id>/actions/<action>/confirm")
def confirm_action(
    application_id: uuid.UUID, action: str, form: ActionForm | None = None, status: int = 200
) -> tuple[str, int]:
    """An irreversible move asks for confirmation here, with the letter it will issue and what would stop it."""
    application = _case(application_id)
    _generic_transition(application, action)
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
    _viewed(application, "confirm", action=action)
    return page, status


@bp.route("/applications/<uuid:application_id>/actions/<action>/preview", methods=["GET", "POST"])
def preview_letter(application_id: uuid.UUID, action: str) -> Response:
    """The letter the move would issue (GET: as proposed; POST: with the motivation as now typed), as
    HTML for the page's frame, or as PDF with ?format=pdf. Marked as a draft, it is never a letter."""
    application = _case(application_id)
    _generic_transition(application, action)
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
    as_pdf = request.args.get("format") == "pdf"
    _viewed(application, "letter_preview", action=action, format="pdf" if as_pdf else "html")
    if as_pdf:
        name = f"{application.reference}-{_('ontwerp')}-{shown.transition.letter}.pdf"
        return pdf_download(letters.render_pdf(document), name)
    return letter_html_response(document)


def _letter_document(application: Application, shown: transitions.Preview) -> str:
    """The letter as the move would issue it, marked as a draft."""
    context = {**(shown.context or {}), "draft": True}
    return letters.render_html(regime_of(application).code, shown.transition.letter or "", context)


@bp.post("/applications/<uuid:application_id>/assessment")
def assess(application_id: uuid.UUID) -> Response | tuple[str, int]:
    """The reviewer's checklist: per condition met, not met or not applicable, a reason for the letter, an
    internal note; and per condition the version of its verdict the page showed (seen-<code>)."""
    application = _case(application_id)
    if not ActionForm().validate_on_submit():
        return case_assessment(application_id, status=400)
    typed = _typed_verdicts(application)
    verdicts: dict[str, assessment.Judgement] = {
        code: (Verdict(row.verdict), row.reason.strip() or None, row.note.strip() or None)
        for code, row in typed.items()
        if row.verdict in set(Verdict)
    }
    seen: dict[str, int] = {}
    for code in typed:
        shown = request.form.get(f"seen-{code}", "")
        if shown.isdigit():
            seen[code] = int(shown)
    try:
        changed = assessment.record_verdicts(application=application, actor=me(), verdicts=verdicts, seen=seen)
    except assessment.VerdictsChangedMeanwhile as meanwhile:  # what changed and by whom; nothing typed is lost
        flash(meanwhile.message, "warn")
        theirs = set(meanwhile.codes)
        mine = {code: row for code, row in typed.items() if code not in theirs}
        return case_assessment(
            application_id, status=409, typed=mine, unsaved={c: typed[c] for c in theirs if c in typed}
        )
    except ChangedMeanwhile:
        return _fresh_page(application_id, case_assessment)
    except TransitionNotAllowed as refusal:  # the page again, with what was chosen and typed: nothing lost
        flash(_("Beoordeling niet bewaard. %(reason)s", reason=refusal.message), "warn")
        return case_assessment(application_id, status=422, typed=typed)
    flash(_("Beoordeling bewaard (%(count)s voorwaarde(n) gewijzigd).", count=changed), "success")
    return redirect(url_for("backoffice.case", application_id=application.id))  # the overview: where to propose


@dataclass(frozen=True)
class TypedVerdict:
    """What the reviewer chose and typed for one condition, as posted (shown again when the save is refused)."""

    verdict: str
    reason: str
    note: str


def _typed_verdicts(application: Application) -> dict[str, TypedVerdict]:
    """The checklist as posted, per condition of the regime (texts cut at 5,000 characters)."""
    return {
        code: TypedVerdict(
            request.form.get(f"verdict-{code}", ""),
            request.form.get(f"reason-{code}", "")[:5000],
            request.form.get(f"note-{code}", "")[:5000],
        )
        for code in (c.code for c in regime_of(application).conditions)
    }


# -- work on the case beside its moves: notes, assignment, holds ---------------------------------------


@bp.post("/applications/<uuid:application_id>/notes")
def add_note(application_id: uuid.UUID) -> Response | tuple[str, int]:
    """An internal note: staff only, never in a letter."""
    application = _case(application_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return notes(application_id, status=400, note_form=form)
    try:
        case_work.add_note(application=application, author=me(), body=form.body.data or "")
    except TransitionNotAllowed as refusal:
        form.body.errors = [refusal.message]
        return notes(application_id, status=refusal.status_code, note_form=form)
    flash(_("Notitie toegevoegd."), "success")
    return redirect(url_for("backoffice.notes", application_id=application_id))


@bp.get("/applications/<uuid:application_id>/assignment")
def assignment(application_id: uuid.UUID, form: AssignForm | None = None, status: int = 200) -> tuple[str, int]:
    """Whom to give the case: the regime's reviewers and decision makers who did not recuse, on a page of its
    own (the overview offers "assign to me"; the list of staff is read only here)."""
    application = _case(application_id)
    if not case_work.works_on(me(), application):
        raise NotFound()
    page = render_template(
        "backoffice/assign.html",
        application=application,
        assignable=case_work.assignable_staff(application),
        form=form or AssignForm(formdata=None),
    )
    _viewed(application, "assignment")
    return page, status


@bp.post("/applications/<uuid:application_id>/assignment")
def assign(application_id: uuid.UUID) -> Response | tuple[str, int]:
    """Assign the case to one of its regime's reviewers or decision makers, to oneself, or to nobody."""
    application = _case(application_id)
    form = AssignForm()
    if not form.validate_on_submit():
        return assignment(application_id, form, status=400)
    try:
        assignee = _assignee(form.assignee.data or "")
        case_work.assign(application=application, assignee=assignee, actor=me(), reason=form.assign_reason.data)
    except ChangedMeanwhile:
        return _fresh_page(application_id)
    except TransitionNotAllowed as refusal:
        form.assignee.errors = [refusal.message]
        return assignment(application_id, form, status=refusal.status_code)
    if assignee is None:
        flash(_("Het dossier is aan niemand meer toegewezen."), "success")
    else:
        flash(_("Toegewezen aan %(name)s.", name=assignee.name), "success")
    return redirect(url_for("backoffice.case", application_id=application_id))


def _assignee(chosen: str) -> User | None:
    """The member of staff chosen in the form ("" for nobody); refused when there is no such person."""
    if not chosen:
        return None
    try:
        person = case_work.staff_member(uuid.UUID(chosen))
    except ValueError:
        person = None
    if person is None:
        raise TransitionNotAllowed(_("Kies een medewerker uit de lijst."))
    return person


@bp.post("/applications/<uuid:application_id>/hold")
def hold(application_id: uuid.UUID) -> Response | tuple[str, int]:
    """Put the case on hold, with a reason; the legal clock runs on."""
    application = _case(application_id)
    form = HoldForm()
    if not form.validate_on_submit():
        return case(application_id, status=400, hold_form=form)
    try:
        case_work.hold(application=application, actor=me(), reason=form.hold_reason.data or "")
    except ChangedMeanwhile:
        return _fresh_page(application_id)
    except TransitionNotAllowed as refusal:
        if application.held_at is None:
            form.hold_reason.errors = [refusal.message]  # beside the reason, on the form shown again
        else:
            flash(refusal.message, "warn")  # on hold: the page shows no hold form
        return case(application_id, status=refusal.status_code, hold_form=form)
    flash(_("Het dossier staat in wacht. De wettelijke termijn loopt door."), "success")
    return redirect(url_for("backoffice.case", application_id=application_id))


@bp.post("/applications/<uuid:application_id>/release")
def release(application_id: uuid.UUID) -> Response | tuple[str, int]:
    application = _case(application_id)
    if not EmptyForm().validate_on_submit():
        return case(application_id, status=400)
    try:
        case_work.release(application=application, actor=me())
    except ChangedMeanwhile:
        return _fresh_page(application_id)
    except TransitionNotAllowed as refusal:
        flash(refusal.message, "warn")
        return case(application_id, status=refusal.status_code)
    flash(_("Het dossier staat niet meer in wacht."), "success")
    return redirect(url_for("backoffice.case", application_id=application_id))


# -- the case's long lists, tabs of their own, a page at a time -----------------------------------------


@bp.get("/applications/<uuid:application_id>/timeline")
def timeline(application_id: uuid.UUID) -> str:
    """The case's timeline, newest first, 50 at a time from the cursor in ?before=."""
    application = _case(application_id)
    history = case_work.timeline(application.id, before=request.args.get("before"))
    page = _list_tab(application, "timeline", timeline=history)
    _viewed(application, "timeline")
    return page


@bp.get("/applications/<uuid:application_id>/notes")
def notes(application_id: uuid.UUID, status: int = 200, note_form: NoteForm | None = None) -> tuple[str, int]:
    """The case's internal notes, newest first, with the form for a new one on the first page; only for
    those who work on the case inside the administration."""
    application = _case(application_id)
    if not case_work.works_on(me(), application):
        raise NotFound()
    before = request.args.get("before") if request.method == "GET" else None
    found = case_work.notes(application.id, before=before)
    form = note_form or (NoteForm(formdata=None) if before is None else None)
    page = _list_tab(application, "notes", notes=found, **({"note_form": form} if form else {}))
    _viewed(application, "notes")
    return page, status


@bp.get("/applications/<uuid:application_id>/letters")
def case_letters(application_id: uuid.UUID) -> str:
    """The case's letters, older ones a page at a time."""
    application = _case(application_id)
    found = case_work.letters(application.id, before=request.args.get("before"), limit=case_work.TIMELINE_SHOWN)
    page = _list_tab(application, "letters", letters=found)
    _viewed(application, "letters")
    return page


def _list_tab(application: Application, part: str, **shown: object) -> str:
    return render_template(
        "backoffice/case_more.html",
        **_tab(application, part),
        part=part,
        first_page="before" not in request.args,
        **shown,
    )


def _tab(application: Application, tab: str) -> dict[str, object]:
    """What the head of each of a case's pages needs (_case_tabs.html)."""
    return {
        "tab": tab,
        "application": application,
        "regime": regime_of(application),
        "working": case_work.works_on(me(), application),
    }


@bp.get("/applications/<uuid:application_id>/uploads/<uuid:upload_id>")
def download_upload(application_id: uuid.UUID, upload_id: uuid.UUID) -> Response:
    """An uploaded file: PDFs and images open in the browser (sandboxed, never sniffed), other kinds download."""
    application = _case(application_id)
    upload = uploads.get_upload(application, upload_id)
    data = uploads.upload_bytes(upload)
    inline = upload.content_type in INLINE_TYPES
    case_work.record_download(application, "upload", upload.id, filename=upload.filename, inline=inline)
    return file_response(data, uploads.safe_filename(upload.filename, _("bijlage")), upload.content_type)


@bp.get("/applications/<uuid:application_id>/letters/<uuid:letter_id>")
def download_letter(application_id: uuid.UUID, letter_id: uuid.UUID) -> Response:
    """A letter's PDF, opened in the browser."""
    application = _case(application_id)
    letter = letters.letter_of(application.id, letter_id)
    if letter is None:
        raise NotFound()
    try:
        data = letters.letter_pdf(letter)
    except LookupError:
        raise NotFound(_("Deze brief wordt nog opgemaakt.")) from None
    case_work.record_download(application, "letter", letter.id, letter_kind=letter.kind)
    return file_response(data, letters.download_name(application.reference, letter), "application/pdf")


INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})  # what browsers show by themselves


def file_response(data: bytes, filename: str, content_type: str) -> Response:
    """A stored file: inline where the browser can show it (PDF, PNG, JPEG), else as a download; sandboxed
    and never sniffed as something else either way."""
    inline = content_type in INLINE_TYPES
    response = send_file(io.BytesIO(data), mimetype=content_type, as_attachment=not inline, download_name=filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


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
