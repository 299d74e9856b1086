"""Work on a case beside its moves: assignment (to the regime's reviewers and decision makers, never to
someone who recused or belongs to the applicant), internal notes (never in a letter), holds with a reason
(the legal clock runs on), each in the audit trail; and the loser of a race is told so on the fresh page."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from ldapply.extensions import db
from ldapply.models import Application, CaseNote, ConflictDeclaration, Letter, User
from ldapply.services import accounts, case_work
from ldapply.services.errors import ChangedMeanwhile, TransitionNotAllowed
from ldapply.workflows._spec import Role
from tests.support import PASSWORD, act, login, post
from tests.support_case_work import audit_of, case_in_review, case_url, load, open_case, staff_for


def assign(client: Any, application_id: uuid.UUID, assignee: uuid.UUID | str, reason: str = "") -> Any:
    return post(client, case_url(application_id, "/assignment"), {"assignee": str(assignee), "assign_reason": reason})


def page_text(response: Any) -> str:
    return response.get_data(as_text=True)


def assignee_options(page: str) -> set[str]:
    select_html = page.split('id="assignee"', 1)[1].split("</select>", 1)[0]
    return set(re.findall(r'<option value="([^"]*)"', select_html)) - {""}


class TestAssignment:
    def test_a_reviewer_of_the_regime_is_assigned_and_shown_in_the_summary(self, app, client, people):
        application_id = case_in_review(client, people)
        response = assign(client, application_id, people.reviewer_and_decision_maker.id, "Kent de sector.")
        assert response.status_code == 302, page_text(response)
        assert load(app, application_id).assignee_id == people.reviewer_and_decision_maker.id
        page = page_text(open_case(client, application_id))
        summary = page.split('<dl class="summary">', 1)[1].split("</dl>", 1)[0]
        assert "Behandelaar" in summary
        assert people.reviewer_and_decision_maker.name in summary
        [entry] = audit_of(app, application_id, "case.assigned")
        assert entry.old == {"assignee": None, "assignee_name": None}
        assert entry.new == {
            "assignee": str(people.reviewer_and_decision_maker.id),
            "assignee_name": people.reviewer_and_decision_maker.name,
            "reason": "Kent de sector.",
        }
        assert entry.actor_id == people.reviewer.id
        assert entry.request_id

    def test_a_reviewer_takes_the_case_and_can_hand_it_back_to_nobody(self, app, client, people):
        application_id = case_in_review(client, people)
        page = page_text(open_case(client, application_id))
        assert "Aan mij toewijzen" in page
        assert assign(client, application_id, people.reviewer.id).status_code == 302
        assert load(app, application_id).assignee_id == people.reviewer.id
        assert "Aan mij toewijzen" not in page_text(open_case(client, application_id))
        assert assign(client, application_id, "").status_code == 302
        assert load(app, application_id).assignee_id is None
        old, new = (e.new for e in audit_of(app, application_id, "case.assigned"))
        assert old["assignee"] == str(people.reviewer.id)
        assert new["assignee"] is None

    def test_the_list_holds_the_regimes_reviewers_and_decision_makers_only(self, app, client, people):
        application_id = case_in_review(client, people)
        elsewhere = staff_for(app, "ander@vo.be", "Elders", Role.REVIEWER, "caretakers")
        here = staff_for(app, "hier@vo.be", "Hier", Role.DECISION_MAKER, "general")
        options = assignee_options(page_text(client.get(case_url(application_id, "/assignment"))))
        assert {str(people.reviewer.id), str(people.decision_maker.id), str(here)} <= options
        assert str(elsewhere) not in options
        assert str(people.admin.id) not in options  # an admin handles no cases

    def test_someone_without_the_regimes_role_is_refused(self, app, client, people):
        application_id = case_in_review(client, people)
        elsewhere = staff_for(app, "ander@vo.be", "Elders", Role.REVIEWER, "caretakers")
        for who in (elsewhere, people.admin.id):
            response = assign(client, application_id, who)
            assert response.status_code == 409
            assert "geen dossierbehandelaar of beslisser voor deze regeling" in page_text(response)
        assert load(app, application_id).assignee_id is None
        assert audit_of(app, application_id, "case.assigned") == []

    def test_someone_who_recused_is_not_listed_and_is_refused(self, app, client, people):
        application_id = case_in_review(client, people)
        with app.app_context():
            application = db.session.get(Application, application_id)
            db.session.add(
                ConflictDeclaration(
                    user_id=people.decision_maker.id,
                    application_id=application_id,
                    organisation_id=application.organisation_id,
                    recused=True,
                    reason="Familie.",
                )
            )
            db.session.commit()
        assert str(people.decision_maker.id) not in assignee_options(
            page_text(client.get(case_url(application_id, "/assignment")))
        )
        response = assign(client, application_id, people.decision_maker.id)
        assert response.status_code == 409
        assert "onthouden" in page_text(response)
        assert load(app, application_id).assignee_id is None

    def test_a_member_of_the_applying_organisation_is_refused(self, app, client, people):
        application_id = case_in_review(client, people)
        with app.test_request_context():
            application = db.session.get(Application, application_id)
            insider = accounts.create_user(
                email="binnen@vo.be",
                name="Binnen",
                password=PASSWORD,
                roles=(Role.REVIEWER,),
                organisation=application.organisation,
            )
            db.session.commit()
            assert insider not in case_work.assignable_staff(application)
            reviewer = db.session.get(User, people.reviewer.id)
            assert not case_work.may_take(insider, application)  # the overview offers them no "assign to me"
            assert case_work.may_take(reviewer, application)
            assert not case_work.may_take(db.session.get(User, people.admin.id), application)
            with pytest.raises(TransitionNotAllowed, match="lid van de aanvragende organisatie"):
                case_work.assign(application=application, assignee=insider, actor=reviewer)

    def test_whom_else_is_chosen_on_a_page_of_its_own_which_keeps_a_refused_choice(self, app, client, people):
        application_id = case_in_review(client, people)
        overview = page_text(open_case(client, application_id))
        assert case_url(application_id, "/assignment") in overview
        assert 'id="assignee"' not in overview  # the list of staff is read only on the assignment page
        response = post(
            client, case_url(application_id, "/assignment"), {"assignee": "iemand", "assign_reason": "Vakantie."}
        )
        assert response.status_code == 409
        refused = page_text(response)
        assert 'class="error-summary"' in refused
        assert "Kies een medewerker uit de lijst." in refused
        assert 'value="Vakantie."' in refused  # what was typed is kept
        assert "<title>Fout:" in refused
        login(client, people.advisor)
        assert client.get(case_url(application_id, "/assignment")).status_code in (302, 403, 404)

    def test_an_unknown_person_is_refused_with_a_message(self, app, client, people):
        application_id = case_in_review(client, people)
        for chosen in ("iemand", str(uuid.uuid4())):
            response = assign(client, application_id, chosen)
            assert response.status_code == 409
            assert "Kies een medewerker uit de lijst." in page_text(response)

    def test_an_advisor_or_an_applicant_cannot_assign(self, app, client, people):
        application_id = case_in_review(client, people)
        login(client, people.applicant)
        assert assign(client, application_id, people.reviewer.id).status_code in (403, 404)
        assert load(app, application_id).assignee_id is None


@contextmanager
def someone_else_changes_the_case_first(app: Flask, application_id: uuid.UUID) -> Iterator[None]:
    """Just before the request writes its change, a colleague's change to the same case is committed
    (another session, as another request would): the request's version of the case is then stale."""
    fired: list[bool] = []

    def colleague_first(session: Session, *_args: Any) -> None:
        if fired:
            return
        fired.append(True)
        with app.app_context():  # another session
            db.session.execute(
                update(Application)
                .where(Application.id == application_id)
                .values(hold_reason=None, version=Application.version + 1)
            )
            db.session.commit()

    event.listen(Session, "before_flush", colleague_first)
    try:
        yield
    finally:
        event.remove(Session, "before_flush", colleague_first)
    assert fired, "the request wrote nothing"


