"""Sign up, confirm the e-mail address, log in and log out."""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from limits import parse
from werkzeug.wrappers import Response

from ..extensions import db, limiter
from ..forms.accounts import RegisterForm
from ..forms.base import EmptyForm, LoginForm
from ..i18n import _, current_locale
from ..models import User
from ..services import accounts

bp = Blueprint("auth", __name__)

RESEND_LIMIT = parse("1 per minute")  # per account, on the limiter's storage (Redis where the broker is)
UNCONFIRMED_KEY = "unconfirmed_user_id"  # set only after the password was checked
# What a visitor did before logging in that the session keeps: the eligibility pre-check's answers
# and the language chosen with the switch.
CARRIED_OVER_LOGIN = ("precheck", "locale")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data or "", form.password.data or "")
        if user is not None and not accounts.is_confirmed(user):
            session[UNCONFIRMED_KEY] = str(user.id)
            return render_template("auth/login.html", form=form, unconfirmed=True, resend_form=EmptyForm())
        if user is not None:
            start_session(user)
            return redirect(safe_local_path(request.args.get("next", "")) or landing_page(user))
        form.password.errors.append(_("Het e-mailadres of het wachtwoord klopt niet."))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    if EmptyForm().validate_on_submit():
        accounts.end_all_sessions(current_user)
        logout_user()
        session.clear()
        flash(_("U bent afgemeld."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])  # each sign-up sends a mail: no mail bombing from one address
def register() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("apply.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        email = form.email.data or ""
        accounts.sign_up(
            email=email, name=form.name.data or "", password=form.password.data or "", locale=current_locale()
        )
        db.session.commit()
        session["registered_email"] = email.strip().lower()
        return redirect(url_for("auth.registered"))
    return render_template("auth/register.html", form=form)


@bp.get("/register/sent")
def registered() -> str:
    """The same page whether the address was new or not: the mail tells its owner which it was."""
    return render_template("auth/registered.html", email=session.get("registered_email", ""))


@bp.get("/confirm/<token>")
def confirm_email(token: str) -> tuple[str, int] | Response:
    user = accounts.confirm_email(token)
    if user is None:
        return render_template("auth/confirm_failed.html"), 400
    session.pop(UNCONFIRMED_KEY, None)
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(landing_page(user))
    flash(_("Uw e-mailadres is bevestigd. Meld u aan om verder te gaan."), "success")
    return redirect(url_for("auth.login"))


@bp.post("/confirm/resend")
def resend_confirmation() -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = _unconfirmed_user()
    if user is None:
        return redirect(url_for("auth.login"))
    if not limiter.limiter.hit(RESEND_LIMIT, "confirm-resend", str(user.id)):
        flash(_("U vroeg net een nieuwe link aan. Wacht een minuut voor u een volgende vraagt."), "warn")
        return redirect(url_for("auth.registered"))
    accounts.send_confirmation(user)
    db.session.commit()
    session["registered_email"] = user.email
    flash(_("We stuurden u een nieuwe link."), "success")
    return redirect(url_for("auth.registered"))


def _unconfirmed_user() -> User | None:
    try:
        user = db.session.get(User, uuid.UUID(session.get(UNCONFIRMED_KEY) or ""))
    except ValueError:
        return None
    return user if user is not None and not accounts.is_confirmed(user) else None


def start_session(user: User) -> None:
    """Log in with a fresh session (no fixation), with the timeouts the session rules count from."""
    carried = {key: session[key] for key in CARRIED_OVER_LOGIN if key in session}
    session.clear()
    session.update(carried)
    login_user(user)
    session.permanent = True
    session["login_at"] = int(time.time())


def landing_page(user: User) -> str:
    """Where a user goes after logging in: their applications, or registering an organisation first."""
    if user.memberships or accounts.is_staff(user):
        return url_for("apply.home")
    return url_for("organisations.register")


def safe_local_path(target: str) -> str | None:
    """A local path to return to, or None: never another site (no open redirect)."""
    if any(ord(ch) < 0x21 or ch == "\\" for ch in target):
        return None  # tabs and newlines are dropped by browsers, turning "/\t/evil" into "//evil"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
