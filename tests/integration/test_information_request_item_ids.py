"""A step and a question sharing a name (childcare's step and upload `lok_advice`) are two items on the
reviewer's request form: distinct ids, distinct values, and ticking one asks exactly that one."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from ldapply.extensions import db
from ldapply.models import Application, InformationRequestItem
from tests.support import act, login, submitted_application
from tests.support_information_requests import QUESTION, days_from_today

MESSAGE = "Het advies is niet ondertekend."


@pytest.fixture
def in_check(app, client, people):
    """A submitted childcare application in the admissibility check; the client is the reviewer."""
    application_id = submitted_application(client, people, regime="childcare")
    login(client, people.reviewer)
    assert act(client, application_id, "start_admissibility").status_code == 302
    return application_id


def ask(client, application_id, value: str, message_key: str):
    data = {"items": [value], f"message-{message_key}": MESSAGE, "due_on": days_from_today(10).isoformat()}
    response = act(client, application_id, "request_additions", QUESTION, **data)
    assert response.status_code == 302, response.get_data(as_text=True)


def stored(app, application_id):
    with app.app_context():
        items = db.session.scalars(
            db.select(InformationRequestItem).where(InformationRequestItem.application_id == application_id)
        )
        return [(i.item, i.message) for i in items], db.session.get(Application, application_id).unlocked


def test_the_step_and_the_question_have_their_own_id_label_and_value(client, in_check):
    html = client.get(f"/backoffice/applications/{in_check}/actions/request_additions/items").get_data(as_text=True)
    form = html[html.index('class="additions-items"') : html.index('class="additions-due')]
    ids = Counter(re.findall(r'\sid="([^"]+)"', form))
    assert [i for i, n in ids.items() if n > 1] == []
    boxes = re.findall(r'<input type="checkbox" id="([^"]+)" name="items" value="([^"]+)"', form)
    assert ("item-request_additions-step-lok_advice", "step:lok_advice") in boxes
    assert ("item-request_additions-field-lok_advice", "field:lok_advice") in boxes
    for box, _value in boxes:
        assert form.count(f'<label for="{box}">') == 1, box
        assert f'data-item-message-for="{box}"' in form, box


def test_ticking_the_step_asks_the_step_only(app, client, in_check):
    ask(client, in_check, "step:lok_advice", "lok_advice")
    assert stored(app, in_check) == ([("lok_advice", MESSAGE)], ["lok_advice"])
    panel = client.get(f"/backoffice/applications/{in_check}").get_data(as_text=True)
    assert panel.count(MESSAGE) == 1


def test_ticking_the_question_asks_the_question_only(app, client, people, in_check):
    ask(client, in_check, "field:lok_advice", "field:lok_advice")
    assert stored(app, in_check) == ([("field:lok_advice", MESSAGE)], ["field:lok_advice"])
    case = client.get(f"/backoffice/applications/{in_check}").get_data(as_text=True)
    assert '<span class="hint">Advies van het Lokaal Overleg Kinderopvang</span>' in case  # named as the question
    login(client, people.applicant)
    step = client.get(f"/applications/{in_check}/steps/lok_advice")
    assert step.status_code == 200  # the question's step is open to the applicant
    page = step.get_data(as_text=True)
    assert page.count(MESSAGE) == 1  # beside the question, not also as the whole step's message
    assert MESSAGE in page.split('<div class="asked">')[1]
    notice = page.split('class="notice notice-warn asked-notice"')[1].split("</div>")[0]
    assert 'href="#question-lok_advice"' in notice  # the notice points to the question


def test_ticking_the_step_shows_its_message_once_on_the_step(app, client, people, in_check):
    ask(client, in_check, "step:lok_advice", "lok_advice")
    login(client, people.applicant)
    page = client.get(f"/applications/{in_check}/steps/lok_advice").get_data(as_text=True)
    assert page.count(MESSAGE) == 1
    assert '<div class="asked">' not in page  # not beside the question of the same name


def test_a_question_with_a_name_of_its_own_is_stored_as_before(app, client, in_check):
    ask(client, in_check, "field:kg_authorisation", "kg_authorisation")
    assert stored(app, in_check) == ([("kg_authorisation", MESSAGE)], ["kg_authorisation"])
