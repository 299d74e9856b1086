"""The organisation: register it, ask to join it, manage its members, accept an invitation, switch."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from .. import formatting
from ..extensions import db, limiter
from ..forms.accounts import InvitationRegisterForm, InviteForm, OrganisationForm
from ..forms.base import EmptyForm
from ..i18n import _, current_locale, text
from ..models import Invitation, JoinRequest, Membership, User
from ..services import organisations
from ..services.accounts import find_user_by_email, is_confirmed
from ..services.errors import NotFound
from ..services.organisations import LEGAL_FORMS, MembershipRuleBroken, OrganisationDetails, OrganisationExists
from ._helpers import acting_membership, me
from .auth import start_session

bp = Blueprint("organisations", __name__)


def _per_user() -> str:
    """The rate-limit key of mail-sending actions: the account, else the visitor's address."""
    return str(getattr(current_user, "id", None) or get_remote_address())


@bp.app_context_processor
def _header_context() -> dict[str, Any]:
    """The header's organisation switch and members link read these."""
    return {
        # No user outside a request (a template rendered by the worker): nobody acts for anyone.
        "acting_membership": acting_membership if getattr(current_user, "is_authenticated", False) else lambda: None,
        "enterprise_number": formatting.enterprise_number,
        "legal_form_label": lambda code: text(LEGAL_FORMS[code]) if code in LEGAL_FORMS else (code or ""),
    }


# -- registering an organisation, or asking to join it ----------------------------------------------


@bp.route("/organisation/register", methods=["GET", "POST"])
@login_required
def register() -> str | Response:
    form = OrganisationForm()
    if form.validate_on_submit():
        details = OrganisationDetails(**{name: form[name].data or "" for name in OrganisationDetails.__annotations__})
        try:
            membership = organisations.register(me(), details)
        except OrganisationExists as exists:
            return _already_registered(exists.organisation.id) or render_template(
                "organisations/exists.html", organisation=exists.organisation, form=EmptyForm()
            )
        db.session.commit()
        session["organisation_id"] = str(membership.organisation_id)
        flash(
            _("%(name)s is geregistreerd. U bent beheerder en gemachtigd ondertekenaar.", name=details.name), "success"
        )
        return redirect(url_for("apply.home"))
    return render_template("organisations/register.html", form=form, join_requests=_my_open_join_requests())


def _already_registered(organisation_id: uuid.UUID) -> Response | None:
    """A member who registers their own organisation again simply goes on acting for it."""
    membership = next((m for m in me().memberships if m.organisation_id == organisation_id), None)
    if membership is None:
        return None
    session["organisation_id"] = str(organisation_id)
    flash(_("U bent al lid van %(name)s. U werkt nu voor deze organisatie.", name=membership.organisation.name), "info")
    return redirect(url_for("apply.home"))


@bp.post("/organisation/join")
@login_required
@limiter.limit("10 per hour", key_func=_per_user)  # each request mails the organisation's administrators
def join() -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    organisation = organisations.find_by_enterprise_number(request.form.get("enterprise_number", ""))
    if organisation is None:
        raise NotFound()
    try:
        organisations.request_to_join(me(), organisation)
    except MembershipRuleBroken as refusal:
        flash(refusal.message, "info")
        return redirect(url_for("apply.home"))
    db.session.commit()
    flash(
        _(
            "Uw vraag is naar de beheerders van %(name)s gestuurd. U krijgt een e-mail als ze beslissen.",
            name=organisation.name,
        ),
        "success",
    )
    return redirect(url_for("organisations.register"))


def _my_open_join_requests() -> list[JoinRequest]:
    return list(
        db.session.scalars(select(JoinRequest).where(JoinRequest.user_id == me().id, JoinRequest.decided_at.is_(None)))
    )


# -- the members page -------------------------------------------------------------------------------


def _admin() -> Membership:
    """The acting membership, which must be an administrator's."""
    membership = acting_membership()
    if membership is None:
        raise NotFound()
    return organisations.require_admin(membership)


