"""The back office's queue: scoped to the user's regimes, filtered, searched, sorted and paged by keyset,
with a capped count and a bounded number of SQL statements whatever the number of cases."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import event, text

from ldapply.clock import utcnow
from ldapply.extensions import db
from ldapply.models import Call, Organisation, User
from ldapply.services import accounts, calls
from ldapply.services import queue as queues
from ldapply.services.queue import COUNT_CAP, PAGE_SIZE, today
from tests.support import PASSWORD, count_statements, login
from tests.support_queue import case_row, grant, insert_cases, organisation

CASE_LINK = re.compile(r'href="/backoffice/applications/([0-9a-f-]{36})"')
NEXT_LINK = re.compile(r'<a href="([^"]+)" rel="next">')
PREVIOUS_LINK = re.compile(r'<a href="([^"]+)" rel="prev">')


@dataclass(frozen=True)
class Staff:
    id: uuid.UUID
    email: str
    name: str


def staff_member(app: Any, email: str, name: str, *grants: tuple[str, str | None]) -> Staff:
    with app.app_context():
        user = accounts.create_user(email=email, name=name, password=PASSWORD)
        db.session.commit()
        made = Staff(user.id, user.email, user.name)
    for role, regime in grants:
        grant(app, made.id, role, regime)
    return made


def shown(client: Any, path: str) -> list[str]:
    """The case ids a queue page lists, in order."""
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return CASE_LINK.findall(response.get_data(as_text=True))


def walk(client: Any, path: str) -> tuple[list[str], list[str]]:
    """Every page from `path` on by its "next" links: the case ids in order, and the page urls."""
    ids: list[str] = []
    urls = [path]
    while True:
        page = client.get(urls[-1]).get_data(as_text=True)
        ids += CASE_LINK.findall(page)
        following = NEXT_LINK.search(page)
        if following is None:
            return ids, urls
        urls.append(following.group(1).replace("&amp;", "&"))


@pytest.fixture
def org(app: Any, people: Any) -> uuid.UUID:
    """The applicant's organisation, Buurtwerk De Brug vzw (0403.170.701)."""
    with app.app_context():
        return db.session.scalar(db.select(Organisation.id).where(Organisation.enterprise_number == "0403170701"))


def call_of(app: Any, regime: str) -> uuid.UUID:
    with app.app_context():
        return db.session.scalar(db.select(Call.id).where(Call.regime_code == regime))


class TestScope:
    def test_a_reviewer_of_one_regime_sees_only_that_regimes_cases(self, app, client, people, org):
        general = case_row(org, people.applicant.id, regime="general")
        childcare = case_row(org, people.applicant.id, regime="childcare")
        insert_cases(app, [general, childcare])
        only_general = staff_member(app, "h1-general@vo.be", "Gwen", ("reviewer", "general"))
        login(client, only_general)
        assert shown(client, "/backoffice/?move=all") == [str(general["id"])]
        everywhere = app.test_client()
        login(everywhere, people.reviewer)  # a grant for every regime
        assert set(shown(everywhere, "/backoffice/?move=all")) == {str(general["id"]), str(childcare["id"])}

    def test_an_advisor_only_user_sees_no_case_in_the_queue(self, app, people, org):
        insert_cases(app, [case_row(org, people.applicant.id)])
        advisor = staff_member(app, "h1-advisor@kg.be", "Ans", ("advisor", None))
        with app.app_context():
            user = db.session.get(User, advisor.id)
            assert queues.page(user, queues.Filters(move=queues.EVERYONE)).rows == []

    def test_drafts_never_reach_the_queue(self, app, client, people, org):
        draft = case_row(org, people.applicant.id, state="draft")
        draft["submitted_at"] = None
        insert_cases(app, [draft])
        login(client, people.reviewer)
        assert shown(client, "/backoffice/?move=all") == []

    def test_my_move_follows_my_role_in_each_regime(self, app, client, people, org):
        """Reviewer under the general regime, decision maker under childcare: 'mine' is each regime's own."""
        rows = {
            (regime, state): case_row(org, people.applicant.id, regime=regime, state=state)
            for regime in ("general", "childcare")
            for state in ("submitted", "decision_proposed")
        }
        insert_cases(app, list(rows.values()))
        mixed = staff_member(app, "h1-mixed@vo.be", "Mia", ("reviewer", "general"), ("decision_maker", "childcare"))
        login(client, mixed)
        assert set(shown(client, "/backoffice/")) == {
            str(rows["general", "submitted"]["id"]),
            str(rows["childcare", "decision_proposed"]["id"]),
        }
        assert set(shown(client, "/backoffice/?move=decision_maker")) == {  # a chosen party, wherever it is
            str(rows["general", "decision_proposed"]["id"]),
            str(rows["childcare", "decision_proposed"]["id"]),
        }


