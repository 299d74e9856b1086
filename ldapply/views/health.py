"""`GET /healthz`: is the database reachable, is the broker reachable."""

from __future__ import annotations

from flask import Blueprint, jsonify
from werkzeug.wrappers import Response

from ..services import health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    report = health.check()
    return jsonify(report), 200 if report["status"] == "ok" else 503
