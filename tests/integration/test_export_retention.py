"""Exports made in the background are kept RETENTION (the administration's own rule, said on the pages), then
deleted by the beat's task, file and job; the audit trail keeps that the export was made, and that it went."""

from __future__ import annotations

import uuid
from datetime import timedelta

from ldapply.extensions import db
from ldapply.models import AuditEntry, BulkJob
from ldapply.services import bulk, exports
from ldapply.services.storage import get_storage
from tests.support import login, post
from tests.support_reports import case, organisation


def _job(app, job_id: uuid.UUID) -> BulkJob | None:
    with app.app_context():
        job = db.session.get(BulkJob, job_id)
        if job is not None:
            db.session.expunge(job)
        return job


def _start(client, kind: str, ids, **fields) -> uuid.UUID:
    response = post(client, "/backoffice/bulk", {"kind": kind, "ids": [str(i) for i in ids], **fields})
    assert response.status_code == 302, response.get_data(as_text=True)
    return uuid.UUID(response.headers["Location"].rsplit("/", 1)[-1])


def test_an_export_is_kept_its_retention_period_then_its_file_and_job_are_deleted(app, client, people):
    with app.app_context():
        org = organisation("Buurtwerk Bewaartermijn vzw")
        ids = [case(org, people.applicant.id, reference=f"LDE-2026-R000{n}") for n in range(3)]
        db.session.commit()
    login(client, people.reviewer)
    export_id = _start(client, "export_csv", ids)
    assign_id = _start(client, "assign", ids[:1], assignee_id=str(people.reviewer_and_decision_maker.id))
    with app.app_context():
        bulk.run_job(export_id)
        bulk.run_job(assign_id)
    export = _job(app, export_id)
    assert export.status == "done"
    with app.app_context():
        assert get_storage().exists(export.result_key)
    page = client.get(f"/backoffice/bulk/{export_id}").get_data(as_text=True)
    assert "Te downloaden tot" in page
    assert "een regel van de administratie: 7 dagen" in page
    assert client.get(f"/backoffice/bulk/{export_id}/download").status_code == 200

    with app.app_context():
        assert exports.purge_expired(export.finished_at + exports.RETENTION - timedelta(minutes=1)) == 0
        assert get_storage().exists(export.result_key)
        later = export.finished_at + exports.RETENTION + timedelta(minutes=1)
        assert exports.purge_expired(later) == 1
        assert exports.purge_expired(later) == 0
        assert not get_storage().exists(export.result_key)
    assert _job(app, export_id) is None
    assert _job(app, assign_id) is not None, "only exports are deleted: other jobs store no file"
    assert client.get(f"/backoffice/bulk/{export_id}/download").status_code == 404
    with app.app_context():
        purged = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "export.purged"))
        made = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "export.csv"))
    assert purged.actor_id is None  # ldapply's own act
    assert purged.object_id == str(export_id)
    assert purged.old["file"] == export.result_key
    assert made is not None, "the trail still says who exported what"


def test_the_register_page_says_how_long_an_export_is_kept(client, people):
    login(client, people.reviewer)
    page = client.get("/backoffice/register").get_data(as_text=True)
    assert "Zo’n bestand blijft 7 dagen te downloaden nadat het klaar is" in page
    assert "een regel van de administratie" in page


def test_the_beat_runs_the_purge(app):
    schedule = app.config["CELERY"]["beat_schedule"]
    assert {"task": "exports.purge_expired", "schedule": 3600.0} in schedule.values()
    assert "exports.purge_expired" in app.extensions["celery"].tasks
    with app.app_context():
        from ldapply.tasks import purge_expired_exports

        assert purge_expired_exports() == 0
