"""Renewals: a recognition with a term renewed by an application of its own, linked to the recognised one.

The law on a recognition's duration and its renewal was not found (domain brief 3.4, 10), so all of this is the
administration's own rule, declared as data (`Regime.renewal`: the states a renewal may start from, and the
window, a parameter marked as an assumption). An organisation's member starts a renewal from the recognised
application within the window before its last day; it opens a draft of the same regime (the current version),
outside any call (the volume it renews was granted before: a renewal is not a new candidate for a call's cap),
with a reference of its own (the recognised one's with "-V1", "-V2", ...), `renewal_of_id` pointing back, and the
answers as handed in for the recognition, so the applicant checks and updates them step by step. Documents are
not carried over: a renewal rests on current ones, and an upload belongs to its own application. Then the normal
procedure. Granted, the new term starts the day after the current one ends (services/recognitions.py); the
current recognition keeps its own term, whatever the renewal's outcome. One renewal at a time per recognition.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import defer
from sqlalchemy.orm.exc import StaleDataError

from ..clock import local_date, utcnow
from ..extensions import db
from ..i18n import _, format_day
from ..models import Application, User
from ..workflows import REGIMES
from ..workflows._spec import FieldKind, Regime, Transition
from . import audit
from .answers import handed_in
from .errors import ChangedMeanwhile, TransitionNotAllowed
from .memo import per_request
from .parameter_changes import in_effect

SUFFIX = re.compile(r"-V(\d+)$")
LINKED_SHOWN = 20  # one renewal per term; a refused one may be followed by another


def _current(application: Application) -> Regime:
    """The regime's current version: a renewal is a new application under the rules in force now."""
    return REGIMES[application.regime_code]


def window_days(application: Application) -> int | None:
    """The days before the recognition's last day from which a renewal may be started (None: not known)."""
    regime = _current(application)
    if regime.renewal is None:
        return None
    value = in_effect(regime).parameter(regime.renewal.window).value  # the rule in effect now
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def window_opens(application: Application) -> date | None:
    """The first day a renewal may be started; None when the recognition cannot be renewed."""
    days, ends = window_days(application), application.recognition_ends_on
    if days is None or ends is None:
        return None
    return ends - timedelta(days=days)


def renewable(application: Application) -> bool:
    """Whether the application holds a recognition its regime renews (now or later, within the window)."""
    regime = _current(application)
    return (
        regime.renewal is not None
        and application.state in regime.renewal.sources
        and application.recognition_ends_on is not None
        and window_days(application) is not None
    )


def _ended_without_recognition(regime: Regime) -> frozenset[str]:
    """The states a renewal rests in when it renews nothing: closed (withdrawn, inadmissible) or refused."""
    refused = {t.target for t in _decisions_granting_nothing(regime)}
    closed = {s.code for s in regime.states if s.terminal} | refused
    return frozenset(code for code in closed if not regime.state(code).holds_recognition)


def open_renewal(application: Application) -> Application | None:
    """The renewal of this recognition that is under way or was granted (it blocks another); None if none."""
    ended = _ended_without_recognition(_current(application))
    return db.session.scalar(
        select(Application)
        .options(defer(Application.answers), defer(Application.submitted_answers))
        .where(Application.renewal_of_id == application.id, Application.state.not_in(ended))
        .order_by(Application.created_at.desc(), Application.id)
        .limit(1)
    )


def taken_away_by_decision(regime: Regime) -> frozenset[str]:
    """The states a recognition is in once a decision took it away before its term (a revocation): a decision
    that grants nothing, from a state that holds the recognition, to one that does not (expiry is no decision)."""
    return frozenset(
        t.target
        for t in _decisions_granting_nothing(regime)
        if not regime.state(t.target).holds_recognition
        and any(regime.state(source).holds_recognition for source in t.sources)
    )


def _decisions_granting_nothing(regime: Regime) -> Iterator[Transition]:
    """The decisions whose outcome grants no recognition (a refusal, a revocation, ...)."""
    return (
        t for t in regime.transitions if t.decides and t.confirms is not None and not regime.outcome(t.confirms).grants
    )


@per_request
def grant_refusal(renewal_of_id: uuid.UUID) -> str | None:
    """Why a renewal of this recognition may not be proposed or granted: it was revoked meanwhile, so there is
    nothing left to renew (a new application may still be made). None when it may."""
    renewed = db.session.get(Application, renewal_of_id)
    if renewed is None or renewed.state not in taken_away_by_decision(_current(renewed)):
        return None
    return _(
        "De erkenning %(reference)s die deze aanvraag verlengt, is intussen ingetrokken: er is niets meer te "
        "verlengen. Weiger de verlenging of laat de aanvrager een nieuwe aanvraag indienen.",
        reference=renewed.reference,
    )


def refusal(application: Application, today: date | None = None) -> str | None:
    """Why no renewal of this application may be started now, or None when one may."""
    if not renewable(application):
        return _("Deze erkenning kan niet verlengd worden.")
    day = today or local_date(utcnow())
    opens, ends = window_opens(application), application.recognition_ends_on
    if opens is None or ends is None:
        return _("Deze erkenning kan niet verlengd worden.")
    if day < opens:
        return _("U kunt de verlenging aanvragen vanaf %(date)s.", date=format_day(opens))
    if day > ends:
        return _("De erkenning liep af op %(date)s; verlengen kan niet meer.", date=format_day(ends))
    found = open_renewal(application)
    if found is not None:
        return _("Voor deze erkenning loopt al een verlenging: %(reference)s.", reference=found.reference)
    return None


