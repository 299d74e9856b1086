"""The applicant's journey pages, in-process: pre-check, dashboard, task list, check and submission,
the status page after submission, additions item by item, objections, and their query bounds."""

from __future__ import annotations

import hashlib
import io
import re
import uuid
from datetime import timedelta
from types import SimpleNamespace

from pypdf import PdfReader

from ldapply.clock import local_date
from ldapply.extensions import db
from ldapply.i18n import format_day
from ldapply.models import Application, ApplicationEvent, Letter, Membership, Organisation, Upload
from ldapply.services import accounts, applications, eligibility
from ldapply.tasks import render_letter
from ldapply.workflows import REGIMES
from tests.support import (
    PASSWORD,
    STEP_ANSWERS,
    act,
    count_statements,
    csrf_token,
    fill_steps,
    login,
    minimal_pdf,
    post,
    start_application,
    submit,
    submitted_application,
    to_review,
)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


# -- the pre-check ---------------------------------------------------------------------------------


CARETAKERS_PARTNER = {
    "has_other_activities": "no",
    "applicant_type": "partner",
    "shm_name": "Volkshaard cvba",
    "caretaker_fte": "3",
}


class TestPrecheck:
    def test_a_partner_organisation_is_not_told_not_met_for_an_upload_the_check_cannot_ask(self, client):
        response = post(client, "/regimes/caretakers/precheck", CARETAKERS_PARTNER)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Dat hangt af van het oordeel van de behandelaar over" in html
        assert "De aanvrager is een SHM of werkt samen met een SHM" in html
        assert REGIMES["caretakers"].field("partnership_agreement").label.nl in html  # what the reviewer reads it from
        assert "Niet vervuld" not in html
        assert "ontbreekt" not in html

    def test_the_service_leaves_a_check_that_reads_an_unasked_upload_to_the_reviewer(self):
        regime = REGIMES["caretakers"]
        answers = {**CARETAKERS_PARTNER, "has_other_activities": False}
        result = {r.condition.code: r for r in eligibility.evaluate(regime, answers)}
        assert result["shm_involved"].outcome is eligibility.Outcome.DEPENDS
        assert result["shm_involved"].finding is None
        assert eligibility.overall(regime, answers).verdict is eligibility.Verdict.DEPENDS

    def test_a_housing_company_is_likely_eligible(self, client):
        answers = {**CARETAKERS_PARTNER, "applicant_type": "shm"}
        html = post(client, "/regimes/caretakers/precheck", answers).get_data(as_text=True)
        assert "U komt waarschijnlijk in aanmerking." in html
        assert "De behandelaar beoordeelt daarnaast altijd zelf" in html

    def test_too_few_workers_is_not_eligible_naming_the_condition_and_the_norm_without_parameter_names(self, client):
        answers = {"has_other_activities": "no", "target_group_fte": "2"}
        html = post(client, "/regimes/general/precheck", answers).get_data(as_text=True)
        assert "U komt niet in aanmerking, omdat:" in html
        assert "Er worden voldoende doelgroepwerknemers tewerkgesteld" in html
        assert "2 VTE doelgroepwerknemers ligt onder het minimum van 5 VTE" in html
        assert "Norm: 5 VTE doelgroepwerknemers per jaar." in html
        assert "regel van de administratie zelf, geen wettelijke norm" in html
        for parameter in REGIMES["general"].parameters:
            assert parameter.name not in html

    def test_a_member_starts_an_application_with_the_answers_and_the_call(self, app, client, people):
        login(client, people.applicant)
        html = post(client, "/regimes/general/precheck", {"has_other_activities": "no", "target_group_fte": "6,5"})
        html = html.get_data(as_text=True)
        assert "Aanvraag starten met deze antwoorden" in html
        call = re.search(r'id="call-general" name="call">\s*<option value="([^"]+)"', html).group(1)
        response = post(client, "/applications", {"regime": "general", "call": call, "from_precheck": "1"})
        assert response.status_code == 302
        application_id = uuid.UUID(response.headers["Location"].rsplit("/", 1)[-1])
        with app.app_context():
            application = db.session.get(Application, application_id)
            assert application.answers["target_group_fte"] == "6.5"
            assert application.answers["has_other_activities"] is False
            assert str(application.call_id) == call
        overview = page(client, f"/applications/{application_id}")
        assert "Bezig" in overview  # the steps with answers from the check are in progress

    def test_an_anonymous_visitor_keeps_the_answers_through_login(self, app, client, people):
        html = post(
            client,
            "/regimes/childcare/precheck",
            {"has_other_activities": "no", "target_group_fte": "3", "kg_status": "granted", "kg_date": "2026-01-15"},
        )
        html = html.get_data(as_text=True)
        assert "Aanmelden en de aanvraag starten" in html
        start = "/regimes/childcare/precheck/start"
        response = client.post(
            f"/login?next={start}",
            data={"email": people.applicant.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
        )
        assert response.headers["Location"] == start
        summary = page(client, start)
        assert "Aanvraag starten met uw antwoorden" in summary
        post(client, "/applications", {"regime": "childcare", "from_precheck": "1"})
        with app.app_context():
            application = db.session.scalar(db.select(Application))
            assert application.answers["kg_status"] == "granted"
        assert "Aanvraag starten met die antwoorden" not in page(client, "/")  # used up


# -- the dashboard and drafts ----------------------------------------------------------------------


def add_member(app, people, *, signatory: bool, email: str = "pieter@a.be", name: str = "Pieter") -> None:
    """A colleague in the applicant's organisation: a preparer unless `signatory`."""
    with app.app_context():
        organisation = db.session.scalar(db.select(Organisation).where(Organisation.name == "Buurtwerk De Brug vzw"))
        accounts.create_user(
            email=email, name=name, password=PASSWORD, organisation=organisation, is_admin=False, is_signatory=signatory
        )
        db.session.commit()


class TestDashboard:
    def test_a_draft_is_named_and_deleted_after_confirmation_with_its_uploads(self, app, client, people):
        login(client, people.applicant)
        application_id = start_application(client)
        fill_steps(client, application_id)
        response = post(client, f"/applications/{application_id}/name", {"name": "Fietspunt station 2027"})
        assert response.status_code == 302
        home = page(client, "/")
        assert "Fietspunt station 2027" in home
        assert f"/applications/{application_id}/delete" in home
        with app.app_context():
            keys = list(db.session.scalars(db.select(Upload.storage_key)))
        assert keys
        assert all((app.config["STORAGE_DIR"] / key).exists() for key in keys)

        confirm = page(client, f"/applications/{application_id}/delete")
        assert "Aanvraag verwijderen?" in confirm
        response = post(client, f"/applications/{application_id}/delete")
        assert response.status_code == 302
        with app.app_context():
            assert db.session.get(Application, application_id) is None
            assert db.session.scalar(db.select(db.func.count(Upload.id))) == 0
        assert not any((app.config["STORAGE_DIR"] / key).exists() for key in keys)

    def test_a_submitted_application_cannot_be_deleted(self, app, client, people):
        application_id = submitted_application(client, people)
        response = post(client, f"/applications/{application_id}/delete")
        assert response.status_code == 302
        with app.app_context():
            assert db.session.get(Application, application_id) is not None

    def test_what_needs_action_comes_first_with_its_due_date(self, app, client, people):
        application_id = submitted_application(client, people)
        start_application(client)  # a draft besides
        login(client, people.reviewer)
        act(client, application_id, "start_admissibility")
        assert act(client, application_id, "request_additions", "Voeg het collegebesluit toe.").status_code == 302
        login(client, people.applicant)
        home = page(client, "/")
        assert home.index("Wat uw actie vraagt") < home.index("Concepten")
        assert "Aanvulling gevraagd: vul aan en dien de aanvulling in" in home
        with app.app_context():
            asked = db.session.scalar(
                db.select(ApplicationEvent.created_at).where(ApplicationEvent.action == "request_additions")
            )
        with app.test_request_context():
            expected = format_day(local_date(asked) + timedelta(days=30))
        assert f"tot en met {expected}" in home

    def test_the_dashboard_shows_only_the_organisation_acted_for(self, app, client, people):
        application_id = submitted_application(client, people)
        with app.app_context():
            other = db.session.scalar(db.select(Organisation).where(Organisation.name == "Andere Organisatie vzw"))
            db.session.add(Membership(user_id=people.applicant.id, organisation_id=other.id, is_signatory=True))
            db.session.commit()
            other_id = other.id
        reference = db_reference(app, application_id)
        assert reference in page(client, "/")
        with client.session_transaction() as session:
            session["organisation_id"] = str(other_id)
        assert reference not in page(client, "/")


def db_reference(app, application_id) -> str:
    with app.app_context():
        return db.session.get(Application, application_id).reference


# -- the task list ---------------------------------------------------------------------------------


class TestTaskList:
    def test_steps_after_the_application_type_cannot_start_until_it_is_chosen(self, app, client, people):
        login(client, people.applicant)
        application_id = start_application(client)
        html = page(client, f"/applications/{application_id}")
        assert "Kan nog niet starten" in html
        assert "Vul eerst in: Soort aanvraag" in html
        with app.app_context():
            rows = applications.step_rows(db.session.get(Application, application_id))
        statuses = {row.step.slug: row.status for row in rows}
        assert statuses["organisation"] == applications.StepStatus.NOT_STARTED
        assert statuses["application_type"] == applications.StepStatus.NOT_STARTED
        assert statuses["service"] == applications.StepStatus.CANNOT_START
        assert "Oproep" in html
        assert "indienen tot en met" in html

    def test_a_completed_step_shows_who_changed_it_last(self, app, client, people):
        login(client, people.applicant)
        application_id = start_application(client)
        fill_steps(client, application_id)
        html = page(client, f"/applications/{application_id}")
        assert "Laatst gewijzigd door An" in html
        assert "Kan nog niet starten" not in html
        with app.app_context():
            rows = applications.step_rows(db.session.get(Application, application_id))
        assert {row.status for row in rows} == {applications.StepStatus.COMPLETED}


# -- check answers and submission ------------------------------------------------------------------


class TestSubmission:
    def test_a_preparer_marks_ready_and_only_a_signatory_submits(self, app, client, people):
        add_member(app, people, signatory=False)
        login(client, people.applicant)
        application_id = start_application(client)
        fill_steps(client, application_id)
        client.post("/logout", data={"csrf_token": csrf_token(client)})
        login(client, SimpleNamespace(email="pieter@a.be"))

        check = page(client, f"/applications/{application_id}/check")
        assert "Ik verklaar" not in check
        assert "Dat kan: An." in check
        assert f"/applications/{application_id}/steps/organisation#organisation_name" in check  # Wijzigen, to the field

        refused = submit(client, application_id)
        assert refused.status_code == 403
        assert "Alleen een gemachtigde ondertekenaar" in refused.get_data(as_text=True)
        assert post(client, f"/applications/{application_id}/ready").status_code == 302
        with app.app_context():
            application = db.session.get(Application, application_id)
            assert application.submitted_at is None
            assert application.ready_at is not None

        client.post("/logout", data={"csrf_token": csrf_token(client)})
        login(client, people.applicant)
        home = page(client, "/")
        assert "Klaar voor ondertekening: controleer en dien in" in home
        assert home.index("Wat uw actie vraagt") < home.index("Concepten")
        check = page(client, f"/applications/{application_id}/check")
        assert "gemarkeerd door Pieter" in check
        assert submit(client, application_id).status_code == 302

    def test_the_declaration_left_unticked_is_named_beside_the_box_and_read_with_it(self, client, people):
        login(client, people.applicant)
        application_id = start_application(client)
        fill_steps(client, application_id)
        refused = post(client, f"/applications/{application_id}/submit", {})
        html = refused.get_data(as_text=True)
        assert refused.status_code == 400
        assert '<p class="error-message" id="declaration-error">Bevestig de verklaring' in html
        box = re.search(r'<input[^>]*id="declaration"[^>]*>', html).group(0)
        assert 'aria-describedby="declaration-error"' in box
        assert 'aria-invalid="true"' in box
        assert 'href="#declaration"' in html  # the error summary leads to the box

    def test_a_change_after_the_ready_mark_clears_it(self, app, client, people):
        login(client, people.applicant)
        application_id = start_application(client)
        fill_steps(client, application_id)
        post(client, f"/applications/{application_id}/ready")
        with app.app_context():
            assert applications.is_ready(db.session.get(Application, application_id))
            application = db.session.get(Application, application_id)
            application.ready_at = application.ready_at - timedelta(minutes=5)
            db.session.commit()
        fill_steps(client, application_id)  # saves every step again
        with app.app_context():
            assert not applications.is_ready(db.session.get(Application, application_id))

    def test_submitting_twice_gives_one_receipt_and_the_confirmation_page(self, app, client, people):
        login(client, people.applicant)
        application_id = start_application(client)
        fill_steps(client, application_id)
        first, second = submit(client, application_id), submit(client, application_id)
        target = f"/applications/{application_id}/submitted"
        assert first.status_code == second.status_code == 302
        assert first.headers["Location"] == second.headers["Location"] == target
        with app.app_context():
            assert db.session.scalar(db.select(db.func.count(Letter.id))) == 1
            assert db.session.scalar(db.select(db.func.count(ApplicationEvent.id))) == 1
        html = page(client, target)
        assert "Uw aanvraag is ingediend" in html
        assert db_reference(app, application_id) in html
        assert "volledig en ontvankelijk is, uiterlijk op" in html
        assert "7 kalenderdagen na het indienen" in html
        assert "een termijn die de administratie zelf hanteert" in html

    def test_the_receipt_lists_each_attachment_with_its_sha256_and_the_time_of_submission(self, app, client, people):
        data = minimal_pdf("Collegebesluit")
        login(client, people.applicant)
        application_id = start_application(client)
        fill_steps(client, application_id, pdf=data)
        submit(client, application_id)
        with app.app_context():
            letter = db.session.scalar(db.select(Letter))
            render_letter(str(letter.id))
            db.session.refresh(letter)
            pdf = (app.config["STORAGE_DIR"] / letter.storage_key).read_bytes()
            context = letter.context
        assert [a["filename"] for a in context["attachments"]] == ["commission_decision.pdf", "business_plan.pdf"]
        digest = hashlib.sha256(data).hexdigest()
        assert all(a["sha256"] == digest for a in context["attachments"])
        text = pdf_text(pdf).replace("\n", "")
        assert "commission_decision.pdf" in text
        assert "business_plan.pdf" in text
        assert digest in text
        assert context["submitted_at"] in pdf_text(pdf).replace("\n", " ")


# -- after submission ------------------------------------------------------------------------------


class TestAfterSubmission:
    def test_the_status_page_says_whose_move_it_is_and_keeps_internal_notes_out(self, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        response = post(
            client,
            f"/backoffice/applications/{application_id}/actions/start_admissibility",
            {"note": "INTERN-GEHEIM: bel de stad"},
        )
        assert response.status_code == 302
        login(client, people.applicant)
        html = page(client, f"/applications/{application_id}")
        assert "aan de administratie" in html
        assert "Verloop van uw dossier" in html
        assert "INTERN-GEHEIM" not in html

    def test_letter_statuses_come_as_json_for_members_only(self, app, client, people):
        application_id = submitted_application(client, people)
        data = client.get(f"/applications/{application_id}/letters.json").get_json()
        assert data["pending"] is True
        assert [letter["status"] for letter in data["letters"]] == ["pending"]
        assert "Vernieuwen" in page(client, f"/applications/{application_id}")
        with app.app_context():
            render_letter(str(db.session.scalar(db.select(Letter.id))))
        data = client.get(f"/applications/{application_id}/letters.json").get_json()
        assert data["pending"] is False
        assert data["letters"][0]["url"].endswith(data["letters"][0]["id"])
        login(client, people.other_applicant)
        assert client.get(f"/applications/{application_id}/letters.json").status_code == 404

    def test_a_new_decision_shows_a_banner_until_its_letter_is_opened(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        to_review(client, application_id, met=True)
        act(client, application_id, "propose_grant", "Voldoet aan alle voorwaarden.")
        login(client, people.decision_maker)
        assert act(client, application_id, "confirm_grant").status_code == 302
        with app.app_context():
            letter_id = db.session.scalar(db.select(Letter.id).where(Letter.kind == "decision_granted"))
            render_letter(str(letter_id))
        login(client, people.applicant)
        assert "Er is een beslissing over uw aanvraag" in page(client, "/")
        assert "Er is een beslissing over uw aanvraag" in page(client, f"/applications/{application_id}")
        assert client.get(f"/applications/{application_id}/letters/{letter_id}").status_code == 200
        assert "Er is een beslissing over uw aanvraag" not in page(client, "/")
        assert "Er is een beslissing over uw aanvraag" not in page(client, f"/applications/{application_id}")


# -- additions item by item ------------------------------------------------------------------------


class TestAdditions:
    def test_only_the_items_asked_are_unlocked_and_the_changes_are_marked_for_the_reviewer(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        act(client, application_id, "start_admissibility")
        case = page(client, f"/backoffice/applications/{application_id}")
        assert "/actions/request_additions/items" in case  # the request has a page of its own
        asking = page(client, f"/backoffice/applications/{application_id}/actions/request_additions/items")
        assert "Wat moet de aanvrager aanvullen?" in asking
        response = act(
            client,
            application_id,
            "request_additions",
            "Hoeveel begeleiders zijn er?",
            items="staffing",
            **{"message-staffing": "Hoeveel begeleiders zijn er?"},
        )
        assert response.status_code == 302
        with app.app_context():
            event = db.session.scalar(db.select(ApplicationEvent).where(ApplicationEvent.action == "request_additions"))
            assert event.items == ["staffing"]
            assert db.session.get(Application, application_id).unlocked == ["staffing"]

        login(client, people.applicant)
        overview = page(client, f"/applications/{application_id}")
        assert "Hoeveel begeleiders zijn er?" in overview
        assert "Aanvulling gevraagd" in overview
        assert "Zoals ingediend" in overview
        assert client.get(f"/applications/{application_id}/steps/budget").status_code == 302  # stays as submitted
        assert client.get(f"/applications/{application_id}/steps/staffing").status_code == 200
        staffing = {
            "target_group_fte": "7",
            "supervisory_fte": "1",
            "guidance_plan": "Twee begeleiders.",
            "participation_plan": "Een gebruikersraad twee keer per jaar.",
        }
        assert post(client, f"/applications/{application_id}/steps/staffing", staffing).status_code == 302
        check = page(client, f"/applications/{application_id}/check")
        assert "Aanvulling indienen" in check
        assert "Gewijzigd" in check
        response = post(client, f"/applications/{application_id}/actions/submit_additions")
        assert response.status_code == 302
        with app.app_context():
            application = db.session.get(Application, application_id)
            assert application.state == "admissibility_check"
            assert application.submitted_answers["target_group_fte"] == "7"
            hand_in = db.session.scalar(
                db.select(ApplicationEvent).where(ApplicationEvent.action == "submit_additions")
            )
            assert set(hand_in.items) == {"target_group_fte", "guidance_plan"}

        login(client, people.reviewer)
        case = page(client, f"/backoffice/applications/{application_id}/answers")
        answers = case[case.index(">Antwoorden</h2>") :]
        changed = answers[answers.index("Gevraagde VTE doelgroepwerknemers") :]
        assert "gewijzigd" in changed[: changed.index("</div>")]
        budget = answers[answers.index("Gebruikers") :]
        assert "gewijzigd" not in budget[: budget.index("</div>")]

    def test_a_question_asked_alone_leaves_the_rest_of_its_step_without_inputs_or_change_links(
        self, app, client, people
    ):
        login(client, people.applicant)
        application_id = start_application(client)
        fill_steps(client, application_id)
        organisation = {
            **STEP_ANSWERS["organisation"],
            "has_other_activities": "yes",
            "sui_generis_responsible": "Jan Peeters",
        }
        assert post(client, f"/applications/{application_id}/steps/organisation", organisation).status_code == 302
        assert submit(client, application_id).status_code == 302
        login(client, people.reviewer)
        act(client, application_id, "start_admissibility")
        assert (
            act(
                client,
                application_id,
                "request_additions",
                "Welke rechtsvorm?",
                items="legal_form",
                **{"message-legal_form": "Welke rechtsvorm?"},
            ).status_code
            == 302
        )

        login(client, people.applicant)
        step = page(client, f"/applications/{application_id}/steps/organisation")
        assert step.count('id="question-sui_generis_responsible"') == 1  # shown once, as submitted
        assert 'name="sui_generis_responsible"' not in step
        assert "Jan Peeters" in step
        assert 'name="legal_form"' in step
        check = page(client, f"/applications/{application_id}/check")
        assert f"/applications/{application_id}/steps/organisation#legal_form" in check
        for locked in ("organisation_name", "sui_generis_responsible", "has_other_activities"):
            assert f"/steps/organisation#{locked}" not in check, locked


# -- objections ------------------------------------------------------------------------------------


def refused_with_objection(app, client, people) -> uuid.UUID:
    """A refused application whose pinned parameters open an administrative objection, its decision letter
    made (the objection period counts from then)."""
    from tests.support import refuse_after_hearing

    application_id = submitted_application(client, people)
    login(client, people.reviewer)
    to_review(client, application_id, met=False)
    assert refuse_after_hearing(client, people, application_id).status_code == 302
    with app.app_context():
        application = db.session.get(Application, application_id)
        application.parameters = {**application.parameters, "objection_enabled": True, "objection_days": 30}
        db.session.commit()
        render_letter(str(db.session.scalar(db.select(Letter.id).where(Letter.kind == "decision_refused"))))
    login(client, people.applicant)
    return application_id


class TestObjection:
    def test_an_objection_within_the_period_comes_with_its_motivation_and_attachments(self, app, client, people):
        application_id = refused_with_objection(app, client, people)
        html = page(client, f"/applications/{application_id}")
        assert "U kunt bezwaar indienen tot en met" in html
        files = [(io.BytesIO(minimal_pdf("Bewijs")), f"bewijs-{n}.pdf") for n in range(2)]
        response = post(
            client,
            f"/applications/{application_id}/actions/lodge_objection",
            {"comment": "De stad besliste intussen; zie bijlage.", "files": files},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        with app.app_context():  # the objection is a case of its own; the refusal stays as it is
            assert db.session.get(Application, application_id).state == "refused"
            event = db.session.scalar(db.select(ApplicationEvent).where(ApplicationEvent.action == "lodge_objection"))
            objection = db.session.get(Application, event.application_id)
            assert (objection.objection_of_id, objection.state) == (application_id, "objection_lodged")
            names = set(db.session.scalars(db.select(Upload.filename).where(Upload.event_id == event.id)))
        assert names == {"bewijs-0.pdf", "bewijs-1.pdf"}
        assert response.headers["Location"].endswith(f"/applications/{objection.id}")

    def test_no_objection_after_the_period(self, app, client, people):
        application_id = refused_with_objection(app, client, people)
        with app.app_context():
            letter = db.session.scalar(db.select(Letter).where(Letter.kind == "decision_refused"))
            letter.rendered_at = letter.rendered_at - timedelta(days=40)  # the period counts from the letter
            db.session.commit()
        assert "Bezwaar indienen" not in page(client, f"/applications/{application_id}")
        response = post(client, f"/applications/{application_id}/actions/lodge_objection", {"comment": "Te laat."})
        assert response.status_code == 409
        with app.app_context():
            assert db.session.get(Application, application_id).state == "refused"


# -- a bounded number of queries -------------------------------------------------------------------


def grow(app, application_id, count: int) -> None:
    """Give the application `count` events, letters and uploads (as a long life in the procedure would)."""
    from ldapply.clock import utcnow

    with app.app_context():
        application = db.session.get(Application, application_id)
        for n in range(count):
            event = ApplicationEvent(
                application_id=application.id,
                actor_id=None,
                action="start_admissibility",
                from_state="submitted",
                to_state="submitted",
                created_at=utcnow() - timedelta(seconds=count - n),
            )
            db.session.add(event)
            db.session.flush()
            db.session.add(
                Letter(
                    application_id=application.id,
                    event_id=event.id,
                    kind="receipt",
                    regime_code="general",
                    regime_version=1,
                    status="rendered",
                    context={},
                    rendered_at=utcnow(),
                )
            )
            db.session.add(
                Upload(
                    application_id=application.id,
                    field_name="hearing_response",
                    filename=f"f{n}.pdf",
                    content_type="application/pdf",
                    size=10,
                    sha256="0" * 64,
                    storage_key=f"uploads/{application.id}/{uuid.uuid4()}",
                    uploaded_by_id=application.created_by_id,
                    event_id=event.id,
                )
            )
        db.session.commit()


# Quality target P4: at most 5 statements on any page. Every page pays 1 for the session's user (its
# memberships and roles in the same joined query) and 1 for what it shows (the application, or the list);
# the dashboard adds when each application entered its state and the letters (the open calls it offers are
# kept for a few seconds, memo.for_display: read by the warm-up visit); the task list adds the
# history, the letters and the files of moves; the confirmation page its letters.
DASHBOARD_STATEMENTS = 4
OVERVIEW_STATEMENTS = 5
SUBMITTED_CHECK_STATEMENTS = 2
CONFIRMATION_STATEMENTS = 3
# A decided application's task list offers the objection, whose guard reads the case's facts: the
# reviewer's verdicts (assessment.facts_for; the decision that granted only for a recognition held, which a
# refused case is not), 1 more; its period counts from
# when the decision letter was made (transitions.objection_start), 1 more; whether an objection was lodged
# against the decision already (objections.lodged_refusal), 1 more; and the objection cases linked to it that
# the page lists (objections.linked_cases), 1 more.
DECIDED_OVERVIEW_STATEMENTS = 9


def statements_of(app, client, url: str) -> int:
    client.get(url)  # warm: what a first visit caches is no part of the bound
    with count_statements(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def more_applications(app, application_id, count: int) -> None:
    """`count` copies of the application for its organisation, each with an event and a letter; every
    other one a draft marked ready for signature (the dashboard's to-do for a signatory)."""
    from ldapply.clock import utcnow

    with app.app_context():
        source = db.session.get(Application, application_id)
        initial = REGIMES[source.regime_code].initial_state
        for n in range(count):
            draft = n % 2 == 0
            copy = Application(
                reference=f"{source.reference}-{n}",
                organisation_id=source.organisation_id,
                regime_code=source.regime_code,
                regime_version=source.regime_version,
                state=initial if draft else source.state,
                answers=dict(source.answers),
                submitted_answers=None if draft else dict(source.answers),
                created_by_id=source.created_by_id,
                submitted_at=None if draft else source.submitted_at,
                parameters=None if draft else source.parameters,
                call_id=source.call_id,
                ready_at=utcnow() if draft else None,
                ready_by_id=source.created_by_id if draft else None,
            )
            db.session.add(copy)
            db.session.flush()
            event = ApplicationEvent(
                application_id=copy.id,
                actor_id=source.created_by_id,
                action="submit",
                from_state=initial,
                to_state=copy.state,
                created_at=utcnow(),
            )
            db.session.add(event)
            db.session.flush()
            db.session.add(
                Letter(
                    application_id=copy.id,
                    event_id=event.id,
                    kind="receipt",
                    regime_code=copy.regime_code,
                    regime_version=copy.regime_version,
                    status="rendered",
                    context={},
                    rendered_at=utcnow(),
                )
            )
        db.session.commit()


def clear_applications(app) -> None:
    with app.app_context():
        for table in (Upload, Letter, ApplicationEvent, Application):
            db.session.execute(db.delete(table))
        db.session.commit()


def test_the_dashboard_costs_the_same_statements_for_10_and_200_applications(app, client, people):
    counts = []
    for size in (10, 200):
        application_id = submitted_application(client, people)
        more_applications(app, application_id, size - 1)
        counts.append(statements_of(app, client, "/"))
        clear_applications(app)
    assert counts == [DASHBOARD_STATEMENTS] * 2


def test_the_task_list_costs_the_same_statements_for_10_and_200_events_letters_and_uploads(app, client, people):
    counts = []
    for size in (10, 200):
        application_id = submitted_application(client, people)
        grow(app, application_id, size)
        counts.append(statements_of(app, client, f"/applications/{application_id}"))
        clear_applications(app)
    assert counts == [OVERVIEW_STATEMENTS] * 2


def test_the_submitted_check_page_and_the_confirmation_stay_within_the_bound(app, client, people):
    application_id = submitted_application(client, people)
    grow(app, application_id, 20)
    assert statements_of(app, client, f"/applications/{application_id}/check") == SUBMITTED_CHECK_STATEMENTS
    assert statements_of(app, client, f"/applications/{application_id}/submitted") == CONFIRMATION_STATEMENTS


def test_a_decided_task_list_reads_the_facts_of_its_objection_once(app, client, people):
    application_id = refused_with_objection(app, client, people)
    assert "Bezwaar indienen" in page(client, f"/applications/{application_id}")
    assert statements_of(app, client, f"/applications/{application_id}") == DECIDED_OVERVIEW_STATEMENTS
