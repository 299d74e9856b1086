"""The register of recognitions as CSV and XLSX: its content, its scope per regime, the audit entry of every
export, and cells that would run as formulas in a spreadsheet written as text (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from ldapply.extensions import db
from ldapply.models import AuditEntry, BulkJob
from ldapply.services import bulk, exports
from ldapply.workflows import REGIMES
from ldapply.workflows._spec import Role
from tests.support import PASSWORD, count_statements, login, post
from tests.support_reports import case, grant_role, granted, organisation

EVIL_NAMES = ['=HYPERLINK("http://evil","x")', "+1", "-1", "@SUM(1)", "\tTab vzw", "\rCR vzw"]
DECIDED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def register(app, people):
    """Recognitions under two regimes (some of organisations named like formulas), and cases that are none."""
    with app.app_context():
        made = {}
        for number, name in enumerate(EVIL_NAMES, 1):
            org = organisation(name)
            made[name] = case(org, people.applicant.id, state="granted", reference=f"LDE-2026-E{number:04d}")
            granted(made[name], people.decision_maker.id, volume=Decimal("6.50"), settled_at=DECIDED)
        brug = organisation("Buurtwerk Het Anker vzw", "0417497106")
        made["active"] = case(
            brug, people.applicant.id, state="active", reference="LDE-2026-A0001", ends_on=date(2031, 3, 1)
        )
        granted(made["active"], people.decision_maker.id, volume=Decimal(12), settled_at=DECIDED)
        made["suspended"] = case(
            brug, people.applicant.id, state="suspended", reference="LDE-2026-A0002", requested_volume=Decimal(8)
        )
        granted(made["suspended"], people.decision_maker.id, volume=None, settled_at=DECIDED)
        made["revoked"] = case(brug, people.applicant.id, state="revoked", reference="LDE-2026-A0003")
        made["in_review"] = case(brug, people.applicant.id, state="substantive_review", reference="LDE-2026-A0004")
        made["refused"] = case(brug, people.applicant.id, state="refused", reference="LDE-2026-A0005")
        made["caretakers"] = case(
            brug, people.applicant.id, regime="caretakers", state="granted", reference="LDE-2026-C0001"
        )
        db.session.commit()
    return made


def _export(client, fmt: str, regime: str = ""):
    return post(client, "/backoffice/register/export", {"format": fmt, "regime": regime})


def _csv_rows(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode()), "no byte-order mark: Excel would misread the accents"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_the_register_as_csv_lists_every_recognition_with_its_dates_and_volume(app, client, people, register):
    login(client, people.reviewer)
    response = _export(client, "csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = _csv_rows(response)
    assert header == [
        "Referentie",
        "Organisatie",
        "KBO-nummer",
        "Regeling",
        "Status",
        "Volume toegekend",
        "Eenheid",
        "Begindatum",
        "Einddatum",
        "Beslissingsdatum",
    ]
    by_reference = {row[0]: row for row in rows}
    # Granted, active, suspended and revoked are recognitions (of both regimes); review and refusal are not.
    assert set(by_reference) == {f"LDE-2026-E{n:04d}" for n in range(1, 7)} | {
        "LDE-2026-A0001",
        "LDE-2026-A0002",
        "LDE-2026-A0003",
        "LDE-2026-C0001",
    }
    assert [row[0] for row in rows] == sorted(by_reference), "the register is in the order of its references"
    active = by_reference["LDE-2026-A0001"]
    assert active[1:5] == ["Buurtwerk Het Anker vzw", "0417.497.106", REGIMES["general"].title.nl, "Erkenning actief"]
    assert active[5:] == ["12", "VTE", "2026-03-02", "2031-03-01", "2026-03-02"]
    assert by_reference["LDE-2026-E0001"][5] == "6,5", "a decimal comma, as Belgian Excel reads numbers"
    assert by_reference["LDE-2026-A0002"][5:7] == ["8", "VTE"], "a grant naming no volume gives what was asked"
    assert by_reference["LDE-2026-A0003"][5:] == ["", "", "", "", ""], "nothing known, nothing made up"
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "export.csv"))
        assert entry is not None
        assert entry.actor_id == people.reviewer.id
        assert entry.new["count"] == 10
        assert entry.new["filter"] == {"register": list(REGIMES)}


def test_csv_cells_that_would_be_formulas_start_with_an_apostrophe(client, people, register):
    login(client, people.reviewer)
    _header, *rows = _csv_rows(_export(client, "csv"))
    names = {row[0]: row[1] for row in rows}
    assert names["LDE-2026-E0001"] == '\'=HYPERLINK("http://evil","x")'
    assert names["LDE-2026-E0002"] == "'+1"
    assert names["LDE-2026-E0003"] == "'-1"
    assert names["LDE-2026-E0004"] == "'@SUM(1)"
    assert names["LDE-2026-E0005"] == "'\tTab vzw"
    assert names["LDE-2026-E0006"] == "'\rCR vzw"
    assert names["LDE-2026-A0001"] == "Buurtwerk Het Anker vzw", "ordinary text stays as it is"


def test_the_register_as_xlsx_reads_back_with_formulas_neutralised(app, client, people, register):
    login(client, people.reviewer)
    response = _export(client, "xlsx")
    assert response.status_code == 200
    assert response.mimetype == exports.XLSX_MIMETYPE
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]][:3] == ["Referentie", "Organisatie", "KBO-nummer"]
    cells = {row[0].value: row for row in rows[1:]}
    evil = cells["LDE-2026-E0001"][1]
    assert evil.value == '\'=HYPERLINK("http://evil","x")'
    assert evil.data_type == "s", "text, not a formula"
    for reference, shown in (("LDE-2026-E0002", "'+1"), ("LDE-2026-E0003", "'-1"), ("LDE-2026-E0004", "'@SUM(1)")):
        assert cells[reference][1].value == shown
        assert cells[reference][1].data_type == "s"
    active = cells["LDE-2026-A0001"]
    assert active[5].value == 12, "volumes are numbers a spreadsheet can add up"
    assert active[7].value.date() == date(2026, 3, 2)
    assert active[8].value.date() == date(2031, 3, 1)
    assert active[7].number_format == "yyyy-mm-dd"
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "export.xlsx"))
        assert entry is not None
        assert entry.new["count"] == 10


def _staff(app, email: str, role: str, regime: str | None) -> SimpleNamespace:
    """A member of staff with one grant, for one regime (or all with None)."""
    from ldapply.services import accounts

    with app.app_context():
        user = accounts.create_user(email=email, name=email.split("@")[0], password=PASSWORD)
        made = SimpleNamespace(id=user.id, email=user.email)
        db.session.commit()
        grant_role(made.id, role, regime)
    return made


def test_the_register_is_scoped_to_the_regimes_the_user_works_under(app, client, people, register):
    login(client, _staff(app, "carer@vo.be", Role.REVIEWER, "caretakers"))
    _header, *rows = _csv_rows(_export(client, "csv"))
    assert [row[0] for row in rows] == ["LDE-2026-C0001"]
    assert _export(client, "csv", regime="general").status_code == 403
    page = client.get("/backoffice/register").get_data(as_text=True)
    assert '<option value="caretakers">' in page
    assert '<option value="general">' not in page


def test_advisors_and_applicants_cannot_export_the_register(app, client, people, register):
    login(client, _staff(app, "kg@advies.be", Role.ADVISOR, None))
    page = client.get("/backoffice/register")  # an advisor is sent to the advice asked of their body
    assert page.status_code in (302, 403)
    assert "/backoffice/register" not in page.headers.get("Location", "")
    assert _export(client, "csv").status_code == 403
    login(client, people.applicant)
    assert _export(client, "xlsx").status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action.like("export.%"))) is None


def test_a_register_larger_than_the_inline_limit_is_made_by_a_bulk_job(app, client, people, register, monkeypatch):
    monkeypatch.setattr(exports, "INLINE_LIMIT", 3)
    login(client, people.reviewer)
    response = _export(client, "xlsx", regime="general")
    assert response.status_code == 302
    job_url = response.headers["Location"]
    assert "/backoffice/bulk/" in job_url
    with app.app_context():
        job = db.session.scalar(db.select(BulkJob))
        assert job.status == "pending"
        assert job.options["regimes"] == ["general"]
        assert job.options["total"] == 9
        bulk.run_job(job.id)
    finished = client.get(job_url)
    assert "Refresh" not in finished.headers
    page = finished.get_data(as_text=True)
    assert "9 van 9 verwerkt" in page
    download = client.get(job_url + "/download")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.get_data())).active
    assert sheet.max_row == 10  # the header and the nine recognitions under the general regime
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "export.xlsx"))
        assert entry.new["count"] == 9
        assert entry.new["filter"]["register"] == ["general"]


def test_the_register_page_costs_the_same_statements_whatever_its_size(app, client, people, register):
    login(client, people.reviewer)
    with count_statements(app) as few:
        assert client.get("/backoffice/register").status_code == 200
    with app.app_context():
        org = organisation("Nog een vzw")
        for number in range(40):
            case(org, people.applicant.id, state="active", reference=f"LDE-2026-M{number:04d}")
        db.session.commit()
    with count_statements(app) as many:
        assert client.get("/backoffice/register").status_code == 200
    assert len(many) == len(few) <= 6


def test_an_unknown_format_is_refused_with_a_message(client, people, register):
    login(client, people.reviewer)
    response = _export(client, "pdf")
    assert response.status_code == 302
    assert "Kies CSV of XLSX." in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    ("text", "written"),
    [("=1+1", "'=1+1"), ("+32 2 553 00 00", "'+32 2 553 00 00"), ("-", "'-"), ("@x", "'@x"), ("a=b", "a=b"), ("", "")],
)
def test_neutralise(text, written):
    assert exports.neutralise(text) == written