def start(application: Application, actor: User) -> Application:
    """Open the renewal of `application` for `actor` (a member of its organisation: the caller checked), as a
    draft with the answers handed in for the recognition; committed. Raises TransitionNotAllowed when no renewal
    may be started now (outside the window, one already under way), ChangedMeanwhile when a colleague started
    one (or moved the recognised application) at the same moment: its version rises with each start."""
    problem = refusal(application)
    if problem is not None:
        raise TransitionNotAllowed(problem)
    try:
        return _open(application, actor)
    except StaleDataError:
        db.session.rollback()
        raise ChangedMeanwhile() from None
    except BaseException:
        db.session.rollback()
        raise


def _open(application: Application, actor: User) -> Application:
    application.updated_at = utcnow()
    db.session.flush()  # the recognised application's row first: a racing start waits here, then finds it changed
    regime = _current(application)
    renewal = Application(
        id=uuid.uuid4(),
        reference=_reference(application),
        organisation_id=application.organisation_id,
        regime_code=regime.code,
        regime_version=regime.version,
        state=regime.initial_state,
        answers=prefilled(application, regime),
        completed_steps=[],  # every step is checked (and saved) again before the renewal is submitted
        created_by_id=actor.id,
        call_id=None,
        renewal_of_id=application.id,
    )
    db.session.add(renewal)
    audit.record(
        "renewal.started",
        object_type="application",
        object_id=renewal.id,
        application_id=application.id,
        new={
            "renewal_id": renewal.id,
            "renewal_reference": renewal.reference,
            "recognition_ends_on": application.recognition_ends_on,
        },
        actor=actor,
    )
    db.session.commit()
    return renewal


def _reference(application: Application) -> str:
    """The recognised application's reference with the renewal's number (a renewal of a renewal counts on):
    LDE-2026-ABC123-V1, -V2, ..."""
    match = SUFFIX.search(application.reference)
    base = application.reference[: match.start()] if match else application.reference
    taken = db.session.scalars(select(Application.reference).where(Application.reference.like(f"{base}-V%")))
    numbers = [int(m.group(1)) for ref in taken if (m := SUFFIX.search(ref)) and ref[: m.start()] == base]
    return f"{base}-V{max(numbers, default=0) + 1}"


def prefilled(application: Application, regime: Regime) -> dict[str, Any]:
    """The answers handed in for the recognition, as far as the regime still asks them, without the files."""
    answers = handed_in(application)
    kept: dict[str, Any] = {}
    for field in regime.all_fields():
        if field.name not in answers or field.kind is FieldKind.FILE:
            continue
        value = copy.deepcopy(answers[field.name])
        if field.kind is FieldKind.GROUP and isinstance(value, list):
            files = {column.name for column in field.fields if column.kind is FieldKind.FILE}
            value = [{k: v for k, v in row.items() if k not in files} for row in value if isinstance(row, dict)]
        kept[field.name] = value
    return kept


# -- the term granted ------------------------------------------------------------------------------------


def term_starts(application: Application, decided_on: date) -> date:
    """The first day of the recognition a decision grants: for a renewal, the day after the renewed recognition
    ends (or the decision's day, if that is later: a recognition does not start in the past); else that day."""
    if application.renewal_of_id is None:
        return decided_on
    renewed = db.session.get(Application, application.renewal_of_id)
    ends = renewed.recognition_ends_on if renewed is not None else None
    return max(decided_on, ends + timedelta(days=1)) if ends is not None else decided_on


# -- what pages show -------------------------------------------------------------------------------------


def linked(application: Application) -> list[Application]:
    """The application this one renews, first, then its renewals, oldest first (one query, without answers)."""
    clause = Application.renewal_of_id == application.id
    if application.renewal_of_id is not None:
        clause = or_(clause, Application.id == application.renewal_of_id)
    found = db.session.scalars(
        select(Application)
        .options(defer(Application.answers), defer(Application.submitted_answers))
        .where(clause)
        .order_by(Application.created_at, Application.id)
        .limit(LINKED_SHOWN)
    )
    return sorted(found, key=lambda case: case.id != application.renewal_of_id)


@dataclass(frozen=True)
class Links:
    """What a case's pages say about renewal: the application it renews, its renewals, and whether (and from
    when) a renewal may be started; `window_days` is the administration's own rule, and said so."""

    renews: Application | None
    renewals: tuple[Application, ...]
    renewable: bool
    opens: date | None
    ends: date | None
    window_days: int | None
    refusal: str | None

    @property
    def shown(self) -> bool:
        return bool(self.renews or self.renewals or self.renewable)


def links(application: Application) -> Links:
    """The renewal part of the applicant's and staff's case pages (a query only where there may be links)."""
    can = renewable(application)
    found = linked(application) if application.renewal_of_id is not None or _may_have(application) else []
    renews = next((case for case in found if case.id == application.renewal_of_id), None)
    return Links(
        renews=renews,
        renewals=tuple(case for case in found if case.renewal_of_id == application.id),
        renewable=can,
        opens=window_opens(application) if can else None,
        ends=application.recognition_ends_on,
        window_days=window_days(application) if can else None,
        refusal=refusal(application) if can else None,
    )


def _may_have(application: Application) -> bool:
    """Whether renewals of the application may exist: it held a recognition with a term at some point."""
    return application.recognition_ends_on is not None
