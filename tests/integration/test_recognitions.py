"""A granted recognition gets its end date; the organisation is reminded once before it, and it expires by
itself after it (Celery beat runs `recognitions.expire_and_remind` hourly)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from ldapply.clock import add_years, local_date, utcnow
from ldapply.extensions import db
from ldapply.models import Application, ApplicationEvent, DecisionProposal, Mail, Reminder
from ldapply.services import recognitions
from tests.integration.test_lawful_procedure import Desk, granted_and_active


@pytest.fixture
def desk(app: Flask, people: Any) -> Desk:
    return Desk(app, people)


def _case(app: Flask, application_id) -> Application:
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application is not None
        db.session.expunge(application)
        return application


def test_a_grant_sets_the_end_of_the_recognition_from_the_regime_duration(app: Flask, desk: Desk) -> None:
    application_id = granted_and_active(desk, "general")
    ends = _case(app, application_id).recognition_ends_on
    assert ends == add_years(local_date(utcnow()), 5) - timedelta(days=1)  # recognition_years: 5


def test_the_organisation_is_reminded_once_before_the_end(app: Flask, desk: Desk) -> None:
    application_id = granted_and_active(desk, "general")
    ends = _case(app, application_id).recognition_ends_on
    assert ends is not None
    with app.app_context():
        assert recognitions.expire_and_remind(ends - timedelta(days=120)) == 0  # beyond the 90 days
        assert recognitions.expire_and_remind(ends - timedelta(days=30)) == 1
        assert recognitions.expire_and_remind(ends - timedelta(days=29)) == 0  # sent once per end date
        assert db.session.query(Reminder).filter_by(application_id=application_id).count() == 1
        mails = db.session.query(Mail).filter(Mail.subject.contains("loopt af")).all()
        assert [m.recipient for m in mails] == [desk.people.applicant.email]
        assert ends.strftime("%Y") in mails[0].body


def _granted_years_ago(app: Flask, application_id, *, days_left: int) -> None:
    """As if the decision was taken long ago: its last day is `days_left` days from today (negative: past)."""
    with app.app_context():
        today = local_date(utcnow())
        ends = today + timedelta(days=days_left)
        decided = datetime.combine(add_years(ends + timedelta(days=1), -5), time(12), tzinfo=UTC)
        db.session.execute(
            update(DecisionProposal).where(DecisionProposal.application_id == application_id).values(settled_at=decided)
        )
        db.session.execute(update(Application).where(Application.id == application_id).values(recognition_ends_on=ends))
        db.session.commit()


def test_the_recognition_expires_by_itself_after_its_last_day(app: Flask, desk: Desk) -> None:
    application_id = granted_and_active(desk, "general")
    _granted_years_ago(app, application_id, days_left=0)
    with app.app_context():
        today = local_date(utcnow())
        recognitions.expire_and_remind(today)
        assert _case(app, application_id).state == "active"  # its last day is still a day of recognition
    _granted_years_ago(app, application_id, days_left=-1)
    with app.app_context():
        assert recognitions.expire_and_remind(local_date(utcnow())) == 1
        assert _case(app, application_id).state == "expired"
        assert recognitions.expire_and_remind(local_date(utcnow())) == 0  # nothing twice
        events = db.session.scalars(
            select(ApplicationEvent.action).where(ApplicationEvent.application_id == application_id)
        ).all()
        assert events.count("term_ended") == 1
