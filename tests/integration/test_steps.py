"""The generic step runner: validation in Dutch, conditional fields, save and resume, submit rules."""

from __future__ import annotations

import pytest

from ldapply.extensions import db
from ldapply.models import Application
from tests.support import STEP_ANSWERS, fill_steps, login, post, start_application, submit


@pytest.fixture
def draft(client, people):
    login(client, people.applicant)
    return start_application(client)


def step_url(application_id, slug: str) -> str:
    return f"/applications/{application_id}/steps/{slug}"


class TestValidation:
    def test_an_enterprise_number_failing_the_mod_97_check_is_refused_with_a_clear_message(self, client, draft):
        answers = {**STEP_ANSWERS["organisation"], "enterprise_number": "0123.456.789"}
        response = post(client, step_url(draft, "organisation"), answers)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "Er is een probleem" in page
        assert "<title>Fout: " in page
        assert "Dit is geen geldig ondernemingsnummer." in page
        assert 'value="Buurtwerk De Brug vzw"' in page  # what was typed is kept

    @pytest.mark.parametrize("number", ["0403.170.701", "0403170701", "BE 0403 170 701", "403170701"])
    def test_an_enterprise_number_is_accepted_in_its_usual_spellings(self, app, client, draft, number):
        answers = {**STEP_ANSWERS["organisation"], "enterprise_number": number}
        assert post(client, step_url(draft, "organisation"), answers).status_code == 302
        with app.app_context():
            assert db.session.get(Application, draft).answers["enterprise_number"] == "0403170701"

    def test_missing_answers_are_named_in_the_error_summary(self, client, draft):
        page = post(client, step_url(draft, "service"), {}).get_data(as_text=True)
        assert "Beschrijving van de dienst – Vul dit veld in." in page
        assert "Dienstendomein – Maak een keuze." in page
        assert page.count("Vul dit veld in.") == 6  # three text questions: in the summary and beside each

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("veel", "Vul een getal in, bijvoorbeeld 5,5."),
            ("0", "Vul een getal in van minstens 0,1."),
            ("501", "Vul een getal in van hoogstens 500."),
        ],
    )
    def test_a_bad_fte_number_gets_a_message_that_says_what_to_fix(self, client, draft, value, message):
        page = post(client, step_url(draft, "staffing"), {"target_group_fte": value, "supervisory_fte": "1"})
        assert message in page.get_data(as_text=True)

    def test_an_answer_of_only_spaces_is_no_answer(self, client, draft):
        answers = {**STEP_ANSWERS["service"], "service_description": "   \n  "}
        response = post(client, step_url(draft, "service"), answers)
        assert response.status_code == 400
        assert "Beschrijving van de dienst – Vul dit veld in." in response.get_data(as_text=True)

    @pytest.mark.parametrize("value", ["1e3", "NaN", "Infinity", "1,000.5", "5,5,5", "12 50", "1.00.0", "5 VTE"])
    def test_only_numbers_in_belgian_notation_are_accepted(self, client, draft, value):
        response = post(client, step_url(draft, "staffing"), {"target_group_fte": value, "supervisory_fte": "1"})
        assert "Vul een getal in, bijvoorbeeld 5,5." in response.get_data(as_text=True)

    def test_error_summary_links_reach_radio_groups_and_fields_describe_their_errors(self, client, draft):
        emptied = {"organisation_name": "", "enterprise_number": ""}  # as a browser posts cleared inputs
        page = post(client, step_url(draft, "organisation"), emptied).get_data(as_text=True)
        assert 'href="#legal_form-0"' in page
        assert 'id="legal_form-0"' in page
        assert 'aria-describedby="organisation_name-error"' in page
        assert 'aria-invalid="true"' in page
        assert '="None"' not in page

    def test_text_longer_than_allowed_is_refused(self, client, draft):
        answers = {**STEP_ANSWERS["organisation"], "organisation_name": "x" * 201}
        assert "Gebruik hoogstens 200 tekens." in post(client, step_url(draft, "organisation"), answers).get_data(
            as_text=True
        )

    def test_user_input_is_escaped_when_shown_again(self, client, draft):
        answers = {
            **STEP_ANSWERS["organisation"],
            "organisation_name": "<script>alert(1)</script>",
            "enterprise_number": "bad",
        }
        page = post(client, step_url(draft, "organisation"), answers).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;" in page


