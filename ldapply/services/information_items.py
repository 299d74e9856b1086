"""What a request for additional information asks, item by item (which step or question, what is wrong,
by which date): read from the reviewer's form, stored with the move, mailed to the organisation's members
who may act on it, and answered when the additions are handed in.

It imports nothing that moves an application: `transitions` stores a request through it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from ..clock import local_date, utcnow
from ..extensions import db
from ..i18n import _, format_day, text
from ..models import Application, ApplicationEvent, InformationRequestItem, Membership
from ..workflows._spec import Field, Parameter, Regime, Step, Transition
from . import mail
from .accounts import in_language_of, signature
from .assessment import parameters_of
from .errors import TransitionNotAllowed
from .regimes import regime_of
from .steps import FIELD_ITEM

LATEST_DAYS = 90  # ldapply's own bound on the date a reviewer sets: a safeguard of the UI, not a legal term
MESSAGE_MAX = 2000
WHOLE_APPLICATION = ""  # the item of a request that names no step or question: every step may change
LAPSE_PARAMETER = "information_request_lapse"  # what follows an unanswered request (workflows/_lde/law.py)
LAPSE_REVIEW = "review"  # back to the reviewer's queue, marked as lapsed
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


class RequestInvalid(TransitionNotAllowed):
    """A request for additions the reviewer must correct; `problems` says where (the form's field names:
    "message-<item>", "due_on") and what, for the case page to show beside each."""

    status_code = 400

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = dict(problems)


@dataclass(frozen=True)
class AskedItem:
    item: str  # a step slug or a field name; WHOLE_APPLICATION when the request named none
    message: str  # what is wrong or missing, for the applicant


@dataclass(frozen=True)
class InformationRequest:
    """The items asked (none: every step) and the date by which to answer."""

    items: tuple[AskedItem, ...]
    due_on: date

    @property
    def names(self) -> list[str]:
        return [asked.item for asked in self.items]


@dataclass(frozen=True)
class DueDefault:
    """What the date field offers: the default date and the parameter it comes from, and the bounds."""

    due_on: date | None  # None when the parameter has no value: the reviewer types a date
    parameter: Parameter | None
    days: int | None  # the parameter's value pinned for the application
    earliest: date
    latest: date


def due_default(application: Application, transition: Transition, today: date | None = None) -> DueDefault:
    """Today plus the days of the pinned parameter of the state the request leads to (additions_days)."""
    regime = regime_of(application)
    today = today or local_date(utcnow())
    name = regime.state(transition.target).deadline
    parameter = regime.parameter(name) if name else None
    days = parameters_of(application).get(parameter.name, parameter.value) if parameter else None
    count = int(days) if days is not None else None
    due = today + timedelta(days=count) if count is not None else None
    latest = max(today + timedelta(days=LATEST_DAYS), due or today)  # the bound never refuses the default
    return DueDefault(due, parameter, count, today, latest)


STEP_VALUE = "step:"  # the form's value for a whole step: "step:<slug>"
FIELD_VALUE = FIELD_ITEM  # the form's value for one question: "field:<name>"


def field_item(regime: Regime, name: str) -> str:
    """How a question asked on its own is stored: its name, or "field:<name>" when a step has that slug
    too (lok_advice, shm_decision, application_type...), so that the two stay two items."""
    return FIELD_VALUE + name if any(step.slug == name for step in regime.steps) else name


def regime_items(regime: Regime) -> list[str]:
    """Every item a request may name, as stored, in the regime's order: each step, then its questions."""
    return [item for step in regime.steps for item in (step.slug, *(field_item(regime, f.name) for f in step.fields))]


def stored_item(regime: Regime, value: str) -> str | None:
    """The item a ticked box names, as stored ("step:x" is x, "field:y" is y or "field:y"); a bare name as
    older forms sent it is read as before (a step first). None: the regime knows no such item."""
    if value.startswith(STEP_VALUE):
        slug = value.removeprefix(STEP_VALUE)
        return slug if any(step.slug == slug for step in regime.steps) else None
    if value.startswith(FIELD_VALUE):
        name = value.removeprefix(FIELD_VALUE)
        return field_item(regime, name) if any(f.name == name for f in regime.all_fields()) else None
    return value if value in regime_items(regime) else None


