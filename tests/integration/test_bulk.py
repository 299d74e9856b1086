"""Bulk actions on a selection from the queue: assign, export (CSV, XLSX) and re-issue failed letters, each case
in a transaction of its own with its own audit entry, the actor's rights checked again per case, failures
counted without stopping the rest, the progress page, and a second delivery of the same job doing nothing.
The last test runs a job through a real worker process."""

from __future__ import annotations

import csv
import io
import subprocess
import uuid
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from ldapply.extensions import db
from ldapply.models import Application, AuditEntry, BulkJob, Letter, LetterStatus
from ldapply.services import accounts, bulk
from ldapply.workflows._spec import Role
from tests.support import PASSWORD, login, post, queued_tasks, worker_process
from tests.support_reports import case, failed_letter, grant_role, organisation, wait_for_job


def _user(app, email: str, role: str, regime: str | None) -> SimpleNamespace:
    with app.app_context():
        user = accounts.create_user(email=email, name=email.split("@")[0].title(), password=PASSWORD)
        made = SimpleNamespace(id=user.id, email=user.email, name=user.name)
        db.session.commit()
        grant_role(made.id, role, regime)
    return made


@pytest.fixture
def cases(app, people):
    """Three general cases and one under caretakers, in the order the queue would list them."""
    with app.app_context():
        org = organisation('=HYPERLINK("http://evil","x")')
        made = SimpleNamespace(
            organisation=org,
            general=[case(org, people.applicant.id, reference=f"LDE-2026-B000{n}") for n in (3, 1, 2)],
            caretakers=case(org, people.applicant.id, regime="caretakers", reference="LDE-2026-B0009"),
        )
        db.session.commit()
    return made


def _start(client, kind: str, ids, **fields):
    return post(client, "/backoffice/bulk", {"kind": kind, "ids": [str(i) for i in ids], **fields})


def _job(app) -> BulkJob:
    with app.app_context():
        job = db.session.scalar(db.select(BulkJob).order_by(BulkJob.created_at.desc()))
        db.session.expunge(job)
        return job


def _entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)))


def test_bulk_assign_assigns_each_case_with_its_own_audit_entry(app, client, people, cases):
    general_reviewer = _user(app, "gr@vo.be", Role.REVIEWER, "general")
    login(client, general_reviewer)
    selection = [*cases.general, cases.caretakers]
    response = _start(client, "assign", selection, assignee_id=str(people.reviewer.id))
    assert response.status_code == 302
    job = _job(app)
    assert response.headers["Location"].endswith(f"/backoffice/bulk/{job.id}")
    assert (job.status, job.done, job.failed) == ("pending", 0, 0)
    assert ("bulk.run", [str(job.id)]) in queued_tasks(app), "handed to the worker after the commit"
    pending = client.get(f"/backoffice/bulk/{job.id}")
    assert pending.headers["Refresh"] == "2", "the page reloads itself while the job waits, without script"
    assert f'href="/backoffice/bulk/{job.id}?auto=0"' in pending.get_data(as_text=True), "and that can be stopped"
    assert "Refresh" not in client.get(f"/backoffice/bulk/{job.id}?auto=0").headers

    with app.app_context():
        bulk.run_job(job.id)
    job = _job(app)
    assert (job.status, job.done, job.failed) == ("done", 3, 1)
    assert job.finished_at is not None
    with app.app_context():
        assignees = {a.id: a.assignee_id for a in db.session.scalars(db.select(Application))}
    assert all(assignees[i] == people.reviewer.id for i in cases.general)
    assert assignees[cases.caretakers] is None, "the actor does not work under that regime"
    per_case = _entries(app, "bulk.assign")
    assert sorted(e.application_id for e in per_case) == sorted(cases.general)
    assert all(e.new["job"] == str(job.id) and e.actor_id == general_reviewer.id for e in per_case)
    assert len(_entries(app, "case.assigned")) == 3, "the assignment itself, as the case page records it"

    finished = client.get(f"/backoffice/bulk/{job.id}")
    assert "Refresh" not in finished.headers, "a finished job's page stays put"
    page = finished.get_data(as_text=True)
    assert "4 van 4 verwerkt: 3 gelukt, 1 niet gelukt." in page
    assert "LDE-2026-B0009" in page
    assert "U werkt niet (meer) onder de regeling van deze aanvraag." in page


def test_a_second_delivery_of_the_same_job_does_nothing(app, client, people, cases):
    login(client, people.reviewer)
    _start(client, "assign", cases.general, assignee_id=str(people.reviewer_and_decision_maker.id))
    job = _job(app)
    with app.app_context():
        bulk.run_job(job.id)
        bulk.run_job(job.id)  # the broker delivers the task again
    again = _job(app)
    assert (again.status, again.done, again.failed) == ("done", 3, 0)
    assert len(_entries(app, "bulk.assign")) == 3