class TestRaces:
    def test_an_assignment_that_loses_a_race_says_so_on_the_fresh_page(self, app, client, people):
        application_id = case_in_review(client, people)
        open_case(client, application_id)
        with someone_else_changes_the_case_first(app, application_id):
            response = assign(client, application_id, people.reviewer.id)
        assert response.status_code == 409
        assert "Dit dossier werd intussen gewijzigd" in page_text(response)
        assert "Dossier " in page_text(response)  # the case page itself, as it is now
        assert load(app, application_id).assignee_id is None
        assert audit_of(app, application_id, "case.assigned") == []

    def test_a_hold_that_loses_a_race_saves_nothing(self, app, client, people):
        application_id = case_in_review(client, people)
        open_case(client, application_id)
        with someone_else_changes_the_case_first(app, application_id):
            response = post(client, case_url(application_id, "/hold"), {"hold_reason": "Wacht op de RSZ."})
        assert response.status_code == 409
        assert "Dit dossier werd intussen gewijzigd" in page_text(response)
        assert load(app, application_id).held_at is None

    def test_a_move_that_loses_a_race_is_a_409_with_the_fresh_page_not_a_500(self, app, client, people):
        application_id = case_in_review(client, people)
        open_case(client, application_id)
        with someone_else_changes_the_case_first(app, application_id):
            response = act(client, application_id, "accept_for_review")
        assert response.status_code == 409
        page = page_text(response)
        assert "Dit dossier werd intussen gewijzigd" in page
        assert "Ontvankelijk verklaren" in page
        assert load(app, application_id).state == "admissibility_check"

    def test_the_service_raises_changed_meanwhile_for_a_stale_copy(self, app, client, people):
        application_id = case_in_review(client, people)
        with app.test_request_context():
            stale = db.session.get(Application, application_id)
            reviewer = db.session.get(User, people.reviewer.id)
            with app.app_context():
                fresh = db.session.get(Application, application_id)
                other = db.session.get(User, people.decision_maker.id)
                case_work.assign(application=fresh, assignee=other, actor=db.session.get(User, people.reviewer.id))
            with pytest.raises(ChangedMeanwhile):
                case_work.assign(application=stale, assignee=reviewer, actor=reviewer)
        assert load(app, application_id).assignee_id == people.decision_maker.id


