"""Uploads: checked by name, content and size; stored under server names; offered only as attachments."""

from __future__ import annotations

import hashlib
import re
from io import BytesIO

import pytest

from ldapply.extensions import db
from ldapply.models import Application, Upload
from tests import office_files
from tests.support import PASSWORD, STEP_ANSWERS, login, minimal_pdf, post, start_application


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


WRONG_KIND = "Dit soort bestand kan hier niet. Kies een bestand van het soort PDF, ODT, DOCX, XLSX of ODS."
BAD_UPLOADS = [
    pytest.param(b"", "leeg.pdf", "Het gekozen bestand is leeg.", id="empty"),
    pytest.param(
        b"<html><script>alert(1)</script></html>",
        "plan.pdf",
        "De inhoud van het bestand is geen PDF",
        id="html-renamed-pdf",
    ),
    pytest.param(minimal_pdf(), "plan.pdf.exe", WRONG_KIND, id="double-extension"),
    pytest.param(b"MZ\x90\x00", "plan.exe", WRONG_KIND, id="executable"),
    pytest.param(b"<svg onload=alert(1)>", "plan.svg", WRONG_KIND, id="svg"),
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
            assert db.session.get(Application, draft).answers["business_plan"][0]["filename"] == "eerste.pdf"

    def test_a_replaced_file_of_a_field_for_one_file_is_removed_row_and_file(self, app, client, people):
        login(client, people.applicant)
        draft = start_application(client, "caretakers")
        url = f"/applications/{draft}/steps/shm_decision"
        for data, name in ((minimal_pdf(), "eerste.pdf"), (minimal_pdf("tweede"), "tweede.pdf")):
            response = post(client, url, {"shm_decision": (BytesIO(data), name)}, content_type="multipart/form-data")
            assert response.status_code == 302, response.get_data(as_text=True)
        with app.app_context():
            assert db.session.get(Application, draft).answers["shm_decision"]["filename"] == "tweede.pdf"
            rows = db.session.scalars(db.select(Upload)).all()
        assert [row.filename for row in rows] == ["tweede.pdf"]
        assert [p.name for p in stored_files(app)] == [str(rows[0].id)]


WITHOUT_DECISION = {"commissioning_authority": "Stad Gent", "commission_follows_on": "2026-06-30"}


def post_files(client, application_id, slug: str, data: dict):
    return post(client, f"/applications/{application_id}/steps/{slug}", data, content_type="multipart/form-data")


def answers_of(app, application_id) -> dict:
    with app.app_context():
        return dict(db.session.get(Application, application_id).answers)


def upload_rows(app) -> list[Upload]:
    with app.app_context():
        return list(db.session.scalars(db.select(Upload).order_by(Upload.created_at, Upload.id)))


def staged_ids(page: str, field: str) -> list[str]:
    return re.findall(rf'name="staged-{field}" value="([0-9a-f-]+)"', page)


class TestKindsCheckedFromTheContent:
    @pytest.mark.parametrize(
        ("data", "name", "content_type"),
        [
            pytest.param(
                office_files.ooxml("docx"), "plan.docx", office_files.OOXML + ".wordprocessingml.document", id="docx"
            ),
            pytest.param(
                office_files.ooxml("xlsx"), "begroting.xlsx", office_files.OOXML + ".spreadsheetml.sheet", id="xlsx"
            ),
            pytest.param(office_files.opendocument("text"), "plan.odt", office_files.ODF + ".text", id="odt"),
            pytest.param(
                office_files.opendocument("spreadsheet"), "begroting.ods", office_files.ODF + ".spreadsheet", id="ods"
            ),
        ],
    )
    def test_office_documents_are_accepted_where_the_regime_allows_them(
        self, app, client, draft, data, name, content_type
    ):
        assert upload(client, draft, data, name).status_code == 302
        [row] = upload_rows(app)
        assert (row.filename, row.content_type) == (name, content_type)
        assert answers_of(app, draft)["business_plan"][0]["sha256"] == hashlib.sha256(data).hexdigest()
        response = client.get(f"/applications/{draft}/uploads/{row.id}")
        assert response.data == data
        assert response.mimetype == content_type
        assert response.headers["Content-Disposition"].startswith("attachment")

    @pytest.mark.parametrize(
        ("data", "name"),
        [
            pytest.param(office_files.image("PNG"), "besluit.png", id="png"),
            pytest.param(office_files.image("JPEG"), "besluit.jpg", id="jpg"),
            pytest.param(office_files.image("JPEG"), "besluit.jpeg", id="jpeg"),
        ],
    )
    def test_a_scanned_decision_may_be_an_image(self, app, client, draft, data, name):
        answers = {**STEP_ANSWERS["public_commission"], "commission_decision": (BytesIO(data), name)}
        assert post_files(client, draft, "public_commission", answers).status_code == 302
        assert [ref["filename"] for ref in answers_of(app, draft)["commission_decision"]] == [name]

    @pytest.mark.parametrize(
        ("data", "name", "kind"),
        [
            pytest.param(office_files.plain_zip(), "plan.docx", "DOCX", id="zip-named-docx"),
            pytest.param(office_files.ooxml("xlsx"), "plan.docx", "DOCX", id="xlsx-named-docx"),
            pytest.param(
                office_files.ooxml("docx", content_type="application/vnd.ms-word.document.macroEnabled.main+xml"),
                "plan.docx",
                "DOCX",
                id="macro-enabled-named-docx",
            ),
            pytest.param(
                office_files.opendocument("text", mimetype_first=False), "plan.odt", "ODT", id="odt-mimetype-not-first"
            ),
            pytest.param(office_files.opendocument("spreadsheet"), "plan.odt", "ODT", id="ods-named-odt"),
            pytest.param(office_files.ooxml("docx"), "plan.pdf", "PDF", id="docx-named-pdf"),
            pytest.param(minimal_pdf(), "plan.docx", "DOCX", id="pdf-named-docx"),
        ],
    )
    def test_content_that_does_not_match_the_name_is_refused(self, app, client, draft, data, name, kind):
        page = upload(client, draft, data, name).get_data(as_text=True)
        assert f"De inhoud van het bestand is geen {kind}" in page
        assert upload_rows(app) == []
        assert stored_files(app) == []

    @pytest.mark.parametrize(
        ("data", "name", "kind"),
        [
            pytest.param(office_files.image("JPEG"), "besluit.png", "PNG", id="jpeg-named-png"),
            pytest.param(office_files.image("PNG")[:40], "besluit.png", "PNG", id="truncated-png"),
            pytest.param(b"\xff\xd8\xff" + b"not a picture" * 10, "besluit.jpg", "JPEG", id="jpeg-signature-only"),
        ],
    )
    def test_an_image_is_checked_by_pillow_not_by_its_name(self, app, client, draft, data, name, kind):
        answers = {**STEP_ANSWERS["public_commission"], "commission_decision": (BytesIO(data), name)}
        page = post_files(client, draft, "public_commission", answers).get_data(as_text=True)
        assert f"De inhoud van het bestand is geen {kind}" in page
        assert upload_rows(app) == []

    def test_a_refusal_names_the_kinds_the_field_allows(self, client, draft):
        answers = {
            **STEP_ANSWERS["public_commission"],
            "commission_decision": (BytesIO(office_files.ooxml()), "b.docx"),
        }
        page = post_files(client, draft, "public_commission", answers).get_data(as_text=True)
        assert "Kies een bestand van het soort PDF, PNG of JPEG." in page

    def test_the_field_says_which_kinds_and_how_many_files_it_takes(self, client, draft):
        page = client.get(f"/applications/{draft}/steps/attachments").get_data(as_text=True)
        assert "PDF, ODT, DOCX, XLSX of ODS, hoogstens 10 MB per bestand, tot 5 bestanden." in page
        assert "multiple" in re.search(r'<input[^>]*name="business_plan"[^>]*>', page).group(0)


class TestSeveralFiles:
    def test_several_files_are_kept_as_a_list(self, app, client, draft):
        files = [(BytesIO(minimal_pdf("plan")), "plan.pdf"), (BytesIO(office_files.ooxml("xlsx")), "begroting.xlsx")]
        assert post_files(client, draft, "attachments", {"business_plan": files}).status_code == 302
        refs = answers_of(app, draft)["business_plan"]
        assert [ref["filename"] for ref in refs] == ["plan.pdf", "begroting.xlsx"]
        more = [(BytesIO(minimal_pdf("bijlage")), "bijlage.pdf")]
        assert post_files(client, draft, "attachments", {"business_plan": more}).status_code == 302
        assert [ref["filename"] for ref in answers_of(app, draft)["business_plan"]] == [
            "plan.pdf",
            "begroting.xlsx",
            "bijlage.pdf",
        ]

    def test_files_beyond_the_limit_are_refused_and_the_others_kept_as_chosen(self, app, client, draft):
        files = [(BytesIO(minimal_pdf(f"deel {n}")), f"deel-{n}.pdf") for n in range(1, 7)]
        response = post_files(client, draft, "attachments", {"business_plan": files})
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "deel-6.pdf: U kunt hier hoogstens 5 bestanden toevoegen." in page
        kept = staged_ids(page, "business_plan")
        assert len(kept) == 5
        assert "business_plan" not in answers_of(app, draft)
        response = post_files(client, draft, "attachments", {"staged-business_plan": kept})
        assert response.status_code == 302
        assert len(answers_of(app, draft)["business_plan"]) == 5
        assert len(upload_rows(app)) == 5

    def test_the_check_page_lists_every_file(self, client, draft):
        files = [(BytesIO(minimal_pdf("plan")), "plan.pdf"), (BytesIO(office_files.opendocument()), "toelichting.odt")]
        post_files(client, draft, "attachments", {"business_plan": files})
        page = client.get(f"/applications/{draft}/check").get_data(as_text=True)
        assert "plan.pdf\ntoelichting.odt" in page


class TestRemoveBeforeSubmission:
    def remove_url(self, draft, upload_id, slug="attachments"):
        return f"/applications/{draft}/steps/{slug}/uploads/{upload_id}/remove"

    def test_a_stored_file_is_removed_with_its_row_and_file_and_the_page_keeps_what_was_typed(self, app, client, draft):
        answers = {**STEP_ANSWERS["public_commission"], "commission_decision": (BytesIO(minimal_pdf()), "besluit.pdf")}
        assert post_files(client, draft, "public_commission", answers).status_code == 302
        [row] = upload_rows(app)
        typed = {**STEP_ANSWERS["public_commission"], "commissioning_authority": "Stad Leuven"}
        response = post(client, self.remove_url(draft, row.id, "public_commission"), typed)
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "besluit.pdf is verwijderd." in page
        assert 'value="Stad Leuven"' in page  # typed, not saved yet, still there
        assert f'action="/applications/{draft}/steps/public_commission"' in page
        assert "commission_decision" not in answers_of(app, draft)
        assert upload_rows(app) == []
        assert stored_files(app) == []

    def test_a_file_chosen_but_not_saved_yet_can_be_removed(self, app, client, draft):
        page = upload(client, draft, b"", "leeg.pdf").get_data(as_text=True)  # nothing kept
        files = [(BytesIO(minimal_pdf()), "plan.pdf"), (BytesIO(b""), "leeg.pdf")]
        page = post_files(client, draft, "attachments", {"business_plan": files}).get_data(as_text=True)
        [kept] = staged_ids(page, "business_plan")
        response = post(client, self.remove_url(draft, kept), {"staged-business_plan": kept})
        assert response.status_code == 200
        assert staged_ids(response.get_data(as_text=True), "business_plan") == []
        assert upload_rows(app) == []

    def test_removing_needs_the_csrf_token(self, app, client, draft):
        upload(client, draft, minimal_pdf(), "plan.pdf")
        [row] = upload_rows(app)
        assert client.post(self.remove_url(draft, row.id)).status_code == 400
        assert len(upload_rows(app)) == 1

    def test_another_organisation_cannot_remove_a_file(self, app, client, people, draft):
        upload(client, draft, minimal_pdf(), "plan.pdf")
        [row] = upload_rows(app)
        login(client, people.other_applicant)
        assert post(client, self.remove_url(draft, row.id), {}).status_code == 404
        assert len(upload_rows(app)) == 1

    def test_an_unknown_file_is_404(self, client, draft):
        assert post(client, self.remove_url(draft, "00000000-0000-4000-8000-000000000009"), {}).status_code == 404


class TestChosenFileKept:
    def test_a_chosen_file_is_kept_when_another_answer_on_the_step_is_refused(self, app, client, draft):
        answers = {"commissioning_authority": "", "commission_decision": (BytesIO(minimal_pdf()), "besluit.pdf")}
        response = post_files(client, draft, "public_commission", answers)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "Opdrachtgevende overheid – Vul dit veld in." in page
        assert re.search(r"Gekozen:.*besluit\.pdf.*blijft bewaard", page, re.S)
        [kept] = staged_ids(page, "commission_decision")
        assert "commission_decision" not in answers_of(app, draft)  # chosen, not yet an answer
        response = post_files(
            client,
            draft,
            "public_commission",
            {"commissioning_authority": "Stad Gent", "staged-commission_decision": kept},
        )
        assert response.status_code == 302
        [ref] = answers_of(app, draft)["commission_decision"]
        assert (ref["upload_id"], ref["filename"]) == (kept, "besluit.pdf")
        assert len(upload_rows(app)) == 1

    def test_a_kept_file_satisfies_a_required_upload(self, app, client, people):
        login(client, people.applicant)
        draft = start_application(client, "childcare")
        url = f"/applications/{draft}/steps/lok_advice"
        page = post(
            client,
            url,
            {"lok_advice": (BytesIO(minimal_pdf()), "advies.pdf"), "lok_advice_date": "morgen"},
            content_type="multipart/form-data",
        ).get_data(as_text=True)
        assert "Vul een geldige datum in, bijvoorbeeld 15-01-2026." in page
        [kept] = staged_ids(page, "lok_advice")
        response = post(client, url, {"staged-lok_advice": kept, "lok_advice_date": "2026-02-01"})
        assert response.status_code == 302
        assert answers_of(app, draft)["lok_advice"]["filename"] == "advies.pdf"

    def test_a_file_staged_on_another_application_is_not_taken(self, app, client, draft):
        page = post_files(
            client,
            draft,
            "public_commission",
            {"commissioning_authority": "", "commission_decision": (BytesIO(minimal_pdf()), "besluit.pdf")},
        ).get_data(as_text=True)
        [kept] = staged_ids(page, "commission_decision")
        other = start_application(client)
        response = post_files(
            client,
            other,
            "public_commission",
            {**WITHOUT_DECISION, "staged-commission_decision": kept},
        )
        assert response.status_code == 302
        assert "commission_decision" not in answers_of(app, other)
        assert "commission_decision" not in answers_of(app, draft)

    def test_a_file_staged_by_a_colleague_is_not_taken(self, app, client, people, draft):
        page = post_files(
            client,
            draft,
            "public_commission",
            {"commissioning_authority": "", "commission_decision": (BytesIO(minimal_pdf()), "besluit.pdf")},
        ).get_data(as_text=True)
        [kept] = staged_ids(page, "commission_decision")
        login(client, colleague(app, people))
        response = post_files(
            client,
            draft,
            "public_commission",
            {**WITHOUT_DECISION, "staged-commission_decision": kept},
        )
        assert response.status_code == 302
        assert "commission_decision" not in answers_of(app, draft)

    def test_a_file_staged_for_another_field_is_not_taken(self, app, client, draft):
        page = upload(client, draft, b"", "leeg.pdf").get_data(as_text=True)
        files = [(BytesIO(minimal_pdf()), "plan.pdf"), (BytesIO(b""), "leeg.pdf")]
        page = post_files(client, draft, "attachments", {"business_plan": files}).get_data(as_text=True)
        [kept] = staged_ids(page, "business_plan")
        post_files(
            client,
            draft,
            "public_commission",
            {**WITHOUT_DECISION, "staged-commission_decision": kept},
        )
        assert "commission_decision" not in answers_of(app, draft)

    def test_staged_files_never_saved_are_cleaned_up_and_saved_ones_stay(self, app, client, draft):
        from datetime import timedelta

        from ldapply.clock import utcnow
        from ldapply.services.uploads import clean_staged_uploads

        upload(client, draft, minimal_pdf(), "bewaard.pdf")
        post_files(
            client,
            draft,
            "public_commission",
            {"commissioning_authority": "", "commission_decision": (BytesIO(minimal_pdf()), "vergeten.pdf")},
        )
        assert len(upload_rows(app)) == 2
        with app.app_context():
            assert clean_staged_uploads(utcnow() - timedelta(hours=1)) == 0  # too recent: maybe still on the page
            assert clean_staged_uploads(utcnow() + timedelta(seconds=1)) == 1
        assert [row.filename for row in upload_rows(app)] == ["bewaard.pdf"]
        assert [p.name for p in stored_files(app)] == [str(upload_rows(app)[0].id)]


def colleague(app, people):
    """A second member of the applicant's organisation."""
    from types import SimpleNamespace

    from ldapply.models import User
    from ldapply.services import accounts

    with app.app_context():
        organisation = db.session.get(User, people.applicant.id).memberships[0].organisation
        user = accounts.create_user(email="cas@a.be", name="Cas", password=PASSWORD, organisation=organisation)
        db.session.commit()
        return SimpleNamespace(id=user.id, email=user.email, name=user.name)
