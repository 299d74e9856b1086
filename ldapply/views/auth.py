"""Sign up, confirm the e-mail address, log in and log out, choose a new password."""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from limits import parse
from werkzeug.wrappers import Response

from ..extensions import db, limiter
from ..forms.accounts import ConfirmForm, ForgotPasswordForm, RegisterForm, ResetPasswordForm
from ..forms.base import EmptyForm, LoginForm
from ..i18n import _, current_locale
from ..models import User
from ..services import accounts

bp = Blueprint("auth", __name__)

RESEND_LIMIT = parse("1 per minute")  # per account, on the limiter's storage (Redis where the broker is)
# Failed password checks (login, confirmation): 5 a minute per account, 20 a minute per address (quality
# S6), so guessing is slow; successful logins are not counted, so a busy office is never held up.
FAILURES_PER_ACCOUNT = parse("5 per minute")
FAILURES_PER_ADDRESS = parse("20 per minute")
UNCONFIRMED_KEY = "unconfirmed_user_id"  # set only after the password was checked
# What a visitor did before logging in that the session keeps: the eligibility pre-check's answers
# and the language chosen with the switch.
CARRIED_OVER_LOGIN = ("precheck", "locale")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data or ""
        if too_many_failures(email):
            form.password.errors.append(too_many_failures_message())
            return render_template("auth/login.html", form=form), 429
        user = accounts.authenticate(email, form.password.data or "")
        if user is not None and not accounts.is_confirmed(user):
            session[UNCONFIRMED_KEY] = str(user.id)
            return render_template("auth/login.html", form=form, unconfirmed=True, resend_form=EmptyForm())
        if user is not None:
            start_session(user)
            return redirect(safe_local_path(request.args.get("next", "")) or landing_page(user))
        count_failure(email)
        form.password.errors.append(_("Het e-mailadres of het wachtwoord klopt niet."))
    return render_template("auth/login.html", form=form)


def too_many_failures_message() -> str:
    return _(
        "U probeerde te vaak een verkeerd wachtwoord. Wacht een minuut en probeer opnieuw, of kies een nieuw "
        "wachtwoord met „Wachtwoord vergeten?”."
    )


def too_many_failures(email: str) -> bool:
    """Whether this account or this address is over its limit of failed password checks."""
    strategy = limiter.limiter
    return not (
        strategy.test(FAILURES_PER_ACCOUNT, "password-failures", email.strip().lower())
        and strategy.test(FAILURES_PER_ADDRESS, "password-failures-address", get_remote_address())
    )


def count_failure(email: str) -> None:
    limiter.limiter.hit(FAILURES_PER_ACCOUNT, "password-failures", email.strip().lower())
    limiter.limiter.hit(FAILURES_PER_ADDRESS, "password-failures-address", get_remote_address())


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Log out everywhere; `next` (a local path) is where to go then, e.g. back to an invitation."""
    if EmptyForm().validate_on_submit():
        accounts.end_all_sessions(current_user)
        logout_user()
        locale = session.get("locale")
        session.clear()
        if locale:
            session["locale"] = locale
        flash(_("U bent afgemeld."), "info")
        return redirect(safe_local_path(request.form.get("next", "")) or url_for("auth.login"))
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
def confirm_email(token: str) -> str | tuple[str, int] | Response:
    """The link in the mail opens a page that asks for the password: a link followed by a mail scanner, or
    by someone who did not make the account, confirms nothing."""
    return _confirmation_page(token, ConfirmForm(formdata=None))


@bp.post("/confirm")
def confirm_email_with_password() -> str | tuple[str, int] | Response:
    token = request.form.get("token", "")
    form = ConfirmForm()
    user = accounts.user_to_confirm(token)
    if user is None or accounts.is_confirmed(user) or not form.validate_on_submit():
        return _confirmation_page(token, form)
    if too_many_failures(user.email):
        form.password.errors.append(too_many_failures_message())
        return _confirmation_page(token, form, status=429)
    if not accounts.confirm_email(user, form.password.data or ""):
        count_failure(user.email)
        form.password.errors.append(_("Dit wachtwoord klopt niet. Typ het wachtwoord dat u koos bij het aanmaken."))
        return _confirmation_page(token, form)
    db.session.commit()
    start_session(user)
    if user.memberships:
        flash(_("Uw e-mailadres is bevestigd. Welkom bij ldapply."), "success")
    else:
        flash(_("Uw e-mailadres is bevestigd. Registreer nu de organisatie waarvoor u aanvragen indient."), "success")
    return redirect(landing_page(user))


def _confirmation_page(token: str, form: ConfirmForm, status: int = 200) -> str | tuple[str, int] | Response:
    user = accounts.user_to_confirm(token)
    if user is None:
        return render_template("auth/confirm_failed.html"), 400
    if accounts.is_confirmed(user):
        flash(_("Uw e-mailadres is al bevestigd. Meld u aan."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/confirm.html", form=form, token=token, email=user.email), status


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


# -- a forgotten password ---------------------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])  # each request may send a mail
def forgot_password() -> str | Response:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        accounts.request_password_reset(email)
        db.session.commit()
        session["reset_email"] = email
        return redirect(url_for("auth.reset_sent"))
    return render_template("auth/forgot_password.html", form=form)


@bp.get("/password/sent")
def reset_sent() -> str:
    """The same page whether the address has an account or not."""
    return render_template("auth/reset_sent.html", email=session.get("reset_email", ""))


@bp.get("/password/reset/<token>")
def reset_password(token: str) -> str | tuple[str, int]:
    user = accounts.user_to_reset(token)
    if user is None:
        return render_template("auth/reset_failed.html"), 400
    return render_template("auth/reset_password.html", form=ResetPasswordForm(email=user.email), token=token)


@bp.post("/password/reset")
def reset_password_save() -> str | tuple[str, int] | Response:
    token = request.form.get("token", "")
    user = accounts.user_to_reset(token)
    if user is None:
        return render_template("auth/reset_failed.html"), 400
    form = ResetPasswordForm(email=user.email)
    if not form.validate_on_submit():
        return render_template("auth/reset_password.html", form=form, token=token)
    accounts.reset_password(user, form.password.data or "")  # ends every session of the account
    start_session(user)
    flash(_("Uw nieuwe wachtwoord is bewaard. Op andere toestellen bent u afgemeld."), "success")
    return redirect(landing_page(user))


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
