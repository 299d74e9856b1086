"""The request for additions as its letter and the applicant's dashboard state it: by the date the reviewer
chose (not "within N days" from the parameter), with each step or question asked and what is wrong."""

from __future__ import annotations

import io
from typing import Any

import pytest
from babel.dates import format_date
from flask import Flask
from pypdf import PdfReader

from ldapply.extensions import db
from ldapply.models import Letter
from ldapply.services.storage import get_storage
from ldapply.tasks import render_letter
from tests.support import act, login, submitted_application
from tests.support_information_requests import QUESTION, ask, days_from_today

STAFFING = "Het aantal doelgroepwerknemers ontbreekt in het personeelsplan."
BUSINESS_PLAN = "Het ondernemingsplan is niet ondertekend."
ITEMS = {"business_plan": BUSINESS_PLAN, "staffing": STAFFING}
CHOSEN = 12  # days from today: not the parameter's 30


def flat(text: str) -> str:
    return " ".join(text.split())


def dutch(day: Any) -> str:
    return format_date(day, "d MMMM y", locale="nl")


@pytest.fixture
def asked(app: Flask, client: Any, people: Any) -> Any:
    """A general-regime application asked for its staffing step and its business plan, by a chosen date."""
    application_id = submitted_application(client, people)
    login(client, people.reviewer)
    assert act(client, application_id, "start_admissibility").status_code == 302
    response = ask(client, application_id, ITEMS, days_from_today(CHOSEN))
    assert response.status_code == 302, response.get_data(as_text=True)
    return application_id


def request_letter(app: Flask, application_id: Any) -> tuple[dict[str, Any], str]:
    with app.app_context():
        letter = db.session.scalar(
            db.select(Letter).where(Letter.application_id == application_id, Letter.kind == "additions_requested")
        )
        render_letter(str(letter.id))
        db.session.refresh(letter)
        pdf = get_storage().get(letter.storage_key)
        return letter.context, flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_the_letter_states_the_date_the_reviewer_chose_and_each_item_with_what_is_wrong(app, client, people, asked):
    context, text = request_letter(app, asked)
    due = days_from_today(CHOSEN)
    assert context["information_request"] == {
        "due_on": dutch(due),
        "asked": [  # in the order of the steps
            {"step": "Personeel en begeleiding", "label": "Personeel en begeleiding", "message": STAFFING},
            {"step": "Bijlagen", "label": "Ondernemingsplan", "message": BUSINESS_PLAN},
        ],
    }
    assert f"Vul uw aanvraag aan in ldapply uiterlijk op {dutch(due)}." in text
    assert "binnen 30 dagen" not in text
    assert STAFFING in text
    assert BUSINESS_PLAN in text
    assert "Bijlagen: Ondernemingsplan" in text
    assert flat(QUESTION) in text  # the reviewer's own words stay


def test_a_request_for_the_whole_application_states_its_date_and_the_question_once(app, client, people):
    application_id = submitted_application(client, people)
    login(client, people.reviewer)
    assert act(client, application_id, "start_admissibility").status_code == 302
    assert ask(client, application_id, {}, days_from_today(5)).status_code == 302
    context, text = request_letter(app, application_id)
    assert context["information_request"] == {"due_on": dutch(days_from_today(5)), "asked": []}
    assert f"uiterlijk op {dutch(days_from_today(5))}" in text
    assert text.count(flat(QUESTION)) == 1


def test_the_dashboard_gives_the_date_the_reviewer_chose(app, client, people, asked):
    login(client, people.applicant)
    home = client.get("/").get_data(as_text=True)
    todo = home.split('id="todo"', 1)[1].split("</table>", 1)[0]
    assert "Aanvulling gevraagd" in todo
    assert f"tot en met {dutch(days_from_today(CHOSEN))}" in todo
    assert dutch(days_from_today(30)) not in todo