class TestNotes:
    def test_a_note_is_added_escaped_listed_newest_first_and_audited(self, app, client, people):
        application_id = case_in_review(client, people)
        first = post(client, case_url(application_id, "/notes"), {"body": "Eerst de RSZ-attesten nakijken."})
        assert first.status_code == 302
        second = post(client, case_url(application_id, "/notes"), {"body": "<script>alert('x')</script> & meer"})
        assert second.status_code == 302
        page = page_text(client.get(case_url(application_id, "/notes")))
        notes = page.split('id="notes"', 1)[1].split("</section>", 1)[0]
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; meer" in notes
        assert notes.index("&lt;script&gt;") < notes.index("RSZ-attesten")  # newest first
        entries = audit_of(app, application_id, "case.note_added")
        assert [e.new["body"] for e in entries] == [
            "Eerst de RSZ-attesten nakijken.",
            "<script>alert('x')</script> & meer",
        ]
        assert all(e.object_type == "case_note" and e.actor_id == people.reviewer.id for e in entries)

    def test_a_note_needs_text_and_nothing_is_saved_without(self, app, client, people):
        application_id = case_in_review(client, people)
        response = post(client, case_url(application_id, "/notes"), {"body": "   "})
        assert response.status_code == 400
        assert "Schrijf de notitie." in page_text(response)
        response = post(client, case_url(application_id, "/notes"), {"body": "x" * 10_001})
        assert response.status_code == 400
        assert "De notitie is te lang" in page_text(response)
        with app.app_context():
            assert db.session.scalar(select(db.func.count(CaseNote.id))) == 0

    def test_a_note_needs_the_forms_csrf_token(self, app, client, people):
        application_id = case_in_review(client, people)
        response = client.post(case_url(application_id, "/notes"), data={"body": "Zonder token."})
        assert response.status_code == 400
        with app.app_context():
            assert db.session.scalar(select(db.func.count(CaseNote.id))) == 0

    def test_a_note_never_reaches_a_letter(self, app, client, people):
        application_id = case_in_review(client, people)
        secret = "Interne twijfel over de zaakvoerder."
        assert post(client, case_url(application_id, "/notes"), {"body": secret}).status_code == 302
        response = act(client, application_id, "request_additions", "Voeg het ondernemingsplan toe.")
        assert response.status_code == 302, page_text(response)
        with app.app_context():
            contexts = [json.dumps(c, ensure_ascii=False) for c in db.session.scalars(select(Letter.context))]
        assert len(contexts) >= 2
        assert not any(secret in context for context in contexts)

    def test_the_applicant_never_sees_a_note(self, app, client, people):
        application_id = case_in_review(client, people)
        secret = "Interne twijfel over de zaakvoerder."
        post(client, case_url(application_id, "/notes"), {"body": secret})
        login(client, people.applicant)
        assert secret not in page_text(client.get(f"/applications/{application_id}"))
        assert client.get(case_url(application_id, "/notes")).status_code in (403, 404)

    def test_many_notes_are_paged(self, app, client, people):
        application_id = case_in_review(client, people)
        from tests.support_case_work import add_history

        add_history(app, application_id, 75, letters=False)
        page = page_text(client.get(case_url(application_id, "/notes")))
        notes = page.split('id="notes"', 1)[1].split("</section>", 1)[0]
        assert notes.count("<li>") == case_work.NOTES_SHOWN
        older = re.search(r'href="([^"]*/notes\?before=[^"]+)"', notes)
        assert older
        more = page_text(client.get(older.group(1).replace("&amp;", "&")))
        shown = re.findall(r"Notitie (\d+)\.", notes) + re.findall(r"Notitie (\d+)\.", more)
        assert shown == [str(n) for n in range(74, 74 - len(shown), -1)]
        assert len(shown) == 75  # every note, once


