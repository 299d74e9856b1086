"""Users, organisations and roles: creation, sign-up with a confirmed e-mail, authentication, sessions."""

from __future__ import annotations

import functools
import hashlib
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Select, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..i18n import DEFAULT_LOCALE, LOCALES, _
from ..models import AdvisoryBody, Membership, Organisation, RoleGrant, User, utcnow
from ..workflows._spec import STAFF_ROLES, Role
from . import mail

MIN_PASSWORD_LENGTH = 12
CONFIRM_SALT = "ldapply.confirm-email"
CONFIRM_MAX_AGE = 48 * 3600
RESET_SALT = "ldapply.reset-password"
RESET_MAX_AGE = 3600
# One mail of a kind per address per minute, however often a form is sent (double clicks, mail bombing).
MAIL_INTERVAL = timedelta(minutes=1)

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
    regime_code: str | None = None,
    advisory_body: AdvisoryBody | None = None,
    organisation: Organisation | None = None,
    is_admin: bool = True,
    is_signatory: bool = True,
) -> User:
    """A confirmed account, made by the seed or a test. Its staff `roles` are granted for `regime_code`
    (None: every regime); an advisor speaks for `advisory_body`, under the body's regime. `is_admin` and
    `is_signatory` are its roles in `organisation`."""
    user = User(
        email=email.strip().lower(),
        name=name,
        password_hash=hash_password(password),
        session_token=secrets.token_hex(16),
        email_confirmed_at=utcnow(),  # made by an administrator or the seed, not by sign-up
    )
    db.session.add(user)
    user.role_grants = [grant_of(role, regime_code, advisory_body) for role in roles if role in STAFF_ROLES]
    if organisation is not None:
        user.memberships = [Membership(organisation=organisation, is_admin=is_admin, is_signatory=is_signatory)]
    db.session.flush()
    return user


def grant_of(role: Role, regime_code: str | None, advisory_body: AdvisoryBody | None = None) -> RoleGrant:
    """A role grant: an advisor's names the body they speak for and takes the body's regime."""
    if role == Role.ADVISOR:
        if advisory_body is None:
            raise ValueError("an advisor speaks for an advisory body")
        return RoleGrant(role=role, regime_code=advisory_body.regime_code, advisory_body_id=advisory_body.id)
    return RoleGrant(role=role, regime_code=regime_code)


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
    An unconfirmed account is signed up again: whoever owns the mailbox confirms with the password chosen
    last, so an account someone else made beforehand for that address cannot be taken over.
    """
    existing = find_user_by_email(email)
    if existing is not None and not is_confirmed(existing):
        _sign_up_again(existing, name=name, password=password, locale=locale)
        return None
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


def _sign_up_again(user: User, *, name: str, password: str, locale: str) -> None:
    """The same password again (a double click, a lost mail): one more link at most once a minute. Another
    password replaces the earlier one, whose links stop working, and a new link always follows."""
    if check_password_hash(user.password_hash, password):
        send_confirmation(user, once=True)
        return
    user.name, user.password_hash = name, hash_password(password)
    user.locale = locale if locale in LOCALES else user.locale
    send_confirmation(user)


def send_confirmation(user: User, *, once: bool = False) -> None:
    """Queue the mail with the link that confirms the address (48 hours valid); with `once`, not when the
    same mail went out less than a minute ago.

    The link works only with the account's current password (typed on the page it opens), so following a
    link in a mail one did not ask for confirms nothing.
    """
    token = _serializer(CONFIRM_SALT).dumps({"user": str(user.id), "email": user.email, "fp": _fingerprint(user)})
    with in_language_of(user):
        subject = _("Bevestig uw e-mailadres voor ldapply")
        body = (
            _(
                "Beste %(name)s,\n\nU maakte een account aan bij ldapply, de aanvragen voor erkenning in de "
                "lokale diensteneconomie. Bevestig uw e-mailadres met deze link (48 uur geldig):\n\n%(link)s\n\n"
                "Hebt u geen account aangemaakt? Dan mag u deze e-mail negeren.",
                name=user.name,
                link=mail.link("auth.confirm_email", token=token),
            )
            + signature()
        )
    if once:
        mail.queue_mail_once(user.email, subject, body, MAIL_INTERVAL)
    else:
        mail.queue_mail(user.email, subject, body)


def user_to_confirm(token: str) -> User | None:
    """The account a confirmation link names; None for a link that is altered, expired or outdated (the
    password changed since). An account confirmed already is returned too: following the link twice is
    harmless, the caller sends its owner to log in."""
    found = _user_from_token(token, CONFIRM_SALT, CONFIRM_MAX_AGE)
    if found is None or not found[0].active:
        return None
    user, fingerprint = found
    return user if is_confirmed(user) or _same_password(user, fingerprint) else None


def confirm_email(user: User, password: str) -> bool:
    """Confirm the address once its owner typed the account's password; the caller commits."""
    if not check_password_hash(user.password_hash, password):
        return False
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    return True