class TestFilters:
    def test_each_filter_narrows_the_queue_and_the_form_keeps_its_values(self, app, client, people, org):
        day = today()
        call_id = call_of(app, "general")
        rows = {
            "overdue": case_row(org, people.applicant.id, due_on=day - timedelta(days=1)),
            "soon": case_row(org, people.applicant.id, due_on=day + timedelta(days=7), assignee_id=people.reviewer.id),
            "later": case_row(org, people.applicant.id, due_on=day + timedelta(days=30), call_id=call_id),
            "caretakers": case_row(org, people.applicant.id, regime="caretakers", state="admissibility_check"),
        }
        insert_cases(app, list(rows.values()))
        login(client, people.reviewer)

        def only(query: str) -> set[str]:
            return set(shown(client, f"/backoffice/?{query}" if "move=" in query else f"/backoffice/?move=all&{query}"))

        def ids(*names: str) -> set[str]:
            return {str(rows[name]["id"]) for name in names}

        assert only("due=overdue") == ids("overdue")
        assert only("due=soon") == ids("soon")
        assert only("regime=caretakers") == ids("caretakers")
        assert only("regime=general&state=submitted") == ids("overdue", "soon", "later")
        assert only("state=admissibility_check") == ids("caretakers")
        assert only(f"call={call_id}") == ids("later")
        assert only("assignee=me") == ids("soon")
        assert only(f"assignee={people.reviewer.id}") == ids("soon")
        assert only("assignee=none") == ids("overdue", "later", "caretakers")
        assert only("move=applicant") == set()
        page = client.get(f"/backoffice/?move=all&due=soon&regime=general&call={call_id}").get_data(as_text=True)
        assert '<option value="soon" selected>' in page
        assert '<option value="general" selected>' in page
        assert f'<option value="{call_id}" selected>' in page
        assert '<label class="label" for="queue-due">' in page

    def test_a_value_nobody_can_choose_is_ignored(self, app, client, people, org):
        insert_cases(app, [case_row(org, people.applicant.id)])
        login(client, people.reviewer)
        for query in ("regime=nope", "state=nope", "call=nope", f"call={uuid.uuid4()}", "assignee=x", "due=x"):
            assert len(shown(client, f"/backoffice/?move=all&{query}")) == 1, query

    def test_overdue_cases_are_tagged_and_undated_ones_show_no_date(self, app, client, people, org):
        insert_cases(app, [case_row(org, people.applicant.id, due_on=today() - timedelta(days=2))])
        login(client, people.reviewer)
        page = client.get("/backoffice/?move=all").get_data(as_text=True)
        assert '<span class="tag tag-warn">te laat</span>' in page


