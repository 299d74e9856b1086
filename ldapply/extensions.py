"""Extension instances, bound to the app in `create_app`."""

from __future__ import annotations

import sqlite3
from typing import Any

from celery import Celery, Task
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class _SQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy with the SQLite profile on the app's own SQLite engine (not on kombu's broker)."""

    def _make_engine(self, bind_key: str | None, options: dict[str, Any], app: Flask) -> Engine:
        engine = super()._make_engine(bind_key, options, app)
        if engine.dialect.name == "sqlite":
            sqlite_profile(engine)
        return engine


db = _SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
# Limits are declared on the routes that need them (/verify); storage is Redis where the broker is.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets the worker read while the web writes (quality fact 9); foreign keys are off by default."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


# -- the SQLite profile (quality target P10) -------------------------------------------------------
#
# pysqlite's own transaction handling begins a transaction only before an INSERT, UPDATE or DELETE, so
# reads run outside it and SAVEPOINT does not work. The SQLAlchemy docs' recipe ("Serializable isolation /
# Savepoints / Transactional DDL") switches it off and emits BEGIN itself. A transaction then begins
# DEFERRED: a reader takes no lock, and in WAL mode never waits for a writer, so read-only requests run
# side by side. At its first write it takes the write lock with BEGIN IMMEDIATE, after ending its read
# snapshot (nothing was written yet, so nothing is lost): the writer waits its turn (busy_timeout) instead
# of failing with "database is locked", which a deferred transaction that read an older snapshot than the
# last commit gets at once, whatever the timeout. What it read before still reflects an older moment, as
# under PostgreSQL's READ COMMITTED: the version columns (Application.version, Call.version) catch a
# change made meanwhile, and the loser is told the case changed (ChangedMeanwhile).

BUSY_TIMEOUT_MS = 10_000
_WRITING = "ldapply_sqlite_writing"  # on the pooled connection: this transaction holds the write lock
_READING = ("SELECT", "PRAGMA", "EXPLAIN", "BEGIN", "COMMIT", "END", "ROLLBACK", "RELEASE")


def sqlite_profile(engine: Engine) -> None:
    """Deferred transactions that take the write lock (BEGIN IMMEDIATE) at their first write."""
    event.listen(engine, "connect", _no_implicit_transactions)
    event.listen(engine, "begin", _begin_deferred)
    event.listen(engine, "before_cursor_execute", _lock_before_first_write)


def _no_implicit_transactions(dbapi_connection: Any, connection_record: Any) -> None:
    dbapi_connection.isolation_level = None
    connection_record.info[_WRITING] = False


def _begin_deferred(connection: Connection) -> None:
    # On the driver's connection, not through SQLAlchemy: statement counts stay as on PostgreSQL,
    # where the driver begins transactions by itself.
    connection.connection.dbapi_connection.execute("BEGIN")  # type: ignore[union-attr]
    connection.connection.info[_WRITING] = False


def _lock_before_first_write(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    info = connection.connection.info
    if info.get(_WRITING) or statement.lstrip()[:9].upper().startswith(_READING):
        return
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is None or not dbapi_connection.in_transaction:
        return
    dbapi_connection.execute("COMMIT")  # a read-only transaction so far: only its snapshot ends
    dbapi_connection.execute("BEGIN IMMEDIATE")
    info[_WRITING] = True


def render_migration_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write ldapply's column types as plain SQLAlchemy types, so migrations never import the app."""
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def celery_init_app(app: Flask) -> Celery:
    """The Flask docs' wiring: every task runs inside the app context, pushed only if none is active."""

    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: object, **kwargs: object) -> object:
            from flask import has_app_context

            if has_app_context():
                return self.run(*args, **kwargs)
            with app.app_context():
                return self.run(*args, **kwargs)

    # Default, not thread-current: a thread-current app would outrank set_default(), so a second Flask app
    # (a test's migrated copy) would keep Celery's tasks running against its database after it is gone.
    celery_app = Celery(app.name, task_cls=FlaskTask, set_as_current=False)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
