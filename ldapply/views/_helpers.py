"""Small helpers shared by the blueprints."""

from __future__ import annotations

import io
from typing import Any

from flask import send_file, session
from flask_login import current_user
from werkzeug.wrappers import Response

from ..models import Membership, User


def me() -> User:
    user: Any = current_user
    return user  # type: ignore[no-any-return]


def acting_membership() -> Membership | None:
    """The membership of the organisation the user acts for: the one chosen in this session
    (`session["organisation_id"]`), else the first; None for someone in no organisation."""
    memberships = me().memberships
    chosen = session.get("organisation_id")
    for membership in memberships:
        if str(membership.organisation_id) == chosen:
            return membership
    return memberships[0] if memberships else None


def pdf_download(data: bytes, filename: str, mimetype: str = "application/pdf") -> Response:
    """A file (a PDF unless `mimetype` says otherwise) as an attachment: never shown inline, never sniffed
    as something else."""
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


LETTER_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


def letter_html_response(document: str) -> Response:
    """A letter as HTML for the frame on a back-office page: its own inline style, nothing else, no scripts."""
    response = Response(document, mimetype="text/html")
    response.headers["Content-Security-Policy"] = LETTER_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
