"""Load a benchmark database: realistic applications (1,000,000 by default) with their organisations, users,
calls, events, decision proposals and letters, written with PostgreSQL's COPY (not the ORM).

Run: `make bench-generate` or `.venv/bin/python bench/generate.py [--count N] [--database ldapply_bench]`.
The database is dropped and created fresh on the server (`--server`, default postgresql://postgres@127.0.0.1:5432/),
its schema made by `flask db upgrade`; secondary indexes and foreign keys are dropped around the COPY and rebuilt
after it, then VACUUM ANALYZE. Prints the time of each phase.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ldapply.services.call_usage import counted  # noqa: E402  (after the path: run as a script)
from ldapply.workflows import REGIMES  # noqa: E402

SERVER = "postgresql://postgres@127.0.0.1:5432/"
PASSWORD = "bench-wachtwoord"  # noqa: S105  (every bench account's password: a throw-away database)
REVIEWER_EMAIL = "dossierbehandelaar@bench.ldapply.be"
TABLES = (
    "organisations",
    "users",
    "memberships",
    "role_grants",
    "calls",
    "applications",
    "application_events",
    "decision_proposals",
    "letters",
)
NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()

# Shares of the regimes and of the states an application rests in (drafts are not submitted).
REGIME_SHARES = {"general": 0.6, "caretakers": 0.2, "childcare": 0.2}
STATE_WEIGHTS = {
    "draft": 3, "submitted": 3, "admissibility_check": 3, "additions_requested": 2, "inadmissibility_proposed": 0.3,
    "inadmissible": 4, "substantive_review": 5, "advice_requested": 1, "hearing": 0.5, "heard": 0.5,
    "decision_proposed": 2, "refusal_proposed": 0.5, "granted": 6, "partly_granted": 3, "refused": 12,
    "objection_lodged": 0.5, "objection_decision_proposed": 0.2, "objection_decided": 1, "withdrawn": 5,
    "active": 30, "suspension_hearing": 0.1, "suspension_heard": 0.1, "suspension_proposed": 0.1, "suspended": 0.3,
    "revocation_hearing": 0.1, "revocation_heard": 0.1, "revocation_proposed": 0.1, "revoked": 1, "expired": 12,
}  # fmt: skip
# Where a decision was taken: the confirmed outcome, the letter it issued, the transition that took it.
DECIDED = {
    "granted": ("grant", "decision_granted", "confirm_grant"),
    "partly_granted": ("partial_grant", "decision_partly_granted", "confirm_partial_grant"),
    "refused": ("refuse", "decision_refused", "confirm_refusal"),
    "inadmissible": ("inadmissible", "inadmissible", "declare_inadmissible"),
}
LATER_OF_A_GRANT = {"active", "expired", "suspended", "revoked", "objection_decided"} | {
    s for s in STATE_WEIGHTS if s.startswith(("suspension_", "revocation_"))
}
PENDING = {"decision_proposed": "grant", "refusal_proposed": "refuse", "inadmissibility_proposed": "inadmissible"}
NAME_WORDS = (
    "Buurtwerk", "Fietspunt", "Kringloop", "Groenzorg", "Sociaal", "Wijkwerk", "Klusdienst", "Strijkatelier",
    "Buurtrestaurant", "Energiesnoeiers", "Natuurbeheer", "De Brug", "Het Anker", "De Sleutel", "Den Azalee",
    "Onthaal", "Poetsdienst", "Herstelatelier", "Dorpshuis", "Mobiliteit",
)  # fmt: skip
PLACES = ("Gent", "Antwerpen", "Leuven", "Brugge", "Hasselt", "Mechelen", "Aalst", "Kortrijk", "Genk", "Roeselare")
FORMS = ("vzw", "cvba-so", "vzw", "vzw", "bv")


@dataclass
class Ids:
    organisations: list[uuid.UUID]
    applicants: list[uuid.UUID]  # the applicant account of each organisation, by index
    reviewers: list[uuid.UUID]
    decision_makers: list[uuid.UUID]
    calls: list[tuple[uuid.UUID, date, date]]


def timed(label: str) -> Any:
    @contextmanager
    def block() -> Iterator[None]:
        started = time.perf_counter()
        yield
        print(f"  {label:<42} {time.perf_counter() - started:7.1f} s", flush=True)

    return block()


# -- the database ---------------------------------------------------------------------------------------


def recreate(server: str, name: str) -> str:
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        # PostgreSQL's JIT costs 40-57 ms per queue query and gains nothing on these short queries (quality fact 11).
        connection.execute(sql.SQL("ALTER DATABASE {} SET jit = off").format(sql.Identifier(name)))
    return server.rstrip("/") + "/" + name


def migrate(url: str) -> None:
    env = {**os.environ, **bench_environ(url)}
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True)


def bench_environ(url: str) -> dict[str, str]:
    """The settings the app runs with on the bench database (gunicorn and the migration alike)."""
    instance = Path(os.environ.get("LDAPPLY_BENCH_INSTANCE") or Path(tempfile.gettempdir()) / "ldapply-bench-instance")
    instance.mkdir(parents=True, exist_ok=True)
    return {
        "LDAPPLY_ENV": "production",
        "LDAPPLY_DATABASE_URL": url.replace("postgresql://", "postgresql+psycopg://", 1),
        "LDAPPLY_SECRET_KEY": "bench-secret-key-not-for-production",
        "LDAPPLY_INSTANCE_PATH": str(instance),
        "LDAPPLY_STORAGE_DIR": str(instance / "storage"),
        "LDAPPLY_BROKER_URL": os.environ.get("LDAPPLY_BENCH_BROKER_URL", "redis://127.0.0.1:6379/14"),
        "LDAPPLY_VERIFY_RATE_LIMIT": "100000 per minute",
    }


def secondary_objects(connection: psycopg.Connection[Any]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The foreign keys (table, name, definition) and the indexes (CREATE statements) of the tables filled,
    except primary keys: dropped before the COPY, rebuilt after it."""
    foreign_keys = connection.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND (conrelid::regclass::text = ANY(%s) OR confrelid::regclass::text = ANY(%s))",
        (list(TABLES), list(TABLES)),
    ).fetchall()
    indexes = connection.execute(
        "SELECT i.indexname, i.indexdef, c.conname FROM pg_indexes i "
        "LEFT JOIN pg_constraint c ON c.conname = i.indexname AND c.contype IN ('u') "
        "WHERE i.schemaname = 'public' AND i.tablename = ANY(%s) AND i.indexname NOT LIKE 'pk_%%'",
        (list(TABLES),),
    ).fetchall()
    return [(t, n, d) for t, n, d in foreign_keys], list(indexes)


