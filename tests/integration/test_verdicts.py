"""The reviewer's checklist: "niet van toepassing" beside met and not met (with its reason, what it allows,
how letters print it); a checklist saved from a page older than a colleague's verdict is refused with the
fresh checklist instead of overwriting it, also when both save at the same moment; the migration keeps every
verdict; and a case's audit trail page reads its entries by the (application, number) index."""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, insert, inspect, select, text, update
from sqlalchemy.engine import make_url

from ldapply import create_app
from ldapply.extensions import db
from ldapply.models import Application, ApplicationEvent, AuditEntry, ConditionVerdict, Letter, User, utcnow
from ldapply.services import audit, letters
from ldapply.services.assessment import verdict_problem
from ldapply.services.letter_context import norm_text
from ldapply.services.samples import sample_case
from ldapply.workflows import get_regime
from ldapply.workflows._spec import Text, Verdict
from tests.support import REASON, act, login, post, submitted_application
from tests.support_audit import Browser, append_entries, form_token, served, text_of
from tests.support_reports import case as a_case
from tests.support_reports import organisation

GENERAL = get_regime("general")
CHILDCARE = get_regime("childcare")
CODES = [c.code for c in GENERAL.conditions]
NA = "public_commission"  # judged not applicable in these tests
NA_TITLE = GENERAL.condition(NA).title.nl
NA_REASON = "De organisatie voert geen opdracht uit voor een openbaar bestuur; deze voorwaarde betreft haar niet."
NOT_MET = "local_need"
CHANGED = "Intussen gewijzigd door een collega"


def in_review(client: FlaskClient, people: Any, regime: str = "general") -> uuid.UUID:
    """A submitted application in substantive review, nothing judged yet; the client is the reviewer."""
    application_id = submitted_application(client, people, regime)
    login(client, people.reviewer)
    for action in ("start_admissibility", "accept_for_review"):
        assert act(client, application_id, action).status_code == 302
    return application_id


def judged(verdicts: dict[str, str], **reasons: str) -> dict[str, str]:
    """The checklist's form fields: each condition's verdict, with a substantive reason unless given."""
    data = {}
    for code, verdict in verdicts.items():
        data[f"verdict-{code}"] = verdict
        data[f"reason-{code}"] = reasons.get(code, NA_REASON if verdict == "not_applicable" else REASON)
    return data


def every(verdict: str = "met", **others: str) -> dict[str, str]:
    return {code: others.get(code, verdict) for code in CODES}


def assess(client: FlaskClient, application_id: uuid.UUID, data: dict[str, str]) -> Any:
    return post(client, f"/backoffice/applications/{application_id}/assessment", data)


def refused_page(response: Any) -> str:
    """A save refused for a reason answers the case page again (422) with what was chosen and typed."""
    assert response.status_code == 422, response.status_code
    return response.get_data(as_text=True)


def stored(app: Flask, application_id: uuid.UUID) -> dict[str, tuple[str, str | None, str | None, int]]:
    with app.app_context():
        rows = db.session.scalars(select(ConditionVerdict).where(ConditionVerdict.application_id == application_id))
        return {r.condition_code: (r.verdict, r.reason, r.note, r.version) for r in rows}


def verdict_entries(app: Flask) -> int:
    with app.app_context():
        return len(db.session.scalars(select(AuditEntry.seq).where(AuditEntry.action == "verdict.recorded")).all())


def condition_block(html: str, title: str) -> str:
    """The part of a letter that speaks of one condition (its <div class="condition">)."""
    blocks = [b for b in html.split('<div class="condition">')[1:] if title in b.split("</div>")[0]]
    assert len(blocks) == 1, f"{title} is not one condition of the letter"
    return text_of(blocks[0].split("</div>")[0])


def seen_versions(page: str) -> dict[str, str]:
    """The version of each verdict the checklist on this page was rendered with."""
    return dict(re.findall(r'name="seen-(\w+)" value="(\d+)"', page))


