"""A fourth regime, for tests only: the 2013 LDE label, declared in this one file plus its letter
templates beside it. It proves that a regime is data: registering it changes nothing in the engine,
the views or the services. Legal basis: decree of 22 November 2013 (numac 2013036182)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from ldapply.workflows import _common as common
from ldapply.workflows import _fields as f
from ldapply.workflows._spec import (
    Answers,
    Condition,
    Finding,
    LegalBasis,
    Parameter,
    Params,
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

# This regime drops the hearing, the objection and the life cycle after the decision.
_KEPT = {
    common.State.DRAFT,
    common.State.SUBMITTED,
    common.State.ADMISSIBILITY_CHECK,
    common.State.INADMISSIBLE,
    common.State.ADDITIONS_REQUESTED,
    common.State.SUBSTANTIVE_REVIEW,
    common.State.DECISION_PROPOSED,
    common.State.GRANTED,
    common.State.REFUSED,
    common.State.WITHDRAWN,
}
_FINAL = {common.State.GRANTED, common.State.REFUSED}
_LETTERS = {"receipt", "additions_requested", "inadmissible", "decision_granted", "decision_refused"}


def _impact_analysis_done(answers: Answers, params: Params) -> Finding | None:
    if answers.get("impact_analysis") is None:
        return None
    return Finding(
        bool(answers["impact_analysis"]),
        Text("Impactanalyse door de opdrachtgevende overheid", "Impact analysis by the commissioning authority"),
    )


def _pathways(answers: Answers, params: Params) -> Finding | None:
    count = common.decimal_answer(answers, "pathways")
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
    legal_basis=(DECREE_2013,),
    parameters=(
        *(p for p in common.PARAMETERS if p.name != "hearing_days"),
        Parameter(
            "min_pathways",
            5,
            "inschakelingstrajecten",
            Provenance.FOUND,
            "2013 regime minimum scale, werk.be 'wie' (domain brief 3.2)",
        ),
    ),
    steps=(
        common.ORGANISATION_STEP,
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
    states=tuple(replace(s, terminal=True) if s.code in _FINAL else s for s in common.STATES if s.code in _KEPT),
    initial_state=common.State.DRAFT,
    transitions=tuple(
        replace(t, sources=t.sources & _KEPT)
        for t in common.TRANSITIONS
        if t.target in _KEPT and t.sources & _KEPT and t.action != "propose_partial_grant"
    ),
    letters=tuple(letter for letter in common.LETTERS if letter.key in _LETTERS),
    outcomes=(common.GRANT, common.REFUSE),
    conditions=(
        common.LOCAL_NEED,
        Condition(
            "impact_analysis",
            Text("Impactanalyse uitgevoerd", "Impact analysis done"),
            "Decreet 2013, art. 7",
            fields=("impact_analysis",),
            check=_impact_analysis_done,
        ),
        Condition(
            "pathways",
            Text("Minimale schaal", "Minimum scale"),
            "Decreet 2013, art. 8",
            fields=("pathways",),
            check=_pathways,
        ),
    ),
    volume=lambda answers: common.decimal_answer(answers, "pathways") or Decimal(0),
    volume_unit=Text("trajecten", "pathways"),
)

# Earlier versions stay for the applications pinned to them.
EARLIER_VERSIONS = (
    replace(
        REGIME,
        version=1,
        parameters=tuple(replace(p, value=3) if p.name == "min_pathways" else p for p in REGIME.parameters),
    ),
)