def item_parts(regime: Regime, name: str) -> tuple[Step | None, Field | None]:
    """The step an item is, or the step and question it names (None, None: the whole application)."""
    question_only = name.startswith(FIELD_VALUE)
    name = name.removeprefix(FIELD_VALUE)
    for step in regime.steps:
        if step.slug == name and not question_only:
            return step, None
        for candidate in step.fields:
            if candidate.name == name:
                return step, candidate
    return None, None


def item_label(regime: Regime, name: str) -> str:
    """How pages and mails name an item, in the current language: "Step" or "Step – Question"."""
    step, question = item_parts(regime, name)
    if step is None:
        return _("De hele aanvraag")
    return f"{text(step.title)} – {text(question.label)}" if question is not None else text(step.title)


def in_regime_order(regime: Regime, chosen: Sequence[str]) -> list[str]:
    """The steps and fields ticked, known to the regime, in the regime's order."""
    wanted = {stored_item(regime, value) for value in chosen}
    return [name for name in regime_items(regime) if name in wanted]


def read_request(
    application: Application,
    transition: Transition,
    *,
    chosen: Sequence[str],
    messages: Mapping[str, str],
    due_text: str,
    today: date | None = None,
) -> InformationRequest:
    """The request as the reviewer filled it in: per ticked item its message, and the date (blank: the
    default). Raises RequestInvalid with every problem when a message is missing or too long, or the date
    is unreadable, in the past or beyond LATEST_DAYS; nothing is stored then."""
    regime = regime_of(application)
    default = due_default(application, transition, today)
    problems: dict[str, str] = {}
    items = []
    for name in in_regime_order(regime, chosen):
        message = (messages.get(name) or "").strip()
        label = item_label(regime, name)
        if not message:
            problems[f"message-{name}"] = _("Zeg bij „%(item)s” wat er ontbreekt of niet klopt.", item=label)
        elif len(message) > MESSAGE_MAX:
            problems[f"message-{name}"] = _(
                "Houd de uitleg bij „%(item)s” onder %(count)s tekens.", item=label, count=MESSAGE_MAX
            )
        else:
            items.append(AskedItem(name, message))
    due, problem = _read_due(due_text, default)
    if problem:
        problems["due_on"] = problem
    if problems or due is None:
        raise RequestInvalid(problems)
    return InformationRequest(tuple(items), due)


def _read_due(value: str, default: DueDefault) -> tuple[date | None, str | None]:
    value = value.strip()
    if not value:
        if default.due_on is None:
            return None, _("Geef de datum op waarop de aanvrager uiterlijk moet antwoorden.")
        return default.due_on, None
    due = _parse_day(value)
    if due is None:
        return None, _("Geef de datum op als dag/maand/jaar, bijvoorbeeld %(example)s.", example="31/12/2026")
    if due < default.earliest:
        return None, _("De datum om te antwoorden ligt in het verleden. Kies vandaag of een latere dag.")
    if due > default.latest:
        return None, _(
            "Kies een datum om te antwoorden tot en met %(latest)s: ldapply laat hoogstens %(days)s dagen toe.",
            latest=format_day(default.latest),
            days=LATEST_DAYS,
        )
    return due, None


def _parse_day(value: str) -> date | None:
    """A date as the date field sends it (2026-12-31) or as typed without one (31/12/2026, 31-12-2026)."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    found = _DAY_MONTH_YEAR.match(value)
    if found is None:
        return None
    day, month, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


# -- stored with the move ----------------------------------------------------------------------------


def record(application: Application, event: ApplicationEvent, request: InformationRequest) -> None:
    """One item row per item asked, with the move (a request naming none: one row for the whole application,
    its message the motivation), and a mail to each member who may act; the caller commits."""
    asked = request.items or (AskedItem(WHOLE_APPLICATION, event.comment or ""),)
    for item in asked:
        db.session.add(
            InformationRequestItem(
                application_id=application.id,
                event_id=event.id,
                item=item.item,
                message=item.message,
                due_on=request.due_on,
            )
        )
    _notify(application, request, event.comment or "")


def mark_answered(application: Application, event: ApplicationEvent) -> None:
    """The hand-in `event` answers the items of the request it ends (the latest move into the state it left)."""
    request_event = (
        select(ApplicationEvent.id)
        .where(
            ApplicationEvent.application_id == application.id,
            ApplicationEvent.to_state == event.from_state,
            ApplicationEvent.id != event.id,
        )
        .order_by(ApplicationEvent.created_at.desc(), ApplicationEvent.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    db.session.execute(
        update(InformationRequestItem)
        .where(
            InformationRequestItem.application_id == application.id,
            InformationRequestItem.event_id == request_event,
            InformationRequestItem.answered_at.is_(None),
        )
        .values(answered_at=event.created_at)
        .execution_options(synchronize_session=False)
    )


def _acting_members(application: Application) -> list[Membership]:
    """The organisation's members who may act on a request: its signatories (they hand in) and admins."""
    return list(
        db.session.scalars(
            select(Membership)
            .options(joinedload(Membership.user))
            .where(
                Membership.organisation_id == application.organisation_id,
                or_(Membership.is_signatory.is_(True), Membership.is_admin.is_(True)),
            )
            .order_by(Membership.created_at, Membership.id)
        )
    )


