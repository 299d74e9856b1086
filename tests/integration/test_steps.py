"""The generic step runner: validation in Dutch, conditional fields, save and resume, submit rules."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from io import BytesIO

import pytest

from ldapply.extensions import db
from ldapply.models import Application
from tests.support import STEP_ANSWERS, csrf_token, fill_steps, login, minimal_pdf, post, start_application, submit


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

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            ("1" * 30, "Een bedrag heeft hoogstens 15 cijfers voor de komma, bijvoorbeeld 180.000,50."),
            ("12,500", "Bedoelt u 12.500 of 12,5? Schrijf duizendtallen met een punt of een spatie"),
        ],
    )
    def test_a_long_or_ambiguous_amount_is_refused_beside_the_field(self, app, client, draft, typed, message):
        response = post(client, step_url(draft, "budget"), {"budget_flemish": typed, "budget_federal": "0"})
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert message in page
        assert f'value="{typed}"' in page  # what was typed is kept
        with app.app_context():
            assert "budget_flemish" not in db.session.get(Application, draft).answers

    def test_an_english_page_refuses_an_amount_with_a_thousands_comma(self, client, draft):
        client.get("/language/en")
        page = post(client, step_url(draft, "budget"), {"budget_flemish": "12,500"}).get_data(as_text=True)
        assert "Did you mean 12.500 or 12,5?" in page

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


def stored_answers(app, application_id) -> dict:
    with app.app_context():
        return dict(db.session.get(Application, application_id).answers)


NBSP = "\u00a0"


TYPED_AMOUNTS = {
    "budget_flemish": "€ 95.000",
    "budget_federal": "180.000,50",
    "budget_commissioning": "12 500",
    "budget_users": "95.000 EUR",
}


class TestBelgianAmounts:
    TYPED = TYPED_AMOUNTS

    def test_amounts_are_read_in_belgian_notation_and_shown_back_so(self, app, client, draft):
        assert post(client, step_url(draft, "budget"), self.TYPED).status_code == 302
        answers = stored_answers(app, draft)
        assert [answers[name] for name in self.TYPED] == ["95000", "180000.50", "12500", "95000"]
        page = client.get(step_url(draft, "budget")).get_data(as_text=True)
        assert 'value="95.000"' in page
        assert 'value="180.000,50"' in page
        assert 'inputmode="decimal"' in page
        fill_steps(client, draft)
        post(client, step_url(draft, "budget"), self.TYPED)
        check = client.get(f"/applications/{draft}/check").get_data(as_text=True)
        assert f"€{NBSP}180.000,50" in check
        assert f"€{NBSP}12.500,00" in check

    def test_an_english_page_reads_the_same_belgian_amounts(self, app, client, draft):
        client.get("/language/en")
        assert post(client, step_url(draft, "budget"), {**self.TYPED, "budget_users": "12.500"}).status_code == 302
        assert stored_answers(app, draft)["budget_users"] == "12500"

    def test_a_bad_amount_is_refused_with_an_example_and_kept(self, app, client, draft):
        response = post(client, step_url(draft, "budget"), {**self.TYPED, "budget_users": "1,000.50"})
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "Gebruikers – Vul een bedrag in euro in, bijvoorbeeld 95.000 of 180.000,50" in page
        assert 'value="1,000.50"' in page
        assert 'value="€ 95.000"' in page
        assert "budget_users" not in stored_answers(app, draft)


class TestErrorSummaryAndScript:
    def test_the_summary_takes_focus_and_the_script_is_served_from_the_site(self, client, draft):
        page = post(client, step_url(draft, "service"), {}).get_data(as_text=True)
        assert re.search(r'<div class="error-summary" role="alert"[^>]*tabindex="-1"[^>]*data-error-summary', page)
        assert '<script src="/static/ldapply.js" defer></script>' in page
        assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script: CSP script-src 'self'
        script = client.get("/static/ldapply.js")
        assert script.status_code == 200
        assert "data-error-summary" in script.get_data(as_text=True)

    def test_errors_in_rows_link_to_their_cells(self, client, people):
        login(client, people.applicant)
        draft = start_application(client, "childcare")
        rows = {"locations-0-address": "Dorpsstraat 1", "locations-0-places": "veel", "local_need": "Nodig."}
        page = post(client, step_url(draft, "locations"), rows).get_data(as_text=True)
        assert 'href="#locations-0-places"' in page
        assert "Locaties, rij 1, Aantal opvangplaatsen – Vul een geheel getal in" in page
        assert 'href="#locations-0-municipality"' in page  # a required cell of a filled row
        assert 'id="locations-0-places"' in page

    def test_enter_in_a_box_saves_rather_than_removes_a_row(self, client, people):
        login(client, people.applicant)
        draft = start_application(client, "childcare")
        page = client.get(step_url(draft, "locations")).get_data(as_text=True)
        form = page[page.index('<form method="post" action="' + step_url(draft, "locations")) :]
        first_button = re.search(r"<button[^>]*>", form).group(0)
        assert 'class="default-submit"' in first_button
        assert "name=" not in first_button


class TestConditionalReveal:
    def test_a_question_that_does_not_apply_yet_is_hidden_and_says_when_it_applies(self, client, draft):
        page = client.get(step_url(draft, "organisation")).get_data(as_text=True)
        question = re.search(r'<div class="question" id="question-sui_generis_responsible"[^>]*>', page).group(0)
        assert 'data-shown-when="has_other_activities"' in question
        assert "data-shown-values='[\"yes\"]'" in question
        assert " hidden" in question

    def test_without_javascript_the_question_appears_once_the_answer_calls_for_it(self, client, draft):
        answers = {**STEP_ANSWERS["organisation"], "has_other_activities": "yes"}
        page = post(client, step_url(draft, "organisation"), answers).get_data(as_text=True)
        question = re.search(r'<div class="question" id="question-sui_generis_responsible"[^>]*>', page).group(0)
        assert " hidden" not in question
        assert "Verantwoordelijke van de sui-generisafdeling – Vul dit veld in." in page

    def test_a_multiple_choice_follow_up_is_declared_for_the_browser(self, client, people):
        login(client, people.applicant)
        draft = start_application(client, "caretakers")
        page = client.get(step_url(draft, "caretaker_tasks")).get_data(as_text=True)
        assert re.search(r'data-shown-when="caretaker_tasks" data-shown-values=\'\["other"\]\'', page)


def location(index: int, **values: str) -> dict[str, str]:
    row = {"address": f"Straat {index + 1}", "municipality": "Leuven", "places": "14", "age_group": "0_3"} | values
    return {f"locations-{index}-{name}": value for name, value in row.items()}


def locations(count: int) -> dict[str, str]:
    data = {"local_need": "Te weinig opvang in de wijk."}
    for index in range(count):
        data |= location(index)
    return data


@pytest.fixture
def childcare(client, people):
    login(client, people.applicant)
    return start_application(client, "childcare")


class TestRepeatingGroups:
    def test_another_row_is_added_with_every_typed_value_kept_and_nothing_saved(self, app, client, childcare):
        response = post(client, step_url(childcare, "locations"), {**locations(2), "add_row": "locations"})
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert 'value="Straat 2"' in page
        assert 'id="locations-2-address"' in page
        assert re.search(
            r'<input[^>]*autofocus[^>]*id="locations-2-address"|id="locations-2-address"[^>]*autofocus', page
        )
        assert "Er is een lege rij toegevoegd aan ‘Locaties’." in page
        assert "Er is een probleem" not in page
        assert "locations" not in stored_answers(app, childcare)

    def test_a_row_is_removed_and_the_others_kept(self, app, client, childcare):
        data = {**locations(3), "remove_row": "locations-1"}
        page = post(client, step_url(childcare, "locations"), data).get_data(as_text=True)
        assert "Rij 2 van ‘Locaties’ is verwijderd." in page
        assert 'value="Straat 1"' in page
        assert 'value="Straat 2"' not in page
        assert re.search(r'id="locations-1-address"[^>]*value="Straat 3"', page)
        assert "Te weinig opvang in de wijk." in page
        data = {**locations(3), "locations-1-address": "", "locations-1-municipality": "", "locations-1-places": ""}
        data["locations-1-age_group"] = ""
        assert post(client, step_url(childcare, "locations"), data).status_code == 302  # an emptied row is no row
        assert [row["address"] for row in stored_answers(app, childcare)["locations"]] == ["Straat 1", "Straat 3"]

    def test_a_stored_row_is_changed(self, app, client, childcare):
        post(client, step_url(childcare, "locations"), locations(2))
        changed = {**locations(2), **location(1, places="20")}
        assert post(client, step_url(childcare, "locations"), changed).status_code == 302
        assert [row["places"] for row in stored_answers(app, childcare)["locations"]] == ["14", "20"]

    def test_two_hundred_locations_are_accepted(self, app, client, childcare):
        page = client.get(step_url(childcare, "locations")).get_data(as_text=True)
        assert "U kunt tot 200 rijen invullen." in page
        assert post(client, step_url(childcare, "locations"), locations(200)).status_code == 302
        assert len(stored_answers(app, childcare)["locations"]) == 200
        page = client.get(step_url(childcare, "locations")).get_data(as_text=True)
        assert 'name="add_row"' not in page  # the limit reached: no row to add
        assert "U hebt het grootste aantal rijen bereikt (200)." in page

    def test_more_rows_than_the_regime_allows_are_refused_not_dropped(self, app, client, childcare):
        page = post(client, step_url(childcare, "locations"), locations(201)).get_data(as_text=True)
        assert "Vul hoogstens 200 rijen in" in page
        assert "locations" not in stored_answers(app, childcare)

    def test_required_columns_are_asked_only_in_filled_rows(self, client, childcare):
        data = {**locations(1), "locations-1-address": "Kerkstraat 2"}
        page = post(client, step_url(childcare, "locations"), data).get_data(as_text=True)
        assert "Locaties, rij 2, Gemeente – Vul dit veld in." in page
        assert "rij 1, Gemeente" not in page


def colleague(app, people):
    """A second member of the applicant's organisation, in a client of their own."""
    from types import SimpleNamespace

    from ldapply.models import User
    from ldapply.services import accounts
    from tests.support import PASSWORD

    with app.app_context():
        organisation = db.session.get(User, people.applicant.id).memberships[0].organisation
        user = accounts.create_user(email="cas@a.be", name="Cas Colleman", password=PASSWORD, organisation=organisation)
        db.session.commit()
        return SimpleNamespace(id=user.id, email=user.email, name=user.name)


