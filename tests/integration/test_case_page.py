"""The case page: each condition with the answers it rests on, uploads opened inline where the browser can,
every staff view and download in the audit trail, the advice moves left to the advice part, and a page
whose cost stays the same at 10 and at 10,000 events and letters."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Flask
from sqlalchemy import event, select

from ldapply.extensions import db
from ldapply.models import Letter, Upload
from ldapply.tasks import render_letter
from ldapply.views.backoffice import file_response
from ldapply.workflows import get_regime
from tests.support import STEP_ANSWERS, act, count_statements, login
from tests.support_case_work import add_history, audit_of, case_in_review, case_url, open_case

PAGE_BYTES_LIMIT = 200_000


def page_text(response: Any) -> str:
    return response.get_data(as_text=True)


def condition_block(page: str, code: str) -> str:
    return page.split(f'id="condition-{code}"', 1)[1].split('<div class="condition"', 1)[0]


class TestChecklistAnswers:
    def test_each_condition_shows_the_answers_it_rests_on_and_its_finding(self, app, client, people):
        application_id = case_in_review(client, people)
        assert act(client, application_id, "accept_for_review").status_code == 302
        page = page_text(open_case(client, application_id, "/assessment"))
        regime = get_regime("general")
        for condition in regime.conditions:
            block = condition_block(page, condition.code)
            assert "Vaststelling uit de aanvraag:" in block
            for name in condition.fields:
                field = regime.field(name)
                assert field.label.nl in block, (condition.code, name)
        target = condition_block(page, "target_group")
        fte = str(STEP_ANSWERS["staffing"]["target_group_fte"]).replace(".", ",")
        assert fte in target
        answers_of_step = f"/backoffice/applications/{application_id}/answers#answers-staffing"
        assert f'href="{answers_of_step}"' in target
        assert 'id="answers-staffing"' in page_text(open_case(client, application_id, "/answers"))  # the whole step


class TestFiles:
    def test_a_pdf_upload_opens_inline_sandboxed_and_the_download_is_audited(self, app, client, people):
        application_id = case_in_review(client, people)
        with app.app_context():
            upload = db.session.scalar(select(Upload).where(Upload.application_id == application_id).limit(1))
            upload_id, filename = upload.id, upload.filename
        response = open_case(client, application_id, f"/uploads/{upload_id}")
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"] == f"inline; filename={filename}"
        assert response.headers["Content-Security-Policy"] == "sandbox"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        [entry] = audit_of(app, application_id, "upload.downloaded")
        assert entry.object_id == str(upload_id)
        assert entry.actor_id == people.reviewer.id
        assert entry.new == {"filename": filename, "inline": True}

    def test_other_kinds_download_and_names_are_safe(self, app):
        with app.test_request_context():
            docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            response = file_response(b"PK\x03\x04", "plan \u201cdefinitief\u201d.docx", docx)
            image = file_response(b"\x89PNG\r\n\x1a\n", "foto.png", "image/png")
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "filename*=UTF-8''plan%20%E2%80%9Cdefinitief%E2%80%9D.docx" in response.headers["Content-Disposition"]
        assert response.headers["Content-Security-Policy"] == "sandbox"
        assert image.headers["Content-Disposition"] == "inline; filename=foto.png"

    def test_a_letter_opens_inline_and_its_download_is_audited(self, app, client, people):
        application_id = case_in_review(client, people)
        with app.app_context():
            letter_id = db.session.scalar(select(Letter.id).where(Letter.application_id == application_id))
            render_letter.run(str(letter_id))
        response = open_case(client, application_id, f"/letters/{letter_id}")
        assert response.status_code == 200
        assert response.data.startswith(b"%PDF")
        assert response.headers["Content-Disposition"].startswith("inline;")
        assert response.headers["Content-Security-Policy"] == "sandbox"
        [entry] = audit_of(app, application_id, "letter.downloaded")
        assert entry.object_id == str(letter_id)
        assert entry.new == {"letter_kind": "receipt"}

    def test_the_applicant_cannot_open_a_file_through_the_back_office(self, app, client, people):
        application_id = case_in_review(client, people)
        with app.app_context():
            upload_id = db.session.scalar(select(Upload.id).where(Upload.application_id == application_id).limit(1))
        login(client, people.applicant)
        assert client.get(case_url(application_id, f"/uploads/{upload_id}")).status_code in (403, 404)
        assert audit_of(app, application_id, "upload.downloaded") == []


class TestViewsAudited:
    def test_every_view_of_the_case_page_is_one_audit_entry_with_the_request_id(self, app, client, people):
        application_id = case_in_review(client, people)
        before = len(audit_of(app, application_id, "case.viewed"))
        first = open_case(client, application_id)
        client.get(case_url(application_id), headers={"X-Request-ID": "req-case-42"})
        entries = audit_of(app, application_id, "case.viewed")[before:]
        assert len(entries) == 2
        assert [e.new for e in entries] == [{"page": "case"}, {"page": "case"}]
        assert entries[0].request_id == first.headers["X-Request-ID"]
        assert entries[1].request_id == "req-case-42"
        assert all(e.actor_id == people.reviewer.id for e in entries)

    def test_the_confirmation_page_is_a_view_too(self, app, client, people):
        application_id = case_in_review(client, people)
        response = open_case(client, application_id, "/actions/request_additions/confirm")
        entries = [e.new for e in audit_of(app, application_id, "case.viewed")]
        if response.status_code == 200:
            assert {"page": "confirm", "action": "request_additions"} in entries
        else:  # not an irreversible move: refused, the case page shown instead
            assert {"page": "case"} in entries


class TestGenericActions:
    def test_the_advice_moves_are_left_to_the_advice_part(self, app, client, people):
        application_id = case_in_review(client, people)
        assert act(client, application_id, "accept_for_review").status_code == 302
        page = page_text(open_case(client, application_id))
        actions = page.split('id="actions-title"', 1)[1].split("</section>", 1)[0]
        assert 'id="action-request_advice"' not in actions
        assert 'id="action-request_additions"' in actions  # the other moves of the review stay
        response = act(client, application_id, "request_advice", "Advies van het lokaal forum.")
        assert response.status_code == 404


def statement_count_and_size(
    app: Flask, client: Any, application_id: uuid.UUID, tab: str = ""
) -> tuple[int, int, list[str]]:
    client.get(case_url(application_id, tab))  # warm: declared, the session's user cached
    with count_statements(app) as statements:
        response = client.get(case_url(application_id, tab))
    assert response.status_code == 200, page_text(response)[:2000]
    return len(statements), len(response.data), list(statements)


def older_pages_cost(app: Flask, client: Any, application_id: uuid.UUID) -> list[int]:
    """The statements of the second page of the timeline, the notes and the letters."""
    counts = []
    for part in ("timeline", "notes", "letters"):
        page = page_text(client.get(case_url(application_id, f"/{part}")))
        older = re.search(rf'href="([^"]*/{part}\?before=[^"]+)"', page)
        assert older, part
        with count_statements(app) as statements:
            response = client.get(older.group(1).replace("&amp;", "&"))
        assert response.status_code == 200
        assert len(response.data) < PAGE_BYTES_LIMIT
        counts.append(len(statements))
    return counts


TABS = ("", "/assessment", "/answers", "/timeline", "/notes", "/letters")  # the overview and the case's other tabs


def timeline_plan(app: Flask, client: Any, application_id: uuid.UUID) -> str:
    """How the database reads the timeline's audit entries: the plan of the statement the tab sends."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if "FROM audit_entries" in statement:
            sent.append((statement, parameters))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(case_url(application_id, "/timeline")).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        [(statement, parameters)] = sent
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET enable_seqscan = off")  # small test tables: is the index usable?
                explain = "EXPLAIN "
            else:
                explain = "EXPLAIN QUERY PLAN "
            rows = connection.exec_driver_sql(explain + statement, parameters).all()
    return "\n".join(" ".join(str(part) for part in row) for row in rows)


