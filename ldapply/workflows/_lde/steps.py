"""The form steps and choice lists the LDE regimes share (domain brief 8.1)."""

from __future__ import annotations

from .. import _fields as f
from .._spec import Step, Text

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

# Upload kinds the regimes allow: a signed decision may be a scan; a plan may come from a word processor.
DOCUMENT_OR_SCAN = ("pdf", "png", "jpeg")
TEXT_DOCUMENT = ("pdf", "odt", "docx")
PLAN_DOCUMENTS = ("pdf", "odt", "docx", "xlsx", "ods")

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
            "Beslissing van de overheid",
            "Decision of the authority",
            kinds=DOCUMENT_OR_SCAN,
            max_files=3,
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
        f.money(
            "budget_flemish",
            "Vlaamse overheid (sociale economie)",
            "Flemish government (social economy)",
            min_value="0",
            max_value="100000000",
        ),
        f.money(
            "budget_federal",
            "Federale overheid (SINE)",
            "Federal government (SINE)",
            min_value="0",
            max_value="100000000",
        ),
        f.money(
            "budget_commissioning",
            "Opdrachtgevende of sectorale overheid",
            "Commissioning or sector authority",
            min_value="0",
            max_value="100000000",
        ),
        f.money("budget_users", "Gebruikers", "Users", min_value="0", max_value="100000000"),
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
            "Verklaart u dat de dienst geen bestaande banen verdringt?",
            "Do you declare that the service does not displace existing jobs?",
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