def fingerprint_on(page: str) -> str:
    return re.search(r'name="step_fingerprint"[^>]*value="([0-9a-f.]+)"', page).group(1)


class TestTwoPeopleSavingAtOnce:
    def test_the_second_save_is_refused_shows_the_other_answers_and_can_then_overwrite(
        self, app, client, people, draft
    ):
        other = app.test_client()
        login(other, colleague(app, people))
        mine = fingerprint_on(client.get(step_url(draft, "staffing")).get_data(as_text=True))
        theirs = fingerprint_on(other.get(step_url(draft, "staffing")).get_data(as_text=True))
        assert mine == theirs
        their_answers = {**STEP_ANSWERS["staffing"], "target_group_fte": "4", "step_fingerprint": theirs}
        assert post(other, step_url(draft, "staffing"), their_answers).status_code == 302

        my_answers = {**STEP_ANSWERS["staffing"], "target_group_fte": "8,5", "step_fingerprint": mine}
        response = post(client, step_url(draft, "staffing"), my_answers)
        page = response.get_data(as_text=True)
        assert response.status_code == 409
        assert "Iemand anders heeft deze stap intussen gewijzigd" in page
        assert "Cas Colleman heeft deze stap opgeslagen op" in page
        assert "Uw antwoorden zijn nog niet bewaard." in page
        assert 'value="8,5"' in page  # what I typed
        assert "Nu bewaard door Cas Colleman:</strong> 4" in page  # what they saved
        assert stored_answers(app, draft)["target_group_fte"] == "4"

        again = {**my_answers, "step_fingerprint": fingerprint_on(page)}
        assert post(client, step_url(draft, "staffing"), again).status_code == 302
        assert stored_answers(app, draft)["target_group_fte"] == "8.5"

    def test_every_save_records_who_changed_the_step_and_when(self, app, client, people, draft):
        post(client, step_url(draft, "staffing"), STEP_ANSWERS["staffing"])
        with app.app_context():
            change = db.session.get(Application, draft).step_changes["staffing"]
        assert change["by"] == str(people.applicant.id)
        assert change["by_name"] == people.applicant.name
        assert change["at"].startswith(str(datetime.now(UTC).year))

    def test_saving_another_step_meanwhile_is_no_conflict(self, app, client, people, draft):
        other = app.test_client()
        login(other, colleague(app, people))
        mine = fingerprint_on(client.get(step_url(draft, "staffing")).get_data(as_text=True))
        assert post(other, step_url(draft, "service"), STEP_ANSWERS["service"]).status_code == 302
        answers = {**STEP_ANSWERS["staffing"], "step_fingerprint": mine}
        assert post(client, step_url(draft, "staffing"), answers).status_code == 302


