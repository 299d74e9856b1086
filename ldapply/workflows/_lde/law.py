"""The law the LDE regimes share: instruments, parameters with their provenance, and the common
conditions. `shared/domain.md` explains the provenance labels; nothing here is printed as law unless
it was found.
"""

from __future__ import annotations

from datetime import date as Date  # noqa: N812
from decimal import Decimal

from .._spec import Answers, Citation, Condition, Finding, LegalBasis, Parameter, Params, Period, Provenance, Text
from .answers import decimal_answer, nl_number

ETAAMB_DECREE = "etaamb.openjustice.be, decreet van 22 december 2006, numac 2007035250 (domain brief 1, 2.1)"

DECREE_2006 = LegalBasis(
    instrument=Text(
        "Decreet van 22 december 2006 houdende de lokale diensteneconomie",
        "Decree of 22 December 2006 on the local service economy",
    ),
    date=Date(2006, 12, 22),
    numac="2007035250",
    articles="art. 2",  # the definitions (domain brief 2.1); the articles on recognition were not found
)

# Only the title is known (cited in the preamble of the besluit of 4 July 2008): no numac, no articles.
BVR_2007 = LegalBasis(
    instrument=Text(
        "Besluit van de Vlaamse Regering van 5 oktober 2007 betreffende de lokale diensteneconomie",
        "Decision of the Flemish Government of 5 October 2007 on the local service economy",
    ),
    date=Date(2007, 10, 5),
    numac=None,
)

# The 2013 decree's implementing besluit applies from 1 April 2015 (domain brief 1, row E'); when the
# 2007/2008 besluiten came into force is not known, so their own date is taken as the start.
END_OF_2006_REGIME = Date(2015, 3, 31)


def in_force_from(start: Date, instrument: str) -> Period:
    return Period(
        starts=start,
        ends=END_OF_2006_REGIME,
        provenance=Provenance.ASSUMPTION,
        source=f"Start: date of the {instrument} (its entry into force is not known); end: the day before the "
        "BVR of 19 December 2014 applied (1 April 2015, found: lokalediensteneconomie.be, domain brief 1).",
    )


_WERK_PROCEDURE = "werk.be, LDE procedure page (domain brief 3.4); 2013 regime, not law for 2006/2007"
_UNKNOWN_PROCEDURE = (
    "Procedure articles of the 2007/2008 besluiten not available (domain brief 0, 3.4); set before go-live."
)
_OWN_RULE = (
    "No such period was found in the 2007/2008 besluiten (domain brief 0, 3.4): the administration's own working "
    "rule, an assumption to be replaced by the legal value when the text is found."
)
_RENEWAL_UNKNOWN = (
    "The law on a recognition's duration and its renewal was not found (domain brief 3.4, 10): that a recognition "
    "is renewed by a new application, and from when, is the administration's own rule."
)
_OBJECTION_UNKNOWN = "Whether the 2007/2008 besluiten had an administrative objection is not known (domain brief 7)."

PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        "admissibility_check_days",
        7,
        "kalenderdagen",
        Provenance.MODELLED_2013,
        _WERK_PROCEDURE,
        unit_en="calendar days",
    ),
    Parameter("advice_days", 45, "kalenderdagen", Provenance.MODELLED_2013, _WERK_PROCEDURE, unit_en="calendar days"),
    Parameter(
        "decision_days", None, "kalenderdagen", Provenance.ASSUMPTION, _UNKNOWN_PROCEDURE, unit_en="calendar days"
    ),
    # The decision clock: from the complete application (declared admissible) to the decision.
    Parameter("decision_period_days", 90, "kalenderdagen", Provenance.ASSUMPTION, _OWN_RULE, unit_en="calendar days"),
    Parameter(
        "decision_extension_days", 30, "kalenderdagen", Provenance.ASSUMPTION, _OWN_RULE, unit_en="calendar days"
    ),
    # What follows when a request for information is not answered by its date: "review" puts the case back in
    # the reviewer's queue, marked as lapsed (the reviewer then decides on what is there).
    Parameter("information_request_lapse", "review", "gevolg", Provenance.ASSUMPTION, _OWN_RULE, unit_en="effect"),
    # Reminders before a recognition's term ends, so the organisation can ask for a renewal in time.
    Parameter("renewal_reminder_days", 90, "kalenderdagen", Provenance.ASSUMPTION, _OWN_RULE, unit_en="calendar days"),
    # From when before a recognition's last day the organisation may ask for its renewal (services/renewals.py):
    # before the reminder goes out, so that its link leads to a renewal that may be started.
    Parameter(
        "renewal_window_days", 180, "kalenderdagen", Provenance.ASSUMPTION, _RENEWAL_UNKNOWN, unit_en="calendar days"
    ),
    Parameter(
        "additions_days", 30, "kalenderdagen", Provenance.ASSUMPTION, _UNKNOWN_PROCEDURE, unit_en="calendar days"
    ),
    Parameter("hearing_days", 15, "kalenderdagen", Provenance.ASSUMPTION, _UNKNOWN_PROCEDURE, unit_en="calendar days"),
    Parameter(
        "council_of_state_appeal_days",
        60,
        "kalenderdagen",
        Provenance.FOUND,
        "Raad van State, annulment within 60 days of notification (domain brief 7; wetwijzer.be/laws/2025004303)",
        unit_en="calendar days",
    ),
    Parameter("objection_enabled", False, "ja/nee", Provenance.ASSUMPTION, _OBJECTION_UNKNOWN, unit_en="yes/no"),
    Parameter(
        "objection_days",
        30,
        "kalenderdagen",
        Provenance.ASSUMPTION,
        "Only used when objection_enabled is true; modelled on sector practice (domain brief 5.2, 7).",
        unit_en="calendar days",
    ),
    Parameter("objection_body", None, "instantie", Provenance.ASSUMPTION, _OBJECTION_UNKNOWN, unit_en="body"),
    Parameter("objection_address", None, "adres", Provenance.ASSUMPTION, _OBJECTION_UNKNOWN, unit_en="address"),
    Parameter("objection_form", None, "vorm", Provenance.ASSUMPTION, _OBJECTION_UNKNOWN, unit_en="form"),
    Parameter(
        "objection_decision_days",
        None,
        "kalenderdagen",
        Provenance.ASSUMPTION,
        _UNKNOWN_PROCEDURE,
        unit_en="calendar days",
    ),
    Parameter(
        "min_target_group_fte",
        5,
        "VTE doelgroepwerknemers per jaar",
        Provenance.MODELLED_2013,
        "Minimum scale of the 2013 regime (werk.be 'wie'); the 2007 value is unknown (domain brief 3.2)",
        unit_en="FTE target-group workers per year",
    ),
    Parameter(
        "recognition_years",
        5,
        "jaar",
        Provenance.MODELLED_2013,
        "Label validity of the 2013 regime (domain brief 3.4)",
        unit_en="years",
    ),
)


# -- conditions ------------------------------------------------------------------------------------


def _enough_target_group_fte(answers: Answers, params: Params) -> Finding | None:
    fte, minimum = decimal_answer(answers, "target_group_fte"), params.get("min_target_group_fte")
    if fte is None or minimum is None:
        return None
    norm = Decimal(str(minimum))
    if fte >= norm:
        return Finding(
            True,
            Text(
                f"{nl_number(fte)} VTE doelgroepwerknemers; de administratie hanteert een minimum van {nl_number(norm)} VTE.",
                f"{fte} target-group FTE; the administration applies a minimum of {norm} FTE.",
            ),
        )
    return Finding(
        False,
        Text(
            f"{nl_number(fte)} VTE doelgroepwerknemers ligt onder het minimum van {nl_number(norm)} VTE dat de "
            "administratie hanteert.",
            f"{fte} target-group FTE is below the minimum of {norm} FTE the administration applies.",
        ),
    )


def _sui_generis_in_place(answers: Answers, params: Params) -> Finding | None:
    if answers.get("has_other_activities") is None:
        return None
    if not answers.get("has_other_activities"):
        return Finding(True, Text("De organisatie heeft geen andere activiteiten.", "No other activities."))
    named = bool(answers.get("sui_generis_responsible"))
    return Finding(
        named,
        Text(
            "Verantwoordelijke van de sui-generisafdeling " + ("opgegeven." if named else "ontbreekt."),
            "Person responsible for the division " + ("named." if named else "missing."),
        ),
    )