class TestFilterMenus:
    """The assignee and call menus are kept by the process (services/memo.py): read once, forgotten by a change
    this process commits to their tables, and re-read after DISPLAY_SECONDS whatever happened elsewhere."""

    @staticmethod
    def menu_statements(app: Any, client: Any) -> tuple[str, int]:
        with count_statements(app) as statements:
            page = client.get("/backoffice/?move=all").get_data(as_text=True)
        return page, len(statements)

    def test_a_new_member_of_staff_and_a_new_call_are_in_the_menus_at_once(self, app, client, people, org):
        login(client, people.reviewer)
        _page, cold = self.menu_statements(app, client)
        page, warm = self.menu_statements(app, client)
        assert warm == cold - 2  # the two menus, each a statement, are not read again
        assert "Nieuwe Collega" not in page
        staff_member(app, "collega@example.be", "Nieuwe Collega", ("reviewer", None))  # a commit: role_grants
        with app.test_request_context(), app.app_context():  # an admin opens a call, as on the calls page
            first_call = db.session.get(Call, call_of(app, "general"))
            calls.open_call(
                actor=db.session.get(User, people.admin.id),
                regime_code="general",
                title="Oproep net gemaakt",
                opens_on=first_call.opens_on,
                closes_on=first_call.closes_on,
                cap=first_call.cap,
                application_types=first_call.application_types,
            )
        page, again = self.menu_statements(app, client)
        assert again == cold
        assert ">Nieuwe Collega</option>" in page
        assert ">Oproep net gemaakt</option>" in page

    def test_a_change_made_elsewhere_shows_after_the_display_time(self, app, client, people, org, monkeypatch):
        login(client, people.reviewer)
        self.menu_statements(app, client)
        with app.app_context(), db.engine.begin() as elsewhere:  # as another process would: not by the session
            users = User.__table__
            elsewhere.execute(users.update().where(users.c.id == people.reviewer.id).values(name="Elders Hernoemd"))
        page, _ = self.menu_statements(app, client)
        assert "Elders Hernoemd</option>" not in page
        later = queues.memo._now() + queues.DISPLAY_SECONDS + 1
        monkeypatch.setattr(queues.memo, "_now", lambda: later)
        page, _ = self.menu_statements(app, client)
        assert "Elders Hernoemd</option>" in page

    def test_a_bulk_job_on_the_filter_reads_the_calls_afresh(self, app, people, org):
        """A menu a little behind shows a little less; a job that dropped an unknown call from its filter would
        act on more cases than the reviewer chose. So the job's filter is checked against the database."""
        with app.app_context():
            reviewer = db.session.get(User, people.reviewer.id)
            scope = queues.scope_of(reviewer)
            assert queues.shown_call_choices(scope) == queues.call_choices(scope)
            with db.engine.begin() as elsewhere:
                elsewhere.execute(Call.__table__.update().values(title="Elders Hernoemd"))
            db.session.rollback()  # as a new request: its own transaction
            assert all(title != "Elders Hernoemd" for _id, title, _r in queues.shown_call_choices(scope))
            assert all(title == "Elders Hernoemd" for _id, title, _r in queues.call_choices(scope))


class TestSearch:
    @pytest.mark.parametrize("notation", ["0403.170.701", "BE0403170701", "be 0403 170 701", "403170701"])
    def test_a_kbo_number_in_any_notation_finds_the_organisations_cases(self, app, client, people, org, notation):
        other = organisation(app, "Andere vzw", "0202239951")
        mine = case_row(org, people.applicant.id)
        insert_cases(app, [mine, case_row(other, people.applicant.id)])
        login(client, people.reviewer)
        assert shown(client, f"/backoffice/?move=all&q={notation}") == [str(mine["id"])]

    def test_a_reference_is_found_exactly_or_by_its_beginning(self, app, client, people, org):
        first = case_row(org, people.applicant.id, reference="LDE-2026-ABC123")
        second = case_row(org, people.applicant.id, reference="LDE-2026-ABD999")
        insert_cases(app, [first, second])
        login(client, people.reviewer)
        assert shown(client, "/backoffice/?move=all&q=LDE-2026-ABC123") == [str(first["id"])]
        assert set(shown(client, "/backoffice/?move=all&q=lde-2026-ab")) == {str(first["id"]), str(second["id"])}
        assert shown(client, "/backoffice/?move=all&q=LDE-2026-ABE") == []

    def test_part_of_a_name_finds_the_organisations_cases_whatever_the_case(self, app, client, people, org):
        other = organisation(app, "Fietsatelier 100% Zuid")
        brug, fiets = case_row(org, people.applicant.id), case_row(other, people.applicant.id)
        insert_cases(app, [brug, fiets])
        login(client, people.reviewer)
        assert shown(client, "/backoffice/?move=all&q=de+BRUG") == [str(brug["id"])]
        assert shown(client, "/backoffice/?move=all&q=100%25") == [str(fiets["id"])]  # % is a character
        assert shown(client, "/backoffice/?move=all&q=_") == []  # and so is _

    def test_a_name_many_organisations_hold_is_searched_by_subquery_with_the_same_result(
        self, app, client, people, org, monkeypatch
    ):
        """Past NAMED_BY_ID matching organisations the search stays a subquery instead of naming them by id."""
        other = organisation(app, "Fietsatelier de Brug-Zuid")
        brug, fiets = case_row(org, people.applicant.id), case_row(other, people.applicant.id)
        insert_cases(app, [brug, fiets])
        login(client, people.reviewer)
        by_id = set(shown(client, "/backoffice/?move=all&q=brug"))
        monkeypatch.setattr(queues, "NAMED_BY_ID", 1)
        queues._named_query.cache_clear()  # its limit is built in
        try:
            assert set(shown(client, "/backoffice/?move=all&q=brug")) == by_id == {str(brug["id"]), str(fiets["id"])}
        finally:
            queues._named_query.cache_clear()

    def test_what_is_searched_is_rendered_escaped(self, app, client, people, org):
        login(client, people.reviewer)
        page = client.get("/backoffice/?move=all&q=<script>x</script>").get_data(as_text=True)
        assert "<script>x" not in page
        assert "&lt;script&gt;x" in page