def drop_secondary(connection: psycopg.Connection[Any]) -> tuple[list[tuple[str, str, str]], list[Any]]:
    foreign_keys, indexes = secondary_objects(connection)
    for table, name, _definition in foreign_keys:
        connection.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(table), sql.Identifier(name))
        )
    for name, _definition, constraint in indexes:
        if constraint:  # a unique constraint: dropped as a constraint, rebuilt as one
            table = connection.execute("SELECT tablename FROM pg_indexes WHERE indexname = %s", (name,)).fetchone()[0]
            connection.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(table), sql.Identifier(name))
            )
        else:
            connection.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    connection.commit()
    return foreign_keys, indexes


def rebuild_secondary(connection: psycopg.Connection[Any], foreign_keys: list[Any], indexes: list[Any]) -> None:
    connection.execute("SET maintenance_work_mem = '512MB'")
    connection.execute("SET max_parallel_maintenance_workers = 2")
    for name, definition, constraint in indexes:
        with timed(f"index {name}"):
            connection.execute(definition)
            if constraint:
                table = definition.split(" ON ")[1].split()[0].removeprefix("public.")
                connection.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} UNIQUE USING INDEX {}").format(
                        sql.Identifier(table), sql.Identifier(name), sql.Identifier(name)
                    )
                )
            connection.commit()
    with timed("foreign keys"):
        for table, name, definition in foreign_keys:
            connection.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} " + definition).format(
                    sql.Identifier(table), sql.Identifier(name)
                )
            )
        connection.commit()


