"""A realistic example case of the shared LDE procedure, for the sample letters lawyers review
(`flask ldapply sample-letters`): the moves that lead to each letter and what people wrote on the way."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from .._spec import ExampleCase

# The moves after submission that lead to each letter; the last one issues it (or proposes the decision).
_REVIEW = ("start_admissibility", "accept_for_review", "request_advice", "record_advice")
_REFUSED = (*_REVIEW, "announce_refusal", "respond_to_hearing", "propose_refusal")
_ACTIVE = (*_REVIEW, "propose_grant", "confirm_grant", "activate")
PATHS = {
    "receipt": (),
    "additions_requested": ("start_admissibility", "request_additions"),
    "additions_received": ("start_admissibility", "request_additions", "submit_additions"),
    "inadmissible": ("start_admissibility", "request_additions", "submit_additions", "propose_inadmissible"),
    "intended_refusal": (*_REVIEW, "announce_refusal"),
    "decision_granted": (*_REVIEW, "propose_grant"),
    "decision_partly_granted": (*_REVIEW, "announce_refusal", "respond_to_hearing", "propose_partial_grant"),
    "decision_refused": _REFUSED,
    "objection_decision": (*_REFUSED, "confirm_refusal", "lodge_objection", "propose_reject_objection"),
    "intended_suspension": (*_ACTIVE, "announce_suspension"),
    "suspension": (*_ACTIVE, "announce_suspension", "respond_to_suspension_hearing", "propose_suspension"),
    "intended_revocation": (*_ACTIVE, "announce_revocation"),
    "revocation": (*_ACTIVE, "announce_revocation", "end_revocation_hearing", "propose_revocation"),
}

TEXTS = {
    "request_additions": "Het stuk dat u bijvoegde, is niet ondertekend en niet gedateerd. Voeg de ondertekende en "
    "gedateerde versie toe.",
    "record_advice": "Het Forum voor Lokaal Werkgelegenheidsbeleid adviseert gunstig: de dienst beantwoordt een "
    "lokale behoefte en vult het bestaande aanbod aan.",
    "announce_refusal": "Uit de aanvraag blijkt niet dat de dienst een lokale behoefte beantwoordt die het "
    "bestaande aanbod in de wijk niet dekt: de aanvraag noemt geen cijfers en geen vragen van bewoners.",
    "respond_to_hearing": "Wij voegen de bevraging bij die het buurtcentrum in januari hield: 140 bewoners vragen "
    "naar deze dienst, en de twee bestaande aanbieders hebben een wachtlijst.",
    "lodge_objection": "Wij betwisten de beoordeling van de lokale behoefte: de bevraging toont die behoefte aan.",
    "announce_suspension": "Uit het jaarverslag blijkt dat de activiteiten in de lokale diensteneconomie niet "
    "afzonderlijk worden geregistreerd.",
    "respond_to_suspension_hearing": "De afzonderlijke boekhouding is sinds 1 oktober ingericht; wij voegen het "
    "verslag van de boekhouder bij.",
    "propose_reject_objection": "",
    "announce_revocation": "De dienst wordt sinds zes maanden niet meer verleend en de doelgroepwerknemers zijn "
    "ontslagen.",
}
MOTIVATIONS = {
    "grant": "De aanvraag voldoet aan alle voorwaarden. Het advies is gunstig en de dienst vult het bestaande aanbod "
    "in de buurt aan.",
    "partial_grant": "De bevraging die de organisatie na de voorgenomen weigering bijvoegde, toont een lokale "
    "behoefte aan, maar niet voor het hele gevraagde volume: voor het erkende deel zijn de voorwaarden vervuld, "
    "het gevraagde volume overschrijdt wat de dienst volgens het ondernemingsplan in het eerste jaar kan inzetten.",
    "refuse": "De organisatie toont niet aan dat de dienst een lokale behoefte beantwoordt die het bestaande aanbod "
    "niet dekt.",
    "inadmissible": "De aanvraag is ook na de gevraagde aanvulling onvolledig: het stuk dat u opnieuw bijvoegde, is "
    "nog altijd niet ondertekend.",
    "objection_rejected": "Het bezwaar is ongegrond. De bevraging waarop het bezwaar steunt, werd al bij de "
    "beslissing beoordeeld; het bezwaar brengt geen nieuwe feiten aan.",
    "suspend": "De activiteiten worden niet afzonderlijk geregistreerd, wat een voorwaarde van de erkenning is. "
    "De schorsing loopt tot de afzonderlijke registratie is aangetoond.",
    "revoke": "De dienst wordt niet meer verleend; de erkenning heeft geen voorwerp meer.",
}
HEARING_ANSWERS = {
    "refuse": "De bevraging telt de vragen naar elke vorm van hulp in de buurt, niet naar deze dienst; de "
    "wachtlijsten van de bestaande aanbieders zijn niet gestaafd.",
    "partial_grant": "De bevraging toont de vraag van 140 bewoners naar deze dienst: die behoefte is daarmee "
    "aangetoond voor een deel van de dienst, niet voor het volledige gevraagde volume.",
    "suspend": "Het verslag van de boekhouder toont een afzonderlijke registratie vanaf 1 oktober; voor de periode "
    "daarvoor ontbreekt ze nog, en die periode is het voorwerp van de schorsing.",
}
ADVICE_ANSWER = (
    "De administratie volgt het advies van het Forum over het aanvullend karakter; over de lokale behoefte "
    "oordeelt zij zelf op grond van de stukken."
)


EXAMPLE_CASE = ExampleCase(
    paths=PATHS,
    texts=TEXTS,
    motivations=MOTIVATIONS,
    hearing_answers=HEARING_ANSWERS,
    advice_answer=ADVICE_ANSWER,
    reason_not_met="De aanvraag noemt geen cijfers en geen vragen van bewoners; dat het bestaande aanbod de behoefte "
    "niet dekt, blijkt nergens uit.",
    # Inside the period of the 2006-2008 regimes; every sample is submitted while its (made-up) call is open.
    on=datetime(2009, 3, 16, 10, 0, tzinfo=UTC),
    reference="LDE-2009-{code}01",
    call={"title": "Oproep lokale diensteneconomie 2009", "closes_on": "31 maart 2009"},
)


def sample_sha256(filename: str) -> str:
    """A real-looking SHA-256 for an example file: the hash of a sample content string, distinct per file,
    so a sample receipt prints what a real one prints."""
    return hashlib.sha256(f"ldapply voorbeeldbestand: {filename}".encode()).hexdigest()
