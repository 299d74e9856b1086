"""A conditional question asked on its own (childcare's Kind en Gezin authorisation, shown when its state is
'granted'): the answer it depends on stays locked and has no input on the page, yet the question stays shown
in a real Chromium, and the applicant's new file is saved."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ldapply.extensions import db
from ldapply.models import Application
from tests.browser.test_browser_journey import log_in
from tests.support import act, login, minimal_pdf, submitted_application
from tests.support_information_requests import QUESTION, days_from_today

pytestmark = pytest.mark.browser

ASKED = "De vergunning is onleesbaar; voeg een scherpere scan toe."


def test_a_conditional_question_asked_alone_stays_shown_and_its_answer_is_saved(app, client, people, page: Page):
    application_id = submitted_application(client, people, regime="childcare")
    login(client, people.reviewer)
    assert act(client, application_id, "start_admissibility").status_code == 302
    data = {"items": ["field:kg_authorisation"], "message-kg_authorisation": ASKED}
    response = act(
        client, application_id, "request_additions", QUESTION, due_on=days_from_today(10).isoformat(), **data
    )
    assert response.status_code == 302, response.get_data(as_text=True)

    log_in(page, people.applicant)
    page.goto(f"/applications/{application_id}/steps/kind_en_gezin")
    question = page.locator("#question-kg_authorisation")
    expect(page.locator("#question-kg_status")).to_contain_text("Blijft zoals ingediend")  # locked, no input
    expect(question).to_be_visible()
    expect(question).to_contain_text(ASKED)
    with tempfile.TemporaryDirectory() as folder:
        scan = Path(folder) / "scherpere-vergunning.pdf"
        scan.write_bytes(minimal_pdf("Vergunning Kind en Gezin"))
        question.locator("input[type=file]").set_input_files(scan)
        page.get_by_role("button", name="Opslaan en verder").first.click()
        page.wait_for_url(lambda url: not url.endswith("/steps/kind_en_gezin"))  # saved and moved on
    with app.app_context():
        answers = db.session.get(Application, application_id).answers
        assert answers["kg_authorisation"]["filename"] == "scherpere-vergunning.pdf"
        assert answers["kg_status"] == "granted"


LOK_ASKED = "Het advies van het LOK is niet ondertekend; voeg de ondertekende versie toe."


def test_a_question_named_as_its_step_shows_its_message_once_beside_it(
    app, client, people, page: Page, check_accessibility
):
    """Childcare's step and upload `lok_advice` share a name: asked as the question, the message stands beside
    the question, and the step's notice only points to it."""
    application_id = submitted_application(client, people, regime="childcare")
    login(client, people.reviewer)
    assert act(client, application_id, "start_admissibility").status_code == 302
    data = {"items": ["field:lok_advice"], "message-field:lok_advice": LOK_ASKED}
    response = act(
        client, application_id, "request_additions", QUESTION, due_on=days_from_today(10).isoformat(), **data
    )
    assert response.status_code == 302, response.get_data(as_text=True)

    log_in(page, people.applicant)
    page.goto(f"/applications/{application_id}/steps/lok_advice")
    expect(page.get_by_text(LOK_ASKED)).to_have_count(1)
    expect(page.locator("#question-lok_advice .asked")).to_contain_text(LOK_ASKED)
    notice = page.locator(".asked-notice")
    expect(notice).not_to_contain_text(LOK_ASKED)
    expect(notice.locator('a[href="#question-lok_advice"]')).to_have_count(1)
    check_accessibility(page, "step-question-named-as-its-step")
