"""The legal clocks of a case (the regime's ClockSpecs): started, suspended, resumed, extended, and the
due date they give. Stub: filled in by the clock work of issue 8."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..models import Application
from ..workflows._spec import Regime, Transition


def on_move(application: Application, regime: Regime, transition: Transition, now: datetime) -> None:
    """Start, suspend, resume or stop the regime's clocks as `application` enters its new state, and
    set `application.due_on` from the clock that runs now."""


@dataclass(frozen=True)
class ClockView:
    """What the case page and the applicant's overview show of the clock that runs now."""

    label: str
    due_on: date | None
    suspended: bool


def clock_view(application: Application) -> ClockView | None:
    """The clock that runs now (or stands still), for the case page's bar and the applicant's due date."""
    return None


def remind_overdue(now: datetime) -> int:
    """Flag cases whose due date passed and remind their assignee (once per due date); the number reminded."""
    return 0
