"""The regime registry: every public module in this package that exposes `REGIME` is a regime."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from types import MappingProxyType

from ._spec import Regime


def _discover() -> dict[str, Regime]:
    regimes: dict[str, Regime] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue  # _spec, _fields and _common are building blocks, not regimes
        regime = importlib.import_module(f"{__name__}.{info.name}").REGIME
        register(regime, into=regimes)
    return regimes


def register(regime: Regime, *, into: dict[str, Regime] | None = None) -> None:
    """Add a regime; tests use this for regimes declared outside the package."""
    target = _REGISTRY if into is None else into
    if regime.code in target:
        raise RuntimeError(f"duplicate regime code {regime.code!r}")
    target[regime.code] = regime


def get_regime(code: str) -> Regime:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise LookupError(f"unknown regime {code!r}") from None


_REGISTRY: dict[str, Regime] = {}
_REGISTRY.update(_discover())
REGIMES: Mapping[str, Regime] = MappingProxyType(_REGISTRY)