@contextlib.contextmanager
def counting_statements(app) -> Iterator[list[str]]:
    """Every SQL statement the app sends while the block runs."""
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def prepared_childcare(app, client, rows: int, files: int):
    """A childcare draft whose locations step holds `rows` rows and whose safety step `files` uploads."""
    from ldapply.models import User
    from ldapply.services.uploads import store_upload, upload_reference
    from tests.support import minimal_pdf

    draft = start_application(client, "childcare")
    with app.app_context():
        application = db.session.get(Application, draft)
        user = db.session.get(User, application.created_by_id)
        refs = []
        for number in range(files):
            upload, _stored = store_upload(
                application=application,
                field_name="fire_safety_certificate",
                stream=BytesIO(minimal_pdf(f"attest {number}")),
                filename=f"attest-{number}.pdf",
                kinds=("pdf",),
                actor=user,
            )
            refs.append(upload_reference(upload))
        stored_rows = [
            {"address": f"Straat {i + 1}", "municipality": "Leuven", "places": "14", "age_group": "0_3"}
            for i in range(rows)
        ]
        application.answers = {
            **application.answers,
            "locations": stored_rows,
            "local_need": "Nodig.",
            "fire_safety_certificate": refs,
            "quality_handbook": True,
        }
        db.session.commit()
    return draft


