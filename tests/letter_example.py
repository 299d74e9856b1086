"""Realistic letter contexts (schema 2, `docs/letter-context.md`) for every regime and letter kind.

`example_context(regime_code, kind)` returns a context that follows the schema exactly, with realistic
Dutch content: a bicycle point commissioned by Stad Gent (general), caretakers of Volkshaard cvba in two
Gent housing complexes (caretakers), neighbourhood childcare at Dorpsstraat 1 in Leuven (childcare), and
the test-only 2013 label. Keyword arguments give the variations the templates must handle; `VARIANTS`
lists a set of them for rendering checks.

Every number in here is example data. Whatever is not law is marked so, as the builder does.
"""

from __future__ import annotations

import copy
from typing import Any

KINDS = (
    "receipt",
    "additions_requested",
    "additions_received",
    "inadmissible",
    "intended_refusal",
    "decision_granted",
    "decision_partly_granted",
    "decision_refused",
    "objection_decision",
    "intended_suspension",
    "suspension",
    "intended_revocation",
    "revocation",
)
LABEL_KINDS = (
    "receipt",
    "additions_requested",
    "additions_received",
    "inadmissible",
    "decision_granted",
    "decision_refused",
)
REGIME_KINDS = {"general": KINDS, "caretakers": KINDS, "childcare": KINDS, "label_2013": LABEL_KINDS}
DECISION_KINDS = frozenset(
    {
        "inadmissible",
        "decision_granted",
        "decision_partly_granted",
        "decision_refused",
        "objection_decision",
        "suspension",
        "revocation",
    }
)
HEARING_KINDS = frozenset({"intended_refusal", "intended_suspension", "intended_revocation"})

TITLES = {
    "receipt": "Ontvangstbevestiging van uw aanvraag",
    "additions_requested": "Vraag om aanvulling van uw aanvraag",
    "additions_received": "Ontvangstbevestiging van uw aanvulling",
    "inadmissible": "Beslissing: onontvankelijkheid van de aanvraag",
    "intended_refusal": "Voorgenomen weigering van de erkenning",
    "decision_granted": "Beslissing: toekenning van de erkenning",
    "decision_partly_granted": "Beslissing: gedeeltelijke toekenning van de erkenning",
    "decision_refused": "Beslissing: weigering van de erkenning",
    "objection_decision": "Beslissing over uw bezwaar",
    "intended_suspension": "Voorgenomen schorsing van de erkenning",
    "suspension": "Beslissing: schorsing van de erkenning",
    "intended_revocation": "Voorgenomen intrekking van de erkenning",
    "revocation": "Beslissing: intrekking van de erkenning",
}
LABEL_TITLES = {
    "decision_granted": "Beslissing: toekenning van het LDE-label",
    "decision_refused": "Beslissing: weigering van het LDE-label",
}

# The letter date of each kind: one application's life, from submission to revocation.
DATES = {
    "receipt": "3 november 2026",
    "additions_requested": "9 november 2026",
    "additions_received": "20 november 2026",
    "inadmissible": "14 december 2026",
    "intended_refusal": "14 december 2026",
    "decision_granted": "18 december 2026",
    "decision_partly_granted": "18 december 2026",
    "decision_refused": "12 januari 2027",
    "objection_decision": "15 maart 2027",
    "intended_suspension": "6 september 2027",
    "suspension": "11 oktober 2027",
    "intended_revocation": "7 februari 2028",
    "revocation": "13 maart 2028",
}

SENDER = {
    "authority": "Vlaamse overheid",
    "department": "Departement Werk en Sociale Economie",
    "unit": "Afdeling Sociale Economie – team Lokale Diensteneconomie",
    "address": ["Havenlaan 88 bus 20", "1000 Brussel"],
    "email": "lokalediensteneconomie@vlaanderen.be",
    "website": "www.vlaanderen.be/lokale-diensteneconomie",
}
CONTACT = {"name": "An Peeters", "email": "an.peeters@vlaanderen.be"}
SIGNATORY_DECISION = {
    "name": "Marc Janssens",
    "function": "afdelingshoofd Sociale Economie",
    "delegation": "het besluit van de secretaris-generaal van 2 februari 2026 houdende delegatie van "
    "beslissingsbevoegdheden aan het afdelingshoofd Sociale Economie",
}
SIGNATORY_NOTICE = {"name": "An Peeters", "function": "dossierbehandelaar lokale diensteneconomie", "delegation": ""}
VERIFICATION = {"code": "K7QM-4TXR-9PLA", "url": "http://127.0.0.1:5000/verify"}

FROM_2013 = "naar het model van de regeling van 2013, niet teruggevonden in de regelgeving van 2006-2008"
ASSUMED = "aanname van de administratie, niet teruggevonden in de regelgeving"
OWN_RULE = "een termijn die de administratie zelf hanteert"

DEADLINES = {
    "additions": {"days": 30, "text": f"binnen 30 dagen na de datum van deze brief ({OWN_RULE})"},
    "hearing": {"days": 15, "text": f"binnen 15 dagen na de datum van deze brief ({OWN_RULE})"},
    "admissibility": {
        "days": 7,
        "unit": "kalenderdagen",
        "is_law": False,
        "provenance_label": "naar het model van de regeling van 2013, niet teruggevonden in de regelgeving van "
        "2006-2008",
    },
}
COUNCIL_OF_STATE = {
    "days": 60,
    "text": "U kunt tegen deze beslissing een beroep tot nietigverklaring instellen bij de Raad van State, binnen "
    "60 dagen na de kennisgeving ervan. Dat doet u met een ondertekend verzoekschrift dat u aangetekend verstuurt "
    "naar de Raad van State, Wetenschapsstraat 33, 1040 Brussel, of via de elektronische procedure van de Raad "
    "van State (eprocedure.raadvst-consetat.be).",
}
OBJECTION = {
    "days": 30,
    "text": "Voordat u naar de Raad van State stapt, kunt u bij de administratie bezwaar indienen tegen deze "
    f"beslissing, binnen 30 dagen na de kennisgeving ervan ({OWN_RULE}). Vermeld in uw bezwaar waarom u het "
    "niet eens bent met de beslissing en voeg de stukken toe die uw bezwaar staven.",
    "body": "het afdelingshoofd Sociale Economie van het Departement Werk en Sociale Economie",
    "form": "een ondertekend en gemotiveerd bezwaarschrift, in ldapply of per aangetekende brief",
    "address": "Departement Werk en Sociale Economie, Afdeling Sociale Economie, Havenlaan 88 bus 20, 1000 Brussel",
}

PARAMETERS = {
    "admissibility_check_days": {"value": 7, "unit": "kalenderdagen", "provenance": "modelled_on_2013"},
    "advice_days": {"value": 45, "unit": "kalenderdagen", "provenance": "modelled_on_2013"},
    "additions_days": {"value": 30, "unit": "kalenderdagen", "provenance": "assumption"},
    "hearing_days": {"value": 15, "unit": "kalenderdagen", "provenance": "assumption"},
    "council_of_state_appeal_days": {"value": 60, "unit": "kalenderdagen", "provenance": "found"},
    "objection_enabled": {"value": False, "unit": "ja/nee", "provenance": "assumption"},
    "objection_days": {"value": 30, "unit": "kalenderdagen", "provenance": "assumption"},
    "recognition_years": {"value": 5, "unit": "jaar", "provenance": "modelled_on_2013"},
}

