"""Helpers for the back office's whole procedure in the browser (test_browser_backoffice_procedure.py): one
signed-in browser context per person, the regime's words, the items a reviewer asks, days passing on a case,
and the letters the worker renders.

Each person keeps a context of their own (cookies, downloads) for the whole walk, so each signs in once and
the walk goes from one person's page to another's as the case moves between them.
"""

from __future__ import annotations

import io
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from pypdf import PdfReader

from ldapply.workflows._spec import Field, FieldKind, Regime, Step
from tests.browser.a11y import Checker, slug
from tests.browser.signing_in import log_in
from tests.support import REGIME_ANSWERS

LETTER_TIMEOUT_SECONDS = 60
PAGE_TIMEOUT_MS = 15_000  # as the browser fixtures' contexts wait


# -- people at their own browser ---------------------------------------------------------------------


@dataclass
class Desks:
    """A browser context per person, signed in the first time that person is needed."""

    browser: Browser
    base_url: str
    contexts: list[BrowserContext] = field(default_factory=list)
    pages: dict[str, Page] = field(default_factory=dict)

    def of(self, person: Any) -> Page:
        if person.email not in self.pages:
            context = self.browser.new_context(base_url=self.base_url, accept_downloads=True, locale="nl-BE")
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            self.contexts.append(context)
            page = context.new_page()
            log_in(page, person)
            self.pages[person.email] = page
        return self.pages[person.email]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def milestone(check: Checker, page: Page, name: str, part: Locator | None = None) -> None:
    """A screenshot in the test's screenshots folder, numbered with the accessibility checks': the whole page,
    or the window around `part` of a long page (the case page runs to many screens; capturing it whole is
    what makes a screenshot slow)."""
    check.count += 1
    path = check.folder / f"{check.count:02d}-{slug(name)}.jpeg"
    if part is not None:
        part.scroll_into_view_if_needed()
    page.screenshot(path=path, full_page=part is None, type="jpeg", quality=70)


# -- the regime's words --------------------------------------------------------------------------------


def label_of(regime: Regime, action: str) -> str:
    transition = regime.transition(action)
    assert transition is not None, f"the {regime.code} regime has no action {action!r}"
    return transition.label.nl


def flash(page: Page) -> Locator:
    return page.locator("main > .notice[role=status]")


def state_tag(page: Page) -> Locator:
    return page.locator("dl.summary .tag").first


def act(page: Page, regime: Regime, action: str) -> None:
    """A back-office move by the button in its own form; the page says it is done."""
    name = label_of(regime, action)
    page.locator(f"#action-{action}").get_by_role("button", name=name, exact=True).click()
    expect(flash(page)).to_have_text(f"Uitgevoerd: {name}.")


def open_tab(page: Page, name: str) -> None:
    """One of the case's tabs (Overzicht, Beoordeling, Aanvraag en bijlagen, Tijdlijn, ...), by its link."""
    page.locator("nav.case-tabs").get_by_role("link", name=name, exact=True).click()
    expect(page.locator("nav.case-tabs [aria-current=page]")).to_have_text(name)


def open_asking(page: Page, regime: Regime, action: str) -> Locator:
    """A request for additions: its own page, from the link in the case's actions; the form on it."""
    page.get_by_role("link", name=f"{label_of(regime, action)}…", exact=True).click()
    return page.locator(f"#action-{action}")


def motivation_box(page: Page, regime: Regime, action: str) -> Locator:
    name = f"Motivering voor de aanvrager bij „{label_of(regime, action)}”"
    return page.get_by_role("textbox", name=name, exact=True)


# -- what the reviewer asks to complete ------------------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    """One item of a request for additions: a question of a step (`field`), or the whole step (None), with
    what is wrong with it; `changes` is the question the applicant answers anew (`answer`; None: an upload
    they replace)."""

    step: Step
    field: Field | None
    message: str
    changes: Field
    answer: str | None

    @property
    def name(self) -> str:
        """How the request form names the item."""
        if self.field is None:
            return self.step.title.nl
        return f"{self.step.title.nl} – {self.field.label.nl}"


def answered(regime: Regime, step: Step, kind: FieldKind) -> list[Field]:
    """The step's questions of `kind` the test answers gave."""
    answers = REGIME_ANSWERS[regime.code].get(step.slug, {})
    return [f for f in step.fields if f.kind == kind and f.name in answers]


