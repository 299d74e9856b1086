"""Users, organisations and roles: creation, sign-up with a confirmed e-mail, authentication, sessions."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..i18n import DEFAULT_LOCALE, LOCALES, _
from ..models import Membership, Organisation, RoleGrant, User, utcnow
from ..workflows._spec import STAFF_ROLES, Role
from . import mail

MIN_PASSWORD_LENGTH = 12
CONFIRM_SALT = "ldapply.confirm-email"
CONFIRM_MAX_AGE = 48 * 3600

# A hash to compare against when the e-mail is unknown, so both cases take as long (no user enumeration).
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_password(password: str) -> str:
    """scrypt, Werkzeug's current default."""
    return generate_password_hash(password, method="scrypt")


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    roles: tuple[Role, ...] = (),
    organisation: Organisation | None = None,
    is_admin: bool = True,
    is_signatory: bool = True,
) -> User:
    """A confirmed account, made by an administrator, the seed or a test; `is_admin` and `is_signatory`
    are its roles in `organisation`."""
    user = User(
        email=email.strip().lower(),
        name=name,
        password_hash=hash_password(password),
        session_token=secrets.token_hex(16),
        email_confirmed_at=utcnow(),  # made by an administrator or the seed, not by sign-up
    )
    db.session.add(user)
    user.role_grants = [RoleGrant(role=role) for role in roles if role in STAFF_ROLES]
    if organisation is not None:
        user.memberships = [Membership(organisation=organisation, is_admin=is_admin, is_signatory=is_signatory)]
    db.session.flush()
    return user


def create_organisation(*, name: str, enterprise_number: str | None = None, **details: str) -> Organisation:
    """An organisation; `details` are its legal_form, street, postcode and municipality."""
    organisation = Organisation(name=name, enterprise_number=enterprise_number, **details)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def find_organisation(enterprise_number: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.enterprise_number == enterprise_number))


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The user when the password matches and the account is active; otherwise None.

    An account whose e-mail is not confirmed is returned too (the caller refuses it with its own
    message), but its login is not recorded.
    """
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    if is_confirmed(user):
        user.last_login_at = utcnow()
        db.session.commit()
    return user


def is_confirmed(user: User) -> bool:
    return user.email_confirmed_at is not None


def password_problem(password: str, email: str) -> str | None:
    """Why a new password is refused, or None. Long enough is what counts (NIST SP 800-63B)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Kies een wachtwoord van minstens %(count)d tekens.", count=MIN_PASSWORD_LENGTH)
    if password.strip().lower() == email.strip().lower():
        return _("Uw wachtwoord mag niet hetzelfde zijn als uw e-mailadres.")
    return None


def sign_up(*, email: str, name: str, password: str, locale: str) -> User | None:
    """Create an unconfirmed account and mail it the confirmation link; the caller commits.

    For an address that already has an account nothing is created and its owner gets a mail saying so:
    the visitor sees the same page either way, so the form tells no one which addresses have accounts.
    """
    existing = find_user_by_email(email)
    if existing is not None:
        hash_password(password)  # the same work as a new account, so the time taken tells nothing either
        _mail_existing_account(existing)
        return None
    user = new_user(email=email, name=name, password=password, locale=locale)
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:  # registered at the same moment by another request
        return None
    send_confirmation(user)
    return user


def new_user(*, email: str, name: str, password: str, locale: str | None = None) -> User:
    """An unconfirmed user, not yet added to the session."""
    return User(
        id=uuid.uuid4(),
        email=email.strip().lower(),
        name=name,
        password_hash=hash_password(password),
        session_token=secrets.token_hex(16),
        locale=locale if locale in LOCALES else None,
    )


def send_confirmation(user: User) -> None:
    """Queue the mail with the link that confirms the address (48 hours valid)."""
    token = _serializer(CONFIRM_SALT).dumps({"user": str(user.id), "email": user.email})
    with in_language_of(user):
        mail.queue_mail(
            user.email,
            _("Bevestig uw e-mailadres voor ldapply"),
            _(
                "Beste %(name)s,\n\nU maakte een account aan bij ldapply, de aanvragen voor erkenning in de "
                "lokale diensteneconomie. Bevestig uw e-mailadres met deze link (48 uur geldig):\n\n%(link)s\n\n"
                "Hebt u geen account aangemaakt? Dan mag u deze e-mail negeren.",
                name=user.name,
                link=mail.link("auth.confirm_email", token=token),
            )
            + signature(),
        )


def confirm_email(token: str) -> User | None:
    """The user the link names, now confirmed; None for a link that is altered, expired or outdated."""
    try:
        data = _serializer(CONFIRM_SALT).loads(token, max_age=CONFIRM_MAX_AGE)
        user = db.session.get(User, uuid.UUID(data["user"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or user.email != data.get("email") or not user.active:
        return None
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        db.session.commit()
    return user


def _mail_existing_account(user: User) -> None:
    if not is_confirmed(user):
        send_confirmation(user)  # most likely its owner, who lost the first mail
        return
    with in_language_of(user):
        mail.queue_mail(
            user.email,
            _("U hebt al een account bij ldapply"),
            _(
                "Beste %(name)s,\n\nIemand, wellicht uzelf, probeerde met dit e-mailadres een account aan te maken "
                "bij ldapply. U hebt al een account: meld u aan via\n\n%(link)s\n\nWeet u uw wachtwoord niet meer, "
                "neem dan contact op met de helpdesk. Hebt u dit niet zelf gedaan? Dan mag u deze e-mail negeren.",
                name=user.name,
                link=mail.link("auth.login"),
            )
            + signature(),
        )


def signature() -> str:
    sender = current_app.config["SENDER"]
    return f"\n\n-- \n{sender['department']}\n{sender['unit']}\n{sender['email']}\n"


@contextmanager
def in_language_of(user: User | None) -> Iterator[None]:
    """Write a mail in the recipient's language: the one they chose last, Dutch by default."""
    locale = user.locale if user is not None and user.locale in LOCALES else DEFAULT_LOCALE
    with force_locale(locale):
        yield


def signed(salt: str, value: Any) -> str:
    return _serializer(salt).dumps(value)


def unsigned(salt: str, token: str, max_age: int) -> Any:
    """The value a token carries, or None when it is altered or older than `max_age` seconds."""
    try:
        return _serializer(salt).loads(token, max_age=max_age)
    except BadSignature:
        return None


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def load_session_user(session_id: str) -> User | None:
    """Resolve Flask-Login's id (`<user id>:<session token>`); a rotated token means logged out."""
    user_id, _, token = session_id.partition(":")
    try:
        user = db.session.get(User, uuid.UUID(user_id))
    except ValueError:
        return None
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def end_all_sessions(user: User) -> None:
    """Invalidate every cookie issued to this user, server-side."""
    user.session_token = secrets.token_hex(16)
    db.session.commit()


def is_staff(user: User) -> bool:
    return bool(user.roles & STAFF_ROLES)