class TestHolds:
    def test_a_hold_with_its_reason_is_shown_prominently_and_the_clock_runs_on(self, app, client, people):
        application_id = case_in_review(client, people)
        before = load(app, application_id)
        response = post(client, case_url(application_id, "/hold"), {"hold_reason": "Wacht op <het> RSZ-attest."})
        assert response.status_code == 302, page_text(response)
        held = load(app, application_id)
        assert held.held_at is not None
        assert held.held_by_id == people.reviewer.id
        assert held.hold_reason == "Wacht op <het> RSZ-attest."
        assert (held.due_on, held.clocks) == (before.due_on, before.clocks)  # the legal clock does not stop
        page = page_text(open_case(client, application_id))
        notice = page.split('id="hold"', 1)[1].split("</div>", 1)[0]
        assert "In wacht:" in notice
        assert "Wacht op &lt;het&gt; RSZ-attest." in notice
        assert "De wettelijke termijn loopt door" in notice
        assert people.reviewer.name in notice
        assert page.index('id="hold"') < page.index('<dl class="summary">')  # above everything else
        [entry] = audit_of(app, application_id, "case.held")
        assert entry.new == {"held": True, "reason": "Wacht op <het> RSZ-attest."}

    def test_a_hold_needs_a_reason(self, app, client, people):
        application_id = case_in_review(client, people)
        response = post(client, case_url(application_id, "/hold"), {"hold_reason": ""})
        assert response.status_code == 400
        assert "Geef de reden waarom het dossier in wacht gaat." in page_text(response)
        assert load(app, application_id).held_at is None

    def test_a_case_on_hold_is_released_once_and_both_are_audited(self, app, client, people):
        application_id = case_in_review(client, people)
        post(client, case_url(application_id, "/hold"), {"hold_reason": "Wacht op de gemeente."})
        again = post(client, case_url(application_id, "/hold"), {"hold_reason": "Nog eens."})
        assert again.status_code == 409
        assert "staat al in wacht" in page_text(again)
        assert post(client, case_url(application_id, "/release")).status_code == 302
        released = load(app, application_id)
        assert (released.held_at, released.held_by_id, released.hold_reason) == (None, None, None)
        assert "In wacht:" not in page_text(open_case(client, application_id))
        [entry] = audit_of(app, application_id, "case.released")
        assert entry.old["reason"] == "Wacht op de gemeente."
        assert entry.new == {"held": False}
        assert post(client, case_url(application_id, "/release")).status_code == 409


