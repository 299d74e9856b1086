"""Shared fixtures: one app per run on the run's database and broker, clean tables after every test.

The embedded run (the default) uses a SQLite file for the data and another for kombu's SQLAlchemy broker. With
`LDAPPLY_TEST_BACKEND=services` the same suite runs on PostgreSQL and Redis, taken from
`LDAPPLY_TEST_DATABASE_URL` and `LDAPPLY_TEST_REDIS_URL`; an unreachable service fails the run.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ldapply.workflows import register_module
from tests.mailserver import mail_server  # noqa: F401  (a fixture: a real SMTP server per test)
from tests.regimes import label_2013
from tests.support import (
    PASSWORD,
    SQLITE_AUDIT_GUARDS,
    TEST_REGIME_TEMPLATES,
    StaffClient,
    backend_environ,
    purge_broker,
)

# The test-only fourth regime: registered like any regime module, its letter templates beside it.
os.environ["LDAPPLY_LETTER_TEMPLATE_DIRS"] = TEST_REGIME_TEMPLATES
register_module(label_2013)

BACKEND = os.environ.get("LDAPPLY_TEST_BACKEND", "embedded")


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str
    broker_url: str
    instance_path: Path


def _create_postgres_database(server_url: str) -> tuple[str, str]:
    """A fresh database for this run, so runs never share tables; returns (url, name)."""
    name = f"ldapply_test_{uuid.uuid4().hex[:10]}"
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False), name


def _drop_postgres_database(server_url: str, name: str) -> None:
    engine = create_engine(make_url(server_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _redis_url(base: str, db_index: int) -> str:
    return re.sub(r"(/\d+)?$", f"/{db_index}", base.rstrip("/"), count=1)


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    instance = tmp_path_factory.mktemp("instance")
    if BACKEND == "embedded":
        yield Backend(
            "embedded",
            f"sqlite:///{instance / 'ldapply.sqlite'}",
            f"sqla+sqlite:///{instance / 'broker.sqlite'}",
            instance,
        )
        return
    server_url = os.environ["LDAPPLY_TEST_DATABASE_URL"]
    # Each xdist worker has a Redis database of its own (15, 14, ...): their brokers never share a queue.
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    redis_url = _redis_url(os.environ["LDAPPLY_TEST_REDIS_URL"], 15 - worker)
    database_url, name = _create_postgres_database(server_url)
    try:
        yield Backend("services", database_url, redis_url, instance)
    finally:
        _drop_postgres_database(server_url, name)


@pytest.fixture(scope="session")
def app(backend: Backend) -> Iterator[Flask]:
    from flask_migrate import upgrade

    os.environ.update(backend_environ(backend))
    from ldapply import create_app

    app = create_app({"TESTING": True})
    app.test_client_class = StaffClient  # staff declare no conflict of interest when a case asks them to
    with app.app_context():
        upgrade()  # the schema comes from the migrations, as in production
    yield app
    with app.app_context():
        from ldapply.extensions import db

        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test: every row deleted, stored files removed, the broker queue emptied."""
    yield
    if "app" not in request.fixturenames:
        return
    app: Flask = request.getfixturevalue("app")
    from ldapply.extensions import limiter
    from ldapply.services import memo

    with app.app_context():
        _delete_all_rows()
        memo.forget_displayed()  # the rows went by plain SQL, which tells the display lists nothing
        shutil.rmtree(app.config["STORAGE_DIR"], ignore_errors=True)
        limiter.reset()
        Path(app.config["STORAGE_DIR"]).mkdir(parents=True, exist_ok=True)
        purge_broker(app)


def _delete_all_rows() -> None:
    from ldapply.extensions import db

    db.session.rollback()
    tables = list(db.metadata.sorted_tables)
    if db.engine.dialect.name == "postgresql":
        _delete_all_rows_on_postgres([t.name for t in tables])
        return
    _delete_all_rows_on_sqlite([t.name for t in tables])


def _delete_all_rows_on_sqlite(tables: list[str]) -> None:
    """With foreign keys off (a pragma that works outside a transaction only) and the audit guard lifted: with
    them on, deleting each row that a column without an index may point at scans that table (letters.replaces_id),
    which took 18 s after a test of 10,000 letters."""
    from ldapply.extensions import db

    with db.engine.connect() as connection:
        raw = connection.connection.driver_connection
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            raw.execute("BEGIN IMMEDIATE")
            for name in SQLITE_AUDIT_GUARDS:
                raw.execute(f"DROP TRIGGER IF EXISTS {name}")
            for name in reversed(tables):
                raw.execute(f"DELETE FROM {name}")  # noqa: S608  (our own table names)
            for statement in SQLITE_AUDIT_GUARDS.values():
                raw.execute(statement)
            raw.execute("COMMIT")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def _delete_all_rows_on_postgres(tables: list[str]) -> None:
    """DELETE with triggers off for the transaction (the audit guard, the foreign keys): a test's few rows go in
    about 5 ms, where TRUNCATE of every table took 50-90 ms a test. Without the superuser's right to switch
    triggers off, TRUNCATE (which fires no row trigger either)."""
    from sqlalchemy.exc import ProgrammingError

    from ldapply.extensions import db

    try:
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    except ProgrammingError:
        db.session.rollback()
        db.session.execute(text("TRUNCATE " + ", ".join(tables) + " CASCADE"))
    else:
        for name in reversed(tables):
            db.session.execute(text(f"DELETE FROM {name}"))  # noqa: S608  (our own table names)
    db.session.commit()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


