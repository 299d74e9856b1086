"""The applicant's confirmation page gives the admissibility date of the case's own clock (its `due_on`, the date
staff see), not one it counts itself; once that clock has stopped it names no date."""

from __future__ import annotations

from ldapply.extensions import db
from ldapply.models import Application
from tests.support import login, submitted_application, to_review
from tests.support_clock import days_later, dutch, moved_on, today


def confirmation(client, application_id) -> str:
    response = client.get(f"/applications/{application_id}/submitted")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_confirmation_shows_the_clocks_due_date(app, client, people):
    application_id = submitted_application(client, people)
    started = days_later(today(), -3)  # the clock as the service counted it from an earlier day
    moved_on(app, application_id, [("submit", started)])
    with app.app_context():
        due = db.session.get_one(Application, application_id).due_on
    assert due == days_later(started, 7)
    page = confirmation(client, application_id)
    assert f"volledig en ontvankelijk is, uiterlijk op {dutch(due)}." in page
    assert dutch(days_later(today(), 7)) not in page  # not counted again from the submission
    assert "7 kalenderdagen na het indienen" in page


def test_once_the_admissibility_clock_stopped_no_date_is_given(app, client, people):
    application_id = submitted_application(client, people)
    login(client, people.reviewer)
    to_review(client, application_id)
    login(client, people.applicant)
    page = confirmation(client, application_id)
    assert "De administratie onderzoekt eerst of uw aanvraag volledig en ontvankelijk is." in page
    assert "uiterlijk op" not in page