class TestNotApplicable:
    def test_a_condition_judged_not_applicable_is_kept_with_its_reason_shown_and_audited(self, app, client, people):
        application_id = in_review(client, people)
        response = assess(client, application_id, judged(every(**{NA: "not_applicable"})))
        assert response.status_code == 302, response.get_data(as_text=True)
        assert stored(app, application_id)[NA] == ("not_applicable", NA_REASON, None, 1)
        page = client.get(f"/backoffice/applications/{application_id}/assessment").get_data(as_text=True)
        assert re.search(rf'id="verdict-{NA}-na"[^>]*value="not_applicable"\s+checked', page)
        timeline = client.get(f"/backoffice/applications/{application_id}/timeline").get_data(as_text=True)
        assert f"„{NA_TITLE}” beoordeeld: niet van toepassing" in text_of(timeline)
        with app.app_context():
            entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_id == NA))
            assert entry.new == {"verdict": "not_applicable", "reason": NA_REASON, "note": None}
            assert entry.actor_id == people.reviewer.id

    @pytest.mark.parametrize("reason", ["", "n.v.t."])
    def test_not_applicable_without_a_substantive_reason_is_refused_and_nothing_is_saved(
        self, app, client, people, reason
    ):
        application_id = in_review(client, people)
        response = assess(client, application_id, judged(every(**{NA: "not_applicable"}), **{NA: reason}))
        html_page = refused_page(response)
        page = text_of(html_page)
        assert "Beoordeling niet bewaard." in page
        # nothing typed is lost: every choice and reason comes back as posted
        assert re.search(rf'id="verdict-{NOT_MET}-met"[^>]*value="met"\s+checked', html_page)
        assert re.search(rf'id="verdict-{NA}-na"[^>]*value="not_applicable"\s+checked', html_page)
        assert html_page.count(f">{REASON}</textarea>") == len(CODES) - 1
        assert f"Geef bij „{NA_TITLE}” de reden waarom deze voorwaarde niet van toepassing is" in page
        assert stored(app, application_id) == {}  # not the other conditions either
        assert verdict_entries(app) == 0

    def test_a_condition_of_every_application_offers_no_not_applicable_and_refuses_it(self, app, client, people):
        """Only a condition whose terms leave it out of some applications (the call's condition, the sui generis
        division of an organisation without other work) may be judged not applicable."""
        assert GENERAL.condition(NOT_MET).inapplicable_when is None
        application_id = in_review(client, people)
        page = client.get(f"/backoffice/applications/{application_id}/assessment").get_data(as_text=True)
        assert f'id="verdict-{NOT_MET}-na"' not in page
        assert f'id="verdict-{NA}-na"' in page
        assert "Alleen wanneer de oproep waarop de aanvraag ingaat, deze voorwaarde niet stelt." in text_of(page)
        response = assess(client, application_id, judged(every(**{NOT_MET: "not_applicable"})))
        page = text_of(refused_page(response))
        title = GENERAL.condition(NOT_MET).title.nl
        assert f"De voorwaarde „{title}” geldt voor elke aanvraag van deze regeling" in page
        assert stored(app, application_id) == {}

    def test_a_decision_on_a_stored_not_applicable_verdict_of_a_condition_of_every_application_is_refused(
        self, app, client, people
    ):
        application_id = in_review(client, people)
        assert assess(client, application_id, judged(every())).status_code == 302
        assert act(client, application_id, "propose_grant", "Aan alle voorwaarden is voldaan.").status_code == 302
        with app.app_context():  # as an import could store it
            db.session.execute(
                update(ConditionVerdict)
                .where(ConditionVerdict.condition_code == NOT_MET)
                .values(verdict="not_applicable", reason=NA_REASON)
            )
            db.session.commit()
        login(client, people.decision_maker)
        response = act(client, application_id, "confirm_grant")
        assert response.status_code != 302
        title = GENERAL.condition(NOT_MET).title.nl
        assert f"De voorwaarde „{title}” geldt voor elke aanvraag" in text_of(response.get_data(as_text=True))

    def test_a_decisive_condition_the_application_shows_unmet_cannot_be_not_applicable(self, app, client, people):
        application_id = in_review(client, people, "childcare")
        with app.app_context():
            application = db.session.get(Application, application_id)
            application.submitted_answers = {**application.submitted_answers, "kg_status": "requested"}
            db.session.commit()
        code = "kind_en_gezin_authorisation"
        response = assess(client, application_id, judged({code: "not_applicable"}))
        page = text_of(refused_page(response))
        assert "Kind en Gezin heeft de opvang vergund” geldt voor elke aanvraag van deze regeling" in page
        assert stored(app, application_id) == {}
        # Were its terms to leave it out of some applications, it still applies while the answers show it unmet.
        may_not_apply = replace(CHILDCARE.condition(code), inapplicable_when=Text("iets", "something"))
        with app.test_request_context(), app.app_context():
            answers = db.session.get(Application, application_id).submitted_answers
            problem = verdict_problem(
                may_not_apply, Verdict.NOT_APPLICABLE, NA_REASON, answers, CHILDCARE.parameter_values()
            )
        assert "is doorslaggevend en volgens de aanvraag niet vervuld: ze is dus wel van toepassing" in str(problem)

    def test_a_grant_rests_on_conditions_met_or_not_applicable_and_its_letter_prints_not_applicable(
        self, app, client, people
    ):
        application_id = in_review(client, people)
        assert assess(client, application_id, judged(every(**{NA: "not_applicable"}))).status_code == 302
        proposed = act(client, application_id, "propose_grant", "Aan alle toepasselijke voorwaarden is voldaan.")
        assert proposed.status_code == 302, proposed.get_data(as_text=True)
        login(client, people.decision_maker)
        assert act(client, application_id, "confirm_grant").status_code == 302
        with app.app_context():
            letter = db.session.scalar(select(Letter).where(Letter.kind == "decision_granted"))
            row = next(c for c in letter.context["conditions"] if c["code"] == NA)
            html = letters.render_html("general", "decision_granted", letter.context)
        assert (row["verdict"], row["met"], row["reason"]) == ("not_applicable", None, NA_REASON)
        shown = condition_block(html, NA_TITLE)
        assert "Oordeel: niet van toepassing" in shown
        assert NA_REASON in shown
        assert "vervuld" not in shown  # never printed as met
        assert "Oordeel: vervuld" in condition_block(html, GENERAL.condition(NOT_MET).title.nl)

    def test_a_refusal_needs_a_condition_not_met_and_not_applicable_founds_none(self, app, client, people):
        application_id = in_review(client, people)
        assert assess(client, application_id, judged(every(**{NA: "not_applicable"}))).status_code == 302
        refused = act(client, application_id, "announce_refusal", "Er zijn onvoldoende doelgroepwerknemers.")
        assert refused.status_code == 409
        assert "Een weigering steunt op minstens één voorwaarde die niet vervuld is" in text_of(
            refused.get_data(as_text=True)
        )
        data = judged(every(**{NA: "not_applicable", NOT_MET: "not_met"}))
        assert assess(client, application_id, data).status_code == 302
        announced = act(client, application_id, "announce_refusal", "De lokale behoefte is niet aangetoond.")
        assert announced.status_code == 302, announced.get_data(as_text=True)
        with app.app_context():
            grounds = db.session.scalar(
                select(ApplicationEvent.grounds).where(ApplicationEvent.action == "announce_refusal")
            )
            notice = db.session.scalar(select(Letter).where(Letter.kind == "intended_refusal"))
            html = text_of(letters.render_html("general", "intended_refusal", notice.context))
        assert grounds == [NOT_MET]  # the hearing is on the condition not met alone
        assert GENERAL.condition(NOT_MET).title.nl in html
        assert NA_TITLE not in html  # not announced as a ground

    def test_a_decision_whose_not_applicable_verdict_lost_its_reason_is_refused(self, app, client, people):
        """The motivation check before a decision: a verdict stored without its reason (as from an import)
        cannot reach a letter."""
        application_id = in_review(client, people)
        assert assess(client, application_id, judged(every(**{NA: "not_applicable"}))).status_code == 302
        assert act(client, application_id, "propose_grant", "Aan alle voorwaarden is voldaan.").status_code == 302
        with app.app_context():
            db.session.execute(
                update(ConditionVerdict).where(ConditionVerdict.condition_code == NA).values(reason="n.v.t.")
            )
            db.session.commit()
        login(client, people.decision_maker)
        response = act(client, application_id, "confirm_grant")
        assert response.status_code != 302
        assert f"De voorwaarde „{NA_TITLE}” is niet van toepassing bevonden zonder inhoudelijke reden" in text_of(
            response.get_data(as_text=True)
        )


