"""Test helpers for advice: a reviewer asks an advisory body on the page the case's advice part links to, and the
body's advisor (or a reviewer, for advice sent by post) records it through the advice form."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask.testing import FlaskClient

from tests.support import post

REQUEST_ID = re.compile(r'name="request_id"[^>]*value="([^"]+)"')
QUESTION = "Is de opvang in deze wijk nodig, en voldoen de lokalen aan de eisen van Kind en Gezin?"
ADVICE = "Kind en Gezin adviseert gunstig: de wijk heeft te weinig plaatsen en de lokalen voldoen."


def ask_advice(
    client: FlaskClient,
    application_id: uuid.UUID,
    body_id: uuid.UUID,
    question: str = QUESTION,
    due_on: str | None = None,
) -> Any:
    """As a reviewer in substantive review: ask `body_id` for advice (the due date the page proposes,
    unless `due_on` is given as YYYY-MM-DD)."""
    if due_on is None:
        page = client.get(f"/backoffice/applications/{application_id}/advice/request").get_data(as_text=True)
        found = re.search(r'name="due_on"[^>]*value="([^"]*)"', page)
        due_on = found.group(1) if found else ""
    data = {"body": str(body_id), "question": question, "due_on": due_on}
    return post(client, f"/backoffice/applications/{application_id}/advice/request", data)


def open_request_id(client: FlaskClient, application_id: uuid.UUID, page: str = "advice") -> str:
    """The open request's id, as the advice form on the page carries it (`page`: "advice" or "case")."""
    path = f"/backoffice/applications/{application_id}" + ("/advice" if page == "advice" else "")
    found = REQUEST_ID.search(client.get(path).get_data(as_text=True))
    assert found, f"no advice form on {path}"
    return found.group(1)


def give_advice(client: FlaskClient, application_id: uuid.UUID, text: str = ADVICE, page: str = "advice") -> Any:
    """Record the advice on the open request: as the body's advisor (from the advice page) or as a
    reviewer registering advice that came by post (`page="case"`)."""
    data = {"request_id": open_request_id(client, application_id, page), "advice": text}
    return post(client, f"/backoffice/applications/{application_id}/advice/record", data)


def advised(client: FlaskClient, people: Any, application_id: uuid.UUID, *, by_post: bool = False) -> None:
    """From substantive review: the reviewer asks the advisory body of `people`, its advisor answers (or,
    `by_post`, the reviewer registers the answer); the client is logged in as the reviewer afterwards."""
    from tests.support import login

    login(client, people.reviewer)
    response = ask_advice(client, application_id, people.advisory_body_id)
    assert response.status_code == 302, response.get_data(as_text=True)
    if not by_post:
        login(client, people.advisor)
    response = give_advice(client, application_id, page="case" if by_post else "advice")
    assert response.status_code == 302, response.get_data(as_text=True)
    login(client, people.reviewer)


def advice_by_post(
    client: FlaskClient, application_id: uuid.UUID, body_id: uuid.UUID, text: str = ADVICE, question: str = QUESTION
) -> None:
    """As a reviewer in substantive review: ask `body_id` for advice and register its answer, which came
    by post; the case is back in substantive review, and the reviewer an advisor on it."""
    response = ask_advice(client, application_id, body_id, question=question)
    assert response.status_code == 302, response.get_data(as_text=True)
    response = give_advice(client, application_id, text, page="case")
    assert response.status_code == 302, response.get_data(as_text=True)
