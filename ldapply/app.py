"""The app factory: the one place where the app is wired together."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import i18n
from .config import load_settings
from .extensions import celery_init_app, csrf, db, limiter, login_manager, migrate, render_migration_item

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app for wsgi.py, worker.py, the flask CLI and tests."""
    instance_path = os.environ.get("LDAPPLY_INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=instance_path,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_settings(Path(instance_path)))
    app.config.update(overrides or {})
    _prepare_folders(app)
    if app.config["BEHIND_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    celery_init_app(app)
    _register(app)
    return app


def _prepare_folders(app: Flask) -> None:
    for folder in (app.instance_path, app.config["STORAGE_DIR"]):
        Path(folder).mkdir(parents=True, exist_ok=True)


def _register(app: Flask) -> None:
    from . import cli, tasks  # noqa: F401  (tasks register with Celery on import)
    from .views import register_views

    register_views(app)
    cli.register(app)