# -- rows -----------------------------------------------------------------------------------------------


def enterprise_number(chance: random.Random, taken: set[str]) -> str:
    """A valid Belgian enterprise number (mod 97), not yet taken."""
    while True:
        base = chance.randint(2_000_000, 19_999_999)
        number = f"{base:08d}{97 - base % 97:02d}"
        if number not in taken and number[0] in "01":
            taken.add(number)
            return number


def copy_rows(connection: psycopg.Connection[Any], table: str, columns: tuple[str, ...], rows: Iterator[tuple]) -> int:
    count = 0
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with connection.cursor().copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    connection.commit()
    return count


def people(connection: psycopg.Connection[Any], chance: random.Random, organisations: int) -> Ids:
    """Organisations with one applicant account each, staff with their grants, and the general regime's calls."""
    from ldapply.services.accounts import hash_password

    password_hash = hash_password(PASSWORD)
    taken: set[str] = set()
    org_ids = [uuid.uuid4() for _ in range(organisations)]
    names = [
        f"{chance.choice(NAME_WORDS)} {chance.choice(PLACES)} {n} {chance.choice(FORMS)}" for n in range(organisations)
    ]
    copy_rows(
        connection,
        "organisations",
        ("id", "created_at", "name", "enterprise_number", "legal_form", "postcode", "municipality"),
        (
            (oid, NOW, names[n], enterprise_number(chance, taken), "vzw", "9000", chance.choice(PLACES))
            for n, oid in enumerate(org_ids)
        ),
    )
    staff = [("dossierbehandelaar", "reviewer", 40), ("beslisser", "decision_maker", 10), ("beheerder", "admin", 2)]
    users: list[tuple[uuid.UUID, str, str]] = []
    grants: list[tuple[uuid.UUID, uuid.UUID, str, str | None]] = []
    by_role: dict[str, list[uuid.UUID]] = {"reviewer": [], "decision_maker": [], "admin": []}
    regimes = list(REGIME_SHARES)
    for prefix, role, count in staff:
        for n in range(count):
            user_id = uuid.uuid4()
            email = f"{prefix}@bench.ldapply.be" if n == 0 else f"{prefix}-{n}@bench.ldapply.be"
            users.append((user_id, email, f"{prefix.capitalize()} {n}"))
            # The first of each works on every regime; the others on one regime each.
            grants.append((uuid.uuid4(), user_id, role, None if n == 0 else regimes[n % len(regimes)]))
            by_role[role].append(user_id)
    applicants = [uuid.uuid4() for _ in range(organisations)]
    users += [(user_id, f"aanvrager-{n}@bench.ldapply.be", f"Aanvrager {n}") for n, user_id in enumerate(applicants)]
    copy_rows(
        connection,
        "users",
        ("id", "created_at", "email", "name", "password_hash", "active", "session_token", "email_confirmed_at"),
        ((uid, NOW, email, name, password_hash, True, uuid.uuid4().hex, NOW) for uid, email, name in users),
    )
    copy_rows(
        connection,
        "memberships",
        ("id", "created_at", "user_id", "organisation_id", "is_admin", "is_signatory"),
        ((uuid.uuid4(), NOW, applicants[n], oid, True, True) for n, oid in enumerate(org_ids)),
    )
    copy_rows(
        connection,
        "role_grants",
        ("id", "created_at", "user_id", "role", "regime_code"),
        ((gid, NOW, uid, role, regime) for gid, uid, role, regime in grants),
    )
    calls = []
    for half in range(20):  # two calls a year over ten years, the last one open now
        opens = TODAY - timedelta(days=182 * (19 - half) + 150)
        calls.append((uuid.uuid4(), opens, opens + timedelta(days=180)))
    copy_rows(
        connection,
        "calls",
        ("id", "created_at", "regime_code", "title", "opens_on", "closes_on", "cap", "application_types",
         "created_by_id", "version"),
        (
            (cid, NOW, "general", f"Oproep {opens:%Y}-{1 + (opens.month > 6)}", opens, closes, Decimal(2500),
             json.dumps(["new", "extension"]), by_role["admin"][0], 1)
            for cid, opens, closes in calls
        ),
    )  # fmt: skip
    return Ids(org_ids, applicants, by_role["reviewer"], by_role["decision_maker"], calls)