DECREE_2006 = "Decreet van 22 december 2006 houdende de lokale diensteneconomie (numac 2007035250)"
BVR_2007 = "Besluit van de Vlaamse Regering van 5 oktober 2007 betreffende de lokale diensteneconomie"
BVR_2008_CARETAKERS = (
    "Besluit van de Vlaamse Regering van 4 juli 2008 betreffende de erkenning van initiatieven huisbewaarder in de "
    "sociale huisvesting in het kader van de lokale diensteneconomie (numac 2008203785)"
)
BVR_2008_CHILDCARE = (
    "Besluit van de Vlaamse Regering van 9 mei 2008 tot vaststelling van de voorwaarden voor vergunning en "
    "subsidiëring van lokale diensten buurtgerichte kinderopvang (numac 2008202840)"
)
DECREE_2004_KG = (
    "Decreet van 30 april 2004 tot oprichting van het intern verzelfstandigd agentschap met rechtspersoonlijkheid "
    "Kind en Gezin"
)
DECREE_2013 = "Decreet van 22 november 2013 betreffende de lokale diensteneconomie (numac 2013036182)"


def _condition(code: str, title: str, basis: str, *, law: bool = True, norm: str = "", **rest: Any) -> dict[str, Any]:
    return {
        "code": code,
        "title": title,
        "basis": basis,
        "basis_is_law": law,
        "norm": norm,
        "finding": rest.get("finding"),
        "met": rest.get("met", True),
        "reason": rest.get("reason"),
    }


def _rule(text: str, provenance_label: str) -> dict[str, str]:
    return {"text": text, "provenance_label": provenance_label}


def _step(date: str, text: str) -> dict[str, str]:
    return {"date": date, "text": text}


# -- general: a bicycle point commissioned by Stad Gent --------------------------------------------

GENERAL_ANSWERS: dict[str, Any] = {
    "organisation_name": "Fietspunt Gent vzw",
    "enterprise_number": "0456789034",
    "legal_form": "vzw",
    "has_other_activities": True,
    "sui_generis_responsible": "Lotte De Smet",
    "application_type": "new",
    "service_field": "bicycle_points",
    "service_description": "Een fietspunt aan het station Gent-Sint-Pieters: bewaakte fietsenstalling, kleine "
    "herstellingen terwijl u wacht, verhuur van stadsfietsen en het graveren van fietsen tegen diefstal.\n"
    "Open op weekdagen van 6.30 tot 19.30 uur.",
    "local_need": "Aan het station worden dagelijks ruim 1.200 fietsen gestald; de stad telt er jaarlijks meer dan "
    "900 fietsdiefstallen. Een bewaakte stalling met herstelling bestaat in de stationsbuurt niet.",
    "target_customers": "Pendelaars, studenten en bewoners van de stationsbuurt.",
    "commissioning_authority": "Stad Gent",
    "commission_decision": {"filename": "collegebesluit-stad-gent-2026-10-15.pdf"},
    "commission_follows_on": None,
    "target_group_fte": "6.5",
    "supervisory_fte": "1",
    "guidance_plan": "Een technisch begeleider (1 VTE) leidt de werknemers op de werkvloer op; een jobcoach van de "
    "vzw volgt elke werknemer maandelijks op.",
    "participation_plan": "Een gebruikersraad komt tweemaal per jaar samen; de werknemers overleggen maandelijks "
    "met de coördinator.",
    "budget_flemish": "182000",
    "budget_federal": "96000",
    "budget_commissioning": "75000",
    "budget_users": "41000",
    "declares_separate_registration": True,
    "declares_no_displacement": True,
}
GENERAL_WITHOUT_COMMISSION = {"commission_decision": None, "commission_follows_on": "2026-11-30"}

GENERAL_CONDITIONS = [
    _condition(
        "local_need",
        "De dienst beantwoordt een lokale behoefte",
        f"{DECREE_2006}, art. 2, 1°",
        reason="Het fietspunt vangt de vraag op naar veilige stalling en kleine herstellingen aan het station, die "
        "de stad in haar mobiliteitsplan 2025-2030 vaststelt.",
    ),
    _condition(
        "supplementary",
        "De dienst is aanvullend op het bestaande aanbod",
        f"{DECREE_2006}, art. 2, 1°",
        reason="In de stationsbuurt bestaat geen bewaakte stalling met herstelling; de fietshandelaars in de buurt "
        "bieden geen stalling aan.",
    ),
    _condition(
        "participation",
        "Werknemers, gebruikers en belanghebbenden participeren",
        f"{DECREE_2006}, art. 2, 1°",
        reason="Het participatieplan voorziet een gebruikersraad en maandelijks werknemersoverleg.",
    ),
    _condition(
        "target_group",
        "Er worden voldoende doelgroepwerknemers tewerkgesteld",
        f"{DECREE_2006}, art. 2, 3°",
        norm="minimum 5 VTE doelgroepwerknemers per jaar (regel van de administratie, naar het model van de "
        "regeling van 2013)",
        finding="6,5 VTE doelgroepwerknemers gevraagd; de norm is minimum 5 VTE.",
    ),
    _condition(
        "sui_generis",
        "Afzonderlijke, herkenbare sui-generisafdeling",
        f"{DECREE_2006}, art. 2, 4°",
        finding="Verantwoordelijke van de sui-generisafdeling opgegeven: Lotte De Smet.",
    ),
    _condition(
        "public_commission",
        "De dienst gebeurt in opdracht van een overheid",
        "de voorwaarden van de oproep tot het indienen van aanvragen (dienst van algemeen economisch belang)",
        law=False,
        finding="Beslissing van de opdrachtgevende overheid bijgevoegd.",
    ),
]
GENERAL_REFUSAL = {
    "public_commission": {
        "finding": "De beslissing van de opdrachtgevende overheid ontbreekt; volgens de aanvraag zou ze uiterlijk op "
        "30 november 2026 volgen.",
        "reason": "De organisatie legde geen beslissing van Stad Gent voor. Het e-mailbericht van de mobiliteitsdienst "
        "van 2 december 2026 is geen beslissing van het college, de gemeenteraad of een persoon die de stad kan "
        "verbinden.",
    },
    "supplementary": {
        "reason": "Op 400 meter van het station baat een andere organisatie al een fietspunt uit met stalling en "
        "herstelling. De aanvraag toont niet aan waarom de dienst daarop aanvullend is.",
    },
}
GENERAL_SANCTION = {
    "public_commission": {
        "finding": None,
        "reason": "Stad Gent heeft de opdracht voor het fietspunt stopgezet met ingang van 30 juni 2027 "
        "(collegebesluit van 8 juni 2027). Sindsdien gebeurt de dienst niet meer in opdracht van een overheid.",
    },
    "target_group": {
        "finding": "Volgens de rapportering over het tweede kwartaal van 2027 zijn 3,2 VTE doelgroepwerknemers "
        "tewerkgesteld; de norm is minimum 5 VTE.",
        "reason": "Na het einde van de opdracht werden vier arbeidsovereenkomsten niet verlengd.",
    },
}

