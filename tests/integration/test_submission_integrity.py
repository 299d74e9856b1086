"""What was handed in stays on record: files of a submission are never deleted, a save that loses the race
to a submission writes nothing, staff and letters read what was handed in, the receipt and the case page
list the same files, a hand-in of additions has its own receipt, and only a signatory hands it in."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace

import pytest
from sqlalchemy import event, update

from ldapply.clock import utcnow
from ldapply.extensions import db
from ldapply.forms.kinds import file_references
from ldapply.models import Application, ApplicationEvent, Call, Letter, Membership, Upload, User
from ldapply.services import accounts, applications, assessment, letters, steps
from ldapply.services.calls import usage
from ldapply.services.errors import StepIncomplete
from ldapply.services.storage import get_storage
from ldapply.services.uploads import clean_staged_uploads
from ldapply.tasks import render_letter
from ldapply.workflows import get_regime
from tests.support import (
    PASSWORD,
    act,
    fill_steps,
    login,
    minimal_pdf,
    post,
    start_application,
    submit,
    submitted_application,
    to_review,
)


def step_url(application_id, slug: str) -> str:
    return f"/applications/{application_id}/steps/{slug}"


def additions_asked(client, people, items: str) -> uuid.UUID:
    """A submitted general application for which the reviewer asks additions of `items`; the client is the
    applicant again afterwards."""
    application_id = submitted_application(client, people)
    login(client, people.reviewer)
    assert act(client, application_id, "start_admissibility").status_code == 302
    response = act(
        client,
        application_id,
        "request_additions",
        "Vervang het ondernemingsplan.",
        items=items,
        **{f"message-{items}": "Vervang het ondernemingsplan."},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    login(client, people.applicant)
    return application_id


def references(app, application_id, name: str) -> list[dict]:
    with app.app_context():
        return file_references(db.session.get(Application, application_id).answers.get(name))


def event_of(action: str) -> ApplicationEvent:
    return db.session.scalar(db.select(ApplicationEvent).where(ApplicationEvent.action == action))


def stage(app, application_id, filename: str) -> uuid.UUID:
    """A file chosen on the attachments step and never saved (the person left the page)."""
    step = get_regime("general").step("attachments")
    with app.test_request_context():
        application = db.session.get(Application, application_id)
        actor = db.session.get(User, application.created_by_id)
        chosen = {"business_plan": [(BytesIO(minimal_pdf(filename)), filename)]}
        files = steps.stage_chosen(application, step, chosen, steps.StepFiles(), actor)
        return files.staged["business_plan"][0].id


def replace_business_plan(client, app, application_id) -> dict:
    """During additions: remove the business plan handed in and choose another; returns the removed reference."""
    (first,) = references(app, application_id, "business_plan")
    url = f"{step_url(application_id, 'attachments')}/uploads/{first['upload_id']}/remove"
    assert post(client, url, {}).status_code == 200
    new = {"business_plan": (BytesIO(minimal_pdf("Nieuw plan")), "nieuw-plan.pdf")}
    response = post(client, step_url(application_id, "attachments"), new, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return first


class TestFilesOfASubmission:
    def test_a_file_replaced_during_additions_stays_on_record_after_the_hand_in_and_the_cleanup(
        self, app, client, people
    ):
        application_id = additions_asked(client, people, "attachments")
        first = replace_business_plan(client, app, application_id)
        assert post(client, f"/applications/{application_id}/actions/submit_additions").status_code == 302
        with app.app_context():
            assert clean_staged_uploads(utcnow() + timedelta(days=2)) == 0
            kept = db.session.get(Upload, uuid.UUID(first["upload_id"]))
            assert kept is not None, "the file handed in with the submission was deleted"
            assert hashlib.sha256(get_storage().get(kept.storage_key)).hexdigest() == first["sha256"]
            receipt = db.session.scalar(db.select(Letter).where(Letter.kind == "receipt"))
            assert first["sha256"] in [a["sha256"] for a in receipt.context["attachments"]]
            # each moment keeps its own version of the answers
            assert event_of("submit").answers["business_plan"] == [first]
            handed_in = file_references(event_of("submit_additions").answers["business_plan"])
            assert [ref["filename"] for ref in handed_in] == ["nieuw-plan.pdf"]
        login(client, people.reviewer)
        download = client.get(f"/backoffice/applications/{application_id}/uploads/{first['upload_id']}")
        assert download.status_code == 200
        assert hashlib.sha256(download.data).hexdigest() == first["sha256"]

    def test_a_file_removed_from_a_submitted_application_is_detached_not_deleted(self, app, client, people):
        application_id = additions_asked(client, people, "attachments")
        (first,) = references(app, application_id, "business_plan")
        url = f"{step_url(application_id, 'attachments')}/uploads/{first['upload_id']}/remove"
        assert post(client, url, {}).status_code == 200
        assert references(app, application_id, "business_plan") == []
        with app.app_context():
            kept = db.session.get(Upload, uuid.UUID(first["upload_id"]))
            assert kept is not None
            assert get_storage().get(kept.storage_key)

    def test_a_file_chosen_during_additions_and_never_saved_is_still_cleaned_up(self, app, client, people):
        application_id = additions_asked(client, people, "attachments")
        stage(app, application_id, "vergeten.pdf")
        with app.app_context():
            assert db.session.scalar(db.select(db.func.count(Upload.id)).where(Upload.staged.is_(True))) == 1
            assert clean_staged_uploads(utcnow() + timedelta(days=2)) == 1
            names = set(db.session.scalars(db.select(Upload.filename)))
        assert "vergeten.pdf" not in names
        assert "business_plan.pdf" in names


class TestTheCleanup:
    def test_it_reads_only_staged_uploads_and_deletes_only_what_is_still_staged(self, app, client, people):
        login(client, people.applicant)
        draft = start_application(client)
        fill_steps(client, draft)
        stage(app, draft, "gekozen.pdf")
        statements: list[str] = []

        def record(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
            statements.append(statement)

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", record)
            try:
                assert clean_staged_uploads(utcnow() + timedelta(days=2)) == 1
            finally:
                event.remove(db.engine, "before_cursor_execute", record)
        reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        deletes = [s for s in statements if s.lstrip().upper().startswith("DELETE")]
        assert reads
        assert deletes
        assert all("staged" in s and "applications" not in s for s in reads), reads
        assert all("staged" in s for s in deletes), deletes

    def test_an_upload_attached_meanwhile_wins_over_the_cleanup(self, app, client, people):
        from ldapply.services.uploads import delete_staged

        login(client, people.applicant)
        draft = start_application(client)
        fill_steps(client, draft)
        with app.app_context():
            attached = db.session.scalar(db.select(Upload))
            assert attached.staged is False
            assert delete_staged([attached.id]) == []  # the guarded delete leaves an attached file alone
            db.session.commit()
            assert db.session.get(Upload, attached.id) is not None

    def test_a_staged_file_cleaned_up_before_the_save_is_not_saved_as_attached(self, app, client, people):
        from ldapply.services.uploads import StagedFile, delete_staged

        login(client, people.applicant)
        draft = start_application(client)
        stage(app, draft, "oud.pdf")
        step = get_regime("general").step("attachments")
        with app.test_request_context():
            upload = db.session.scalar(db.select(Upload))
            staged = StagedFile.of(upload)
            keys = delete_staged([upload.id])  # the hourly job, between the page and the save
            db.session.commit()
            assert keys == [staged.storage_key]
            application = db.session.get(Application, draft)
            actor = db.session.get(User, application.created_by_id)
            with pytest.raises(StepIncomplete):
                applications.save_step(
                    application=application, step=step, answers={}, actor=actor, staged={"business_plan": [staged]}
                )
            assert "business_plan" not in db.session.get(Application, draft).answers


class TestSaveLosingTheRaceToSubmission:
    def submit_behind_the_back(self, application_id) -> None:
        """A signatory's submission, committed by another connection after the page was read."""
        table = Application.__table__
        with db.engine.begin() as connection:
            connection.execute(
                update(table)
                .where(table.c.id == application_id)
                .values(state="submitted", submitted_at=utcnow(), version=table.c.version + 1)
            )

    def test_the_save_writes_nothing_into_the_submitted_application(self, app, client, people):
        login(client, people.applicant)
        draft = start_application(client)
        fill_steps(client, draft)
        step = get_regime("general").step("staffing")
        with app.test_request_context():
            application = db.session.get(Application, draft)
            actor = db.session.get(User, application.created_by_id)
            application.answers  # noqa: B018 (loaded as the page had it)
            self.submit_behind_the_back(draft)
            answers = {"target_group_fte": "3", "supervisory_fte": "1", "guidance_plan": "x", "participation_plan": "y"}
            with pytest.raises(StepIncomplete):
                applications.save_step(application=application, step=step, answers=answers, actor=actor)
        with app.app_context():
            assert db.session.get(Application, draft).answers["target_group_fte"] == "6.5"

    def test_removing_a_file_of_a_submitted_application_is_refused(self, app, client, people):
        application_id = submitted_application(client, people)
        step = get_regime("general").step("attachments")
        (first,) = references(app, application_id, "business_plan")
        with app.test_request_context():
            application = db.session.get(Application, application_id)
            actor = db.session.get(User, application.created_by_id)
            with pytest.raises(StepIncomplete):
                steps.remove_file(application, step, uuid.UUID(first["upload_id"]), actor)
        assert references(app, application_id, "business_plan") == [first]

    def test_removing_a_file_that_loses_a_race_looks_again_instead_of_failing(self, app, client, people):
        from sqlalchemy.orm.attributes import set_committed_value

        login(client, people.applicant)
        draft = start_application(client)
        fill_steps(client, draft)
        step = get_regime("general").step("attachments")
        (first,) = references(app, draft, "business_plan")
        with app.test_request_context():
            application = db.session.get(Application, draft)
            actor = db.session.get(User, application.created_by_id)
            set_committed_value(application, "version", application.version - 1)  # another save came first
            assert steps.remove_file(application, step, uuid.UUID(first["upload_id"]), actor) == "business_plan.pdf"
        assert references(app, draft, "business_plan") == []

    def test_removing_a_file_loses_the_race_to_the_submission_and_changes_nothing(self, app, client, people):
        login(client, people.applicant)
        draft = start_application(client)
        fill_steps(client, draft)
        step = get_regime("general").step("attachments")
        (first,) = references(app, draft, "business_plan")
        with app.test_request_context():
            application = db.session.get(Application, draft)
            actor = db.session.get(User, application.created_by_id)
            application.answers  # noqa: B018
            self.submit_behind_the_back(draft)
            with pytest.raises(StepIncomplete):
                steps.remove_file(application, step, uuid.UUID(first["upload_id"]), actor)
        assert references(app, draft, "business_plan") == [first]
        with app.app_context():
            assert db.session.get(Upload, uuid.UUID(first["upload_id"])) is not None