class TestNoSilentOverwrite:
    def test_a_save_from_a_page_older_than_a_colleagues_verdict_gets_409_and_the_fresh_checklist(
        self, app, client, people
    ):
        """Nothing typed is lost: the conditions the colleague judged show their verdict with mine beside it,
        the others what I typed."""
        application_id = in_review(client, people)
        assert assess(client, application_id, judged(every())).status_code == 302
        colleague = app.test_client()
        login(colleague, people.reviewer_and_decision_maker)
        path = f"/backoffice/applications/{application_id}/assessment"
        mine, theirs = client.get(path).get_data(as_text=True), colleague.get(path).get_data(as_text=True)
        assert seen_versions(mine) == seen_versions(theirs) == dict.fromkeys(CODES, "1")

        changed = judged(every(**{NOT_MET: "not_met"})) | {f"seen-{c}": v for c, v in seen_versions(theirs).items()}
        assert assess(colleague, application_id, changed).status_code == 302
        before, entries = stored(app, application_id), verdict_entries(app)

        stale = judged(every()) | {f"seen-{c}": v for c, v in seen_versions(mine).items()}
        stale[f"note-{NA}"] = "Nog navragen."  # a change of my own, on another condition
        response = assess(client, application_id, stale)
        assert response.status_code == 409
        page = response.get_data(as_text=True)
        shown = text_of(page)
        assert CHANGED in shown
        assert f"„{GENERAL.condition(NOT_MET).title.nl}” ({people.reviewer_and_decision_maker.name})" in shown
        assert "Er werd niets bewaard" in shown
        assert re.search(rf'id="verdict-{NOT_MET}-not"[^>]*value="not_met"\s+checked', page)  # the fresh checklist
        assert seen_versions(page)[NOT_MET] == "2"
        mine_beside = page.split(f'id="condition-{NOT_MET}"')[1].split('class="condition"')[0]
        assert "Uw invoer, niet bewaard:</strong> Vervuld" in mine_beside
        assert REASON in text_of(mine_beside)
        assert "Uw invoer, niet bewaard" not in page.split(f'id="condition-{NA}"')[1].split('class="condition"')[0]
        assert re.search(rf'<textarea id="note-{NA}"[^>]*>Nog navragen.</textarea>', page)  # typed, kept
        assert stored(app, application_id) == before  # nothing saved, my note neither
        assert verdict_entries(app) == entries

        again = judged(every(**{NOT_MET: "not_met"})) | {f"seen-{c}": v for c, v in seen_versions(page).items()}
        again[f"note-{NA}"] = "Nog navragen."
        assert assess(client, application_id, again).status_code == 302  # from the fresh page it saves
        assert stored(app, application_id)[NA][2] == "Nog navragen."

    def test_a_save_that_leaves_a_colleagues_new_verdict_alone_goes_through(self, app, client, people):
        application_id = in_review(client, people)
        colleague = app.test_client()
        login(colleague, people.reviewer_and_decision_maker)
        path = f"/backoffice/applications/{application_id}/assessment"
        mine, theirs = client.get(path).get_data(as_text=True), colleague.get(path).get_data(as_text=True)
        first = judged({NOT_MET: "not_met"}) | {f"seen-{c}": v for c, v in seen_versions(theirs).items()}
        assert assess(colleague, application_id, first).status_code == 302
        others = {code: "met" for code in CODES if code != NOT_MET}  # my page showed that one unjudged: left open
        second = judged(others) | {f"seen-{c}": v for c, v in seen_versions(mine).items()}
        assert assess(client, application_id, second).status_code == 302
        verdicts = stored(app, application_id)
        assert verdicts[NOT_MET][0] == "not_met"
        assert {verdicts[code][0] for code in others} == {"met"}

    def test_two_reviewers_saving_the_checklist_at_the_same_moment_one_wins_the_other_sees_it(
        self, app, client, people
    ):
        """Over real HTTP, one thread per request: the first round races two first verdicts (an insert each),
        the others two changes of the same verdict (an update each)."""
        application_id = in_review(client, people)
        path = f"/backoffice/applications/{application_id}"
        with served(app) as base:
            browsers = [Browser(base), Browser(base)]
            browsers[0].log_in(people.reviewer.email)
            browsers[1].log_in(people.reviewer_and_decision_maker.email)
            for round_ in range(6):
                pages = [browser.open_case(application_id, "/assessment") for browser in browsers]
                assert all(seen_versions(page.body) for page in pages)  # each page shows the checklist
                forms = [
                    judged({NOT_MET: "not_met"}, **{NOT_MET: f"{REASON} Ronde {round_}, persoon {i}."})
                    | {f"seen-{c}": v for c, v in seen_versions(page.body).items()}
                    | {"csrf_token": form_token(page)}
                    for i, page in enumerate(pages)
                ]
                answers = race(browsers, f"{path}/assessment", forms)
                assert sorted(a.status for a in answers) == [302, 409], [
                    (a.status, text_of(a.body)[:300]) for a in answers
                ]
                lost = next(a for a in answers if a.status == 409)
                assert "intussen" in text_of(lost.body).lower()
                winner = answers.index(next(a for a in answers if a.status == 302))
                verdict = stored(app, application_id)[NOT_MET]
                assert verdict[1] == f"{REASON} Ronde {round_}, persoon {winner}."
                assert verdict[3] == round_ + 1
        assert verdict_entries(app) == 6  # one per saved change, none for the loser


