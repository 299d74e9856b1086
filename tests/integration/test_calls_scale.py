"""Cap usage at scale: one aggregate query for one call or for all, with the same figures as counting case by
case; the calls page costs the same statements at 10 and at 10,000 cases; opening a call is audited."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from ldapply.clock import utcnow
from ldapply.extensions import db
from ldapply.models import Application, AuditEntry, Call, DecisionProposal, Organisation, ProposalStatus
from ldapply.services import calls
from ldapply.services.answers import handed_in
from ldapply.workflows import get_regime
from tests.support import count_statements, login, post
from tests.support_queue import case_row, insert_cases

GENERAL = get_regime("general")
GRANTING = sorted(o.code for o in GENERAL.outcomes if o.grants)
NOT_GRANTING = sorted(o.code for o in GENERAL.outcomes if not o.grants)
HOLDING = sorted(s.code for s in GENERAL.states if s.holds_recognition)
OTHER = ["submitted", "substantive_review", "decision_proposed", "refused"]


def the_call(app: Any) -> Call:
    with app.app_context():
        call = db.session.scalar(db.select(Call).where(Call.regime_code == "general"))
        db.session.expunge(call)
        return call


def org_id(app: Any) -> uuid.UUID:
    with app.app_context():
        return db.session.scalar(db.select(Organisation.id).limit(1))


def mixed_cases(app: Any, people: Any, call_id: uuid.UUID, count: int, seed: int = 8, orm: bool = True) -> None:
    """Cases in every kind of state, with handed-in answers, and proposals of every status and outcome. Through
    the ORM (which keeps each case's share of the cap, as in ldapply), or with Core for volume only."""
    chance = random.Random(seed)  # noqa: S311  (repeatable test data)
    organisation = org_id(app)
    rows, proposals = [], []
    for _ in range(count):
        state = chance.choice(HOLDING + OTHER)
        fte = str(Decimal(chance.randint(1, 80)) / 4)
        row = case_row(organisation, people.applicant.id, state=state, call_id=call_id)
        row["submitted_answers"] = {"target_group_fte": fte, "supervisory_fte": "1"}
        row["answers"] = {"target_group_fte": "99", "supervisory_fte": "1"}  # live edits: never counted
        rows.append(row)
        moment = utcnow() - timedelta(days=30)
        for _ in range(chance.choice([0, 0, 1, 2, 3])):
            moment += timedelta(hours=chance.randint(0, 2))  # equal times too: the id decides
            proposals.append(
                {
                    "id": uuid.uuid4(),
                    "created_at": moment,
                    "application_id": row["id"],
                    "outcome": chance.choice(GRANTING + NOT_GRANTING),
                    "motivation": "",
                    "volume": chance.choice([None, Decimal("2.5"), Decimal("0.25")]),
                    "considerations": {},
                    "proposed_by_id": people.reviewer.id,
                    "status": chance.choice(list(ProposalStatus)),
                }
            )
    if not orm:
        insert_cases(app, rows)
        return
    columns = {c.name for c in Application.__table__.columns}
    with app.app_context():
        db.session.add_all(Application(**{k: v for k, v in row.items() if k in columns}) for row in rows)
        db.session.flush()
        db.session.add_all(DecisionProposal(**proposal) for proposal in proposals)
        db.session.commit()


def counted_case_by_case(call: Call, excluding: uuid.UUID | None = None) -> tuple[Decimal, Decimal]:
    """The figures as ldapply counted them before the aggregate: every application, every proposal, in Python."""
    regime = get_regime(call.regime_code)
    granting = {o.code for o in regime.outcomes if o.grants}
    applications = db.session.scalars(select_apps(call)).all()
    proposals = db.session.scalars(
        db.select(DecisionProposal)
        .where(DecisionProposal.application_id.in_([a.id for a in applications]))
        .order_by(DecisionProposal.created_at, DecisionProposal.id)
    ).all()
    pending, confirmed = {}, {}
    for proposal in proposals:
        if proposal.status == ProposalStatus.PENDING:
            pending[proposal.application_id] = proposal
        elif proposal.status == ProposalStatus.CONFIRMED and proposal.outcome in granting:
            confirmed[proposal.application_id] = proposal
    proposed = granted = Decimal(0)
    for application in applications:
        if application.id == excluding:
            continue
        requested = regime.volume(handed_in(application))
        proposal = pending.get(application.id)
        if proposal is not None and proposal.outcome in granting:
            proposed += requested if proposal.volume is None else proposal.volume
        elif regime.state(application.state).holds_recognition:
            decided = confirmed.get(application.id)
            granted += requested if decided is None or decided.volume is None else decided.volume
    return proposed, granted


def select_apps(call: Call) -> Any:
    return db.select(Application).where(Application.call_id == call.id)


class TestCapUsage:
    def test_the_aggregate_gives_the_figures_of_counting_case_by_case(self, app, people):
        call = the_call(app)
        mixed_cases(app, people, call.id, 400)
        with app.app_context():
            call = db.session.get(Call, call.id)
            some = db.session.scalars(select_apps(call).limit(3)).all()
            for excluding in [None, *(a.id for a in some)]:
                result = calls.usage(call, excluding=excluding)
                assert (result.proposed, result.granted) == counted_case_by_case(call, excluding)
            assert result.proposed > 0
            assert result.granted > 0

    def test_one_call_costs_one_statement_and_all_calls_one_too(self, app, people):
        call = the_call(app)
        mixed_cases(app, people, call.id, 50)
        with app.app_context():
            first = db.session.get(Call, call.id)
            db.session.add(
                Call(
                    regime_code="general",
                    title="Tweede oproep",
                    opens_on=first.opens_on,
                    closes_on=first.closes_on,
                    cap=Decimal(100),
                    application_types=[],
                    created_by_id=people.admin.id,
                )
            )
            db.session.commit()
            every_call = calls.all_calls()
            assert len(every_call) == 2
            with count_statements(app) as statements:
                one = calls.usage(every_call[0])
            assert len(statements) == 1
            with count_statements(app) as statements:
                every = calls.usages(every_call)
            assert len(statements) == 1
            assert every[every_call[0].id] == one
            assert sum(u.granted for u in every.values()) == calls.usage(first).granted  # the other is empty

    def test_the_volume_kept_follows_what_is_handed_in_not_live_edits(self, app, people):
        call = the_call(app)
        with app.app_context():
            application = Application(
                reference="LDE-2026-VOLUME",
                organisation_id=org_id(app),
                regime_code="general",
                regime_version=GENERAL.version,
                state="granted",
                answers={"target_group_fte": "3", "supervisory_fte": "1"},
                completed_steps=[],
                created_by_id=people.applicant.id,
                call_id=call.id,
                submitted_at=utcnow(),
                submitted_answers={"target_group_fte": "3", "supervisory_fte": "1"},
            )
            db.session.add(application)
            db.session.commit()
            assert application.requested_volume == Decimal(4)
            application.answers = {"target_group_fte": "30", "supervisory_fte": "1"}  # not handed in
            db.session.commit()
            assert application.requested_volume == Decimal(4)
            application.submitted_answers = {"target_group_fte": "5.5", "supervisory_fte": "1"}  # handed in
            db.session.commit()
            assert application.requested_volume == Decimal("6.5")
            assert calls.usage(db.session.get(Call, call.id)).granted == Decimal("6.5")

    def test_the_totals_the_database_keeps_follow_every_write_orm_or_core(self, app, people):
        """The running totals (migration 0011's triggers) against the aggregate over the rows themselves,
        after new cases, changed shares, a case moved to another call, a deleted case and a new call."""
        call = the_call(app)
        mixed_cases(app, people, call.id, 60)
        with app.app_context():
            first = db.session.get(Call, call.id)
            other = Call(
                regime_code="general",
                title="Andere oproep",
                opens_on=first.opens_on,
                closes_on=first.closes_on,
                cap=Decimal(50),
                application_types=[],
                created_by_id=people.admin.id,
            )
            db.session.add(other)
            db.session.commit()
            assert calls.usage(other).proposed == calls.usage(other).granted == 0  # a new call starts at nothing
            table = Application.__table__
            taking = db.session.scalars(
                db.select(table.c.id).where(table.c.call_id == call.id, table.c.cap_granted.is_not(None)).limit(3)
            ).all()
            db.session.execute(table.update().where(table.c.id == taking[0]).values(cap_granted=Decimal("7.25")))
            db.session.execute(table.update().where(table.c.id == taking[1]).values(call_id=other.id))
            db.session.execute(table.delete().where(table.c.id == taking[2]))
            db.session.commit()
            for each in (first, other):
                kept = calls.usage(each)
                aggregate = db.session.execute(
                    db.select(
                        db.func.coalesce(db.func.sum(table.c.cap_proposed), 0),
                        db.func.coalesce(db.func.sum(table.c.cap_granted), 0),
                    ).where(table.c.call_id == each.id)
                ).one()
                assert (kept.proposed, kept.granted) == (calls._exact(aggregate[0]), calls._exact(aggregate[1]))
            assert calls.usage(other).granted > 0


class TestCallsPage:
    @staticmethod
    def statements(app: Any, client: Any) -> int:
        client.get("/backoffice/calls")
        with count_statements(app) as statements:
            page = client.get("/backoffice/calls")
        assert page.status_code == 200
        return len(statements)

    def test_the_same_statements_at_ten_and_at_ten_thousand_cases(self, app, client, people):
        call = the_call(app)
        mixed_cases(app, people, call.id, 10)
        login(client, people.reviewer)
        small = self.statements(app, client)
        mixed_cases(app, people, call.id, 9_990, seed=9, orm=False)
        assert self.statements(app, client) == small
        assert small <= 4  # the session's user, the calls, their usage

    def test_opening_a_call_is_audited(self, app, client, people):
        login(client, people.admin)
        data = {
            "regime": "general",
            "title": "Oproep 2028",
            "opens_on": "2028-01-01",
            "closes_on": "2028-02-01",
            "cap": "150",
            "application_types": ["new"],
        }
        assert post(client, "/backoffice/calls", data).status_code == 302
        with app.app_context():
            entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "call.opened"))
            call = db.session.scalar(db.select(Call).where(Call.title == "Oproep 2028"))
            assert entry.object_id == str(call.id)
            assert entry.actor_id == people.admin.id
            assert Decimal(entry.new["cap"]) == 150
            assert entry.new["regime"] == "general"