class TestConditionalFields:
    def test_the_sui_generis_responsible_is_required_when_there_are_other_activities(self, client, draft):
        answers = {**STEP_ANSWERS["organisation"], "has_other_activities": "yes"}
        response = post(client, step_url(draft, "organisation"), answers)
        assert response.status_code == 400
        assert "Vul dit veld in." in response.get_data(as_text=True)

    def test_an_answer_to_a_field_that_no_longer_applies_is_dropped(self, app, client, draft):
        answers = {**STEP_ANSWERS["organisation"], "has_other_activities": "yes", "sui_generis_responsible": "Jan"}
        assert post(client, step_url(draft, "organisation"), answers).status_code == 302
        answers.update(has_other_activities="no")
        assert post(client, step_url(draft, "organisation"), answers).status_code == 302
        with app.app_context():
            assert "sui_generis_responsible" not in db.session.get(Application, draft).answers


class TestSaveAndResume:
    def test_a_saved_step_is_shown_filled_in_when_the_applicant_returns(self, client, draft):
        post(client, step_url(draft, "staffing"), STEP_ANSWERS["staffing"])
        page = client.get(step_url(draft, "staffing")).get_data(as_text=True)
        assert 'value="6,5"' in page

    def test_the_task_list_shows_which_steps_are_done(self, client, draft):
        post(client, step_url(draft, "organisation"), STEP_ANSWERS["organisation"])
        page = client.get(f"/applications/{draft}").get_data(as_text=True)
        assert page.count("Ingevuld") == 1
        assert page.count("Nog niet ingevuld") + page.count("Kan nog niet starten") == 7

    def test_after_a_step_the_applicant_goes_to_the_next_missing_step(self, client, draft):
        response = post(client, step_url(draft, "organisation"), STEP_ANSWERS["organisation"])
        assert response.headers["Location"].endswith("/steps/application_type")

    def test_the_organisation_step_is_pre_filled_from_the_organisation_record(self, client, draft):
        page = client.get(step_url(draft, "organisation")).get_data(as_text=True)
        assert 'value="Buurtwerk De Brug vzw"' in page
        assert 'value="0403170701"' in page

    def test_reviewers_are_warned_when_the_answers_differ_from_the_organisation_record(self, client, people, draft):
        fill_steps(client, draft)
        post(
            client, step_url(draft, "organisation"), {**STEP_ANSWERS["organisation"], "enterprise_number": "0123456749"}
        )
        submit(client, draft)
        login(client, people.reviewer)
        page = client.get(f"/backoffice/applications/{draft}").get_data(as_text=True)
        assert "verschillen van de gegevens van de organisatie" in page
        assert "Ondernemingsnummer (KBO)" in page

    def test_an_unknown_step_is_404(self, client, draft):
        assert client.get(step_url(draft, "nope")).status_code == 404


class TestSubmit:
    def test_an_incomplete_application_cannot_be_submitted(self, app, client, draft):
        response = submit(client, draft)
        assert response.status_code == 400
        assert "Vul eerst alle stappen in." in response.get_data(as_text=True)
        with app.app_context():
            assert db.session.get(Application, draft).state == "draft"

    def test_the_declaration_is_required(self, app, client, draft):
        fill_steps(client, draft)
        response = post(client, f"/applications/{draft}/submit", {})
        assert response.status_code == 400
        assert "Bevestig de verklaring" in response.get_data(as_text=True)
        with app.app_context():
            assert db.session.get(Application, draft).state == "draft"

    def test_a_second_submit_changes_nothing(self, app, client, draft):
        fill_steps(client, draft)
        assert submit(client, draft).status_code == 302
        assert submit(client, draft).status_code == 302  # idempotent: the confirmation again
        with app.app_context():
            application = db.session.get(Application, draft)
            assert application.state == "submitted"

    def test_a_submitted_application_can_no_longer_be_changed(self, app, client, draft):
        fill_steps(client, draft)
        submit(client, draft)
        response = post(client, step_url(draft, "staffing"), {"target_group_fte": "99", "supervisory_fte": "1"})
        assert response.status_code == 302
        with app.app_context():
            assert db.session.get(Application, draft).answers["target_group_fte"] == "6.5"

    def test_the_check_page_lists_the_answers_with_change_links(self, client, draft):
        fill_steps(client, draft)
        page = client.get(f"/applications/{draft}/check").get_data(as_text=True)
        assert "Fietspunten" in page
        assert "0403.170.701" in page
        assert f"/applications/{draft}/steps/staffing" in page
