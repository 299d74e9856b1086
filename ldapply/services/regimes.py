"""The regime an application was filed under, and the labels derived from it."""

from __future__ import annotations

from ..models import Application
from ..workflows import get_regime
from ..workflows._spec import Regime, StateSpec


def regime_of(application: Application) -> Regime:
    """The regime version the application is pinned to, for its whole life."""
    return get_regime(application.regime_code, application.regime_version)


def state_of(application: Application) -> StateSpec:
    return regime_of(application).state(application.state)
