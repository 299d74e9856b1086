"""Sample letters: every letter kind of every regime, from a realistic case, through the same
context builder, templates and renderer as the worker, so lawyers can review the whole set.

`flask ldapply sample-letters DIR` writes them as PDF files and registers each, so that /verify
accepts their codes; the back office shows the same set as HTML.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..clock import local_date, utcnow
from ..extensions import db
from ..models import Application, ApplicationEvent, Letter, LetterStatus, Organisation, User
from ..workflows import REGIMES
from ..workflows._spec import Regime
from .letter_context import CaseRecord, EventRecord, Person, ProposalRecord, VerdictRecord, build_context
from .letters import new_verification_code, render_html, render_pdf, sender
from .storage import get_storage

SAMPLE_REFERENCE = "VOORBEELD-{code}"
SAMPLE_ORGANISATION = "Voorbeeldbrieven ldapply (geen echte organisatie)"
SAMPLE_USER = "voorbeeldbrieven@ldapply.invalid"
NO_LOGIN = "!"  # matches no password hash: the account that holds sample letters cannot log in

# The moves after submission that lead to each letter; the last one issues it (or proposes the decision).
_REVIEW = ("start_admissibility", "accept_for_review", "request_advice", "record_advice")
_REFUSED = (*_REVIEW, "announce_refusal", "respond_to_hearing", "propose_refusal")
_ACTIVE = (*_REVIEW, "propose_grant", "confirm_grant", "activate")
PATHS: dict[str, tuple[str, ...]] = {
    "receipt": (),
    "additions_requested": ("start_admissibility", "request_additions"),
    "inadmissible": ("start_admissibility", "request_additions", "submit_additions", "propose_inadmissible"),
    "intended_refusal": (*_REVIEW, "announce_refusal"),
    "decision_granted": (*_REVIEW, "propose_grant"),
    "decision_partly_granted": (*_REVIEW, "propose_partial_grant"),
    "decision_refused": _REFUSED,
    "objection_decision": (*_REFUSED, "confirm_refusal", "lodge_objection", "propose_reject_objection"),
    "intended_suspension": (*_ACTIVE, "announce_suspension"),
    "suspension": (*_ACTIVE, "announce_suspension", "respond_to_suspension_hearing", "propose_suspension"),
    "intended_revocation": (*_ACTIVE, "announce_revocation"),
    "revocation": (*_ACTIVE, "announce_revocation", "end_revocation_hearing", "propose_revocation"),
}

TEXTS = {
    "request_additions": "Bezorg de beslissing van het college van burgemeester en schepenen waarin de opdracht "
    "aan uw organisatie wordt gegeven; de bijgevoegde nota is geen beslissing.",
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
    "partial_grant": "De aanvraag voldoet aan de voorwaarden, maar het gevraagde volume overschrijdt wat de "
    "dienst volgens het ondernemingsplan in het eerste jaar kan inzetten.",
    "refuse": "De organisatie toont niet aan dat de dienst een lokale behoefte beantwoordt die het bestaande aanbod "
    "niet dekt.",
    "inadmissible": "De aanvraag is ook na de gevraagde aanvulling onvolledig: de beslissing van de opdrachtgevende "
    "overheid ontbreekt nog altijd.",
    "objection_rejected": "Het bezwaar is ongegrond. De bevraging waarop het bezwaar steunt, werd al bij de "
    "beslissing beoordeeld; het bezwaar brengt geen nieuwe feiten aan.",
    "suspend": "De activiteiten worden niet afzonderlijk geregistreerd, wat een voorwaarde van de erkenning is. "
    "De schorsing loopt tot de afzonderlijke registratie is aangetoond.",
    "revoke": "De dienst wordt niet meer verleend; de erkenning heeft geen voorwerp meer.",
}
HEARING_ANSWERS = {
    "refuse": "De bevraging telt de vragen naar elke vorm van hulp in de buurt, niet naar deze dienst; de "
    "wachtlijsten van de bestaande aanbieders zijn niet gestaafd.",
    "suspend": "Het verslag van de boekhouder toont een afzonderlijke registratie vanaf 1 oktober; voor de periode "
    "daarvoor ontbreekt ze nog, en die periode is het voorwerp van de schorsing.",
}
ADVICE_ANSWER = (
    "De administratie volgt het advies van het Forum over het aanvullend karakter; over de lokale behoefte "
    "oordeelt zij zelf op grond van de stukken."
)
# A sample case falls inside the period of the 2006-2008 regimes, after the call of December 2008.
SAMPLE_NOW = datetime(2009, 3, 16, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Sample:
    regime: Regime
    kind: str
    context: dict[str, Any]


def sample_case(regime: Regime, kind: str, *, code: str, now: datetime | None = None) -> CaseRecord:
    """A realistic case that reaches `kind`: the regime's example answers and the moves that lead there."""
    now = now or SAMPLE_NOW
    path = ("submit", *PATHS[kind])
    # Three days between moves; a hearing period that ends runs its full length first.
    gaps = [16 if (t := regime.transition(a)) is not None and t.automatic else 3 for a in path]
    start = now - timedelta(days=sum(gaps) + 3)
    events = tuple(_event(regime, action, start + timedelta(days=sum(gaps[: i + 1]))) for i, action in enumerate(path))
    refused = any((t := regime.transition(a)) is not None and t.proposes == "refuse" for a in path)
    proposal = _proposal(regime, path)
    return CaseRecord(
        reference=f"LDE-2009-{regime.code.upper()[:4]}01",
        organisation_name=str(regime.example_answers.get("organisation_name", "Voorbeeld vzw")),
        enterprise_number=str(regime.example_answers.get("enterprise_number", "0403170701")),
        answers=dict(regime.example_answers),
        parameters=regime.parameter_values_json(),
        started_on=local_date(start),
        events=events,
        verdicts=_verdicts(regime, refused),
        proposal=proposal,
        signatory=Person(
            "Bea Beslisser",
            "Afdelingshoofd Sociale Economie",
            "het besluit van de secretaris-generaal van 1 september 2026 houdende delegatie van "
            "beslissingsbevoegdheden, art. 3 (voorbeeld)",
            "bea.beslisser@vlaanderen.be",
        ),
        contact=Person("Dirk Dossierbehandelaar", "", "", "dirk.dossierbehandelaar@vlaanderen.be"),
        issued_at=now,
        verification_code=code,
        message=TEXTS.get(path[-1], "") if not regime.letter(kind).is_decision else "",
        submitted_on=local_date(events[0].at),
        call={"title": "Oproep lokale diensteneconomie 2008-2009", "closes_on": "2 februari 2009"}
        if regime.uses_calls
        else None,
    )