class TestStaffReadWhatWasHandedIn:
    def test_the_case_page_and_a_letter_do_not_show_edits_not_handed_in(self, app, client, people):
        application_id = additions_asked(client, people, "staffing")
        staffing = {
            "target_group_fte": "9",
            "supervisory_fte": "1",
            "guidance_plan": "Nog niet ingediend plan.",
            "participation_plan": "Een gebruikersraad twee keer per jaar.",
        }
        assert post(client, step_url(application_id, "staffing"), staffing).status_code == 302
        login(client, people.reviewer)
        case = client.get(f"/backoffice/applications/{application_id}/answers").get_data(as_text=True)
        assert "Nog niet ingediend plan." not in case
        assert "Een begeleider per vijf werknemers." in case
        with app.app_context():
            application = db.session.get(Application, application_id)
            record = letters.case_record(
                application, issued_at=utcnow(), message="", proposal=None, actor=None, decides=False, code=""
            )
            assert record.answers["guidance_plan"] == "Een begeleider per vijf werknemers."
            facts = assessment.facts_for(application)  # what the reviewer's checks and the guards read
            assert facts.answers["target_group_fte"] == "6.5"
        login(client, people.applicant)
        mine = client.get(f"/applications/{application_id}/check").get_data(as_text=True)
        assert "Nog niet ingediend plan." in mine  # the applicant sees their own edits

    def test_the_cap_counts_what_was_handed_in_not_live_edits(self, app, client, people):
        """Live answers that differ from those handed in (edits not handed in yet) do not count."""
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        to_review(client, application_id)
        assert act(client, application_id, "propose_grant", "Goed.").status_code == 302
        with app.app_context():
            application = db.session.get(Application, application_id)
            application.answers = {**application.answers, "target_group_fte": "40", "application_type": "extension"}
            db.session.commit()
            assert usage(db.session.scalar(db.select(Call))).proposed == Decimal("7.5")  # 6.5 + 1 handed in

    def test_the_questions_offered_for_additions_are_those_handed_in(self, app, client, people):
        """Live answers that reveal another question (an extension's reference) do not offer it."""
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        assert act(client, application_id, "start_admissibility").status_code == 302
        with app.app_context():
            application = db.session.get(Application, application_id)
            application.answers = {**application.answers, "application_type": "extension"}
            db.session.commit()
        asking = f"/backoffice/applications/{application_id}/actions/request_additions/items"
        case = client.get(asking).get_data(as_text=True)
        items = case[case.index("Wat moet de aanvrager aanvullen?") : case.index("</fieldset>")]
        assert "Wat vraagt u aan?" in items
        assert "Referentie of naam van het erkende initiatief" not in items  # shown only for an extension