@dataclass
class Case:
    """What the generator decided about one application; the rows of every table follow from it."""

    id: uuid.UUID
    regime: str
    state: str
    organisation: int
    submitted_at: datetime | None
    call: tuple[uuid.UUID, date, date] | None
    volume: Decimal


def cases(chance: random.Random, ids: Ids, count: int) -> Iterator[Case]:
    states = list(STATE_WEIGHTS)
    weights = list(STATE_WEIGHTS.values())
    regimes, shares = list(REGIME_SHARES), list(REGIME_SHARES.values())
    organisations = len(ids.organisations)
    for _ in range(count):
        state = chance.choices(states, weights)[0]
        regime = chance.choices(regimes, shares)[0]
        # Some organisations apply much more often than others.
        organisation = min(int(organisations * chance.random() ** 1.6), organisations - 1)
        in_progress = state not in DECIDED and state not in LATER_OF_A_GRANT and state not in ("withdrawn", "draft")
        age = chance.uniform(0, 170) if in_progress or state == "draft" else chance.uniform(60, 3650)
        submitted = NOW - timedelta(days=age, seconds=chance.randint(0, 86_400))
        call = None
        if regime == "general":
            call = next((c for c in ids.calls if c[1] <= submitted.date() <= c[2]), ids.calls[-1])
        fte = Decimal(chance.randint(2, 60)) / 2
        yield Case(uuid.uuid4(), regime, state, organisation, None if state == "draft" else submitted, call, fte + 1)


def answers_of(case: Case, chance: random.Random) -> dict[str, Any]:
    regime = REGIMES[case.regime]
    answers = dict(regime.example_answers)
    if "target_group_fte" in answers:
        answers["target_group_fte"] = str(case.volume - 1)
    if "caretaker_fte" in answers:
        answers["caretaker_fte"] = str(case.volume - 1)
    answers["organisation_name"] = f"Organisatie {case.organisation}"
    return answers


APPLICATION_COLUMNS = (
    "id", "created_at", "updated_at", "reference", "organisation_id", "regime_code", "regime_version", "state",
    "whose_move", "answers", "completed_steps", "call_id", "parameters", "created_by_id", "submitted_at",
    "step_changes", "clocks", "due_on", "assignee_id", "version", "requested_volume", "recognition_ends_on",
    "cap_proposed", "cap_granted",
)  # fmt: skip
EVENT_COLUMNS = ("id", "created_at", "application_id", "actor_id", "action", "from_state", "to_state", "comment")
PROPOSAL_COLUMNS = (
    "id", "created_at", "application_id", "outcome", "motivation", "volume", "considerations", "proposed_by_id",
    "status", "settled_by_id", "settled_at",
)  # fmt: skip
LETTER_COLUMNS = (
    "id", "created_at", "application_id", "event_id", "kind", "regime_code", "regime_version", "status", "context",
    "attempts", "rendered_at", "verification_code", "storage_key", "sha256", "size",
)  # fmt: skip