class TestOrderAndPages:
    def test_due_dates_first_soonest_first_undated_last_ties_by_id(self, app, client, people, org):
        day = today()
        rows = [case_row(org, people.applicant.id, due_on=day + timedelta(days=n % 3)) for n in range(7)]
        rows += [case_row(org, people.applicant.id, due_on=None) for _ in range(3)]
        insert_cases(app, rows)
        login(client, people.reviewer)
        expected = sorted(rows, key=lambda r: (r["due_on"] is None, r["due_on"] or day, r["id"]))
        assert shown(client, "/backoffice/?move=all") == [str(r["id"]) for r in expected]

    def test_by_submission_oldest_first(self, app, client, people, org):
        stamps = [people_time(n) for n in (3, 1, 2)]
        rows = [case_row(org, people.applicant.id, submitted_at=stamp) for stamp in stamps]
        insert_cases(app, rows)
        login(client, people.reviewer)
        expected = sorted(rows, key=lambda r: r["submitted_at"])
        assert shown(client, "/backoffice/?move=all&sort=submitted") == [str(r["id"]) for r in expected]

    @pytest.mark.parametrize("sort", ["due", "submitted"])
    def test_the_pages_hold_every_case_once_in_order_under_ties_and_nulls(self, app, client, people, org, sort):
        day = today()
        same_moment = people_time(5)
        rows = [
            case_row(
                org,
                people.applicant.id,
                due_on=None if n % 4 == 0 else day + timedelta(days=n % 5),
                submitted_at=same_moment if n % 2 else people_time(n % 7),
            )
            for n in range(2 * PAGE_SIZE + 17)
        ]
        insert_cases(app, rows)
        login(client, people.reviewer)
        with offsets(app) as skipped:
            ids, urls = walk(client, f"/backoffice/?move=all&sort={sort}")
        if sort == "due":
            expected = sorted(rows, key=lambda r: (r["due_on"] is None, r["due_on"] or day, r["id"]))
        else:
            expected = sorted(rows, key=lambda r: (r["submitted_at"], r["id"]))
        assert ids == [str(r["id"]) for r in expected]
        assert len(urls) == 3
        assert skipped == []  # keyset: no page skips rows
        last = client.get(urls[-1]).get_data(as_text=True)
        assert "Eerste pagina" in last
        assert f"{len(rows)} aanvragen." in last

    @pytest.mark.parametrize("sort", ["due", "submitted"])
    def test_previous_pages_walk_back_to_the_first_in_the_same_order(self, app, client, people, org, sort):
        """Page 3 begins among the undated cases (due-date sort): backwards crosses from undated to dated ones."""
        day = today()
        same_moment = people_time(5)
        rows = [
            case_row(
                org,
                people.applicant.id,
                due_on=None if n % 4 == 0 else day + timedelta(days=n % 5),
                submitted_at=same_moment if n % 2 else people_time(n % 7),
            )
            for n in range(2 * PAGE_SIZE + 17)
        ]
        insert_cases(app, rows)
        login(client, people.reviewer)
        _ids, urls = walk(client, f"/backoffice/?move=all&sort={sort}")
        forwards = [shown(client, url) for url in urls]
        backwards: list[list[str]] = []
        url: str | None = urls[-1]
        with offsets(app) as skipped:
            while url is not None:
                page = client.get(url).get_data(as_text=True)
                backwards.append(CASE_LINK.findall(page))
                previous = PREVIOUS_LINK.search(page)
                url = previous.group(1).replace("&amp;", "&") if previous else None
        assert list(reversed(backwards)) == forwards
        assert skipped == []
        assert "before=" in client.get(urls[-1]).get_data(as_text=True)
        back_at_first = client.get(
            PREVIOUS_LINK.search(client.get(urls[1]).get_data(as_text=True)).group(1).replace("&amp;", "&")
        ).get_data(as_text=True)
        assert "Eerste pagina" not in back_at_first
        assert 'rel="prev"' not in back_at_first
        assert NEXT_LINK.search(back_at_first).group(1).replace("&amp;", "&") == urls[1]

    def test_a_previous_page_keeps_the_filters(self, app, client, people, org):
        rows = [case_row(org, people.applicant.id, state="submitted") for _ in range(PAGE_SIZE + 1)]
        rows += [case_row(org, people.applicant.id, state="substantive_review") for _ in range(3)]
        insert_cases(app, rows)
        login(client, people.reviewer)
        _ids, urls = walk(client, "/backoffice/?move=all&state=submitted")
        previous = PREVIOUS_LINK.search(client.get(urls[-1]).get_data(as_text=True)).group(1).replace("&amp;", "&")
        assert "state=submitted" in previous
        submitted = {str(r["id"]) for r in rows[: PAGE_SIZE + 1]}
        assert set(shown(client, previous)) <= submitted
        assert len(shown(client, previous)) == PAGE_SIZE

    def test_a_stale_previous_link_shows_the_first_page(self, app, client, people, org):
        rows = [case_row(org, people.applicant.id, due_on=today() + timedelta(days=1)) for _ in range(3)]
        insert_cases(app, rows)
        login(client, people.reviewer)
        first = min(rows, key=lambda r: r["id"])
        before = queues.encode_cursor(SimpleNamespace(**first), queues.BY_DUE)  # nothing sorts before the first
        page = client.get(f"/backoffice/?move=all&before={before}").get_data(as_text=True)
        assert len(CASE_LINK.findall(page)) == 3
        assert 'rel="prev"' not in page
        assert "Eerste pagina" not in page

    def test_a_tampered_cursor_shows_the_first_page(self, app, client, people, org):
        insert_cases(app, [case_row(org, people.applicant.id)])
        login(client, people.reviewer)
        for cursor in ("nonsense", "W10", "eyJhIjoxfQ", "WyJzdWJtaXR0ZWQiLCJ4IiwieSJd"):
            assert len(shown(client, f"/backoffice/?move=all&after={cursor}")) == 1

    def test_each_row_can_be_selected_for_the_bulk_actions(self, app, client, people, org):
        row = case_row(org, people.applicant.id)
        insert_cases(app, [row])
        login(client, people.reviewer)
        page = client.get("/backoffice/?move=all").get_data(as_text=True)
        assert f'<input type="checkbox" name="ids" value="{row["id"]}" form="bulk-form" id="select-{row["id"]}"' in page
        assert f'<label for="select-{row["id"]}" class="visually-hidden">{row["reference"]} selecteren</label>' in page


