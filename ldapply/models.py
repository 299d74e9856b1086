"""The tables. Columns and small derived properties only; business rules live in services."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .clock import utcnow
from .extensions import db

JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every backend; SQLite would otherwise hand back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; use ldapply.models.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class TimestampMixin:
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Organisation(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "organisations"
    # The queue's search by (part of) an organisation's name: a trigram index on PostgreSQL.
    __table_args__ = (
        Index("ix_organisations_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
    )

    name: Mapped[str] = mapped_column(String(200))
    enterprise_number: Mapped[str | None] = mapped_column(String(10), unique=True)
    legal_form: Mapped[str | None] = mapped_column(String(32))  # a code of services.organisations.LEGAL_FORMS
    street: Mapped[str | None] = mapped_column(String(200))  # street and number
    postcode: Mapped[str | None] = mapped_column(String(4))
    municipality: Mapped[str | None] = mapped_column(String(100))


class User(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Rotated on logout and deactivation, which invalidates every cookie issued before (ASVS 7.4.1).
    session_token: Mapped[str] = mapped_column(String(64))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the owner followed the link sent to the address; an unconfirmed account cannot log in.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locale: Mapped[str | None] = mapped_column(String(8))  # the language chosen last, for e-mails

    # Oldest first: "the first organisation" (acted for until another is chosen) is the one joined first.
    # Loaded on access, not with every user: the session's user loads them in its own query
    # (accounts.load_session_user); an event's actor or a signatory needs only the name.
    memberships: Mapped[list[Membership]] = relationship(back_populates="user", order_by="Membership.created_at")
    role_grants: Mapped[list[RoleGrant]] = relationship(back_populates="user")

    # Flask-Login's protocol.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(grant.role for grant in self.role_grants)

    def roles_for(self, regime_code: str) -> frozenset[str]:
        """The roles this user holds under one regime (grants for every regime included)."""
        return frozenset(grant.role for grant in self.role_grants if grant.covers(regime_code))

    @property
    def organisation_ids(self) -> frozenset[uuid.UUID]:
        return frozenset(m.organisation_id for m in self.memberships)


class Membership(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    # An administrator manages the members; an authorised signatory may declare and submit.
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_signatory: Mapped[bool] = mapped_column(default=False, server_default=false())
    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Invitation(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A colleague invited by e-mail; the link carries a signed token naming this row."""

    __tablename__ = "invitations"

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    invited_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class JoinRequest(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """Someone who tried to register an organisation that exists asks its administrators to join."""

    __tablename__ = "join_requests"

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    accepted: Mapped[bool | None] = mapped_column()

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class Mail(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """An e-mail and its outbox entry: written in the transaction that causes it, sent by a worker."""

    __tablename__ = "mails"

    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending, sending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when a worker last took it to send
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RoleGrant(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A staff role, for one regime or (regime_code None) for every regime. An advisor's grant names the
    advisory body they speak for; an advisor sees only the cases sent to that body."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "regime_code"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    regime_code: Mapped[str | None] = mapped_column(String(64))
    advisory_body_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("advisory_bodies.id"), index=True)
    user: Mapped[User] = relationship(back_populates="role_grants")

    def covers(self, regime_code: str) -> bool:
        return self.regime_code is None or self.regime_code == regime_code


class AdvisoryBody(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """An outside body that gives advice on cases (Kind en Gezin, a local authority, a committee)."""

    __tablename__ = "advisory_bodies"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    regime_code: Mapped[str | None] = mapped_column(String(64))  # None: asked under every regime
    active: Mapped[bool] = mapped_column(default=True)


class ClosingDay(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A day the administration is closed besides weekends and public holidays (11 July for the
    Flemish services): data an admin keeps; working-day clocks skip it."""

    __tablename__ = "closing_days"

    day: Mapped[date] = mapped_column(Date, unique=True)
    label: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class Call(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A call for applications (oproep) under one regime: a window and a cap on the volume granted."""

    __tablename__ = "calls"

    regime_code: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)  # the last day applications are accepted, Brussels time
    cap: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    application_types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # Bumped by every grant under the call: two grants racing for the last of the cap cannot both pass.
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (read once by the mapper)


class CallCapTotal(db.Model):  # type: ignore[name-defined,misc]
    """A call's running sums of what its applications take from its cap (pending granting proposals, held
    recognitions). Kept by the database's triggers (migration 0011) from `applications.cap_proposed` and
    `cap_granted`, whatever writes them; read only, never written by the application."""

    __tablename__ = "call_cap_totals"

    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    proposed: Mapped[Decimal] = mapped_column(Numeric, server_default="0")
    granted: Mapped[Decimal] = mapped_column(Numeric, server_default="0")


SUBMITTED = text("submitted_at IS NOT NULL")


class Application(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "applications"
    # The queue's sorts and filters, each served by an index on submitted cases only (drafts never show). On
    # PostgreSQL each also carries the regime (INCLUDE): a reviewer's scope and the regime filter, checked on most
    # pages beside another filter, are then read from the index, and the count walks no table rows.
    __table_args__ = (
        *(
            Index(
                f"ix_applications_queue_{name}",
                *columns,
                "id",
                postgresql_where=SUBMITTED,
                sqlite_where=SUBMITTED,
                postgresql_include=[] if "regime_code" in columns else ["regime_code"],
            )
            for name, columns in (
                ("due", ("due_on",)),
                ("submitted", ("submitted_at",)),
                ("move_due", ("whose_move", "due_on")),
                ("regime_due", ("regime_code", "due_on")),
                ("state_due", ("state", "due_on")),
                ("assignee_due", ("assignee_id", "due_on")),
                ("call_due", ("call_id", "due_on")),
            )
        ),
    )

    reference: Mapped[str] = mapped_column(String(32), unique=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    regime_code: Mapped[str] = mapped_column(String(64))
    regime_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(64), index=True)
    # The Party whose move it is in `state`, kept with every state change so the queue can filter on it.
    whose_move: Mapped[str] = mapped_column(String(16), default="applicant", server_default="applicant")
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    completed_steps: Mapped[list[str]] = mapped_column(JSONType, default=list)
    call_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("calls.id"), index=True)
    # The parameter values the application was filed under, pinned at submission for its whole life.
    parameters: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    name: Mapped[str | None] = mapped_column(String(200))  # the organisation's own name for a draft
    # Per step slug: who saved it last and when, {"by": user id, "by_name": ..., "at": ISO time}.
    step_changes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # A preparer marks a complete draft ready; only an authorised signatory declares and submits.
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ready_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # While additions are asked: the step slugs and field names unlocked; the rest stays as submitted.
    unlocked: Mapped[list[str] | None] = mapped_column(JSONType)
    # The answers as last handed in, so the reviewer sees what the additions changed.
    submitted_answers: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The reviewer who handles the case; None: unassigned.
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # The legal clocks (services/legal_clock.py): per clock name, when it started, whether it stands still,
    # the days used and left, extensions. `due_on` is the last day of the clock that runs now (the one
    # staff and applicant both see), None when no clock runs or its parameter has no value.
    clocks: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    due_on: Mapped[date | None] = mapped_column(Date)
    # A hold: staff put the case aside, with a reason (the legal clock does not stop for it).
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    held_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    hold_reason: Mapped[str | None] = mapped_column(Text)
    # An objection is a case of its own, linked to the case whose decision it contests.
    objection_of_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("applications.id"), index=True)
    # A renewal is an application of its own too, linked to the recognised application whose term it renews.
    renewal_of_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("applications.id"), index=True)
    # The last day of the recognition granted, when it has a term: expiry and its reminders read it.
    recognition_ends_on: Mapped[date | None] = mapped_column(Date, index=True)
    # What the application asks for (FTE, places, ...) as handed in, and what it takes from its call's cap as a
    # pending granting proposal or as a recognition held: kept by services/call_usage.py, and summed per call by
    # the database's triggers into call_cap_totals (migration 0011).
    requested_volume: Mapped[Decimal | None] = mapped_column(Numeric)
    cap_proposed: Mapped[Decimal | None] = mapped_column(Numeric)
    cap_granted: Mapped[Decimal | None] = mapped_column(Numeric)
    # Optimistic lock: two racing reviewers cannot both move the same application (quality fact 7).
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    call: Mapped[Call | None] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (read once by the mapper)


class Upload(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "uploads"

    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    field_name: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    uploaded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # Set for files that came with a move (a hearing response) rather than with an answer.
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("application_events.id"), index=True)
    # Chosen on a step page and not attached to the answers yet: only such a file may be cleaned up. Saving
    # the step clears it, for good; a file that was ever attached is never removed by the cleanup.
    staged: Mapped[bool] = mapped_column(default=False, server_default=false(), index=True)


class ApplicationEvent(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """The audit trail: one row per state change, written in the transaction that makes it.

    `comment` is the motivation: what the actor wrote for the applicant, which letters carry. `note`
    is internal and never reaches a letter. `actor_id` is empty for moves ldapply makes itself.
    """

    __tablename__ = "application_events"
    __table_args__ = (Index("ix_application_events_timeline", "application_id", "created_at", "id"),)

    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str] = mapped_column(String(64))
    to_state: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    # The conditions an intended adverse decision rests on: the applicant is heard on these, and only these.
    grounds: Mapped[list[str] | None] = mapped_column(JSONType)
    # The items (step slugs or field names) a request for additions asks for, or the answers a hand-in changed.
    items: Mapped[list[str] | None] = mapped_column(JSONType)
    # The answers as handed in by this move (a submission, a hand-in of additions): every version stays.
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    actor: Mapped[User | None] = relationship(lazy="joined")

    @property
    def actor_name(self) -> str:
        return self.actor.name if self.actor is not None else "ldapply (automatisch)"


class ProposalStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"  # the case ended (the applicant withdrew) before the proposal was settled


class DecisionProposal(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A reviewer's proposed decision, settled by a different decision maker (four eyes)."""

    __tablename__ = "decision_proposals"
    # Cap usage looks up each case's pending proposal: few rows, so a small index.
    __table_args__ = (
        Index(
            "ix_decision_proposals_pending",
            "application_id",
            "created_at",
            "id",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )

    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(32))
    motivation: Mapped[str] = mapped_column(Text)
    volume: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))  # the volume granted, when it is decided
    # The answers the letter gives to what the case holds: {"hearing": ..., "advice": ...}.
    considerations: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    proposed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default=ProposalStatus.PENDING)
    settled_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id], lazy="joined")


