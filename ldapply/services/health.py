"""Reachability of the database and the broker, for `/healthz` and operators."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlalchemy import text

from ..extensions import db

log = logging.getLogger(__name__)


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception:  # any failure means unreachable; details go to the log, not the response
        log.warning("health: database unreachable", exc_info=True)
        db.session.rollback()
        return "unreachable"
    return "ok"


def _broker() -> str:
    celery = current_app.extensions["celery"]
    try:
        with celery.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
            connection.default_channel  # noqa: B018  (opens the channel: the real check for some transports)
    except Exception:  # any failure means unreachable
        log.warning("health: broker unreachable", exc_info=True)
        return "unreachable"
    return "ok"


def check() -> dict[str, Any]:
    report = {"database": _database(), "broker": _broker()}
    return {"status": "ok" if all(v == "ok" for v in report.values()) else "degraded", **report}
