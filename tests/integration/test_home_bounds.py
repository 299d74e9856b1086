"""The applicant's home lists what is open or changed in the last year, at most `HOME_LIMIT` applications, in the
same statements at 10 and at 10,000 applications of the organisation; the full list holds every one, a page at a
time."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from ldapply.services.applications import HOME_LIMIT, LIST_PAGE
from tests.support import count_statements, login
from tests.support_audit import text_of
from tests.support_queue import case_row, closed_long_ago, insert_cases, organisation_of


def home_statements(app: Flask, client: Any) -> tuple[int, str]:
    client.get("/")  # warm: the session's user cached
    with count_statements(app) as statements:
        answer = client.get("/")
    assert answer.status_code == 200
    return len(statements), answer.get_data(as_text=True)


def test_the_home_costs_the_same_at_10_and_10000_applications_and_the_full_list_holds_the_rest(app, client, people):
    organisation_id = organisation_of(app, people.applicant)
    login(client, people.applicant)
    recent = case_row(organisation_id, people.applicant.id, state="withdrawn", reference="LDE-2026-RECENT01")
    insert_cases(app, [recent, *closed_long_ago(organisation_id, people.applicant, 10, 0)])
    small, page = home_statements(app, client)
    assert "LDE-2026-RECENT01" in page  # closed, but changed this year: on the home
    assert "LDE-2020-OLD" not in page  # closed over a year ago: only in the full list
    assert "(ook de 10 die hier niet staan)" in text_of(page)

    insert_cases(app, closed_long_ago(organisation_id, people.applicant, 9_990, 10))
    large, page = home_statements(app, client)
    assert large == small
    assert "(ook de 10000 die hier niet staan)" in text_of(page)

    first = client.get("/applications/all").get_data(as_text=True)
    assert "LDE-2026-RECENT01" in first  # newest first
    assert len(re.findall(r"LDE-20\d\d-[A-Z0-9]+</", first)) == LIST_PAGE
    assert 'rel="next"' in first
    with count_statements(app) as deep_statements:
        deep = client.get("/applications/all?page=150")
    assert deep.status_code == 200
    first_on_page = (150 - 1) * LIST_PAGE - 1  # the newest (recent) comes first, then OLD00000, OLD00001, ...
    assert f"LDE-2020-OLD{first_on_page:05d}<" in deep.get_data(as_text=True)
    with count_statements(app) as first_statements:
        client.get("/applications/all")
    assert len(deep_statements) == len(first_statements)


def test_open_applications_past_the_limit_are_counted_and_in_the_full_list(app, client, people):
    organisation_id = organisation_of(app, people.applicant)
    login(client, people.applicant)
    insert_cases(app, [case_row(organisation_id, people.applicant.id) for _ in range(HOME_LIMIT + 5)])
    page = client.get("/").get_data(as_text=True)
    assert "(ook de 5 die hier niet staan)" in text_of(page)
    assert len(re.findall(r"LDE-2026-[A-Z0-9]{10}", page)) == HOME_LIMIT


def test_the_full_list_is_only_for_a_member_and_shows_only_their_organisation(app, client, people):
    theirs = organisation_of(app, people.other_applicant)
    insert_cases(app, [case_row(theirs, people.other_applicant.id, reference="LDE-2026-THEIRS001")])
    login(client, people.applicant)
    assert "LDE-2026-THEIRS001" not in client.get("/applications/all").get_data(as_text=True)
    assert app.test_client().get("/applications/all").status_code == 302  # anonymous: to the login