def test_each_case_is_checked_again_when_the_worker_reaches_it(app, client, people, cases):
    """The assignee recused themselves from one case after the selection was made: that case fails alone."""
    from ldapply.models import ConflictDeclaration

    login(client, people.reviewer)
    _start(client, "assign", cases.general, assignee_id=str(people.reviewer_and_decision_maker.id))
    job = _job(app)
    with app.app_context():
        db.session.add(
            ConflictDeclaration(
                user_id=people.reviewer_and_decision_maker.id,
                application_id=cases.general[1],
                organisation_id=cases.organisation,
                recused=True,
                reason="Mijn zus is er voorzitter.",
            )
        )
        db.session.commit()
        bulk.run_job(job.id)
    job = _job(app)
    assert (job.done, job.failed) == (2, 1)
    assert job.options["failures"][0]["reference"] == "LDE-2026-B0001"
    assert "onthouden" in job.options["failures"][0]["reason"]


def test_bulk_export_csv_of_the_ticked_cases_in_their_order(app, client, people, cases):
    login(client, people.reviewer)
    _start(client, "export_csv", cases.general)
    job = _job(app)
    assert client.get(f"/backoffice/bulk/{job.id}/download").status_code == 404, "not ready yet"
    with app.app_context():
        bulk.run_job(job.id)
    page = client.get(f"/backoffice/bulk/{job.id}").get_data(as_text=True)
    assert "3 van 3 verwerkt" in page
    assert f"/backoffice/bulk/{job.id}/download" in page
    download = client.get(f"/backoffice/bulk/{job.id}/download")
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Referentie", "Organisatie", "KBO-nummer"]
    assert [row[0] for row in rows[1:]] == ["LDE-2026-B0003", "LDE-2026-B0001", "LDE-2026-B0002"]
    assert rows[1][1] == '\'=HYPERLINK("http://evil","x")'
    (entry,) = _entries(app, "export.csv")
    assert entry.new["count"] == 3
    assert entry.new["filter"] == {"selection": 3, "job": str(job.id)}


def test_bulk_export_xlsx_skips_cases_outside_the_actors_regimes(app, client, people, cases):
    login(client, _user(app, "gr@vo.be", Role.REVIEWER, "general"))
    _start(client, "export_xlsx", [*cases.general, cases.caretakers])
    job = _job(app)
    with app.app_context():
        bulk.run_job(job.id)
    job = _job(app)
    assert (job.status, job.done, job.failed) == ("done", 3, 1)
    download = client.get(f"/backoffice/bulk/{job.id}/download")
    sheet = load_workbook(io.BytesIO(download.get_data())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row[0] for row in values[1:]] == ["LDE-2026-B0003", "LDE-2026-B0001", "LDE-2026-B0002"]
    assert values[1][1] == '\'=HYPERLINK("http://evil","x")'
    assert sheet.cell(row=2, column=2).data_type == "s"


def test_bulk_reissue_hands_each_cases_failed_letters_to_the_worker(app, client, people, cases):
    with app.app_context():
        first = failed_letter(cases.general[0])
        second = failed_letter(cases.general[0], kind="decision_granted")
        db.session.commit()
    login(client, people.reviewer)
    _start(client, "reissue", cases.general[:2])
    job = _job(app)
    queued_tasks(app)
    with app.app_context():
        bulk.run_job(job.id)
        statuses = {letter.id: (letter.status, letter.attempts) for letter in db.session.scalars(db.select(Letter))}
    assert statuses == {first: (LetterStatus.PENDING, 0), second: (LetterStatus.PENDING, 0)}
    assert sorted(args for name, args in queued_tasks(app) if name == "letters.render") == sorted(
        [[str(first)], [str(second)]]
    )
    job = _job(app)
    assert (job.done, job.failed) == (1, 1)
    assert job.options["failures"] == [
        {"reference": "LDE-2026-B0001", "reason": "Deze aanvraag heeft geen mislukte brieven."}
    ]
    (entry,) = _entries(app, "bulk.reissue")
    assert entry.application_id == cases.general[0]
    assert sorted(entry.new["letters"]) == sorted([str(first), str(second)])


def test_a_bulk_action_on_everything_the_queues_filter_shows(app, client, people, cases):
    login(client, people.reviewer)
    fields = {"scope": "filter", "filter_regime": "general", "filter_move": "all", "filter_sort": "submitted"}
    response = _start(client, "assign", [cases.caretakers], assignee_id=str(people.reviewer.id), **fields)
    assert response.status_code == 302
    job = _job(app)
    assert job.application_ids == [], "the cases are found when the worker runs the job"
    assert job.options["filter"] == {"regime": "general", "move": "all", "sort": "submitted"}
    with app.app_context():
        bulk.run_job(job.id)
    job = _job(app)
    assert sorted(job.application_ids) == sorted(str(i) for i in cases.general), "the ticked caretakers case is not"
    assert (job.status, job.done, job.failed, job.options["capped"]) == ("done", 3, 0, False)
    page = client.get(f"/backoffice/bulk/{job.id}").get_data(as_text=True)
    assert "alle die de filter van de werkvoorraad toonde" in page
    assert "3 van 3 verwerkt" in page


