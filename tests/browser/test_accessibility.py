"""Accessibility in a real Chromium: axe-core on every page there is, keyboard only, and without JavaScript.

Every page an applicant or a reviewer can reach is checked with `check_accessibility` (axe-core on WCAG
2.1 A and AA finds nothing serious or critical, and the page fits 375 px without sideways scrolling), in
Dutch and in English. The data behind the pages (drafts, filled steps, a submission) is made through the
Flask test client; the pages are then visited in the browser. Screenshots of every page checked are
left under tests/output/<backend>/screenshots/<test>/.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Page, expect

from ldapply.workflows import get_regime
from tests.browser.a11y import Checker
from tests.browser.answering import Answering
from tests.browser.declaring import declare_if_asked
from tests.browser.words import LANGUAGES, Words
from tests.support import (
    PASSWORD,
    REGIME_ANSWERS,
    fill_steps,
    login,
    start_application,
    submit,
    submitted_application,
    to_review,
)

pytestmark = pytest.mark.browser

REGIMES = ("general", "caretakers", "childcare")
PUBLIC_PAGES = ("/login", "/help", "/privacy", "/accessibility", "/verify")
STAFF_PAGES = ("/backoffice/calls", "/backoffice/parameters", "/backoffice/signatories", "/backoffice/uncertainty")


# -- what a person does ------------------------------------------------------------------------------


def choose_language(page: Page, lang: str) -> None:
    """The language switch in the header, as a visitor would use it (Dutch is the default)."""
    page.goto(f"/language/{lang}?next=/login")
    expect(page.locator("html")).to_have_attribute("lang", lang)


def log_in(page: Page, words: Words, person: Any) -> None:
    page.goto("/login")
    page.get_by_label(words("E-mailadres"), exact=True).fill(person.email)
    page.get_by_label(words("Wachtwoord"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=words("Aanmelden"), exact=True).click()
    expect(page.get_by_role("button", name=words("Afmelden"))).to_be_visible()


def reference_of(app: Flask, application_id: uuid.UUID) -> str:
    from ldapply.extensions import db
    from ldapply.models import Application

    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application is not None
        return application.reference


def visible_steps(app: Flask, application_id: uuid.UUID) -> list[str]:
    """The slugs of the steps the application shows now (conditional steps follow the answers)."""
    from ldapply.extensions import db
    from ldapply.models import Application

    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application is not None
        regime = get_regime(application.regime_code)
        return [step.slug for step in regime.visible_steps(application.answers)]


# -- the pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_public_pages_and_every_pre_check_are_accessible(app, page, lang, check_accessibility: Checker):
    words = Words(app, lang)
    choose_language(page, lang)
    for path in PUBLIC_PAGES:
        page.goto(path)
        check_accessibility(page, path)

    page.goto("/login")
    page.get_by_role("button", name=words("Aanmelden"), exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    check_accessibility(page, "login-with-errors")

    for code in REGIMES:
        page.goto(f"/regimes/{code}/precheck")
        check_accessibility(page, f"precheck-{code}")
        page.locator("main form[method=post] [type=submit]").last.click()
        check_accessibility(page, f"precheck-{code}-with-errors")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("regime", REGIMES)
def test_every_page_of_an_application_is_accessible(
    app, client: FlaskClient, people, page, lang, regime, check_accessibility: Checker
):
    words = Words(app, lang)
    login(client, people.applicant)
    application_id = start_application(client, regime)
    base = f"/applications/{application_id}"

    choose_language(page, lang)
    log_in(page, words, people.applicant)
    check_accessibility(page, "home")
    page.goto(base)
    check_accessibility(page, "draft-overview")

    first = REGIME_ANSWERS[regime]
    page.goto(f"{base}/steps/{next(iter(first))}")
    check_accessibility(page, "first-step-empty")
    page.get_by_role("button", name=words("Opslaan en verder"), exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    check_accessibility(page, "first-step-with-errors")

    fill_steps(client, application_id, regime=regime)
    for slug in visible_steps(app, application_id):
        page.goto(f"{base}/steps/{slug}")
        check_accessibility(page, f"step-{slug}")
    page.goto(base)
    check_accessibility(page, "draft-overview-complete")
    page.goto(f"{base}/check")
    check_accessibility(page, "check-answers")

    response = submit(client, application_id)
    assert response.status_code == 302, response.get_data(as_text=True)
    page.goto(base)
    check_accessibility(page, "submitted-overview")
    page.goto("/")
    check_accessibility(page, "home-with-submission")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_back_office_is_accessible_to_a_reviewer(
    app, client: FlaskClient, people, page, lang, check_accessibility: Checker
):
    words = Words(app, lang)
    application_id = submitted_application(client, people, regime="general")
    reference = reference_of(app, application_id)

    choose_language(page, lang)
    log_in(page, words, people.reviewer)
    check_accessibility(page, "queue-my-move")
    page.goto("/backoffice/?view=all")
    check_accessibility(page, "queue-all")
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.locator("input[name=no_conflict]")).to_be_visible()
    check_accessibility(page, "conflict-declaration")
    declare_if_asked(page, page.get_by_role("heading", level=1, name=re.compile(re.escape(reference))))
    check_accessibility(page, "case-submitted")

    login(client, people.reviewer)
    to_review(client, application_id)
    page.reload()
    check_accessibility(page, "case-in-review-assessed")
    for tab in ("assessment", "answers", "timeline", "notes", "letters", "assignment"):  # tabs, and whom to assign
        page.goto(f"/backoffice/applications/{application_id}/{tab}")
        check_accessibility(page, f"case-tab-{tab}")
    for path in STAFF_PAGES:
        page.goto(path)
        check_accessibility(page, path)


# -- keyboard only, and without JavaScript -------------------------------------------------------------


def focused(page: Page) -> dict[str, Any]:
    return page.evaluate(
        "() => ({tag: document.activeElement.tagName.toLowerCase(), id: document.activeElement.id,"
        " name: document.activeElement.getAttribute('name'), text: document.activeElement.textContent.trim(),"
        " cls: document.activeElement.className})"
    )


def tab_to(page: Page, matches: Any, limit: int = 60) -> dict[str, Any]:
    """Press Tab until the focused element satisfies `matches`; fails after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if matches(element):
            return element
    raise AssertionError(f"Tab never reached the element wanted (last focused: {focused(page)})")


