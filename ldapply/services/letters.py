"""Letters: the context frozen when a letter is issued, rendering to PDF, and storage.

The context is plain data captured in the transaction that issues the letter, so a letter rendered
later (or again) says exactly what was decided. Rendering happens only in the worker.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import unicodedata
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app
from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import defer
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from .. import formatting
from ..clock import local_date
from ..extensions import db
from ..models import (
    Application,
    ApplicationEvent,
    DecisionProposal,
    InformationRequestItem,
    Letter,
    LetterStatus,
    User,
    utcnow,
)
from ..workflows import get_regime
from ..workflows._spec import Verdict
from .answers import handed_in
from .assessment import parameters_of, verdicts_of
from .dispatch import enqueue_after_commit, send_task
from .letter_context import (
    CaseRecord,
    EventRecord,
    ProposalRecord,
    RequestedItem,
    Sender,
    VerdictRecord,
    build_context,
    letter_date_of,
)
from .regimes import regime_of
from .signatories import contact_for, letter_signatory
from .storage import get_storage
from .uploads import event_uploads

log = logging.getLogger(__name__)
RENDER_TASK = "letters.render"
TEMPLATE_ROOT = Path(__file__).resolve().parents[2] / "templates"


class LetterRenderError(Exception):
    """The letter cannot be rendered as it stands; retrying will not help."""


class _RefusingFetcher(URLFetcher):  # type: ignore[misc]
    """Refuses every URL but inline `data:`; letters must not reach the network or the disk (SSRF/LFI)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"})
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        if not url.startswith("data:"):
            self.refused.append(url)
        return super().fetch(url, headers)


@cache
def _font_config() -> FontConfiguration:
    # One per process: a new one per letter leaks about 0.2 MB each (quality fact 2).
    return FontConfiguration()


def _template_dirs() -> list[str]:
    """The project's templates, then any folders named in LDAPPLY_LETTER_TEMPLATE_DIRS (a regime
    declared outside the package brings its letter templates there)."""
    extra = os.environ.get("LDAPPLY_LETTER_TEMPLATE_DIRS", "")
    return [str(TEMPLATE_ROOT), *(d for d in extra.split(os.pathsep) if d)]


@cache
def _jinja() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(_template_dirs()),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = formatting.number  # numbers as on the pages ("180.000", "12,5"), in Dutch
    return env


def available_templates() -> list[str]:
    return _jinja().list_templates()


def template_name(regime_code: str, kind: str) -> str:
    return f"letters/{regime_code}/{kind}.html"


def issue_letter(
    *,
    application: Application,
    event: ApplicationEvent,
    kind: str,
    proposal: DecisionProposal | None,
    actor: User | None,
    decides: bool,
    case: CaseRecord | None = None,
) -> Letter:
    """Create the pending letter in the caller's transaction; it is dispatched after commit. `case`
    is the record the decision was checked on, when there is one: the letter says what was checked."""
    regime = regime_of(application)
    code = new_verification_code()
    if case is None:
        case = case_record(
            application,
            issued_at=event.created_at,
            message=event.comment or "",
            proposal=proposal_record(proposal),
            actor=actor,
            decides=decides,
            code=code,
            issuing_event_id=event.id,
            items=tuple(event.items or ()),
        )
    case = replace(case, verification_code=code)
    letter = Letter(
        id=uuid.uuid4(),
        application_id=application.id,
        event_id=event.id,
        kind=kind,
        regime_code=regime.code,
        regime_version=regime.version,
        status=LetterStatus.PENDING,
        context=build_context(case, regime, kind, sender()),
        verification_code=code,
        dispatched_at=utcnow(),
    )
    db.session.add(letter)
    enqueue_after_commit(RENDER_TASK, str(letter.id))
    return letter


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed without doubt
CODE_LENGTH = 12  # 60 bits: guessing is hopeless, and /verify is rate-limited on top


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def sender() -> Sender:
    config = current_app.config
    data = config["SENDER"]
    return Sender(
        authority=data["authority"],
        department=data["department"],
        unit=data["unit"],
        address=tuple(data["address"]),
        email=data["email"],
        website=data["website"],
        verify_url=f"{config['PUBLIC_URL']}/verify",
    )


