"""The Celery entry point: `celery -A worker:celery worker`."""

from ldapply import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
