"""Requests for additional information, item by item: the reviewer says per step or question what is wrong
and by which date; the organisation's members who may act are mailed; the applicant sees the items on the
overview, the step and the check page; the hand-in answers them; an unanswered request lapses at its date."""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date

from ldapply.clock import utcnow
from ldapply.extensions import db
from ldapply.models import (
    Application,
    ApplicationEvent,
    AuditEntry,
    InformationRequestItem,
    Letter,
    Mail,
    Membership,
)
from ldapply.services import accounts, information_requests
from ldapply.tasks import render_letter
from tests.mailserver import body_of
from tests.support import PASSWORD, act, count_statements, login, post, submitted_application
from tests.support_information_requests import QUESTION, ask, days_from_today, deliver_mails, lapse

STAFFING = "Het aantal doelgroepwerknemers ontbreekt in het personeelsplan."
BUSINESS_PLAN = "Het ondernemingsplan is niet ondertekend."
ITEMS = {"staffing": STAFFING, "business_plan": BUSINESS_PLAN}


@pytest.fixture
def in_check(app, client, people):
    """A submitted general-regime application in the admissibility check; the client is the reviewer."""
    application_id = submitted_application(client, people)
    login(client, people.reviewer)
    assert act(client, application_id, "start_admissibility").status_code == 302
    return application_id


@pytest.fixture
def asked(app, client, people, in_check):
    """The case with a request for the staffing step and the business plan, answered within ten days."""
    response = ask(client, in_check, ITEMS, days_from_today(10))
    assert response.status_code == 302, response.get_data(as_text=True)
    return in_check


def items_of(app, application_id):
    with app.app_context():
        return list(
            db.session.scalars(
                db.select(InformationRequestItem)
                .where(InformationRequestItem.application_id == application_id)
                .order_by(InformationRequestItem.item)
            )
        )


def state_of(app, application_id) -> str:
    with app.app_context():
        return db.session.get(Application, application_id).state


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def member(app, people, email: str, name: str, *, signatory: bool, admin: bool, locale: str = "nl") -> None:
    """Another member of the applicant's organisation."""
    with app.app_context():
        organisation_id = db.session.scalar(
            db.select(Membership.organisation_id).where(Membership.user_id == people.applicant.id)
        )
        user = accounts.create_user(email=email, name=name, password=PASSWORD, is_admin=admin, is_signatory=signatory)
        user.locale = locale
        db.session.add(Membership(user=user, organisation_id=organisation_id, is_admin=admin, is_signatory=signatory))
        db.session.commit()


