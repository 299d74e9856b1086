"""Parts shared by the LDE regimes: states, transitions, letters, parameters, conditions and steps.

Sources are cited per parameter; `shared/domain.md` explains the provenance labels. A regime module
combines these with its own steps, conditions and parameters; it may add or drop states.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date as Date  # noqa: N812
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from . import _fields as f
from ._spec import (
    Answers,
    Condition,
    Facts,
    Finding,
    LegalBasis,
    LetterSpec,
    Outcome,
    Parameter,
    Params,
    Party,
    Provenance,
    Regime,
    Role,
    StateSpec,
    Step,
    Text,
    Transition,
)


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ADMISSIBILITY_CHECK = "admissibility_check"
    ADDITIONS_REQUESTED = "additions_requested"
    INADMISSIBLE = "inadmissible"
    SUBSTANTIVE_REVIEW = "substantive_review"
    ADVICE_REQUESTED = "advice_requested"
    HEARING = "hearing"
    DECISION_PROPOSED = "decision_proposed"
    GRANTED = "granted"
    PARTLY_GRANTED = "partly_granted"
    REFUSED = "refused"
    OBJECTION_LODGED = "objection_lodged"
    OBJECTION_DECIDED = "objection_decided"
    WITHDRAWN = "withdrawn"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


_IN_PROGRESS = Text("In behandeling", "Being processed")

STATES = (
    StateSpec(State.DRAFT, Text("Concept", "Draft"), Text("Concept", "Draft"), Party.APPLICANT, applicant_edits=True),
    StateSpec(
        State.SUBMITTED,
        Text("Ingediend", "Submitted"),
        _IN_PROGRESS,
        Party.REVIEWER,
        deadline="admissibility_check_days",
    ),
    StateSpec(
        State.ADMISSIBILITY_CHECK,
        Text("Ontvankelijkheidsonderzoek", "Admissibility check"),
        _IN_PROGRESS,
        Party.REVIEWER,
        deadline="admissibility_check_days",
    ),
    StateSpec(
        State.ADDITIONS_REQUESTED,
        Text("Aanvulling gevraagd", "Additions requested"),
        Text("Aanvulling gevraagd: actie nodig", "Additions requested: action needed"),
        Party.APPLICANT,
        applicant_edits=True,
        deadline="additions_days",
        clock_suspended=True,
    ),
    StateSpec(
        State.INADMISSIBLE,
        Text("Onontvankelijk", "Inadmissible"),
        Text("Onontvankelijk", "Inadmissible"),
        Party.NOBODY,
        terminal=True,
    ),
    StateSpec(
        State.SUBSTANTIVE_REVIEW,
        Text("Inhoudelijk onderzoek", "Substantive review"),
        _IN_PROGRESS,
        Party.REVIEWER,
        deadline="advice_days",
        assessable=True,
    ),
    StateSpec(
        State.ADVICE_REQUESTED,
        Text("Advies gevraagd", "Advice requested"),
        _IN_PROGRESS,
        Party.ADVISOR,
        deadline="advice_days",
        assessable=True,
    ),
    StateSpec(
        State.HEARING,
        Text("Hoorzitting over voorgenomen weigering", "Hearing on an intended refusal"),
        Text("Voorgenomen weigering: u kunt reageren", "Intended refusal: you may respond"),
        Party.APPLICANT,
        deadline="hearing_days",
        assessable=True,
    ),
    StateSpec(
        State.DECISION_PROPOSED,
        Text("Beslissing voorgesteld", "Decision proposed"),
        _IN_PROGRESS,
        Party.DECISION_MAKER,
        deadline="decision_days",
    ),
    StateSpec(
        State.GRANTED, Text("Erkend", "Granted"), Text("Erkend", "Recognised"), Party.ADMIN, holds_recognition=True
    ),
    StateSpec(
        State.PARTLY_GRANTED,
        Text("Gedeeltelijk erkend", "Partly granted"),
        Text("Gedeeltelijk erkend", "Partly recognised"),
        Party.ADMIN,
        holds_recognition=True,
    ),
    StateSpec(State.REFUSED, Text("Geweigerd", "Refused"), Text("Geweigerd", "Refused"), Party.APPLICANT),
    StateSpec(
        State.OBJECTION_LODGED,
        Text("Bezwaar ingediend", "Objection lodged"),
        Text("Uw bezwaar wordt behandeld", "Your objection is being handled"),
        Party.DECISION_MAKER,
        deadline="objection_decision_days",
    ),
    StateSpec(
        State.OBJECTION_DECIDED,
        Text("Bezwaar beslist", "Objection decided"),
        Text("Over uw bezwaar is beslist", "Your objection has been decided"),
        Party.NOBODY,
        terminal=True,
    ),
    StateSpec(
        State.WITHDRAWN,
        Text("Ingetrokken door de aanvrager", "Withdrawn by the applicant"),
        Text("Ingetrokken", "Withdrawn"),
        Party.NOBODY,
        terminal=True,
    ),
    StateSpec(
        State.ACTIVE,
        Text("Erkenning actief", "Recognition active"),
        Text("Erkend", "Recognised"),
        Party.NOBODY,
        holds_recognition=True,
    ),
    StateSpec(
        State.SUSPENDED,
        Text("Erkenning geschorst", "Recognition suspended"),
        Text("Erkenning geschorst", "Recognition suspended"),
        Party.DECISION_MAKER,
        holds_recognition=True,
    ),
    StateSpec(
        State.REVOKED,
        Text("Erkenning ingetrokken", "Recognition revoked"),
        Text("Erkenning ingetrokken", "Recognition revoked"),
        Party.NOBODY,
        terminal=True,
    ),
    StateSpec(
        State.EXPIRED,
        Text("Erkenning vervallen", "Recognition expired"),
        Text("Erkenning vervallen", "Recognition expired"),
        Party.NOBODY,
        terminal=True,
    ),
)

GRANT = Outcome("grant", Text("Erkenning toekennen", "Grant recognition"))
PARTIAL_GRANT = Outcome("partial_grant", Text("Gedeeltelijk erkennen", "Grant in part"))
REFUSE = Outcome("refuse", Text("Erkenning weigeren", "Refuse recognition"), grants=False)
OUTCOMES = (GRANT, PARTIAL_GRANT, REFUSE)


def all_conditions_met(facts: Facts) -> Text | None:
    if facts.all_conditions_met():
        return None
    return Text("Beoordeel eerst elke voorwaarde als vervuld.", "First assess every condition as met.")


def some_condition_not_met(facts: Facts) -> Text | None:
    if facts.some_condition_not_met():
        return None
    return Text(
        "Een weigering steunt op minstens één voorwaarde die niet vervuld is. Beoordeel de voorwaarden.",
        "A refusal rests on at least one condition that is not met. Assess the conditions.",
    )


def objection_possible(facts: Facts) -> Text | None:
    if facts.parameters.get("objection_enabled"):
        return None
    return Text("Tegen deze beslissing staat geen administratief bezwaar open.", "No administrative objection exists.")


_A, _R, _D, _ADMIN = (frozenset({r}) for r in (Role.APPLICANT, Role.REVIEWER, Role.DECISION_MAKER, Role.ADMIN))
_OPEN = frozenset(
    {
        State.DRAFT,
        State.SUBMITTED,
        State.ADMISSIBILITY_CHECK,
        State.ADDITIONS_REQUESTED,
        State.SUBSTANTIVE_REVIEW,
        State.ADVICE_REQUESTED,
        State.HEARING,
        State.DECISION_PROPOSED,
    }
)


def _t(
    action: str, sources: set[str], target: str, roles: frozenset[Role], nl: str, en: str, **options: object
) -> Transition:
    return Transition(action, frozenset(sources), target, roles, Text(nl, en), **options)  # type: ignore[arg-type]


TRANSITIONS = (
    _t("submit", {State.DRAFT}, State.SUBMITTED, _A, "Aanvraag indienen", "Submit application", letter="receipt"),
    _t("withdraw", set(_OPEN), State.WITHDRAWN, _A, "Aanvraag intrekken", "Withdraw application"),
    _t(
        "start_admissibility",
        {State.SUBMITTED},
        State.ADMISSIBILITY_CHECK,
        _R,
        "Ontvankelijkheidsonderzoek starten",
        "Start the admissibility check",
    ),
    _t(
        "request_additions",
        {State.ADMISSIBILITY_CHECK, State.SUBSTANTIVE_REVIEW},
        State.ADDITIONS_REQUESTED,
        _R,
        "Aanvulling vragen",
        "Request additions",
        needs_comment=True,
        letter="additions_requested",
    ),
    _t(
        "submit_additions",
        {State.ADDITIONS_REQUESTED},
        State.ADMISSIBILITY_CHECK,
        _A,
        "Aanvulling indienen",
        "Submit the additions",
    ),
    _t(
        "declare_inadmissible",
        {State.ADMISSIBILITY_CHECK},
        State.INADMISSIBLE,
        _R,
        "Onontvankelijk verklaren",
        "Declare inadmissible",
        needs_comment=True,
        letter="inadmissible",
    ),
    _t(
        "accept_for_review",
        {State.ADMISSIBILITY_CHECK},
        State.SUBSTANTIVE_REVIEW,
        _R,
        "Ontvankelijk verklaren",
        "Declare admissible",
    ),
    _t(
        "request_advice",
        {State.SUBSTANTIVE_REVIEW},
        State.ADVICE_REQUESTED,
        _R,
        "Advies vragen",
        "Request advice",
        needs_comment=True,
    ),
    _t(
        "record_advice",
        {State.ADVICE_REQUESTED},
        State.SUBSTANTIVE_REVIEW,
        _R,
        "Advies registreren",
        "Record the advice",
        needs_comment=True,
    ),
    _t(
        "announce_refusal",
        {State.SUBSTANTIVE_REVIEW},
        State.HEARING,
        _R,
        "Voorgenomen weigering meedelen",
        "Announce the intended refusal",
        needs_comment=True,
        letter="intended_refusal",
        guard=some_condition_not_met,
    ),
    _t(
        "close_hearing",
        {State.HEARING},
        State.SUBSTANTIVE_REVIEW,
        _R,
        "Hoorzitting afsluiten",
        "Close the hearing",
        needs_comment=True,
    ),
    _t(
        "propose_grant",
        {State.SUBSTANTIVE_REVIEW},
        State.DECISION_PROPOSED,
        _R,
        "Erkenning voorstellen",
        "Propose recognition",
        needs_comment=True,
        proposes=GRANT.code,
        guard=all_conditions_met,
    ),
    _t(
        "propose_partial_grant",
        {State.SUBSTANTIVE_REVIEW},
        State.DECISION_PROPOSED,
        _R,
        "Gedeeltelijke erkenning voorstellen",
        "Propose a partial grant",
        needs_comment=True,
        proposes=PARTIAL_GRANT.code,
        asks_volume=True,
        guard=all_conditions_met,
    ),
    _t(
        "propose_refusal",
        {State.SUBSTANTIVE_REVIEW, State.HEARING},
        State.DECISION_PROPOSED,
        _R,
        "Weigering voorstellen",
        "Propose refusal",
        needs_comment=True,
        proposes=REFUSE.code,
        guard=some_condition_not_met,
    ),
    _t(
        "return_proposal",
        {State.DECISION_PROPOSED},
        State.SUBSTANTIVE_REVIEW,
        _D,
        "Voorstel terugsturen",
        "Return the proposal",
        needs_comment=True,
    ),
    _t(
        "confirm_grant",
        {State.DECISION_PROPOSED},
        State.GRANTED,
        _D,
        "Beslissen: erkenning toekennen",
        "Decide: grant recognition",
        confirms=GRANT.code,
        letter="decision_granted",
    ),
    _t(
        "confirm_partial_grant",
        {State.DECISION_PROPOSED},
        State.PARTLY_GRANTED,
        _D,
        "Beslissen: gedeeltelijk erkennen",
        "Decide: grant in part",
        confirms=PARTIAL_GRANT.code,
        letter="decision_partly_granted",
    ),
    _t(
        "confirm_refusal",
        {State.DECISION_PROPOSED},
        State.REFUSED,
        _D,
        "Beslissen: erkenning weigeren",
        "Decide: refuse recognition",
        confirms=REFUSE.code,
        letter="decision_refused",
    ),
    _t(
        "lodge_objection",
        {State.GRANTED, State.PARTLY_GRANTED, State.REFUSED},
        State.OBJECTION_LODGED,
        _A,
        "Bezwaar indienen",
        "Lodge an objection",
        needs_comment=True,
        guard=objection_possible,
    ),
    _t(
        "decide_objection",
        {State.OBJECTION_LODGED},
        State.OBJECTION_DECIDED,
        _D,
        "Beslissen over het bezwaar",
        "Decide on the objection",
        needs_comment=True,
        letter="objection_decision",
    ),
    _t(
        "activate",
        {State.GRANTED, State.PARTLY_GRANTED},
        State.ACTIVE,
        _ADMIN,
        "Erkenning activeren",
        "Activate the recognition",
    ),
    _t(
        "suspend",
        {State.ACTIVE},
        State.SUSPENDED,
        _D,
        "Erkenning schorsen",
        "Suspend the recognition",
        needs_comment=True,
        letter="suspension",
    ),
    _t(
        "reinstate",
        {State.SUSPENDED},
        State.ACTIVE,
        _D,
        "Schorsing opheffen",
        "Lift the suspension",
        needs_comment=True,
    ),
    _t(
        "revoke",
        {State.ACTIVE, State.SUSPENDED},
        State.REVOKED,
        _D,
        "Erkenning intrekken",
        "Revoke the recognition",
        needs_comment=True,
        letter="revocation",
    ),
    _t(
        "expire",
        {State.ACTIVE},
        State.EXPIRED,
        _ADMIN,
        "Erkenning laten vervallen",
        "Let the recognition expire",
        needs_comment=True,
    ),
)

LETTERS = (
    LetterSpec("receipt", Text("Ontvangstbevestiging", "Acknowledgement of receipt")),
    LetterSpec("additions_requested", Text("Vraag om aanvulling", "Request for additions")),
    LetterSpec("inadmissible", Text("Beslissing: onontvankelijk", "Decision: inadmissible"), is_decision=True),
    LetterSpec("intended_refusal", Text("Voorgenomen weigering", "Intended refusal")),
    LetterSpec("decision_granted", Text("Beslissing: erkenning", "Decision: recognition granted"), is_decision=True),
    LetterSpec(
        "decision_partly_granted",
        Text("Beslissing: gedeeltelijke erkenning", "Decision: partly granted"),
        is_decision=True,
    ),
    LetterSpec("decision_refused", Text("Beslissing: weigering", "Decision: recognition refused"), is_decision=True),
    LetterSpec(
        "objection_decision", Text("Beslissing over uw bezwaar", "Decision on your objection"), is_decision=True
    ),
    LetterSpec(
        "suspension",
        Text("Beslissing: schorsing van de erkenning", "Decision: recognition suspended"),
        is_decision=True,
    ),
    LetterSpec(
        "revocation", Text("Beslissing: intrekking van de erkenning", "Decision: recognition revoked"), is_decision=True
    ),
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

BVR_2007 = LegalBasis(
    instrument=Text(
        "Besluit van de Vlaamse Regering van 5 oktober 2007 betreffende de lokale diensteneconomie",
        "Decision of the Flemish Government of 5 October 2007 on the local service economy",
    ),
    date=Date(2007, 10, 5),
    numac=None,
    articles="art. 1 e.v.",
)

_WERK_PROCEDURE = "werk.be, LDE procedure page (domain brief 3.4); 2013 regime, not law for 2006/2007"
_UNKNOWN_PROCEDURE = (
    "Procedure articles of the 2007/2008 besluiten not available (domain brief 0, 3.4); set before go-live."
)

PARAMETERS = (
    Parameter("admissibility_check_days", 7, "kalenderdagen", Provenance.MODELLED_2013, _WERK_PROCEDURE),
    Parameter("advice_days", 45, "kalenderdagen", Provenance.MODELLED_2013, _WERK_PROCEDURE),
    Parameter("decision_days", None, "kalenderdagen", Provenance.ASSUMPTION, _UNKNOWN_PROCEDURE),
    Parameter("additions_days", 30, "kalenderdagen", Provenance.ASSUMPTION, _UNKNOWN_PROCEDURE),
    Parameter("hearing_days", 15, "kalenderdagen", Provenance.ASSUMPTION, _UNKNOWN_PROCEDURE),
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
    Parameter(
        "objection_days",
        30,
        "kalenderdagen",
        Provenance.ASSUMPTION,
        "Only used when objection_enabled is true; modelled on sector practice (domain brief 5.2, 7).",
    ),
    Parameter("objection_decision_days", None, "kalenderdagen", Provenance.ASSUMPTION, _UNKNOWN_PROCEDURE),
    Parameter(
        "min_target_group_fte",
        5,
        "VTE doelgroepwerknemers per jaar",
        Provenance.MODELLED_2013,
        "Minimum scale of the 2013 regime (werk.be 'wie'); the 2007 value is unknown (domain brief 3.2)",
    ),
    Parameter(
        "recognition_years", 5, "jaar", Provenance.MODELLED_2013, "Label validity of the 2013 regime (domain brief 3.4)"
    ),
)


# -- conditions ------------------------------------------------------------------------------------


def decimal_answer(answers: Answers, name: str) -> Decimal | None:
    try:
        return Decimal(str(answers[name])) if answers.get(name) not in (None, "") else None
    except InvalidOperation:
        return None


def _nl(value: Decimal | int) -> str:
    return str(value).replace(".", ",")


def _enough_target_group_fte(answers: Answers, params: Params) -> Finding | None:
    fte, minimum = decimal_answer(answers, "target_group_fte"), params.get("min_target_group_fte")
    if fte is None or minimum is None:
        return None
    if fte >= Decimal(str(minimum)):
        return Finding(
            True,
            Text(
                f"{_nl(fte)} VTE doelgroepwerknemers, minimum {_nl(minimum)} (parameter min_target_group_fte)",
                f"{fte} target-group FTE, minimum {minimum} (parameter min_target_group_fte)",
            ),
        )
    return Finding(
        False,
        Text(
            f"{_nl(fte)} VTE doelgroepwerknemers ligt onder het minimum van {_nl(minimum)} "
            "(parameter min_target_group_fte)",
            f"target-group FTE {fte} is below the minimum of {minimum} in parameter min_target_group_fte",
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
    "Decreet 22 december 2006, art. 2, 1°",
    fields=("local_need",),
)
SUPPLEMENTARY = Condition(
    "supplementary",
    Text("De dienst is aanvullend op het bestaande aanbod", "The service supplements existing provision"),
    "Decreet 22 december 2006, art. 2, 1°",
    fields=("local_need",),
)
PARTICIPATION = Condition(
    "participation",
    Text("Werknemers, gebruikers en belanghebbenden participeren", "Workers, users and stakeholders participate"),
    "Decreet 22 december 2006, art. 2, 1°",
    fields=("participation_plan",),
)
TARGET_GROUP = Condition(
    "target_group",
    Text("Er worden voldoende doelgroepwerknemers tewerkgesteld", "Enough target-group workers are employed"),
    "Decreet 22 december 2006, art. 2, 3°",
    fields=("target_group_fte",),
    check=_enough_target_group_fte,
)
SUI_GENERIS = Condition(
    "sui_generis",
    Text("Afzonderlijke, herkenbare sui-generisafdeling", "A separate, identifiable sui generis division"),
    "Decreet 22 december 2006, art. 2, 4°",
    fields=("has_other_activities", "sui_generis_responsible"),
    check=_sui_generis_in_place,
)
PUBLIC_COMMISSION = Condition(
    "public_commission",
    Text("De dienst gebeurt in opdracht van een overheid", "The service is commissioned by a public authority"),
    "Oproep december 2008 (DAEB, Beschikking 2005/842/EG)",
    fields=(),
    check=_public_commission_proven,
)
CONDITIONS = (LOCAL_NEED, SUPPLEMENTARY, PARTICIPATION, TARGET_GROUP, SUI_GENERIS, PUBLIC_COMMISSION)


def attachment_check(field: str, present: Text, missing: Text) -> Callable[[Answers, Params], Finding | None]:
    """A condition check that is met when the upload `field` was attached."""

    def check(answers: Answers, params: Params) -> Finding | None:
        return Finding(True, present) if answers.get(field) else Finding(False, missing)

    check.__name__ = f"{field}_attached"
    return check


def lde_regime(**declaration: Any) -> Regime:
    """A regime with the shared LDE procedure: its states, transitions, letters and outcomes, and the
    organisation record pre-filling the identity step. A regime module passes what is its own."""
    shared: dict[str, Any] = {
        "states": STATES,
        "initial_state": State.DRAFT,
        "transitions": TRANSITIONS,
        "letters": LETTERS,
        "outcomes": OUTCOMES,
        "organisation_fields": {"name": "organisation_name", "enterprise_number": "enterprise_number"},
    }
    return Regime(**{**shared, **declaration})


def group_rows(answers: Answers, name: str) -> list[Mapping[str, Any]]:
    """The rows of a GROUP answer; anything that is not a row is left out."""
    rows = answers.get(name)
    return [row for row in rows if isinstance(row, Mapping)] if isinstance(rows, list | tuple) else []


def whole_number(value: object) -> int | None:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return int(number) if number.is_finite() and number == number.to_integral_value() else None


def requested_fte(answers: Answers) -> Decimal:
    """Target-group and supervisory FTE together: the call's cap counts both (domain brief 2.6)."""
    return sum((decimal_answer(answers, n) or Decimal(0) for n in ("target_group_fte", "supervisory_fte")), Decimal(0))