class Writer:
    """Turns cases into the rows of four tables, streamed by COPY one table after another from files."""

    def __init__(self, chance: random.Random, ids: Ids) -> None:
        self.chance = chance
        self.ids = ids
        self.parameters = {code: json.dumps(r.parameter_values_json()) for code, r in REGIMES.items()}
        self.steps = {code: json.dumps([s.slug for s in r.steps]) for code, r in REGIMES.items()}

    def application(self, case: Case, number: int, proposal: tuple | None) -> tuple:
        regime = REGIMES[case.regime]
        whose_move = str(regime.state(case.state).whose_move)
        in_progress = whose_move in ("reviewer", "advisor", "decision_maker") and case.state not in LATER_OF_A_GRANT
        due_on = None
        if case.submitted_at is not None and (in_progress or case.state == "additions_requested"):
            due_on = case.submitted_at.date() + timedelta(days=90 + self.chance.randint(-20, 40))
        assignee = self.chance.choice(self.ids.reviewers) if in_progress and self.chance.random() < 0.8 else None
        ends = None
        if case.state in ("active", "granted", "partly_granted", "suspended") and case.submitted_at is not None:
            ends = case.submitted_at.date() + timedelta(days=4 * 365)
        created = (case.submitted_at or NOW) - timedelta(days=3)
        return (
            case.id, created, case.submitted_at or created, f"LDE-{created:%Y}-{number:07d}",
            self.ids.organisations[case.organisation], case.regime, regime.version, case.state, whose_move,
            json.dumps(answers_of(case, self.chance)), self.steps[case.regime], case.call[0] if case.call else None,
            self.parameters[case.regime] if case.submitted_at else None, self.ids.applicants[case.organisation],
            case.submitted_at, "{}", "{}", due_on, assignee, 3, case.volume, ends, *self.cap(case, proposal),
        )  # fmt: skip

    @staticmethod
    def cap(case: Case, proposal: tuple | None) -> tuple[Decimal | None, Decimal | None]:
        """What the case takes from its call's cap, by the rules ldapply keeps them with (services/call_usage.py)."""
        if case.call is None or case.submitted_at is None:
            return None, None
        proposals = (
            [] if proposal is None else [SimpleNamespace(status=proposal[8], outcome=proposal[3], volume=proposal[5])]
        )
        return counted(case.regime, case.state, case.volume, proposals)

    def events(self, case: Case) -> Iterator[tuple]:
        if case.submitted_at is None:
            return
        at = case.submitted_at
        applicant = self.ids.applicants[case.organisation]
        yield (uuid.uuid4(), at, case.id, applicant, "submit", "draft", "submitted", None)
        if case.state == "submitted":
            return
        reviewer = self.chance.choice(self.ids.reviewers)
        at += timedelta(days=2)
        yield (uuid.uuid4(), at, case.id, reviewer, "start_admissibility", "submitted", "admissibility_check", None)
        final = self.final_transition(case)
        if final is not None:
            at += timedelta(days=self.chance.randint(5, 60))
            actor = self.chance.choice(self.ids.decision_makers) if final.decides else reviewer
            source = sorted(final.sources)[0]
            yield (uuid.uuid4(), at, case.id, actor, final.action, source, final.target, "Gemotiveerd besluit.")

    def final_transition(self, case: Case) -> Any:
        regime = REGIMES[case.regime]
        action = DECIDED.get(case.state, (None, None, None))[2]
        if action is None and case.state in LATER_OF_A_GRANT:
            action = "confirm_grant"
        if action is not None:
            return regime.transition(action)
        return next((t for t in regime.transitions if t.target == case.state and not t.automatic), None)

    def decision(self, case: Case, event_id: uuid.UUID, at: datetime) -> tuple[tuple | None, tuple | None]:
        """The confirmed or pending proposal and the decision letter of a case, where it has them."""
        outcome, kind, _ = DECIDED.get(case.state, (None, None, None))
        if outcome is None and case.state in LATER_OF_A_GRANT:
            outcome, kind = "grant", "decision_granted"
        if outcome is None:
            pending = PENDING.get(case.state)
            if pending is None or case.submitted_at is None:
                return None, None
            proposal = (uuid.uuid4(), at, case.id, pending, "Voorstel.", None, "{}",
                        self.chance.choice(self.ids.reviewers), "pending", None, None)  # fmt: skip
            return proposal, None
        volume = (case.volume / 2).quantize(Decimal("0.01")) if outcome == "partial_grant" else None
        decider = self.chance.choice(self.ids.decision_makers)
        proposal = (uuid.uuid4(), at - timedelta(days=3), case.id, outcome, "Gemotiveerd voorstel.", volume, "{}",
                    self.chance.choice(self.ids.reviewers), "confirmed", decider, at)  # fmt: skip
        context = json.dumps({"reference": str(case.id), "kind": kind, "outcome": outcome, "articles": ["1", "2"]})
        letter = (uuid.uuid4(), at, case.id, event_id, kind, case.regime, REGIMES[case.regime].version, "rendered",
                  context, 1, at, uuid.uuid4().hex[:16].upper(), f"letters/{case.id}.pdf", "0" * 64, 24_000)  # fmt: skip
        return proposal, letter


