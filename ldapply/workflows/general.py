"""General LDE recognition.

Legal basis: decree of 22 December 2006 on the local service economy (numac 2007035250) and the
besluit of the Flemish Government of 5 October 2007 on the local service economy.
"""

from __future__ import annotations

from . import _common as common
from . import _fields as f
from ._spec import Parameter, Provenance, Step, Text

SERVICE_STEP = Step(
    "service",
    Text("Dienst en lokale behoefte", "Service and local need"),
    fields=(
        f.choice("service_field", "Dienstendomein", "Service field", common.SERVICE_FIELDS),
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
            "Ondernemingsplan (PDF)",
            "Business plan (PDF)",
            hint=("Een PDF-bestand van hoogstens 10 MB.", "A PDF file of at most 10 MB."),
        ),
    ),
)

REGIME = common.lde_regime(
    code="general",
    title=Text("Erkenning lokale diensteneconomie", "Recognition in the local service economy"),
    version=1,
    legal_basis=(common.DECREE_2006, common.BVR_2007),
    parameters=(
        *common.PARAMETERS,
        Parameter(
            "call_2008_fte_cap",
            320,
            "VTE inclusief omkadering",
            Provenance.FOUND,
            "Call of December 2008 (VVSG newsletter, domain brief 2.6): the cap an admin gives that call",
        ),
    ),
    steps=(
        common.ORGANISATION_STEP,
        common.APPLICATION_TYPE_STEP,
        SERVICE_STEP,
        common.PUBLIC_COMMISSION_STEP,
        common.STAFFING_STEP,
        common.BUDGET_STEP,
        ATTACHMENTS_STEP,
        common.DECLARATIONS_STEP,
    ),
    conditions=common.CONDITIONS,
    volume=common.requested_fte,
    uses_calls=True,
    application_type_field="application_type",
)