def _event(regime: Regime, action: str, at: datetime) -> EventRecord:
    transition = regime.transition(action)
    files = ("bijlage-bij-de-reactie.pdf",) if transition is not None and transition.responds else ()
    target = transition.target if transition else ""
    source = sorted(transition.sources)[0] if transition else ""
    return EventRecord(action, source, target, at, TEXTS.get(action), files)


def _proposal(regime: Regime, path: tuple[str, ...]) -> ProposalRecord | None:
    proposing = [t for a in path if (t := regime.transition(a)) is not None and t.proposes]
    if not proposing:
        return None
    outcome = proposing[-1].proposes or ""
    requested = regime.volume(regime.example_answers) if regime.volume else Decimal(0)
    volume = (requested / 2).to_integral_value() if proposing[-1].asks_volume else None
    considerations = {"advice": ADVICE_ANSWER}
    if any((t := regime.transition(a)) is not None and t.responds for a in path) and outcome in HEARING_ANSWERS:
        considerations["hearing"] = HEARING_ANSWERS[outcome]
    return ProposalRecord(outcome, MOTIVATIONS.get(outcome, ""), volume, considerations)


def _verdicts(regime: Regime, refused: bool) -> dict[str, VerdictRecord]:
    verdicts = {c.code: VerdictRecord(True, None) for c in regime.conditions}
    if refused and regime.conditions:
        # A condition without an automatic finding: the reviewer's judgement, not a contradiction of one.
        code = next((c.code for c in regime.conditions if c.check is None), regime.conditions[0].code)
        verdicts[code] = VerdictRecord(
            False,
            "De aanvraag noemt geen cijfers en geen vragen van bewoners; dat het bestaande aanbod de behoefte niet "
            "dekt, blijkt nergens uit.",
        )
    return verdicts


