"""Caretakers in social housing (initiatieven huisbewaarder in de sociale huisvesting).

Legal basis: besluit of the Flemish Government of 4 July 2008 "betreffende de erkenning van initiatieven
huisbewaarder in de sociale huisvesting in het kader van de lokale diensteneconomie" (numac 2008203785),
taken on the decree of 22 December 2006 on the local service economy (numac 2007035250; art. 3 § 2 and
art. 4 in the preamble) and the besluit of 5 October 2007 on the local service economy. The preamble also
cites the Vlaamse Wooncode, art. 4, 25 and 29bis (domain brief 4.1).

Only the title and preamble of the 2008 besluit are known: its operative articles (eligible applicants,
the caretaker/housing-unit ratio, subsidies, procedure) are not (domain brief 4.2). The steps follow the
inferences of domain brief 4.3 and 8.1; every unknown number is a parameter with provenance ASSUMPTION.
"""

from __future__ import annotations

import dataclasses
from datetime import date as Date  # noqa: N812
from decimal import Decimal

from . import _fields as f
from . import _lde as lde
from ._lde.examples import sample_sha256
from ._spec import Answers, Citation, Condition, Finding, LegalBasis, Parameter, Params, Provenance, Step, Text

BVR_2008_CARETAKERS = LegalBasis(
    instrument=Text(
        "Besluit van de Vlaamse Regering van 4 juli 2008 betreffende de erkenning van initiatieven huisbewaarder "
        "in de sociale huisvesting in het kader van de lokale diensteneconomie",
        "Decision of the Flemish Government of 4 July 2008 on the recognition of caretaker initiatives in social "
        "housing within the local service economy",
    ),
    date=Date(2008, 7, 4),
    numac="2008203785",
)

# The preamble of the 2008 besluit cites art. 3 § 2 and art. 4 of the decree; art. 2 holds the conditions.
DECREE_2006 = dataclasses.replace(lde.DECREE_2006, articles="art. 2, art. 3, § 2, en art. 4")


# -- answers ---------------------------------------------------------------------------------------


def total_units(answers: Answers) -> int:
    """Social rental units over all housing complexes of the application."""
    return sum(lde.whole_number(row.get("rental_units")) or 0 for row in lde.group_rows(answers, "housing_complexes"))


def requested_fte(answers: Answers) -> Decimal:
    """Caretaker FTE and supervisory FTE together: the caretakers replace the target-group workers."""
    return sum(
        (lde.decimal_answer(answers, name) or Decimal(0) for name in ("caretaker_fte", "supervisory_fte")),
        Decimal(0),
    )


def _complexes_are_distinct(answers: Answers) -> bool:
    keys = [
        (str(row.get("complex_name") or "").strip().casefold(), str(row.get("municipality") or "").strip().casefold())
        for row in lde.group_rows(answers, "housing_complexes")
    ]
    return len(keys) == len(set(keys))


def _nl(value: Decimal) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _en(value: Decimal) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


# -- steps -----------------------------------------------------------------------------------------

APPLICANT_TYPES = (
    ("shm", "De aanvrager is een sociale huisvestingsmaatschappij (SHM)", "The applicant is a social housing company"),
    (
        "partner",
        "Een organisatie in de lokale diensteneconomie met een samenwerkingsovereenkomst met een SHM",
        "A local service economy organisation with a partnership agreement with a social housing company",
    ),
)

CARETAKER_TASKS = (
    ("liveability", "Leefbaarheid", "Liveability"),
    ("small_maintenance", "Klein onderhoud", "Small maintenance"),
    ("tenant_contact", "Aanspreekpunt voor de huurders", "Contact point for tenants"),
    ("common_parts", "Toezicht op de gemeenschappelijke delen", "Supervision of the common parts"),
    ("other", "Andere", "Other"),
)

