"""Pages every visitor reaches: the language switch and the help, privacy and accessibility statements."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import db
from ..i18n import LOCALES
from .auth import safe_local_path

bp = Blueprint("pages", __name__)


@bp.get("/language/<code>")
def switch_language(code: str) -> Response:
    """Switch the interface language and return to the page the visitor came from."""
    if code in LOCALES:
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code  # e-mails follow the language chosen last
            db.session.commit()
    return redirect(safe_local_path(request.args.get("next", "")) or url_for("apply.home"))


@bp.get("/help")
def help_page() -> str:
    return render_template("pages/help.html")


@bp.get("/privacy")
def privacy() -> str:
    return render_template("pages/privacy.html")


@bp.get("/accessibility")
def accessibility() -> str:
    return render_template("pages/accessibility.html")
