"""The status page updates a letter's status without a reload (static/ldapply.js polls letters.json)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from ldapply.extensions import db
from ldapply.models import Letter
from ldapply.tasks import render_letter
from tests.support import PASSWORD, fill_steps, login, start_application, submit


def test_a_letter_being_made_becomes_downloadable_on_the_page_without_a_reload(app, people, page: Page):
    client = app.test_client()
    login(client, people.applicant)
    application_id = start_application(client)
    fill_steps(client, application_id)
    assert submit(client, application_id).status_code == 302

    page.goto("/login")
    page.get_by_label("E-mailadres").fill(people.applicant.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.goto(f"/applications/{application_id}")
    letters = page.get_by_role("region", name="Brieven")
    expect(letters.get_by_text("Wordt opgemaakt")).to_be_visible()
    page.evaluate("window.notReloaded = true")

    with app.app_context():
        render_letter(str(db.session.scalar(db.select(Letter.id))))  # as the worker would, meanwhile

    expect(letters.get_by_role("link", name="PDF downloaden")).to_be_visible(timeout=15_000)
    assert page.evaluate("window.notReloaded") is True  # updated in place
    expect(letters.get_by_text("Wordt opgemaakt")).to_have_count(0)
