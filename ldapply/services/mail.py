"""The mail outbox: a mail is a row written in the transaction that causes it, sent by a worker after commit.

Delivery is at most once. A worker claims the row (pending -> sending, stamping `claimed_at`) in its own
transaction before it talks to the server, so a duplicate task, a retry or the sweeper finds nothing left to
send. A worker lost while sending leaves the row "sending"; once its claim is older than the lease the
sweeper gives it up as failed rather than risk a second copy. A retry whose task was lost is handed off
again. With no `MAIL_URL` (development) the message is written as an .eml file instead.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import and_, or_, select, update

from ..extensions import db
from ..models import Mail, utcnow
from .dispatch import enqueue_after_commit, send_task

log = logging.getLogger(__name__)

SEND_TASK = "mail.send"
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
DISPATCH_GRACE = timedelta(seconds=60)
SENDING_LEASE = timedelta(minutes=15)  # longer than any SMTP conversation with its timeouts
RETRY_LOST_AFTER = timedelta(minutes=15)  # longer than the longest retry countdown (10 minutes)
MAX_ATTEMPTS = 9  # the task's first try and its 8 retries
SMTP_TIMEOUT = 10
SUBJECT_MAX = 300  # the column's length
LINK_RE = re.compile(r"https?://\S+")


class TransientMailError(Exception):
    """The server could not be reached or answered 4xx: worth another try later."""


def queue_mail(recipient: str, subject: str, body: str) -> Mail:
    """Add a mail to the outbox in the caller's transaction; it is handed to a worker after commit.

    The subject often carries names people typed: it is made one line (no header injection, no mail
    refused by the header check) and cut to the column's length.
    """
    if not recipient or any(ch in recipient for ch in "\r\n,;<>"):
        raise ValueError(f"not a single e-mail address: {recipient!r}")
    subject = " ".join(subject.split())[:SUBJECT_MAX]
    mail = Mail(id=uuid.uuid4(), recipient=recipient, subject=subject, body=body, status=PENDING, attempts=0)
    db.session.add(mail)
    enqueue_after_commit(SEND_TASK, str(mail.id))
    return mail


def queue_mail_once(recipient: str, subject: str, body: str, within: timedelta) -> Mail | None:
    """Queue a mail unless the same one (recipient and subject) was queued in the last `within`: a double
    click, a reload or a visitor repeating a form sends one mail, not a stream of them."""
    subject = " ".join(subject.split())[:SUBJECT_MAX]
    since = utcnow() - within
    repeated = db.session.scalar(
        select(Mail.id).where(Mail.recipient == recipient, Mail.subject == subject, Mail.created_at > since).limit(1)
    )
    return None if repeated is not None else queue_mail(recipient, subject, body)


def deliver(mail_id: uuid.UUID) -> bool:
    """Send one pending mail; False when there was nothing to send (already sent, failed or being sent).

    Raises TransientMailError when it may succeed later; the mail is then pending again.
    """
    if not _claim(mail_id):
        return False
    mail = db.session.get_one(Mail, mail_id)
    message = build_message(mail)
    try:
        _transport(message, mail.id)
    except (OSError, ValueError) as exc:  # smtplib's errors are OSErrors; ValueError: a bad MAIL_URL
        transient = _is_transient(exc)
        _finish(mail_id, PENDING if transient else FAILED, f"{type(exc).__name__}: {exc}")
        if transient:
            raise TransientMailError(str(exc)) from exc
        log.warning("mail %s to %s refused: %s", mail_id, mail.recipient, exc)
        return False
    _finish(mail_id, SENT, None)
    return True


def mark_failed(mail_id: uuid.UUID, error: str) -> None:
    """Give up on a mail that kept failing, so it shows as failed instead of pending for ever."""
    db.session.rollback()
    db.session.execute(
        update(Mail).where(Mail.id == mail_id, Mail.status == PENDING).values(status=FAILED, error=error[:2000])
    )
    db.session.commit()


def dispatch_pending() -> int:
    """Hand off again the mails never picked up (broker down after commit) and the retries whose task was
    lost; give up on lost sends (the lease counts from the claim, not from when the mail was written)."""
    now = utcnow()
    db.session.execute(
        update(Mail)
        .where(Mail.status == SENDING, Mail.claimed_at < now - SENDING_LEASE)
        .values(status=FAILED, error="the worker was lost while sending; not sent again to avoid a duplicate")
    )
    db.session.execute(
        update(Mail)
        .where(Mail.status == PENDING, Mail.attempts >= MAX_ATTEMPTS)
        .values(status=FAILED, error=f"gave up after {MAX_ATTEMPTS} attempts")
    )
    never_sent = and_(Mail.attempts == 0, Mail.created_at < now - DISPATCH_GRACE)
    retry_lost = and_(Mail.attempts > 0, Mail.claimed_at < now - RETRY_LOST_AFTER)
    lost = db.session.scalars(
        select(Mail.id).where(Mail.status == PENDING, or_(never_sent, retry_lost)).order_by(Mail.created_at).limit(500)
    ).all()
    db.session.commit()
    return sum(send_task(SEND_TASK, str(mail_id)) for mail_id in lost)


def link(endpoint: str, **values: str) -> str:
    """An absolute link for a mail, on the public address, with or without a request."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_URL"] + path