def race(browsers: list[Browser], path: str, forms: list[dict[str, str]]) -> list[Any]:
    barrier = threading.Barrier(len(browsers))
    answers: list[Any] = [None] * len(browsers)

    def press(index: int) -> None:
        barrier.wait(10)
        answers[index] = browsers[index].post(path, forms[index])

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(answer is not None for answer in answers), "a request did not come back"
    return answers


# -- the migration -------------------------------------------------------------------------------------------


@pytest.fixture
def fresh_database(app: Flask, tmp_path: Any) -> Iterator[str]:
    """An empty database beside the run's own, on the run's backend: migrations are run on it from scratch."""
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"
        return
    server = make_url(os.environ["LDAPPLY_TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    name = f"ldapply_migration_{uuid.uuid4().hex[:10]}"
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def test_the_migration_keeps_every_verdict_and_a_downgrade_refuses_to_lose_not_applicable(app, fresh_database):
    from alembic import command
    from flask_migrate import downgrade, upgrade

    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_database})
    app.extensions["celery"].set_default()  # the run's app stays Celery's
    try:
        with other.app_context():
            upgrade(revision="0007")
            user_id = uuid.uuid4()
            db.session.execute(
                insert(User).values(
                    id=user_id, created_at=utcnow(), email="rik@vo.be", name="Rik", password_hash="-", session_token="-"
                )
            )
            application_id = a_case(organisation("Buurtwerk De Brug vzw"), user_id, state="substantive_review")
            for code, met in ((NOT_MET, False), ("supplementary", True)):
                db.session.execute(
                    text(
                        "INSERT INTO condition_verdicts (id, created_at, application_id, condition_code, met, reason, "
                        "assessed_by_id, assessed_at) VALUES (:id, :at, :application, :code, :met, :reason, :user, :at)"
                    ).bindparams(
                        id=uuid.uuid4(),
                        at=utcnow(),
                        application=application_id,
                        code=code,
                        met=met,
                        reason=REASON,
                        user=user_id,
                    )
                )
            db.session.commit()

            upgrade(revision="0008")  # this revision; later ones are not under test here
            rows = db.session.execute(
                select(ConditionVerdict.condition_code, ConditionVerdict.verdict, ConditionVerdict.version)
            )
            assert sorted(rows) == [("local_need", "not_met", 1), ("supplementary", "met", 1)]
            indexes = {index["name"] for index in inspect(db.engine).get_indexes("audit_entries")}
            assert "ix_audit_entries_application_id_seq" in indexes
            assert "ix_audit_entries_application_id" not in indexes  # the new index serves its lookups

            db.session.execute(
                update(ConditionVerdict)
                .where(ConditionVerdict.condition_code == NOT_MET)
                .values(verdict="not_applicable")
            )
            db.session.commit()
            with pytest.raises(RuntimeError, match="not applicable"):  # as alembic raises it (flask db only logs it)
                command.downgrade(other.extensions["migrate"].migrate.get_config(), "0007")
            db.session.rollback()
            assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == "0008"
            db.session.execute(
                update(ConditionVerdict).where(ConditionVerdict.condition_code == NOT_MET).values(verdict="not_met")
            )
            db.session.commit()
            downgrade(revision="0007")
            kept = db.session.execute(
                text("SELECT condition_code, met FROM condition_verdicts ORDER BY condition_code")
            )
            assert [(code, bool(met)) for code, met in kept] == [("local_need", False), ("supplementary", True)]
            db.session.commit()
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