def case_record(
    application: Application,
    *,
    issued_at: datetime,
    message: str,
    proposal: ProposalRecord | None,
    actor: User | None,
    decides: bool,
    code: str,
    issuing_event_id: uuid.UUID | None = None,
    items: tuple[str, ...] = (),
) -> CaseRecord:
    """Everything a letter issued now may say, read from the database; `message` is what the move
    that issues it says to the applicant (a decision's own text is the proposal's motivation). The
    history is what came before the issuing move, so a preview and the letter issued say the same.
    The answers are those handed in: edits the applicant has not handed in yet never reach a letter.
    `items`: what the issuing move recorded (the answers a hand-in changed). For an objection case, the
    history of the case whose decision it contests comes first (services/objections.py)."""
    regime = regime_of(application)
    contested = db.session.get(Application, application.objection_of_id) if application.objection_of_id else None
    renewed = db.session.get(Application, application.renewal_of_id) if application.renewal_of_id else None
    return CaseRecord(
        reference=application.reference,
        organisation_name=application.organisation.name,
        enterprise_number=application.organisation.enterprise_number,
        answers=dict(handed_in(application)),
        parameters=parameters_of(application),
        started_on=local_date(application.created_at),
        events=tuple(e for e in event_records(application.id) if e.event_id != issuing_event_id),
        verdicts={
            code_: VerdictRecord(Verdict(v.verdict), v.reason) for code_, v in verdicts_of(application.id).items()
        },
        proposal=proposal,
        signatory=letter_signatory(actor, regime.code, decides=decides, team=(sender().unit, sender().department)),
        contact=contact_for(application),
        issued_at=issued_at,
        verification_code=code,
        message="" if decides else message,
        submitted_on=local_date(application.submitted_at) if application.submitted_at else None,
        call=_call_of(application),
        items=items,
        organisation_address=_address_of(application),
        contested_events=event_records(contested.id) if contested is not None else (),
        contested_reference=contested.reference if contested is not None else None,
        requested=_requested(application, issuing_event_id),
        renewal_of=renewed.reference if renewed is not None else None,
        renewal_of_ends_on=renewed.recognition_ends_on if renewed is not None else None,
    )


def _requested(application: Application, issuing_event_id: uuid.UUID | None) -> tuple[RequestedItem, ...]:
    """What the issuing move asked, item by item, when it asks for additions (the case is where the
    applicant answers now): one query, only then."""
    asking = application.submitted_at is not None and regime_of(application).state(application.state).applicant_edits
    if issuing_event_id is None or not asking:
        return ()
    found = db.session.scalars(
        select(InformationRequestItem)
        .where(InformationRequestItem.event_id == issuing_event_id)
        .order_by(InformationRequestItem.created_at, InformationRequestItem.id)
    )
    return tuple(RequestedItem(item.item, item.message, item.due_on) for item in found)


def _address_of(application: Application) -> tuple[str, ...]:
    """The organisation's registered address on record, as the lines under its name."""
    organisation = application.organisation
    place = " ".join(p for p in (organisation.postcode, organisation.municipality) if p)
    return tuple(line for line in (organisation.street, place) if line)


def _call_of(application: Application) -> dict[str, str] | None:
    call = application.call
    if call is None:
        return None
    return {"title": call.title, "closes_on": letter_date_of(call.closes_on)}


def proposal_record(proposal: DecisionProposal | None) -> ProposalRecord | None:
    if proposal is None:
        return None
    return ProposalRecord(proposal.outcome, proposal.motivation, proposal.volume, dict(proposal.considerations or {}))


def event_records(application_id: uuid.UUID) -> tuple[EventRecord, ...]:
    """The case's moves in order, with the names of the files that came with each (hearing responses)."""
    db.session.flush()
    files = {event_id: [u.filename for u in found] for event_id, found in event_uploads(application_id).items()}
    events = db.session.scalars(
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id == application_id)
        .order_by(ApplicationEvent.created_at, ApplicationEvent.id)
    )
    return tuple(
        EventRecord(
            e.action,
            e.from_state,
            e.to_state,
            e.created_at,
            e.comment,
            tuple(files.get(e.id, ())),
            e.id,
            tuple(e.items or ()),
        )
        for e in events
    )


def render_html(regime_code: str, kind: str, context: dict[str, Any]) -> str:
    try:
        return _jinja().get_template(template_name(regime_code, kind)).render(**context)
    except TemplateError as exc:  # a broken or missing template will not mend itself on retry
        raise LetterRenderError(f"template {template_name(regime_code, kind)}: {exc}") from exc


def render_pdf(html: str) -> bytes:
    fetcher = _RefusingFetcher()
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf(font_config=_font_config())
    if fetcher.refused:
        raise LetterRenderError(f"letter refers to outside resources: {fetcher.refused}")
    if not isinstance(pdf, bytes):
        raise LetterRenderError("WeasyPrint returned no PDF")
    return pdf


