"""Local neighbourhood childcare services (lokale diensten buurtgerichte kinderopvang).

Legal basis: besluit of the Flemish Government of 9 May 2008 on the conditions of authorisation and
subsidy of local neighbourhood childcare services (numac 2008202840, BS 20 August 2008), taken on the
decree of 22 December 2006 on the local service economy (numac 2007035250) and the decree of 30 April
2004 creating the agency Kind en Gezin, art. 12 and 13 (domain brief 5.1).

Only the French title and the preamble of the 2008 besluit are known; its operative articles (applicants,
share of target-group staff, places, subsidy, procedure) are not (domain brief 5.3). Kind en Gezin grants
the childcare authorisation (vergunning); this regime recognises the local-service-economy part, which
depends on that authorisation (domain brief 5.4). The steps follow domain brief 5.4 and 8.1.
"""

from __future__ import annotations

from datetime import date as Date  # noqa: N812
from decimal import Decimal

from . import _fields as f
from . import _lde as lde
from ._lde.examples import sample_sha256
from ._spec import Answers, Citation, Condition, Finding, LegalBasis, Parameter, Params, Provenance, Step, Text

# Only the French title is known ("fixant les conditions d'autorisation et de subventionnement de services
# locaux d'accueil d'enfants de voisinage"); a Dutch title would be inferred, so the besluit is cited by its
# date, publication and numac (domain brief 1, row D).
BVR_2008_CHILDCARE = LegalBasis(
    instrument=Text(
        "Besluit van de Vlaamse Regering van 9 mei 2008 over de lokale diensten buurtgerichte kinderopvang "
        "(Belgisch Staatsblad 20 augustus 2008)",
        "Decision of the Flemish Government of 9 May 2008 laying down the conditions of authorisation and subsidy "
        "of local neighbourhood childcare services",
    ),
    date=Date(2008, 5, 9),
    numac="2008202840",
)

# Cited in the preamble of the 2008 besluit (domain brief 5.1); the Dutch title is from background
# knowledge [INFERRED] and the numac is not known.
DECREE_2004_KIND_EN_GEZIN = LegalBasis(
    instrument=Text(
        "Decreet van 30 april 2004 (oprichting van het agentschap Kind en Gezin)",
        "Decree of 30 April 2004 creating the agency Kind en Gezin",
    ),
    date=Date(2004, 4, 30),
    numac=None,
    articles="art. 12 en 13",
)


# -- answers ---------------------------------------------------------------------------------------


def total_places(answers: Answers) -> Decimal:
    """Childcare places over all locations of the application: the volume the application asks for."""
    return Decimal(sum(lde.whole_number(row.get("places")) or 0 for row in lde.group_rows(answers, "locations")))


def _locations_are_distinct(answers: Answers) -> bool:
    keys = [
        (str(row.get("address") or "").strip().casefold(), str(row.get("municipality") or "").strip().casefold())
        for row in lde.group_rows(answers, "locations")
    ]
    return len(keys) == len(set(keys))


def _kg_date_not_in_the_future(answers: Answers) -> bool:
    return _not_in_the_future(answers, "kg_date")


def _lok_advice_date_not_in_the_future(answers: Answers) -> bool:
    return _not_in_the_future(answers, "lok_advice_date")


def _not_in_the_future(answers: Answers, name: str) -> bool:
    """A date the applicant reports as past (a permit, an advice) lies no later than today: the day it is handed
    in, so never after the submission or the decision."""
    value = answers.get(name)
    if not value:
        return True  # the field itself is required; this rule only judges a date given
    try:
        return Date.fromisoformat(str(value)) <= Date.today()
    except ValueError:
        return True  # the date field reports a malformed date itself


# -- steps -----------------------------------------------------------------------------------------

AGE_GROUPS = (
    ("0_3", "Baby's en peuters", "Babies and toddlers"),
    ("school", "Schoolkinderen", "School-age children"),
    ("mixed", "Gemengd", "Mixed"),
)

KG_STATUSES = (
    ("granted", "Vergunning verleend", "Authorisation granted"),
    ("requested", "Vergunning aangevraagd", "Authorisation requested"),
)