def test_the_keyboard_alone_skips_to_the_content_and_fills_and_saves_a_step(
    app, client: FlaskClient, people, page, tmp_path, check_accessibility: Checker
):
    words = Words(app, "nl")
    login(client, people.applicant)
    application_id = start_application(client, "general")
    log_in(page, words, people.applicant)
    page.goto(f"/applications/{application_id}/steps/organisation")

    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["cls"] == "skip-link", f"the first Tab reaches {skip}, not the skip link"
    expect(page.locator(".skip-link")).to_be_in_viewport()
    check_accessibility(page, "skip-link-focused")
    page.keyboard.press("Enter")
    assert focused(page)["tag"] == "main", "Enter on the skip link does not move the focus to the content"

    answers = REGIME_ANSWERS["general"]["organisation"]
    tab_to(page, lambda e: e["name"] == "organisation_name")
    page.keyboard.type(answers["organisation_name"])
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "enterprise_number"
    page.keyboard.type(answers["enterprise_number"])
    page.keyboard.press("Tab")
    choose_radio_by_keyboard(page, "legal_form", answers["legal_form"])
    tab_to(page, lambda e: e["name"] == "has_other_activities")
    choose_radio_by_keyboard(page, "has_other_activities", answers["has_other_activities"])
    tab_to(page, lambda e: e["tag"] == "button" and e["text"] == words("Opslaan en verder"))
    page.keyboard.press("Enter")

    expect(page).not_to_have_url(re.compile(r"/steps/organisation$"))
    page.goto(f"/applications/{application_id}/steps/organisation")
    name = get_regime("general").step("organisation").fields[0]
    expect(page.get_by_role("textbox", name=words.text(name.label), exact=True)).to_have_value(
        answers["organisation_name"]
    )
    expect(page.locator(f"input[name=legal_form][value={answers['legal_form']}]")).to_be_checked()


def choose_radio_by_keyboard(page: Page, name: str, value: str) -> None:
    """In a radio group the arrow keys move to the next option and choose it; Space chooses the one focused."""
    assert focused(page)["name"] == name, f"the focus is on {focused(page)}, not in the radio group {name}"
    options = page.locator(f"input[type=radio][name={name}]").count()
    for _ in range(options):
        if page.locator(":focus").get_attribute("value") == value:
            page.keyboard.press("Space")
            expect(page.locator(f"input[name={name}][value={value}]")).to_be_checked()
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {value!r} in the radio group {name} reached with the arrow keys")


def test_without_javascript_an_applicant_logs_in_fills_a_step_and_reaches_the_check_page(
    app, client: FlaskClient, people, browser: Browser, live_server: str, tmp_path, check_accessibility: Checker
):
    words = Words(app, "nl")
    regime = get_regime("general")
    login(client, people.applicant)
    application_id = start_application(client, "general")
    context = browser.new_context(base_url=live_server, java_script_enabled=False, locale="nl-BE")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in(page, words, people.applicant)
        page.goto(f"/applications/{application_id}")
        check_accessibility.layout_only(page, "no-js-overview")
        organisation = regime.step("organisation")
        assert organisation is not None
        page.get_by_role("link", name=words.text(organisation.title), exact=True).click()
        # Radio buttons, a drop-down list, text boxes and a file: each step leads to the next one.
        for slug in ("organisation", "application_type", "service", "public_commission"):
            step = regime.step(slug)
            assert step is not None
            expect(page).to_have_url(re.compile(rf"/steps/{slug}$"))
            Answering(page, words, tmp_path).fill_step(step, REGIME_ANSWERS["general"][slug])
            check_accessibility.layout_only(page, f"no-js-{slug}")
            page.get_by_role("button", name=words("Opslaan en verder"), exact=True).click()
        page.goto(f"/applications/{application_id}/steps/public_commission")
        expect(page.get_by_role("link", name="commission_decision.pdf", exact=True)).to_be_visible()

        fill_steps(client, application_id, regime="general")  # the other steps, through the test client
        page.goto(f"/applications/{application_id}")
        page.get_by_role("link", name=words("Controleren en indienen"), exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(words("Controleer uw antwoorden"))
        organisation = REGIME_ANSWERS["general"]["organisation"]["organisation_name"]
        expect(page.get_by_text(organisation).first).to_be_visible()
        check_accessibility.layout_only(page, "no-js-check")
    finally:
        context.close()
