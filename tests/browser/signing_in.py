"""Signing in and out in the browser, and reading a case's reference: what the back-office walks share."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect

from tests.support import PASSWORD


def log_in(page: Page, person: Any) -> None:
    page.goto("/login")
    page.get_by_label("E-mailadres", exact=True).fill(person.email)
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden", exact=True).click()
    expect(page.get_by_role("button", name="Afmelden")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Afmelden").click()
    expect(page.get_by_role("heading", name="Aanmelden", level=1)).to_be_visible()


def reference_of(app: Flask, application_id: uuid.UUID) -> str:
    from ldapply.extensions import db
    from ldapply.models import Application

    with app.app_context():
        return db.session.get_one(Application, application_id).reference
