"""Blueprints, error pages, security headers and the login wiring."""

from __future__ import annotations

import time

from flask import Flask, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

from .. import formatting
from ..clock import local_date
from ..extensions import login_manager
from ..i18n import _, _l, format_day, format_moment, text
from ..models import Application, User
from ..services import accounts, audit
from ..services.errors import DomainError
from ..services.regimes import regime_of
from ..workflows._spec import Regime
from . import (
    advice,
    apply,
    audit_trail,
    auth,
    backoffice,
    calls,
    clock_admin,
    conflicts,
    health,
    organisations,
    pages,
    parameters_admin,
    queue,
    reports,
    staff_admin,
    verify,
)

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def register_views(app: Flask) -> None:
    _ = (
        advice,
        audit_trail,
        calls,
        clock_admin,
        conflicts,
        parameters_admin,
        queue,
        reports,
        staff_admin,
    )  # their routes are on backoffice.bp
    for blueprint in (auth.bp, apply.bp, backoffice.bp, health.bp, organisations.bp, pages.bp, verify.bp):
        app.register_blueprint(blueprint)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Meld u aan om verder te gaan.")
    login_manager.localize_callback = str  # the lazy message, in the language of the request
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    app.add_template_filter(format_moment, "local")
    app.add_template_filter(format_day, "day")
    app.add_template_filter(formatting.filesize, "filesize")
    app.add_template_filter(formatting.number, "number")
    app.add_template_global(outside_period, "outside_period")
    app.add_template_global(period_text, "period_text")
    app.before_request(audit.begin_request)
    app.before_request(_end_expired_session)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.after_request(_security_headers)


def outside_period(application: Application) -> bool:
    """Whether the application was started outside the period its regime version was in force."""
    return not regime_of(application).in_force.covers(local_date(application.created_at))


def period_text(regime: Regime) -> str:
    period, provenance = regime.in_force, text(regime.in_force.provenance.label)
    if period.ends is None:
        return _("vanaf %(start)s (%(provenance)s)", start=format_day(period.starts), provenance=provenance)
    return _(
        "van %(start)s tot en met %(end)s (%(provenance)s)",
        start=format_day(period.starts),
        end=format_day(period.ends),
        provenance=provenance,
    )


def _end_expired_session() -> WerkzeugResponse | None:
    """An absolute session lifetime on top of the inactivity timeout (ASVS 7.3.2)."""
    login_at = session.get("login_at")
    if current_user.is_authenticated and (
        login_at is None or time.time() - login_at > current_app.config["SESSION_ABSOLUTE_SECONDS"]
    ):
        logout_user()
        locale = session.get("locale")
        session.clear()
        if locale:
            session["locale"] = locale  # the language outlives the session it was chosen in
        flash(_("Uw sessie is verlopen. Meld u opnieuw aan."), "info")
        return redirect(url_for("auth.login"))
    return None


def _load_user(session_id: str) -> User | None:
    return accounts.load_session_user(session_id)


def _domain_error(error: DomainError) -> tuple[str, int]:
    return render_template("errors/error.html", status=error.status_code, message=error.message), error.status_code


ERROR_MESSAGES = {
    400: _l("Het verzoek kon niet verwerkt worden. Laad de pagina opnieuw en probeer nog eens."),
    403: _l("U hebt geen toegang tot deze pagina."),
    404: _l("Deze pagina bestaat niet."),
    405: _l("Deze actie is hier niet mogelijk."),
    413: _l("Het bestand is te groot. Een aanvraag mag samen hoogstens 25 MB bevatten."),
    429: _l("U hebt dit te vaak geprobeerd. Wacht een minuut en probeer het dan opnieuw."),
}


def _http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
    status = error.code or 500
    if status in (301, 302, 303, 307, 308):
        return error
    message = str(ERROR_MESSAGES.get(status) or _("Er ging iets mis. Probeer het later opnieuw."))
    if getattr(error, "description", "") and "CSRF" in str(error.description):
        message = _("Uw sessie is verlopen of het formulier is ongeldig. Laad de pagina opnieuw en probeer nog eens.")
    return render_template("errors/error.html", status=status, message=message), status


def _security_headers(response: Response) -> Response:
    headers = response.headers
    if request_id := audit.request_id():
        headers.setdefault("X-Request-ID", request_id)  # the audit trail's entries for this request carry it
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint and not request.endpoint.startswith("static"):
        headers.setdefault("Cache-Control", "no-store")
    return response