HOUSING_COMPANY_STEP = Step(
    "housing_company",
    Text("Sociale huisvestingsmaatschappij", "Social housing company"),
    fields=(
        f.choice("applicant_type", "Wie vraagt de erkenning aan?", "Who applies for the recognition?", APPLICANT_TYPES),
        f.text(
            "shm_name",
            "Naam van de sociale huisvestingsmaatschappij",
            "Name of the social housing company",
            hint=("De SHM die de aanvraag indient, of uw partner.", "The company applying, or your partner."),
        ),
        f.file(
            "partnership_agreement",
            "Samenwerkingsovereenkomst met de SHM",
            "Partnership agreement with the social housing company",
            kinds=lde.TEXT_DOCUMENT,
            show_if=f.answer_is("applicant_type", "partner"),
        ),
    ),
)

COMPLEXES_STEP = Step(
    "complexes",
    Text("Woningcomplexen", "Housing complexes"),
    intro=Text(
        "Geef elk woningcomplex waarin de huisbewaarders werken, met het aantal sociale huurwoningen.",
        "List every housing complex the caretakers work in, with its number of social rental units.",
    ),
    fields=(
        f.group(
            "housing_complexes",
            "Woningcomplexen",
            "Housing complexes",
            f.text("complex_name", "Naam van het complex", "Name of the complex"),
            f.text("municipality", "Gemeente", "Municipality"),
            f.integer(
                "rental_units",
                "Aantal sociale huurwoningen",
                "Number of social rental units",
                min_value=1,
                max_value=10000,
            ),
            min_items=1,
            max_items=200,
        ),
        # The common conditions local_need and supplementary read this answer.
        f.textarea(
            "local_need",
            "Op welke lokale behoefte speelt het initiatief in, en waarom is het aanvullend?",
            "Which local need does the initiative meet, and why is it supplementary?",
        ),
    ),
    rules=(
        f.rule(
            _complexes_are_distinct,
            "Geef elk woningcomplex maar één keer op.",
            "List each housing complex only once.",
            field="housing_complexes",
        ),
    ),
)

CARETAKER_TASKS_STEP = Step(
    "caretaker_tasks",
    Text("Taken van de huisbewaarders", "Caretaker tasks"),
    fields=(
        f.multi_choice(
            "caretaker_tasks",
            "Welke taken voeren de huisbewaarders uit?",
            "Which tasks do the caretakers carry out?",
            CARETAKER_TASKS,
        ),
        f.textarea(
            "caretaker_tasks_other",
            "Welke andere taken?",
            "Which other tasks?",
            show_if=f.when_chosen("caretaker_tasks", "other"),
        ),
        f.decimal(
            "caretaker_fte",
            "Gevraagde VTE huisbewaarders",
            "Requested caretaker FTE",
            min_value="0.1",
            max_value="500",
            hint=("In voltijdse equivalenten, bijvoorbeeld 2,5", "In full-time equivalents, for example 2.5"),
        ),
    ),
)

GUIDANCE_STEP = Step(
    "guidance",
    Text("Omkadering en begeleiding", "Supervision and guidance"),
    fields=(
        f.decimal(
            "supervisory_fte", "Gevraagde VTE omkadering", "Requested supervisory FTE", min_value="0", max_value="100"
        ),
        f.textarea("guidance_plan", "Hoe begeleidt u de huisbewaarders?", "How do you guide the caretakers?"),
        f.textarea(
            "participation_plan",
            "Hoe participeren werknemers, huurders en belanghebbenden?",
            "How do workers, tenants and stakeholders participate?",
        ),
    ),
)

SHM_DECISION_STEP = Step(
    "shm_decision",
    Text("Beslissing van de SHM", "Decision of the housing company"),
    fields=(
        f.file(
            "shm_decision",
            "Beslissing van de raad van bestuur van de SHM of de samenwerkingsovereenkomst",
            "Board decision of the social housing company or the partnership agreement",
            kinds=lde.DOCUMENT_OR_SCAN,
            hint=(
                "De beslissing waarmee de SHM het initiatief aanvraagt of goedkeurt.",
                "The decision by which the housing company applies for or approves the initiative.",
            ),
        ),
    ),
)


# -- conditions ------------------------------------------------------------------------------------


def _caretakers_employed(answers: Answers, params: Params) -> Finding | None:
    fte = lde.decimal_answer(answers, "caretaker_fte")
    if fte is None:
        return None
    if fte > 0:
        return Finding(True, Text(f"{_nl(fte)} VTE huisbewaarders gevraagd.", f"{_en(fte)} caretaker FTE requested."))
    return Finding(False, Text("Er worden geen huisbewaarders gevraagd.", "No caretakers are requested."))