def latest(limit: int = 10) -> list[Mail]:
    return list(db.session.scalars(select(Mail).order_by(Mail.created_at.desc()).limit(limit)))


def links_in(body: str) -> list[str]:
    return LINK_RE.findall(body)


def build_message(mail: Mail) -> EmailMessage:
    sender = current_app.config["MAIL_FROM"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    message["Message-ID"] = make_msgid(idstring=mail.id.hex, domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a machine
    message.set_content(mail.body)
    return message


def _claim(mail_id: uuid.UUID) -> bool:
    result = db.session.execute(
        update(Mail)
        .where(Mail.id == mail_id, Mail.status == PENDING)
        .values(status=SENDING, attempts=Mail.attempts + 1, claimed_at=utcnow())
    )
    db.session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _finish(mail_id: uuid.UUID, status: str, error: str | None) -> None:
    db.session.rollback()
    values: dict[str, object] = {"status": status, "error": error[:2000] if error else None}
    if status == SENT:
        values["sent_at"] = utcnow()
    db.session.execute(update(Mail).where(Mail.id == mail_id, Mail.status == SENDING).values(**values))
    db.session.commit()


def _is_transient(exc: Exception) -> bool:
    """4xx answers and network trouble are transient; 5xx answers (a refused address) and a bad URL are final."""
    if isinstance(exc, ValueError):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code < 500
    return True


def _transport(message: EmailMessage, mail_id: uuid.UUID) -> None:
    url = current_app.config["MAIL_URL"]
    if url:
        send_smtp(message, SmtpServer.from_url(url))
    else:
        _write_file(message, mail_id)


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: str  # "none", "starttls" or "ssl"
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """smtp://host:port (plain), smtp+starttls://user:pass@host:587, smtps://host:465."""
        parts = urlsplit(url)
        security = {"smtp": "none", "smtp+starttls": "starttls", "smtps": "ssl"}.get(parts.scheme)
        if security is None or not parts.hostname:
            raise ValueError(f"LDAPPLY_MAIL_URL must be smtp://, smtp+starttls:// or smtps://host:port, not {url!r}")
        default_port = 465 if security == "ssl" else 25
        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        return cls(parts.hostname, parts.port or default_port, security, username, password)


def send_smtp(message: EmailMessage, server: SmtpServer) -> None:
    smtp_class = smtplib.SMTP_SSL if server.security == "ssl" else smtplib.SMTP
    smtp = smtp_class(server.host, server.port, timeout=SMTP_TIMEOUT)
    try:
        if server.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if server.username:
            smtp.login(server.username, server.password or "")
        smtp.send_message(message)
    finally:
        _quit_quietly(smtp)


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    """Once the server accepted the message, a failing goodbye must not make it look unsent."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _write_file(message: EmailMessage, mail_id: uuid.UUID) -> None:
    folder = Path(current_app.config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{utcnow():%Y%m%d-%H%M%S}-{mail_id.hex[:8]}.eml"
    path.write_bytes(message.as_bytes())
    log.info("mail to %s written to %s (no LDAPPLY_MAIL_URL set)", message["To"], path)