# -- people ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """What tests need of a user, detached from any database session."""

    id: uuid.UUID
    email: str
    name: str


@dataclass(frozen=True)
class People:
    applicant: Person
    other_applicant: Person
    reviewer: Person
    decision_maker: Person
    reviewer_and_decision_maker: Person
    admin: Person
    general_reviewer: Person  # a reviewer for the general regime only
    advisor: Person  # an advisor of Kind en Gezin, which advises on childcare cases
    advisory_body_id: uuid.UUID  # Kind en Gezin
    forum_body_id: uuid.UUID  # the Forum voor Lokaal Werkgelegenheidsbeleid: advises under every regime, no advisors


@pytest.fixture(scope="session", autouse=True)
def _hash_each_password_once() -> Iterator[None]:
    """Real scrypt, computed once per run for each input: the same password is hashed once rather than
    six times a test, and a hash is checked against a password once rather than at every login (a check
    takes 80 ms of CPU; logins were a third of the suite's time). Both are pure functions of their inputs."""
    from ldapply.services import accounts

    hashing, checking = accounts.hash_password, accounts.check_password_hash
    accounts.hash_password = functools.cache(hashing)  # type: ignore[assignment]
    accounts.check_password_hash = functools.cache(checking)
    yield
    accounts.hash_password, accounts.check_password_hash = hashing, checking  # type: ignore[assignment]


@pytest.fixture
def people(app: Flask) -> People:
    from ldapply.extensions import db
    from ldapply.models import AdvisoryBody
    from ldapply.services import accounts
    from ldapply.workflows._spec import Role

    def person(email: str, name: str, **options: Any) -> Person:
        user = accounts.create_user(email=email, name=name, password=PASSWORD, **options)
        return Person(user.id, user.email, user.name)

    with app.app_context():
        org_a = accounts.create_organisation(name="Buurtwerk De Brug vzw", enterprise_number="0403170701")
        org_b = accounts.create_organisation(name="Andere Organisatie vzw", enterprise_number="0123456749")
        body = AdvisoryBody(name="Kind en Gezin", regime_code="childcare")
        forum = AdvisoryBody(name="Forum voor Lokaal Werkgelegenheidsbeleid", regime_code=None)
        db.session.add_all([body, forum])
        db.session.flush()
        made = People(
            applicant=person("an@a.be", "An", organisation=org_a),
            other_applicant=person("bo@b.be", "Bo", organisation=org_b),
            reviewer=person("rev@vo.be", "Rik", roles=(Role.REVIEWER,)),
            decision_maker=person("dm@vo.be", "Dora", roles=(Role.DECISION_MAKER,)),
            reviewer_and_decision_maker=person("both@vo.be", "Sam", roles=(Role.REVIEWER, Role.DECISION_MAKER)),
            admin=person("adm@vo.be", "Ada", roles=(Role.ADMIN,)),
            general_reviewer=person("gen@vo.be", "Gert", roles=(Role.REVIEWER,), regime_code="general"),
            advisor=person("kg@kindengezin.be", "Kaat", roles=(Role.ADVISOR,), advisory_body=body),
            advisory_body_id=body.id,
            forum_body_id=forum.id,
        )
        db.session.commit()
        _open_a_call_for_every_regime_with_calls(made.admin.id)
        _let_decision_makers_sign(made)
    return made


def _let_decision_makers_sign(made: People) -> None:
    """Decision makers sign what they confirm; an admin records their function and delegation."""
    from ldapply.extensions import db
    from ldapply.models import User
    from ldapply.services import signatories
    from ldapply.workflows._spec import Provenance

    admin = db.session.get(User, made.admin.id)
    for person in (made.decision_maker, made.reviewer_and_decision_maker):
        signatories.add_signatory(
            actor=admin,
            user_id=person.id,
            function="Afdelingshoofd Sociale Economie",
            delegation="Delegatiebesluit van de secretaris-generaal van 1 september 2026, art. 3",
            provenance=Provenance.FOUND,
            source="test data",
            regime_code=None,
        )


def _open_a_call_for_every_regime_with_calls(admin_id: uuid.UUID) -> None:
    """Regimes that work with calls need an open one to start an application (an admin's task)."""
    from datetime import timedelta
    from decimal import Decimal

    from ldapply.extensions import db
    from ldapply.models import Call
    from ldapply.services.calls import today
    from ldapply.workflows import REGIMES

    for regime in REGIMES.values():
        if regime.uses_calls:
            db.session.add(
                Call(
                    regime_code=regime.code,
                    title=f"Oproep {regime.title.nl}",
                    cap=Decimal(320),
                    opens_on=today() - timedelta(days=30),
                    closes_on=today() + timedelta(days=30),
                    application_types=["new", "extension"],
                    created_by_id=admin_id,
                )
            )
    db.session.commit()
