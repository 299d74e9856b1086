"""The statistics page: its figures on a known data set (taken by the worker into a snapshot), charts drawn on the
server as SVG with a table beside each, the regimes the user works under only, and a bounded number of
statements whatever the data's size."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from ldapply.extensions import db
from ldapply.models import Call
from ldapply.services import statistics
from ldapply.services.calls import today
from ldapply.tasks import refresh_statistics
from ldapply.workflows import REGIMES
from ldapply.workflows._spec import Role
from tests.support import PASSWORD, count_statements, login, queued_tasks
from tests.support_reports import case, grant_role, granted, organisation, path

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def known(app, people):
    """Three general cases with known stays, one caretakers case, and a grant under the general call.

    submitted: 2, 4 and 3 days (median 3); admissibility check: 4 and 6 days, one still there (median 5);
    substantive review: 10 days, one still there (median 10); nothing has left a proposal yet.
    """
    with app.app_context():
        org = organisation("Buurtwerk Het Anker vzw")
        a = case(org, people.applicant.id, state="substantive_review", due_on=today() - timedelta(days=1))
        path(a, START, [("submitted", 2), ("admissibility_check", 4), ("substantive_review", 0)])
        b = case(org, people.applicant.id, state="decision_proposed", due_on=today())
        path(
            b,
            START,
            [("submitted", 4), ("admissibility_check", 6), ("substantive_review", 10), ("decision_proposed", 0)],
        )
        c = case(org, people.applicant.id, state="admissibility_check")
        path(c, START, [("submitted", 3), ("admissibility_check", 0)])
        d = case(org, people.applicant.id, regime="caretakers", state="submitted", due_on=today() - timedelta(days=9))
        path(d, START, [("submitted", 0)])
        call = db.session.scalar(db.select(Call).where(Call.regime_code == "general"))
        e = case(org, people.applicant.id, state="granted", call_id=call.id)
        granted(e, people.decision_maker.id, volume=Decimal(40), settled_at=START)
        db.session.commit()
    return SimpleNamespace(a=a, b=b, c=c, d=d, e=e)


def test_the_figures_of_a_known_data_set(app, people, known):
    with app.app_context():
        taken = statistics.refresh()
        assert taken.by_state == {
            "general": {"admissibility_check": 1, "substantive_review": 1, "decision_proposed": 1, "granted": 1},
            "caretakers": {"submitted": 1},
        }
        assert taken.lead == {
            "general": {"submitted": (3.0, 3), "admissibility_check": (5.0, 2), "substantive_review": (10.0, 1)}
        }
        assert taken.overdue == {"general": 1, "caretakers": 1}
        assert statistics.snapshot() == taken, "kept for the page, read back the same"
        general = [use for use in statistics.cap_use(tuple(REGIMES)) if use.call.regime_code == "general"]
        assert len(general) == 1
        assert general[0].usage.granted == Decimal(40)
        assert general[0].usage.cap == Decimal(320)


def test_a_refresh_soon_after_the_last_keeps_it_unless_forced(app, people, known):
    with app.app_context():
        first = statistics.refresh()
        assert statistics.refresh(force=False) == first
        assert statistics.refresh(first.computed_at + statistics.FRESH_ENOUGH, force=False) != first


def _svgs(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, re.DOTALL)


def test_before_the_first_refresh_the_page_asks_the_worker_for_it(app, client, people, known):
    login(client, people.reviewer)
    queued_tasks(app)
    page = client.get("/backoffice/statistics").get_data(as_text=True)
    assert "De cijfers worden voor het eerst berekend." in page
    assert ("statistics.refresh", []) in queued_tasks(app)
    refresh_statistics()  # what the worker runs on that task
    page = client.get("/backoffice/statistics").get_data(as_text=True)
    assert "voor het eerst" not in page
    assert "Mediaan (dagen)" in page
    assert queued_tasks(app) == [], "a fresh snapshot is not asked for again"


def test_the_page_draws_each_chart_as_svg_with_a_table_beside_it(app, client, people, known):
    with app.app_context():
        statistics.refresh()
    login(client, people.reviewer)
    response = client.get("/backoffice/statistics")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    charts = [svg for svg in _svgs(page) if 'role="img"' in svg]
    # States of general and caretakers, lead times of general, overdue cases, the caps; sentences for the rest.
    assert len(charts) == 5
    for svg in charts:
        assert "<title" in svg, "every chart is named for screen readers"
        assert not re.search(r"href|http|<script", svg), "nothing fetched, nothing run"
    assert page.count('<table class="table">') == len(charts)
    lead_table = page.split("Mediaan (dagen)")[1].split("</table>")[0]
    assert re.search(r"Ontvankelijkheidsonderzoek</th><td>5</td><td>2</td>", lead_table)
    caps = page.split('id="caps"')[1]
    assert re.search(r"<td>320</td><td>40</td><td>0</td><td>280</td>", caps)


def test_a_reviewer_of_one_regime_sees_only_its_figures(app, client, people, known):
    from ldapply.services import accounts

    with app.app_context():
        statistics.refresh()
        user = accounts.create_user(email="carer@vo.be", name="Cas", password=PASSWORD)
        carer = SimpleNamespace(id=user.id, email=user.email)
        db.session.commit()
        grant_role(carer.id, Role.REVIEWER, "caretakers")
    login(client, carer)
    page = client.get("/backoffice/statistics").get_data(as_text=True)
    assert REGIMES["caretakers"].title.nl in page
    assert "Inhoudelijk onderzoek" not in page, "no general case's state is counted"
    assert "Geen oproepen onder de regelingen waarvoor u werkt." in page


def test_an_applicant_cannot_see_the_figures(client, people):
    login(client, people.applicant)
    assert client.get("/backoffice/statistics").status_code == 403


def test_the_page_costs_the_same_statements_with_ten_times_the_data(app, client, people, known):
    with app.app_context():
        statistics.refresh()
    login(client, people.reviewer)
    with count_statements(app) as few:
        assert client.get("/backoffice/statistics").status_code == 200
    with app.app_context():
        org = organisation("Nog een vzw")
        for number in range(40):
            application_id = case(
                org, people.applicant.id, state="substantive_review", due_on=today() - timedelta(days=2)
            )
            path(
                application_id,
                START,
                [("submitted", number % 5), ("admissibility_check", 1), ("substantive_review", 0)],
            )
        db.session.commit()
        statistics.refresh()
    with count_statements(app) as many:
        assert client.get("/backoffice/statistics").status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 5
    assert not any("application_events" in statement for statement in many), "no aggregate over events on the page"