@bp.get("/organisation/members")
@login_required
def members(invite_form: InviteForm | None = None) -> str:
    """Every member sees who is in the organisation and who may sign; administrators manage it here.

    `?organisation=<id>` (the link in a mail to an administrator) switches to that organisation first.
    """
    _switch_to(request.args.get("organisation", ""))
    actor = acting_membership()
    if actor is None:
        raise NotFound()
    organisation_id = actor.organisation_id
    manages = actor.is_admin
    return render_template(
        "organisations/members.html",
        actor=actor,
        manages=manages,
        organisation=actor.organisation,
        members=organisations.members(organisation_id),
        invitations=organisations.pending_invitations(organisation_id) if manages else [],
        join_requests=organisations.pending_join_requests(organisation_id) if manages else [],
        expires_at=organisations.invitation_expires_at,
        form=invite_form or InviteForm(),
        button_form=EmptyForm(),
    )


def _switch_to(organisation_id: str) -> None:
    membership = next((m for m in me().memberships if str(m.organisation_id) == organisation_id), None)
    if membership is not None and session.get("organisation_id") != organisation_id:
        session["organisation_id"] = organisation_id
        flash(_("U werkt nu voor %(name)s.", name=membership.organisation.name), "info")


@bp.post("/organisation/invitations")
@login_required
@limiter.limit("30 per hour", key_func=_per_user)  # each invitation is a mail from the government's address
def invite() -> str | Response:
    actor = _admin()
    form = InviteForm()
    if not form.validate_on_submit():
        return members(invite_form=form)
    try:
        invitation = organisations.invite(actor, form.email.data or "")
    except MembershipRuleBroken as refusal:
        form.email.errors.append(refusal.message)
        return members(invite_form=form)
    db.session.commit()
    flash(_("De uitnodiging is verstuurd naar %(email)s.", email=invitation.email), "success")
    return redirect(url_for("organisations.members"))


@bp.post("/organisation/invitations/revoke")
@login_required
def revoke_invitation() -> Response:
    actor = _admin()
    organisations.revoke_invitation(actor, _uuid_field("invitation_id"))
    db.session.commit()
    flash(_("De uitnodiging is ingetrokken; de link werkt niet meer."), "success")
    return redirect(url_for("organisations.members"))


@bp.post("/organisation/members/role")
@login_required
def set_role() -> Response:
    actor = _admin()
    role, value = request.form.get("role", ""), request.form.get("value") == "1"
    if role not in organisations.ROLES:
        abort(400)
    try:
        membership = organisations.set_role(actor, _uuid_field("membership_id"), role, value)
    except MembershipRuleBroken as refusal:
        flash(refusal.message, "warn")
        return redirect(url_for("organisations.members"))
    db.session.commit()
    flash(_("De rollen van %(name)s zijn aangepast.", name=membership.user.name), "success")
    return redirect(url_for("organisations.members"))


@bp.get("/organisation/members/<uuid:membership_id>/remove")
@login_required
def confirm_removal(membership_id: uuid.UUID) -> str:
    actor = _admin()
    membership = organisations.member_of(actor, membership_id)
    return render_template(
        "organisations/remove.html", membership=membership, yourself=membership.id == actor.id, form=EmptyForm()
    )


@bp.post("/organisation/members/remove")
@login_required
def remove_member() -> Response:
    actor = _admin()
    actor_id, organisation_name = actor.id, actor.organisation.name
    try:
        removed = organisations.remove_member(actor, _uuid_field("membership_id"))
    except MembershipRuleBroken as refusal:
        flash(refusal.message, "warn")
        return redirect(url_for("organisations.members"))
    name = removed.user.name
    db.session.commit()
    if removed.id == actor_id:
        session.pop("organisation_id", None)
        flash(_("U bent geen lid meer van %(organisation)s.", organisation=organisation_name), "success")
        return redirect(url_for("apply.home"))
    flash(_("%(name)s is geen lid meer van de organisatie.", name=name), "success")
    return redirect(url_for("organisations.members"))