def what(row: str) -> str:
    """Which line of the timeline a table row is: a synthetic step, a note, or one of the case's own moves."""
    if step := re.search(r"Stap (\d+) in", row):
        return f"Stap {step.group(1)} in"
    if "Interne notitie toegevoegd" in row:
        return "note"
    if "Aanvraag indienen" in row:
        return "submit"
    assert "Ontvankelijkheidsonderzoek starten" in row, row
    return "start_admissibility"


class TestTimeline:
    def test_the_timeline_shows_moves_assignments_holds_and_notes_but_not_views(self, app, client, people):
        application_id = case_in_review(client, people)
        assign(client, application_id, people.reviewer.id)
        post(client, case_url(application_id, "/hold"), {"hold_reason": "Wacht op de RSZ."})
        post(client, case_url(application_id, "/notes"), {"body": "Gebeld met de aanvrager."})
        open_case(client, application_id)
        page = page_text(client.get(case_url(application_id, "/timeline")))
        timeline = page.split('id="timeline"', 1)[1]
        rows = re.findall(r"<tr[ >].*?</tr>", timeline, re.S)[1:]
        titles = [re.sub(r"<[^>]+>|\s+", " ", row).strip() for row in rows]
        assert "Interne notitie toegevoegd" in titles[0]
        assert "Gebeld met de aanvrager." in titles[0]
        assert "In wacht gezet" in titles[1]
        assert "Wacht op de RSZ." in titles[1]
        assert f"Toegewezen aan {people.reviewer.name}" in titles[2]
        assert "Ontvankelijkheidsonderzoek starten" in titles[3]
        assert "Aanvraag indienen" in titles[-1]
        assert not any("viewed" in title or "bekeken" in title for title in titles)

    def test_the_timeline_is_paged_fifty_at_a_time_without_gaps_or_repeats(self, app, client, people):
        from tests.support_case_work import add_history

        application_id = case_in_review(client, people)
        add_history(app, application_id, 120, letters=False, notes=False)
        post(client, case_url(application_id, "/notes"), {"body": "Een notitie na alles."})
        page = page_text(client.get(case_url(application_id, "/timeline")))
        seen: list[str] = []
        pages = 0
        timeline = page.split('id="timeline"', 1)[1]
        while True:
            pages += 1
            body = timeline.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
            rows = re.findall(r"<tr[ >].*?</tr>", body, re.S)
            assert len(rows) <= case_work.TIMELINE_SHOWN
            seen += [what(row) for row in rows]
            older = re.search(r'href="([^"]*/timeline\?before=[^"]+)"', timeline)
            if older is None:
                break
            assert len(rows) == case_work.TIMELINE_SHOWN
            timeline = page_text(client.get(older.group(1).replace("&amp;", "&")))
        assert pages == 3
        steps = [s for s in seen if s.startswith("Stap")]
        assert steps == [f"Stap {n} in" for n in range(119, -1, -1)]  # newest first, every one once
        assert seen[:3] == ["note", "start_admissibility", "submit"]
        assert len(seen) == 120 + 3
        assert len(audit_of(app, application_id, "case.viewed")) == 3  # the case page and two more pages

    def test_a_malformed_cursor_shows_the_newest_page(self, app, client, people):
        application_id = case_in_review(client, people)
        response = open_case(client, application_id, "/timeline?before=nonsense~e12")
        assert response.status_code == 200
        assert "Aanvraag indienen" in page_text(response)
