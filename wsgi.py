"""The WSGI entry point: `gunicorn wsgi:app`."""

from ldapply import create_app

app = create_app()
