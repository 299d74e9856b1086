"""Failed letters: the list across cases with the reason's first line, paged; a retry hands the letter to the
worker again (and it renders), audited; staff see only the letters of the regimes they work under."""

from __future__ import annotations

import re
from types import SimpleNamespace

from ldapply.extensions import db
from ldapply.models import AuditEntry, Letter, LetterStatus
from ldapply.services import accounts, failed_letters, letters
from ldapply.tasks import render_letter
from ldapply.workflows._spec import Role
from tests.support import PASSWORD, count_statements, login, post, queued_tasks, submitted_application
from tests.support_reports import case, failed_letter, grant_role, organisation

ERROR = "LetterRenderError: template letters/general/receipt.html: 'organisation' is undefined\nTraceback (most recent call last):\n  File ..."


def _failed_receipt(app, client, people):
    """A real receipt from a real submission, given up on by the worker."""
    application_id = submitted_application(client, people)
    with app.app_context():
        letter = db.session.scalar(db.select(Letter).where(Letter.application_id == application_id))
        letters.mark_failed(letter.id, ERROR)
        return application_id, letter.id


def test_the_list_shows_each_failed_letter_with_the_first_line_of_its_error(app, client, people):
    application_id, letter_id = _failed_receipt(app, client, people)
    login(client, people.reviewer)
    page = client.get("/backoffice/letters/failed").get_data(as_text=True)
    assert "1 mislukte brief." in page
    assert f"/backoffice/applications/{application_id}" in page
    assert "is undefined" in page
    assert "Traceback" not in page, "only the first line of the error"
    assert f"/backoffice/letters/{letter_id}/retry" in page
    assert 'name="csrf_token"' in page


def test_a_retry_puts_the_letter_back_to_the_worker_and_it_renders(app, client, people):
    application_id, letter_id = _failed_receipt(app, client, people)
    login(client, people.reviewer)
    queued_tasks(app)  # the receipt's first hand-off, rendered by nobody
    response = post(client, f"/backoffice/letters/{letter_id}/retry")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/backoffice/letters/failed")
    assert ("letters.render", [str(letter_id)]) in queued_tasks(app), "handed to the worker after the commit"
    with app.app_context():
        letter = db.session.get(Letter, letter_id)
        assert (letter.status, letter.attempts, letter.error) == (LetterStatus.PENDING, 0, None)
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "letter.retry"))
        assert entry.application_id == application_id
        assert entry.actor_id == people.reviewer.id
        assert entry.old["status"] == "failed"
        assert entry.old["error"].endswith("is undefined")
    render_letter(str(letter_id))  # what the worker runs on that task
    with app.app_context():
        assert db.session.get(Letter, letter_id).status == LetterStatus.RENDERED
    assert "Geen mislukte brieven." in client.get("/backoffice/letters/failed").get_data(as_text=True)


def test_a_retry_from_the_case_page_goes_back_there(app, client, people):
    application_id, letter_id = _failed_receipt(app, client, people)
    login(client, people.reviewer)
    back = f"/backoffice/applications/{application_id}"
    response = post(client, f"/backoffice/letters/{letter_id}/retry", {"next": back})
    assert response.headers["Location"].endswith(back)
    _, other = _failed_receipt(app, client, people)
    login(client, people.reviewer)
    response = post(client, f"/backoffice/letters/{other}/retry", {"next": "//evil.example/"})
    assert response.headers["Location"].endswith("/backoffice/letters/failed"), "never to another site"


def test_a_letter_that_is_not_failed_is_not_retried(app, client, people):
    _application_id, letter_id = _failed_receipt(app, client, people)
    login(client, people.reviewer)
    assert post(client, f"/backoffice/letters/{letter_id}/retry").status_code == 302
    again = post(client, f"/backoffice/letters/{letter_id}/retry")
    assert again.status_code == 409
    assert "niet (meer) mislukt" in again.get_data(as_text=True)
    with app.app_context():
        assert len(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "letter.retry")).all()) == 1


def test_staff_of_another_regime_neither_see_nor_retry_the_letter(app, client, people):
    _application_id, letter_id = _failed_receipt(app, client, people)
    with app.app_context():
        user = accounts.create_user(email="carer@vo.be", name="Cas", password=PASSWORD)
        carer = SimpleNamespace(id=user.id, email=user.email)
        db.session.commit()
        grant_role(carer.id, Role.REVIEWER, "caretakers")
    login(client, carer)
    assert "Geen mislukte brieven." in client.get("/backoffice/letters/failed").get_data(as_text=True)
    assert post(client, f"/backoffice/letters/{letter_id}/retry").status_code == 404
    login(client, people.applicant)
    assert post(client, f"/backoffice/letters/{letter_id}/retry").status_code == 403
    with app.app_context():
        assert db.session.get(Letter, letter_id).status == LetterStatus.FAILED


def test_the_list_is_paged_at_a_bounded_cost(app, client, people):
    with app.app_context():
        org = organisation("Buurtwerk Het Anker vzw")
        for _ in range(3):
            failed_letter(case(org, people.applicant.id))
        db.session.commit()
    login(client, people.reviewer)
    with count_statements(app) as few:
        assert client.get("/backoffice/letters/failed").status_code == 200
    with app.app_context():
        for _ in range(failed_letters.PAGE_SIZE):
            failed_letter(case(org, people.applicant.id))
        db.session.commit()
    with count_statements(app) as many:
        first = client.get("/backoffice/letters/failed").get_data(as_text=True)
    assert len(many) == len(few) <= 5
    assert f"{failed_letters.PAGE_SIZE + 3} mislukte brieven." in first
    assert first.count("Opnieuw proberen</button>") == failed_letters.PAGE_SIZE
    following = re.search(r'href="(/backoffice/letters/failed\?after=[^"]+)" rel="next"', first)
    assert following, "a link to the next page"
    second = client.get(following.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert second.count("Opnieuw proberen</button>") == 3
    assert 'rel="next"' not in second
    assert client.get("/backoffice/letters/failed?after=nonsense").status_code == 200