GENERAL = {
    "reference": "LDE-2026-FGT417",
    "organisation": {
        "name": "Fietspunt Gent vzw",
        "enterprise_number": "0456.789.034",
        "address": ["Koningin Maria Hendrikaplein 1", "9000 Gent"],
    },
    "regime": {"code": "general", "title": "Erkenning lokale diensteneconomie", "version": 1},
    "starts": "5 oktober 2007",
    "legal_basis": [
        {"citation": f"{DECREE_2006}, art. 2 en 3", "articles_known": True},
        {"citation": BVR_2007, "articles_known": False},
    ],
    "answers": GENERAL_ANSWERS,
    "refusal_answers": GENERAL_WITHOUT_COMMISSION,
    "conditions": GENERAL_CONDITIONS,
    "refusal": GENERAL_REFUSAL,
    "sanction": GENERAL_SANCTION,
    "unit": "VTE",
    "requested": "7,5",
    "partly": "6,5",
    "advisor": "het Forum voor Lokaal Werkgelegenheidsbeleid Gent",
    "advice": "Het forum adviseert gunstig. Het fietspunt past in het lokale werkgelegenheidsbeleid van de stad "
    "en biedt laagdrempelige banen voor langdurig werkzoekenden uit de stationsbuurt.",
    "messages": {
        "additions_requested": "Wij missen nog de beslissing van Stad Gent waarmee de stad het fietspunt aan uw "
        "organisatie toevertrouwt. Voeg een kopie toe van de beslissing van het college van burgemeester en "
        "schepenen of van de gemeenteraad.\n\nBeschrijf ook hoe u de 6,5 VTE doelgroepwerknemers begeleidt: wie is "
        "de begeleider, en hoeveel uur per week is daarvoor voorzien?",
        "inadmissible": "Op 9 november 2026 vroegen wij u de beslissing van Stad Gent toe te voegen waarmee de stad "
        "het fietspunt aan uw organisatie toevertrouwt. Binnen de termijn ontvingen wij die beslissing niet, en ook "
        "geen ander bewijs van de opdracht van een overheid.\n\nZonder dat bewijs is de aanvraag niet volledig en "
        "kan ze niet ontvankelijk worden verklaard.",
        "intended_refusal": "De dienst gebeurt volgens de stukken niet aantoonbaar in opdracht van een overheid, en "
        "de aanvraag toont niet aan dat het fietspunt aanvullend is op het fietspunt dat al in de stationsbuurt "
        "bestaat.",
        "intended_suspension": "Stad Gent heeft de opdracht voor het fietspunt stopgezet met ingang van 30 juni 2027. "
        "Sindsdien zijn ook minder doelgroepwerknemers tewerkgesteld dan de norm.",
        "intended_revocation": "De schorsing van 11 oktober 2027 loopt nog. Sindsdien hebt u niet aangetoond dat "
        "de dienst opnieuw in opdracht van een overheid gebeurt of dat u weer voldoende doelgroepwerknemers "
        "tewerkstelt.",
    },
    "motivations": {
        "decision_granted": "De aanvraag voldoet aan alle voorwaarden. Het fietspunt beantwoordt een duidelijke "
        "lokale behoefte aan het station Gent-Sint-Pieters, gebeurt in opdracht van Stad Gent en stelt 6,5 VTE "
        "doelgroepwerknemers te werk, met 1 VTE omkadering.",
        "decision_partly_granted": "De aanvraag voldoet aan de voorwaarden. De stad financiert volgens haar "
        "collegebesluit de opdracht voor 5,5 VTE doelgroepwerknemers; voor de overige 1 VTE doelgroepwerknemers "
        "toont de aanvraag geen opdracht en geen financiering aan. De erkenning wordt daarom verleend voor 5,5 VTE "
        "doelgroepwerknemers en 1 VTE omkadering, samen 6,5 VTE.",
        "decision_refused": "Twee voorwaarden zijn niet vervuld: de opdracht van de overheid is niet aangetoond, en "
        "het aanvullende karakter van de dienst evenmin. De reactie van de organisatie verandert dat niet (zie "
        "hierboven).",
        "objection_decision": "Bij haar bezwaar voegde de organisatie het collegebesluit van Stad Gent van 28 januari "
        "2027, dat het fietspunt aan de organisatie toevertrouwt. Zij toonde ook aan dat het andere fietspunt in "
        "de buurt alleen stalling aanbiedt en geen herstelling of verhuur. Beide voorwaarden zijn nu vervuld.",
        "suspension": "De dienst gebeurt niet langer in opdracht van een overheid en het aantal doelgroepwerknemers "
        "ligt onder de norm. De organisatie heeft aangekondigd dat zij met de stad onderhandelt over een nieuwe "
        "opdracht; daarom wordt de erkenning geschorst en nog niet ingetrokken.",
        "revocation": "De organisatie heeft binnen de schorsing niet aangetoond dat zij opnieuw aan de voorwaarden "
        "voldoet, en heeft niet gereageerd op het voornemen tot intrekking.",
    },
    "response": "Wij hebben het collegebesluit intussen aangevraagd; de stad bevestigt per e-mail dat het dossier "
    "op de agenda van het college van 21 januari 2027 staat.\n\nHet andere fietspunt op 400 m biedt alleen "
    "stalling aan, geen herstellingen of verhuur. Onze dienst is dus wel aanvullend (zie bijlage: vergelijking "
    "van het aanbod, < 1 km rond het station & tarieven).",
    "response_attachments": ["e-mail-mobiliteitsdienst-stad-gent.pdf", "vergelijking-aanbod-stationsbuurt.pdf"],
    "hearing_answer": "Een e-mail van een stadsdienst dat een dossier geagendeerd is, is geen beslissing van de "
    "stad. Het verschil in aanbod met het bestaande fietspunt wordt in de vergelijking niet onderbouwd met "
    "cijfers over de vraag naar herstelling en verhuur.",
}

# -- caretakers: Volkshaard cvba, Rabot and Nieuw Gent --------------------------------------------

