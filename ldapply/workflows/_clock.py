"""The legal clocks a regime declares: plain data, read by services/legal_clock.py."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ._spec import Role, Text


class DayCount(StrEnum):
    """How a period's days are counted. Working days skip weekends, Belgian public holidays and the
    administration's own closing days."""

    CALENDAR = "calendar"
    WORKING = "working"


EXTENDED_BY = frozenset({Role.REVIEWER, Role.DECISION_MAKER})


@dataclass(frozen=True)
class ClockSpec:
    """A period within which the administration must act, e.g. the decision period.

    It starts when the application enters one of `starts_in` (and has not started before), stands still
    while the application is in one of `suspended_in` (an information request, a hearing) and resumes there
    with the days that were left, and stops for good on entering one of `stops_in`. `parameter` gives its
    length in days counted as `days`; `extension_parameter`, when set, the most days staff with one of the
    roles `extended_by` may add, with a reason, `extensions` times. The clock that runs now gives the case
    its due date, the same for staff and applicant.

    A period of N days counted from an event ends with the Nth counted day after it (the event's own day
    does not count), at midnight Brussels time. `last_day_moves_to_working_day`: a calendar-day period whose
    last day is a Saturday, Sunday, public holiday or closing day ends on the next working day instead, as
    Belgian procedural law often provides (e.g. Ger.W. art. 53). It is a rule of the regime, never assumed:
    off unless the regime declares it.

    `restarted_by`: the moves after which a clock that stopped starts anew, with a full period, when they lead
    into one of `starts_in` (a case examined again after an upheld objection gets a decision period from the
    reopening). The period it had is kept with the case, as an earlier one.
    """

    name: str
    label: Text
    parameter: str
    days: DayCount
    starts_in: frozenset[str]
    stops_in: frozenset[str]
    suspended_in: frozenset[str] = frozenset()
    extension_parameter: str | None = None
    extensions: int = 1
    extended_by: frozenset[Role] = EXTENDED_BY
    last_day_moves_to_working_day: bool = False
    restarted_by: frozenset[str] = frozenset()

    @property
    def states(self) -> frozenset[str]:
        """Every state the clock names."""
        return self.starts_in | self.stops_in | self.suspended_in
