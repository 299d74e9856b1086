"""Settings come from the environment; production refuses to start without its secrets."""

from __future__ import annotations

import pytest

from ldapply.config import ConfigError, load_settings

PRODUCTION = {
    "LDAPPLY_ENV": "production",
    "LDAPPLY_SECRET_KEY": "s" * 64,
    "LDAPPLY_DATABASE_URL": "postgresql://u@db/ldapply",
    "LDAPPLY_BROKER_URL": "redis://r:6379/0",
}


@pytest.mark.parametrize("missing", ["LDAPPLY_SECRET_KEY", "LDAPPLY_DATABASE_URL", "LDAPPLY_BROKER_URL"])
def test_production_refuses_to_start_without(tmp_path, missing):
    environ = {k: v for k, v in PRODUCTION.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        load_settings(tmp_path, environ)


def test_an_unset_profile_means_production(tmp_path):
    with pytest.raises(ConfigError, match="required in production"):
        load_settings(tmp_path, {})


def test_an_unknown_profile_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="LDAPPLY_ENV must be one of"):
        load_settings(tmp_path, {"LDAPPLY_ENV": "staging"})


def test_production_uses_psycopg_3_secure_cookies_and_bounded_timeouts(tmp_path):
    settings = load_settings(tmp_path, PRODUCTION)
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/ldapply"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["connect_timeout"] <= 3
    assert settings["CELERY"]["broker_transport_options"]["socket_timeout"] <= 2
    assert settings["MAX_CONTENT_LENGTH"] == 25 * 1024 * 1024


def test_development_generates_a_secret_once_and_keeps_it(tmp_path):
    first = load_settings(tmp_path, {"LDAPPLY_ENV": "development"})["SECRET_KEY"]
    second = load_settings(tmp_path, {"LDAPPLY_ENV": "development"})["SECRET_KEY"]
    assert first == second
    assert len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_development_defaults_need_no_servers(tmp_path):
    settings = load_settings(tmp_path, {"LDAPPLY_ENV": "development"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'ldapply.sqlite'}"
    assert settings["CELERY"]["broker_url"] == f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}"
    assert settings["CELERY"]["broker_transport_options"]["connect_args"]["timeout"] >= 5


def test_letters_are_redelivered_when_a_worker_dies_mid_render(tmp_path):
    celery = load_settings(tmp_path, PRODUCTION)["CELERY"]
    assert celery["task_acks_late"] is True
    assert celery["task_reject_on_worker_lost"] is True
    assert celery["broker_transport_options"]["visibility_timeout"] >= 3 * celery["task_time_limit"]
