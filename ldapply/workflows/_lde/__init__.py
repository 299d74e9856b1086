"""The shared LDE procedure: states, the transitions table, letters, law and steps.

A regime module calls `lde_regime(...)` with what is its own (code, title, steps, conditions,
parameters, legal basis); it may also build a `Regime` itself from these parts and drop states.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from .._clock import ClockSpec, DayCount
from .._spec import Answers, Condition, LegalBasis, Parameter, Period, Regime, Renewal, Step, Text
from .answers import attachment_check, decimal_answer, group_rows, nl_number, requested_fte, whole_number
from .examples import EXAMPLE_CASE
from .law import (
    BVR_2007,
    CONDITIONS,
    DECREE_2006,
    LOCAL_NEED,
    PARAMETERS,
    PARTICIPATION,
    PUBLIC_COMMISSION,
    SUI_GENERIS,
    SUPPLEMENTARY,
    TARGET_GROUP,
    in_force_from,
)
from .procedure import GRANT, LETTERS, OUTCOMES, PARTIAL_GRANT, REFUSE, TRANSITIONS
from .states import STATES, State
from .steps import (
    APPLICATION_TYPE_STEP,
    APPLICATION_TYPES,
    BUDGET_STEP,
    DECLARATIONS_STEP,
    DOCUMENT_OR_SCAN,
    LEGAL_FORMS,
    ORGANISATION_STEP,
    PLAN_DOCUMENTS,
    PUBLIC_COMMISSION_STEP,
    SERVICE_FIELDS,
    STAFFING_STEP,
    TEXT_DOCUMENT,
)

__all__ = [
    "APPLICATION_TYPES",
    "APPLICATION_TYPE_STEP",
    "BUDGET_STEP",
    "BVR_2007",
    "CLOCKS",
    "CONDITIONS",
    "DECLARATIONS_STEP",
    "DECREE_2006",
    "DOCUMENT_OR_SCAN",
    "EXAMPLE_CASE",
    "GRANT",
    "LEGAL_FORMS",
    "LETTERS",
    "LOCAL_NEED",
    "ORGANISATION_STEP",
    "OUTCOMES",
    "PARAMETERS",
    "PARTIAL_GRANT",
    "PARTICIPATION",
    "PLAN_DOCUMENTS",
    "PUBLIC_COMMISSION",
    "PUBLIC_COMMISSION_STEP",
    "REFUSE",
    "RENEWAL",
    "SERVICE_FIELDS",
    "STAFFING_STEP",
    "STATES",
    "SUI_GENERIS",
    "SUPPLEMENTARY",
    "TARGET_GROUP",
    "TEXT_DOCUMENT",
    "TRANSITIONS",
    "State",
    "attachment_check",
    "decimal_answer",
    "group_rows",
    "in_force_from",
    "lde_regime",
    "nl_number",
    "requested_fte",
    "whole_number",
]

FTE = Text("VTE", "FTE")
S = State

# The legal clocks of the LDE procedure (services/legal_clock.py keeps them per case).
# Admissibility: from the submission until the file is declared admissible or inadmissible; it stands still
# while additions are asked and resumes with the days left when they are handed in (starting the check, or
# a proposal of inadmissibility sent back, does not restart it).
ADMISSIBILITY_CLOCK = ClockSpec(
    name="admissibility",
    label=Text("Beslissing over de ontvankelijkheid", "Decision on admissibility"),
    parameter="admissibility_check_days",
    days=DayCount.CALENDAR,
    starts_in=frozenset({S.SUBMITTED}),
    suspended_in=frozenset({S.ADDITIONS_REQUESTED}),
    stops_in=frozenset({S.SUBSTANTIVE_REVIEW, S.INADMISSIBLE, S.WITHDRAWN}),
)
# The decision: from the receipt of the complete application (declared admissible) until the decision; it
# stands still while additions are asked or the applicant is being heard, and may be extended once.
DECISION_CLOCK = ClockSpec(
    name="decision",
    label=Text("Beslissing over de aanvraag", "Decision on the application"),
    parameter="decision_period_days",
    days=DayCount.CALENDAR,
    starts_in=frozenset({S.SUBSTANTIVE_REVIEW}),
    suspended_in=frozenset({S.ADDITIONS_REQUESTED, S.HEARING}),
    stops_in=frozenset({S.GRANTED, S.PARTLY_GRANTED, S.REFUSED, S.INADMISSIBLE, S.WITHDRAWN}),
    extension_parameter="decision_extension_days",
    # A case examined again after an upheld objection gets a new decision period from the reopening (the
    # administration's own rule, as the period itself is: the law on it was not found).
    restarted_by=frozenset({"reopen_after_objection"}),
)
# An objection is a case of its own (services/objections.py) with its own period: from the objection until the
# decision on it. Its length is not known (objection_decision_days, None): the clock runs without a due date.
OBJECTION_CLOCK = ClockSpec(
    name="objection",
    label=Text("Beslissing over het bezwaar", "Decision on the objection"),
    parameter="objection_decision_days",
    days=DayCount.CALENDAR,
    starts_in=frozenset({S.OBJECTION_LODGED}),
    stops_in=frozenset({S.OBJECTION_DECIDED}),
)
# None of these periods is found in the 2007/2008 besluiten (domain brief 3.4), so no rule moves a last day that
# falls on a weekend or holiday: last_day_moves_to_working_day stays off until the law is found to say so.
CLOCKS: tuple[ClockSpec, ...] = (ADMISSIBILITY_CLOCK, DECISION_CLOCK, OBJECTION_CLOCK)
ORGANISATION_FIELDS = {"name": "organisation_name", "enterprise_number": "enterprise_number"}
# An active recognition is renewed by a new application, linked to it (services/renewals.py), within the window
# before its last day. Not while it is suspended or a suspension or revocation is under way: renewing it then
# would decide on the recognition past the procedure that may end it. The administration's own rule (the law on
# renewal was not found): the window is a parameter marked as such.
RENEWAL = Renewal(window="renewal_window_days", sources=frozenset({State.ACTIVE}))


def lde_regime(
    *,
    code: str,
    title: Text,
    version: int,
    in_force: Period,
    legal_basis: tuple[LegalBasis, ...],
    parameters: tuple[Parameter, ...],
    steps: tuple[Step, ...],
    conditions: tuple[Condition, ...],
    volume: Callable[[Answers], Decimal],
    volume_unit: Text = FTE,
    volume_whole: bool = False,
    uses_calls: bool = False,
    application_type_field: str | None = "application_type",
    example_answers: Mapping[str, Any] | None = None,
    example_address: tuple[str, ...] = (),
    example_reason_met_without_norm: str | None = None,
    renewal: Renewal | None = RENEWAL,
) -> Regime:
    """A regime with the shared LDE procedure (its states, transitions, letters and outcomes) and the
    organisation record pre-filling the identity step."""
    return Regime(
        code=code,
        title=title,
        version=version,
        in_force=in_force,
        legal_basis=legal_basis,
        parameters=parameters,
        steps=steps,
        states=STATES,
        initial_state=State.DRAFT,
        transitions=TRANSITIONS,
        letters=LETTERS,
        outcomes=OUTCOMES,
        conditions=conditions,
        volume=volume,
        volume_unit=volume_unit,
        volume_whole=volume_whole,
        uses_calls=uses_calls,
        application_type_field=application_type_field,
        organisation_fields=ORGANISATION_FIELDS,
        example_answers=example_answers or {},
        duration="recognition_years",
        expiry_action="term_ended",
        renewal_reminder="renewal_reminder_days",
        renewal=renewal,
        example_case=replace(
            EXAMPLE_CASE,
            organisation_address=example_address,
            reason_met_without_norm=example_reason_met_without_norm or EXAMPLE_CASE.reason_met_without_norm,
        ),
        clocks=CLOCKS,
    )