# -- steps -----------------------------------------------------------------------------------------

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

APPLICATION_TYPES = (
    ("new", "Een nieuw initiatief", "A new initiative"),
    ("extension", "Uitbreiding van een erkend initiatief", "Extension of a recognised initiative"),
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

APPLICATION_TYPE_STEP = Step(
    "application_type",
    Text("Soort aanvraag", "Type of application"),
    fields=(
        f.choice("application_type", "Wat vraagt u aan?", "What are you applying for?", APPLICATION_TYPES),
        f.text(
            "recognised_initiative",
            "Referentie of naam van het erkende initiatief",
            "Reference or name of the recognised initiative",
            hint=("Alleen bij een uitbreiding.", "Only for an extension."),
            show_if=f.answer_is("application_type", "extension"),
        ),
    ),
)

PUBLIC_COMMISSION_STEP = Step(
    "public_commission",
    Text("Opdracht van de overheid", "Public commission"),
    intro=Text(
        "De dienst gebeurt in opdracht van een lokale, bovenlokale of regionale overheid.",
        "The service is commissioned by a local, supra-local or regional authority.",
    ),
    fields=(
        f.text(
            "commissioning_authority",
            "Opdrachtgevende overheid",
            "Commissioning authority",
            hint=("Bijvoorbeeld: gemeente Gent, OCMW Leuven.", "For example: City of Ghent, OCMW Leuven."),
        ),
        f.file(
            "commission_decision",
            "Beslissing van de overheid (PDF)",
            "Decision of the authority (PDF)",
            required=False,
            hint=(
                "Beslissing van het college, de gemeenteraad of de OCMW-raad.",
                "Decision of the college, the council or the OCMW council.",
            ),
        ),
        f.date(
            "commission_follows_on",
            "Of: de beslissing volgt uiterlijk op",
            "Or: the decision follows by",
            required=False,
            hint=("Alleen als de beslissing nog niet genomen is.", "Only if the decision has not been taken yet."),
        ),
    ),
    rules=(
        f.rule(
            lambda a: bool(a.get("commission_decision") or a.get("commission_follows_on")),
            "Voeg de beslissing toe, of geef de datum waarop ze volgt.",
            "Attach the decision, or give the date by which it follows.",
            field="commission_follows_on",
        ),
    ),
)

STAFFING_STEP = Step(
    "staffing",
    Text("Personeel en begeleiding", "Staffing and guidance"),
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
        f.textarea("guidance_plan", "Hoe begeleidt u de doelgroepwerknemers?", "How do you guide the workers?"),
        f.textarea(
            "participation_plan",
            "Hoe participeren werknemers, gebruikers en belanghebbenden?",
            "How do workers, users and stakeholders participate?",
        ),
    ),
)