def _user_from_token(token: str, salt: str, max_age: int) -> tuple[User, str] | None:
    """The user a link's token names, while its address is the one the link was made for, and the
    fingerprint of the password it was made with."""
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
        user = db.session.get(User, uuid.UUID(data["user"]))
    except (BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None
    if user is None or user.email != data.get("email"):
        return None
    return user, str(data.get("fp", ""))


def _same_password(user: User, fingerprint: str) -> bool:
    return secrets.compare_digest(fingerprint, _fingerprint(user))


def _fingerprint(user: User) -> str:
    """Changes with the password, so a link made before a password change stops working (one-time reset
    links); a digest, because the token's content can be read by anyone who has it."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


# -- a forgotten password ---------------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """Mail a one-time link (1 hour valid) to set a new password; the caller commits.

    Nothing happens for an unknown or disabled address, and the caller shows the same page either way,
    so the form tells no one which addresses have accounts. One mail a minute per address at most.
    """
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    with in_language_of(user):
        mail.queue_mail_once(
            user.email,
            _("Een nieuw wachtwoord kiezen voor ldapply"),
            _(
                "Beste %(name)s,\n\nIemand, wellicht uzelf, vroeg om een nieuw wachtwoord voor uw account bij "
                "ldapply. Kies een nieuw wachtwoord met deze link. Hij is 1 uur geldig en werkt maar één keer:"
                "\n\n%(link)s\n\nHebt u dit niet gevraagd? Dan mag u deze e-mail negeren: uw wachtwoord blijft "
                "hetzelfde.",
                name=user.name,
                link=_reset_link(user),
            )
            + signature(),
            MAIL_INTERVAL,
        )


def _reset_link(user: User) -> str:
    """The one-time link (1 hour valid) that sets a new password."""
    token = _serializer(RESET_SALT).dumps({"user": str(user.id), "email": user.email, "fp": _fingerprint(user)})
    return mail.link("auth.reset_password", token=token)


# -- accounts an admin makes for staff --------------------------------------------------------------


def new_staff_account(*, email: str, name: str, locale: str | None) -> User:
    """An account an admin makes for a member of staff or an advisor, added to the session: nobody knows
    its password until its owner chooses one with the link of `send_staff_welcome` (which also confirms
    the address)."""
    user = new_user(email=email, name=name, password=secrets.token_urlsafe(32), locale=locale)
    db.session.add(user)
    return user


def send_staff_welcome(user: User) -> None:
    """Queue the mail that tells a new member of staff about their account, with the link to choose a
    password (the reset link: 1 hour valid, and a new one is asked with "Wachtwoord vergeten?")."""
    with in_language_of(user):
        mail.queue_mail(
            user.email,
            _("Uw account bij ldapply"),
            _(
                "Beste %(name)s,\n\nEen beheerder maakte voor u een account aan bij ldapply, de aanvragen voor "
                "erkenning in de lokale diensteneconomie, met dit e-mailadres. Kies uw wachtwoord met deze link. "
                "Hij is 1 uur geldig en werkt maar één keer:\n\n%(link)s\n\nIs de link verlopen? Vraag dan een "
                "nieuwe via „Wachtwoord vergeten?” op %(login)s",
                name=user.name,
                link=_reset_link(user),
                login=mail.link("auth.login"),
            )
            + signature(),
        )


def user_to_reset(token: str) -> User | None:
    """The account a reset link names; None when the link is altered, older than an hour or used."""
    found = _user_from_token(token, RESET_SALT, RESET_MAX_AGE)
    if found is None or not found[0].active or not _same_password(*found):
        return None
    return found[0]


def reset_password(user: User, password: str) -> None:
    """Set the new password and end every session of the account (commits). The link came by mail, so
    the address is confirmed by it too; the owner is told by mail that the password changed."""
    user.password_hash = hash_password(password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    with in_language_of(user):
        mail.queue_mail(
            user.email,
            _("Uw wachtwoord voor ldapply is gewijzigd"),
            _(
                "Beste %(name)s,\n\nHet wachtwoord van uw account bij ldapply is zonet gewijzigd. Op elk toestel "
                "waar u aangemeld was, bent u afgemeld.\n\nHebt u dit niet zelf gedaan? Kies dan meteen een nieuw "
                "wachtwoord via %(link)s en neem contact op met de helpdesk.",
                name=user.name,
                link=mail.link("auth.forgot_password"),
            )
            + signature(),
        )
    end_all_sessions(user)


def _mail_existing_account(user: User) -> None:
    with in_language_of(user):
        mail.queue_mail_once(
            user.email,
            _("U hebt al een account bij ldapply"),
            _(
                "Beste %(name)s,\n\nIemand, wellicht uzelf, probeerde met dit e-mailadres een account aan te maken "
                "bij ldapply. U hebt al een account: meld u aan via\n\n%(link)s\n\nWeet u uw wachtwoord niet meer? "
                "Kies een nieuw via %(reset)s\n\nHebt u dit niet zelf gedaan? Dan mag u deze e-mail negeren.",
                name=user.name,
                link=mail.link("auth.login"),
                reset=mail.link("auth.forgot_password"),
            )
            + signature(),
            MAIL_INTERVAL,
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


# Every page asks the user's organisations and roles: loaded with the user, in one statement.
SESSION_USER_LOADS = (joinedload(User.memberships), joinedload(User.role_grants))


@functools.cache
def _session_user_query() -> Select[User]:
    """Built once: every request runs it, and building a statement costs about what running this one does."""
    return select(User).where(User.id == bindparam("user_id")).options(*SESSION_USER_LOADS)


def load_session_user(session_id: str) -> User | None:
    """Resolve Flask-Login's id (`<user id>:<session token>`); a rotated token means logged out."""
    user_id, _, token = session_id.partition(":")
    try:
        found = db.session.execute(_session_user_query(), {"user_id": uuid.UUID(user_id)})
    except ValueError:
        return None
    user = found.unique().scalar_one_or_none()
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def end_all_sessions(user: User) -> None:
    """Invalidate every cookie issued to this user, server-side."""
    user.session_token = secrets.token_hex(16)
    db.session.commit()


def is_staff(user: User) -> bool:
    return bool(user.roles & STAFF_ROLES)
