"""The legal clocks a regime declares: plain data, read by services/legal_clock.py."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ._spec import Text


class DayCount(StrEnum):
    """How a period's days are counted. Working days skip weekends, Belgian public holidays and the
    administration's own closing days."""

    CALENDAR = "calendar"
    WORKING = "working"


@dataclass(frozen=True)
class ClockSpec:
    """A period within which the administration must act, e.g. the decision period.

    It starts when the application enters one of `starts_in` (and has not started before), stands still
    while the application is in one of `suspended_in` (an information request, a hearing) and resumes there
    with the days that were left, and stops for good on entering one of `stops_in`. `parameter` gives its
    length in days counted as `days`; `extension_parameter`, when set, the days staff may add once, with a
    reason. The clock that runs now gives the case its due date, the same for staff and applicant.
    """

    name: str
    label: Text
    parameter: str
    days: DayCount
    starts_in: frozenset[str]
    stops_in: frozenset[str]
    suspended_in: frozenset[str] = frozenset()
    extension_parameter: str | None = None