@bp.post("/organisation/join-requests/decide")
@login_required
def decide_join_request() -> Response:
    actor = _admin()
    decision = request.form.get("decision")
    if decision not in ("accept", "refuse"):
        abort(400)
    try:
        join_request = organisations.decide_join_request(
            actor, _uuid_field("join_request_id"), accept=decision == "accept"
        )
    except MembershipRuleBroken as refusal:
        flash(refusal.message, "info")
        return redirect(url_for("organisations.members"))
    name = join_request.user.name
    db.session.commit()
    message = (
        _("%(name)s is nu lid.", name=name)
        if decision == "accept"
        else _("De vraag van %(name)s is geweigerd.", name=name)
    )
    flash(message, "success")
    return redirect(url_for("organisations.members"))


def _uuid_field(name: str) -> uuid.UUID:
    """An id from a hidden field, after the CSRF check; a malformed one is a bad request."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        return uuid.UUID(request.form.get(name, ""))
    except ValueError:
        abort(400)


# -- invitations, from the invited colleague's side -------------------------------------------------


@bp.get("/invitations/<token>")
def invitation(token: str) -> str | Response | tuple[str, int]:
    found = organisations.invitation_from_token(token)
    if found is None:
        return render_template("organisations/invitation_invalid.html"), 404
    if current_user.is_authenticated:
        return render_template("organisations/invitation.html", invitation=found, token=token, form=EmptyForm())
    if _has_account(found.email):
        flash(_("Meld u aan om de uitnodiging van %(name)s te aanvaarden.", name=found.organisation.name), "info")
        return redirect(url_for("auth.login", next=url_for("organisations.invitation", token=token)))
    form = InvitationRegisterForm(invited_email=found.email)
    return render_template("organisations/invitation_register.html", invitation=found, token=token, form=form)


@bp.post("/invitations/accept")
@login_required
def accept_invitation() -> Response:
    found = _invitation_from_form()
    membership = organisations.accept_invitation(found, me())
    db.session.commit()
    session["organisation_id"] = str(membership.organisation_id)
    flash(_("U bent nu lid van %(name)s.", name=found.organisation.name), "success")
    return redirect(url_for("apply.home"))


@bp.post("/invitations/register")
def register_through_invitation() -> str | Response:
    token = request.form.get("token", "")
    found = _invitation_from_form()
    if current_user.is_authenticated or _has_account(found.email):
        return redirect(url_for("organisations.invitation", token=token))
    form = InvitationRegisterForm(invited_email=found.email)
    if not form.validate_on_submit():
        return render_template("organisations/invitation_register.html", invitation=found, token=token, form=form)
    user = organisations.register_through_invitation(
        found, name=form.name.data or "", password=form.password.data or "", locale=current_locale()
    )
    db.session.commit()
    start_session(user)
    session["organisation_id"] = str(found.organisation_id)
    flash(_("Welkom. U bent nu lid van %(name)s.", name=found.organisation.name), "success")
    return redirect(url_for("apply.home"))


def _has_account(email: str) -> bool:
    """A confirmed account, that logs in to accept; an unconfirmed one is completed through the link."""
    user: User | None = find_user_by_email(email)
    return user is not None and is_confirmed(user)


def _invitation_from_form() -> Invitation:
    if not EmptyForm().validate_on_submit():
        abort(400)
    found = organisations.invitation_from_token(request.form.get("token", ""))
    if found is None:
        raise NotFound(_("Deze uitnodiging is verlopen, ingetrokken of al gebruikt. Vraag uw collega om een nieuwe."))
    return found


# -- choosing the organisation one acts for ---------------------------------------------------------


@bp.post("/organisation/switch")
@login_required
def switch() -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    chosen = request.form.get("organisation_id", "")
    membership = next((m for m in me().memberships if str(m.organisation_id) == chosen), None)
    if membership is None:
        abort(404)
    session["organisation_id"] = chosen
    flash(_("U werkt nu voor %(name)s.", name=membership.organisation.name), "info")
    return redirect(url_for("apply.home"))
