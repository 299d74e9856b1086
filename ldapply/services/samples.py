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
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..clock import local_date, utcnow
from ..extensions import db
from ..models import Application, ApplicationEvent, Letter, LetterStatus, Organisation, User
from ..workflows import REGIMES
from ..workflows._spec import ExampleCase, Regime, Transition, Verdict
from .answers import attachments
from .letter_context import (
    CaseRecord,
    EventRecord,
    Person,
    ProposalRecord,
    RequestedItem,
    VerdictRecord,
    build_context,
    prepared_in_assessment,
)
from .letters import new_verification_code, render_html, render_pdf, sender
from .motivation import norm_unset
from .parameter_changes import in_effect
from .storage import get_storage

SAMPLE_REFERENCE = "VOORBEELD-{code}"
SAMPLE_ORGANISATION = "Voorbeeldbrieven ldapply (geen echte organisatie)"
SAMPLE_USER = "voorbeeldbrieven@ldapply.invalid"
NO_LOGIN = "!"  # matches no password hash: the account that holds sample letters cannot log in


@dataclass(frozen=True)
class Sample:
    regime: Regime
    kind: str
    context: dict[str, Any]


def sample_case(regime: Regime, kind: str, *, code: str, now: datetime | None = None) -> CaseRecord:
    """A realistic case that reaches `kind`: the regime's example answers and the moves that lead there."""
    example = example_of(regime)
    now = now or example.on
    path = ("submit", *example.paths[kind])
    # Three days between moves; a hearing period that ends runs its full length first. A letter the last
    # move issues is issued at that move and does not list it (as `letters.case_record`): a receipt's time
    # is the time of the submission; a decision follows three days after its proposal.
    issued_by_move = (last := regime.transition(path[-1])) is not None and last.letter == kind
    gaps = [16 if (t := regime.transition(a)) is not None and t.automatic else 3 for a in path]
    start = now - timedelta(days=sum(gaps) + (0 if issued_by_move else 3))
    asked = _asked_items(regime)
    timeline = tuple(
        _event(regime, example, action, start + timedelta(days=sum(gaps[: i + 1])), asked)
        for i, action in enumerate(path)
    )
    events = timeline[:-1] if issued_by_move else timeline
    proposal = _proposal(regime, example, path)
    # A refusal rests on a condition not met; a partial grant, heard too, grants the part that meets them all.
    adverse = proposal is not None and not regime.outcome(proposal.outcome).grants
    return CaseRecord(
        reference=example.reference.format(code=regime.code.upper()[:4]),
        organisation_name=str(regime.example_answers.get("organisation_name", "Voorbeeld vzw")),
        enterprise_number=str(regime.example_answers.get("enterprise_number", "0403170701")),
        answers=dict(regime.example_answers),
        parameters=regime.parameter_values_json(),
        started_on=local_date(start),
        events=events,
        verdicts=_verdicts(regime, example, adverse and prepared_in_assessment(regime, proposing(regime, path))),
        proposal=proposal,
        signatory=Person(
            "Bea Beslisser",
            "Afdelingshoofd Sociale Economie",
            "het besluit van de secretaris-generaal houdende delegatie van beslissingsbevoegdheden (voorbeeld)",
            "bea.beslisser@vlaanderen.be",
            delegation_found=False,  # made up: printed as the administration's record, not as a found act
        ),
        contact=Person("Dirk Dossierbehandelaar", "", "", "dirk.dossierbehandelaar@vlaanderen.be"),
        issued_at=now,
        verification_code=code,
        message=example.texts.get(path[-1], "") if not regime.letter(kind).is_decision else "",
        submitted_on=local_date(timeline[0].at),
        call=example.call if regime.uses_calls else None,
        # The hand-in of the sample additions changed what the request asked.
        items=asked if kind in {t.letter for t in regime.transitions if t.hands_in} else (),
        organisation_address=example.organisation_address,
        requested=_requested(regime, example, path, asked, now),
    )


