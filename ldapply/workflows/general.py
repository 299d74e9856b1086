"""General LDE recognition.

Legal basis: decree of 22 December 2006 on the local service economy (numac 2007035250) and the
besluit of the Flemish Government of 5 October 2007 on the local service economy.
"""

from __future__ import annotations

from datetime import date as Date  # noqa: N812

from . import _common as common
from . import _fields as f
from ._spec import LegalBasis, Parameter, Provenance, Regime, Step, Text

BVR_2007 = LegalBasis(
    instrument=Text(
        "Besluit van de Vlaamse Regering van 5 oktober 2007 betreffende de lokale diensteneconomie",
        "Decision of the Flemish Government of 5 October 2007 on the local service economy",
    ),
    date=Date(2007, 10, 5),
    numac=None,
    articles="art. 1 e.v.",
)

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
    ),
)

STAFFING_STEP = Step(
    "staffing",
    Text("Personeel", "Staffing"),
    fields=(
        f.decimal(
            "target_group_fte",
            "Gevraagde VTE doelgroepwerknemers",
            "Requested target-group FTE",
            min_value="0.1",
            max_value="500",
            hint=("In voltijdse equivalenten, bijvoorbeeld 5,5", "In full-time equivalents, for example 5.5"),
        ),
        f.decimal(
            "supervisory_fte", "Gevraagde VTE omkadering", "Requested supervisory FTE", min_value="0", max_value="100"
        ),
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

REGIME = Regime(
    code="general",
    title=Text("Erkenning lokale diensteneconomie", "Recognition in the local service economy"),
    version=1,
    legal_basis=(common.DECREE_2006, BVR_2007),
    parameters=(
        *common.PARAMETERS,
        Parameter(
            "min_target_group_fte",
            5,
            "VTE doelgroepwerknemers per jaar",
            Provenance.MODELLED_2013,
            "Minimum scale of the 2013 regime (werk.be 'wie'); the 2007 value is unknown (domain brief 3.2)",
        ),
        Parameter(
            "recognition_years",
            5,
            "jaar",
            Provenance.MODELLED_2013,
            "Label validity of the 2013 regime (domain brief 3.4)",
        ),
        Parameter(
            "call_fte_cap",
            320,
            "VTE inclusief omkadering",
            Provenance.FOUND,
            "Call of December 2008 (VVSG newsletter, domain brief 2.6)",
        ),
    ),
    steps=(common.ORGANISATION_STEP, SERVICE_STEP, STAFFING_STEP, ATTACHMENTS_STEP),
    states=common.STATES,
    initial_state=common.State.DRAFT,
    transitions=common.TRANSITIONS,
    letters=common.LETTERS,
    outcomes=common.OUTCOMES,
    organisation_fields={"name": "organisation_name", "enterprise_number": "enterprise_number"},
)