def test_a_filter_showing_more_than_the_limit_takes_the_first(app, client, people, cases, monkeypatch):
    monkeypatch.setattr(bulk, "MAX_SELECTION", 2)
    login(client, people.reviewer)
    _start(client, "export_csv", [], scope="filter", filter_move="all", filter_sort="submitted")
    with app.app_context():
        bulk.run_job(_job(app).id)
    job = _job(app)
    assert (job.done, job.options["capped"]) == (2, True)
    assert "alleen de eerste 2" in client.get(f"/backoffice/bulk/{job.id}").get_data(as_text=True)


def test_only_the_creator_or_an_admin_follows_a_job(app, client, people, cases):
    login(client, people.reviewer)
    _start(client, "export_csv", cases.general)
    job = _job(app)
    login(client, people.decision_maker)
    assert client.get(f"/backoffice/bulk/{job.id}").status_code == 404
    assert client.get(f"/backoffice/bulk/{job.id}/download").status_code == 404
    login(client, people.admin)
    assert client.get(f"/backoffice/bulk/{job.id}").status_code == 200
    login(client, people.applicant)
    assert client.get(f"/backoffice/bulk/{job.id}").status_code == 403


@pytest.mark.parametrize(
    ("kind", "ids", "fields", "message"),
    [
        ("assign", [], {"assignee_id": "x"}, "Vink eerst een of meer aanvragen aan."),
        ("assign", ["general"], {"assignee_id": ""}, "Kies aan wie u de aanvragen toewijst."),
        ("delete", ["general"], {}, "Kies wat er met de geselecteerde aanvragen moet gebeuren."),
        ("export_csv", ["not-a-uuid"], {}, "De selectie is ongeldig. Laad de werkvoorraad opnieuw."),
    ],
)
def test_a_bulk_action_that_cannot_start_says_why_and_saves_nothing(
    app, client, people, cases, kind, ids, fields, message
):
    login(client, people.reviewer)
    chosen = [cases.general[0] if i == "general" else i for i in ids]
    response = _start(client, kind, chosen, **fields, next="/backoffice/?move=all")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/backoffice/?move=all")
    assert message in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(BulkJob)) is None


def test_the_queue_shows_the_bulk_bar_with_labelled_actions(client, people, cases):
    login(client, people.reviewer)
    page = client.get("/backoffice/?move=all").get_data(as_text=True)
    assert '<form id="bulk-form" method="post"' in page
    assert '<label class="label" for="bulk-assignee">' in page
    for kind in bulk.KINDS:
        assert f'name="kind" value="{kind}"' in page
    bar = page.split('id="bulk-form"')[1].split("</form>")[0]
    assert '<input type="hidden" name="filter_move" value="all">' in bar, "the queue's filter goes with the bar"
    assert '<label for="bulk-scope">' in bar
    assert people.reviewer.name in page.split('id="bulk-assignee"')[1].split("</select>")[0]


# -- through a real worker process -----------------------------------------------------------------


@pytest.fixture(scope="module")
def worker(app, backend) -> Iterator[subprocess.Popen[bytes]]:
    with worker_process(backend, "bulk-worker.log") as process:
        yield process


@pytest.mark.system
def test_a_real_worker_runs_the_job_once_and_the_page_follows_it(app, backend, client, people, cases, worker):
    from ldapply.services.dispatch import send_task

    login(client, people.reviewer)
    response = _start(client, "assign", cases.general, assignee_id=str(people.reviewer_and_decision_maker.id))
    job_id = uuid.UUID(response.headers["Location"].rsplit("/", 1)[-1])
    job = wait_for_job(app, job_id)
    assert (job.status, job.done, job.failed) == ("done", 3, 0), job.error
    with app.app_context():
        assert send_task("bulk.run", str(job_id))  # a second delivery
    log = backend.instance_path / "bulk-worker.log"
    import time

    deadline = time.monotonic() + 30
    while f"bulk job {job_id} was already taken" not in log.read_text(errors="replace"):
        assert time.monotonic() < deadline, "the worker never saw the second delivery"
        assert worker.poll() is None, "the worker process died"
        time.sleep(0.2)
    assert len(_entries(app, "bulk.assign")) == 3
    page = client.get(f"/backoffice/bulk/{job_id}").get_data(as_text=True)
    assert "3 van 3 verwerkt: 3 gelukt, 0 niet gelukt." in page