def hand_in(client, application_id) -> None:
    """As the applicant: change the staffing step, then hand the additions in."""
    response = post(
        client,
        f"/applications/{application_id}/steps/staffing",
        {
            "target_group_fte": "7",
            "supervisory_fte": "1",
            "guidance_plan": "Een begeleider per vijf werknemers.",
            "participation_plan": "Een gebruikersraad twee keer per jaar.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    response = post(client, f"/applications/{application_id}/actions/submit_additions")
    assert response.status_code == 302, response.get_data(as_text=True)


def the_date_passes(app) -> None:
    """Move the request's date back to yesterday, as if the days went by."""
    with app.app_context():
        db.session.execute(db.update(InformationRequestItem).values(due_on=days_from_today(-1)))
        db.session.commit()


class TestTheRequest:
    def test_each_item_is_stored_with_its_message_and_date_and_only_those_are_unlocked(self, app, asked):
        found = items_of(app, asked)
        assert [(i.item, i.message, i.due_on) for i in found] == [
            ("business_plan", BUSINESS_PLAN, days_from_today(10)),
            ("staffing", STAFFING, days_from_today(10)),
        ]
        with app.app_context():
            event = db.session.scalar(db.select(ApplicationEvent).where(ApplicationEvent.action == "request_additions"))
            assert {i.event_id for i in found} == {event.id}
            assert event.items == ["staffing", "business_plan"]
            assert db.session.get(Application, asked).unlocked == ["staffing", "business_plan"]

    def test_the_form_offers_today_plus_the_pinned_additions_days_with_its_provenance(self, client, in_check):
        shown = page(client, f"/backoffice/applications/{in_check}/actions/request_additions/items")
        assert f'name="due_on" value="{days_from_today(30).isoformat()}"' in shown
        assert "additions_days" in shown
        assert "aanname van de administratie" in shown
        assert f'max="{days_from_today(90).isoformat()}"' in shown
        assert 'name="message-staffing"' in shown
        assert 'name="message-target_group_fte"' in shown

    def test_a_blank_date_takes_the_default(self, app, client, in_check):
        assert ask(client, in_check, {"staffing": STAFFING}, "").status_code == 302
        assert [i.due_on for i in items_of(app, in_check)] == [days_from_today(30)]

    def test_a_request_naming_no_item_keeps_its_date_for_the_whole_application(self, app, client, in_check):
        assert ask(client, in_check, {}, days_from_today(5), comment="Bezorg het collegebesluit.").status_code == 302
        found = items_of(app, in_check)
        assert [(i.item, i.message, i.due_on) for i in found] == [
            ("", "Bezorg het collegebesluit.", days_from_today(5))
        ]
        with app.app_context():
            assert db.session.get(Application, in_check).unlocked is None  # every step may change

    def test_the_case_page_shows_the_open_items(self, client, asked):
        shown = page(client, f"/backoffice/applications/{asked}")
        assert "Aanvragen om informatie" in shown
        assert STAFFING in shown
        assert BUSINESS_PLAN in shown
        assert "Open" in shown


class TestBadInput:
    def test_a_ticked_item_without_a_message_is_refused_with_the_texts_kept_and_nothing_saved(
        self, app, client, in_check
    ):
        response = ask(client, in_check, {"staffing": STAFFING, "business_plan": "  "}, days_from_today(10))
        assert response.status_code == 400
        shown = response.get_data(as_text=True)
        assert "Zeg bij „Bijlagen – Ondernemingsplan” wat er ontbreekt of niet klopt." in shown
        assert f">{STAFFING}</textarea>" in shown  # what was typed comes back
        assert 'value="field:business_plan" checked' in shown
        assert f'value="{days_from_today(10).isoformat()}"' in shown
        assert QUESTION in shown  # the motivation too
        assert items_of(app, in_check) == []
        assert state_of(app, in_check) == "admissibility_check"
        with app.app_context():
            assert db.session.scalar(db.select(db.func.count()).select_from(Mail)) == 0

    @pytest.mark.parametrize(
        ("due", "message"),
        [
            (days_from_today(-1), "De datum om te antwoorden ligt in het verleden."),
            (days_from_today(91), "ldapply laat hoogstens 90 dagen toe"),
            ("31/02/2027", "Geef de datum op als dag/maand/jaar"),
        ],
        ids=["in the past", "too far", "no such day"],
    )
    def test_a_date_out_of_bounds_is_refused_and_nothing_saved(self, app, client, in_check, due, message):
        response = ask(client, in_check, {"staffing": STAFFING}, due)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
        assert items_of(app, in_check) == []
        assert state_of(app, in_check) == "admissibility_check"

    def test_a_date_typed_as_day_month_year_is_read(self, app, client, in_check):
        day = days_from_today(12)
        assert ask(client, in_check, {"staffing": STAFFING}, day.strftime("%d/%m/%Y")).status_code == 302
        assert [i.due_on for i in items_of(app, in_check)] == [day]


class TestTheApplicantIsNotified:
    def test_the_signatories_and_admins_are_mailed_each_in_their_language(
        self, app, client, people, in_check, mail_server
    ):
        member(app, people, "prep@a.be", "Pieter", signatory=False, admin=False)
        member(app, people, "sign@a.be", "Sarah", signatory=True, admin=False, locale="en")
        member(app, people, "admin@a.be", "Ann", signatory=False, admin=True)
        deliver_mails(app)  # nothing from before the request
        mail_server.messages.clear()
        assert ask(client, in_check, ITEMS, days_from_today(10)).status_code == 302
        assert deliver_mails(app) == 3
        assert sorted(m["To"] for m in mail_server.messages) == ["admin@a.be", "an@a.be", "sign@a.be"]
        dutch = body_of(mail_server.last_to("an@a.be"))
        assert "Vraag om aanvulling" in mail_server.last_to("an@a.be")["Subject"]
        assert f"Personeel en begeleiding: {STAFFING}" in dutch
        assert f"Bijlagen – Ondernemingsplan: {BUSINESS_PLAN}" in dutch
        assert f"/applications/{in_check}" in dutch
        assert format_date(days_from_today(10), "d MMMM y", locale="nl") in dutch
        english = body_of(mail_server.last_to("sign@a.be"))  # written in the recipient's language
        assert format_date(days_from_today(10), "d MMMM y", locale="en") in english
        assert f"Staffing and guidance: {STAFFING}" in english


class TestTheApplicantSeesTheItems:
    def test_the_overview_lists_each_item_with_its_message_date_and_link(self, client, people, asked):
        login(client, people.applicant)
        shown = page(client, f"/applications/{asked}")
        assert STAFFING in shown
        assert BUSINESS_PLAN in shown
        assert f"/applications/{asked}/steps/staffing" in shown
        assert f"/applications/{asked}/steps/attachments#question-business_plan" in shown
        assert "Dien de aanvulling in uiterlijk op" in shown

    def test_the_step_page_shows_the_message_above_the_fields_concerned(self, client, people, asked):
        login(client, people.applicant)
        staffing = page(client, f"/applications/{asked}/steps/staffing")
        assert STAFFING in staffing
        assert staffing.index(STAFFING) < staffing.index('name="target_group_fte"')
        attachments = page(client, f"/applications/{asked}/steps/attachments")
        assert "Wat de behandelaar vraagt bij „Ondernemingsplan”:" in attachments
        assert attachments.index(BUSINESS_PLAN) < attachments.index('name="business_plan"')

    def test_the_check_page_lists_what_is_still_to_answer(self, client, people, asked):
        login(client, people.applicant)
        shown = page(client, f"/applications/{asked}/check")
        assert "Nog te beantwoorden" in shown
        assert STAFFING in shown
        assert BUSINESS_PLAN in shown
        assert "Nog niet gewijzigd" in shown


class TestTheHandIn:
    def test_handing_in_answers_the_items_and_the_case_page_shows_what_changed(self, app, client, people, asked):
        login(client, people.applicant)
        hand_in(client, asked)
        found = items_of(app, asked)
        assert all(i.answered_at is not None for i in found)
        login(client, people.reviewer)
        shown = page(client, f"/backoffice/applications/{asked}")
        assert shown.count("Beantwoord") >= 2
        staffing_row = shown[shown.index(STAFFING) :]
        assert "gewijzigd" in staffing_row[: staffing_row.index("</tr>")]
        plan_row = shown[shown.index(BUSINESS_PLAN) :]
        assert "niet gewijzigd" in plan_row[: plan_row.index("</tr>")]

    def test_a_hand_in_after_the_date_is_refused_even_before_the_lapse_is_made(self, app, client, people, asked):
        the_date_passes(app)
        login(client, people.applicant)
        response = post(client, f"/applications/{asked}/actions/submit_additions", follow_redirects=True)
        assert "De termijn voor deze aanvulling liep af op" in response.get_data(as_text=True)
        assert state_of(app, asked) == "additions_requested"


class TestTheLapse:
    def test_before_the_date_is_over_nothing_lapses(self, app, asked):
        assert lapse(app, utcnow() + timedelta(days=10)) == 0  # the last day itself still counts
        assert state_of(app, asked) == "additions_requested"

    def test_after_the_date_the_case_goes_back_once_marked_with_nothing_left_to_change(
        self, app, client, people, asked
    ):
        later = utcnow() + timedelta(days=12)
        assert lapse(app, later) == 1
        assert lapse(app, later) == 0  # beat ran twice: the state check stops a second move
        assert state_of(app, asked) == "admissibility_check"
        with app.app_context():
            lapses = db.session.scalars(
                db.select(ApplicationEvent).where(ApplicationEvent.action == "additions_lapsed")
            ).all()
            assert len(lapses) == 1
            assert lapses[0].actor_id is None
            application = db.session.get(Application, asked)
            assert application.unlocked is None
            assert information_requests.marked_lapsed([asked]) == {asked}
        assert all(i.answered_at is None for i in items_of(app, asked))

    def test_the_case_page_and_the_applicant_see_the_lapse(self, app, client, people, asked):
        the_date_passes(app)
        assert lapse(app, utcnow()) == 1
        shown = page(client, f"/backoffice/applications/{asked}")
        assert "Aanvraag om informatie verlopen" in shown
        assert "Verlopen" in shown
        login(client, people.applicant)
        overview = page(client, f"/applications/{asked}")
        assert "De termijn voor de gevraagde aanvulling is verstreken." in overview
        assert "De termijn voor de gevraagde aanvulling verstreek zonder dat de aanvrager ze indiende." in overview
        response = client.get(f"/applications/{asked}/steps/staffing")
        assert response.status_code == 302  # nothing may change any more

    def test_answers_not_handed_in_are_dropped(self, app, client, people, asked):
        login(client, people.applicant)
        response = post(
            client,
            f"/applications/{asked}/steps/staffing",
            {
                "target_group_fte": "9",
                "supervisory_fte": "1",
                "guidance_plan": "Een begeleider per vijf werknemers.",
                "participation_plan": "Een gebruikersraad twee keer per jaar.",
            },
        )
        assert response.status_code == 302
        lapse(app, utcnow() + timedelta(days=12))
        with app.app_context():
            application = db.session.get(Application, asked)
            assert application.answers == application.submitted_answers

    def test_a_case_answered_in_time_does_not_lapse(self, app, client, people, asked):
        login(client, people.applicant)
        hand_in(client, asked)
        assert lapse(app, utcnow() + timedelta(days=12)) == 0
        assert state_of(app, asked) == "admissibility_check"

    def test_a_new_request_after_a_lapse_lapses_on_its_own_date(self, app, client, people, asked):
        lapse(app, utcnow() + timedelta(days=12))
        login(client, people.reviewer)
        assert ask(client, asked, {"staffing": STAFFING}, days_from_today(20)).status_code == 302
        assert lapse(app, utcnow() + timedelta(days=12)) == 0  # the old request's date is not the new one's
        assert lapse(app, utcnow() + timedelta(days=21)) == 1


class TestAudit:
    def test_a_letter_downloaded_by_a_member_is_in_the_audit_trail(self, app, client, people, asked):
        with app.app_context():
            letter_id = db.session.scalar(db.select(Letter.id).where(Letter.kind == "additions_requested"))
            render_letter(str(letter_id))
        login(client, people.applicant)
        for _ in range(2):
            assert client.get(f"/applications/{asked}/letters/{letter_id}").status_code == 200
        with app.app_context():
            entries = db.session.scalars(
                db.select(AuditEntry).where(AuditEntry.action == "letter.downloaded").order_by(AuditEntry.seq)
            ).all()
            assert [(e.object_id, e.actor_id, e.new["first"]) for e in entries] == [
                (str(letter_id), people.applicant.id, True),
                (str(letter_id), people.applicant.id, False),
            ]
            assert db.session.get(Letter, letter_id).opened_at is not None


class TestBounds:
    def test_the_applicant_pages_cost_the_same_statements_for_2_and_40_items(self, app, client, people, asked):
        login(client, people.applicant)
        paths = [f"/applications/{asked}", f"/applications/{asked}/steps/staffing", f"/applications/{asked}/check"]
        before = [statements(app, client, path) for path in paths]
        with app.app_context():
            event_id = db.session.scalar(db.select(InformationRequestItem.event_id))
            for n in range(38):
                db.session.add(
                    InformationRequestItem(
                        application_id=asked,
                        event_id=event_id,
                        item="staffing",
                        message=f"{n}",
                        due_on=days_from_today(10),
                    )
                )
            db.session.commit()
        assert [statements(app, client, path) for path in paths] == before

    def test_the_case_page_panel_costs_at_most_two_statements(self, app, client, people, asked):
        with app.app_context(), count_statements(app) as counted:
            rows = information_requests.items_for(asked)
        assert len(rows) == 2
        assert len(counted) <= 2


def statements(app, client, path: str) -> int:
    client.get(path)
    with count_statements(app) as counted:
        assert client.get(path).status_code == 200
    return len(counted)
