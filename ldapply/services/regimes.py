"""The regime an application was filed under, and the labels derived from it."""

from __future__ import annotations

from ..models import Application
from ..workflows import get_regime
from ..workflows._spec import Regime, StateSpec


def regime_of(application: Application) -> Regime:
    """The regime version the application is pinned to.

    Only one version of each regime exists yet; the pin is stored so later versions can be told apart.
    """
    regime = get_regime(application.regime_code)
    if regime.version != application.regime_version:
        raise LookupError(f"{application.regime_code} version {application.regime_version} is not available")
    return regime


def state_of(application: Application) -> StateSpec:
    return regime_of(application).state(application.state)
