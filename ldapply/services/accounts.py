"""Users, organisations and roles: creation, authentication, session invalidation."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Membership, Organisation, RoleGrant, User, utcnow
from ..workflows._spec import STAFF_ROLES, Role

# A hash to compare against when the e-mail is unknown, so both cases take as long (no user enumeration).
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_password(password: str) -> str:
    """scrypt, Werkzeug's current default."""
    return generate_password_hash(password, method="scrypt")


def create_user(
    *, email: str, name: str, password: str, roles: tuple[Role, ...] = (), organisation: Organisation | None = None
) -> User:
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
        user.memberships = [Membership(organisation=organisation, is_admin=True, is_signatory=True)]
    db.session.flush()
    return user


def create_organisation(*, name: str, enterprise_number: str | None = None) -> Organisation:
    organisation = Organisation(name=name, enterprise_number=enterprise_number)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def find_organisation(enterprise_number: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.enterprise_number == enterprise_number))


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The user when the password matches and the account is active; otherwise None."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


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