def _public_commission_proven(answers: Answers, params: Params) -> Finding | None:
    if answers.get("commission_decision"):
        return Finding(
            True,
            Text(
                "Beslissing van de opdrachtgevende overheid bijgevoegd.",
                "Decision of the commissioning authority attached.",
            ),
        )
    if answers.get("commission_follows_on"):
        return Finding(
            False,
            Text(
                f"Beslissing volgt uiterlijk op {answers['commission_follows_on']}.",
                f"Decision follows by {answers['commission_follows_on']}.",
            ),
        )
    return None


LOCAL_NEED = Condition(
    "local_need",
    Text("De dienst beantwoordt een lokale behoefte", "The service meets a local need"),
    Citation("Decreet van 22 december 2006, art. 2, 1°", Provenance.FOUND, ETAAMB_DECREE),
    fields=("local_need",),
)
SUPPLEMENTARY = Condition(
    "supplementary",
    Text("De dienst is aanvullend op het bestaande aanbod", "The service supplements existing provision"),
    Citation(
        "de omschrijving van de lokale diensteneconomie door de Vlaamse overheid (aanvullende diensten); het "
        "artikel van het besluit van 5 oktober 2007 dat dit eventueel bepaalt, is niet gekend",
        Provenance.ASSUMPTION,
        "socialeeconomie.be, the three pillars (domain brief 2.4): a policy text, not a legal article",
    ),
    fields=("local_need",),
)
PARTICIPATION = Condition(
    "participation",
    Text("Werknemers, gebruikers en belanghebbenden participeren", "Workers, users and stakeholders participate"),
    Citation("Decreet van 22 december 2006, art. 2, 1°", Provenance.FOUND, ETAAMB_DECREE),
    fields=("participation_plan",),
)
TARGET_GROUP = Condition(
    "target_group",
    Text("Er worden voldoende doelgroepwerknemers tewerkgesteld", "Enough target-group workers are employed"),
    # The decree defines target-group workers; the minimum number is not in any text found.
    Citation("Decreet van 22 december 2006, art. 2, 3° (begrip doelgroepwerknemers)", Provenance.FOUND, ETAAMB_DECREE),
    fields=("target_group_fte",),
    check=_enough_target_group_fte,
    norm=("min_target_group_fte",),
)
SUI_GENERIS = Condition(
    "sui_generis",
    Text("Afzonderlijke, herkenbare sui-generisafdeling", "A separate, identifiable sui generis division"),
    Citation("Decreet van 22 december 2006, art. 2, 4°", Provenance.FOUND, ETAAMB_DECREE),
    fields=("has_other_activities", "sui_generis_responsible"),
    check=_sui_generis_in_place,
    # The division sets the initiative apart from the organisation's other work; without other work there is
    # nothing to set it apart from.
    inapplicable_when=Text(
        "de organisatie geen andere activiteiten heeft dan het initiatief",
        "the organisation has no activities besides the initiative",
    ),
)
PUBLIC_COMMISSION = Condition(
    "public_commission",
    Text("De dienst gebeurt in opdracht van een overheid", "The service is commissioned by a public authority"),
    Citation(
        "voorwaarde van de oproep waarop de aanvraag ingaat, zoals de oproep van december 2008 die stelde "
        "(dienst van algemeen economisch belang, Beschikking 2005/842/EG)",
        Provenance.FOUND,
        "VVSG newsletter on the call of December 2008 (domain brief 2.6)",
    ),
    fields=(),
    check=_public_commission_proven,
    # A condition of the call, not of the decree: a call that does not set it leaves it out.
    inapplicable_when=Text(
        "de oproep waarop de aanvraag ingaat, deze voorwaarde niet stelt",
        "the call the application answers does not set this condition",
    ),
    # A renewal answers no call: that the commission still holds is the administration's own rule for it.
    renewal_basis=Citation(
        "een verlenging valt buiten elke oproep; de administratie houdt bij een verlenging vast aan de voorwaarde "
        "van de oproep waarop de erkenning die ze verlengt, inging",
        Provenance.ASSUMPTION,
        "renewal outside any call (services/renewals.py); the law on renewal was not found (domain brief 3.4)",
    ),
)
CONDITIONS = (LOCAL_NEED, SUPPLEMENTARY, PARTICIPATION, TARGET_GROUP, SUI_GENERIS, PUBLIC_COMMISSION)
