"""In a real Chromium with a real worker: cases ticked in the queue are assigned in bulk and the progress page
follows the worker by refreshing itself (no script); the statistics, register and failed-letters pages pass
axe-core and fit 375 px."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, Response, Route, expect

from ldapply.extensions import db
from ldapply.models import Application, BulkJob
from ldapply.services import statistics
from tests.browser.a11y import Checker
from tests.browser.test_accessibility import choose_language, log_in
from tests.browser.words import LANGUAGES, Words
from tests.support_reports import case, failed_letter, organisation, path

pytestmark = pytest.mark.browser
REFERENCES = ("LDE-2026-W0001", "LDE-2026-W0002", "LDE-2026-W0003")


@pytest.fixture
def selection(app, people):
    from datetime import UTC, datetime

    with app.app_context():
        org = organisation("Buurtwerk Het Anker vzw")
        ids = [case(org, people.applicant.id, reference=reference) for reference in REFERENCES]
        for application_id in ids:
            path(application_id, datetime(2026, 1, 5, 9, 0, tzinfo=UTC), [("submitted", 2), ("admissibility_check", 0)])
        failed_letter(ids[0])
        db.session.commit()
    return ids


def _job_loads(page: Page) -> list[str | None]:
    """The Refresh header of every load of a bulk job's page, as the browser fetched them."""
    loads: list[str | None] = []

    def seen(response: Response) -> None:
        if "/backoffice/bulk/" in response.url and response.request.resource_type == "document":
            loads.append(response.headers.get("refresh"))

    page.on("response", seen)
    return loads


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_bulk_assignment_shows_its_progress_until_the_worker_is_done(
    app, people, page: Page, lang, worker, selection, check_accessibility: Checker
):
    words = Words(app, lang)
    choose_language(page, lang)
    log_in(page, words, people.reviewer)
    page.goto("/backoffice/?move=all")
    for reference in REFERENCES[:2]:
        page.get_by_label(words("%(reference)s selecteren", reference=reference), exact=True).check()
    page.get_by_label(words("Toewijzen aan"), exact=True).select_option(label=people.reviewer_and_decision_maker.name)
    loads = _job_loads(page)
    page.get_by_role("button", name=words("Toewijzen"), exact=True).click()

    expect(page).to_have_url(re.compile(r"/backoffice/bulk/[0-9a-f-]{36}$"))
    # The page reloads itself every two seconds while the job runs (the Refresh header); the test only waits.
    done = words(
        "%(handled)s van %(total)s verwerkt: %(done)s gelukt, %(failed)s niet gelukt.",
        handled=2,
        total=2,
        done=2,
        failed=0,
    )
    expect(page.get_by_text(done)).to_be_visible(timeout=60_000)
    assert loads[-1] is None, "a finished job's page stays put"
    if loads[0] is not None:  # the worker had not finished when the page first came: it reloaded by itself
        assert len(loads) >= 2
    check_accessibility(page, "bulk-job-done")
    with app.app_context():
        assigned = {a.reference: a.assignee_id for a in db.session.scalars(db.select(Application))}
    assert assigned == {
        REFERENCES[0]: people.reviewer_and_decision_maker.id,
        REFERENCES[1]: people.reviewer_and_decision_maker.id,
        REFERENCES[2]: None,
    }

    with app.app_context():
        statistics.refresh()  # what the worker does every hour, so the charts are there to check
    for path_, name in (
        ("/backoffice/statistics", "statistics"),
        ("/backoffice/register", "register"),
        ("/backoffice/letters/failed", "failed-letters"),
    ):
        page.goto(path_)
        check_accessibility(page, name)
    expect(page.get_by_role("button", name=re.compile(REFERENCES[0]))).to_be_visible()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_of_a_running_job_is_accessible(app, people, page: Page, lang, check_accessibility: Checker):
    """A job no worker has taken yet: its page as it reloads, held still for axe-core (the Refresh header
    taken off in the browser, so the check does not race the reload)."""
    words = Words(app, lang)
    with app.app_context():
        job = BulkJob(kind="assign", created_by_id=people.reviewer.id, application_ids=[str(uuid.uuid4())] * 3)
        job.options = {"assignee_id": str(people.reviewer.id), "assignee_name": people.reviewer.name}
        db.session.add(job)
        db.session.commit()
        url = f"/backoffice/bulk/{job.id}"

    def held_still(route: Route) -> None:
        response = route.fetch()
        assert response.headers.get("refresh") == "2"
        route.fulfill(response=response, headers={k: v for k, v in response.headers.items() if k != "refresh"})

    choose_language(page, lang)
    log_in(page, words, people.reviewer)
    page.route(f"**{url}", held_still)
    page.goto(url)
    expect(page.get_by_role("link", name=words("Niet meer vanzelf verversen"))).to_be_visible()
    check_accessibility(page, "bulk-job-running")
    page.unroute(f"**{url}")
    page.get_by_role("link", name=words("Niet meer vanzelf verversen")).click()
    expect(page.get_by_role("link", name=words("Weer vanzelf verversen"))).to_be_visible()
    check_accessibility(page, "bulk-job-running-still")