BUDGET_STEP = Step(
    "budget",
    Text("Begroting (klaverbladfinanciering)", "Budget (cloverleaf financing)"),
    intro=Text(
        "Geef per financierende partij het jaarlijkse bedrag in euro.",
        "Give the yearly amount in euro per financing party.",
    ),
    fields=(
        f.decimal(
            "budget_flemish",
            "Vlaamse overheid (sociale economie)",
            "Flemish government (social economy)",
            min_value="0",
            max_value="100000000",
        ),
        f.decimal(
            "budget_federal",
            "Federale overheid (SINE)",
            "Federal government (SINE)",
            min_value="0",
            max_value="100000000",
        ),
        f.decimal(
            "budget_commissioning",
            "Opdrachtgevende of sectorale overheid",
            "Commissioning or sector authority",
            min_value="0",
            max_value="100000000",
        ),
        f.decimal("budget_users", "Gebruikers", "Users", min_value="0", max_value="100000000"),
    ),
)

DECLARATIONS_STEP = Step(
    "declarations",
    Text("Verklaringen", "Declarations"),
    fields=(
        f.yes_no(
            "declares_separate_registration",
            "Registreert u de inhoud en de financiën van de LDE-activiteiten afzonderlijk?",
            "Do you register the content and finances of the LDE activities separately?",
        ),
        f.yes_no(
            "declares_no_displacement",
            "Verdringt de dienst geen bestaande banen?",
            "Does the service avoid displacing existing jobs?",
        ),
    ),
    rules=(
        f.rule(
            lambda a: a.get("declares_separate_registration") is not False,
            "Een afzonderlijke registratie is een voorwaarde voor erkenning (decreet art. 2, 4°, c).",
            "Separate registration is a condition of recognition (decree art. 2, 4°, c).",
            field="declares_separate_registration",
        ),
    ),
)
