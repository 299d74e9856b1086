"""Calls for applications (oproepen): windows, caps, and how much of a cap decisions use."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..clock import local_date, utcnow
from ..extensions import db
from ..i18n import _, format_day, text
from ..models import Call, User
from ..workflows import get_regime
from ..workflows._spec import Regime
from . import audit, call_usage, memo
from .errors import Forbidden, NotFound, TransitionNotAllowed
from .letter_context import nl_number
from .staff import may_admin


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


@dataclass(frozen=True)
class OfferedCall:
    """An open call as the start forms offer it (plain values: kept beyond the request that read them)."""

    id: uuid.UUID
    title: str
    closes_on: date


def offered_calls(regime_code: str) -> list[OfferedCall]:
    """The regime's open calls for the start forms to offer, kept for a few seconds (memo.for_display): every
    applicant's home shows them. Only for showing: starting an application checks the call again."""
    return _offered_calls(regime_code, today())


@memo.for_display(memo.DISPLAY_SECONDS, tables=("calls",))
def _offered_calls(regime_code: str, day: date) -> list[OfferedCall]:
    return [OfferedCall(call.id, call.title, call.closes_on) for call in open_calls(regime_code, day)]


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
    """Admins of the regime open a call under it; raises Forbidden for anyone else."""
    if not may_admin(actor, regime_code):
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
    db.session.flush()
    audit.record(
        "call.opened",
        object_type="call",
        object_id=call.id,
        new={
            "regime": regime_code,
            "title": title,
            "opens_on": opens_on,
            "closes_on": closes_on,
            "cap": cap,
            "application_types": application_types,
        },
        actor=actor,
    )
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
    """The volume pending decision proposals and granted decisions take from the call's cap: one query."""
    return usages([call], excluding=excluding)[call.id]


def usages(calls: Sequence[Call], *, excluding: uuid.UUID | None = None) -> dict[uuid.UUID, CapUsage]:
    """Each call's cap usage, all in one aggregate query (services/call_usage.py keeps what each application
    takes). `excluding` leaves one application out (the one about to be granted)."""
    if not calls:
        return {}
    found = call_usage.sums([c.id for c in calls], excluding)
    return {
        call.id: CapUsage(
            cap=call.cap,
            proposed=_exact(found.get(call.id, (0, 0))[0]),
            granted=_exact(found.get(call.id, (0, 0))[1]),
        )
        for call in calls
    }


def _exact(total: Any) -> Decimal:
    """The sum as a Decimal; SQLite sums in floating point, so its noise past the stored precision goes."""
    amount = Decimal(str(total))
    if db.engine.dialect.name == "sqlite":
        amount = amount.quantize(Decimal("0.000001")).normalize() if amount else Decimal(0)
    return amount


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