def _shm_involved(answers: Answers, params: Params) -> Finding | None:
    applicant_type, shm = answers.get("applicant_type"), str(answers.get("shm_name") or "").strip()
    if applicant_type not in ("shm", "partner"):
        return None
    if not shm:
        return Finding(
            False, Text("De naam van de SHM ontbreekt.", "The name of the social housing company is missing.")
        )
    if applicant_type == "shm":
        return Finding(
            True, Text(f"De aanvrager is de SHM {shm}.", f"The applicant is the social housing company {shm}.")
        )
    if not answers.get("partnership_agreement"):
        return Finding(
            False,
            Text(
                f"Samenwerkingsovereenkomst met de SHM {shm} ontbreekt.",
                f"Partnership agreement with the social housing company {shm} missing.",
            ),
        )
    return Finding(
        True,
        Text(
            f"Samenwerkingsovereenkomst met de SHM {shm} bijgevoegd.",
            f"Partnership agreement with the social housing company {shm} attached.",
        ),
    )


def _units_per_caretaker(answers: Answers, params: Params) -> Finding | None:
    value, fte = params.get("units_per_caretaker_fte"), lde.decimal_answer(answers, "caretaker_fte")
    if value is None:
        return None  # while the ratio is unknown, the reviewer judges (domain brief 4.2)
    units = total_units(answers)
    if fte is None or fte <= 0 or not units:
        return None
    norm = Decimal(str(value))
    ratio = Decimal(units) / fte
    if ratio >= norm:
        return Finding(
            True,
            Text(
                f"{units} sociale huurwoningen voor {_nl(fte)} VTE huisbewaarders: {_nl(ratio)} per VTE, "
                f"norm {_nl(norm)} per VTE",
                f"{units} social rental units for {_en(fte)} caretaker FTE: {_en(ratio)} per FTE, "
                f"norm {_en(norm)} per FTE",
            ),
        )
    return Finding(
        False,
        Text(
            f"{units} sociale huurwoningen voor {_nl(fte)} VTE huisbewaarders is {_nl(ratio)} per VTE; dat ligt "
            f"onder de norm van {_nl(norm)} per VTE",
            f"{units} social rental units for {_en(fte)} caretaker FTE is {_en(ratio)} per FTE, below the norm "
            f"of {_en(norm)} per FTE",
        ),
    )


CARETAKER_STAFFING = Condition(
    "caretaker_staffing",
    Text("Er worden huisbewaarders tewerkgesteld", "Caretakers are employed"),
    Citation(
        "Decreet van 22 december 2006, art. 2, 3° (doelgroepwerknemers), en het besluit van de Vlaamse Regering "
        "van 4 juli 2008 betreffende de erkenning van initiatieven huisbewaarder (titel)",
        Provenance.FOUND,
        "etaamb, decree art. 2 and the title of numac 2008203785 (domain brief 1, 2.1, 4.1)",
    ),
    fields=("caretaker_fte",),
    check=_caretakers_employed,
)
SHM_INVOLVED = Condition(
    "shm_involved",
    Text(
        "De aanvrager is een SHM of werkt samen met een SHM",
        "The applicant is a social housing company or works with one",
    ),
    Citation(
        "de betrokkenheid van een sociale huisvestingsmaatschappij, afgeleid uit de titel van het besluit van "
        "4 juli 2008 en de Vlaamse Wooncode die de aanhef vermeldt; de bepaling zelf is niet gekend",
        Provenance.ASSUMPTION,
        "Inferred from the title and preamble of numac 2008203785 (domain brief 4.3)",
    ),
    fields=("applicant_type", "shm_name"),
    check=_shm_involved,
)
# The article that sets a ratio, if any, is not known (domain brief 4.2); the besluit is cited as a whole.
UNITS_PER_CARETAKER = Condition(
    "units_per_caretaker",
    Text(
        "Het aantal huisbewaarders staat in verhouding tot het aantal huurwoningen",
        "The number of caretakers is in proportion to the number of rental units",
    ),
    Citation(
        "een verhouding tussen huisbewaarders en huurwoningen; of en waar het besluit van 4 juli 2008 die "
        "bepaalt, is niet gekend",
        Provenance.ASSUMPTION,
        "No ratio found (domain brief 4.2)",
    ),
    fields=("housing_complexes", "caretaker_fte"),
    check=_units_per_caretaker,
    norm=("units_per_caretaker_fte",),
)


