"""Renewing a recognition in the browser: from the recognition's page the applicant reaches "Verlenging aanvragen",
reads until when it runs and that the window is the administration's own rule, starts the renewal and lands on
its own draft, which names the recognition it renews and carries its answers. Every page is checked with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import Checker
from tests.browser.signing_in import log_in, reference_of
from tests.integration.test_lawful_procedure import Desk, granted_and_active
from tests.integration.test_renewals import ends_in

pytestmark = pytest.mark.browser


def test_the_applicant_renews_a_recognition(app, people, page: Page, check_accessibility: Checker) -> None:
    recognised = granted_and_active(Desk(app, people), "general")
    ends_in(app, recognised, 30)
    reference = reference_of(app, recognised)

    log_in(page, people.applicant)
    page.goto(f"/applications/{recognised}")
    summary = page.locator("dl.summary")
    expect(summary.locator(".renewal")).to_contain_text("Verlenging aanvragen")
    check_accessibility(page, "recognition-with-its-renewal-link")
    summary.get_by_role("link", name="Verlenging aanvragen", exact=True).click()

    expect(page.get_by_role("heading", level=1, name="Verlenging aanvragen")).to_be_visible()
    expect(page.locator(".renewal-rule")).to_contain_text("een regel die de administratie zelf hanteert")
    check_accessibility(page, "renewal-page")
    page.get_by_role("button", name="Verlenging aanvragen", exact=True).click()

    expect(page.locator("main > .notice[role=status]")).to_contain_text(f"{reference}-V1")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Aanvraag {reference}-V1")
    renews = page.locator("dl.summary .renewal-of")
    expect(renews).to_contain_text(f"de erkenning in dossier {reference}")
    check_accessibility(page, "renewal-draft")
    page.goto(page.url.rstrip("/") + "/steps/service")  # an answer of the recognised application, carried over
    expect(page.locator("textarea[name=service_description]")).to_have_value("Een fietspunt aan het station.")
    check_accessibility(page, "renewal-step-prefilled")

    renews_page = f"/applications/{recognised}"
    page.goto(renews_page)
    expect(page.locator("dl.summary .renewals")).to_contain_text(f"{reference}-V1")