LOCATIONS_STEP = Step(
    "locations",
    Text("Opvanglocaties", "Childcare locations"),
    intro=Text(
        "Geef elke locatie waar de opvang plaatsvindt, met het aantal opvangplaatsen.",
        "List every location where the childcare takes place, with its number of places.",
    ),
    fields=(
        f.group(
            "locations",
            "Locaties",
            "Locations",
            f.text("address", "Adres", "Address"),
            f.text("municipality", "Gemeente", "Municipality"),
            f.integer("places", "Aantal opvangplaatsen", "Number of childcare places", min_value=1, max_value=500),
            f.choice("age_group", "Leeftijdsgroep", "Age group", AGE_GROUPS),
            min_items=1,
            max_items=200,
        ),
        # The common conditions local_need and supplementary read this answer.
        f.textarea(
            "local_need",
            "Op welke lokale behoefte speelt de opvang in, en waarom is ze aanvullend op het bestaande aanbod?",
            "Which local need does the childcare meet, and why does it supplement existing provision?",
        ),
    ),
    rules=(
        f.rule(
            _locations_are_distinct,
            "Geef elke locatie maar één keer op.",
            "List each location only once.",
            field="locations",
        ),
    ),
)

OPENING_STEP = Step(
    "opening",
    Text("Openingsuren en aanbod", "Opening hours and provision"),
    fields=(
        f.textarea("opening_hours", "Openingsuren", "Opening hours"),
        f.yes_no("flexible_care", "Biedt u flexibele opvang aan?", "Do you offer flexible care?"),
        f.yes_no("occasional_care", "Biedt u occasionele opvang aan?", "Do you offer occasional care?"),
    ),
)

PRIORITY_AND_CONTRIBUTION_STEP = Step(
    "priority_and_contribution",
    Text("Voorrang en ouderbijdrage", "Priority and parental contribution"),
    fields=(
        f.textarea(
            "priority_rules",
            "Welke voorrangsregels hanteert u voor kwetsbare gezinnen?",
            "Which priority rules do you apply for vulnerable families?",
        ),
        f.yes_no(
            "income_related_contribution",
            "Is de ouderbijdrage inkomensgerelateerd?",
            "Is the parental contribution income-related?",
        ),
        f.textarea(
            "contribution_explanation",
            "Hoe bepaalt u de ouderbijdrage dan?",
            "How do you set the parental contribution instead?",
            show_if=f.answer_is("income_related_contribution", False),
        ),
    ),
)

KIND_EN_GEZIN_STEP = Step(
    "kind_en_gezin",
    Text("Vergunning van Kind en Gezin", "Kind en Gezin authorisation"),
    fields=(
        f.choice("kg_status", "Stand van de vergunning", "State of the authorisation", KG_STATUSES),
        f.date("kg_date", "Datum van de vergunning of van de aanvraag", "Date of the authorisation or the request"),
        f.file(
            "kg_authorisation",
            "Vergunning van Kind en Gezin",
            "Kind en Gezin authorisation",
            kinds=lde.DOCUMENT_OR_SCAN,
            show_if=f.answer_is("kg_status", "granted"),
        ),
    ),
    rules=(
        f.rule(
            _kg_date_not_in_the_future,
            "De datum van de vergunning of van de aanvraag kan niet in de toekomst liggen.",
            "The date of the authorisation or the request cannot lie in the future.",
            field="kg_date",
        ),
    ),
)

LOK_ADVICE_STEP = Step(
    "lok_advice",
    Text("Advies van het Lokaal Overleg Kinderopvang", "Advice of the local childcare forum"),
    fields=(
        f.file(
            "lok_advice",
            "Advies van het Lokaal Overleg Kinderopvang",
            "Advice of the Lokaal Overleg Kinderopvang",
            kinds=lde.TEXT_DOCUMENT,
        ),
        f.date("lok_advice_date", "Datum van het advies", "Date of the advice"),
    ),
    rules=(
        f.rule(
            _lok_advice_date_not_in_the_future,
            "De datum van het advies kan niet in de toekomst liggen.",
            "The date of the advice cannot lie in the future.",
            field="lok_advice_date",
        ),
    ),
)

SAFETY_STEP = Step(
    "safety",
    Text("Brandveiligheid en kwaliteit", "Fire safety and quality"),
    fields=(
        f.file(
            "fire_safety_certificate",
            "Brandveiligheidsattest",
            "Fire-safety certificate",
            kinds=lde.DOCUMENT_OR_SCAN,
            max_files=10,
            hint=("Eén attest per opvanglocatie.", "One certificate per childcare location."),
        ),
        f.yes_no("quality_handbook", "Hebt u een kwaliteitshandboek?", "Do you have a quality handbook?"),
    ),
)


