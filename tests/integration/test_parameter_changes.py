"""Admins set a regime parameter's value in the back office: checked by the parameter's kind, with a reason (and for a
value that is law, the legal source of its change), audited, in effect for applications submitted from then on and
never for a case already filed. Reviewers and decision makers see the values but cannot set them."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from ldapply.extensions import db
from ldapply.models import Application, AuditEntry, ParameterChange
from ldapply.services import accounts, parameter_changes, recognitions, renewals, samples
from ldapply.services.assessment import parameters_of
from ldapply.workflows import REGIMES, all_versions
from ldapply.workflows._spec import Provenance, Role
from tests.integration.test_lawful_procedure import Desk, granted_and_active
from tests.support import (
    PASSWORD,
    count_statements,
    csrf_token,
    login,
    post,
    start_application,
    submitted_application,
)

REASON = "De afdeling behandelt de ontvankelijkheid voortaan in tien dagen (nota van 1 december 2026)."
LAW_SOURCE = "Decreet van 20 november 2026, art. 4, Belgisch Staatsblad 30 november 2026"
REVISION = re.compile(r'name="revision" type="hidden" value="(\d+)"')


def path_of(name: str, code: str = "general") -> str:
    return f"/backoffice/parameters/{code}/{REGIMES[code].version}/{name}"


def set_value(client: FlaskClient, name: str, value: str, code: str = "general", **fields: str) -> Any:
    """As an admin with the form open: the new value, with the revision the form shows."""
    path = path_of(name, code)
    page = client.get(path).get_data(as_text=True)
    revision = REVISION.search(page)
    assert revision, page
    data = {"value": value, "reason": REASON, "revision": revision.group(1), **fields}
    return post(client, path, data)


def changes(app: Flask) -> list[ParameterChange]:
    with app.app_context():
        found = list(db.session.scalars(select(ParameterChange).order_by(ParameterChange.revision)))
        db.session.expunge_all()
        return found


def audited(app: Flask) -> list[AuditEntry]:
    with app.app_context():
        found = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "parameter.changed")))
        db.session.expunge_all()
        return found


def pinned(app: Flask, application_id: uuid.UUID) -> dict[str, Any]:
    with app.app_context():
        return dict(db.session.get(Application, application_id).parameters)


def staff_client(app: Flask, person: Any) -> FlaskClient:
    other = app.test_client()
    login(other, person)
    return other


class TestSetting:
    def test_an_admin_sets_a_value_and_the_page_shows_it_with_who_when_and_why(self, app, client, people):
        login(client, people.admin)
        response = set_value(client, "admissibility_check_days", "10")
        assert response.status_code == 302, response.get_data(as_text=True)
        assert response.headers["Location"].endswith(
            "/backoffice/parameters#parameter-general-1-admissibility_check_days"
        )
        page = client.get("/backoffice/parameters").get_data(as_text=True)
        assert "vanaf nu worden ingediend" in page  # the flash: what the change reaches
        row = re.search(r'<tr id="parameter-general-1-admissibility_check_days">(.*?)</tr>', page, re.S)
        assert row is not None
        assert "10 kalenderdagen" in row.group(1)
        assert "Regel van de administratie" in row.group(1)
        assert "Ingesteld door Ada" in row.group(1)
        assert REASON in row.group(1)
        history = page[page.index("Geschiedenis van de waarden") :]
        assert re.search(
            r"<td>Ada</td><td><code>admissibility_check_days</code></td>\s*<td>7</td><td>10 kalenderdagen", history
        )
        [change] = changes(app)
        assert (change.value, change.old_value, change.revision) == (10, 7, 1)
        assert change.provenance == Provenance.ASSUMPTION  # the administration's own rule, not law
        [entry] = audited(app)
        assert entry.actor_id == people.admin.id
        assert entry.old == {"value": 7}
        assert entry.new["name"] == "admissibility_check_days"
        assert entry.new["value"] == 10
        assert entry.new["reason"] == REASON

    def test_a_new_submission_pins_the_new_value_and_a_filed_case_keeps_its_own(self, app, client, people):
        filed_before = submitted_application(client, people)
        draft = start_application(client)
        admin = staff_client(app, people.admin)
        assert set_value(admin, "admissibility_check_days", "10").status_code == 302
        assert set_value(admin, "objection_enabled", "yes").status_code == 302
        filed_after = submitted_application(client, people)
        assert pinned(app, filed_before)["admissibility_check_days"] == 7
        assert pinned(app, filed_before)["objection_enabled"] is False
        assert pinned(app, filed_after)["admissibility_check_days"] == 10
        assert pinned(app, filed_after)["objection_enabled"] is True
        with app.app_context():
            assert parameters_of(db.session.get(Application, draft))["admissibility_check_days"] == 10
            assert parameters_of(db.session.get(Application, filed_before))["admissibility_check_days"] == 7
        assert set_value(admin, "admissibility_check_days", "12").status_code == 302  # a second change
        assert pinned(app, filed_after)["admissibility_check_days"] == 10
        assert [(c.revision, c.old_value, c.value) for c in changes(app) if c.name == "admissibility_check_days"] == [
            (1, 7, 10),
            (2, 10, 12),
        ]

    def test_the_pre_check_reads_the_value_in_effect(self, app, client, people):
        admin = staff_client(app, people.admin)
        assert set_value(admin, "min_target_group_fte", "3").status_code == 302
        answer = {"target_group_fte": "2,5", "has_other_activities": "no"}
        result = post(client, "/regimes/general/precheck", answer).get_data(as_text=True)
        assert "2,5 VTE doelgroepwerknemers ligt onder het minimum van 3" in result
        answer["target_group_fte"] = "3,5"
        result = post(client, "/regimes/general/precheck", answer).get_data(as_text=True)
        assert "ligt onder het minimum" not in result

    def test_the_sample_letters_read_the_values_in_effect(self, app, people):
        admin = staff_client(app, people.admin)
        assert set_value(admin, "hearing_days", "21").status_code == 302
        with app.test_request_context():
            context = samples.sample(REGIMES["general"], "intended_refusal").context
        assert context["parameters"]["hearing_days"]["value"] == 21

    def test_a_yes_no_value_is_chosen_from_a_list(self, app, client, people):
        login(client, people.admin)
        form = client.get(path_of("objection_enabled")).get_data(as_text=True)
        assert '<select id="value" name="value"' in form
        assert '<option selected value="no">nee</option>' in form
        assert set_value(client, "objection_enabled", "yes").status_code == 302
        assert [c.value for c in changes(app)] == [True]


class TestChecks:
    @pytest.mark.parametrize(
        ("code", "name", "typed", "message"),
        [
            ("general", "admissibility_check_days", "tien", "Vul een getal in, bijvoorbeeld 30 of 2,5."),
            ("general", "admissibility_check_days", "2,5", "Vul een geheel getal in, zonder komma."),
            ("general", "admissibility_check_days", "0", "Een termijn telt van 1 tot 3650 dagen."),
            ("general", "admissibility_check_days", "7", "De nieuwe waarde is dezelfde als de huidige."),
            ("general", "admissibility_check_days", "", "Vul de nieuwe waarde in."),
            ("general", "recognition_years", "120", "Een duur telt van 1 tot 99 jaar."),
            ("general", "objection_enabled", "misschien", "Kies een van de waarden in de lijst."),
            ("general", "min_target_group_fte", "-2", "De waarde mag niet negatief zijn."),
            ("childcare", "min_target_group_share", "1,5", "Een aandeel ligt tussen 0 en 1, bijvoorbeeld 0,6."),
            ("childcare", "subsidy_per_place", "1.200,555", "Een bedrag heeft hoogstens twee cijfers na de komma."),
        ],
    )
    def test_a_value_the_parameter_cannot_take_is_refused_in_dutch_and_nothing_is_saved(
        self, app, client, people, code, name, typed, message
    ):
        login(client, people.admin)
        response = set_value(client, name, typed, code)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
        assert changes(app) == []
        assert audited(app) == []

    def test_the_reason_is_required(self, app, client, people):
        login(client, people.admin)
        response = set_value(client, "hearing_days", "20", reason="  ")
        assert response.status_code == 400
        assert "Geef de reden van de wijziging." in response.get_data(as_text=True)
        assert changes(app) == []

    def test_a_value_that_is_law_needs_the_legal_source_of_its_change_and_stays_law(self, app, client, people):
        login(client, people.admin)
        refused = set_value(client, "council_of_state_appeal_days", "45")
        assert refused.status_code == 400
        assert "geef de rechtsbron van de wijziging" in refused.get_data(as_text=True)
        assert changes(app) == []
        saved = set_value(client, "council_of_state_appeal_days", "45", legal_source=LAW_SOURCE)
        assert saved.status_code == 302, saved.get_data(as_text=True)
        [change] = changes(app)
        assert (change.provenance, change.legal_source) == (Provenance.FOUND, LAW_SOURCE)
        page = client.get("/backoffice/parameters").get_data(as_text=True)
        row = re.search(r'<tr id="parameter-general-1-council_of_state_appeal_days">(.*?)</tr>', page, re.S)
        assert row is not None
        assert "Gevonden in de regelgeving" in row.group(1)
        assert LAW_SOURCE in row.group(1)
        with app.test_request_context():
            parameter = parameter_changes.in_effect(REGIMES["general"]).parameter("council_of_state_appeal_days")
        assert (parameter.value, parameter.is_law, parameter.source) == (45, True, LAW_SOURCE)

    def test_a_value_that_is_not_law_asks_no_legal_source_and_becomes_the_administrations_rule(self, client, people):
        login(client, people.admin)
        form = client.get(path_of("hearing_days")).get_data(as_text=True)
        assert 'name="legal_source"' not in form
        assert "een regel van de administratie zelf, geen wet" in form
        assert 'name="legal_source"' in client.get(path_of("council_of_state_appeal_days")).get_data(as_text=True)

    def test_a_change_made_meanwhile_is_refused_not_overwritten(self, app, client, people):
        login(client, people.admin)
        path = path_of("hearing_days")
        stale = {"value": "20", "reason": REASON, "revision": "0"}
        assert set_value(client, "hearing_days", "18").status_code == 302
        response = post(client, path, stale)
        assert response.status_code == 409
        assert "Iemand anders wijzigde deze waarde intussen" in response.get_data(as_text=True)
        assert [c.value for c in changes(app)] == [18]


class TestAccess:
    @pytest.mark.parametrize("who", ["reviewer", "decision_maker"])
    def test_staff_who_are_not_admins_see_the_values_but_cannot_set_them(self, app, client, people, who):
        admin = staff_client(app, people.admin)
        assert set_value(admin, "hearing_days", "20").status_code == 302
        login(client, getattr(people, who))
        page = client.get("/backoffice/parameters").get_data(as_text=True)
        assert "20 kalenderdagen" in page
        assert "/backoffice/parameters/general/" not in page  # no link to change a value
        assert client.get(path_of("hearing_days")).status_code == 403
        token = csrf_token(client, "/backoffice/parameters")
        data = {"value": "25", "reason": REASON, "revision": "1", "csrf_token": token}
        assert client.post(path_of("hearing_days"), data=data).status_code == 403
        assert [c.value for c in changes(app)] == [20]

    def test_an_admin_sets_values_only_under_the_regimes_granted(self, app, client, people):
        with app.app_context():
            accounts.create_user(
                email="gadm@vo.be", name="Greet", password=PASSWORD, roles=(Role.ADMIN,), regime_code="general"
            )
            db.session.commit()
        login(client, SimpleNamespace(email="gadm@vo.be"))
        page = client.get("/backoffice/parameters").get_data(as_text=True)
        assert path_of("hearing_days") in page
        assert path_of("hearing_days", "childcare") not in page
        assert client.get(path_of("hearing_days", "childcare")).status_code == 403
        token = csrf_token(client, "/backoffice/parameters")
        data = {"value": "25", "reason": REASON, "revision": "0", "csrf_token": token}
        assert client.post(path_of("hearing_days", "childcare"), data=data).status_code == 403
        assert set_value(client, "hearing_days", "25").status_code == 302
        assert [(c.regime_code, c.value) for c in changes(app)] == [("general", 25)]

    def test_an_applicant_cannot_set_a_value(self, app, client, people):
        login(client, people.applicant)
        token = csrf_token(client, "/")
        data = {"value": "25", "reason": REASON, "revision": "0", "csrf_token": token}
        assert client.post(path_of("hearing_days"), data=data).status_code == 403
        assert changes(app) == []

    def test_the_form_needs_its_csrf_token(self, app, client, people):
        login(client, people.admin)
        data = {"value": "25", "reason": REASON, "revision": "0"}
        assert client.post(path_of("hearing_days"), data=data).status_code == 400
        assert changes(app) == []

    def test_an_unknown_parameter_or_version_does_not_exist(self, client, people):
        login(client, people.admin)
        assert client.get("/backoffice/parameters/general/1/no_such_parameter").status_code == 404
        assert client.get("/backoffice/parameters/general/99/hearing_days").status_code == 404


class TestCost:
    def test_the_values_in_effect_cost_one_query_per_request_for_every_regime(self, app, people):
        admin = staff_client(app, people.admin)
        assert set_value(admin, "hearing_days", "20").status_code == 302
        assert set_value(admin, "hearing_days", "22", "childcare").status_code == 302
        with app.test_request_context(), count_statements(app) as statements:
            for _ in range(3):
                effective = {(r.code, r.version): parameter_changes.in_effect(r) for r in all_versions()}
        assert len(statements) == 1
        assert effective[("general", 1)].parameter_values()["hearing_days"] == 20
        assert effective[("childcare", 1)].parameter_values()["hearing_days"] == 22
        assert effective[("caretakers", 1)].parameter_values()["hearing_days"] == 15


class TestRecognitions:
    def test_a_renewal_may_be_started_within_the_window_in_effect(self, app, client, people):
        admin = staff_client(app, people.admin)
        assert set_value(admin, "renewal_window_days", "200").status_code == 302
        login(client, people.applicant)
        application_id = start_application(client)
        with app.test_request_context():
            assert renewals.window_days(db.session.get(Application, application_id)) == 200

    def test_a_case_that_pinned_a_longer_reminder_period_is_reminded_that_early(self, app, people):
        admin = staff_client(app, people.admin)
        assert set_value(admin, "renewal_reminder_days", "150").status_code == 302
        application_id = granted_and_active(Desk(app, people), "general")
        assert pinned(app, application_id)["renewal_reminder_days"] == 150
        with app.app_context():
            ends = db.session.get(Application, application_id).recognition_ends_on
            assert recognitions.expire_and_remind(ends - timedelta(days=160)) == 0  # beyond the 150 days
            assert recognitions.expire_and_remind(ends - timedelta(days=140)) == 1  # beyond the declared 90
