"""Settings from the environment, with embedded defaults for development and tests.

`LDAPPLY_ENV` picks the profile: `development` (what `make run` uses), `test`, or `production`
(the default, so a forgotten variable fails safe). Secrets come from the environment only;
development generates a key once and keeps it in the instance folder.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROFILES = ("development", "test", "production")
LETTER_QUEUE = "letters"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_REQUEST_BYTES = 25 * 1024 * 1024


class ConfigError(RuntimeError):
    """The environment does not describe a usable configuration."""


def load_settings(instance_path: Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if environ is None else environ
    profile = env.get("LDAPPLY_ENV", "production")
    if profile not in PROFILES:
        raise ConfigError(f"LDAPPLY_ENV must be one of {', '.join(PROFILES)}, not {profile!r}")
    database_url = env.get("LDAPPLY_DATABASE_URL") or _embedded_database_url(instance_path, profile)
    broker_url = env.get("LDAPPLY_BROKER_URL") or _embedded_broker_url(instance_path, profile)
    return {
        "LDAPPLY_ENV": profile,
        "SECRET_KEY": _secret_key(instance_path, profile, env),
        "SQLALCHEMY_DATABASE_URI": _normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
        "STORAGE_DIR": Path(env.get("LDAPPLY_STORAGE_DIR") or instance_path / "storage"),
        "MAX_CONTENT_LENGTH": MAX_REQUEST_BYTES,
        "MAX_UPLOAD_BYTES": MAX_UPLOAD_BYTES,
        "MAX_FORM_PARTS": 2000,  # a step with 200 rows of a repeating group posts about 1000 fields
        "WTF_CSRF_TIME_LIMIT": 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": profile == "production",
        "REMEMBER_COOKIE_SECURE": profile == "production",
        "PERMANENT_SESSION_LIFETIME": 30 * 60,  # inactivity timeout (ASVS 7.3.1), refreshed per request
        "SESSION_ABSOLUTE_SECONDS": 12 * 3600,  # absolute lifetime, whatever the activity (ASVS 7.3.2)
        "BEHIND_PROXY": env.get("LDAPPLY_BEHIND_PROXY") == "1",  # trust one proxy's X-Forwarded-* headers
        "PREFERRED_URL_SCHEME": "https" if profile == "production" else "http",
        "LETTER_DISPATCH_GRACE_SECONDS": int(env.get("LDAPPLY_LETTER_DISPATCH_GRACE_SECONDS", "60")),
        # A letter no worker has touched for this long was lost mid-flight (longer than the longest
        # retry countdown plus the hard time limit), and one tried this often is given up as failed.
        "LETTER_LEASE_SECONDS": 15 * 60,
        "LETTER_MAX_ATTEMPTS": 12,
        # Where letters say they can be verified, and who sends them (the administration's own data).
        "PUBLIC_URL": env.get("LDAPPLY_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        "SENDER": _sender(env),
        # Mail goes out over SMTP (smtp://, smtp+starttls:// or smtps://host:port); with no URL the worker
        # writes each message as an .eml file under the instance folder's mail/ (development).
        "MAIL_URL": env.get("LDAPPLY_MAIL_URL", ""),
        "MAIL_FROM": env.get("LDAPPLY_MAIL_FROM") or _sender(env)["email"],
        "MAIL_DIR": instance_path / "mail",
        # Guessing a verification code is hopeless (60 bits); the limit keeps it so, across processes on Redis.
        "VERIFY_RATE_LIMIT": env.get("LDAPPLY_VERIFY_RATE_LIMIT", "10 per minute"),
        "RATELIMIT_STORAGE_URI": broker_url if broker_url.startswith(("redis://", "rediss://")) else "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "CELERY": _celery_settings(broker_url, instance_path),
    }


def _sender(env: Mapping[str, str]) -> dict[str, Any]:
    """The sender block of every letter; the defaults name the department that ran the LDE."""
    return {
        "authority": env.get("LDAPPLY_SENDER_AUTHORITY", "Vlaamse overheid"),
        "department": env.get("LDAPPLY_SENDER_DEPARTMENT", "Departement Werk en Sociale Economie"),
        "unit": env.get("LDAPPLY_SENDER_UNIT", "Team Lokale Diensteneconomie"),
        "address": tuple(env.get("LDAPPLY_SENDER_ADDRESS", "Havenlaan 88|1000 Brussel").split("|")),
        "email": env.get("LDAPPLY_SENDER_EMAIL", "lokalediensteneconomie@vlaanderen.be"),
        "website": env.get("LDAPPLY_SENDER_WEBSITE", "www.vlaanderen.be/lokale-diensteneconomie"),
    }


def _embedded_database_url(instance_path: Path, profile: str) -> str:
    if profile == "production":
        raise ConfigError("LDAPPLY_DATABASE_URL is required in production")
    return f"sqlite:///{instance_path / 'ldapply.sqlite'}"


def _embedded_broker_url(instance_path: Path, profile: str) -> str:
    """kombu's SQLAlchemy transport on a SQLite file: no server, and transactional, unlike the
    filesystem transport, whose reader can take a message file before it is written (kombu#1551)."""
    if profile == "production":
        raise ConfigError("LDAPPLY_BROKER_URL is required in production")
    return f"sqla+sqlite:///{instance_path / 'broker.sqlite'}"


def _normalise_database_url(url: str) -> str:
    """Accept the plain `postgresql://` form and use psycopg 3 for it."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # A busy timeout instead of an immediate "database is locked" when web and worker write together.
        return {"connect_args": {"timeout": 10}}
    # Bounded failure time on a sick database (quality P9): connect in 3 s, statements in 15 s.
    return {
        "pool_pre_ping": True,
        "connect_args": {"connect_timeout": 3, "options": "-c statement_timeout=15000"},
    }


def _secret_key(instance_path: Path, profile: str, env: Mapping[str, str]) -> str:
    key = env.get("LDAPPLY_SECRET_KEY")
    if key:
        return key
    if profile == "production":
        raise ConfigError("LDAPPLY_SECRET_KEY is required in production")
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _celery_settings(broker_url: str, instance_path: Path) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "broker_url": broker_url,
        "result_backend": None,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_default_queue": LETTER_QUEUE,
        # A task killed mid-render is redelivered, not lost (quality fact 4); rendering is idempotent.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "worker_max_tasks_per_child": 500,
        "worker_max_memory_per_child": 300_000,
        "task_soft_time_limit": 60,
        "task_time_limit": 90,
        "broker_connection_timeout": 2,
        "broker_connection_retry_on_startup": True,
        "beat_schedule": {
            "dispatch-pending-letters": {"task": "letters.dispatch_pending", "schedule": 30.0},
            # Hearings whose period ended move back to the reviewer's queue.
            "end-lapsed-periods": {"task": "procedure.end_lapsed_periods", "schedule": 60.0},
            # Mails whose hand-off to the broker was lost are handed off again.
            "dispatch-pending-mails": {"task": "mail.dispatch_pending", "schedule": 60.0},
            # Files chosen on a step that was never saved are removed after a day.
            "clean-staged-uploads": {"task": "uploads.clean_staged", "schedule": 3600.0},
            # Overdue cases are flagged and their assignees reminded (once per due date).
            "remind-overdue": {"task": "clock.remind_overdue", "schedule": 3600.0},
            # Requests for information whose date passed: the regime's parameter decides what follows.
            "expire-information-requests": {"task": "information_requests.expire", "schedule": 600.0},
            # Recognitions at the end of their term expire; reminders go out before.
            "expire-recognitions": {"task": "recognitions.expire_and_remind", "schedule": 3600.0},
            # The statistics page's figures (counts and lead times over every case) are taken again.
            "refresh-statistics": {"task": "statistics.refresh", "schedule": 3600.0},
            # Bulk jobs whose worker died are marked interrupted, to be run again from their page.
            "sweep-interrupted-bulk-jobs": {"task": "bulk.sweep_interrupted", "schedule": 300.0},
            # Exports made in the background are deleted once their retention period is over.
            "purge-expired-exports": {"task": "exports.purge_expired", "schedule": 3600.0},
        },
    }
    if broker_url.startswith(("sqla+sqlite", "sqlalchemy+sqlite")):
        # These options go to create_engine: wait for the other process's write lock, do not fail.
        settings["broker_transport_options"] = {"connect_args": {"timeout": 10}}
    elif broker_url.startswith(("redis://", "rediss://")):
        # A hung Redis fails in seconds, not never (quality fact 6); the visibility timeout
        # exceeds three times the hard time limit so a slow letter is not delivered twice.
        settings["broker_transport_options"] = {
            "visibility_timeout": 3600,
            "socket_timeout": 2,
            "socket_connect_timeout": 2,
        }
    return settings