# -- conditions ------------------------------------------------------------------------------------


MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
             "november", "december")  # fmt: skip


def _nl_date(value: object) -> str:
    """A date as letters write it: "15 januari 2026"."""
    try:
        day = Date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {MONTHS_NL[day.month - 1]} {day.year}"


def _en_date(value: object) -> str:
    try:
        return Date.fromisoformat(str(value)).strftime("%-d %B %Y")
    except ValueError:
        return str(value)


def _kind_en_gezin_authorised(answers: Answers, params: Params) -> Finding | None:
    status, on = answers.get("kg_status"), answers.get("kg_date")
    nl_on, en_on = (_nl_date(on), _en_date(on)) if on else (None, None)
    if status == "granted":
        return Finding(
            True,
            Text(
                "Vergunning van Kind en Gezin verleend" + (f" op {nl_on}." if on else "."),
                "Kind en Gezin authorisation granted" + (f" on {en_on}." if on else "."),
            ),
        )
    if status == "requested":
        return Finding(
            False,
            Text(
                "De vergunning van Kind en Gezin is aangevraagd"
                + (f" op {nl_on}" if on else "")
                + " maar nog niet verleend.",
                "The Kind en Gezin authorisation was requested"
                + (f" on {en_on}" if on else "")
                + " but is not granted yet.",
            ),
        )
    return None


KIND_EN_GEZIN_AUTHORISATION = Condition(
    "kind_en_gezin_authorisation",
    Text("Kind en Gezin heeft de opvang vergund", "Kind en Gezin has authorised the childcare"),
    Citation(
        "Besluit van de Vlaamse Regering van 9 mei 2008 (voorwaarden voor vergunning, volgens de titel), genomen "
        "op het decreet van 30 april 2004 houdende oprichting van Kind en Gezin, art. 12 en 13",
        Provenance.FOUND,
        "Title and preamble of numac 2008202840 (domain brief 5.1)",
    ),
    fields=("kg_status",),
    check=_kind_en_gezin_authorised,
    decisive=True,  # without the Kind en Gezin authorisation there is no childcare to recognise (domain 5.4)
)
LOK_ADVICE = Condition(
    "lok_advice",
    Text("Het Lokaal Overleg Kinderopvang heeft advies gegeven", "The local childcare forum has given its advice"),
    Citation(
        "het advies van het Lokaal Overleg Kinderopvang, de gemeentelijke adviesraad opgericht bij besluit van de "
        "Vlaamse Regering van 4 mei 2007; dat dit advies een voorwaarde voor erkenning is, is niet teruggevonden",
        Provenance.ASSUMPTION,
        "adoc.pub LOK guide (domain brief 5.2); the condition itself is inferred (domain brief 5.4)",
    ),
    fields=("lok_advice",),
    check=lde.attachment_check(
        "lok_advice",
        Text("Advies van het Lokaal Overleg Kinderopvang bijgevoegd.", "Advice of the local forum attached."),
        Text("Advies van het Lokaal Overleg Kinderopvang ontbreekt.", "Advice of the local forum missing."),
    ),
)
FIRE_SAFETY = Condition(
    "fire_safety",
    Text("De opvanglocaties zijn brandveilig", "The childcare locations are fire-safe"),
    Citation(
        "een brandveiligheidsattest voor elke opvanglocatie; het besluit van de Vlaamse Regering van 1 oktober 2004 "
        "over de brandveiligheid in mini-crèches wordt in de aanhef van het besluit van 9 mei 2008 vermeld, maar dat "
        "het attest een voorwaarde voor erkenning is, is niet teruggevonden",
        Provenance.ASSUMPTION,
        "Preamble of numac 2008202840 cites the fire-safety besluit (domain brief 5.1); the condition is inferred",
    ),
    fields=("fire_safety_certificate",),
    check=lde.attachment_check(
        "fire_safety_certificate",
        Text("Brandveiligheidsattest bijgevoegd.", "Fire-safety certificate attached."),
        Text("Brandveiligheidsattest ontbreekt.", "Fire-safety certificate missing."),
    ),
)

_NOT_KNOWN = "Not known (domain brief 5.3); set before go-live."

