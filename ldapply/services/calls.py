"""Calls for applications (oproepen): windows, caps, and how much of a cap decisions use."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..clock import local_date, utcnow
from ..extensions import db
from ..i18n import _, format_day, text
from ..models import Application, Call, DecisionProposal, ProposalStatus, User
from ..workflows import get_regime
from ..workflows._spec import Regime, Role
from .answers import handed_in
from .errors import Forbidden, NotFound, TransitionNotAllowed
from .letter_context import nl_number


@dataclass(frozen=True)
class CapUsage:
    cap: Decimal
    proposed: Decimal
    granted: Decimal

    @property
    def remaining(self) -> Decimal:
        """What is left once pending proposals are granted too; never shown below zero."""
        return max(self.cap - self.proposed - self.granted, Decimal(0))


def today() -> date:
    return local_date(utcnow())


def open_calls(regime_code: str, on: date | None = None) -> list[Call]:
    day = on or today()
    return list(
        db.session.scalars(
            select(Call)
            .where(Call.regime_code == regime_code, Call.opens_on <= day, Call.closes_on >= day)
            .order_by(Call.closes_on, Call.id)
        )
    )


def all_calls() -> list[Call]:
    return list(db.session.scalars(select(Call).order_by(Call.opens_on.desc(), Call.id)))


def get_call(call_id: uuid.UUID) -> Call:
    call = db.session.get(Call, call_id)
    if call is None:
        raise NotFound()
    return call


def open_call(
    *,
    actor: User,
    regime_code: str,
    title: str,
    opens_on: date,
    closes_on: date,
    cap: Decimal,
    application_types: list[str],
) -> Call:
    """Admins open a call for one regime; raises Forbidden for anyone else."""
    if Role.ADMIN not in actor.roles:
        raise Forbidden()
    get_regime(regime_code)
    if closes_on < opens_on:
        raise TransitionNotAllowed(_("De oproep kan niet sluiten voor hij opent."))
    call = Call(
        regime_code=regime_code,
        title=title,
        opens_on=opens_on,
        closes_on=closes_on,
        cap=cap,
        application_types=application_types,
        created_by_id=actor.id,
    )
    db.session.add(call)
    db.session.commit()
    return call


def application_type_choices(regimes: list[Regime]) -> list[SelectChoice]:
    """The application types the regimes' own type questions offer, for a call to admit."""
    seen: dict[str, str] = {}
    for regime in regimes:
        if regime.application_type_field:
            for choice in regime.field(regime.application_type_field).choices:
                seen.setdefault(choice.value, text(choice.label))
    return [SelectChoice(value, label) for value, label in seen.items()]


def window_refusal(call: Call, on: date | None = None) -> str | None:
    """Why an application cannot be submitted under this call today, or None."""
    day = on or today()
    if day < call.opens_on:
        return _("De oproep „%(call)s” opent pas op %(date)s.", call=call.title, date=format_day(call.opens_on))
    if day > call.closes_on:
        return _(
            "De oproep „%(call)s” is afgesloten op %(date)s. U kunt niet meer indienen.",
            call=call.title,
            date=format_day(call.closes_on),
        )
    return None


def type_refusal(call: Call, application_type: str | None) -> str | None:
    """Why this kind of application is not admitted by the call, or None."""
    if application_type is None or not call.application_types or application_type in call.application_types:
        return None
    return _(
        "De oproep „%(call)s” staat dit soort aanvraag niet toe. Kies in de stap „Soort aanvraag” een toegelaten "
        "soort.",
        call=call.title,
    )


def usage(call: Call, *, excluding: uuid.UUID | None = None) -> CapUsage:
    """The volume pending decision proposals and granted decisions take from the call's cap."""
    regime = get_regime(call.regime_code)
    applications = db.session.scalars(
        select(Application).where(Application.call_id == call.id).order_by(Application.id)
    ).all()
    granting = {o.code for o in regime.outcomes if o.grants}
    pending, confirmed = _latest_proposals([a.id for a in applications], granting)
    proposed = granted = Decimal(0)
    for application in applications:
        if application.id == excluding:
            continue
        # What was handed in: edits while additions are asked do not count before they are handed in.
        requested = regime.volume(handed_in(application)) if regime.volume else Decimal(0)
        proposal = pending.get(application.id)
        if proposal is not None and proposal.outcome in granting:
            proposed += requested if proposal.volume is None else proposal.volume
        elif regime.state(application.state).holds_recognition:
            decided = confirmed.get(application.id)
            granted += requested if decided is None or decided.volume is None else decided.volume
    return CapUsage(cap=call.cap, proposed=proposed, granted=granted)


def cap_refusal(call: Call, application_id: uuid.UUID, amount: Decimal, unit: str) -> str | None:
    """Why granting `amount` to this application would take the call beyond its cap, or None."""
    taken = usage(call, excluding=application_id).granted
    if taken + amount <= call.cap:
        return None
    left = max(call.cap - taken, Decimal(0))
    return _(
        "Deze erkenning brengt de oproep „%(call)s” boven zijn plafond van %(cap)s %(unit)s: er is nog %(left)s "
        "%(unit)s vrij, deze beslissing kent %(amount)s %(unit)s toe.",
        call=call.title,
        cap=nl_number(call.cap),
        left=nl_number(left),
        amount=nl_number(amount),
        unit=unit,
    )


def _latest_proposals(
    application_ids: list[uuid.UUID], granting: set[str]
) -> tuple[dict[uuid.UUID, DecisionProposal], dict[uuid.UUID, DecisionProposal]]:
    """The latest pending proposal and the latest confirmed grant per application, in one query."""
    pending: dict[uuid.UUID, DecisionProposal] = {}
    confirmed: dict[uuid.UUID, DecisionProposal] = {}
    rows = db.session.scalars(
        select(DecisionProposal)
        .where(DecisionProposal.application_id.in_(application_ids))
        .order_by(DecisionProposal.created_at, DecisionProposal.id)
    )
    for proposal in rows:  # later rows overwrite earlier ones: the latest wins
        if proposal.status == ProposalStatus.PENDING:
            pending[proposal.application_id] = proposal
        elif proposal.status == ProposalStatus.CONFIRMED and proposal.outcome in granting:
            confirmed[proposal.application_id] = proposal
    return pending, confirmed