def _notify(application: Application, request: InformationRequest, motivation: str) -> None:
    regime = regime_of(application)
    lapse = parameters_of(application).get(LAPSE_PARAMETER)
    for member in _acting_members(application):
        with in_language_of(member.user):
            subject = _("Vraag om aanvulling van uw aanvraag %(reference)s", reference=application.reference)
            mail.queue_mail(
                member.user.email,
                subject,
                _mail_body(application, regime, request, motivation, lapse, member.user.name),
            )


def _mail_body(
    application: Application,
    regime: Regime,
    request: InformationRequest,
    motivation: str,
    lapse: object,
    name: str,
) -> str:
    lines = [
        _("Beste %(name)s,", name=name),
        "",
        _(
            "De administratie vraagt een aanvulling van de aanvraag %(reference)s (%(regime)s) van %(organisation)s. "
            "Antwoord uiterlijk op %(date)s.",
            reference=application.reference,
            regime=text(regime.title),
            organisation=application.organisation.name,
            date=format_day(request.due_on),
        ),
        "",
    ]
    if motivation:
        lines += [_("Wat de behandelaar vraagt:"), motivation, ""]
    if request.items:
        lines.append(_("Wat u moet aanvullen:"))
        for asked in request.items:
            lines.append(f"- {item_label(regime, asked.item)}: " + asked.message.replace("\n", "\n  "))
        lines.append("")
    if lapse == LAPSE_REVIEW:
        lines += [
            _(
                "Antwoordt u niet tegen die datum, dan behandelt de administratie uw aanvraag verder zoals u ze "
                "indiende."
            ),
            "",
        ]
    lines.append(
        _(
            "Vul de aanvraag aan en dien de aanvulling in via %(link)s",
            link=mail.link("apply.overview", application_id=str(application.id)),
        )
    )
    return "\n".join(lines) + signature()


def due_passed(due_on: date | None, now: datetime | None = None) -> bool:
    """Whether the day to answer by is over (in Brussels time)."""
    return due_on is not None and local_date(now or utcnow()) > due_on


# -- the form's part on the case page ------------------------------------------------------------------


@dataclass(frozen=True)
class RequestForm:
    """What the request form shows: the default date with its parameter and bounds, and after a refused
    post what the reviewer ticked and typed, with the problems beside each field."""

    default: DueDefault
    ticked: frozenset[str] = frozenset()
    messages: Mapping[str, str] | None = None
    due_text: str = ""
    problems: Mapping[str, str] | None = None

    def message(self, name: str) -> str:
        return (self.messages or {}).get(name, "")

    def problem(self, name: str) -> str | None:
        return (self.problems or {}).get(name)


def request_form(
    application: Application, transition: Transition, posted: Mapping[str, str] | None, chosen: Sequence[str] = ()
) -> RequestForm:
    """The request form as shown first (`posted` None), or again after a refused post, texts kept."""
    default = due_default(application, transition)
    if posted is None:
        return RequestForm(default, due_text=default.due_on.isoformat() if default.due_on else "")
    regime = regime_of(application)
    names = in_regime_order(regime, chosen)
    every = regime_items(regime)
    messages = {
        name: posted[f"message-{name}"] for name in every if posted.get(f"message-{name}")
    }  # kept, ticked or not
    problems: Mapping[str, str] = {}
    try:
        read_request(application, transition, chosen=chosen, messages=messages, due_text=posted.get("due_on", ""))
    except RequestInvalid as refusal:
        problems = refusal.problems
    return RequestForm(default, frozenset(names), messages, posted.get("due_on", ""), problems)