# -- the audit trail's index ---------------------------------------------------------------------------------


def test_the_case_trail_page_reads_its_entries_by_the_application_and_number_index(app):
    """The query the case's trail page runs (audit.search for one case, newest first, a page at a time),
    explained on a trail of 30,000 entries of 300 cases, the case's own 100 spread over it as its work goes
    on: it reads the index, in its order (no sort), not the whole trail backwards."""
    target, others = uuid.uuid4(), [uuid.uuid4() for _ in range(300)]
    with app.app_context():
        for index, other in enumerate(others):
            append_entries(100, application_id=other)
            if index % 3 == 0:
                append_entries(1, application_id=target)
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        sent: list[tuple[str, Any]] = []

        def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
            sent.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            first = audit.search(audit.TrailFilter(application_id=target), limit=50)
            audit.search(audit.TrailFilter(application_id=target), before=first.next_before, limit=50)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        assert len(sent) == 2
        sqlite = db.engine.dialect.name == "sqlite"
        explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
        plans = [
            "\n".join(str(row[-1]) for row in db.session.connection().exec_driver_sql(explain + statement, parameters))
            for statement, parameters in sent
        ]
    for plan in plans:  # both pages find the case's entries, before the cursor, in the index alone
        assert "ix_audit_entries_application_id_seq" in plan, plan
        assert "pk_audit_entries" not in plan, plan  # not the whole trail read backwards
        assert "Seq Scan" not in plan, plan
        assert "SCAN audit_entries" not in plan, plan
    # The first page reads the index in its order and stops after 51 entries: no sort. (A later page may have
    # its few remaining entries fetched and sorted instead, when the planner finds that cheaper.)
    assert ("TEMP B-TREE" if sqlite else "Sort") not in plans[0], plans[0]


