"""Admins manage staff: users, role grants per regime, advisory bodies."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..forms.base import EmptyForm
from ..forms.staff import EVERY_REGIME, ROLE_LABELS, AdvisoryBodyForm, GrantForm, StaffAccountForm
from ..i18n import LOCALE_NAMES, _, text
from ..models import User
from ..services import staff, staff_admin
from ..services.errors import TransitionNotAllowed
from ..workflows import REGIMES
from ..workflows._spec import Role
from ._helpers import me
from .backoffice import bp

ADMIN_PAGES = frozenset(
    f"backoffice.{name}"
    for name in (
        "staff_list",
        "staff_member",
        "staff_grant",
        "staff_revoke",
        "staff_active",
        "advisory_bodies",
        "advisory_body_active",
    )
)


@bp.before_request
def _admins_only_on_staff_pages() -> None:
    if request.endpoint in ADMIN_PAGES:
        staff_admin.require_admin(me())


def _regime_choices(*, every: str) -> list[SelectChoice]:
    """The regimes this admin manages; "every regime" only for an admin of every regime."""
    choices = [SelectChoice(EVERY_REGIME, every)] if staff.may_admin(me(), None) else []
    return choices + [SelectChoice(code, text(r.title)) for code, r in REGIMES.items() if staff.may_admin(me(), code)]


def _fill_grant_choices(form: GrantForm | StaffAccountForm) -> None:
    form.role.choices = [SelectChoice("", _("Kies…"))] + [
        SelectChoice(r.value, str(label)) for r, label in ROLE_LABELS.items()
    ]
    form.regime.choices = _regime_choices(every=_("Alle regelingen"))
    form.body.choices = [SelectChoice("", _("Geen (geen adviseur)"))] + [
        SelectChoice(str(body.id), body.name)
        for body in staff_admin.all_bodies()
        if body.active and staff.may_admin(me(), body.regime_code)
    ]


def _grant_args(form: GrantForm | StaffAccountForm) -> dict[str, object]:
    return {
        "role": Role(form.role.data),
        "regime_code": form.regime.data or None,
        "body_id": uuid.UUID(form.body.data) if form.body.data else None,
    }


# -- the list, and new accounts ----------------------------------------------------------------------


@bp.route("/staff", methods=["GET", "POST"])
def staff_list() -> str | Response | tuple[str, int]:
    """Everyone with a staff role and their grants; a new account with its first role."""
    form = StaffAccountForm()
    _fill_grant_choices(form)
    form.locale.choices = [SelectChoice(code, name) for code, name in LOCALE_NAMES.items()]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user, new = staff_admin.create_staff_account(
                    actor=me(),
                    email=form.email.data or "",
                    name=form.name.data or "",
                    locale=form.locale.data,
                    **_grant_args(form),  # type: ignore[arg-type]
                )
            except TransitionNotAllowed as refusal:
                form.role.errors = [refusal.message]
            else:
                message = (
                    _(
                        "Account voor %(name)s aangemaakt; er ging een e-mail naar %(email)s om een wachtwoord te kiezen.",
                        name=user.name,
                        email=user.email,
                    )
                    if new
                    else _("%(email)s had al een account; het kreeg de rol.", email=user.email)
                )
                flash(message, "success")
                return redirect(url_for("backoffice.staff_member", user_id=user.id))
        status = 400
    listing = staff_admin.staff_members(page=request.args.get("page", 1, type=int))
    bodies = staff_admin.bodies_by_id(
        {g.advisory_body_id for u in listing.people for g in u.role_grants if g.advisory_body_id}
    )
    page = render_template(
        "backoffice/staff_list.html",
        listing=listing,
        form=form,
        role_labels=ROLE_LABELS,
        regimes=REGIMES,
        bodies=bodies,
    )
    return page, status


# -- one member of staff ----------------------------------------------------------------------------


@bp.get("/staff/<uuid:user_id>")
def staff_member(user_id: uuid.UUID, form: GrantForm | None = None, status: int = 200) -> tuple[str, int]:
    person = staff_admin.member(user_id)
    if form is None:
        form = GrantForm(formdata=None)
        _fill_grant_choices(form)
    return _member_page(person, form), status


def _member_page(person: User, form: GrantForm) -> str:
    bodies = staff_admin.bodies_by_id({g.advisory_body_id for g in person.role_grants if g.advisory_body_id})
    return render_template(
        "backoffice/staff_member.html",
        person=person,
        form=form,
        role_labels=ROLE_LABELS,
        regimes=REGIMES,
        bodies=bodies,
        may_manage=lambda regime_code: staff.may_admin(me(), regime_code),
        may_deactivate=staff.may_admin(me(), None),
    )


@bp.post("/staff/<uuid:user_id>/grants")
def staff_grant(user_id: uuid.UUID) -> Response | tuple[str, int]:
    form = GrantForm()
    _fill_grant_choices(form)
    if form.validate_on_submit():
        try:
            staff_admin.grant(actor=me(), user_id=user_id, **_grant_args(form))  # type: ignore[arg-type]
        except TransitionNotAllowed as refusal:
            form.role.errors = [refusal.message]
            return staff_member(user_id, form=form, status=refusal.status_code)
        flash(_("Rol gegeven."), "success")
        return redirect(url_for("backoffice.staff_member", user_id=user_id))
    return staff_member(user_id, form=form, status=400)


@bp.post("/staff/<uuid:user_id>/grants/revoke")
def staff_revoke(user_id: uuid.UUID) -> Response:
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("backoffice.staff_member", user_id=user_id))
    try:
        staff_admin.revoke(actor=me(), grant_id=_uuid(request.form.get("grant_id")))
    except TransitionNotAllowed as refusal:
        flash(refusal.message, "warn")
    else:
        flash(_("Rol ingetrokken."), "success")
    return redirect(url_for("backoffice.staff_member", user_id=user_id))


@bp.post("/staff/<uuid:user_id>/active")
def staff_active(user_id: uuid.UUID) -> Response:
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("backoffice.staff_member", user_id=user_id))
    active = request.form.get("active") == "yes"
    try:
        person = staff_admin.set_active(actor=me(), user_id=user_id, active=active)
    except TransitionNotAllowed as refusal:
        flash(refusal.message, "warn")
    else:
        flash(
            _("%(name)s kan weer aanmelden.", name=person.name)
            if active
            else _("%(name)s is uitgeschakeld en overal afgemeld.", name=person.name),
            "success",
        )
    return redirect(url_for("backoffice.staff_member", user_id=user_id))


def _uuid(value: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        raise TransitionNotAllowed(_("Deze rol bestaat niet (meer).")) from None


# -- advisory bodies ------------------------------------------------------------------------------------


@bp.route("/advisory-bodies", methods=["GET", "POST"])
def advisory_bodies() -> str | Response | tuple[str, int]:
    form = AdvisoryBodyForm()
    form.regime.choices = _regime_choices(every=_("Alle regelingen"))
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                body = staff_admin.create_body(
                    actor=me(), name=form.name.data or "", regime_code=form.regime.data or None
                )
            except TransitionNotAllowed as refusal:
                form.name.errors = [refusal.message]
            else:
                flash(_("Adviesorgaan %(name)s toegevoegd.", name=body.name), "success")
                return redirect(url_for("backoffice.advisory_bodies"))
        status = 400
    page = render_template(
        "backoffice/advisory_bodies.html",
        bodies=staff_admin.all_bodies(),
        form=form,
        regimes=REGIMES,
        may_manage=lambda regime_code: staff.may_admin(me(), regime_code),
    )
    return page, status


@bp.post("/advisory-bodies/<uuid:body_id>/active")
def advisory_body_active(body_id: uuid.UUID) -> Response:
    if EmptyForm().validate_on_submit():
        body = staff_admin.set_body_active(actor=me(), body_id=body_id, active=request.form.get("active") == "yes")
        flash(
            _("Adviesorgaan %(name)s is weer actief.", name=body.name)
            if body.active
            else _("Adviesorgaan %(name)s is uitgeschakeld: het wordt niet meer om advies gevraagd.", name=body.name),
            "success",
        )
    return redirect(url_for("backoffice.advisory_bodies"))
