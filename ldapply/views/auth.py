"""Log in and log out."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ..forms.base import EmptyForm, LoginForm
from ..services import accounts

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            session.clear()  # a fresh session on login (no fixation)
            login_user(user)
            session.permanent = True
            session["login_at"] = int(time.time())
            return redirect(safe_local_path(request.args.get("next", "")) or url_for("apply.home"))
        form.password.errors.append("Het e-mailadres of het wachtwoord klopt niet.")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    if EmptyForm().validate_on_submit():
        accounts.end_all_sessions(current_user)
        logout_user()
        session.clear()
        flash("U bent afgemeld.", "info")
    return redirect(url_for("auth.login"))


def safe_local_path(target: str) -> str | None:
    """A local path to return to, or None: never another site (no open redirect)."""
    if any(ord(ch) < 0x21 or ch == "\\" for ch in target):
        return None  # tabs and newlines are dropped by browsers, turning "/\t/evil" into "//evil"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
