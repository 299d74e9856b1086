"""An active recognition's life after the decision: its end date, reminders before it, expiry at it.

The end date is set when a decision grants the recognition: the decision's day plus the regime's
`duration` parameter (in years), less one day (the same rule as `assessment.recognised_until`, which the
guards read); a renewal's term starts the day after the term it renews (services/renewals.py). It is kept in
`applications.recognition_ends_on` so the daily run finds the cases with one indexed query rather than reading
every case.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from ..clock import add_years, local_date
from ..extensions import db
from ..i18n import _, format_day
from ..models import Application, Reminder
from ..workflows import REGIMES
from ..workflows._spec import Regime, Transition
from . import accounts, applications, mail, renewals
from .assessment import parameters_of
from .parameter_changes import values_ever

log = logging.getLogger(__name__)

RENEWAL_REMINDER = "renewal"


def on_move(application: Application, regime: Regime, transition: Transition, now: datetime) -> None:
    """A decision that grants sets the recognition's end date; one that does not grant leaves it as it was."""
    if not transition.decides or transition.confirms is None or not regime.duration:
        return
    if not regime.outcome(transition.confirms).grants:
        return
    years = parameters_of(application).get(regime.duration)
    if years is None:
        return  # the term is unknown: the recognition does not end by itself, and no reminder goes out
    starts = renewals.term_starts(application, local_date(now))  # a renewal: the day after the current term
    application.recognition_ends_on = add_years(starts, int(years)) - timedelta(days=1)


def expire_and_remind(today: date) -> int:
    """Remind organisations whose recognition ends soon (once per end date), then expire the recognitions
    whose last day is over; the number of cases handled."""
    return _remind(today) + _expire(today)


def _expiring_states(regime: Regime) -> list[str]:
    transition = regime.transition(regime.expiry_action) if regime.expiry_action else None
    return sorted(transition.sources) if transition is not None else []


def _in_expiring_states() -> Any:
    clauses = [
        and_(Application.regime_code == regime.code, Application.state.in_(states))
        for regime in REGIMES.values()
        if (states := _expiring_states(regime))
    ]
    return or_(*clauses) if clauses else None


def _expire(today: date) -> int:
    where = _in_expiring_states()
    if where is None:
        return 0
    ended = db.session.scalars(
        select(Application).where(Application.recognition_ends_on < today, where).order_by(Application.id)
    ).all()
    from .periods import make_automatic_move  # periods moves through transitions, which calls on_move here

    moved = 0
    for application in ended:
        action = REGIMES[application.regime_code].expiry_action
        if action:
            moved += make_automatic_move(application, action)
    return moved


def _remind(today: date) -> int:
    """One reminder per case and end date, to the organisation's signatories, within the regime's period."""
    where = _in_expiring_states()
    if where is None:
        return 0
    horizon = today + timedelta(days=_longest_reminder_period())
    due = db.session.scalars(
        select(Application)
        .where(Application.recognition_ends_on >= today, Application.recognition_ends_on <= horizon, where)
        .order_by(Application.recognition_ends_on, Application.id)
    ).all()
    return sum(_remind_one(application, today) for application in due)


def _longest_reminder_period() -> int:
    """The longest reminder period a case may have pinned: the declared one, or one an admin set since."""
    days = [
        int(value)
        for regime in REGIMES.values()
        if regime.renewal_reminder
        for value in values_ever(regime, regime.renewal_reminder)
        if value is not None
    ]
    return max(days, default=0)


def _remind_one(application: Application, today: date) -> int:
    regime = REGIMES[application.regime_code]
    ends = application.recognition_ends_on
    days = parameters_of(application).get(regime.renewal_reminder or "")
    if ends is None or days is None or ends - today > timedelta(days=int(days)):
        return 0
    if renewals.open_renewal(application) is not None:
        return 0  # the organisation asked for its renewal already: nothing to remind it of
    db.session.add(Reminder(application_id=application.id, kind=RENEWAL_REMINDER, about=ends))
    try:
        db.session.flush()  # the unique (case, kind, end date) row: a second run sends nothing
    except IntegrityError:
        db.session.rollback()
        return 0
    for member in applications.signatories_of(application.organisation_id):
        with accounts.in_language_of(member):
            mail.queue_mail(member.email, _subject(application), _body(application, ends))
    db.session.commit()
    return 1


def _subject(application: Application) -> str:
    return _("Uw erkenning %(reference)s loopt af", reference=application.reference)


def _body(application: Application, ends: date) -> str:
    if not renewals.renewable(application):
        return (
            _(
                "Beste,\n\nDe erkenning van %(organisation)s (dossier %(reference)s) loopt af op %(date)s. Wilt u "
                "ze verlengen, dien dan tijdig een nieuwe aanvraag in via ldapply: %(link)s",
                organisation=application.organisation.name,
                reference=application.reference,
                date=format_day(ends),
                link=mail.link("apply.overview", application_id=str(application.id)),
            )
            + accounts.signature()
        )
    return (
        _(
            "Beste,\n\nDe erkenning van %(organisation)s (dossier %(reference)s) loopt af op %(date)s. U kunt de "
            "verlenging aanvragen in ldapply: %(link)s\n\nDe verlenging is een aanvraag van zichzelf, die begint "
            "met de antwoorden van uw erkende aanvraag; u kijkt ze na en past ze aan waar nodig. Een regel die de "
            "administratie zelf hanteert: de regelgeving over de duur en de verlenging van een erkenning is niet "
            "teruggevonden.",
            organisation=application.organisation.name,
            reference=application.reference,
            date=format_day(ends),
            link=mail.link("apply.renewal", application_id=str(application.id)),
        )
        + accounts.signature()
    )
