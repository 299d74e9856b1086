"""Organisations and their members: registration, join requests, invitations, roles and removal.

Every change is made by a member acting for the organisation; `actor` is that membership, and the
rules that protect an organisation (only administrators manage it, never zero administrators) are here,
so no page can forget them. Callers commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager
from stdnum.be import vat

from ..extensions import db
from ..i18n import _
from ..models import Invitation, JoinRequest, Membership, Organisation, User, utcnow
from ..workflows._spec import Text
from . import mail
from .accounts import hash_password, in_language_of, is_confirmed, new_user, signature, signed, unsigned
from .errors import DomainError, Forbidden, NotFound

LEGAL_FORMS: dict[str, Text] = {
    "vzw": Text("vzw (vereniging zonder winstoogmerk)", "vzw (non-profit association)"),
    "ivzw": Text("ivzw (internationale vereniging zonder winstoogmerk)", "ivzw (international non-profit association)"),
    "stichting": Text("Stichting", "Foundation"),
    "cv_social": Text("cvba of cv met sociaal oogmerk", "Cooperative (cvba or cv) with a social purpose"),
    "bv": Text("bv (besloten vennootschap)", "bv (private limited company)"),
    "nv": Text("nv (naamloze vennootschap)", "nv (public limited company)"),
    "ocmw": Text("OCMW", "Public centre for social welfare (OCMW)"),
    "gemeente": Text("Gemeente", "Municipality"),
    "intergemeentelijk": Text("Intergemeentelijk samenwerkingsverband", "Intermunicipal partnership"),
    "shm": Text("Sociale huisvestingsmaatschappij", "Social housing company"),
    "other": Text("Andere rechtsvorm", "Another legal form"),
}
INVITATION_SALT = "ldapply.invitation"
INVITATION_MAX_AGE = 7 * 24 * 3600
# Inviting the same address again within this time is the same click twice: one invitation, one mail.
REPEAT_WINDOW = timedelta(minutes=1)


class MembershipRuleBroken(DomainError):
    """A change that would leave the organisation without what it needs (an administrator)."""

    status_code = 409


class OrganisationExists(Exception):
    """The enterprise number is registered already: ask to join instead of making a duplicate."""

    def __init__(self, organisation: Organisation) -> None:
        super().__init__(organisation.enterprise_number)
        self.organisation = organisation


@dataclass(frozen=True)
class OrganisationDetails:
    name: str
    enterprise_number: str  # as typed; stored compact
    legal_form: str
    street: str
    postcode: str
    municipality: str


# -- enterprise numbers -----------------------------------------------------------------------------


def compact_enterprise_number(typed: str) -> str | None:
    """The 10 digits of a valid Belgian enterprise number (with or without dots, spaces or BE); None if invalid."""
    try:
        return str(vat.validate(typed))
    except Exception:  # stdnum raises its ValidationError subclasses for every kind of bad input
        return None


def find_by_enterprise_number(typed: str) -> Organisation | None:
    number = compact_enterprise_number(typed)
    if number is None:
        return None
    return db.session.scalar(select(Organisation).where(Organisation.enterprise_number == number))


# -- registration and joining -----------------------------------------------------------------------


def register(user: User, details: OrganisationDetails) -> Membership:
    """A new organisation with `user` as its first member, administrator and authorised signatory."""
    number = compact_enterprise_number(details.enterprise_number)
    if number is None:
        raise ValueError("the form validates the enterprise number first")
    existing = find_by_enterprise_number(number)
    if existing is not None:
        raise OrganisationExists(existing)
    organisation = Organisation(
        id=uuid.uuid4(),
        name=details.name,
        enterprise_number=number,
        legal_form=details.legal_form,
        street=details.street,
        postcode=details.postcode,
        municipality=details.municipality,
    )
    try:
        with db.session.begin_nested():
            membership = Membership(organisation=organisation, user=user, is_admin=True, is_signatory=True)
            db.session.add_all([organisation, membership])
    except IntegrityError:  # registered at the same moment by someone else
        registered = find_by_enterprise_number(number)
        if registered is None:
            raise
        raise OrganisationExists(registered) from None
    return membership


def request_to_join(user: User, organisation: Organisation) -> JoinRequest:
    """Ask the organisation's administrators to let `user` in; asking twice gives the same request."""
    if organisation.id in user.organisation_ids:
        raise MembershipRuleBroken(_("U bent al lid van deze organisatie."))
    pending = db.session.scalar(
        select(JoinRequest).where(
            JoinRequest.organisation_id == organisation.id,
            JoinRequest.user_id == user.id,
            JoinRequest.decided_at.is_(None),
        )
    )
    if pending is not None:
        return pending
    join_request = JoinRequest(id=uuid.uuid4(), organisation=organisation, user=user)
    db.session.add(join_request)
    for admin in administrators(organisation.id):
        with in_language_of(admin.user):
            mail.queue_mail(
                admin.user.email,
                _(
                    "%(name)s vraagt om lid te worden van %(organisation)s",
                    name=user.name,
                    organisation=organisation.name,
                ),
                _(
                    "Beste %(admin)s,\n\n%(name)s (%(email)s) vraagt om lid te worden van %(organisation)s in ldapply. "
                    "Aanvaard of weiger de vraag op de ledenpagina:\n\n%(link)s",
                    admin=admin.user.name,
                    name=user.name,
                    email=user.email,
                    organisation=organisation.name,
                    link=mail.link("organisations.members", organisation=str(organisation.id)),
                )
                + signature(),
            )
    return join_request


