"""General LDE recognition.

Legal basis: decree of 22 December 2006 on the local service economy (numac 2007035250) and the
besluit of the Flemish Government of 5 October 2007 on the local service economy.
"""

from __future__ import annotations

from datetime import date

from . import _fields as f
from . import _lde as lde
from ._lde.examples import sample_sha256
from ._spec import Parameter, Provenance, Step, Text

SERVICE_STEP = Step(
    "service",
    Text("Dienst en lokale behoefte", "Service and local need"),
    fields=(
        f.choice("service_field", "Dienstendomein", "Service field", lde.SERVICE_FIELDS),
        f.textarea("service_description", "Beschrijving van de dienst", "Description of the service"),
        f.textarea(
            "local_need",
            "Op welke lokale behoefte speelt de dienst in, en waarom is hij aanvullend?",
            "Which local need does the service meet, and why is it supplementary?",
        ),
        f.textarea("target_customers", "Voor welke klanten is de dienst bedoeld?", "Who are the service's customers?"),
    ),
)

ATTACHMENTS_STEP = Step(
    "attachments",
    Text("Bijlagen", "Attachments"),
    fields=(
        f.file(
            "business_plan",
            "Ondernemingsplan",
            "Business plan",
            kinds=lde.PLAN_DOCUMENTS,
            max_files=5,
            hint=(
                "Het plan zelf, en eventueel de financiële planning als rekenblad.",
                "The plan itself, and the financial planning as a spreadsheet if you have one.",
            ),
        ),
    ),
)

# A realistic case for the sample letters lawyers review (`flask ldapply sample-letters`).
EXAMPLE_ANSWERS = {
    "organisation_name": "Fietspunt Gent-Sint-Pieters vzw",
    "enterprise_number": "0403170701",
    "legal_form": "vzw",
    "has_other_activities": False,
    "application_type": "new",
    "service_field": "bicycle_points",
    "service_description": "Een bewaakte fietsenstalling met herstelplaats aan het station Gent-Sint-Pieters.",
    "local_need": "In de stationsbuurt is geen fietsherstelling; de dienst vult het commerciële aanbod aan.",
    "target_customers": "Pendelaars, studenten en buurtbewoners.",
    "commissioning_authority": "Stad Gent",
    "commission_decision": {
        "upload_id": "00000000-0000-4000-8000-000000000001",
        "filename": "collegebesluit.pdf",
        "size": 48213,
        "sha256": sample_sha256("collegebesluit.pdf"),
    },
    "target_group_fte": "6.5",
    "supervisory_fte": "1",
    "guidance_plan": "Eén begeleider per vijf doelgroepwerknemers, met een persoonlijk ontwikkelingsplan.",
    "participation_plan": "Een gebruikersraad komt twee keer per jaar samen; de werknemers zetelen in het overleg.",
    "budget_flemish": "120000",
    "budget_federal": "80000",
    "budget_commissioning": "30000",
    "budget_users": "5000",
    "business_plan": {
        "upload_id": "00000000-0000-4000-8000-000000000002",
        "filename": "ondernemingsplan.pdf",
        "size": 102400,
        "sha256": sample_sha256("ondernemingsplan.pdf"),
    },
    "declares_separate_registration": True,
    "declares_no_displacement": True,
}

REGIME = lde.lde_regime(
    code="general",
    title=Text("Erkenning lokale diensteneconomie", "Recognition in the local service economy"),
    version=1,
    in_force=lde.in_force_from(date(2007, 10, 5), "besluit of 5 October 2007"),
    legal_basis=(lde.DECREE_2006, lde.BVR_2007),
    parameters=(
        *lde.PARAMETERS,
        Parameter(
            "call_2008_fte_cap",
            320,
            "VTE inclusief omkadering",
            Provenance.FOUND,
            "Call of December 2008 (VVSG newsletter, domain brief 2.6): the cap an admin gives that call",
            unit_en="FTE including supervision",
        ),
    ),
    steps=(
        lde.ORGANISATION_STEP,
        lde.APPLICATION_TYPE_STEP,
        SERVICE_STEP,
        lde.PUBLIC_COMMISSION_STEP,
        lde.STAFFING_STEP,
        lde.BUDGET_STEP,
        ATTACHMENTS_STEP,
        lde.DECLARATIONS_STEP,
    ),
    conditions=lde.CONDITIONS,
    volume=lde.requested_fte,
    uses_calls=True,
    application_type_field="application_type",
    example_answers=EXAMPLE_ANSWERS,
    example_address=("Koningin Fabiolalaan 12", "9000 Gent"),  # made up, for the sample letters
)