class TestOneListOfAttachments:
    def test_the_receipt_and_the_case_page_list_the_same_files_and_no_answer_that_no_longer_applies(
        self, app, client, people
    ):
        login(client, people.applicant)
        draft = start_application(client, "childcare")
        fill_steps(client, draft, regime="childcare")
        with app.app_context():
            application = db.session.get(Application, draft)
            assert file_references(application.answers.get("kg_authorisation"))
            # an answer kept from before the question stopped applying (the step was not saved again since)
            application.answers = {**application.answers, "kg_status": "requested"}
            db.session.commit()
        assert submit(client, draft).status_code == 302
        with app.app_context():
            application = db.session.get(Application, draft)
            assert "kg_authorisation" not in application.submitted_answers
            receipt = db.session.scalar(db.select(Letter).where(Letter.kind == "receipt"))
            on_receipt = [a["filename"] for a in receipt.context["attachments"]]
        assert "kg_authorisation.pdf" not in on_receipt
        assert on_receipt == ["lok_advice.pdf", "fire_safety_certificate.pdf"]
        login(client, people.reviewer)
        case = client.get(f"/backoffice/applications/{draft}/answers").get_data(as_text=True)
        listed = case[case.index(">Bijlagen<") : case.index("</ul>", case.index(">Bijlagen<"))]
        assert re.findall(r">([^<>]+\.pdf)</a>", listed) == on_receipt


