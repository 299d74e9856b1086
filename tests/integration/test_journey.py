"""The walking skeleton's journey through the web pages, in-process, with the real broker and WeasyPrint."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from ldapply.extensions import db
from ldapply.models import Application, ApplicationEvent, Letter, LetterStatus
from ldapply.tasks import render_letter
from tests.support import (
    HEARING_ANSWER,
    act,
    fill_steps,
    login,
    queued_tasks,
    start_application,
    submit,
    through_hearing,
    to_review,
)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def submitted(app, client, people):
    login(client, people.applicant)
    application_id = start_application(client)
    fill_steps(client, application_id)
    response = submit(client, application_id)
    assert response.status_code == 302
    return application_id


class TestApplicantJourney:
    def test_submitting_moves_the_draft_to_submitted_and_queues_the_receipt(self, app, submitted):
        with app.app_context():
            application = db.session.get(Application, submitted)
            letters = db.session.scalars(db.select(Letter)).all()
            assert application.state == "submitted"
            assert application.submitted_at is not None
            assert [letter.kind for letter in letters] == ["receipt"]
        assert queued_tasks(app) == [("letters.render", [str(letters[0].id)])]

    def test_answers_are_stored_as_typed_values(self, app, submitted):
        with app.app_context():
            answers = db.session.get(Application, submitted).answers
        assert answers["enterprise_number"] == "0403170701"
        assert answers["target_group_fte"] == "6.5"
        assert answers["has_other_activities"] is False
        (plan,) = answers["business_plan"]  # a file field holds a list of uploads
        assert plan["filename"] == "business_plan.pdf"
        assert len(plan["sha256"]) == 64

    def test_status_page_shows_the_public_label(self, client, submitted):
        page = client.get(f"/applications/{submitted}").get_data(as_text=True)
        assert "In behandeling" in page
        assert "Ontvangstbevestiging" in page


class TestDecisionJourney:
    def test_reviewer_finds_the_application_in_the_queue_and_sees_answers_and_upload(self, client, people, submitted):
        login(client, people.reviewer)
        queue = client.get("/backoffice/").get_data(as_text=True)
        assert f"/backoffice/applications/{submitted}" in queue
        assert f'href="/backoffice/applications/{submitted}/answers"' in client.get(
            f"/backoffice/applications/{submitted}"
        ).get_data(as_text=True)  # the case's tab with the application
        case = client.get(f"/backoffice/applications/{submitted}/answers").get_data(as_text=True)
        assert "Fietspunten" in case
        assert "6,5" in case
        assert "business_plan.pdf" in case

    def test_grant_is_proposed_confirmed_by_another_user_and_letter_rendered(self, app, client, people, submitted):
        queued_tasks(app)  # the receipt's message is not under test here
        login(client, people.reviewer)
        to_review(client, submitted, met=True)
        assert act(client, submitted, "propose_grant", "Voldoet aan alle voorwaarden.").status_code == 302
        login(client, people.decision_maker)
        assert "Voldoet aan alle voorwaarden." in client.get(f"/backoffice/applications/{submitted}").get_data(
            as_text=True
        )
        assert act(client, submitted, "confirm_grant").status_code == 302

        with app.app_context():
            letter = db.session.scalar(db.select(Letter).where(Letter.kind == "decision_granted"))
            assert db.session.get(Application, submitted).state == "granted"
            letter_id = letter.id
        assert queued_tasks(app) == [("letters.render", [str(letter_id)])]

        with app.app_context():
            render_letter(str(letter_id))  # the task body, run here; tests/system runs it in a worker
            letter = db.session.get(Letter, letter_id)
            assert letter.status == LetterStatus.RENDERED

        login(client, people.applicant)
        overview = client.get(f"/applications/{submitted}").get_data(as_text=True)
        assert f"/letters/{letter_id}" in overview
        download = client.get(f"/applications/{submitted}/letters/{letter_id}")
        assert download.status_code == 200
        assert download.headers["Content-Disposition"].startswith("attachment")
        text = pdf_text(download.data)
        assert "Buurtwerk De Brug vzw" in text
        assert "verleend" in text
        assert "Voldoet aan alle voorwaarden." in text
        assert "Decreet van 22 december 2006" in text
        assert "Raad van State" in text

    def test_refusal_letter_carries_the_motivation(self, app, client, people, submitted):
        login(client, people.reviewer)
        to_review(client, submitted, met=False)
        through_hearing(client, people, submitted)
        response = act(
            client,
            submitted,
            "propose_refusal",
            "De lokale behoefte is niet aangetoond.",
            hearing_answer=HEARING_ANSWER,
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        login(client, people.decision_maker)
        assert act(client, submitted, "confirm_refusal").status_code == 302
        with app.app_context():
            letter = db.session.scalar(db.select(Letter).where(Letter.kind == "decision_refused"))
            render_letter(str(letter.id))
            db.session.refresh(letter)
            pdf = (app.config["STORAGE_DIR"] / letter.storage_key).read_bytes()
        assert "geweigerd" in pdf_text(pdf)
        assert "De lokale behoefte is niet aangetoond." in pdf_text(pdf)

    def test_every_state_change_is_recorded_with_its_actor(self, app, client, people, submitted):
        login(client, people.reviewer)
        to_review(client, submitted, met=True)
        act(client, submitted, "propose_grant", "Goed.")
        login(client, people.decision_maker)
        act(client, submitted, "confirm_grant")
        with app.app_context():
            events = db.session.scalars(db.select(ApplicationEvent).order_by(ApplicationEvent.created_at)).all()
            trail = [(e.action, e.from_state, e.to_state, e.actor.email) for e in events]
        assert trail == [
            ("submit", "draft", "submitted", people.applicant.email),
            ("start_admissibility", "submitted", "admissibility_check", people.reviewer.email),
            ("accept_for_review", "admissibility_check", "substantive_review", people.reviewer.email),
            ("propose_grant", "substantive_review", "decision_proposed", people.reviewer.email),
            ("confirm_grant", "decision_proposed", "granted", people.decision_maker.email),
        ]
