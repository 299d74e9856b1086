"""The parameter values in effect: a regime's declared values, or the last value an admin set for one, and the
setting itself (checked, with its reason, audited).

`in_effect` is the one place new work reads values from: submission pins them on the application, and drafts, the
pre-check and the sample letters read them. A filed case reads the values pinned on it, so a change reaches the
applications submitted after it and never a case already filed. A value an admin sets is the administration's own
rule; a value that is law stays law only with the legal source of its change."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import has_request_context, request
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..extensions import db
from ..i18n import _
from ..models import ParameterChange, User
from ..workflows import get_regime
from ..workflows._spec import Parameter, Provenance, Regime
from . import audit
from .errors import Forbidden, NotFound, TransitionNotAllowed
from .parameter_kinds import InvalidValue, read, typed_value
from .staff import may_admin

MAX_REASON = 2000
MAX_SOURCE = 1000
HISTORY_LIMIT = 200  # the changes the parameters page lists, newest first
_CACHE = "ldapply.parameters_in_effect"  # in the request's environ: read once per request, never across two

Key = tuple[str, int]  # (regime code, version)


@dataclass(frozen=True)
class Change:
    """One value an admin set, as plain data (safe to keep for the request after a commit)."""

    id: uuid.UUID
    regime_code: str
    regime_version: int
    name: str
    revision: int
    value: Any  # as JSON keeps it
    old_value: Any
    provenance: Provenance
    legal_source: str
    reason: str
    set_at: datetime
    set_by: str

    @property
    def is_law(self) -> bool:
        return self.provenance is Provenance.FOUND


# -- reading --------------------------------------------------------------------------------------------


def in_effect(regime: Regime) -> Regime:
    """The regime with the parameter values in effect now. Costs one query per request, for every regime."""
    cache = _cache()
    key = (regime.code, regime.version)
    if cache is not None and key in cache["regimes"]:
        return cache["regimes"][key]  # type: ignore[no-any-return]
    changes = _current(cache).get(key, {})
    effective = (
        replace(regime, parameters=tuple(_applied(p, changes.get(p.name)) for p in regime.parameters))
        if changes
        else regime
    )
    if cache is not None:
        cache["regimes"][key] = effective
    return effective


def current_changes(regime: Regime) -> dict[str, Change]:
    """The change in effect per parameter name, for the parameters an admin changed."""
    return dict(_current(_cache()).get((regime.code, regime.version), {}))


def _applied(parameter: Parameter, change: Change | None) -> Parameter:
    if change is None:
        return parameter
    return replace(
        parameter,
        value=typed_value(parameter, change.value),
        provenance=change.provenance,
        source=change.legal_source if change.is_law else change.reason,
    )


def _cache() -> dict[str, dict[Any, Any]] | None:
    if not has_request_context():
        return None
    return request.environ.setdefault(_CACHE, {"regimes": {}})  # type: ignore[no-any-return]


def _current(cache: dict[str, dict[Any, Any]] | None) -> dict[Key, dict[str, Change]]:
    if cache is not None and "changes" in cache:
        return cache["changes"]
    later = aliased(ParameterChange)
    newer = exists().where(
        and_(
            later.regime_code == ParameterChange.regime_code,
            later.regime_version == ParameterChange.regime_version,
            later.name == ParameterChange.name,
            later.revision > ParameterChange.revision,
        )
    )
    found: dict[Key, dict[str, Change]] = {}
    for change in _changes(~newer):
        found.setdefault((change.regime_code, change.regime_version), {})[change.name] = change
    if cache is not None:
        cache["changes"] = found
    return found


def _changes(*criteria: Any, limit: int | None = None) -> list[Change]:
    query = (
        select(ParameterChange, User.name)
        .join(User, User.id == ParameterChange.set_by_id)
        .where(*criteria)
        .order_by(ParameterChange.created_at.desc(), ParameterChange.revision.desc())
        .limit(limit)
    )
    return [_plain(row, name) for row, name in db.session.execute(query)]


def _plain(row: ParameterChange, set_by: str) -> Change:
    return Change(
        id=row.id,
        regime_code=row.regime_code,
        regime_version=row.regime_version,
        name=row.name,
        revision=row.revision,
        value=row.value,
        old_value=row.old_value,
        provenance=Provenance(row.provenance),
        legal_source=row.legal_source,
        reason=row.reason,
        set_at=row.created_at,
        set_by=set_by,
    )


def history(regimes: Iterable[Regime] | None = None, name: str | None = None) -> dict[Key, list[Change]]:
    """The changes per regime version, newest first (the latest HISTORY_LIMIT); of one parameter with `name`."""
    criteria = [ParameterChange.name == name] if name is not None else []
    if regimes is not None:
        keys = [(r.code, r.version) for r in regimes]
        criteria.append(
            or_(*(and_(ParameterChange.regime_code == c, ParameterChange.regime_version == v) for c, v in keys))
        )
    by_regime: dict[Key, list[Change]] = {}
    for change in _changes(*criteria, limit=HISTORY_LIMIT):
        by_regime.setdefault((change.regime_code, change.regime_version), []).append(change)
    return by_regime


def values_ever(regime: Regime, name: str) -> list[Any]:
    """The declared value and every value an admin set since (as JSON keeps them): what a case may have pinned."""
    query = select(ParameterChange.value).where(
        ParameterChange.regime_code == regime.code,
        ParameterChange.regime_version == regime.version,
        ParameterChange.name == name,
    )
    return [declared_json(regime.parameter(name)), *db.session.scalars(query)]


def forget() -> None:
    """After a change in this request: read the values again when next needed."""
    if has_request_context():
        request.environ.pop(_CACHE, None)


# -- setting --------------------------------------------------------------------------------------------


def editable(actor: User, regime_code: str, version: int, name: str) -> tuple[Regime, Parameter]:
    """The regime version and parameter an admin of that regime may set; Forbidden for anyone else."""
    if not may_admin(actor, regime_code):
        raise Forbidden()
    try:
        regime = get_regime(regime_code, version)
        return regime, regime.parameter(name)
    except LookupError:  # an unknown regime version or parameter (KeyError)
        raise NotFound() from None


def declared_json(parameter: Parameter) -> Any:
    return str(parameter.value) if isinstance(parameter.value, Decimal) else parameter.value


def set_value(
    *,
    actor: User,
    regime_code: str,
    version: int,
    name: str,
    typed: str,
    reason: str,
    legal_source: str,
    revision: int,
) -> Change:
    """Set a parameter's value from now on. `revision` is the one the admin saw (0: the declared value); a change
    made meanwhile is refused rather than overwritten. Raises Forbidden, NotFound, InvalidValue, TransitionNotAllowed;
    nothing is saved then."""
    _regime, parameter = editable(actor, regime_code, version, name)
    value, reason, legal_source = read(parameter, typed), reason.strip(), legal_source.strip()
    _check_texts(parameter, reason, legal_source)
    current = _latest(regime_code, version, name)
    if (current.revision if current else 0) != revision:
        raise _changed_meanwhile()
    old = current.value if current else declared_json(parameter)
    if value == old and type(value) is type(old):
        raise InvalidValue(_("De nieuwe waarde is dezelfde als de huidige."))
    row = ParameterChange(
        regime_code=regime_code,
        regime_version=version,
        name=name,
        revision=revision + 1,
        value=value,
        old_value=old,
        provenance=str(Provenance.FOUND if parameter.is_law else Provenance.ASSUMPTION),
        legal_source=legal_source if parameter.is_law else "",
        reason=reason,
        set_by_id=actor.id,
    )
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise _changed_meanwhile() from None
    _audit(row, actor)
    db.session.commit()
    forget()
    return _plain(row, actor.name)


def _check_texts(parameter: Parameter, reason: str, legal_source: str) -> None:
    if not reason:
        raise InvalidValue(_("Geef de reden van de wijziging."), "reason")
    if len(reason) > MAX_REASON:
        raise InvalidValue(_("De reden is te lang (hoogstens %(max)s tekens).", max=MAX_REASON), "reason")
    if parameter.is_law and not legal_source:
        raise InvalidValue(
            _(
                "Deze waarde staat in de regelgeving: geef de rechtsbron van de wijziging, bijvoorbeeld het nieuwe "
                "artikel en de datum van het Belgisch Staatsblad."
            ),
            "legal_source",
        )
    if len(legal_source) > MAX_SOURCE:
        raise InvalidValue(_("De rechtsbron is te lang (hoogstens %(max)s tekens).", max=MAX_SOURCE), "legal_source")


def _latest(regime_code: str, version: int, name: str) -> ParameterChange | None:
    return db.session.scalar(
        select(ParameterChange)
        .where(
            ParameterChange.regime_code == regime_code,
            ParameterChange.regime_version == version,
            ParameterChange.name == name,
        )
        .order_by(ParameterChange.revision.desc())
        .limit(1)
    )


def latest_revision(regime: Regime, name: str) -> int:
    current = _latest(regime.code, regime.version, name)
    return current.revision if current else 0


def _changed_meanwhile() -> TransitionNotAllowed:
    return TransitionNotAllowed(
        _("Iemand anders wijzigde deze waarde intussen. Bekijk de nieuwe waarde en probeer opnieuw.")
    )


def _audit(row: ParameterChange, actor: User) -> None:
    audit.record(
        "parameter.changed",
        object_type="parameter",
        object_id=row.id,
        old={"value": row.old_value},
        new={
            "regime_code": row.regime_code,
            "regime_version": row.regime_version,
            "name": row.name,
            "revision": row.revision,
            "value": row.value,
            "provenance": row.provenance,
            "legal_source": row.legal_source,
            "reason": row.reason,
        },
        actor=actor,
    )