class TestReceiptOfTheAdditions:
    def test_the_hand_in_issues_a_receipt_listing_the_changes_the_files_and_the_time(self, app, client, people):
        application_id = additions_asked(client, people, "attachments")
        replace_business_plan(client, app, application_id)
        assert post(client, f"/applications/{application_id}/actions/submit_additions").status_code == 302
        (new,) = references(app, application_id, "business_plan")
        with app.app_context():
            letter = db.session.scalar(db.select(Letter).where(Letter.kind == "additions_received"))
            assert letter is not None, "no receipt of the additions"
            hand_in = event_of("submit_additions")
            assert letter.event_id == hand_in.id
            context = letter.context
            assert [a["sha256"] for a in context["attachments"]] == [new["sha256"]]
            assert [s["title"] for s in context["sections"]] == ["Bijlagen"]
            assert context["submitted_at"]
            render_letter(str(letter.id))
            db.session.refresh(letter)
            assert letter.status == "rendered"
            html = letters.render_html(letter.regime_code, letter.kind, context)
        assert new["sha256"] in html
        assert "nieuw-plan.pdf" in html
        assert context["submitted_at"] in html


class TestOnlyASignatoryHandsIn:
    def preparer(self, app, people):
        with app.app_context():
            organisation = db.session.get(User, people.applicant.id).memberships[0].organisation
            user = accounts.create_user(
                email="pim@a.be", name="Pim Preparer", password=PASSWORD, organisation=organisation, is_signatory=False
            )
            db.session.commit()
            return SimpleNamespace(email=user.email, id=user.id)

    def test_a_preparer_cannot_hand_in_additions_but_may_mark_them_ready(self, app, client, people):
        application_id = additions_asked(client, people, "staffing")
        login(client, self.preparer(app, people))
        response = post(client, f"/applications/{application_id}/actions/submit_additions")
        assert response.status_code == 302
        check = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Alleen een gemachtigde ondertekenaar" in check
        assert "Dat kan: An." in check
        with app.app_context():
            assert db.session.get(Application, application_id).state == "additions_requested"
        assert post(client, f"/applications/{application_id}/ready").status_code == 302
        with app.app_context():
            assert applications.is_ready(db.session.get(Application, application_id))
        login(client, people.applicant)
        assert post(client, f"/applications/{application_id}/actions/submit_additions").status_code == 302
        with app.app_context():
            application = db.session.get(Application, application_id)
            assert application.state == "admissibility_check"
            assert application.ready_at is None  # a later request for additions starts unmarked

    def test_a_preparer_cannot_withdraw_a_submitted_application(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, self.preparer(app, people))
        data = {"comment": "Wij trekken de aanvraag in.", "confirmed": "yes"}
        response = post(client, f"/applications/{application_id}/actions/withdraw", data)
        assert response.status_code == 403
        assert "Alleen een gemachtigde ondertekenaar" in response.get_data(as_text=True)
        with app.app_context():
            assert db.session.get(Application, application_id).state == "submitted"

    def test_applicant_moves_stay_on_the_applicants_pages_and_staff_moves_in_the_back_office(self, app, client, people):
        application_id = submitted_application(client, people)
        data = {"comment": "Ontvankelijk.", "note": "", "confirmed": "yes"}
        assert post(client, f"/applications/{application_id}/actions/start_admissibility", data).status_code == 404
        with app.app_context():  # a reviewer who is also a member of the applying organisation
            reviewer = db.session.get(User, people.reviewer.id)
            organisation_id = db.session.get(Application, application_id).organisation_id
            reviewer.memberships.append(Membership(organisation_id=organisation_id, is_signatory=True))
            db.session.commit()
        login(client, people.reviewer)
        response = post(client, f"/backoffice/applications/{application_id}/actions/withdraw", data)
        assert response.status_code == 403  # a member of the applying organisation is recused from its cases
        with app.app_context():
            assert db.session.get(Application, application_id).state == "submitted"

    def test_the_check_page_offers_a_preparer_the_mark_and_a_signatory_the_hand_in(self, app, client, people):
        application_id = additions_asked(client, people, "staffing")
        check_url = f"/applications/{application_id}/check"
        hand_in_form = f'action="/applications/{application_id}/actions/submit_additions"'
        mark_form = f'action="/applications/{application_id}/ready"'
        login(client, self.preparer(app, people))
        check = client.get(check_url).get_data(as_text=True)
        assert mark_form in check
        assert "Klaar voor ondertekening</button>" in check
        assert hand_in_form not in check
        assert "Alleen een gemachtigde ondertekenaar" in check
        assert "Dat kan: An." in check
        assert post(client, f"/applications/{application_id}/ready").status_code == 302
        check = client.get(check_url).get_data(as_text=True)
        assert "gemarkeerd door Pim Preparer op" in check
        assert mark_form not in check
        assert hand_in_form not in check
        login(client, people.applicant)
        check = client.get(check_url).get_data(as_text=True)
        assert hand_in_form in check
        assert mark_form not in check
        assert "gemarkeerd door Pim Preparer op" in check
        assert "Door de aanvulling in te dienen verklaart u" in check
        assert "Alleen een gemachtigde ondertekenaar" not in check