def decide_join_request(actor: Membership, join_request_id: uuid.UUID, *, accept: bool) -> JoinRequest:
    """An administrator accepts (a membership follows) or refuses; the requester is told either way.

    The request is claimed in one statement, so two administrators deciding at once decide once.
    """
    require_admin(actor)
    join_request = db.session.get(JoinRequest, join_request_id)
    if join_request is None or join_request.organisation_id != actor.organisation_id:
        raise NotFound()
    claimed = db.session.execute(
        update(JoinRequest)
        .where(JoinRequest.id == join_request_id, JoinRequest.decided_at.is_(None))
        .values(decided_at=utcnow(), decided_by_id=actor.user_id, accepted=accept)
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        raise MembershipRuleBroken(_("Over deze vraag is al beslist, misschien door een andere beheerder."))
    db.session.refresh(join_request)
    if accept and join_request.organisation_id not in join_request.user.organisation_ids:
        db.session.add(Membership(organisation_id=join_request.organisation_id, user=join_request.user))
    with in_language_of(join_request.user):
        verdict = (
            _(
                "Uw vraag om lid te worden van %(organisation)s is aanvaard.",
                organisation=join_request.organisation.name,
            )
            if accept
            else _(
                "Uw vraag om lid te worden van %(organisation)s is geweigerd.",
                organisation=join_request.organisation.name,
            )
        )
        mail.queue_mail(
            join_request.user.email,
            verdict,
            _("Beste %(name)s,\n\n", name=join_request.user.name)
            + verdict
            + "\n\n"
            + _("Meld u aan via %(link)s", link=mail.link("auth.login"))
            + signature(),
        )
    return join_request


# -- invitations ------------------------------------------------------------------------------------


def invite(actor: Membership, email: str) -> Invitation:
    """Invite a colleague by e-mail; an earlier open invitation for the same address is replaced, unless
    it is a minute old or less (the same click twice: it stands, and no second mail goes out)."""
    require_admin(actor)
    email = email.strip().lower()
    if any(m.user.email == email for m in members(actor.organisation_id)):
        raise MembershipRuleBroken(_("Deze persoon is al lid van de organisatie."))
    for earlier in pending_invitations(actor.organisation_id):
        if earlier.email != email:
            continue
        if earlier.created_at > utcnow() - REPEAT_WINDOW:
            return earlier
        earlier.revoked_at = utcnow()
    invitation = Invitation(
        id=uuid.uuid4(), organisation_id=actor.organisation_id, email=email, invited_by_id=actor.user_id
    )
    db.session.add(invitation)
    invitee = db.session.scalar(select(User).where(User.email == email))
    organisation = actor.organisation
    with in_language_of(invitee):
        mail.queue_mail(
            email,
            _("Uitnodiging: word lid van %(organisation)s in ldapply", organisation=organisation.name),
            _(
                "Goedendag,\n\n%(inviter)s nodigt u uit om lid te worden van %(organisation)s in ldapply, waar de "
                "organisatie haar aanvragen voor erkenning in de lokale diensteneconomie voorbereidt. Aanvaard de "
                "uitnodiging met deze link (7 dagen geldig):\n\n%(link)s\n\nKent u %(inviter)s niet? Dan mag u deze "
                "e-mail negeren.",
                inviter=actor.user.name,
                organisation=organisation.name,
                link=mail.link("organisations.invitation", token=signed(INVITATION_SALT, str(invitation.id))),
            )
            + signature(),
        )
    return invitation


def invitation_from_token(token: str) -> Invitation | None:
    """The open invitation a link names; None when the link is altered, expired, used or revoked."""
    invitation_id = unsigned(INVITATION_SALT, token, INVITATION_MAX_AGE)
    try:
        invitation = db.session.get(Invitation, uuid.UUID(str(invitation_id)))
    except ValueError:
        return None
    if invitation is None or invitation.accepted_at is not None or invitation.revoked_at is not None:
        return None
    return invitation


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """`user`, whose e-mail is the invited one, joins the organisation.

    Someone logged in with another address is refused: the link was mailed to the invited address, and
    nobody else may use it. The invitation is claimed in one statement, so it is used once, even when
    the link is followed twice at the same moment.
    """
    if user.email != invitation.email:
        raise Forbidden(
            _(
                "Deze uitnodiging is voor %(invited)s, maar u bent aangemeld als %(current)s.",
                invited=invitation.email,
                current=user.email,
            )
        )
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .values(accepted_at=utcnow(), accepted_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        raise NotFound(_("Deze uitnodiging is verlopen, ingetrokken of al gebruikt. Vraag uw collega om een nieuwe."))
    db.session.refresh(invitation)
    return _become_member(user, invitation.organisation_id)


def _become_member(user: User, organisation_id: uuid.UUID) -> Membership:
    """The user's membership of the organisation, made if needed; their own open request to join it is
    settled, so administrators are not asked about a colleague who is in already."""
    for pending in pending_join_requests(organisation_id):
        if pending.user_id == user.id:
            pending.decided_at, pending.accepted = utcnow(), True
    for membership in user.memberships:
        if membership.organisation_id == organisation_id:
            return membership
    membership = Membership(organisation_id=organisation_id, user=user)
    db.session.add(membership)
    db.session.flush()
    return membership


def register_through_invitation(invitation: Invitation, *, name: str, password: str, locale: str) -> User:
    """An account for the invited address, confirmed by the link itself, and its membership.

    An unconfirmed account for the address (a sign-up whose mail was never followed, perhaps not even
    by the invitee) takes the name and password typed here: the invitation proves who owns the address.
    """
    user = db.session.scalar(select(User).where(User.email == invitation.email))
    if user is not None and is_confirmed(user):
        raise MembershipRuleBroken(_("Er is al een account voor dit e-mailadres. Meld u aan."))
    if user is None:
        user = new_user(email=invitation.email, name=name, password=password, locale=locale)
        try:
            with db.session.begin_nested():
                db.session.add(user)
        except IntegrityError:  # the same form sent twice at once: the other request made the account
            raise NotFound(_("Deze uitnodiging is al gebruikt. Meld u aan.")) from None
    else:
        user.name, user.password_hash = name, hash_password(password)
    user.email_confirmed_at = utcnow()
    accept_invitation(invitation, user)
    return user


def revoke_invitation(actor: Membership, invitation_id: uuid.UUID) -> None:
    require_admin(actor)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != actor.organisation_id:
        raise NotFound()
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()


# -- members and roles ------------------------------------------------------------------------------


ROLES = ("is_admin", "is_signatory")


def set_role(actor: Membership, membership_id: uuid.UUID, role: str, value: bool) -> Membership:
    """Give or take a role; the last administrator keeps theirs."""
    if role not in ROLES:
        raise NotFound()
    actor = _lock_members(actor)
    membership = member_of(actor, membership_id)
    if role == "is_admin" and not value and membership.is_admin and _admin_count(actor.organisation_id) <= 1:
        raise MembershipRuleBroken(
            _("De organisatie heeft altijd een beheerder nodig. Maak eerst iemand anders beheerder.")
        )
    setattr(membership, role, value)
    return membership


def remove_member(actor: Membership, membership_id: uuid.UUID) -> Membership:
    """Remove a member (possibly the actor); never the last administrator."""
    actor = _lock_members(actor)
    membership = member_of(actor, membership_id)
    if membership.is_admin and _admin_count(actor.organisation_id) <= 1:
        raise MembershipRuleBroken(
            _("U kunt de laatste beheerder niet verwijderen. Maak eerst iemand anders beheerder.")
        )
    db.session.delete(membership)
    return membership


def _lock_members(actor: Membership) -> Membership:
    """Take the organisation's lock for changing its members, then read the actor's roles afresh.

    A no-op write on the organisation's row: PostgreSQL locks the row and SQLite the database until the
    transaction ends, so two administrators demoting or removing each other at once are served one after
    the other, and the second sees the first's change (an actor demoted meanwhile may no longer act;
    the last administrator is kept).
    """
    db.session.execute(
        update(Organisation)
        .where(Organisation.id == actor.organisation_id)
        .values(name=Organisation.name)
        .execution_options(synchronize_session=False)
    )
    fresh = db.session.scalar(
        select(Membership).where(Membership.id == actor.id).execution_options(populate_existing=True)
    )
    return require_admin(fresh)


def member_of(actor: Membership, membership_id: uuid.UUID) -> Membership:
    """A membership of the actor's own organisation; 404 for any other, as if it did not exist."""
    membership = db.session.get(Membership, membership_id, populate_existing=True)
    if membership is None or membership.organisation_id != actor.organisation_id:
        raise NotFound()
    return membership


def require_admin(actor: Membership | None) -> Membership:
    if actor is None or not actor.is_admin:
        raise Forbidden(_("Alleen een beheerder van de organisatie kan dit doen."))
    return actor


def members(organisation_id: uuid.UUID) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.user)
            .options(contains_eager(Membership.user))
            .where(Membership.organisation_id == organisation_id)
            .order_by(func.lower(User.name), User.email)
        )
    )


def administrators(organisation_id: uuid.UUID) -> list[Membership]:
    return [m for m in members(organisation_id) if m.is_admin]


def pending_invitations(organisation_id: uuid.UUID) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.organisation_id == organisation_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .order_by(Invitation.created_at)
        )
    )


def pending_join_requests(organisation_id: uuid.UUID) -> list[JoinRequest]:
    return list(
        db.session.scalars(
            select(JoinRequest)
            .where(JoinRequest.organisation_id == organisation_id, JoinRequest.decided_at.is_(None))
            .order_by(JoinRequest.created_at)
        )
    )


def invitation_expires_at(invitation: Invitation) -> datetime:
    return invitation.created_at + timedelta(seconds=INVITATION_MAX_AGE)


def _admin_count(organisation_id: uuid.UUID) -> int:
    """How many administrators there are; read under `_lock_members`, so it is current."""
    return len(
        db.session.scalars(
            select(Membership.id).where(Membership.organisation_id == organisation_id, Membership.is_admin.is_(True))
        ).all()
    )
