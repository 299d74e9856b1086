"""The engine around the regimes: versions pinned per application, calls with windows and caps,
the eligibility pre-check, the parameters page, and no regime named outside its data."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from ldapply.extensions import db
from ldapply.models import Application, Call
from ldapply.services.calls import today, usage
from ldapply.services.regimes import regime_of
from ldapply.workflows import REGIMES, all_versions, get_regime
from tests.support import (
    act,
    fill_steps,
    heard_then_met,
    login,
    post,
    start_application,
    submit,
    submitted_application,
    to_review,
)
from tests.support_advice import ask_advice

ROOT = Path(__file__).resolve().parents[2]


def test_no_view_service_task_or_shared_template_names_a_regime():
    codes = "|".join(sorted(REGIMES))
    pattern = re.compile(rf"[\"'/]({codes})[\"'/.]")
    offenders = []
    for path in [*(ROOT / "ldapply").rglob("*.py"), *(ROOT / "templates").rglob("*.html")]:
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("ldapply/workflows/") or any(
            relative.startswith(f"templates/letters/{code}/") for code in REGIMES
        ):
            continue
        if pattern.search(path.read_text()):
            offenders.append(relative)
    assert offenders == []


class TestVersions:
    def test_an_application_keeps_the_regime_version_it_was_filed_under(self, app, client, people):
        login(client, people.applicant)
        application_id = start_application(client, "label_2013")
        with app.app_context():
            application = db.session.get(Application, application_id)
            application.regime_version = 1  # filed before version 2 came out
            db.session.commit()
            assert regime_of(application).parameter("min_pathways").value == 3
        assert get_regime("label_2013").parameter("min_pathways").value == 5

    def test_submission_pins_the_parameter_values(self, app, client, people):
        application_id = submitted_application(client, people)
        with app.app_context():
            pinned = db.session.get(Application, application_id).parameters
        assert pinned["admissibility_check_days"] == 7
        assert pinned["council_of_state_appeal_days"] == 60


class TestCalls:
    def test_a_regime_with_calls_cannot_be_started_without_an_open_call(self, app, client, people):
        login(client, people.applicant)
        with app.app_context():
            db.session.execute(db.delete(Call))
            db.session.commit()
        response = post(client, "/applications", {"regime": "general"})
        assert response.status_code == 302
        assert "Kies een oproep die nu open is" in client.get("/").get_data(as_text=True)

    def test_submitting_after_the_call_closed_is_refused_with_the_date(self, app, client, people):
        login(client, people.applicant)
        application_id = start_application(client)
        fill_steps(client, application_id)
        with app.app_context():
            call = db.session.scalar(db.select(Call))
            call.closes_on = today() - timedelta(days=1)
            db.session.commit()
        response = submit(client, application_id)
        assert response.status_code == 409
        assert "is afgesloten op" in response.get_data(as_text=True)

    def test_a_call_admits_only_its_application_types(self, app, client, people):
        login(client, people.applicant)
        application_id = start_application(client)
        fill_steps(client, application_id)
        with app.app_context():
            db.session.scalar(db.select(Call)).application_types = ["extension"]
            db.session.commit()
        response = submit(client, application_id)
        assert response.status_code == 409
        assert "staat dit soort aanvraag niet toe" in response.get_data(as_text=True)

    def test_reviewers_see_how_much_of_the_cap_proposals_and_grants_use(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        to_review(client, application_id)
        act(client, application_id, "propose_grant", "Goed.")
        with app.app_context():
            call = db.session.scalar(db.select(Call))
            assert usage(call).proposed == Decimal("7.5")  # 6.5 target-group FTE + 1 supervisory
        login(client, people.decision_maker)
        act(client, application_id, "confirm_grant")
        with app.app_context():
            result = usage(db.session.scalar(db.select(Call)))
        assert (result.proposed, result.granted, result.remaining) == (0, Decimal("7.5"), Decimal("312.5"))
        login(client, people.reviewer)
        assert "<td>312,5</td>" in client.get("/backoffice/calls").get_data(as_text=True)
        assert "312,5 vrij" in client.get(f"/backoffice/applications/{application_id}").get_data(as_text=True)

    def test_only_admins_open_calls(self, client, people):
        login(client, people.reviewer)
        data = {
            "regime": "general",
            "title": "Oproep 2027",
            "opens_on": "2027-01-01",
            "closes_on": "2027-02-01",
            "cap": "100",
            "application_types": ["new"],
        }
        assert post(client, "/backoffice/calls", data).status_code == 403
        login(client, people.admin)
        assert post(client, "/backoffice/calls", data).status_code == 302
        assert "Oproep 2027" in client.get("/backoffice/calls").get_data(as_text=True)

    def test_a_call_opened_is_offered_on_the_home_at_once(self, client, people):
        """The home keeps the open calls it offers for a few seconds (memo.for_display); a call this process
        opens is offered on the next page, not seconds later."""
        login(client, people.applicant)
        assert "Oproep vandaag" not in client.get("/").get_data(as_text=True)  # the home has read its calls
        login(client, people.admin)
        data = {
            "regime": "general",
            "title": "Oproep vandaag",
            "opens_on": today().isoformat(),
            "closes_on": (today() + timedelta(days=30)).isoformat(),
            "cap": "100",
            "application_types": ["new"],
        }
        assert post(client, "/backoffice/calls", data).status_code == 302
        login(client, people.applicant)
        assert "Oproep vandaag" in client.get("/").get_data(as_text=True)

    def test_a_partial_grant_takes_the_granted_volume_from_the_cap(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        heard_then_met(client, people, application_id)  # a partial grant refuses the rest: heard first
        too_much = post(
            client,
            f"/backoffice/applications/{application_id}/actions/propose_partial_grant",
            {"comment": "Minder omkadering.", "volume": "9"},
        )
        assert "minder dan gevraagd" in too_much.get_data(as_text=True)
        post(
            client,
            f"/backoffice/applications/{application_id}/actions/propose_partial_grant",
            {"comment": "Minder omkadering.", "volume": "6,5"},
        )
        login(client, people.decision_maker)
        act(client, application_id, "confirm_partial_grant")
        with app.app_context():
            assert usage(db.session.scalar(db.select(Call))).granted == Decimal("6.5")


class TestQueues:
    def test_cases_waiting_on_advice_are_in_the_reviewers_own_queue(self, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        to_review(client, application_id)
        assert (
            ask_advice(client, application_id, people.forum_body_id, "Advies van het lokaal forum.").status_code == 302
        )
        assert f"/backoffice/applications/{application_id}" in client.get("/backoffice/?view=mine").get_data(
            as_text=True
        )
        login(client, people.decision_maker)
        assert f"/backoffice/applications/{application_id}" not in client.get("/backoffice/?view=mine").get_data(
            as_text=True
        )


class TestPrecheckAndParameters:
    def test_the_pre_check_tells_an_organisation_below_the_minimum_before_it_starts(self, client):
        page = client.get("/regimes/general/precheck").get_data(as_text=True)
        assert "Gevraagde VTE doelgroepwerknemers" in page
        result = post(
            client, "/regimes/general/precheck", {"target_group_fte": "3,5", "has_other_activities": "no"}
        ).get_data(as_text=True)
        assert "3,5 VTE doelgroepwerknemers ligt onder het minimum van 5" in result
        assert "Beoordeelt de behandelaar" in result

    def test_the_parameters_page_lists_every_parameter_of_every_version_with_its_provenance(self, client, people):
        login(client, people.reviewer)
        page = client.get("/backoffice/parameters").get_data(as_text=True)
        for regime in all_versions():
            assert f"(versie {regime.version})" in page
            for parameter in regime.parameters:
                assert f"<code>{parameter.name}</code>" in page
        assert "Naar het model van de regeling van 2013" in page
        assert "Aanname, te bevestigen" in page

    @pytest.mark.parametrize("path", ["/backoffice/parameters", "/backoffice/calls"])
    def test_applicants_do_not_reach_staff_pages(self, client, people, path):
        login(client, people.applicant)
        assert client.get(path).status_code == 403
