"""Regressions for defects a review found in the regime engine: each test names what went wrong."""

from __future__ import annotations

import re

import pytest

from ldapply.extensions import db
from ldapply.models import Application, ConditionVerdict, User
from ldapply.services.errors import TransitionNotAllowed
from ldapply.services.transitions import apply_transition
from tests.support import (
    CARETAKERS_ANSWERS,
    heard_then_met,
    login,
    post,
    refuse_after_hearing,
    start_application,
    submitted_application,
    to_review,
)


def test_a_draft_cannot_be_submitted_through_the_generic_action_route(app, client, people):
    login(client, people.applicant)
    application_id = start_application(client)
    assert post(client, f"/applications/{application_id}/actions/submit").status_code == 404
    with app.app_context():
        assert db.session.get(Application, application_id).state == "draft"


def test_an_incomplete_draft_cannot_be_handed_in_by_any_path(app, client, people):
    login(client, people.applicant)
    application_id = start_application(client)
    with app.app_context(), pytest.raises(TransitionNotAllowed, match="Vul eerst alle stappen in"):
        apply_transition(
            application=db.session.get(Application, application_id),
            action="submit",
            actor=db.session.get(User, people.applicant.id),
        )


def test_a_follow_up_question_of_a_multiple_choice_is_asked_and_kept(app, client, people):
    login(client, people.applicant)
    application_id = start_application(client, "caretakers")
    url = f"/applications/{application_id}/steps/caretaker_tasks"
    missing = post(client, url, {"caretaker_tasks": ["liveability", "other"], "caretaker_fte": "3"})
    assert missing.status_code == 400
    answered = post(
        client,
        url,
        {"caretaker_tasks": ["liveability", "other"], "caretaker_tasks_other": "Ramen wassen", "caretaker_fte": "3"},
    )
    assert answered.status_code == 302
    with app.app_context():
        answers = db.session.get(Application, application_id).answers
    assert answers["caretaker_tasks"] == ["liveability", "other"]
    assert answers["caretaker_tasks_other"] == "Ramen wassen"
    assert re.search(r'<input checked[^>]*value="other"', client.get(url).get_data(as_text=True))


def test_a_row_of_only_spaces_is_no_answer_and_a_post_without_rows_is_no_crash(client, people):
    login(client, people.applicant)
    application_id = start_application(client, "caretakers")
    url = f"/applications/{application_id}/steps/complexes"
    spaces = {**CARETAKERS_ANSWERS["complexes"], "housing_complexes-0-complex_name": "   "}
    assert "Vul dit veld in." in post(client, url, spaces).get_data(as_text=True)
    assert post(client, url, {"local_need": "x"}).status_code == 400


@pytest.mark.parametrize(
    ("volume", "code"), [("0,001", "general"), ("7,499", "general"), ("NaN", "general"), ("12,5", "childcare")]
)
def test_a_partial_grant_needs_a_plain_volume_below_the_request(client, people, volume, code):
    application_id = submitted_application(client, people, code)
    login(client, people.reviewer)
    heard_then_met(client, people, application_id, regime=code)
    response = post(
        client,
        f"/backoffice/applications/{application_id}/actions/propose_partial_grant",
        {"comment": "Minder.", "volume": volume},
    )
    assert response.status_code == 409
    assert "Geef het toegekende volume op" in response.get_data(as_text=True)


def test_verdicts_cannot_change_after_the_decision(app, client, people):
    application_id = submitted_application(client, people)
    login(client, people.reviewer)
    to_review(client, application_id, met=False)
    assert refuse_after_hearing(client, people, application_id).status_code == 302
    login(client, people.reviewer)
    post(client, f"/backoffice/applications/{application_id}/assessment", {"verdict-local_need": "met"})
    with app.app_context():
        verdict = db.session.scalar(db.select(ConditionVerdict).where(ConditionVerdict.condition_code == "local_need"))
    assert verdict.verdict == "not_met"


def test_the_pre_check_asks_for_no_uploads(client):
    page = client.get("/regimes/childcare/precheck").get_data(as_text=True)
    assert 'type="file"' not in page


@pytest.mark.parametrize("cap", ["NaN", "Infinity", "1e12", "-5"])
def test_a_call_cap_must_be_a_plain_positive_number(client, people, cap):
    login(client, people.admin)
    response = post(
        client,
        "/backoffice/calls",
        {"regime": "general", "title": "Oproep", "opens_on": "2027-01-01", "closes_on": "2027-02-01", "cap": cap},
    )
    assert response.status_code == 200
    assert "Geef een plafond groter dan nul" in response.get_data(as_text=True)