CARETAKERS_ANSWERS: dict[str, Any] = {
    "organisation_name": "Volkshaard cvba",
    "enterprise_number": "0425117841",
    "legal_form": "social_purpose_company",
    "has_other_activities": True,
    "sui_generis_responsible": "Koen Vermeulen",
    "application_type": "new",
    "applicant_type": "shm",
    "shm_name": "Volkshaard cvba",
    "housing_complexes": [
        {"complex_name": "Rabot", "municipality": "Gent", "rental_units": 120},
        {"complex_name": "Nieuw Gent", "municipality": "Gent", "rental_units": 80},
    ],
    "local_need": "In de torens van Rabot en Nieuw Gent wonen veel alleenstaande ouderen en gezinnen met jonge "
    "kinderen. De huurders vragen een vast aanspreekpunt; vandalisme en sluikstort in de gemeenschappelijke delen "
    "nemen toe.",
    "caretaker_tasks": ["liveability", "small_maintenance", "tenant_contact", "common_parts"],
    "caretaker_fte": "3",
    "supervisory_fte": "0.5",
    "guidance_plan": "Een technisch coördinator van Volkshaard begeleidt de huisbewaarders dagelijks; zij volgen een "
    "opleiding conflicthantering en eerste hulp.",
    "participation_plan": "De huurdersvereniging van elk complex overlegt elk kwartaal met de huisbewaarders.",
    "declares_separate_registration": True,
    "declares_no_displacement": True,
}
CARETAKERS_CONDITIONS = [
    _condition(
        "local_need",
        "De dienst beantwoordt een lokale behoefte",
        f"{DECREE_2006}, art. 2, 1°",
        reason="De huurders van beide complexen vragen een vast aanspreekpunt; de leefbaarheidsmonitor van de stad "
        "bevestigt de problemen in de gemeenschappelijke delen.",
    ),
    _condition(
        "supplementary",
        "De dienst is aanvullend op het bestaande aanbod",
        f"{DECREE_2006}, art. 2, 1°",
        reason="De huisbewaarders nemen geen taken over van het onderhoudspersoneel van de maatschappij.",
    ),
    _condition(
        "participation",
        "Werknemers, gebruikers en belanghebbenden participeren",
        f"{DECREE_2006}, art. 2, 1°",
        reason="Driemaandelijks overleg met de huurdersverenigingen van beide complexen.",
    ),
    _condition(
        "caretaker_staffing",
        "Er worden huisbewaarders tewerkgesteld",
        f"{DECREE_2006}, art. 2, 3°; {BVR_2008_CARETAKERS}",
        finding="3 VTE huisbewaarders gevraagd.",
    ),
    _condition(
        "sui_generis",
        "Afzonderlijke, herkenbare sui-generisafdeling",
        f"{DECREE_2006}, art. 2, 4°",
        finding="Verantwoordelijke van de sui-generisafdeling opgegeven: Koen Vermeulen.",
    ),
    _condition(
        "shm_involved",
        "De aanvrager is een SHM of werkt samen met een SHM",
        f"{BVR_2008_CARETAKERS}; Vlaamse Wooncode, art. 29bis",
        finding="De aanvrager is de SHM Volkshaard cvba.",
    ),
    _condition(
        "units_per_caretaker",
        "Het aantal huisbewaarders staat in verhouding tot het aantal huurwoningen",
        "de administratie beoordeelt per dossier of het aantal huisbewaarders in verhouding staat tot het aantal "
        "sociale huurwoningen; een norm daarvoor is niet teruggevonden in de regelgeving",
        law=False,
        reason="200 sociale huurwoningen voor 3 VTE huisbewaarders, ongeveer 67 woningen per VTE. Gezien de hoogbouw "
        "en het aantal kwetsbare huurders is die inzet in verhouding.",
    ),
]
CARETAKERS_REFUSAL = {
    "units_per_caretaker": {
        "reason": "Voor het complex Nieuw Gent (80 woningen) vraagt de aanvraag 1,5 VTE, terwijl de taken daar "
        "grotendeels door een externe schoonmaakfirma worden uitgevoerd. De inzet is daar niet in verhouding.",
    },
    "participation": {
        "met": None,
        "reason": "Voor het complex Nieuw Gent bestaat geen huurdersvereniging; hoe de huurders daar participeren, "
        "kon nog niet worden beoordeeld.",
    },
}
CARETAKERS_SANCTION = {
    "caretaker_staffing": {
        "finding": "Volgens de rapportering over het tweede kwartaal van 2027 is 1 VTE huisbewaarder tewerkgesteld.",
        "reason": "In het complex Nieuw Gent werkt sinds mei 2027 geen huisbewaarder meer; de taken worden er door een "
        "externe firma uitgevoerd.",
    },
}
CARETAKERS = {
    "reference": "LDE-2026-HBW208",
    "organisation": {
        "name": "Volkshaard cvba",
        "enterprise_number": "0425.117.841",
        "address": ["Rabotstraat 90", "9000 Gent"],
    },
    "regime": {
        "code": "caretakers",
        "title": "Erkenning initiatieven huisbewaarder in de sociale huisvesting",
        "version": 1,
    },
    "starts": "4 juli 2008",
    "legal_basis": [
        {"citation": f"{DECREE_2006}, art. 2, art. 3 § 2 en art. 4", "articles_known": True},
        {"citation": BVR_2007, "articles_known": False},
        {"citation": BVR_2008_CARETAKERS, "articles_known": False},
    ],
    "answers": CARETAKERS_ANSWERS,
    "refusal_answers": {},
    "conditions": CARETAKERS_CONDITIONS,
    "refusal": CARETAKERS_REFUSAL,
    "sanction": CARETAKERS_SANCTION,
    "unit": "VTE",
    "requested": "3,5",
    "partly": "3",
    "advisor": "de Vlaamse Maatschappij voor Sociaal Wonen (VMSW)",
    "advice": "De VMSW adviseert gunstig: beide complexen staan op de lijst van patrimonium met verhoogde "
    "leefbaarheidsproblemen, en de inzet van huisbewaarders past in het leefbaarheidsplan van Volkshaard.",
    "messages": {
        "additions_requested": "Voeg de beslissing van de raad van bestuur van Volkshaard toe waarmee de maatschappij "
        "het initiatief huisbewaarder aanvraagt.\n\nGeef voor elk complex aan hoeveel VTE huisbewaarders u er inzet.",
        "inadmissible": "Op 9 november 2026 vroegen wij u de beslissing van de raad van bestuur van Volkshaard toe te "
        "voegen. Binnen de termijn ontvingen wij die niet. Zonder die beslissing is niet aangetoond dat de sociale "
        "huisvestingsmaatschappij het initiatief aanvraagt.",
        "intended_refusal": "Voor het complex Nieuw Gent staat de gevraagde inzet van huisbewaarders niet in "
        "verhouding tot het aantal woningen en tot de taken die er overblijven.",
        "intended_suspension": "In het complex Nieuw Gent werkt sinds mei 2027 geen huisbewaarder meer. Er worden "
        "minder huisbewaarders tewerkgesteld dan de erkenning veronderstelt.",
        "intended_revocation": "Ook na de schorsing van 11 oktober 2027 werkt in het complex Nieuw Gent geen "
        "huisbewaarder, en u hebt geen plan voorgelegd om dat te herstellen.",
    },
    "motivations": {
        "decision_granted": "Alle voorwaarden zijn vervuld. Volkshaard zet 3 VTE huisbewaarders in voor 200 sociale "
        "huurwoningen in Rabot en Nieuw Gent, met 0,5 VTE omkadering.",
        "decision_partly_granted": "De voorwaarden zijn vervuld. De omkadering van 0,5 VTE wordt niet erkend: de "
        "technisch coördinator die de huisbewaarders begeleidt, is al in dienst van de maatschappij en wordt niet "
        "bijkomend aangeworven.",
        "decision_refused": "De inzet van huisbewaarders staat voor het complex Nieuw Gent niet in verhouding tot het "
        "aantal woningen en de overblijvende taken. De reactie van Volkshaard verandert dat niet.",
        "objection_decision": "Bij haar bezwaar legde Volkshaard een nieuwe taakverdeling voor: de externe firma "
        "stopt op 31 maart 2027, en de huisbewaarders nemen het toezicht op de gemeenschappelijke delen in Nieuw Gent "
        "over. De inzet is nu in verhouding.",
        "suspension": "In Nieuw Gent werkt geen huisbewaarder meer. Volkshaard heeft een vacature uitgeschreven; "
        "daarom wordt de erkenning geschorst en nog niet ingetrokken.",
        "revocation": "Volkshaard heeft de huisbewaarder in Nieuw Gent niet vervangen en heeft niet gereageerd op het "
        "voornemen tot intrekking.",
    },
    "response": "De externe firma werkt in Nieuw Gent alleen voor de schoonmaak van de traphallen. De "
    "huisbewaarders doen er het toezicht, het klein onderhoud en het contact met de huurders.",
    "response_attachments": ["taakverdeling-nieuw-gent.pdf"],
    "hearing_answer": "De taakverdeling toont dat de externe firma ook het toezicht op de gemeenschappelijke delen "
    "uitvoert (punt 3 van het contract). De inzet van 1,5 VTE blijft daardoor niet in verhouding.",
}

