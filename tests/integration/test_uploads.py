"""Uploads: checked by name, content and size; stored under server names; offered only as attachments."""

from __future__ import annotations

import hashlib
from io import BytesIO

import pytest

from ldapply.extensions import db
from ldapply.models import Application, Upload
from tests.support import login, minimal_pdf, post, start_application


@pytest.fixture
def draft(client, people):
    login(client, people.applicant)
    return start_application(client)


def upload(client, application_id, data: bytes, name: str):
    return post(
        client,
        f"/applications/{application_id}/steps/attachments",
        {"business_plan": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def stored_files(app) -> list:
    return [p for p in app.config["STORAGE_DIR"].rglob("*") if p.is_file()]


BAD_UPLOADS = [
    pytest.param(b"", "leeg.pdf", "Het gekozen bestand is leeg.", id="empty"),
    pytest.param(
        b"<html><script>alert(1)</script></html>",
        "plan.pdf",
        "De inhoud van het bestand is geen PDF",
        id="html-renamed-pdf",
    ),
    pytest.param(minimal_pdf(), "plan.pdf.exe", "Het bestand moet een PDF-bestand zijn.", id="double-extension"),
    pytest.param(b"MZ\x90\x00", "plan.exe", "Het bestand moet een PDF-bestand zijn.", id="executable"),
    pytest.param(b"<svg onload=alert(1)>", "plan.svg", "Het bestand moet een PDF-bestand zijn.", id="svg"),
    pytest.param(
        b"%PDF-1.4\n" + b"garbage " * 50, "plan.pdf", "De inhoud van het bestand is geen PDF", id="header-only"
    ),
    pytest.param(
        b"%PDF-1.4\n<html><script>alert(1)</script></html>",
        "plan.pdf",
        "De inhoud van het bestand is geen PDF",
        id="pdf-html-polyglot",
    ),
]


class TestRejectedUploads:
    @pytest.mark.parametrize(("data", "name", "message"), BAD_UPLOADS)
    def test_a_bad_file_is_refused_with_a_reason_and_nothing_is_kept(self, app, client, draft, data, name, message):
        response = upload(client, draft, data, name)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert message in page
        assert 'id="business_plan-error"' in page  # shown beside the field, on the step page itself
        with app.app_context():
            assert db.session.scalar(db.select(db.func.count(Upload.id))) == 0
            assert "business_plan" not in db.session.get(Application, draft).answers
        assert stored_files(app) == []

    def test_a_file_one_byte_over_the_limit_is_refused(self, app, client, draft):
        limit = app.config["MAX_UPLOAD_BYTES"]
        response = upload(client, draft, minimal_pdf() + b"\0" * (limit + 1 - len(minimal_pdf())), "groot.pdf")
        assert response.status_code == 400
        assert "Het bestand is groter dan 10 MB." in response.get_data(as_text=True)

    def test_a_file_exactly_at_the_limit_is_accepted(self, app, client, draft):
        limit = app.config["MAX_UPLOAD_BYTES"]
        assert upload(client, draft, minimal_pdf() + b"\0" * (limit - len(minimal_pdf())), "net.pdf").status_code == 302

    def test_a_request_over_the_total_limit_gets_413(self, app, client, draft):
        too_big = b"%PDF-" + b"0" * app.config["MAX_CONTENT_LENGTH"]
        assert upload(client, draft, too_big, "enorm.pdf").status_code == 413

    def test_no_file_chosen_is_refused_when_none_was_uploaded_before(self, client, draft):
        response = post(client, f"/applications/{draft}/steps/attachments", {}, content_type="multipart/form-data")
        assert "Kies een bestand." in response.get_data(as_text=True)


class TestAcceptedUploads:
    @pytest.mark.parametrize(
        "name",
        [
            "../../etc/passwd.pdf",
            "..\\..\\windows\\plan.pdf",
            "plan\u202efdp.pdf",
            "nul\x00byte.pdf",
            "x" * 300 + ".pdf",
        ],
    )
    def test_a_hostile_file_name_is_reduced_to_a_plain_name(self, app, client, draft, name):
        assert upload(client, draft, minimal_pdf(), name).status_code == 302
        with app.app_context():
            stored = db.session.scalar(db.select(Upload))
        assert stored.filename.endswith(".pdf")
        assert not {"/", "\\", "\u202e", "\x00"} & set(stored.filename)
        assert not stored.filename.startswith(".")
        assert len(stored.filename) <= 120
        assert stored.storage_key == f"uploads/{draft}/{stored.id}"

    def test_a_pdf_is_stored_with_its_hash_and_downloaded_as_an_attachment(self, app, client, draft):
        data = minimal_pdf()
        assert upload(client, draft, data, "plan.pdf").status_code == 302
        with app.app_context():
            stored = db.session.scalar(db.select(Upload))
        assert stored.sha256 == hashlib.sha256(data).hexdigest()
        response = client.get(f"/applications/{draft}/uploads/{stored.id}")
        assert response.data == data
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"

    def test_a_step_with_an_uploaded_file_can_be_saved_again_without_choosing_it_again(self, app, client, draft):
        upload(client, draft, minimal_pdf(), "eerste.pdf")
        response = post(client, f"/applications/{draft}/steps/attachments", {}, content_type="multipart/form-data")
        assert response.status_code == 302
        with app.app_context():
            assert db.session.get(Application, draft).answers["business_plan"]["filename"] == "eerste.pdf"

    def test_a_replaced_draft_file_is_removed_row_and_file(self, app, client, draft):
        upload(client, draft, minimal_pdf(), "eerste.pdf")
        upload(client, draft, minimal_pdf("tweede"), "tweede.pdf")
        with app.app_context():
            assert db.session.get(Application, draft).answers["business_plan"]["filename"] == "tweede.pdf"
            rows = db.session.scalars(db.select(Upload)).all()
        assert [row.filename for row in rows] == ["tweede.pdf"]
        assert [p.name for p in stored_files(app)] == [str(rows[0].id)]