def sample(regime: Regime, kind: str, code: str = "VOORBEELD0000") -> Sample:
    return Sample(regime, kind, build_context(sample_case(regime, kind, code=code), regime, kind, sender()))


def all_samples() -> list[Sample]:
    return [sample(regime, spec.key) for regime in REGIMES.values() for spec in regime.letters]


def write_sample_letters(folder: Path) -> list[Path]:
    """Render every kind of every regime to `folder` as <regime>-<kind>.pdf, registered for /verify."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for regime in REGIMES.values():
        application = _sample_application(regime)
        for spec in regime.letters:
            code = new_verification_code()
            context = build_context(sample_case(regime, spec.key, code=code), regime, spec.key, sender()) | {
                "reference": application.reference
            }
            pdf = render_pdf(render_html(regime.code, spec.key, context))
            path = folder / f"{regime.code}-{spec.key}.pdf"
            path.write_bytes(pdf)
            _register(application, regime, spec.key, context, code, pdf)
            written.append(path)
    db.session.commit()
    return written


def _sample_application(regime: Regime) -> Application:
    """One application per regime holds the registered sample letters; it is never submitted."""
    reference = SAMPLE_REFERENCE.format(code=regime.code.upper())
    found = db.session.scalar(select(Application).where(Application.reference == reference))
    if found is not None:
        return found
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == SAMPLE_ORGANISATION))
    if organisation is None:
        organisation = Organisation(name=SAMPLE_ORGANISATION)
        db.session.add(organisation)
    user = db.session.scalar(select(User).where(User.email == SAMPLE_USER))
    if user is None:
        user = User(
            email=SAMPLE_USER,
            name="Voorbeeldbrieven",
            password_hash=NO_LOGIN,
            active=False,
            session_token=secrets.token_hex(16),
        )
        db.session.add(user)
    db.session.flush()
    application = Application(
        reference=reference,
        organisation_id=organisation.id,
        regime_code=regime.code,
        regime_version=regime.version,
        state=regime.initial_state,
        answers=dict(regime.example_answers),
        completed_steps=[],
        created_by_id=user.id,
    )
    db.session.add(application)
    db.session.flush()
    return application


def _register(
    application: Application, regime: Regime, kind: str, context: dict[str, Any], code: str, pdf: bytes
) -> None:
    event = ApplicationEvent(
        id=uuid.uuid4(),
        application_id=application.id,
        actor_id=None,
        action=f"sample:{kind}",
        from_state=application.state,
        to_state=application.state,
        comment=None,
    )
    db.session.add(event)
    db.session.flush()
    letter_id = uuid.uuid4()
    stored = get_storage().put(f"letters/{letter_id}.pdf", pdf)
    db.session.add(
        Letter(
            id=letter_id,
            application_id=application.id,
            event_id=event.id,
            kind=kind,
            regime_code=regime.code,
            regime_version=regime.version,
            status=LetterStatus.RENDERED,
            context=context,
            storage_key=stored.key,
            sha256=hashlib.sha256(pdf).hexdigest(),
            size=len(pdf),
            attempts=1,
            verification_code=code,
            dispatched_at=utcnow(),
            rendered_at=utcnow(),
        )
    )