# -- childcare: Dorpsstraat 1, Leuven --------------------------------------------------------------

CHILDCARE_ANSWERS: dict[str, Any] = {
    "organisation_name": "Kinderopvang De Speelboom vzw",
    "enterprise_number": "0881234508",
    "legal_form": "vzw",
    "has_other_activities": False,
    "application_type": "new",
    "locations": [{"address": "Dorpsstraat 1", "municipality": "Leuven", "places": 14, "age_group": "0_3"}],
    "local_need": "In Kessel-Lo en Wilsele wachten volgens het Lokaal Overleg Kinderopvang meer dan 80 gezinnen op "
    "een plaats voor een baby of peuter; vooral gezinnen met een laag inkomen vinden geen opvang.",
    "opening_hours": "Maandag tot vrijdag van 7.00 tot 18.30 uur.",
    "flexible_care": True,
    "occasional_care": True,
    "priority_rules": "Voorrang voor alleenstaande ouders, gezinnen met een laag inkomen en ouders die een opleiding "
    "volgen.",
    "income_related_contribution": True,
    "target_group_fte": "3",
    "supervisory_fte": "1",
    "kg_status": "granted",
    "kg_date": "2026-01-15",
    "kg_authorisation": {"filename": "vergunning-kind-en-gezin-2026-01-15.pdf"},
    "lok_advice": {"filename": "advies-lok-leuven.pdf"},
    "lok_advice_date": "2025-12-02",
    "fire_safety_certificate": {"filename": "brandveiligheidsattest-dorpsstraat-1.pdf"},
    "quality_handbook": True,
    "declares_separate_registration": True,
    "declares_no_displacement": True,
}
CHILDCARE_REQUESTED = {"kg_status": "requested", "kg_date": "2026-09-01", "kg_authorisation": None}
CHILDCARE_CONDITIONS = [
    _condition(
        "local_need",
        "De dienst beantwoordt een lokale behoefte",
        f"{DECREE_2006}, art. 2, 1°",
        reason="Het Lokaal Overleg Kinderopvang stelt een tekort vast van meer dan 80 plaatsen voor baby's en peuters "
        "in Kessel-Lo en Wilsele.",
    ),
    _condition(
        "supplementary",
        "De dienst is aanvullend op het bestaande aanbod",
        f"{DECREE_2006}, art. 2, 1°",
        reason="De flexibele en occasionele opvang ontbreekt in het bestaande aanbod van de deelgemeenten.",
    ),
    _condition(
        "participation",
        "Werknemers, gebruikers en belanghebbenden participeren",
        f"{DECREE_2006}, art. 2, 1°",
        reason="Een ouderraad komt elk trimester samen.",
    ),
    _condition(
        "target_group",
        "Er worden voldoende doelgroepwerknemers tewerkgesteld",
        f"{DECREE_2006}, art. 2, 3°",
        finding="3 VTE doelgroepwerknemers gevraagd.",
        reason="Drie kinderbegeleiders worden aangeworven uit langdurig werkzoekenden, met begeleiding door een "
        "ervaren verantwoordelijke (1 VTE).",
    ),
    _condition(
        "sui_generis",
        "Afzonderlijke, herkenbare sui-generisafdeling",
        f"{DECREE_2006}, art. 2, 4°",
        finding="De organisatie heeft geen andere activiteiten.",
    ),
    _condition(
        "kind_en_gezin_authorisation",
        "Kind en Gezin heeft de opvang vergund",
        f"{DECREE_2004_KG}, art. 12 en 13; {BVR_2008_CHILDCARE}",
        finding="Vergunning van Kind en Gezin verleend op 15 januari 2026.",
    ),
    _condition(
        "lok_advice",
        "Het Lokaal Overleg Kinderopvang heeft advies gegeven",
        "Besluit van de Vlaamse Regering van 4 mei 2007 (Lokaal Overleg Kinderopvang)",
        finding="Advies van het Lokaal Overleg Kinderopvang bijgevoegd.",
    ),
    _condition(
        "fire_safety",
        "De opvanglocaties zijn brandveilig",
        "Besluit van de Vlaamse Regering van 1 oktober 2004 (brandveiligheid mini-crèches)",
        finding="Brandveiligheidsattest bijgevoegd.",
    ),
]
CHILDCARE_REFUSAL = {
    "kind_en_gezin_authorisation": {
        "finding": "De vergunning van Kind en Gezin is aangevraagd op 1 september 2026 maar nog niet verleend.",
        "reason": "Kind en Gezin liet op 20 december 2026 weten dat het de vergunning voor de locatie Dorpsstraat 1 "
        "niet verleent zolang de buitenspeelruimte niet is aangelegd.",
    },
}
CHILDCARE_SANCTION = {
    "kind_en_gezin_authorisation": {
        "finding": None,
        "reason": "Kind en Gezin heeft de vergunning voor de locatie Dorpsstraat 1 geschorst met ingang van "
        "1 augustus 2027, na een inspectie van de brandveiligheid.",
    },
}
CHILDCARE = {
    "reference": "LDE-2026-KOL114",
    "organisation": {
        "name": "Kinderopvang De Speelboom vzw",
        "enterprise_number": "0881.234.508",
        "address": ["Dorpsstraat 1", "3000 Leuven"],
    },
    "regime": {"code": "childcare", "title": "Lokale diensten buurtgerichte kinderopvang", "version": 1},
    "starts": "9 mei 2008",
    "legal_basis": [
        {"citation": f"{DECREE_2006}, art. 2 en 3", "articles_known": True},
        {"citation": f"{DECREE_2004_KG}, art. 12 en 13", "articles_known": True},
        {"citation": BVR_2008_CHILDCARE, "articles_known": False},
    ],
    "answers": CHILDCARE_ANSWERS,
    "refusal_answers": CHILDCARE_REQUESTED,
    "conditions": CHILDCARE_CONDITIONS,
    "refusal": CHILDCARE_REFUSAL,
    "sanction": CHILDCARE_SANCTION,
    "unit": "opvangplaatsen",
    "requested": "14",
    "partly": "10",
    "advisor": "Kind en Gezin, regioteam Vlaams-Brabant",
    "advice": "Kind en Gezin bevestigt de vergunning van 15 januari 2026 voor 14 plaatsen voor baby's en peuters "
    "op de locatie Dorpsstraat 1 in Leuven, en heeft geen bezwaar tegen de erkenning.",
    "messages": {
        "additions_requested": "Voeg het advies van het Lokaal Overleg Kinderopvang van Leuven toe, en een kopie van "
        "het brandveiligheidsattest voor de locatie Dorpsstraat 1.",
        "inadmissible": "Op 9 november 2026 vroegen wij u het advies van het Lokaal Overleg Kinderopvang en het "
        "brandveiligheidsattest toe te voegen. Binnen de termijn ontvingen wij geen van beide.",
        "intended_refusal": "De opvang op de locatie Dorpsstraat 1 is niet vergund door Kind en Gezin. Zonder die "
        "vergunning kan de lokale dienst buurtgerichte kinderopvang niet worden erkend.",
        "intended_suspension": "Kind en Gezin heeft de vergunning voor de locatie Dorpsstraat 1 geschorst met ingang "
        "van 1 augustus 2027.",
        "intended_revocation": "Kind en Gezin heeft de vergunning voor de locatie Dorpsstraat 1 op 15 januari 2028 "
        "ingetrokken.",
    },
    "motivations": {
        "decision_granted": "Alle voorwaarden zijn vervuld. De opvang op de locatie Dorpsstraat 1 is door Kind en "
        "Gezin vergund voor 14 plaatsen voor baby's en peuters, en het Lokaal Overleg Kinderopvang adviseert "
        "gunstig.",
        "decision_partly_granted": "De voorwaarden zijn vervuld. De organisatie stelt 3 VTE doelgroepwerknemers te "
        "werk; met die bezetting kan zij volgens het opvangplan 10 plaatsen flexibel en occasioneel openhouden. De "
        "erkenning wordt daarom verleend voor 10 van de 14 gevraagde opvangplaatsen.",
        "decision_refused": "Kind en Gezin heeft de opvang niet vergund. De erkenning als lokale dienst hangt af van "
        "die vergunning.",
        "objection_decision": "Bij haar bezwaar voegde de organisatie de vergunning die Kind en Gezin op 20 februari "
        "2027 verleende, nadat de buitenspeelruimte was aangelegd. Alle voorwaarden zijn nu vervuld.",
        "suspension": "De vergunning van Kind en Gezin is geschorst; de erkenning hangt af van die vergunning en "
        "wordt daarom geschorst zolang de vergunning geschorst is.",
        "revocation": "Kind en Gezin heeft de vergunning ingetrokken. Zonder vergunning kan de erkenning niet blijven "
        "bestaan.",
    },
    "response": "De buitenspeelruimte wordt in januari aangelegd; de aannemer is besteld (zie offerte). Wij vragen "
    "de beslissing uit te stellen tot Kind en Gezin opnieuw heeft geoordeeld.",
    "response_attachments": ["offerte-buitenspeelruimte.pdf"],
    "hearing_answer": "De erkenning hangt af van een verleende vergunning van Kind en Gezin, niet van een "
    "aangekondigde. De organisatie kan een nieuwe aanvraag indienen zodra de vergunning is verleend.",
}

