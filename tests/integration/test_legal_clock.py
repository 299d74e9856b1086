"""The legal clock: a case's periods from the regime's parameters, counted in calendar or working days,
standing still while the applicant is asked something and resuming with the days that were left, extended
with a reason, the same due date for staff and applicant, closing days kept by an admin, and overdue
cases reminded once."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from ldapply.clock import utcnow
from ldapply.extensions import db
from ldapply.models import Application, AuditEntry, ClosingDay, Mail, Reminder
from ldapply.services import legal_clock
from ldapply.workflows._clock import DayCount
from ldapply.working_days import add_days, next_working_day
from tests.support import (
    act,
    count_statements,
    csrf_token,
    fill_steps,
    login,
    post,
    submitted_application,
    to_review,
)
from tests.support_clock import date_history, days_later, due_on, dutch, moved_on, today

FLEMISH_COMMUNITY_DAY = "Feest van de Vlaamse Gemeenschap"


def case_page(client, application_id) -> str:
    response = client.get(f"/backoffice/applications/{application_id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def overview(client, application_id) -> str:
    response = client.get(f"/applications/{application_id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def hand_in_additions(client, people, application_id, regime: str = "general") -> None:
    login(client, people.applicant)
    fill_steps(client, application_id, regime=regime)
    path = f"/applications/{application_id}/actions/submit_additions"
    response = client.post(path, data={"csrf_token": csrf_token(client, f"/applications/{application_id}/check")})
    assert response.status_code == 302, response.get_data(as_text=True)


def audit_entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        db.session.expunge_all()
        return entries


def extend(client, application_id, days: str, reason: str, name: str = "decision"):
    """Post the case page's extension form; the page it leads back to (with its message)."""
    response = post(
        client, f"/backoffice/applications/{application_id}/clocks/{name}/extend", {"days": days, "reason": reason}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"])


class TestSuspension:
    def test_starting_the_check_does_not_restart_the_admissibility_period(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        assert act(client, application_id, "start_admissibility").status_code == 302
        start = days_later(today(), -5)
        moved_on(app, application_id, [("submit", start), ("start_admissibility", today())])
        assert due_on(app, application_id) == days_later(start, 7)

    def test_handing_in_additions_resumes_the_admissibility_period_with_the_days_left(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        assert act(client, application_id, "start_admissibility").status_code == 302
        assert act(client, application_id, "request_additions", "Voeg de begroting toe.").status_code == 302
        assert due_on(app, application_id) is None  # the clock stands still: no due date
        case = case_page(client, application_id)
        assert "De termijn staat stil sinds" in case
        assert "de datum die de behandelaar koos voor de gevraagde informatie" in case  # the step's own period
        login(client, people.applicant)
        assert "De termijn staat stil zolang u aan zet bent." in overview(client, application_id)
        hand_in_additions(client, people, application_id)

        # The same history dated back: submitted 13 days ago, checked the next day, additions asked on
        # day 3 of 7, handed in today, 10 days later: 4 days are left from today.
        handed_in = today()
        submitted = days_later(handed_in, -13)
        date_history(app, application_id, [submitted, days_later(submitted, 1), days_later(submitted, 3), handed_in])
        result = app.test_cli_runner().invoke(args=["ldapply", "clocks-rebuild", "--all"])
        assert result.exit_code == 0, result.output
        assert "clocks rebuilt for 1 cases" in result.output
        due = days_later(handed_in, 4)
        assert due_on(app, application_id) == due

        login(client, people.reviewer)
        case = case_page(client, application_id)
        assert dutch(due) in case
        assert 'Verstreken tijd</dt><dd class="plain">3 kalenderdagen' in case
        assert "4 kalenderdagen" in case
        assert f"van {dutch(days_later(submitted, 3))} tot {dutch(handed_in)}" in case
        assert '<svg class="clock-bar"' in case
        assert '<title id="clock-bar-title">' in case
        login(client, people.applicant)
        assert f"verwacht uiterlijk {dutch(due)}" in overview(client, application_id)

    def test_a_hearing_stops_the_decision_clock_and_the_response_resumes_it(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        to_review(client, application_id, met=False)
        response = act(client, application_id, "announce_refusal", "Er zijn onvoldoende doelgroepwerknemers.")
        assert response.status_code == 302, response.get_data(as_text=True)
        case = case_page(client, application_id)
        assert "De termijn staat stil sinds" in case
        assert "Termijn van deze stap" in case  # the hearing's own response period, beside the clock
        login(client, people.applicant)
        response = post(
            client,
            f"/applications/{application_id}/actions/respond_to_hearing",
            {"comment": "Wij werven twee mensen bij."},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        start = days_later(today(), -40)
        moved_on(
            app,
            application_id,
            [
                ("submit", days_later(start, -2)),
                ("start_admissibility", days_later(start, -1)),
                ("accept_for_review", start),
                ("announce_refusal", days_later(start, 20)),  # 70 of 90 days left
                ("respond_to_hearing", today()),
            ],
        )
        assert due_on(app, application_id) == days_later(today(), 70)


class TestExtension:
    def test_an_extension_with_a_reason_moves_the_due_date_for_staff_and_applicant(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        to_review(client, application_id)
        due = days_later(today(), 90)
        assert due_on(app, application_id) == due

        page = extend(client, application_id, "31", "Het advies van de stad laat op zich wachten.").get_data(True)
        assert "Verleng met minstens 1 en hoogstens 30 kalenderdagen." in page
        page = extend(client, application_id, "10", "  ").get_data(as_text=True)
        assert "Geef de reden van de verlenging op." in page
        assert due_on(app, application_id) == due  # nothing half-saved

        reason = "Het advies van de stad laat op zich wachten."
        page = extend(client, application_id, "30", reason).get_data(as_text=True)
        extended = days_later(due, 30)
        assert due_on(app, application_id) == extended
        assert f"termijn verlengd tot en met {dutch(extended)}" in page
        assert reason in page
        assert "verlengd met 30 kalenderdagen, samen 120 kalenderdagen" in page
        entries = audit_entries(app, "clock.extended")
        assert len(entries) == 1
        assert entries[0].old == {"clock": "decision", "due_on": due.isoformat()}
        assert entries[0].new["due_on"] == extended.isoformat()
        assert entries[0].new["reason"] == reason

        page = extend(client, application_id, "5", "Nog eens.").get_data(as_text=True)
        assert "Deze termijn werd al verlengd" in page  # once, as the regime says
        assert due_on(app, application_id) == extended
        assert "Termijn verlengen</button>" not in case_page(client, application_id)

        login(client, people.applicant)
        assert f"verwacht uiterlijk {dutch(extended)}" in overview(client, application_id)

    def test_only_the_roles_the_clock_names_may_extend_it(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        to_review(client, application_id)
        assert "Termijn verlengen</button>" in case_page(client, application_id)
        login(client, people.admin)
        assert "Termijn verlengen</button>" not in case_page(client, application_id)
        response = post(
            client,
            f"/backoffice/applications/{application_id}/clocks/decision/extend",
            {"days": "5", "reason": "Drukte."},
        )
        assert response.status_code == 403
        login(client, people.decision_maker)
        assert extend(client, application_id, "5", "Drukte.").status_code == 200
        assert due_on(app, application_id) == days_later(today(), 95)
        assert post(client, f"/backoffice/applications/{application_id}/clocks/nope/extend", {}).status_code == 404

    def test_the_admissibility_clock_has_no_extension(self, app, client, people):
        application_id = submitted_application(client, people)
        login(client, people.reviewer)
        assert "Termijn verlengen</button>" not in case_page(client, application_id)
        page = extend(client, application_id, "3", "Drukte.", name="admissibility").get_data(as_text=True)
        assert "Deze termijn kan niet verlengd worden." in page
        assert due_on(app, application_id) == days_later(today(), 7)


class TestWorkingDays:
    def test_the_test_regime_counts_its_decision_period_in_working_days(self, app, client, people):
        application_id = submitted_application(client, people, regime="label_2013")
        assert due_on(app, application_id) == days_later(today(), 7)  # its admissibility: calendar days
        login(client, people.reviewer)
        to_review(client, application_id, regime="label_2013")
        due = due_on(app, application_id)
        assert due == add_days(today(), 60, DayCount.WORKING)
        assert due is not None
        assert (due - today()).days > 60
        assert due.weekday() < 5
        case = case_page(client, application_id)
        assert "60 werkdagen" in case
        assert dutch(due) in case
        assert "Hoogstens 20 werkdagen" in case

    def test_working_days_skip_a_public_holiday_a_closing_day_and_the_weekends(self, app, client, people):
        login(client, people.admin)
        response = post(client, "/backoffice/closing-days", {"day": "2025-07-11", "label": FLEMISH_COMMUNITY_DAY})
        assert response.status_code == 302, response.get_data(as_text=True)
        application_id = submitted_application(client, people, regime="label_2013")
        login(client, people.reviewer)
        to_review(client, application_id, regime="label_2013")
        # Declared admissible on Wednesday 2 July 2025: 60 working days without 11 July (closing day),
        # 21 July and 15 August (public holidays) and the weekends end on Monday 29 September.
        start = date(2025, 7, 2)
        moved_on(
            app,
            application_id,
            [("submit", start.replace(day=1)), ("start_admissibility", start), ("accept_for_review", start)],
        )
        assert due_on(app, application_id) == start.replace(month=9, day=29)
        with app.app_context():
            db.session.execute(db.delete(ClosingDay))
            db.session.commit()
        moved_on(
            app,
            application_id,
            [("submit", start.replace(day=1)), ("start_admissibility", start), ("accept_for_review", start)],
        )
        assert due_on(app, application_id) == start.replace(month=9, day=26)  # 11 July counts again

    def test_a_new_closing_day_moves_the_running_working_day_periods_it_reaches(self, app, client, people):
        application_id = submitted_application(client, people, regime="label_2013")
        login(client, people.reviewer)
        to_review(client, application_id, regime="label_2013")
        before = due_on(app, application_id)
        assert before is not None
        closed = next_working_day(days_later(today(), 1))
        login(client, people.admin)
        response = post(client, "/backoffice/closing-days", {"day": closed.isoformat(), "label": "Brugdag"})
        assert response.status_code == 302, response.get_data(as_text=True)
        after = due_on(app, application_id)
        assert after == next_working_day(days_later(before, 1))
        recounted = audit_entries(app, "clock.recounted")
        assert [(e.old["due_on"], e.new["due_on"]) for e in recounted] == [(before.isoformat(), after.isoformat())]
        with app.app_context():
            closing_id = db.session.scalar(select(ClosingDay.id))
        response = post(client, f"/backoffice/closing-days/{closing_id}/delete")
        assert response.status_code == 302
        assert due_on(app, application_id) == before


class TestClosingDays:
    def test_an_admin_keeps_the_closing_days_each_change_audited(self, app, client, people):
        login(client, people.admin)
        page = client.get("/backoffice/closing-days").get_data(as_text=True)
        assert "Nog geen sluitingsdagen." in page
        assert "opnieuw berekend" in page
        response = post(client, "/backoffice/closing-days", {"day": "2026-07-10", "label": FLEMISH_COMMUNITY_DAY})
        assert response.status_code == 302
        page = client.get("/backoffice/closing-days").get_data(as_text=True)
        assert "10 juli 2026" in page
        assert FLEMISH_COMMUNITY_DAY in page
        page = post(client, "/backoffice/closing-days", {"day": "2026-07-10", "label": "Nog eens"}).get_data(True)
        assert "Deze dag staat al bij de sluitingsdagen." in page
        page = post(client, "/backoffice/closing-days", {"day": "10/07/2026", "label": "X"}).get_data(True)
        assert "Geef de datum van de sluitingsdag op als dag, maand en jaar." in page
        page = post(client, "/backoffice/closing-days", {"day": "2026-07-13", "label": ""}).get_data(True)
        assert "Geef een omschrijving op." in page
        with app.app_context():
            assert db.session.scalar(select(func.count(ClosingDay.id))) == 1
            closing_id = db.session.scalar(select(ClosingDay.id))
        assert post(client, f"/backoffice/closing-days/{closing_id}/delete").status_code == 302
        assert [e.new["label"] for e in audit_entries(app, "closing_day.added")] == [FLEMISH_COMMUNITY_DAY]
        assert [e.old["day"] for e in audit_entries(app, "closing_day.removed")] == ["2026-07-10"]

    def test_only_admins_see_the_closing_days(self, client, people):
        login(client, people.reviewer)
        assert client.get("/backoffice/closing-days").status_code == 403
        assert post(client, "/backoffice/closing-days", {"day": "2026-07-10", "label": "X"}).status_code == 403
        login(client, people.applicant)
        assert client.get("/backoffice/closing-days").status_code == 403


class TestOverdue:
    def test_an_overdue_case_reminds_its_assignee_once_per_due_date(self, app, client, people):
        application_id = submitted_application(client, people)
        unassigned = submitted_application(client, people)
        login(client, people.reviewer)
        to_review(client, application_id)
        to_review(client, unassigned)
        with app.app_context():
            application = db.session.get_one(Application, application_id)
            application.assignee_id = people.reviewer.id
            reference = application.reference
            db.session.commit()
        due = due_on(app, application_id)
        assert due is not None
        the_day_after = utcnow() + timedelta(days=91)
        with app.app_context():
            assert legal_clock.remind_overdue(utcnow()) == 0  # not yet due
            assert legal_clock.remind_overdue(the_day_after) == 1
            assert legal_clock.remind_overdue(the_day_after) == 0  # once
            assert legal_clock.remind_overdue(the_day_after + timedelta(days=7)) == 0
            mails = list(db.session.scalars(select(Mail).where(Mail.subject.contains(reference))))
            assert [m.recipient for m in mails] == [people.reviewer.email]
            assert dutch(due) in mails[0].body
            assert f"/backoffice/applications/{application_id}" in mails[0].body
            reminders = list(db.session.scalars(select(Reminder)))
            assert [(r.application_id, r.kind, r.about) for r in reminders] == [(application_id, "overdue", due)]
        case = case_page(client, application_id)
        assert "Termijn verstreken" not in case  # today it is not overdue yet


class TestPages:
    def test_the_clock_adds_no_statement_to_the_applicants_overview(self, app, client, people):
        application_id = submitted_application(client, people, regime="label_2013")
        login(client, people.reviewer)
        to_review(client, application_id, regime="label_2013")
        login(client, people.applicant)
        path = f"/applications/{application_id}"
        with_clock = _statements(app, client, path)
        with app.app_context():
            db.session.get_one(Application, application_id).clocks = {}
            db.session.commit()
        assert "Beslissing over de aanvraag" not in overview(client, application_id)
        assert _statements(app, client, path) == with_clock

    def test_a_working_day_clock_costs_the_case_page_one_statement(self, app, client, people):
        application_id = submitted_application(client, people, regime="label_2013")
        login(client, people.reviewer)
        to_review(client, application_id, regime="label_2013")
        path = f"/backoffice/applications/{application_id}"
        with_clock = _statements(app, client, path)
        with app.app_context():
            db.session.get_one(Application, application_id).clocks = {}
            db.session.commit()
        assert _statements(app, client, path) <= with_clock <= _statements(app, client, path) + 1


def _statements(app, client, path: str) -> int:
    client.get(path)
    with count_statements(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)