def token_on(page: str) -> str:
    return re.search(r'name="step_fingerprint"[^>]*value="([^"]+)"', page).group(1)


STAFFING = {
    "target_group_fte": "6,5",
    "supervisory_fte": "1",
    "guidance_plan": "Een begeleider per vijf werknemers.",
    "participation_plan": "Een gebruikersraad twee keer per jaar.",
}


class TestTwoTabs:
    def test_an_old_tab_cannot_overwrite_a_colleagues_save_after_a_save_of_ones_own(self, app, client, people):
        login(client, people.applicant)
        draft = start_application(client)
        with app.app_context():
            organisation = db.session.get(User, people.applicant.id).memberships[0].organisation
            colleague = accounts.create_user(email="cas@a.be", name="Cas", password=PASSWORD, organisation=organisation)
            db.session.commit()
            colleague = SimpleNamespace(email=colleague.email)
        other = app.test_client()
        login(other, colleague)
        url = step_url(draft, "staffing")
        tab_1 = token_on(client.get(url).get_data(as_text=True))
        theirs = token_on(other.get(url).get_data(as_text=True))
        assert post(other, url, {**STAFFING, "target_group_fte": "4", "step_fingerprint": theirs}).status_code == 302
        tab_2 = token_on(client.get(url).get_data(as_text=True))
        assert post(client, url, {**STAFFING, "target_group_fte": "5", "step_fingerprint": tab_2}).status_code == 302
        response = post(client, url, {**STAFFING, "target_group_fte": "8", "step_fingerprint": tab_1})
        assert response.status_code == 409
        assert "Iemand anders heeft deze stap intussen gewijzigd" in response.get_data(as_text=True)
        with app.app_context():
            assert db.session.get(Application, draft).answers["target_group_fte"] == "5"

    def test_a_double_click_is_still_no_conflict(self, app, client, people):
        login(client, people.applicant)
        draft = start_application(client)
        url = step_url(draft, "staffing")
        loaded = token_on(client.get(url).get_data(as_text=True))
        assert post(client, url, {**STAFFING, "step_fingerprint": loaded}).status_code == 302
        assert post(client, url, {**STAFFING, "step_fingerprint": loaded}).status_code == 302
        with app.app_context():
            assert db.session.get(Application, draft).step_changes["staffing"]["rev"] == 2


class TestObjectionPeriod:
    def test_it_counts_from_the_day_after_the_decision_letter_is_made_not_from_the_decision(self, app, client, people):
        from ldapply.services import transitions
        from ldapply.services.backoffice import end_of_day_after
        from tests.support import refuse_after_hearing, to_review

        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        to_review(client, application_id, met=False)
        assert refuse_after_hearing(client, people, application_id).status_code == 302
        with app.app_context():
            application = db.session.get(Application, application_id)
            application.parameters = {**application.parameters, "objection_enabled": True, "objection_days": 30}
            db.session.commit()
            assert transitions.objection_due(application) is None  # the letter is not made yet: no period runs
            letter = db.session.scalar(db.select(Letter).where(Letter.kind == "decision_refused"))
            render_letter(str(letter.id))
            db.session.refresh(letter)
            made = utcnow() + timedelta(days=5)
            letter.rendered_at = made  # made days after the decision, as when the worker was down
            db.session.commit()
            assert transitions.objection_due(application) == end_of_day_after(made, 30)