# -- label_2013: the test-only regime -------------------------------------------------------------

LABEL = {
    "reference": "LDE-2026-LBL031",
    "organisation": {
        "name": "Buurtwerk De Brug vzw",
        "enterprise_number": "0463.902.104",
        "address": ["Brugstraat 5", "2000 Antwerpen"],
    },
    "regime": {"code": "label_2013", "title": "LDE-label (regeling 2013, testregeling)", "version": 2},
    "starts": "1 april 2015",
    "legal_basis": [{"citation": f"{DECREE_2013}, art. 2 en 3", "articles_known": True}],
    "answers": {
        "organisation_name": "Buurtwerk De Brug vzw",
        "enterprise_number": "0463902104",
        "pathways": 8,
        "impact_analysis": True,
        "local_need": "In de wijk Sint-Andries ontbreekt een klusdienst voor ouderen die thuis willen blijven wonen.",
    },
    "refusal_answers": {"impact_analysis": False, "pathways": 4},
    "conditions": [
        _condition(
            "local_need",
            "De dienst beantwoordt een lokale behoefte",
            f"{DECREE_2013}, art. 2",
            reason="De stad bevestigt de vraag naar een klusdienst voor ouderen.",
        ),
        _condition(
            "impact_analysis",
            "Impactanalyse uitgevoerd",
            "de administratie vraagt een impactanalyse door de opdrachtgevende overheid",
            law=False,
            finding="Impactanalyse door de opdrachtgevende overheid",
        ),
        _condition(
            "pathways",
            "Minimale schaal",
            "de administratie hanteert een minimale schaal van inschakelingstrajecten",
            law=False,
            norm="minimum 5 inschakelingstrajecten (regel van de administratie)",
            finding="8 trajecten, minimum 5.",
        ),
    ],
    "refusal": {
        "pathways": {"finding": "4 trajecten, minimum 5.", "reason": "De aanvraag blijft onder de minimale schaal."},
        "impact_analysis": {"finding": None, "reason": "Er is geen impactanalyse van de stad bijgevoegd."},
    },
    "sanction": {},
    "unit": "trajecten",
    "requested": "8",
    "partly": "6",
    "advisor": "de Adviescommissie Sociale Economie",
    "advice": "De adviescommissie adviseert gunstig.",
    "messages": {
        "additions_requested": "Voeg de impactanalyse van de stad toe.",
        "inadmissible": "De impactanalyse van de stad ontbreekt, ook na onze vraag om aanvulling.",
    },
    "motivations": {
        "decision_granted": "De aanvraag voldoet aan alle voorwaarden voor het label.",
        "decision_refused": "De aanvraag blijft onder de minimale schaal en de impactanalyse ontbreekt.",
    },
    "response": "",
    "response_attachments": [],
    "hearing_answer": "",
}

REGIMES: dict[str, dict[str, Any]] = {
    "general": GENERAL,
    "caretakers": CARETAKERS,
    "childcare": CHILDCARE,
    "label_2013": LABEL,
}

# Which answers change for the kinds that refuse: the reason the application fails.
REFUSING = frozenset({"additions_requested", "inadmissible", "intended_refusal", "decision_refused"})


# -- the parts of a context -------------------------------------------------------------------------


def _regime(spec: dict[str, Any], outside_period: bool) -> dict[str, Any]:
    regime = dict(spec["regime"])
    if outside_period:
        regime["in_force"] = f"van {spec['starts']} tot en met 31 maart 2015"
        regime["outside_period"] = True
        regime["period_note"] = (
            "Deze regeling gold tot en met 31 maart 2015. De administratie past ze toe op deze aanvraag omdat de "
            "aanvraag onder deze regeling werd ingediend; de datum van deze brief valt buiten die periode."
        )
    else:
        regime["in_force"] = f"vanaf {spec['starts']}"
        regime["outside_period"] = False
        regime["period_note"] = ""
    return regime


def _own_rules(kind: str) -> list[dict[str, str]]:
    rules = {
        "additions_requested": [_rule("Een aanvulling wordt ingediend binnen 30 kalenderdagen.", ASSUMED)],
        "inadmissible": [_rule("Een aanvulling wordt ingediend binnen 30 kalenderdagen.", ASSUMED)],
        "decision_granted": [
            _rule("Een initiatief stelt minimaal 5 VTE doelgroepwerknemers per jaar te werk.", FROM_2013),
            _rule("Een erkenning geldt voor 5 jaar.", FROM_2013),
        ],
        "decision_refused": [
            _rule("Een initiatief stelt minimaal 5 VTE doelgroepwerknemers per jaar te werk.", FROM_2013),
            _rule("Op een voorgenomen weigering kan de organisatie reageren binnen 15 kalenderdagen.", ASSUMED),
        ],
        "suspension": [
            _rule("Op een voorgenomen schorsing kan de organisatie reageren binnen 15 kalenderdagen.", ASSUMED),
            _rule("Een schorsing duurt hoogstens zes maanden.", ASSUMED),
        ],
        "revocation": [
            _rule("Op een voorgenomen intrekking kan de organisatie reageren binnen 15 kalenderdagen.", ASSUMED),
        ],
    }
    rules["decision_partly_granted"] = rules["decision_granted"]
    rules["objection_decision"] = [
        *rules["decision_granted"],
        _rule("Een bezwaar wordt ingediend binnen 30 kalenderdagen na de kennisgeving van de beslissing.", ASSUMED),
    ]
    return [dict(rule) for rule in rules.get(kind, [])]