def statements_for_pages(app, client, rows: int, files: int) -> dict[str, int]:
    draft = prepared_childcare(app, client, rows, files)
    counts = {}
    for name, slug in (("locations", "locations"), ("safety", "safety")):
        url = step_url(draft, slug)
        with counting_statements(app) as statements:
            assert client.get(url).status_code == 200
        counts[f"GET {name}"] = len(statements)
        token = csrf_token(client, url)
        data = locations(rows) if slug == "locations" else {"quality_handbook": "yes"}
        with counting_statements(app) as statements:
            response = client.post(url, data={**data, "csrf_token": token})
            assert response.status_code == 302, response.get_data(as_text=True)
        counts[f"POST {name}"] = len(statements)
    with counting_statements(app) as statements:
        assert client.get(f"/applications/{draft}/check").status_code == 200
    counts["GET check"] = len(statements)
    return counts


# Quality target P4: at most 3 statements for a form step, 5 for any page. Every page pays 1 for the session's
# user (with its memberships and roles, one joined query) and 1 for the application; saving a step adds
# its UPDATE (the answers just saved are not read back); the check page of a draft adds the signatories.
PAGE_STATEMENTS = {
    "GET locations": 2,
    "POST locations": 3,
    "GET safety": 2,
    "POST safety": 3,
    "GET check": 3,
}


class TestStatementBound:
    """The step pages and the check page cost the same number of SQL statements however many rows and files."""

    def test_10_and_200_rows_and_1_and_10_files_cost_the_same(self, app, client, people):
        login(client, people.applicant)
        small = statements_for_pages(app, client, rows=10, files=1)
        large = statements_for_pages(app, client, rows=200, files=10)
        assert small == large == PAGE_STATEMENTS

    def test_choosing_several_files_at_once_costs_one_insert(self, app, client, people):
        login(client, people.applicant)
        counts = []
        for files in (2, 6):
            draft = start_application(client)
            url = step_url(draft, "attachments")
            token = csrf_token(client, url)
            chosen = [(BytesIO(minimal_pdf(f"deel {n}")), f"deel-{n}.pdf") for n in range(files)]
            with counting_statements(app) as statements:
                data = {"business_plan": chosen[:5], "csrf_token": token}
                response = client.post(url, data=data, content_type="multipart/form-data")
                assert response.status_code == 302, response.get_data(as_text=True)
            counts.append(len(statements))
        assert counts[0] == counts[1]