CAP_TOTALS = """UPDATE call_cap_totals SET proposed = s.proposed, granted = s.granted FROM (
    SELECT call_id, coalesce(sum(cap_proposed), 0) AS proposed, coalesce(sum(cap_granted), 0) AS granted
    FROM applications WHERE call_id IS NOT NULL GROUP BY call_id) AS s WHERE call_cap_totals.call_id = s.call_id"""


def load_cases(url: str, chance: random.Random, ids: Ids, count: int) -> dict[str, int]:
    """Applications, their events, proposals and letters: one pass over the cases, four COPY streams (one
    connection each: a connection carries one COPY at a time; the foreign keys come back afterwards)."""
    writer = Writer(chance, ids)
    columns = {
        "applications": APPLICATION_COLUMNS,
        "application_events": EVENT_COLUMNS,
        "decision_proposals": PROPOSAL_COLUMNS,
        "letters": LETTER_COLUMNS,
    }
    counts = dict.fromkeys(columns, 0)
    with ExitStack() as stack:
        copies = {}
        for name, names in columns.items():
            connection = stack.enter_context(psycopg.connect(url))
            connection.execute("SET synchronous_commit = off")
            stack.enter_context(connection.transaction())
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(name), sql.SQL(", ").join(map(sql.Identifier, names))
            )
            copies[name] = stack.enter_context(connection.cursor().copy(statement))
        for number, case in enumerate(cases(chance, ids, count)):
            events = list(writer.events(case))
            proposal = letter = None
            if events:
                proposal, letter = writer.decision(case, events[-1][0], events[-1][1])
            copies["applications"].write_row(writer.application(case, number, proposal))
            for event in events:
                copies["application_events"].write_row(event)
            counts["application_events"] += len(events)
            if proposal is not None:
                copies["decision_proposals"].write_row(proposal)
                counts["decision_proposals"] += 1
            if letter is not None:
                copies["letters"].write_row(letter)
                counts["letters"] += 1
        counts["applications"] = count
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000, help="applications (default 1,000,000)")
    parser.add_argument("--organisations", type=int, help="default: one per 20 applications, at least 50")
    parser.add_argument("--server", default=os.environ.get("LDAPPLY_BENCH_SERVER", SERVER))
    parser.add_argument("--database", default=os.environ.get("LDAPPLY_BENCH_DATABASE", "ldapply_bench"))
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    organisations = args.organisations or max(50, args.count // 20)
    chance = random.Random(args.seed)  # noqa: S311  (repeatable data, not secrets)
    started = time.perf_counter()
    print(f"generating {args.count:,} applications of {organisations:,} organisations into {args.database}")
    with timed("create database, flask db upgrade"):
        url = recreate(args.server, args.database)
        migrate(url)
    with psycopg.connect(url) as connection:
        with timed("drop secondary indexes and foreign keys"):
            foreign_keys, indexes = drop_secondary(connection)
        connection.execute("SET synchronous_commit = off")
        with timed("COPY organisations, users, grants, calls"):
            ids = people(connection, chance, organisations)
        with timed("COPY applications, events, proposals, letters"):
            # The calls' running cap totals (migration 0011) are summed once after the COPY, not row by row.
            connection.execute("ALTER TABLE applications DISABLE TRIGGER call_cap_totals_follow_insert_delete")
            connection.commit()
            counts = load_cases(url, chance, ids, args.count)
            connection.execute("ALTER TABLE applications ENABLE TRIGGER call_cap_totals_follow_insert_delete")
            connection.execute(CAP_TOTALS)
            connection.commit()
        print("   ", ", ".join(f"{name} {number:,}" for name, number in counts.items()))
        rebuild_secondary(connection, foreign_keys, indexes)
        connection.autocommit = True
        with timed("VACUUM ANALYZE"):
            connection.execute("VACUUM (ANALYZE)")
    total = time.perf_counter() - started
    print(f"done in {total / 60:.1f} min ({total:.0f} s); log in as {REVIEWER_EMAIL} / {PASSWORD}")


if __name__ == "__main__":
    main()
