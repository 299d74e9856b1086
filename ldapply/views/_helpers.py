"""Small helpers shared by the blueprints."""

from __future__ import annotations

import io
from typing import Any

from flask import send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from ..models import User


def me() -> User:
    user: Any = current_user
    return user  # type: ignore[no-any-return]


def pdf_download(data: bytes, filename: str) -> Response:
    """A PDF as an attachment: never shown inline, never sniffed as something else."""
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