class ConditionVerdict(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A reviewer's judgement of one legal condition for one application (the assessment checklist)."""

    __tablename__ = "condition_verdicts"
    __table_args__ = (
        UniqueConstraint("application_id", "condition_code"),
        CheckConstraint("verdict IN ('met', 'not_met', 'not_applicable')", name="verdict"),  # workflows Verdict
    )

    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    condition_code: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(16))  # a workflows._spec.Verdict: met, not met, not applicable
    reason: Mapped[str | None] = mapped_column(Text)  # the reason, printed in letters
    note: Mapped[str | None] = mapped_column(Text)  # internal, never in a letter
    assessed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by every change: the checklist form carries it, so a save from a page older than a colleague's
    # change of this verdict is refused instead of overwriting it (services/assessment.py).
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    assessed_by: Mapped[User] = relationship(lazy="joined")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (read once by the mapper)


class LetterStatus(StrEnum):
    PENDING = "pending"
    RENDERED = "rendered"
    FAILED = "failed"


class Letter(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A letter and its outbox entry: created with the event that issues it, rendered once by a worker."""

    __tablename__ = "letters"

    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("application_events.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    regime_code: Mapped[str] = mapped_column(String(64))
    regime_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=LetterStatus.PENDING, index=True)
    context: Mapped[dict[str, Any]] = mapped_column(JSONType)
    storage_key: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a member of the applying organisation first downloaded it: until then a decision is "new" to them.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Printed on the letter; with the reference, /verify tells whether the letter is genuine.
    verification_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    replaces_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("letters.id"))


class Signatory(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """Who may sign decisions, in what function and under which delegation: data an admin keeps,
    with its provenance like a parameter. A decision maker without an active entry cannot sign."""

    __tablename__ = "signatories"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    function: Mapped[str] = mapped_column(String(200))
    delegation: Mapped[str] = mapped_column(Text)
    provenance: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(Text, default="")
    regime_code: Mapped[str | None] = mapped_column(String(64))  # None: every regime
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class ParameterChange(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A value an admin set for a regime version's parameter, in effect from `created_at` until the next one.
    The rows are its history; the highest `revision` is the value in effect (services/parameter_changes.py).
    Applications pin the values at submission: a change never reaches a case already filed."""

    __tablename__ = "parameter_changes"
    # One row per revision: two admins changing the same value at once cannot both win (the second is refused).
    __table_args__ = (UniqueConstraint("regime_code", "regime_version", "name", "revision"),)

    regime_code: Mapped[str] = mapped_column(String(64))
    regime_version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    revision: Mapped[int] = mapped_column(Integer)  # 1 for the first change of the declared value
    value: Mapped[Any] = mapped_column(JSONType, nullable=False)  # as JSON keeps it: decimals as strings
    old_value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    provenance: Mapped[str] = mapped_column(String(32))  # "found" (with its legal source) or "assumption"
    legal_source: Mapped[str] = mapped_column(Text, default="")  # the change in the law, for a law parameter
    reason: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))

    set_by: Mapped[User] = relationship(lazy="joined")