def named_apart(step: Step) -> bool:
    """No question of the step carries the step's own name. The request form cannot tell such a step from
    its question today (one item name, one element id for both), so the walk asks neither."""
    return all(f.name != step.slug for f in step.fields)


def asked_items(regime: Regime) -> tuple[Asked, Asked]:
    """What the reviewer asks to complete: a long text, and an upload on another step; where the regime's
    every upload is named like its step (caretakers), the whole of another step with a long text."""
    text_step = next(s for s in regime.steps if answered(regime, s, FieldKind.TEXTAREA))
    text = answered(regime, text_step, FieldKind.TEXTAREA)[0]
    first = Asked(
        text_step, text, "Hier ontbreken de cijfers: hoeveel mensen vragen om deze dienst?", text, TEXT_ANSWER
    )
    others = [s for s in regime.steps if s is not text_step and named_apart(s)]
    # An upload shown only on another answer is left out too: asked alone, it stays hidden from the applicant.
    uploads = ((s, f) for s in others for f in answered(regime, s, FieldKind.FILE) if f.show_if is None)
    upload = next(uploads, None)
    if upload is not None:
        step, field = upload
        return first, Asked(step, field, "Het stuk is niet ondertekend; bezorg de ondertekende versie.", field, None)
    step = next(s for s in others if answered(regime, s, FieldKind.TEXTAREA))
    field = answered(regime, step, FieldKind.TEXTAREA)[0]
    return first, Asked(step, None, "Deze stap blijft te algemeen; beschrijf wie wat doet.", field, STEP_ANSWER)


TEXT_ANSWER = "In de wijk wonen 1.200 gezinnen; 300 vroegen in 2026 om deze dienst (telling van het OCMW)."
STEP_ANSWER = "Elke week bespreekt de begeleider met elke werknemer het werk; elk kwartaal een evaluatie."


# -- time passing, letters ------------------------------------------------------------------------------


def days_pass(app: Flask, application_id: uuid.UUID, days: int) -> None:
    """`days` days go by: the case's history (its events, its submission, the items asked) moves that many days back, and
    its legal clocks are counted again from that history by the clock service itself, as they would stand
    had every move been made `days` days earlier. The next move, made today, counts from there."""
    from sqlalchemy import select

    from ldapply.extensions import db
    from ldapply.models import Application, ApplicationEvent, InformationRequestItem
    from ldapply.services import legal_clock
    from ldapply.services.clock_records import due_now
    from ldapply.services.regimes import regime_of

    shift = timedelta(days=days)
    with app.app_context():
        application = db.session.get_one(Application, application_id)
        events = list(
            db.session.scalars(
                select(ApplicationEvent)
                .where(ApplicationEvent.application_id == application_id)
                .order_by(ApplicationEvent.created_at, ApplicationEvent.id)
            )
        )
        asked = db.session.scalars(
            select(InformationRequestItem).where(InformationRequestItem.application_id == application_id)
        )
        for row in [*events, *asked]:
            row.created_at -= shift
        if application.submitted_at is not None:
            application.submitted_at -= shift
        application.clocks = legal_clock.replay(application, events)
        application.due_on = due_now(regime_of(application).clocks, application.clocks)
        db.session.commit()


def wait_for_letter(app: Flask, application_id: uuid.UUID, kind: str, worker: subprocess.Popen[bytes]) -> None:
    """Until the worker process has rendered the case's letter of `kind`."""
    from ldapply.extensions import db
    from ldapply.models import Letter, LetterStatus

    deadline = time.monotonic() + LETTER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker process died"
        with app.app_context():
            letter = db.session.scalar(
                db.select(Letter).where(Letter.application_id == application_id, Letter.kind == kind)
            )
            if letter is not None and letter.status != LetterStatus.PENDING:
                assert letter.status == LetterStatus.RENDERED, letter.error
                return
        time.sleep(0.2)
    raise AssertionError(f"no {kind} letter rendered within {LETTER_TIMEOUT_SECONDS} s")


def download_pdf(page: Page, link: Locator, folder: Path) -> tuple[str, str]:
    """Follow a letter's download link; the file's name and its text, white space made single spaces."""
    with page.expect_download() as download_info:
        link.click()
    got = download_info.value
    assert got.failure() is None
    target = folder / got.suggested_filename
    got.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return got.suggested_filename, " ".join(text.split())


def dutch_day(day: date) -> str:
    from ldapply.clock import MONTHS_NL

    return f"{day.day} {MONTHS_NL[day.month - 1]} {day.year}"
