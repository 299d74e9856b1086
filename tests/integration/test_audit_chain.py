"""The audit trail's chain: intact after real work and after many appends at once, and `audit-verify`
finding a changed entry, a deleted one and a cut-off tail; the append-only guard on both backends;
verdicts and signatories recorded with their old and new values."""

from __future__ import annotations

import contextlib
import itertools
import subprocess
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from ldapply.clock import local_date, utcnow
from ldapply.extensions import db
from ldapply.models import Application, AuditEntry, AuditHead, Signatory, User
from ldapply.services import audit, signatories
from ldapply.workflows import get_regime
from tests.support import REASON, act, assess_all, count_statements, login, post, submitted_application
from tests.support_audit import append_entries, change_entry, delete_entries, text_of

ROOT = Path(__file__).resolve().parents[2]


def verify_cli(app) -> tuple[int, str]:
    with app.app_context():  # as `flask` gives the command (the real process: tests/system/test_audit_cli.py)
        result = app.test_cli_runner().invoke(args=["ldapply", "audit-verify"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def chain(app) -> list[AuditEntry]:
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        db.session.expunge_all()
    return entries


class TestTheChainCheck:
    def test_an_intact_trail_of_real_work_passes(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        act(client, application_id, "start_admissibility")
        with app.app_context():
            append_entries(20)
        code, output = verify_cli(app)
        assert code == 0, output
        entries = chain(app)
        assert f"audit trail intact: {len(entries)} entries" in output
        assert {"transition.submit", "transition.start_admissibility"} <= {e.action for e in entries}

    def test_a_changed_entry_is_named(self, app, app_ctx):
        append_entries(30)
        change_entry(17, new={"n": 1700})
        code, output = verify_cli(app)
        assert code == 1
        assert "broken at entry 17" in output
        assert "changed" in output
        assert "16 entries intact before it" in output

    def test_a_changed_hash_is_found_at_the_next_entry(self, app, app_ctx):
        """Rewriting an entry with a fresh hash of its own breaks the link of the entry after it."""
        append_entries(10)
        with app.app_context():
            tampered = db.session.get(AuditEntry, 4)
            tampered_hash = audit.entry_hash(_replaced(tampered, new={"n": 400}))
        change_entry(4, new={"n": 400}, hash=tampered_hash)
        code, output = verify_cli(app)
        assert code == 1
        assert "broken at entry 5" in output
        assert "link" in output

    def test_a_deleted_entry_in_the_middle_names_the_gap(self, app, app_ctx):
        append_entries(30)
        delete_entries(12)
        code, output = verify_cli(app)
        assert code == 1
        assert "broken at entry 12" in output
        assert "entry 12 is missing" in output

    def test_a_deleted_first_entry_is_named(self, app, app_ctx):
        append_entries(5)
        delete_entries(1)
        code, output = verify_cli(app)
        assert code == 1
        assert "entry 1 is missing" in output

    def test_a_cut_off_tail_is_found_by_the_head(self, app, app_ctx):
        append_entries(30)
        delete_entries(29, 30)
        code, output = verify_cli(app)
        assert code == 1
        assert "broken at entry 29" in output
        assert "head records entry 30" in output
        assert "cut off" in output

    def test_the_first_of_two_breaks_is_named(self, app, app_ctx):
        append_entries(30)
        change_entry(25, action="test.changed")
        delete_entries(9)
        code, output = verify_cli(app)
        assert code == 1
        assert "broken at entry 9" in output

    def test_a_lost_head_stops_appends_instead_of_hiding_a_cut(self, app, app_ctx):
        append_entries(3)
        db.session.execute(delete(AuditHead))
        db.session.commit()
        assert verify_cli(app)[0] == 1
        with pytest.raises(RuntimeError, match="audit_head is missing"):
            audit.record("test.after_loss", object_type="test")
        db.session.rollback()

    def test_a_check_with_a_time_budget_says_how_far_it_got_and_goes_on_from_there(self, app, app_ctx):
        append_entries(12_000)
        first = audit.check(seconds=0)  # stops after the first batch
        assert first.broken is None
        assert not first.complete
        assert first.checked == first.last_seq == audit._VERIFY_BATCH
        rest = audit.check(after=first.last_seq)
        assert rest.complete
        assert rest.broken is None
        assert rest.checked == 12_000 - first.checked


def _replaced(entry: AuditEntry, **changes):
    from types import SimpleNamespace

    values = {c.key: getattr(entry, c.key) for c in AuditEntry.__table__.columns}
    return SimpleNamespace(**{**values, **changes})


class TestTheAppendOnlyGuard:
    """The application's database role cannot UPDATE or DELETE audit rows: the triggers refuse it for every
    role on both backends (docs/operations.md adds the grants for PostgreSQL in production)."""

    def test_an_update_of_an_entry_is_refused(self, app, app_ctx):
        append_entries(3)
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(action="test.changed"))
        db.session.rollback()
        assert db.session.get(AuditEntry, 2).action == "test.entry"

    def test_a_delete_of_an_entry_is_refused(self, app, app_ctx):
        append_entries(3)
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
        db.session.rollback()
        assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)) == 3

    def test_the_orm_cannot_change_an_entry_either(self, app, app_ctx):
        seq = audit.record("test.once", object_type="test", new={"n": 1}, actor=None)
        db.session.commit()
        entry = db.session.get(AuditEntry, seq)
        entry.new = {"n": 2}
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.commit()
        db.session.rollback()
        assert verify_cli(app)[0] == 0


