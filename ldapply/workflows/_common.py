"""Parts shared by the LDE regimes: states, intake and decision transitions, letters, parameters.

Sources are cited per parameter; `shared/domain.md` explains the provenance labels.
"""

from __future__ import annotations

from datetime import date as Date  # noqa: N812
from enum import StrEnum

from . import _fields as f
from ._spec import (
    LegalBasis,
    LetterSpec,
    Outcome,
    Parameter,
    Party,
    Provenance,
    Role,
    StateSpec,
    Step,
    Text,
    Transition,
)


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    DECISION_PROPOSED = "decision_proposed"
    GRANTED = "granted"
    REFUSED = "refused"


STATES = (
    StateSpec(State.DRAFT, Text("Concept", "Draft"), Text("Concept", "Draft"), Party.APPLICANT),
    StateSpec(
        State.SUBMITTED, Text("Ingediend", "Submitted"), Text("In behandeling", "Being processed"), Party.REVIEWER
    ),
    StateSpec(
        State.DECISION_PROPOSED,
        Text("Beslissing voorgesteld", "Decision proposed"),
        Text("In behandeling", "Being processed"),
        Party.DECISION_MAKER,
    ),
    StateSpec(State.GRANTED, Text("Erkend", "Granted"), Text("Erkend", "Recognised"), Party.NOBODY, terminal=True),
    StateSpec(State.REFUSED, Text("Geweigerd", "Refused"), Text("Geweigerd", "Refused"), Party.NOBODY, terminal=True),
)

GRANT = Outcome("grant", Text("Erkenning toekennen", "Grant recognition"))
REFUSE = Outcome("refuse", Text("Erkenning weigeren", "Refuse recognition"))
OUTCOMES = (GRANT, REFUSE)

TRANSITIONS = (
    Transition(
        "submit",
        frozenset({State.DRAFT}),
        State.SUBMITTED,
        frozenset({Role.APPLICANT}),
        Text("Aanvraag indienen", "Submit application"),
        letter="receipt",
    ),
    Transition(
        "propose_grant",
        frozenset({State.SUBMITTED}),
        State.DECISION_PROPOSED,
        frozenset({Role.REVIEWER}),
        Text("Erkenning voorstellen", "Propose recognition"),
        needs_comment=True,
        proposes=GRANT.code,
    ),
    Transition(
        "propose_refusal",
        frozenset({State.SUBMITTED}),
        State.DECISION_PROPOSED,
        frozenset({Role.REVIEWER}),
        Text("Weigering voorstellen", "Propose refusal"),
        needs_comment=True,
        proposes=REFUSE.code,
    ),
    Transition(
        "return_proposal",
        frozenset({State.DECISION_PROPOSED}),
        State.SUBMITTED,
        frozenset({Role.DECISION_MAKER}),
        Text("Voorstel terugsturen", "Return the proposal"),
        needs_comment=True,
    ),
    Transition(
        "confirm_grant",
        frozenset({State.DECISION_PROPOSED}),
        State.GRANTED,
        frozenset({Role.DECISION_MAKER}),
        Text("Beslissen: erkenning toekennen", "Decide: grant recognition"),
        confirms=GRANT.code,
        letter="decision_granted",
    ),
    Transition(
        "confirm_refusal",
        frozenset({State.DECISION_PROPOSED}),
        State.REFUSED,
        frozenset({Role.DECISION_MAKER}),
        Text("Beslissen: erkenning weigeren", "Decide: refuse recognition"),
        confirms=REFUSE.code,
        letter="decision_refused",
    ),
)

LETTERS = (
    LetterSpec("receipt", Text("Ontvangstbevestiging", "Acknowledgement of receipt")),
    LetterSpec("decision_granted", Text("Beslissing: erkenning", "Decision: recognition granted"), is_decision=True),
    LetterSpec("decision_refused", Text("Beslissing: weigering", "Decision: recognition refused"), is_decision=True),
)

DECREE_2006 = LegalBasis(
    instrument=Text(
        "Decreet van 22 december 2006 houdende de lokale diensteneconomie",
        "Decree of 22 December 2006 on the local service economy",
    ),
    date=Date(2006, 12, 22),
    numac="2007035250",
    articles="art. 2 en 3",
)

