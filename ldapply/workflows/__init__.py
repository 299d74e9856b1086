"""The regime registry: every public module in this package that exposes `REGIME` is a regime.

A module may also expose `EARLIER_VERSIONS`, the versions applications filed earlier stay pinned to.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from types import MappingProxyType, ModuleType

from ._spec import Regime
from ._validate import check_regime

_CURRENT: dict[str, Regime] = {}
_VERSIONS: dict[tuple[str, int], Regime] = {}


def register(regime: Regime, *, earlier: tuple[Regime, ...] = ()) -> None:
    """Add a regime (and its earlier versions); tests use this for regimes declared outside the package."""
    if regime.code in _CURRENT:
        raise RuntimeError(f"duplicate regime code {regime.code!r}")
    for version in (regime, *earlier):
        check_regime(version)  # a misspelt name stops the regime from loading, naming it
    for version in (regime, *earlier):
        if version.code != regime.code or (version.code, version.version) in _VERSIONS:
            raise RuntimeError(f"inconsistent versions for regime {regime.code!r}")
        _VERSIONS[(version.code, version.version)] = version
    _CURRENT[regime.code] = regime


def unregister(code: str) -> None:
    _CURRENT.pop(code, None)
    for key in [k for k in _VERSIONS if k[0] == code]:
        del _VERSIONS[key]


def register_module(module: ModuleType) -> None:
    register(module.REGIME, earlier=tuple(getattr(module, "EARLIER_VERSIONS", ())))


def get_regime(code: str, version: int | None = None) -> Regime:
    """The current version of a regime, or the given version."""
    try:
        return _CURRENT[code] if version is None else _VERSIONS[(code, version)]
    except KeyError:
        raise LookupError(f"unknown regime {code!r}" + (f" version {version}" if version else "")) from None


def all_versions() -> list[Regime]:
    return [_VERSIONS[key] for key in sorted(_VERSIONS)]


for _info in pkgutil.iter_modules(__path__):
    if not _info.name.startswith("_"):  # _spec, _fields, _validate and _lde are building blocks, not regimes
        register_module(importlib.import_module(f"{__name__}.{_info.name}"))

REGIMES: Mapping[str, Regime] = MappingProxyType(_CURRENT)
