"""The legal clocks of a case (the regime's ClockSpecs): started, suspended, resumed, extended, and the
due date they give. Stub: filled in by the clock work of issue 8."""

from __future__ import annotations

from datetime import datetime

from ..models import Application
from ..workflows._spec import Regime, Transition


def on_move(application: Application, regime: Regime, transition: Transition, now: datetime) -> None:
    """Start, suspend, resume or stop the regime's clocks as `application` enters its new state, and
    set `application.due_on` from the clock that runs now."""