# A realistic case for the sample letters lawyers review (`flask ldapply sample-letters`).
EXAMPLE_ANSWERS = {
    "organisation_name": "Kinderopvang De Speelboom vzw",
    "enterprise_number": "0403170701",
    "legal_form": "vzw",
    "has_other_activities": False,
    "application_type": "new",
    "locations": [
        {"address": "Dorpsstraat 1", "municipality": "Leuven", "places": "14", "age_group": "0_3"},
        {"address": "Kerkplein 7", "municipality": "Leuven", "places": "10", "age_group": "school"},
    ],
    "local_need": "In de wijk is te weinig betaalbare opvang voor kwetsbare gezinnen.",
    "opening_hours": "Maandag tot vrijdag van 7 tot 18 uur.",
    "flexible_care": True,
    "occasional_care": True,
    "priority_rules": "Voorrang voor alleenstaande ouders en ouders in een opleiding.",
    "income_related_contribution": True,
    "target_group_fte": "6.5",
    "supervisory_fte": "1",
    "guidance_plan": "Een kinderbegeleider met ervaring coacht de doelgroepwerknemers dagelijks.",
    "participation_plan": "Een ouderraad komt elk kwartaal samen.",
    "kg_status": "granted",
    "kg_date": "2008-12-15",  # before the example's submission (February 2009), as its advice date
    "kg_authorisation": {
        "upload_id": "00000000-0000-4000-8000-000000000004",
        "filename": "vergunning-kind-en-gezin.pdf",
        "size": 30720,
        "sha256": sample_sha256("vergunning-kind-en-gezin.pdf"),
    },
    "lok_advice": {
        "upload_id": "00000000-0000-4000-8000-000000000005",
        "filename": "advies-lok.pdf",
        "size": 20480,
        "sha256": sample_sha256("advies-lok.pdf"),
    },
    "lok_advice_date": "2009-01-12",
    "fire_safety_certificate": {
        "upload_id": "00000000-0000-4000-8000-000000000006",
        "filename": "brandweerattest.pdf",
        "size": 25600,
        "sha256": sample_sha256("brandweerattest.pdf"),
    },
    "quality_handbook": True,
    "budget_flemish": "110000",
    "budget_federal": "70000",
    "budget_commissioning": "35000",
    "budget_users": "25000",
    "declares_separate_registration": True,
    "declares_no_displacement": True,
}

REGIME = lde.lde_regime(
    code="childcare",
    title=Text("Lokale diensten buurtgerichte kinderopvang", "Local neighbourhood childcare services"),
    version=1,
    in_force=lde.in_force_from(Date(2008, 5, 9), "besluit of 9 May 2008"),
    legal_basis=(lde.DECREE_2006, DECREE_2004_KIND_EN_GEZIN, BVR_2008_CHILDCARE),
    parameters=(
        *lde.PARAMETERS,
        Parameter(
            "min_target_group_share",
            None,
            "aandeel doelgroepwerknemers in het personeel (0 tot 1)",
            Provenance.ASSUMPTION,
            "The required share of target-group staff is " + _NOT_KNOWN,
            unit_en="share of target-group workers in the staff (0 to 1)",
        ),
        Parameter(
            "subsidy_per_place",
            None,
            "EUR per opvangplaats per jaar",
            Provenance.ASSUMPTION,
            "The subsidy per childcare place is " + _NOT_KNOWN,
            unit_en="EUR per childcare place per year",
        ),
    ),
    steps=(
        lde.ORGANISATION_STEP,
        lde.APPLICATION_TYPE_STEP,
        LOCATIONS_STEP,
        OPENING_STEP,
        PRIORITY_AND_CONTRIBUTION_STEP,
        lde.STAFFING_STEP,
        KIND_EN_GEZIN_STEP,
        LOK_ADVICE_STEP,
        SAFETY_STEP,
        lde.BUDGET_STEP,
        lde.DECLARATIONS_STEP,
    ),
    conditions=(
        lde.LOCAL_NEED,
        lde.SUPPLEMENTARY,
        lde.PARTICIPATION,
        lde.TARGET_GROUP,
        lde.SUI_GENERIS,
        KIND_EN_GEZIN_AUTHORISATION,
        LOK_ADVICE,
        FIRE_SAFETY,
    ),
    volume=total_places,
    volume_unit=Text("opvangplaatsen", "childcare places"),
    volume_whole=True,
    uses_calls=False,
    example_answers=EXAMPLE_ANSWERS,
    example_address=("Dorpsstraat 1", "3000 Leuven"),  # made up, for the sample letters
)
