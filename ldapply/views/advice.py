"""Advisors: the cases sent to their body, and the advice they record. Reviewers ask for advice here too,
from the case page's advice part (templates/backoffice/_advice.html)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from flask import flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..forms.staff import AdviceForm, AdviceRequestForm
from ..i18n import _
from ..models import AdviceRequest, Application, User
from ..services import advice, case_work, staff, transitions
from ..services.answers import answer_sections, handed_in
from ..services.errors import ChangedMeanwhile, Forbidden, TransitionNotAllowed
from ..services.regimes import regime_of
from ..workflows._spec import Role, Transition
from ._helpers import me
from .backoffice import _case, bp, case

# What an outside advisor reaches in the back office: their list, the cases sent to their body (the
# advice page, its files), the declaration before it, and recording the advice.
ADVISOR_PAGES = frozenset(
    {"backoffice.advice_queue", "backoffice.advice_case", "backoffice.declaration", "backoffice.download_upload"}
)
ADVISOR_POSTS = frozenset({"backoffice.declaration", "backoffice.record_advice"})
# the case pages an advisor is sent from to the advice page of the same case
CASE_TABS = frozenset(
    {
        "backoffice.case",
        "backoffice.case_assessment",
        "backoffice.case_answers",
        "backoffice.timeline",
        "backoffice.case_letters",
    }
)


@bp.before_request
def _advisors_stay_with_their_advice() -> Response | None:
    """An advisor without a role in the department sees only the advice asked of their body: any other
    back-office page sends them to their list (the case page to its advice page), and any other form is
    refused."""
    user = me()
    if not staff.is_advisor_only(user):
        return None
    endpoint = request.endpoint or ""
    if request.method == "POST":
        if endpoint not in ADVISOR_POSTS:
            raise Forbidden(_("Als adviseur kunt u hier alleen uw advies geven."))
        return None
    if endpoint in ADVISOR_PAGES:
        return None
    if endpoint in CASE_TABS and request.view_args:
        return redirect(url_for("backoffice.advice_case", application_id=request.view_args["application_id"]))
    return redirect(url_for("backoffice.advice_queue"))


# -- the advisor's list and page ---------------------------------------------------------------------


@bp.get("/advice")
def advice_queue() -> str:
    """The cases sent to the bodies this user speaks for: open advice first, by due date."""
    listing = advice.queue_for(me(), page=request.args.get("page", 1, type=int))
    return render_template("backoffice/advice_queue.html", listing=listing, regime_of=regime_of)


@bp.get("/applications/<uuid:application_id>/advice")
def advice_case(application_id: uuid.UUID, status: int = 200) -> tuple[str, int]:
    """What an advisor needs to advise: the question, the answers as handed in and their files, and the
    form for the advice. Behind the conflict-of-interest gate like every page with a case's content."""
    application = _case(application_id)
    regime = regime_of(application)
    answers = handed_in(application)
    page = render_template(
        "backoffice/advice_case.html",
        application=application,
        regime=regime,
        state=regime.state(application.state),
        answers=answers,
        sections=answer_sections(answers, regime),
    )
    case_work.record_view(application, "advice")
    return page, status


# -- the case page's advice part ---------------------------------------------------------------------


@dataclass(frozen=True)
class AdvicePanel:
    """What the advice part of a case shows this user, and the moves it offers them."""

    requests: list[AdviceRequest]
    people: dict[uuid.UUID, User]
    asking: Transition | None  # the move that asks for advice, when it is this user's to make now
    recording: Transition | None  # the move that records it, likewise
    open: AdviceRequest | None
    by_post: bool  # a reviewer, not the body's advisor, records it: advice that came by post
    record_form: AdviceForm | None

    def registered_by_post(self, asked: AdviceRequest) -> bool:
        """Advice registered by someone who is not an advisor: it came by post, a reviewer typed it in."""
        person = self.people.get(asked.advised_by_id) if asked.advised_by_id else None
        return person is not None and Role.ADVISOR not in person.roles


@bp.app_template_global("advice_panel")
def advice_panel(application: Application, moves: Sequence[Transition] | None = None) -> AdvicePanel:
    """The advice part's content for the logged-in user: an outside advisor sees only their bodies' advice.
    `moves`: the moves open to this user now, when the page has asked the engine already."""
    user = me()
    requests = advice.requests_for(application.id)
    if not staff.internal_roles(user, application.regime_code):
        bodies = staff.advisory_body_ids(user)
        requests = [r for r in requests if r.advisory_body_id in bodies]
    asking, recording = _offered(application, user, moves)
    still_open = next((r for r in reversed(requests) if r.advice is None), None)
    return AdvicePanel(
        requests=requests,
        people=advice.people_of(requests),
        asking=asking,
        recording=recording if still_open is not None else None,
        open=still_open,
        by_post=Role.ADVISOR not in staff.case_roles(user, application),
        record_form=(g.get("refused_advice_form") or AdviceForm(formdata=None, request_id=str(still_open.id)))
        if recording and still_open
        else None,
    )