class TestMetWithoutANorm:
    """The caretakers ratio has no norm set (units_per_caretaker_fte): "met" cannot lean on a threshold, so the
    reviewer says what they judged it against, and the letter says no norm is set rather than print a rule."""

    CODE = "units_per_caretaker"

    def test_met_without_a_reason_is_refused_and_with_one_it_is_kept(self, app, client, people):
        caretakers = get_regime("caretakers")
        title = caretakers.condition(self.CODE).title.nl
        application_id = in_review(client, people, "caretakers")
        page = client.get(f"/backoffice/applications/{application_id}/assessment").get_data(as_text=True)
        assert f'id="verdict-{self.CODE}-norm"' in page
        data = {f"verdict-{c.code}": "met" for c in caretakers.conditions}
        response = assess(client, application_id, data)
        page = text_of(refused_page(response))
        assert f"Voor „{title}” is geen norm vastgelegd: zeg in de reden waaraan u de voorwaarde vervuld achtte" in page
        assert stored(app, application_id) == {}
        reason = "Eén huisbewaarder per complex van 120 woningen, zoals de stukken van de SHM tonen."
        assert assess(client, application_id, {**data, f"reason-{self.CODE}": reason}).status_code == 302
        assert stored(app, application_id)[self.CODE][:2] == ("met", reason)

    def test_the_letter_says_no_norm_is_set_and_a_decision_on_a_verdict_without_its_reason_is_refused(
        self, app, client, people
    ):
        caretakers = get_regime("caretakers")
        application_id = in_review(client, people, "caretakers")
        data = {f"verdict-{c.code}": "met" for c in caretakers.conditions}
        data[f"reason-{self.CODE}"] = "Eén huisbewaarder per complex van 120 woningen, zoals de stukken tonen."
        assert assess(client, application_id, data).status_code == 302
        assert act(client, application_id, "propose_grant", "Aan alle voorwaarden is voldaan.").status_code == 302
        with app.app_context():  # as an import could store it
            db.session.execute(
                update(ConditionVerdict).where(ConditionVerdict.condition_code == self.CODE).values(reason=None)
            )
            db.session.commit()
        login(client, people.decision_maker)
        response = act(client, application_id, "confirm_grant")
        assert response.status_code != 302
        assert "is geen norm vastgelegd: zeg in de reden" in text_of(response.get_data(as_text=True))
        case = sample_case(caretakers, "decision_granted", code="NORM00000000")
        assert norm_text(caretakers.condition(self.CODE), case, caretakers) == (
            "geen: de administratie heeft hiervoor geen norm vastgelegd"
        )
