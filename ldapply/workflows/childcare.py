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

from . import _common as common
from . import _fields as f
from ._spec import Answers, Condition, Finding, LegalBasis, Parameter, Params, Provenance, Step, Text

# The Dutch title is [INFERRED] from the French one ("fixant les conditions d'autorisation et de
# subventionnement de services locaux d'accueil d'enfants de voisinage"); verify it (domain brief 1, row D).
BVR_2008_CHILDCARE = LegalBasis(
    instrument=Text(
        "Besluit van de Vlaamse Regering van 9 mei 2008 tot vaststelling van de voorwaarden voor vergunning en "
        "subsidiëring van lokale diensten buurtgerichte kinderopvang",
        "Decision of the Flemish Government of 9 May 2008 laying down the conditions of authorisation and subsidy "
        "of local neighbourhood childcare services",
    ),
    date=Date(2008, 5, 9),
    numac="2008202840",
    articles="art. 1 e.v.",
)

# Cited in the preamble of the 2008 besluit (domain brief 5.1); the Dutch title is from background
# knowledge [INFERRED] and the numac is not known.
DECREE_2004_KIND_EN_GEZIN = LegalBasis(
    instrument=Text(
        "Decreet van 30 april 2004 tot oprichting van het intern verzelfstandigd agentschap met "
        "rechtspersoonlijkheid Kind en Gezin",
        "Decree of 30 April 2004 creating the agency Kind en Gezin",
    ),
    date=Date(2004, 4, 30),
    numac=None,
    articles="art. 12 en 13",
)


# -- answers ---------------------------------------------------------------------------------------


def total_places(answers: Answers) -> Decimal:
    """Childcare places over all locations of the application: the volume the application asks for."""
    return Decimal(sum(common.whole_number(row.get("places")) or 0 for row in common.group_rows(answers, "locations")))


def _locations_are_distinct(answers: Answers) -> bool:
    keys = [
        (str(row.get("address") or "").strip().casefold(), str(row.get("municipality") or "").strip().casefold())
        for row in common.group_rows(answers, "locations")
    ]
    return len(keys) == len(set(keys))


def _kg_date_not_in_the_future(answers: Answers) -> bool:
    value = answers.get("kg_date")
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
            "Vergunning van Kind en Gezin (PDF)",
            "Kind en Gezin authorisation (PDF)",
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
            "Advies van het Lokaal Overleg Kinderopvang (PDF)",
            "Advice of the Lokaal Overleg Kinderopvang (PDF)",
        ),
        f.date("lok_advice_date", "Datum van het advies", "Date of the advice"),
    ),
)

SAFETY_STEP = Step(
    "safety",
    Text("Brandveiligheid en kwaliteit", "Fire safety and quality"),
    fields=(
        f.file("fire_safety_certificate", "Brandveiligheidsattest (PDF)", "Fire-safety certificate (PDF)"),
        f.yes_no("quality_handbook", "Heeft u een kwaliteitshandboek?", "Do you have a quality handbook?"),
    ),
)


# -- conditions ------------------------------------------------------------------------------------


def _nl_date(value: object) -> str:
    try:
        return Date.fromisoformat(str(value)).strftime("%d-%m-%Y")
    except ValueError:
        return str(value)


def _kind_en_gezin_authorised(answers: Answers, params: Params) -> Finding | None:
    status, on = answers.get("kg_status"), answers.get("kg_date")
    nl_on = _nl_date(on) if on else None
    if status == "granted":
        return Finding(
            True,
            Text(
                "Vergunning van Kind en Gezin verleend" + (f" op {nl_on}." if on else "."),
                "Kind en Gezin authorisation granted" + (f" on {on}." if on else "."),
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
                + (f" on {on}" if on else "")
                + " but is not granted yet.",
            ),
        )
    return None


KIND_EN_GEZIN_AUTHORISATION = Condition(
    "kind_en_gezin_authorisation",
    Text("Kind en Gezin heeft de opvang vergund", "Kind en Gezin has authorised the childcare"),
    "Decreet 30 april 2004 Kind en Gezin, art. 12 en 13; BVR 9 mei 2008",
    fields=("kg_status",),
    check=_kind_en_gezin_authorised,
)
LOK_ADVICE = Condition(
    "lok_advice",
    Text("Het Lokaal Overleg Kinderopvang heeft advies gegeven", "The local childcare forum has given its advice"),
    "BVR 4 mei 2007 (Lokaal Overleg Kinderopvang)",
    fields=("lok_advice",),
    check=common.attachment_check(
        "lok_advice",
        Text("Advies van het Lokaal Overleg Kinderopvang bijgevoegd.", "Advice of the local forum attached."),
        Text("Advies van het Lokaal Overleg Kinderopvang ontbreekt.", "Advice of the local forum missing."),
    ),
)
FIRE_SAFETY = Condition(
    "fire_safety",
    Text("De opvanglocaties zijn brandveilig", "The childcare locations are fire-safe"),
    "BVR 1 oktober 2004 brandveiligheid mini-crèches",
    fields=("fire_safety_certificate",),
    check=common.attachment_check(
        "fire_safety_certificate",
        Text("Brandveiligheidsattest bijgevoegd.", "Fire-safety certificate attached."),
        Text("Brandveiligheidsattest ontbreekt.", "Fire-safety certificate missing."),
    ),
)

_NOT_KNOWN = "Not known (domain brief 5.3); set before go-live."

REGIME = common.lde_regime(
    code="childcare",
    title=Text("Lokale diensten buurtgerichte kinderopvang", "Local neighbourhood childcare services"),
    version=1,
    legal_basis=(common.DECREE_2006, DECREE_2004_KIND_EN_GEZIN, BVR_2008_CHILDCARE),
    parameters=(
        *common.PARAMETERS,
        Parameter(
            "min_target_group_share",
            None,
            "aandeel doelgroepwerknemers in het personeel (0 tot 1)",
            Provenance.ASSUMPTION,
            "The required share of target-group staff is " + _NOT_KNOWN,
        ),
        Parameter(
            "subsidy_per_place",
            None,
            "EUR per opvangplaats per jaar",
            Provenance.ASSUMPTION,
            "The subsidy per childcare place is " + _NOT_KNOWN,
        ),
    ),
    steps=(
        common.ORGANISATION_STEP,
        common.APPLICATION_TYPE_STEP,
        LOCATIONS_STEP,
        OPENING_STEP,
        PRIORITY_AND_CONTRIBUTION_STEP,
        common.STAFFING_STEP,
        KIND_EN_GEZIN_STEP,
        LOK_ADVICE_STEP,
        SAFETY_STEP,
        common.BUDGET_STEP,
        common.DECLARATIONS_STEP,
    ),
    conditions=(
        common.LOCAL_NEED,
        common.SUPPLEMENTARY,
        common.PARTICIPATION,
        common.TARGET_GROUP,
        common.SUI_GENERIS,
        KIND_EN_GEZIN_AUTHORISATION,
        LOK_ADVICE,
        FIRE_SAFETY,
    ),
    volume=total_places,
    volume_unit=Text("opvangplaatsen", "childcare places"),
    volume_whole=True,
    uses_calls=False,
)