class TestManyAppendsAtOnce:
    THREADS, EACH = 8, 25

    def test_the_chain_stays_one_line_when_threads_append_together(self, app):
        with app.app_context():
            before = append_entries(1)  # the head exists: every thread appends after it
        barrier = threading.Barrier(self.THREADS)
        failures: list[BaseException] = []

        def appender(number: int) -> None:
            try:
                with app.app_context():  # each its own session and connection, as a request has
                    barrier.wait(10)
                    for i in range(self.EACH):
                        audit.record("test.concurrent", object_type="test", object_id=f"{number}-{i}", actor=None)
                        db.session.commit()
            except BaseException as failure:
                failures.append(failure)

        threads = [threading.Thread(target=appender, args=(n,)) for n in range(self.THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not failures, failures  # no "database is locked", no duplicate number
        entries = chain(app)
        total = before + self.THREADS * self.EACH
        assert [e.seq for e in entries] == list(range(1, total + 1))  # every number once, no fork
        assert all(e.prev_hash == p.hash for p, e in itertools.pairwise(entries))
        assert len({e.object_id for e in entries if e.action == "test.concurrent"}) == self.THREADS * self.EACH
        code, output = verify_cli(app)
        assert code == 0
        assert f"intact: {total} entries" in output


class TestVerdictsAreAudited:
    def test_a_verdict_overwritten_in_place_keeps_its_history(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        for action in ("start_admissibility", "accept_for_review"):
            assert act(client, application_id, action).status_code == 302
        code = get_regime("general").conditions[0].code
        assert assess_all(client, application_id, [code]).status_code == 302
        changed = {
            f"verdict-{code}": "not_met",
            f"reason-{code}": REASON,
            f"note-{code}": "Navragen bij de inspectie.",
        }
        assert post(client, f"/backoffice/applications/{application_id}/assessment", changed).status_code == 302
        assert assess_all(client, application_id, [code], met=False).status_code == 302  # the note goes again
        with app.app_context():
            entries = list(
                db.session.scalars(
                    select(AuditEntry).where(AuditEntry.action == "verdict.recorded").order_by(AuditEntry.seq)
                )
            )
            reviewer = db.session.get(User, people.reviewer.id)
            assert [(e.object_id, e.application_id) for e in entries] == [(code, application_id)] * 3
            assert entries[0].old is None
            assert entries[0].new == {"verdict": "met", "reason": REASON, "note": None}
            assert entries[1].old == entries[0].new
            assert entries[1].new == {"verdict": "not_met", "reason": REASON, "note": "Navragen bij de inspectie."}
            assert entries[2].old == entries[1].new
            assert entries[2].new["note"] is None
            assert {e.actor_id for e in entries} == {reviewer.id}
            assert all(e.request_id for e in entries)

    def test_saving_the_same_verdicts_again_records_nothing(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        for action in ("start_admissibility", "accept_for_review"):
            act(client, application_id, action)
        code = get_regime("general").conditions[0].code
        assess_all(client, application_id, [code])
        assess_all(client, application_id, [code])
        with app.app_context():
            count = db.session.scalar(
                select(db.func.count()).select_from(AuditEntry).where(AuditEntry.action == "verdict.recorded")
            )
        assert count == 1


class TestSignatoriesAreAudited:
    def test_adding_and_toggling_a_signatory_is_recorded(self, app, people):
        with app.app_context():
            admin = db.session.get(User, people.admin.id)
            entry = db.session.scalar(select(Signatory).where(Signatory.user_id == people.decision_maker.id))
            signatories.set_active(actor=admin, signatory_id=entry.id, active=False)
            signatories.set_active(actor=admin, signatory_id=entry.id, active=False)  # no change: no entry
            signatories.set_active(actor=admin, signatory_id=entry.id, active=True)
            found = list(
                db.session.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.object_type == "signatory", AuditEntry.object_id == str(entry.id))
                    .order_by(AuditEntry.seq)
                )
            )
            assert [e.action for e in found] == ["signatory.added", "signatory.deactivated", "signatory.activated"]
            assert found[0].new["function"] == "Afdelingshoofd Sociale Economie"
            assert found[0].new["user_id"] == str(people.decision_maker.id)
            assert found[1].old == {"active": True}
            assert found[1].new["active"] is False
            assert {e.actor_id for e in found} == {admin.id}


class TestTheCasePage:
    def reviewed_case(self, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        for action in ("start_admissibility", "accept_for_review"):
            assert act(client, application_id, action).status_code == 302
        code = get_regime("general").conditions[0].code
        data = {f"verdict-{code}": "not_met", f"reason-{code}": REASON, f"note-{code}": "Intern <b>opletten</b>."}
        assert post(client, f"/backoffice/applications/{application_id}/assessment", data).status_code == 302
        return application_id

    def test_staff_see_who_did_what_when_with_old_and_new_values_and_the_request(self, app, client, people):
        application_id = self.reviewed_case(client, people)
        page = client.get(f"/backoffice/applications/{application_id}/audit")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        shown = text_of(html)
        assert "Auditspoor van dossier" in shown
        assert "Oordeel over een voorwaarde" in shown
        assert "verdict.recorded" in shown
        assert "Intern &lt;b&gt;opletten&lt;/b&gt;." in html  # the internal note, escaped
        assert "Rik" in shown  # the reviewer
        with app.app_context():
            entries = audit.trail_of(application_id)
        assert entries[0].action == "verdict.recorded"  # newest first
        assert html.index(f'id="entry-{entries[0].seq}"') < html.index(f'id="entry-{entries[-1].seq}"')
        assert entries[0].request_id in html.replace("<wbr>", "")  # it may break every 8 characters
        start = next(e for e in entries if e.action == "transition.start_admissibility")
        row = html[html.index(f'id="entry-{start.seq}"') :]
        assert "<del>" in row.split("</tr>")[0]  # the state before, struck through, and the state after
        case_page = client.get(f"/backoffice/applications/{application_id}").get_data(as_text=True)
        assert f'href="/backoffice/applications/{application_id}/audit"' in case_page

    def test_a_long_trail_is_paged_by_number(self, app, client, people):
        application_id = self.reviewed_case(client, people)
        with app.app_context():
            append_entries(70, application_id=application_id)
            newest = audit.trail_of(application_id, limit=200)
        first = client.get(f"/backoffice/applications/{application_id}/audit").get_data(as_text=True)
        assert first.count('id="entry-') == 50
        before = newest[49].seq
        assert f"before={before}" in first
        second = client.get(f"/backoffice/applications/{application_id}/audit?before={before}").get_data(as_text=True)
        assert second.count('id="entry-') == len(newest) - 50
        assert f'id="entry-{newest[50].seq}"' in second
        assert "Nieuwste vermeldingen" in second
        assert "Oudere vermeldingen" not in second

    def test_only_staff_with_the_case_see_it(self, app, client, people):
        application_id = submitted_application(client, people)
        assert client.get(f"/backoffice/applications/{application_id}/audit").status_code == 403  # the applicant
        login(client, people.reviewer)
        assert client.get(f"/backoffice/applications/{uuid.uuid4()}/audit").status_code == 404

    def test_the_page_asks_for_the_conflict_declaration_first(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        client.declares_when_asked = False
        answer = client.get(f"/backoffice/applications/{application_id}/audit")
        assert answer.status_code == 302
        assert "/declaration" in answer.headers["Location"]

    @pytest.mark.parametrize("size", [10, 10_000])
    def test_the_page_costs_the_same_statements_at_10_and_10000_entries(self, app, client, people, size):
        application_id = self.reviewed_case(client, people)
        with app.app_context():
            append_entries(size, application_id=application_id)
            append_entries(size)  # other cases' entries too
        client.get(f"/backoffice/applications/{application_id}/audit")  # warm: the session user cached
        with count_statements(app) as statements:
            assert client.get(f"/backoffice/applications/{application_id}/audit").status_code == 200
        assert len(statements) == CASE_PAGE_STATEMENTS, statements


CASE_PAGE_STATEMENTS = 4  # the user, the case, the declaration, the page of entries
ADMIN_PAGE_STATEMENTS = 4  # the user, the page of entries, their cases, the latest check


class TestTheAdminPage:
    def test_only_admins_see_the_whole_trail(self, app, client, people):
        login(client, people.reviewer)
        assert 'href="/backoffice/audit"' not in client.get("/backoffice/").get_data(as_text=True)
        assert client.get("/backoffice/audit").status_code == 403
        assert post(client, "/backoffice/audit/verify").status_code == 403

    def test_filters_narrow_the_trail(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        act(client, application_id, "start_admissibility")
        with app.app_context():
            append_entries(60)
            reference = db.session.get(Application, application_id).reference
        login(client, people.admin)

        def shown(**query) -> str:
            answer = client.get("/backoffice/audit", query_string=query)
            assert answer.status_code == 200
            return answer.get_data(as_text=True)

        everything = shown()
        assert 'href="/backoffice/audit"' in everything  # in the admin's menu
        assert everything.count('id="entry-') == 50
        by_action = shown(action="transition.")
        assert by_action.count('id="entry-') == 2  # submit, start_admissibility
        assert reference in by_action
        assert shown(actor="rik", action="transition.").count('id="entry-') == 1
        assert shown(object_type="test", object_id="7").count('id="entry-') == 1
        assert shown(reference=reference.lower(), action="transition.").count('id="entry-') == 2
        today = local_date(utcnow())
        assert shown(since=today.isoformat(), until=today.isoformat()).count('id="entry-') == 50
        assert shown(until=(today - timedelta(days=1)).isoformat()).count('id="entry-') == 0
        assert shown(action="test_entry").count('id="entry-') == 0  # a wildcard is a character like any other
        assert shown(action="%").count('id="entry-') == 0

    def test_bad_filters_get_a_clear_message(self, app, client, people):
        login(client, people.admin)
        page = text_of(client.get("/backoffice/audit?since=11-07-2026&reference=NOPE").get_data(as_text=True))
        assert "Geef een datum als 2026-07-11." in page
        assert "Er is geen dossier met referentie NOPE." in page
        late = client.get("/backoffice/audit?since=2026-07-11&until=2026-07-01").get_data(as_text=True)
        assert "De einddatum ligt voor de begindatum." in text_of(late)

    def test_the_filters_stay_on_the_next_page(self, app, client, people):
        with app.app_context():
            append_entries(80)
        login(client, people.admin)
        page = client.get("/backoffice/audit?object_type=test").get_data(as_text=True)
        assert "object_type=test" in page.split("Oudere vermeldingen")[0].rsplit("<a ", 1)[1]

    def test_the_check_runs_from_the_page_says_what_it_checked_and_is_recorded(self, app, client, people):
        with app.app_context():
            append_entries(40)
        login(client, people.admin)
        answer = post(client, "/backoffice/audit/verify")
        assert answer.status_code == 302
        page = text_of(client.get("/backoffice/audit").get_data(as_text=True))
        with app.app_context():
            total = db.session.scalar(select(db.func.count()).select_from(AuditEntry)) - 1
            check = audit.latest_verification()
        assert f"Het auditspoor is intact: {total} vermeldingen gecontroleerd." in page
        assert "Intact" in page
        assert f"{total} vermeldingen gecontroleerd (nummer 1 tot {total})" in page
        assert check.actor_name == "Ada"
        assert check.new["checked"] == total

    def test_the_check_names_a_broken_entry(self, app, client, people):
        with app.app_context():
            append_entries(40)
            change_entry(33, new={"n": 0})
        login(client, people.admin)
        post(client, "/backoffice/audit/verify")
        page = text_of(client.get("/backoffice/audit").get_data(as_text=True))
        assert "Het auditspoor is niet intact" in page
        assert "de inhoud van vermelding 33 klopt niet met haar hash (gewijzigd)" in page

    def test_the_check_needs_the_form_token(self, app, client, people):
        login(client, people.admin)
        assert client.post("/backoffice/audit/verify").status_code in (400, 404)
        with app.app_context():
            assert audit.latest_verification() is None

    @pytest.mark.parametrize("size", [10, 10_000])
    def test_the_page_costs_the_same_statements_at_10_and_10000_entries(self, app, client, people, size):
        application_id = submitted_application(client, people)
        with app.app_context():
            append_entries(size)
            append_entries(size, application_id=application_id)  # the newest: the page shows their case
        login(client, people.admin)
        post(client, "/backoffice/audit/verify")
        client.get("/backoffice/audit")
        with count_statements(app) as statements:
            assert client.get("/backoffice/audit?action=test.").status_code == 200
        assert len(statements) == ADMIN_PAGE_STATEMENTS, statements


class TestTheProductionRoles:
    """scripts/db-roles.sql, run as docs/operations.md says, leaves the app's role able to read and append
    to the trail and unable to change, remove or truncate it (PostgreSQL); on SQLite the triggers alone
    guard it (TestTheAppendOnlyGuard)."""

    def test_the_app_role_appends_but_never_changes_or_removes_audit_rows(self, app, backend, app_ctx):
        append_entries(3)
        if db.engine.dialect.name != "postgresql":
            names = set(db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
            assert {"audit_entries_no_update", "audit_entries_no_delete"} <= names
            return
        with production_roles(backend) as app_url:
            engine = create_engine(app_url)
            try:
                refused = [sql for sql in REFUSED if not _allowed(engine, sql)]
                allowed = [sql for sql in ALLOWED if _allowed(engine, sql)]
            finally:
                engine.dispose()
        assert refused == REFUSED
        assert allowed == ALLOWED


REFUSED = [
    "UPDATE audit_entries SET action = action",
    "DELETE FROM audit_entries",
    "TRUNCATE audit_entries",
    "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only",
    "DELETE FROM audit_head",
    "TRUNCATE audit_head",
    "TRUNCATE applications",
    "CREATE TABLE audit_copy (seq bigint)",
]
ALLOWED = [
    "SELECT count(*) FROM audit_entries",
    "INSERT INTO audit_entries (seq, created_at, action, object_type, prev_hash, hash) "
    "VALUES (1000, now(), 'test.insert', 'test', 'x', 'y')",
    "UPDATE audit_head SET seq = seq",
    "UPDATE applications SET state = state",
    "DELETE FROM conflict_declarations WHERE false",
]


def _allowed(engine, sql: str) -> bool:
    """Whether the role may run `sql` (always rolled back); only a privilege refusal counts as 'no'."""
    with engine.connect() as connection:
        try:
            connection.execute(text(sql))
        except DBAPIError as refusal:
            if "permission denied" in str(refusal) or "must be owner" in str(refusal):
                return False
            raise
        finally:
            connection.rollback()
    return True


@contextlib.contextmanager
def production_roles(backend):
    """The roles of scripts/db-roles.sql under names of this run (roles are the cluster's, not the
    database's), made with psql as operations.md says; yields the app role's URL; dropped after."""
    suffix = uuid.uuid4().hex[:8]
    owner, app_role = f"ldapply_owner_{suffix}", f"ldapply_app_{suffix}"
    script = (ROOT / "scripts" / "db-roles.sql").read_text()
    script = script.replace("ldapply_owner", owner).replace("ldapply_app", app_role)
    admin_url = make_url(backend.database_url).set(drivername="postgresql")
    psql = ["psql", admin_url.render_as_string(hide_password=False), "-v", "ON_ERROR_STOP=1", "-q"]
    _run([*psql, "-c", script])
    _run([*psql, "-c", f"ALTER ROLE {app_role} PASSWORD 'app-{suffix}'"])
    try:
        yield make_url(backend.database_url).set(username=app_role, password=f"app-{suffix}")
    finally:
        drops = [f"DROP OWNED BY {app_role}", f"DROP OWNED BY {owner}", f"DROP ROLE {app_role}", f"DROP ROLE {owner}"]
        _run([*psql, *(part for sql in drops for part in ("-c", sql))])  # one by one: PostgreSQL needs it


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