def render_and_store(letter_id: uuid.UUID) -> bool:
    """Render a pending letter and store its PDF with its SHA-256. Safe to run twice.

    Returns False when there was nothing to do: the letter was already rendered (a duplicate
    delivery) or has been given up after too many attempts (then it is marked failed).
    """
    letter = db.session.get(Letter, letter_id)
    if letter is None:
        raise LetterRenderError(f"letter {letter_id} does not exist")
    if letter.status != LetterStatus.PENDING:
        return False
    if letter.attempts >= current_app.config["LETTER_MAX_ATTEMPTS"]:
        mark_failed(letter.id, f"given up after {letter.attempts} attempts")
        return False
    letter.attempts += 1
    letter.last_attempt_at = utcnow()
    db.session.commit()
    pdf = render_pdf(render_html(letter.regime_code, letter.kind, letter.context))
    stored = get_storage().put(f"letters/{letter.id}.pdf", pdf)
    # Conditional update: a second worker that rendered meanwhile wins nothing and changes nothing.
    result = db.session.execute(
        update(Letter)
        .where(Letter.id == letter.id, Letter.status == LetterStatus.PENDING)
        .values(
            status=LetterStatus.RENDERED,
            storage_key=stored.key,
            sha256=stored.sha256,
            size=stored.size,
            rendered_at=utcnow(),
            error=None,
        )
    )
    db.session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mark_failed(letter_id: uuid.UUID, error: str) -> None:
    """Record a letter that will not render, so admins see it instead of it vanishing."""
    db.session.rollback()
    db.session.execute(
        update(Letter)
        .where(Letter.id == letter_id, Letter.status == LetterStatus.PENDING)
        .values(status=LetterStatus.FAILED, error=error[:2000])
    )
    db.session.commit()


def dispatch_pending() -> int:
    """Re-send pending letters that were lost: never picked up within the grace period (broker down
    at hand-off), or picked up and then not touched for a whole lease (worker lost mid-flight)."""
    config = current_app.config
    now = utcnow()
    never_started = and_(
        Letter.attempts == 0, Letter.dispatched_at < now - timedelta(seconds=config["LETTER_DISPATCH_GRACE_SECONDS"])
    )
    abandoned = and_(
        Letter.attempts > 0,
        Letter.last_attempt_at < now - timedelta(seconds=config["LETTER_LEASE_SECONDS"]),
        Letter.dispatched_at < now - timedelta(seconds=config["LETTER_LEASE_SECONDS"]),
    )
    lost = db.session.scalars(
        select(Letter)
        .where(Letter.status == LetterStatus.PENDING, or_(never_started, abandoned))
        .order_by(Letter.created_at, Letter.id)
        .limit(500)
    ).all()
    sent = 0
    for letter in lost:
        if letter.attempts >= config["LETTER_MAX_ATTEMPTS"]:
            letter.status, letter.error = LetterStatus.FAILED, f"given up after {letter.attempts} attempts"
        elif send_task(RENDER_TASK, str(letter.id)):
            letter.dispatched_at = utcnow()
            sent += 1
    db.session.commit()
    return sent


def download_name(reference: str, letter: Letter) -> str:
    """A Dutch, filesystem-safe file name: LDE-2026-ABC123-beslissing-erkenning.pdf."""
    title = get_regime(letter.regime_code).letter(letter.kind).title.nl.lower()
    slug = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode())
    return f"{reference}-{slug.strip('-')}.pdf"


def letter_of(application_id: uuid.UUID, letter_id: uuid.UUID) -> Letter | None:
    """One letter of this application, or None (another application's letter id included)."""
    return db.session.scalar(select(Letter).where(Letter.id == letter_id, Letter.application_id == application_id))


def letters_for(application_id: uuid.UUID) -> list[Letter]:
    """The application's letters, oldest first, without their frozen context (pages list them; only
    rendering reads the context, and it grows with every case)."""
    return list(
        db.session.scalars(
            select(Letter)
            .where(Letter.application_id == application_id)
            .options(defer(Letter.context))
            .order_by(Letter.created_at, Letter.id)
        )
    )


def letter_pdf(letter: Letter) -> bytes:
    if letter.status != LetterStatus.RENDERED or letter.storage_key is None:
        raise LookupError("letter not rendered yet")
    return get_storage().get(letter.storage_key)