class LegalReliance(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """The legal-uncertainty ledger: a decision rested on a parameter or citation not found in the law.
    When the real text is loaded as a new regime version, these rows find the files affected."""

    __tablename__ = "legal_reliances"

    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("application_events.id", ondelete="CASCADE"))
    regime_code: Mapped[str] = mapped_column(String(64))
    regime_version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # "parameter" or "citation"
    name: Mapped[str] = mapped_column(String(200), index=True)
    provenance: Mapped[str] = mapped_column(String(32))


class CaseNote(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """An internal note on a case: staff only, never in a letter."""

    __tablename__ = "case_notes"
    __table_args__ = (Index("ix_case_notes_application", "application_id", "created_at"),)

    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User] = relationship(lazy="joined")


class ConflictDeclaration(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """Before staff or an advisor first see a case's content: no conflict of interest with the applying
    organisation, or a recusal (with its reason). Assignment skips those who recused."""

    __tablename__ = "conflict_declarations"
    __table_args__ = (UniqueConstraint("user_id", "application_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    recused: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(Text)


class AdviceRequest(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """Advice asked of an advisory body on one case, with a due date; the advice its advisor records."""

    __tablename__ = "advice_requests"

    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    advisory_body_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("advisory_bodies.id"), index=True)
    requested_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    question: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    advice: Mapped[str | None] = mapped_column(Text)
    advised_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    advised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    advisory_body: Mapped[AdvisoryBody] = relationship(lazy="joined")


class InformationRequestItem(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """One item of a request for additional information: which step, field or upload, what is wrong,
    and by which date; answered when the applicant hands the additions in."""

    __tablename__ = "information_request_items"

    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("application_events.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(128))  # a step slug or a field name
    message: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Reminder(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A reminder sent once: (case, kind, the due date it is about) is unique, so beat runs never repeat one."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("application_id", "kind", "about"),)

    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    about: Mapped[date] = mapped_column(Date)


class BulkJob(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A bulk action on a selection from the queue, run by the worker; the page shows its progress."""

    __tablename__ = "bulk_jobs"

    kind: Mapped[str] = mapped_column(String(32))  # assign, export_csv, export_xlsx, reissue
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    application_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    options: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, running, done, failed
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    result_key: Mapped[str | None] = mapped_column(String(255))  # the export's stored file
    error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the worker's last sign of life
    attempt: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # claims so far (the run's own)


# The audit entries a case's timeline shows beside its state changes: not the moves themselves (the events
# hold them), not the views, downloads and conflict declarations. The query states it in these very words,
# so that the database sees it may read the partial index below.
TIMELINE_ENTRY = text(
    "action NOT LIKE 'transition.%' AND action NOT LIKE '%.viewed' AND action NOT LIKE '%.downloaded'"
    " AND action <> 'conflict.declared'"
)


class AuditEntry(db.Model):  # type: ignore[name-defined,misc]
    """The append-only audit trail, chained by SHA-256: each entry's hash covers its content and the
    previous entry's hash, so `flask ldapply audit-verify` finds a changed or deleted entry. No foreign
    keys: the trail outlives the rows it speaks of. Triggers refuse UPDATE and DELETE (migration 0006)."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        # A case's trail page: its entries newest first by number, a page at a time (services/audit.py search).
        Index("ix_audit_entries_application_id_seq", "application_id", "seq"),
        # A case's timeline, newest first: only the entries it shows, so that the views and downloads, most
        # of a much-read case's trail, are not walked on every page of it (services/case_work.py).
        Index(
            "ix_audit_entries_timeline",
            "application_id",
            "created_at",
            "seq",
            postgresql_where=TIMELINE_ENTRY,
            sqlite_where=TIMELINE_ENTRY,
        ),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_name: Mapped[str | None] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    application_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    old: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    new: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(db.Model):  # type: ignore[name-defined,misc]
    """One row: the last entry's number and hash. Appending takes its row lock first, which orders
    concurrent appends (and on SQLite takes the write lock), and lets the check see a cut-off tail."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