def _offered(
    application: Application, user: User, moves: Sequence[Transition] | None
) -> tuple[Transition | None, Transition | None]:
    """The regime's moves that ask for and record advice, each when it is this user's to make now (the
    engine's checks are asked only when the state and the user's roles leave it possible)."""
    regime = regime_of(application)
    roles = transitions.acting_roles(user, application)
    advice_moves = [advice.request_move(regime), advice.record_move(regime)]
    if not any(m is not None and application.state in m.sources and m.roles & roles for m in advice_moves):
        return None, None
    if moves is None:
        moves = transitions.available_transitions(application, user, transitions.pending_proposal(application.id))
    offered = {t.action for t in moves}
    asking, recording = (m if m is not None and m.action in offered else None for m in advice_moves)
    return asking, recording


def _request_form(
    application: Application, failed: AdviceRequestForm | None = None, due: advice.Due | None = None
) -> AdviceRequestForm:
    """The form asking advice; blank, its due date the default one (`due`, counted once by the caller)."""
    form = failed or AdviceRequestForm(formdata=None, due_on=(due or advice.default_due(application)).on)
    form.body.choices = [SelectChoice("", _("Kies…"))] + [
        SelectChoice(str(body.id), body.name) for body in advice.bodies_for(application.regime_code)
    ]
    return form


# -- the two moves -------------------------------------------------------------------------------------


@bp.get("/applications/<uuid:application_id>/advice/request")
def ask_advice(
    application_id: uuid.UUID, form: AdviceRequestForm | None = None, status: int = 200
) -> tuple[str, int] | Response:
    """Asking an advisory body for advice, on a page of its own: which body, the question, the date to advise
    by (proposed from the regime's parameter). A refused post comes back here with what was typed."""
    application = _case(application_id)
    asking, _recording = _offered(application, me(), None)
    if asking is None and form is not None:  # a refused post of a move that is not this user's: the case says why
        for message in (message for field in form for message in field.errors):
            flash(message, "warn")
        return case(application_id, status=status)
    if asking is None:
        flash(_("Advies vragen kan nu niet in dit dossier."), "warn")
        return redirect(url_for("backoffice.case", application_id=application.id, _anchor="advice"))
    due = advice.default_due(application)
    page = render_template(
        "backoffice/ask_advice.html",
        application=application,
        asking=asking,
        due=due,
        form=_request_form(application, form, due),
    )
    case_work.record_view(application, "ask_advice")
    return page, status


@bp.post("/applications/<uuid:application_id>/advice/request")
def request_advice(application_id: uuid.UUID) -> Response | tuple[str, int]:
    """A reviewer asks a body for advice: the regime's move into the advisor's state, with the question."""
    application = _case(application_id)
    form = _request_form(application, AdviceRequestForm())
    if not form.validate_on_submit():
        return ask_advice(application_id, form, status=400)
    try:
        advice.request_advice(
            application=application,
            actor=me(),
            body_id=uuid.UUID(form.body.data or ""),
            question=form.question.data or "",
            due_on=form.due_on.data,
        )
    except ChangedMeanwhile as changed:
        flash(changed.message, "warn")
        return case(application_id, status=409)
    except TransitionNotAllowed as refusal:
        form.question.errors = [refusal.message]
        return ask_advice(application_id, form, status=refusal.status_code)
    flash(_("Advies gevraagd. De adviseurs van het adviesorgaan kregen een e-mail."), "success")
    return redirect(url_for("backoffice.case", application_id=application_id, _anchor="advice"))


@bp.post("/applications/<uuid:application_id>/advice/record")
def record_advice(application_id: uuid.UUID) -> Response | tuple[str, int]:
    """The advice, by an advisor of the body asked, or by a reviewer registering advice sent by post."""
    application = _case(application_id)
    form = AdviceForm()
    if not form.validate_on_submit():
        return _again(application, form)
    try:
        advice.record_advice(
            application=application,
            actor=me(),
            request_id=_uuid(form.request_id.data),
            advice=form.advice.data or "",
        )
    except ChangedMeanwhile as changed:
        flash(changed.message, "warn")
        return _page_of(application_id, 409)
    except TransitionNotAllowed as refusal:
        form.advice.errors = [refusal.message]
        return _again(application, form, refusal.status_code)
    flash(_("Advies geregistreerd."), "success")
    endpoint = "backoffice.advice_case" if staff.is_advisor_only(me()) else "backoffice.case"
    return redirect(url_for(endpoint, application_id=application_id, _anchor="advice"))


def _again(application: Application, form: AdviceForm, status: int = 400) -> tuple[str, int]:
    """The page the advice form came from, with the form's errors and what was typed."""
    g.refused_advice_form = form  # the advice part shows it again, with its errors and what was typed
    return _page_of(application.id, status)


def _page_of(application_id: uuid.UUID, status: int) -> tuple[str, int]:
    if staff.is_advisor_only(me()):
        return advice_case(application_id, status=status)
    return case(application_id, status=status)


def _uuid(value: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        raise TransitionNotAllowed(_("Er staat voor u geen adviesvraag open in dit dossier.")) from None