def _procedure(spec: dict[str, Any], kind: str) -> list[dict[str, str]]:
    submitted = _step("3 november 2026", "De organisatie diende de aanvraag in via ldapply.")
    additions = _step("9 november 2026", "De administratie vroeg de organisatie om een aanvulling.")
    handed_in = _step("20 november 2026", "De organisatie diende de gevraagde aanvulling in.")
    admissible = _step("24 november 2026", "De administratie verklaarde de aanvraag ontvankelijk.")
    advice = _step("27 november 2026", f"De administratie vroeg advies aan {spec['advisor']}.")
    review = [submitted, additions, handed_in, admissible, advice]
    steps: dict[str, list[dict[str, str]]] = {
        "receipt": [submitted],
        "additions_requested": [submitted],
        "additions_received": [submitted, additions],
        "inadmissible": [
            submitted,
            additions,
            _step(
                "9 december 2026", "De termijn voor de aanvulling verstreek zonder dat de aanvulling werd ingediend."
            ),
        ],
        "intended_refusal": review,
        "decision_granted": review,
        "decision_partly_granted": review,
        "decision_refused": [
            *review,
            _step("14 december 2026", "De administratie deelde de voorgenomen weigering mee."),
        ],
    }
    granted = [*review, _step("18 december 2026", "De administratie verleende de erkenning.")]
    steps["objection_decision"] = [
        *steps["decision_refused"],
        _step("12 januari 2027", "De administratie weigerde de erkenning."),
        _step("5 februari 2027", "De organisatie diende bezwaar in tegen de beslissing van 12 januari 2027."),
    ]
    steps["intended_suspension"] = [*granted, _step("1 januari 2027", "De erkenning ging in.")]
    steps["suspension"] = [
        *steps["intended_suspension"],
        _step("6 september 2027", "De administratie deelde de voorgenomen schorsing mee."),
    ]
    steps["intended_revocation"] = [
        *steps["suspension"],
        _step("11 oktober 2027", "De administratie schorste de erkenning."),
    ]
    steps["revocation"] = [
        *steps["intended_revocation"],
        _step("7 februari 2028", "De administratie deelde de voorgenomen intrekking mee."),
    ]
    return [dict(step) for step in steps[kind]]


