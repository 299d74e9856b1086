"""A fourth regime, for tests only: the 2013 LDE label, declared in this one file plus its letter
templates beside it. It proves that a regime is data: registering it changes nothing in the engine,
the views or the services. Legal basis: decree of 22 November 2013 (numac 2013036182)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from ldapply.workflows import _fields as f
from ldapply.workflows import _lde as lde
from ldapply.workflows._clock import DayCount
from ldapply.workflows._lde.procedure import D, R, row
from ldapply.workflows._spec import (
    Answers,
    Citation,
    Condition,
    Finding,
    LegalBasis,
    Need,
    Parameter,
    Params,
    Period,
    Provenance,
    Regime,
    Step,
    Text,
)

DECREE_2013 = LegalBasis(
    instrument=Text(
        "Decreet van 22 november 2013 betreffende de lokale diensteneconomie",
        "Decree of 22 November 2013 on the local service economy",
    ),
    date=date(2013, 11, 22),
    numac="2013036182",
    articles="art. 2 en 3",
)
# The label regime applied from 1 April 2015; from 1 July 2023 no new LDE recognitions (domain brief 1, row F).
IN_FORCE = Period(date(2015, 4, 1), date(2023, 6, 30), Provenance.FOUND, "lokalediensteneconomie.be (domain brief 1)")


# This regime drops the hearing, the objection and the life cycle after the decision.
_KEPT = {
    lde.State.DRAFT,
    lde.State.SUBMITTED,
    lde.State.ADMISSIBILITY_CHECK,
    lde.State.INADMISSIBLE,
    lde.State.ADDITIONS_REQUESTED,
    lde.State.SUBSTANTIVE_REVIEW,
    lde.State.INADMISSIBILITY_PROPOSED,
    lde.State.DECISION_PROPOSED,
    lde.State.REFUSAL_PROPOSED,
    lde.State.GRANTED,
    lde.State.REFUSED,
    lde.State.WITHDRAWN,
}
_FINAL = {lde.State.GRANTED, lde.State.REFUSED}
_OWN = {"propose_partial_grant", "propose_refusal", "return_refusal"}
_LETTERS = {
    "receipt",
    "additions_requested",
    "additions_received",
    "inadmissible",
    "decision_granted",
    "decision_refused",
}


# The decision clock counts working days here (the LDE regimes count calendar days), so both day counts
# run end to end; its parameters say so in their unit. A test regime's assumption, not the 2013 law.
_WORKING_DAYS = {"decision_period_days": 60, "decision_extension_days": 20}
_TEST_RULE = "Test regime: a decision period in working days, so that working-day clocks are exercised."
CLOCKS = tuple(
    replace(
        clock,
        days=DayCount.WORKING if clock.parameter in _WORKING_DAYS else clock.days,
        starts_in=clock.starts_in & _KEPT,
        suspended_in=clock.suspended_in & _KEPT,
        stops_in=clock.stops_in & _KEPT,
    )
    for clock in lde.CLOCKS
    if clock.starts_in & _KEPT  # the objection's clock goes with the objection
)


def _parameter(parameter: Parameter) -> Parameter:
    if parameter.name not in _WORKING_DAYS:
        return parameter
    value = _WORKING_DAYS[parameter.name]
    return replace(parameter, value=value, unit="werkdagen", unit_en="working days", source=_TEST_RULE)


def _impact_analysis_done(answers: Answers, params: Params) -> Finding | None:
    if answers.get("impact_analysis") is None:
        return None
    return Finding(
        bool(answers["impact_analysis"]),
        Text("Impactanalyse door de opdrachtgevende overheid", "Impact analysis by the commissioning authority"),
    )


def _pathways(answers: Answers, params: Params) -> Finding | None:
    count = lde.decimal_answer(answers, "pathways")
    if count is None:
        return None
    minimum = Decimal(str(params["min_pathways"]))
    return Finding(
        count >= minimum,
        Text(
            f"{count} trajecten, minimum {minimum} (parameter min_pathways)",
            f"{count} pathways, minimum {minimum} (parameter min_pathways)",
        ),
    )


REGIME = Regime(
    code="label_2013",
    title=Text("LDE-label (regeling 2013, testregeling)", "LDE label (2013 regime, test regime)"),
    version=2,
    in_force=IN_FORCE,
    legal_basis=(DECREE_2013,),
    parameters=(
        *(_parameter(p) for p in lde.PARAMETERS if p.name != "hearing_days"),
        Parameter(
            "min_pathways",
            5,
            "inschakelingstrajecten",
            Provenance.FOUND,
            "2013 regime minimum scale, werk.be 'wie' (domain brief 3.2)",
        ),
    ),
    steps=(
        lde.ORGANISATION_STEP,
        Step(
            "label",
            Text("Label", "Label"),
            fields=(
                f.integer("pathways", "Aantal inschakelingstrajecten", "Number of integration pathways", min_value=1),
                f.yes_no(
                    "impact_analysis", "Maakte de overheid een impactanalyse?", "Did the authority analyse impact?"
                ),
                f.textarea("local_need", "Lokale behoefte", "Local need"),
            ),
        ),
    ),
    # Without the objection and the life cycle, a grant or a refusal ends the procedure here.
    states=tuple(replace(s, terminal=True) if s.code in _FINAL else s for s in lde.STATES if s.code in _KEPT),
    initial_state=lde.State.DRAFT,
    transitions=(
        *(
            replace(t, sources=t.sources & _KEPT)
            for t in lde.TRANSITIONS
            if t.target in _KEPT and t.sources & _KEPT and t.action not in _OWN
        ),
        # Without a hearing, a refusal is proposed straight from the review and returned there.
        row(
            "propose_refusal",
            {lde.State.SUBSTANTIVE_REVIEW},
            lde.State.REFUSAL_PROPOSED,
            R,
            "Weigering voorstellen",
            "Propose refusal",
            motivation=Need.REQUIRED,
            proposes=lde.REFUSE.code,
        ),
        row(
            "return_refusal",
            {lde.State.REFUSAL_PROPOSED},
            lde.State.SUBSTANTIVE_REVIEW,
            D,
            "Voorstel terugsturen",
            "Return the proposal",
            note=Need.REQUIRED,
            returns_proposal=True,
        ),
    ),
    letters=tuple(letter for letter in lde.LETTERS if letter.key in _LETTERS),
    outcomes=(lde.GRANT, lde.REFUSE, *(o for o in lde.OUTCOMES if o.code == "inadmissible")),
    conditions=(
        lde.LOCAL_NEED,
        Condition(
            "impact_analysis",
            Text("Impactanalyse uitgevoerd", "Impact analysis done"),
            Citation("impactanalyse door de opdrachtgevende overheid (testregeling)", Provenance.ASSUMPTION),
            fields=("impact_analysis",),
            check=_impact_analysis_done,
        ),
        Condition(
            "pathways",
            Text("Minimale schaal", "Minimum scale"),
            Citation("minimale schaal van het label (testregeling)", Provenance.ASSUMPTION),
            fields=("pathways",),
            check=_pathways,
            norm=("min_pathways",),
        ),
    ),
    volume=lambda answers: lde.decimal_answer(answers, "pathways") or Decimal(0),
    volume_unit=Text("trajecten", "pathways"),
    example_case=lde.EXAMPLE_CASE,
    clocks=CLOCKS,
)

# Earlier versions stay for the applications pinned to them.
EARLIER_VERSIONS = (
    replace(
        REGIME,
        version=1,
        parameters=tuple(replace(p, value=3) if p.name == "min_pathways" else p for p in REGIME.parameters),
    ),
)