_WERK_PROCEDURE = "werk.be, LDE procedure page (domain brief 3.4); 2013 regime, not law for 2006/2007"

PARAMETERS = (
    Parameter("admissibility_check_days", 7, "kalenderdagen", Provenance.MODELLED_2013, _WERK_PROCEDURE),
    Parameter("advice_days", 45, "kalenderdagen", Provenance.MODELLED_2013, _WERK_PROCEDURE),
    Parameter(
        "decision_days",
        None,
        "kalenderdagen",
        Provenance.ASSUMPTION,
        "No decision deadline known for the 2007 besluit (domain brief 3.4); set before go-live.",
    ),
    Parameter(
        "council_of_state_appeal_days",
        60,
        "kalenderdagen",
        Provenance.FOUND,
        "Raad van State, annulment within 60 days of notification (domain brief 7; wetwijzer.be/laws/2025004303)",
    ),
    Parameter(
        "objection_enabled",
        False,
        "ja/nee",
        Provenance.ASSUMPTION,
        "Whether the 2007/2008 besluiten had an administrative objection is not known (domain brief 7).",
    ),
)

SERVICE_FIELDS = (
    ("home_care", "Aanvullende thuiszorg", "Supplementary home care"),
    ("childcare", "Buurtgerichte kinderopvang", "Neighbourhood childcare"),
    ("transport", "Vervoer en boodschappendiensten", "Transport and shopping services"),
    ("energy", "Energiesnoeiers", "Energy-saving services"),
    ("bicycle_points", "Fietspunten", "Bicycle points"),
    ("social_restaurants", "Sociale restaurants", "Social restaurants"),
    ("odd_jobs", "Klusdiensten", "Odd-job services"),
    ("green_maintenance", "Ecologisch groenbeheer", "Ecological green maintenance"),
    ("paths", "Onderhoud fiets- en wandelpaden", "Maintenance of cycle and walking paths"),
    ("neighbourhood_sport", "Buurtsport", "Neighbourhood sport"),
    ("family_support", "Preventieve gezinsondersteuning", "Preventive family support"),
    ("caretakers", "Huisbewaarders in de sociale huisvesting", "Caretakers in social housing"),
)

LEGAL_FORMS = (
    ("vzw", "Vereniging zonder winstoogmerk (vzw)", "Non-profit association (vzw)"),
    ("public", "Publiekrechtelijke rechtspersoon", "Public-law legal person"),
    ("social_purpose_company", "Vennootschap met sociaal oogmerk", "Company with a social purpose"),
    ("intermunicipal", "Intergemeentelijk samenwerkingsverband", "Intermunicipal partnership"),
)

ORGANISATION_STEP = Step(
    "organisation",
    Text("Organisatie", "Organisation"),
    fields=(
        f.text("organisation_name", "Naam van de organisatie", "Name of the organisation"),
        f.enterprise_number(
            "enterprise_number",
            "Ondernemingsnummer (KBO)",
            "Enterprise number (KBO)",
            hint=("Tien cijfers, bijvoorbeeld 0123.456.749", "Ten digits, for example 0123.456.749"),
        ),
        f.choice("legal_form", "Rechtsvorm", "Legal form", LEGAL_FORMS),
        f.yes_no(
            "has_other_activities",
            "Heeft de organisatie ook andere activiteiten dan lokale diensteneconomie?",
            "Does the organisation have activities other than the local service economy?",
            hint=(
                "Dan voert u de LDE-activiteiten uit in een sui-generisafdeling (decreet art. 2, 4°).",
                "Then the LDE activities are run in a sui generis division (decree art. 2, 4°).",
            ),
        ),
        f.text(
            "sui_generis_responsible",
            "Verantwoordelijke van de sui-generisafdeling",
            "Person responsible for the sui generis division",
            hint=(
                "Alleen invullen als de organisatie ook andere activiteiten heeft.",
                "Only if the organisation has other activities.",
            ),
            show_if=f.answer_is("has_other_activities", True),
        ),
    ),
)