def _advice(spec: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    if kind not in {"decision_granted", "decision_partly_granted", "decision_refused", "objection_decision"}:
        return []
    answer = (
        None if kind == "decision_granted" else "De administratie volgt het advies niet volledig; zie de motivering."
    )
    return [{"on": "10 december 2026", "text": spec["advice"], "answer": answer}]


def _hearing(spec: dict[str, Any], kind: str, responded: bool | None) -> dict[str, Any] | None:
    notified = {
        "decision_refused": "14 december 2026",
        "suspension": "6 september 2027",
        "revocation": "7 februari 2028",
    }
    if kind not in notified:
        return None
    if responded is None:
        responded = kind != "revocation"  # the revocation comes after a hearing nobody answered
    responses = {"decision_refused": "28 december 2026", "suspension": "19 september 2027"}
    return {
        "notified_on": notified[kind],
        "period_text": f"binnen 15 dagen na de datum van die brief ({OWN_RULE})",
        "response_on": responses.get(kind, "20 februari 2028") if responded else None,
        "response": spec["response"] if responded else None,
        "attachments": list(spec["response_attachments"]) if responded else [],
        "answer": spec["hearing_answer"] if responded else None,
    }


def _conditions(spec: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    conditions = copy.deepcopy(spec["conditions"])
    if kind in {"receipt", "additions_requested", "additions_received", "inadmissible"}:
        return []
    changes = {}
    if kind in {"intended_refusal", "decision_refused"}:
        changes = spec["refusal"]
    elif kind in {"intended_suspension", "suspension", "intended_revocation", "revocation"}:
        changes = spec["sanction"]
    for condition in conditions:
        change = changes.get(condition["code"])
        if change is not None:
            condition.update({"met": False, **change})
    return conditions


def _decision(spec: dict[str, Any], kind: str, upheld: bool = True) -> dict[str, Any] | None:
    """As the builder makes it: start_date is the date the decision takes effect; a grant has an end date
    and duration_text, a full sentence saying the duration is the administration's own rule."""
    decided_on = DATES[kind]
    if kind == "objection_decision" and not upheld:
        kind = "decision_refused"  # the objection fails: the reconsidered decision refuses
    requested = spec["requested"]
    outcomes: dict[str, tuple[str, str, str]] = {
        "decision_granted": ("grant", "Erkenning toekennen", requested),
        "objection_decision": ("grant", "Erkenning toekennen", requested),
        "decision_partly_granted": ("partial_grant", "Gedeeltelijk erkennen", spec["partly"]),
        "decision_refused": ("refuse", "Erkenning weigeren", "—"),
        "suspension": ("suspend", "Erkenning schorsen", "—"),
        "revocation": ("revoke", "Erkenning intrekken", "—"),
    }
    if kind not in outcomes:
        return None
    outcome, label, granted = outcomes[kind]
    context = {
        "outcome": outcome,
        "outcome_label": label,
        "volume_requested": requested,
        "volume_granted": granted,
        "unit": spec["unit"],
        "start_date": {"suspension": "15 oktober 2027", "revocation": "1 april 2028"}.get(kind, decided_on),
        "end_date": None,
        "duration_text": "",
        "duration_is_law": True,
    }
    if outcome in {"grant", "partial_grant"}:
        start, end = (
            ("1 april 2027", "31 maart 2032")
            if decided_on == DATES["objection_decision"]
            else (
                "1 januari 2027",
                "31 december 2031",
            )
        )
        context.update(
            start_date=start,
            end_date=end,
            duration_text=f"De erkenning geldt voor 5 jaar, tot en met {end}. Die duur is een regel die de "
            "administratie zelf hanteert (naar het model van de regeling van 2013); ze steunt niet op een gekend "
            "artikel.",
            duration_is_law=False,
        )
    elif outcome == "suspend":
        context["duration_text"] = (
            "De schorsing duurt tot de organisatie aantoont dat zij opnieuw aan de voorwaarden voldoet, en hoogstens "
            f"zes maanden ({OWN_RULE})."
        )
    return context


def _sections(spec: dict[str, Any], answers: dict[str, Any]) -> list[dict[str, Any]]:
    organisation = spec["organisation"]
    rows = [
        {
            "title": "Organisatie",
            "rows": [
                {"label": "Naam van de organisatie", "value": organisation["name"]},
                {"label": "Ondernemingsnummer (KBO)", "value": organisation["enterprise_number"]},
            ],
        },
    ]
    labels = {
        "service_description": "Beschrijving van de dienst",
        "commissioning_authority": "Opdrachtgevende overheid",
        "target_group_fte": "Gevraagde VTE doelgroepwerknemers",
        "supervisory_fte": "Gevraagde VTE omkadering",
        "shm_name": "Naam van de sociale huisvestingsmaatschappij",
        "caretaker_fte": "Gevraagde VTE huisbewaarders",
        "local_need": "Lokale behoefte",
        "opening_hours": "Openingsuren",
        "priority_rules": "Voorrangsregels",
        "pathways": "Aantal inschakelingstrajecten",
    }
    given = [
        {"label": label, "value": str(answers[name]).replace(".", ",") if name.endswith("fte") else str(answers[name])}
        for name, label in labels.items()
        if answers.get(name) not in (None, "")
    ]
    rows.append({"title": "Aanvraag", "rows": given})
    return rows


def _motivation(spec: dict[str, Any], kind: str, upheld: bool) -> str:
    if kind == "objection_decision" and not upheld:
        refused = spec["motivations"].get("decision_refused", "")
        return f"Het bezwaar brengt geen nieuwe gegevens aan die de beoordeling veranderen. {refused}"
    return str(spec["motivations"].get(kind, ""))


def _remedies(kind: str, objection: bool) -> dict[str, Any]:
    has_objection = objection and kind != "objection_decision"
    return {"objection": dict(OBJECTION) if has_objection else None, "council_of_state": dict(COUNCIL_OF_STATE)}


def example_context(
    regime_code: str,
    kind: str,
    *,
    outside_period: bool = False,
    objection: bool = False,
    hearing_response: bool | None = None,
    with_contact: bool = True,
    objection_upheld: bool = True,
) -> dict[str, Any]:
    """A context of schema 2 for this regime and letter kind.

    `outside_period`: the letter is dated outside the regime's period; `objection`: the regime has an
    administrative objection (remedies.objection is set); `hearing_response`: whether the organisation
    responded in the hearing (None: the kind's own default); `with_contact`: a contact person is named;
    `objection_upheld`: for objection_decision, whether the reconsidered decision grants (else it refuses).
    """
    spec = REGIMES[regime_code]
    if kind not in REGIME_KINDS[regime_code]:
        raise KeyError(f"regime {regime_code} has no letter {kind}")
    answers = copy.deepcopy(spec["answers"])
    if kind in REFUSING:
        answers.update(copy.deepcopy(spec["refusal_answers"]))
    is_decision = kind in DECISION_KINDS
    title = LABEL_TITLES.get(kind, TITLES[kind]) if regime_code == "label_2013" else TITLES[kind]
    return {
        "schema": 2,
        "kind": kind,
        "title": title,
        "is_decision": is_decision,
        "reference": spec["reference"],
        "date": DATES[kind],
        "sender": copy.deepcopy(SENDER),
        "contact": dict(CONTACT) if with_contact else None,
        "organisation": dict(spec["organisation"]),
        "regime": _regime(spec, outside_period),
        "legal_basis": copy.deepcopy(spec["legal_basis"]),
        "own_rules": _own_rules(kind),
        "procedure": _procedure(spec, kind),
        "hearing": _hearing(spec, kind, hearing_response),
        "advice": _advice(spec, kind),
        "message": spec["messages"].get(kind, ""),
        "motivation": _motivation(spec, kind, objection_upheld),
        "conditions": _conditions(spec, kind),
        "decision": _decision(spec, kind, objection_upheld),
        "deadlines": copy.deepcopy(DEADLINES),
        "remedies": _remedies(kind, objection),
        "signatory": dict(SIGNATORY_DECISION if is_decision else SIGNATORY_NOTICE),
        "verification": dict(VERIFICATION),
        "answers": answers,
        **_handed_in(spec, answers, kind),
        "additions_request": _additions_request(answers) if kind == "additions_received" else None,
        "parameters": copy.deepcopy(PARAMETERS),
    }


SUBMITTED_AT = "3 november 2026 om 14.05 uur (Belgische tijd)"
HANDED_IN_AT = "20 november 2026 om 10.12 uur (Belgische tijd)"


def _handed_in(spec: dict[str, Any], answers: dict[str, Any], kind: str) -> dict[str, Any]:
    """sections, submitted_at and attachments: everything handed in for the receipt, only the answers the
    additions changed (the first file's question) for the receipt of additions."""
    if kind == "receipt":
        return {
            "sections": _sections(spec, answers),
            "submitted_at": SUBMITTED_AT,
            "attachments": _attachments(answers),
        }
    if kind != "additions_received":
        return {"sections": _sections(spec, answers), "submitted_at": None, "attachments": []}
    files = _attachments(answers)[:1]
    rows = [{"label": f["label"], "value": f["filename"]} for f in files]
    rows.append({"label": "Lokale behoefte", "value": str(answers.get("local_need") or "Toegelicht in de bijlage.")})
    return {"sections": [{"title": "Aanvulling", "rows": rows}], "submitted_at": HANDED_IN_AT, "attachments": files}


def _additions_request(answers: dict[str, Any]) -> dict[str, Any]:
    """The request the additions answer: the first file's question (changed) and the local need (not changed)."""
    files = _attachments(answers)[:1]
    asked = [{"step": "Bijlagen", "label": f["label"], "changed": True} for f in files]
    asked.append({"step": "Dienst en lokale behoefte", "label": "Lokale behoefte", "changed": False})
    return {"on": "9 november 2026", "asked": asked}


# Realistic SHA-256 fingerprints of the example files (the receipt prints them in full).
EXAMPLE_SHA256 = (
    "9f2c4e7a1b0d3f58c6e2a9b4d7f1036e5a8c2b9d4e7f0a3c6b9e2d5f8a1c4b7e",
    "3b8e1f4a7c0d2e5b8f1a4c7e0b3d6f9a2c5e8b1d4f7a0c3e6b9d2f5a8c1e4b70",
    "c4a7e0b3d6f9a2c5e8b1d4f7a0c3e6b9d2f5a8c1e4b7e0a3d6f9c2b5e8a1d4f7",
)
ATTACHMENT_LABELS = {
    "commission_decision": "Beslissing van de overheid (PDF)",
    "kg_authorisation": "Vergunning van Kind en Gezin (PDF)",
    "lok_advice": "Advies van het Lokaal Overleg Kinderopvang (PDF)",
    "fire_safety_certificate": "Brandveiligheidsattest (PDF)",
}


def _attachments(answers: dict[str, Any]) -> list[dict[str, str]]:
    """The receipt's list of files as submitted, in the order of the steps, one per upload."""
    found = []
    for name, label in ATTACHMENT_LABELS.items():
        reference = answers.get(name)
        if isinstance(reference, dict) and reference.get("filename"):
            sha256 = EXAMPLE_SHA256[len(found) % len(EXAMPLE_SHA256)]
            found.append({"label": label, "filename": reference["filename"], "sha256": sha256, "size": "212,4 kB"})
    return found


# Variations worth rendering besides the defaults: (regime, kind, keyword arguments).
VARIANTS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("general", "decision_refused", {"hearing_response": False}),
    ("caretakers", "revocation", {"hearing_response": True}),
    ("childcare", "suspension", {"hearing_response": False}),
    ("general", "decision_granted", {"outside_period": True, "objection": True}),
    ("caretakers", "receipt", {"outside_period": True, "with_contact": False}),
    ("childcare", "decision_refused", {"objection": True}),
    ("childcare", "intended_refusal", {"outside_period": True}),
    ("label_2013", "decision_granted", {"outside_period": True}),
    ("caretakers", "objection_decision", {"objection_upheld": False}),
)
