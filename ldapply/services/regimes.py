"""The regime an application was filed under, and the labels derived from it."""

from __future__ import annotations

from ..i18n import _, text
from ..models import Application
from ..workflows import get_regime
from ..workflows._spec import Regime, StateSpec, Step


def regime_of(application: Application) -> Regime:
    """The regime version the application is pinned to, for its whole life."""
    return get_regime(application.regime_code, application.regime_version)


def missing_steps(application: Application) -> list[Step]:
    """The steps this application shows that have not been completed yet."""
    done = set(application.completed_steps)
    return [s for s in regime_of(application).visible_steps(application.answers) if s.slug not in done]


def missing_steps_message(steps: list[Step]) -> str:
    return _(
        "Vul eerst alle stappen in. Nog niet ingevuld: %(steps)s.", steps=", ".join(text(step.title) for step in steps)
    )


def state_of(application: Application) -> StateSpec:
    return regime_of(application).state(application.state)