# A realistic case for the sample letters lawyers review (`flask ldapply sample-letters`).
EXAMPLE_ANSWERS = {
    "organisation_name": "Volkshaard cvba",
    "enterprise_number": "0403170701",
    "legal_form": "social_purpose_company",
    "has_other_activities": True,
    "sui_generis_responsible": "Karin De Smet",
    "application_type": "new",
    "applicant_type": "shm",
    "shm_name": "Volkshaard cvba",
    "housing_complexes": [
        {"complex_name": "Rabot", "municipality": "Gent", "rental_units": "120"},
        {"complex_name": "Nieuw Gent", "municipality": "Gent", "rental_units": "80"},
    ],
    "local_need": "Huurders in de hoogbouw hebben geen aanspreekpunt; kleine gebreken blijven maanden liggen.",
    "caretaker_tasks": ["liveability", "small_maintenance", "tenant_contact"],
    "caretaker_fte": "3",
    "supervisory_fte": "0.5",
    "guidance_plan": "Wekelijkse coaching door een begeleider van de maatschappij.",
    "participation_plan": "Een huurdersvergadering per kwartaal stuurt de taken bij.",
    "budget_flemish": "90000",
    "budget_federal": "60000",
    "budget_commissioning": "40000",
    "budget_users": "0",
    "shm_decision": {
        "upload_id": "00000000-0000-4000-8000-000000000003",
        "filename": "besluit-raad-van-bestuur.pdf",
        "size": 61440,
        "sha256": sample_sha256("besluit-raad-van-bestuur.pdf"),
    },
    "declares_separate_registration": True,
    "declares_no_displacement": True,
}

REGIME = lde.lde_regime(
    code="caretakers",
    title=Text(
        "Erkenning initiatieven huisbewaarder in de sociale huisvesting",
        "Recognition of caretaker initiatives in social housing",
    ),
    version=1,
    in_force=lde.in_force_from(Date(2008, 7, 4), "besluit of 4 July 2008"),
    legal_basis=(DECREE_2006, lde.BVR_2007, BVR_2008_CARETAKERS),
    parameters=(
        *lde.PARAMETERS,
        Parameter(
            "units_per_caretaker_fte",
            None,
            "huurwoningen per VTE huisbewaarder",
            Provenance.ASSUMPTION,
            "No ratio of caretakers to housing units is known (domain brief 4.2, 4.3); set before go-live.",
            unit_en="rental homes per FTE caretaker",
        ),
    ),
    steps=(
        lde.ORGANISATION_STEP,
        lde.APPLICATION_TYPE_STEP,
        HOUSING_COMPANY_STEP,
        COMPLEXES_STEP,
        CARETAKER_TASKS_STEP,
        GUIDANCE_STEP,
        lde.BUDGET_STEP,
        SHM_DECISION_STEP,
        lde.DECLARATIONS_STEP,
    ),
    conditions=(
        lde.LOCAL_NEED,
        lde.SUPPLEMENTARY,
        lde.PARTICIPATION,
        CARETAKER_STAFFING,
        lde.SUI_GENERIS,
        SHM_INVOLVED,
        UNITS_PER_CARETAKER,
    ),
    volume=requested_fte,
    uses_calls=False,
    example_answers=EXAMPLE_ANSWERS,
    example_address=("Rabotstraat 90", "9000 Gent"),  # made up, for the sample letters
    # The sample's reviewer says what they weighed, since no ratio is set (units_per_caretaker_fte).
    example_reason_met_without_norm=(
        "3 VTE huisbewaarders voor 200 sociale huurwoningen in twee complexen, één per 67 woningen: de "
        "huisbewaarders kunnen in elk complex dagelijks aanwezig zijn, zoals het takenpakket vraagt."
    ),
)
