"""Helpers for the tests of requests for additional information: asking item by item, the mail they send,
and the beat task that lapses them."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.support import act, queued_tasks

QUESTION = "Vul de aanvraag aan zoals hieronder gevraagd."


def ask(
    client: FlaskClient,
    application_id: uuid.UUID,
    items: dict[str, str],
    due_on: date | str | None = None,
    comment: str = QUESTION,
    **fields: Any,
) -> Any:
    """As a reviewer: request additions of `items` (item -> what is wrong), answered by `due_on` (None: the
    date the form offers, left as it is)."""
    data: dict[str, Any] = {f"message-{name}": message for name, message in items.items()}
    data["items"] = list(items)
    if due_on is not None:
        data["due_on"] = due_on.isoformat() if isinstance(due_on, date) else due_on
    return act(client, application_id, "request_additions", comment, **data, **fields)


def deliver_mails(app: Flask) -> int:
    """Run the mail tasks waiting on the broker as the worker would (the letter tasks are left out: the
    moves' letters are not what these tests look at); returns how many mails were handed to the server."""
    from ldapply.tasks import send_mail

    sent = 0
    with app.app_context():
        for name, args in queued_tasks(app):
            if name == "mail.send":
                send_mail(*args)
                sent += 1
    return sent


def lapse(app: Flask, now: datetime) -> int:
    """Run the beat task's body at `now`, as Celery beat does every ten minutes; how many cases moved."""
    from ldapply.services import information_requests

    with app.app_context():
        return information_requests.expire_lapsed(now)


def days_from_today(days: int) -> date:
    from ldapply.clock import local_date, utcnow

    return local_date(utcnow()) + timedelta(days=days)
