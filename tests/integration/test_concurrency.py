"""Two members of staff act on the same case at the same moment, over real HTTP to the app served with a
thread per request: one move wins, the other person is told the case changed and sees it as it is now;
nothing is lost, nothing is done twice, and every move has exactly one audit entry."""

from __future__ import annotations

import re
import threading
import uuid
from collections import Counter

from sqlalchemy import func, select

from ldapply.extensions import db
from ldapply.models import ApplicationEvent, AuditEntry
from ldapply.services import audit
from ldapply.workflows import get_regime
from tests.support import act, login, submitted_application
from tests.support_audit import Answer, Browser, form_token, served, text_of

RACES = 20
MOVE = "accept_for_review"
CHANGED = "intussen gewijzigd"
REGIME = get_regime("general")
NOW_IN = REGIME.state(REGIME.transition(MOVE).target).label.nl


def seen_version(page: Answer) -> str:
    """The case's version the move's form carries: the state of the case the person pressed it on."""
    found = re.search(rf'id="action-{MOVE}".*?name="seen" value="(\d+)"', page.body, re.DOTALL)
    assert found, "the move's form carries no version"
    return found.group(1)


def race(browsers: list[Browser], application_id: uuid.UUID) -> list[Answer]:
    """Each browser has the case page open; all press the same button at the same moment."""
    pages = [browser.open_case(application_id) for browser in browsers]
    tokens = [form_token(page) for page in pages]
    seen = [seen_version(page) for page in pages]
    barrier = threading.Barrier(len(browsers))
    answers: list[Answer | None] = [None] * len(browsers)

    def press(index: int) -> None:
        data = {"csrf_token": tokens[index], "seen": seen[index], "comment": "", "note": "", "confirmed": "yes"}
        barrier.wait(10)
        answers[index] = browsers[index].post(f"/backoffice/applications/{application_id}/actions/{MOVE}", data)

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(answer is not None for answer in answers), "a request did not come back"
    return [answer for answer in answers if answer is not None]


def test_two_reviewers_pressing_the_same_move_at_once_one_wins_the_other_sees_the_fresh_case(app, client, people):
    cases = [submitted_application(client, people) for _ in range(RACES)]
    login(client, people.reviewer)
    for application_id in cases:
        assert act(client, application_id, "start_admissibility").status_code == 302

    outcomes: Counter[tuple[int, ...]] = Counter()
    with served(app) as base:
        browsers = [Browser(base), Browser(base)]
        browsers[0].log_in(people.reviewer.email)
        browsers[1].log_in(people.reviewer_and_decision_maker.email)
        for application_id in cases:
            answers = race(browsers, application_id)
            outcomes[tuple(sorted(a.status for a in answers))] += 1
            won = [a for a in answers if a.status == 302]
            lost = [a for a in answers if a.status != 302]
            assert len(won) == 1, [(a.status, text_of(a.body)[:300]) for a in answers]
            assert f"/backoffice/applications/{application_id}" in won[0].url
            assert lost[0].status == 409, (lost[0].status, text_of(lost[0].body)[:500])
            shown = text_of(lost[0].body)
            assert CHANGED in shown, shown[:800]
            assert NOW_IN in shown  # the case as it is now, after the winner's move

    assert outcomes == {(302, 409): RACES}
    with app.app_context():
        moves = Counter(
            db.session.execute(select(ApplicationEvent.application_id).where(ApplicationEvent.action == MOVE)).scalars()
        )
        audited = Counter(
            db.session.execute(
                select(AuditEntry.application_id).where(AuditEntry.action == f"transition.{MOVE}")
            ).scalars()
        )
        events = db.session.scalar(select(func.count()).select_from(ApplicationEvent))
        transition_entries = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action.startswith("transition."))
        )
        checked, broken = audit.verify()
    assert moves == dict.fromkeys(cases, 1)  # exactly one move per race
    assert audited == moves  # one audit entry per move
    assert transition_entries == events  # and 1:1 for every move of the test
    assert broken is None
    assert checked > 0


def test_a_move_pressed_on_a_page_older_than_the_case_is_told_the_case_changed(app, client, people):
    """However the two requests interleave, the one that pressed the move on an older state of the case
    hears that it changed: here the other move is made before this one is even sent."""
    application_id = submitted_application(client, people)
    login(client, people.reviewer)
    act(client, application_id, "start_admissibility")
    with served(app) as base:
        late, early = Browser(base), Browser(base)
        late.log_in(people.reviewer.email)
        early.log_in(people.reviewer_and_decision_maker.email)
        stale = late.open_case(application_id)
        fresh = early.open_case(application_id)
        path = f"/backoffice/applications/{application_id}/actions/{MOVE}"
        first = early.post(path, {"csrf_token": form_token(fresh), "seen": seen_version(fresh), "confirmed": "yes"})
        second = late.post(path, {"csrf_token": form_token(stale), "seen": seen_version(stale), "confirmed": "yes"})
    assert first.status == 302
    assert second.status == 409
    assert CHANGED in text_of(second.body)
    assert NOW_IN in text_of(second.body)
    with app.app_context():
        moves = db.session.scalar(
            select(func.count()).select_from(ApplicationEvent).where(ApplicationEvent.action == MOVE)
        )
    assert moves == 1