class TestTimelineIndex:
    def test_the_views_of_a_much_read_case_are_not_walked_by_its_timeline(self, app, client, people):
        """Views are most of a case's trail and never on its timeline: the tab reads the partial index of the
        entries it shows (models.TIMELINE_ENTRY), not every entry of the case."""
        application_id = case_in_review(client, people)
        for _ in range(30):
            open_case(client, application_id)
        assert "ix_audit_entries_timeline" in timeline_plan(app, client, application_id)


class TestBounded:
    def test_the_page_costs_the_same_at_ten_and_at_ten_thousand_events_and_letters(self, app, client, people):
        application_id = case_in_review(client, people)
        assert act(client, application_id, "accept_for_review").status_code == 302
        open_case(client, application_id)
        add_history(app, application_id, 10)
        small = {tab: statement_count_and_size(app, client, application_id, tab) for tab in TABS}
        add_history(app, application_id, 9_990)
        for tab in TABS:
            count, size, sql = statement_count_and_size(app, client, application_id, tab)
            assert count == small[tab][0], (tab, "\n".join(s for s in sql if s not in small[tab][2]))
            assert count <= 25, (tab, "\n---\n".join(sql))
            assert size < PAGE_BYTES_LIMIT, tab
        timeline = page_text(client.get(case_url(application_id, "/timeline")))
        assert len(re.findall(r"Stap \d+ in een lang dossier", timeline)) <= 50
        assert "Oudere gebeurtenissen" in timeline
        assert "Oudere brieven" in page_text(client.get(case_url(application_id)))
        assert "Oudere notities" in page_text(client.get(case_url(application_id, "/notes")))
        assert max(older_pages_cost(app, client, application_id)) <= 25  # a page further back costs no more
