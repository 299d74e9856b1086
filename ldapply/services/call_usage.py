"""How much of its call's cap each application takes, kept on the application itself; the database sums it per
call as it changes (`call_cap_totals`, kept by migration 0011's triggers), so that a call's usage is one row to
read, whatever the size of the call.

Per application: `requested_volume`, what it asks for as handed in (the regime's volume function over the answers
handed in; live edits do not count); `cap_proposed`, what a pending proposal that grants would take (its volume,
or what was asked); `cap_granted`, what a case in a state that holds a recognition takes (its latest confirmed
grant's volume, or what was asked), unless a granting proposal is pending. Both None when nothing is taken.

They are kept by the ORM: whatever flush changes a submitted application's state, call or answers, or a decision
proposal, recomputes them in the same transaction (two statements: the proposals read, the values written).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, case, event, func, inspect, literal, select, update
from sqlalchemy.orm import Session

from ..models import Application, CallCapTotal, DecisionProposal, ProposalStatus
from ..workflows import REGIMES
from .answers import handed_in

APPLICATIONS = Application.__table__


def requested_volume(application: Application) -> Decimal | None:
    """What the application asks for under its regime, as handed in."""
    regime = REGIMES.get(application.regime_code)
    if regime is None or regime.volume is None:
        return None
    return regime.volume(handed_in(application))


def counted(
    regime_code: str, state: str, requested: Decimal | None, proposals: Iterable[Any]
) -> tuple[Decimal | None, Decimal | None]:
    """(proposed, granted) for one application; `proposals` its proposals, oldest first (the latest wins)."""
    regime = REGIMES.get(regime_code)
    if regime is None:
        return None, None
    granting = {o.code for o in regime.outcomes if o.grants}
    pending = confirmed = None
    for proposal in proposals:
        if proposal.status == ProposalStatus.PENDING:
            pending = proposal
        elif proposal.status == ProposalStatus.CONFIRMED and proposal.outcome in granting:
            confirmed = proposal
    asked = requested if requested is not None else Decimal(0)
    if pending is not None and pending.outcome in granting:
        return (asked if pending.volume is None else pending.volume), None
    holding = {s.code for s in regime.states if s.holds_recognition}
    if state in holding:
        return None, (asked if confirmed is None or confirmed.volume is None else confirmed.volume)
    return None, None


def sums(call_ids: Sequence[uuid.UUID], excluding: uuid.UUID | None = None) -> dict[Any, tuple[Any, Any]]:
    """Per call, the sums of what its applications take: one row per call, from the running totals the
    database keeps (`call_cap_totals`, migration 0011), less what `excluding` itself takes from its call."""
    from ..extensions import db

    if excluding is None:  # every case view of a call's case asks it: built once
        found = db.session.execute(_totals_query(), {"ids": list(call_ids)})
        return {row[0]: (row[1], row[2]) for row in found}
    totals = CallCapTotal.__table__.c
    own = APPLICATIONS.alias("own")
    mine = own.c.call_id == totals.call_id

    def less_own(total: Any, taken: Any) -> Any:
        return total - case((mine, func.coalesce(taken, 0)), else_=literal(0))

    query = select(
        totals.call_id, less_own(totals.proposed, own.c.cap_proposed), less_own(totals.granted, own.c.cap_granted)
    ).outerjoin(own, own.c.id == excluding)
    query = query.where(totals.call_id.in_(list(call_ids)))
    return {row[0]: (row[1], row[2]) for row in db.session.execute(query)}


@functools.cache
def _totals_query() -> Select[Any, Any, Any]:
    totals = CallCapTotal.__table__.c
    return select(totals.call_id, totals.proposed, totals.granted).where(
        totals.call_id.in_(bindparam("ids", expanding=True))
    )


# -- kept by the ORM ------------------------------------------------------------------------------------

_VOLUME_SOURCES = ("answers", "submitted_answers", "submitted_at", "regime_code")
_CAP_SOURCES = ("state", "call_id", "requested_volume", "submitted_at")


@event.listens_for(Application, "before_insert")
@event.listens_for(Application, "before_update")
def _keep_requested_volume(_mapper: Any, _connection: Any, application: Application) -> None:
    """Whatever writes the answers (a save, a submission, a hand-in of additions), the stored volume follows."""
    state: Any = inspect(application)
    if state.persistent and not any(state.attrs[name].history.has_changes() for name in _VOLUME_SOURCES):
        return
    application.requested_volume = requested_volume(application)


@event.listens_for(Session, "after_flush")
def _keep_cap_usage(session: Session, _context: Any) -> None:
    affected = _affected(session)
    if not affected:
        return
    connection = session.connection()
    known = {a.id: a for a in affected.values() if a is not None}
    missing = [i for i, a in affected.items() if a is None]
    rows = {a_id: (a.regime_code, a.state, a.requested_volume) for a_id, a in known.items()}
    if missing:
        found = connection.execute(
            select(
                APPLICATIONS.c.id, APPLICATIONS.c.regime_code, APPLICATIONS.c.state, APPLICATIONS.c.requested_volume
            ).where(APPLICATIONS.c.id.in_(missing), APPLICATIONS.c.submitted_at.is_not(None))
        )
        rows.update({row.id: (row.regime_code, row.state, row.requested_volume) for row in found})
    if not rows:
        return
    table = DecisionProposal.__table__
    proposals: dict[uuid.UUID, list[Any]] = {}
    for proposal in connection.execute(
        select(table.c.application_id, table.c.status, table.c.outcome, table.c.volume)
        .where(table.c.application_id.in_(list(rows)))
        .order_by(table.c.created_at, table.c.id)
    ):
        proposals.setdefault(proposal.application_id, []).append(proposal)
    values = []
    for application_id, (regime_code, state, requested) in rows.items():
        proposed, granted = counted(regime_code, state, requested, proposals.get(application_id, []))
        values.append({"key": application_id, "proposed": proposed, "granted": granted})
    connection.execute(
        update(APPLICATIONS)
        .where(APPLICATIONS.c.id == bindparam("key"))
        .values(cap_proposed=bindparam("proposed"), cap_granted=bindparam("granted")),
        values,
    )


def _affected(session: Session) -> dict[uuid.UUID, Application | None]:
    """The submitted applications whose share of the cap may have changed in this flush (None: not loaded)."""
    affected: dict[uuid.UUID, Application | None] = {}
    for instance in [*session.new, *session.dirty]:
        if isinstance(instance, Application) and instance.submitted_at is not None:
            state: Any = inspect(instance)
            if instance in session.new or any(state.attrs[n].history.has_changes() for n in _CAP_SOURCES):
                affected[instance.id] = instance
        elif isinstance(instance, DecisionProposal) and instance.application_id is not None:
            affected.setdefault(instance.application_id, None)
    for application_id, known in list(affected.items()):
        if known is None:
            loaded = session.identity_map.get(inspect(Application).identity_key_from_primary_key([application_id]))
            if isinstance(loaded, Application) and loaded.submitted_at is not None:
                affected[application_id] = loaded
    return affected