@contextlib.contextmanager
def offsets(app: Any) -> Iterator[list[Any]]:
    """The OFFSET values sent while the block runs, other than 0 (SQLite's LIMIT always comes with one)."""
    with app.app_context():
        engine = db.engine
    found: list[Any] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        for offset in re.finditer(r"\bOFFSET (\?|%\((\w+)\)s|\d+)", statement, re.IGNORECASE):
            if offset.group(1) == "?":  # positional: the how-manieth placeholder it is
                value = parameters[statement[: offset.start(1)].count("?")]
            else:
                value = parameters[offset.group(2)] if offset.group(2) else offset.group(1)
            if str(value) != "0":
                found.append(value)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", record)


def people_time(days_ago: int) -> Any:
    from ldapply.clock import utcnow

    return utcnow().replace(microsecond=0) - timedelta(days=days_ago)


def explained(connection: Any, query: Any, explain: str, values: dict[str, Any] | None = None) -> str:
    """The plan of `query` as the database would run it, with its parameters bound as they are for real."""

    def prefix(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> tuple[str, Any]:
        return explain + statement, parameters

    event.listen(connection, "before_cursor_execute", prefix, retval=True)
    try:
        return " ".join(str(row) for row in connection.execute(query, values or {}).cursor.fetchall())
    finally:
        event.remove(connection, "before_cursor_execute", prefix)


class TestPlans:
    """The previous page reads the same partial index as the next one, backwards (a btree scans both ways)."""

    @pytest.mark.parametrize(
        ("sort", "index"), [("due", "ix_applications_queue_due"), ("submitted", "ix_applications_queue_submitted")]
    )
    def test_a_previous_page_is_an_index_range_read_backwards(self, app, people, org, sort, index):
        insert_cases(app, [case_row(org, people.applicant.id, due_on=today()) for _ in range(5)])
        with app.app_context():
            query = queues._page_statement((), sort, "dated", True)  # no filter; before a dated cursor row
            cursor = {"cursor_value": today() if sort == "due" else utcnow(), "cursor_id": uuid.uuid4()}
            postgres = db.engine.dialect.name == "postgresql"
            if postgres:  # a handful of rows: a sequential scan would be cheaper, so forbid what is not the index
                for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                    db.session.execute(text(f"SET LOCAL {setting} = off"))
            plan = explained(db.session.connection(), query, "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ", cursor)
            db.session.rollback()
        assert index in plan, plan
        if postgres:
            assert "Index Scan Backward" in plan or "Index Only Scan Backward" in plan, plan


class TestScale:
    """The page's statements: the session's user and the page with its count; the filters' menus come from
    the process's display lists (services/memo.py), read once."""

    @staticmethod
    def statements_for(app: Any, client: Any, path: str) -> int:
        client.get(path)  # warm: the first request of a client compiles templates and reads the catalogue
        with count_statements(app) as statements:
            response = client.get(path)
        assert response.status_code == 200
        return len(statements)

    def test_the_same_few_statements_at_ten_and_at_ten_thousand_cases(self, app, client, people, org):
        day = today()
        paths = [
            "/backoffice/",
            "/backoffice/?move=all",
            "/backoffice/?move=all&due=overdue&regime=general",
            "/backoffice/?move=all&q=brug",
            "/backoffice/?move=all&sort=submitted",
        ]

        def rows(count: int) -> list[dict[str, Any]]:
            return [
                case_row(org, people.applicant.id, due_on=day + timedelta(days=n % 90 - 30) if n % 10 else None)
                for n in range(count)
            ]

        insert_cases(app, rows(10))
        login(client, people.reviewer)
        small = {path: self.statements_for(app, client, path) for path in paths}
        insert_cases(app, rows(10_000 - 10))  # 10,000 in all, past the count's cap
        large = {path: self.statements_for(app, client, path) for path in paths}
        assert small == large
        assert max(large.values()) <= 3, large  # a name search looks the organisations up first
        assert COUNT_CAP < 10_000
        assert "Meer dan 1.000 aanvragen." in client.get("/backoffice/?move=all").get_data(as_text=True)
        deep = "/backoffice/?move=all"
        for _ in range(3):  # a page deep in the queue costs what the first one does
            deep = NEXT_LINK.search(client.get(deep).get_data(as_text=True)).group(1).replace("&amp;", "&")
        assert self.statements_for(app, client, deep) == large["/backoffice/?move=all"]
        back = PREVIOUS_LINK.search(client.get(deep).get_data(as_text=True)).group(1).replace("&amp;", "&")
        assert self.statements_for(app, client, back) == large["/backoffice/?move=all"]  # so does the one before it