class TestAdditionsForSomeQuestionsOfAStep:
    def test_only_the_questions_asked_change_the_rest_of_the_step_stays_as_submitted(self, app, client, people):
        from tests.support import act, submitted_application

        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        act(client, application_id, "start_admissibility")
        response = act(
            client,
            application_id,
            "request_additions",
            "Hoeveel VTE?",
            items="target_group_fte",
            **{"message-target_group_fte": "Hoeveel VTE?"},
        )
        assert response.status_code == 302
        login(client, people.applicant)
        page = client.get(step_url(application_id, "staffing")).get_data(as_text=True)
        assert 'name="target_group_fte"' in page
        assert 'name="guidance_plan"' not in page  # shown, not asked
        assert "Een begeleider per vijf werknemers." in page
        assert "Blijft zoals ingediend" in page
        changed = {"target_group_fte": "7", "guidance_plan": "Geprobeerd te wijzigen."}
        assert post(client, step_url(application_id, "staffing"), changed).status_code == 302
        answers = stored_answers(app, application_id)
        assert answers["target_group_fte"] == "7"
        assert answers["guidance_plan"] == "Een begeleider per vijf werknemers."


class TestOwnSaves:
    def test_a_double_click_on_save_is_no_conflict(self, app, client, draft):
        loaded = fingerprint_on(client.get(step_url(draft, "staffing")).get_data(as_text=True))
        answers = {**STEP_ANSWERS["staffing"], "step_fingerprint": loaded}
        assert post(client, step_url(draft, "staffing"), answers).status_code == 302
        assert post(client, step_url(draft, "staffing"), answers).status_code == 302
        assert stored_answers(app, draft)["target_group_fte"] == "6.5"

    def test_a_save_that_loses_the_race_to_another_looks_again_and_saves(self, app, client, draft):
        """The version check catches a save committed between our check and our write; the step is looked at
        again and, changed by nobody else, saved."""
        from sqlalchemy.orm.attributes import set_committed_value

        from ldapply.models import User
        from ldapply.services import applications, steps
        from ldapply.workflows import get_regime

        step = get_regime("general").step("staffing")
        with app.test_request_context():
            application = db.session.get(Application, draft)
            actor = db.session.get(User, application.created_by_id)
            loaded = steps.loaded_token(application, step)
            set_committed_value(application, "version", application.version - 1)  # as if another save came first
            answers = {"target_group_fte": "3", "supervisory_fte": "1", "guidance_plan": "x", "participation_plan": "y"}
            applications.save_step(application=application, step=step, answers=answers, actor=actor, loaded=loaded)
        assert stored_answers(app, draft)["target_group_fte"] == "3"


class TestGroupColumnHints:
    def test_a_column_hint_is_shown_in_the_header_and_describes_every_cell_of_the_column(self, app):
        from flask import render_template_string

        from ldapply.forms.builder import build_step_form
        from ldapply.workflows import _fields as f
        from ldapply.workflows._spec import Step, Text

        costs = f.group(
            "costs",
            "Kosten",
            "Costs",
            f.text("what", "Wat", "What", hint=("Kort omschreven", "Briefly")),
            f.text("note", "Opmerking", "Note", required=False),
            min_items=2,
            max_items=5,
        )
        step = Step("t", Text("T", "T"), fields=(costs,))
        with app.test_request_context():
            form = build_step_form(step, {})()
            html = render_template_string(
                '{% from "macros/forms.html" import group_field %}{{ group_field(form.costs, spec) }}',
                form=form,
                spec=costs,
            )
        assert '<span class="hint" id="costs-what-hint">Kort omschreven</span>' in html
        assert html.count('aria-describedby="costs-what-hint"') == 2  # both rows
        assert 'id="costs-note-hint"' not in html