def _requested(
    regime: Regime, example: ExampleCase, path: tuple[str, ...], asked: tuple[str, ...], now: datetime
) -> tuple[RequestedItem, ...]:
    """What the sample request for additions asks, when its move issues the letter: the first file, with the
    move's text, by the date a reviewer would be offered (the letter's date plus the regime's days)."""
    last = regime.transition(path[-1])
    if last is None or last.submits or not regime.state(last.target).applicant_edits:
        return ()
    days = regime.parameter_values().get(regime.state(last.target).deadline or "")
    due = local_date(now) + timedelta(days=int(days)) if days is not None else None
    return tuple(RequestedItem(name, example.texts.get(last.action, ""), due) for name in asked)


def _asked_items(regime: Regime) -> tuple[str, ...]:
    """What the sample request for additions asks: the first file among the example answers."""
    found = attachments(regime.example_answers, regime)
    return (found[0].answer,) if found else ()


def example_of(regime: Regime) -> ExampleCase:
    if regime.example_case is None:
        raise LookupError(f"regime {regime.code!r} declares no example case for sample letters")
    return regime.example_case


def proposing(regime: Regime, path: tuple[str, ...]) -> Transition:
    return next(t for a in reversed(path) if (t := regime.transition(a)) is not None and t.proposes)


def _event(regime: Regime, example: ExampleCase, action: str, at: datetime, asked: tuple[str, ...]) -> EventRecord:
    transition = regime.transition(action)
    files = ("bijlage-bij-de-reactie.pdf",) if transition is not None and transition.responds else ()
    target = transition.target if transition else ""
    source = sorted(transition.sources)[0] if transition else ""
    # A request for additions records the items it asks; a hand-in the answers it changed (the same).
    records_items = transition is not None and not transition.submits
    if transition is not None and not transition.hands_in:
        records_items = records_items and regime.state(target).applicant_edits
    items = asked if records_items else ()
    return EventRecord(action, source, target, at, example.texts.get(action), files, items=items)


def _proposal(regime: Regime, example: ExampleCase, path: tuple[str, ...]) -> ProposalRecord | None:
    proposing = [t for a in path if (t := regime.transition(a)) is not None and t.proposes]
    if not proposing:
        return None
    outcome = proposing[-1].proposes or ""
    requested = regime.volume(regime.example_answers) if regime.volume else Decimal(0)
    # Three quarters of what was asked: a part that still meets a minimum such as 5 target-group FTE.
    volume = (requested * 3 / 4).to_integral_value() if proposing[-1].asks_volume else None
    considerations = {"advice": example.advice_answer}
    responded = any((t := regime.transition(a)) is not None and t.responds for a in path)
    if responded and outcome in example.hearing_answers:
        considerations["hearing"] = example.hearing_answers[outcome]
    return ProposalRecord(outcome, example.motivations.get(outcome, ""), volume, considerations)


def _verdicts(regime: Regime, example: ExampleCase, refused: bool) -> dict[str, VerdictRecord]:
    parameters = regime.parameter_values()
    verdicts = {
        c.code: VerdictRecord(Verdict.MET, example.reason_met_without_norm if norm_unset(c, parameters) else None)
        for c in regime.conditions
    }
    if refused and regime.conditions:
        # A condition without an automatic finding: the reviewer's judgement, not a contradiction of one.
        code = next((c.code for c in regime.conditions if c.check is None), regime.conditions[0].code)
        verdicts[code] = VerdictRecord(Verdict.NOT_MET, example.reason_not_met)
    return verdicts


def sample(regime: Regime, kind: str, code: str = "VOORBEELD0000") -> Sample:
    """The letter of a sample case with the parameter values in effect, as a case submitted now would pin them."""
    regime = in_effect(regime)
    return Sample(regime, kind, build_context(sample_case(regime, kind, code=code), regime, kind, sender()))


def all_samples() -> list[Sample]:
    return [sample(r, spec.key) for r in REGIMES.values() if r.example_case is not None for spec in r.letters]


def write_sample_letters(folder: Path) -> list[Path]:
    """Render every kind of every regime to `folder` as <regime>-<kind>.pdf, registered for /verify."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for regime in (in_effect(r) for r in REGIMES.values() if r.example_case is not None):
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
