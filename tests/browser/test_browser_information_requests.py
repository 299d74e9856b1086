"""A request for additional information in a real Chromium: the reviewer ticks items and writes per item what
is wrong (the box shows while its item is ticked), forgets one, is told so with everything typed kept, and
sends the request; the applicant reads each item on the overview and above the question on the step page.
Every page seen passes axe-core."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from ldapply.clock import local_date, utcnow
from ldapply.extensions import db
from ldapply.models import Application
from tests.browser.declaring import declare_if_asked
from tests.browser.test_browser_journey import flash, heading, log_in, log_out
from tests.support import act, login, submitted_application

pytestmark = pytest.mark.browser

STAFFING = "Het aantal doelgroepwerknemers ontbreekt in het personeelsplan."
PLAN = "Het ondernemingsplan is niet ondertekend."
QUESTION = "Vul het personeelsplan en het ondernemingsplan aan."


def test_a_reviewer_asks_item_by_item_and_the_applicant_reads_each_item(
    app, client, people, page: Page, check_accessibility
):
    application_id = submitted_application(client, people)
    login(client, people.reviewer)
    assert act(client, application_id, "start_admissibility").status_code == 302
    with app.app_context():
        reference = db.session.get(Application, application_id).reference

    log_in(page, people.reviewer)
    page.goto(f"/backoffice/applications/{application_id}")
    declare_if_asked(page, page.get_by_role("heading", level=1, name=f"Dossier {reference}"))
    page.get_by_role("link", name="Aanvulling vragen…", exact=True).click()  # the request has a page of its own
    form = page.locator("#action-request_additions")
    staffing_box = form.get_by_role("textbox", name="Wat ontbreekt of klopt niet bij „Personeel en begeleiding”?")
    expect(staffing_box).to_be_hidden()  # shown once its item is ticked
    form.get_by_role("checkbox", name="Personeel en begeleiding (de hele stap)", exact=True).check()
    expect(staffing_box).to_be_visible()
    form.locator("details.additions-fields").filter(has_text="Bijlagen").locator("summary").click()
    form.get_by_role("checkbox", name="Ondernemingsplan", exact=True).check()
    form.get_by_role("textbox", name="Wat ontbreekt of klopt niet bij „Bijlagen – Ondernemingsplan”?").fill(PLAN)
    form.get_by_role("textbox", name="Motivering voor de aanvrager bij „Aanvulling vragen”").fill(QUESTION)
    due = local_date(utcnow()) + timedelta(days=14)
    form.get_by_label("Te beantwoorden uiterlijk op").fill(due.isoformat())
    form.get_by_role("button", name="Aanvulling vragen", exact=True).click()

    # One box left empty: said beside it and at the top, with every tick and text kept.
    expect(page.locator(".error-summary")).to_contain_text("Zeg bij „Personeel en begeleiding” wat er ontbreekt")
    form = page.locator("#action-request_additions")
    expect(form.get_by_role("checkbox", name="Ondernemingsplan", exact=True)).to_be_checked()
    expect(
        form.get_by_role("textbox", name="Wat ontbreekt of klopt niet bij „Bijlagen – Ondernemingsplan”?")
    ).to_have_value(PLAN)
    expect(form.get_by_label("Te beantwoorden uiterlijk op")).to_have_value(due.isoformat())
    check_accessibility(page, "case-request-refused")
    form.get_by_role("textbox", name="Wat ontbreekt of klopt niet bij „Personeel en begeleiding”?").fill(STAFFING)
    form.get_by_role("button", name="Aanvulling vragen", exact=True).click()
    expect(flash(page)).to_have_text("Uitgevoerd: Aanvulling vragen.")
    panel = page.get_by_role("region", name="Aanvragen om informatie")
    expect(panel).to_contain_text(STAFFING)
    expect(panel).to_contain_text(PLAN)
    check_accessibility(page, "case-requested")
    log_out(page)

    log_in(page, people.applicant)
    page.goto(f"/applications/{application_id}")
    items = page.locator(".asked-items")
    expect(items.locator("tbody tr")).to_have_count(2)
    expect(items).to_contain_text(STAFFING)
    check_accessibility(page, "overview-asked")
    items.get_by_role("link", name="Bijlagen", exact=True).click()
    expect(heading(page)).to_have_text("Bijlagen")
    expect(page.locator("#question-business_plan")).to_contain_text(PLAN)
    check_accessibility(page, "step-asked")
