"""`/healthz`, and the schema the migrations build."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ldapply import create_app
from ldapply.extensions import db


class TestHealthz:
    def test_reports_database_and_broker_reachable(self, client):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json == {"status": "ok", "database": "ok", "broker": "ok"}

    def test_reports_an_unreachable_broker_with_503(self, app):
        broken = create_app(
            {
                "TESTING": True,
                "CELERY": {
                    **app.config["CELERY"],
                    "broker_url": "redis://127.0.0.1:1/0",
                    "broker_transport_options": {"socket_connect_timeout": 1},
                },
            }
        )
        app.extensions["celery"].set_default()
        response = broken.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.json == {"status": "degraded", "database": "ok", "broker": "unreachable"}

    def test_reports_an_unreachable_database_with_503(self, app, tmp_path):
        broken = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/db.sqlite"})
        app.extensions["celery"].set_default()
        response = broken.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.json["database"] == "unreachable"


class TestSchema:
    def test_the_migrations_build_exactly_the_schema_the_models_declare(self, app):
        with app.app_context(), db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert differences == []

    def test_the_pinned_head_is_the_migrations_head(self, app):
        from pathlib import Path

        from alembic.script import ScriptDirectory

        migrations = Path(__file__).resolve().parents[2] / "migrations"
        heads = ScriptDirectory(str(migrations)).get_heads()
        assert heads == [(migrations / ".current-alembic-head").read_text().strip()]
