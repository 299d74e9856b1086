"""The baseline of the load benchmark: a bare Flask + Flask-SQLAlchemy page on the bench database with one
indexed query (the 50 oldest submitted applications, by the queue's own submission index) and a Jinja template.
gunicorn runs it with the same settings as ldapply: `gunicorn bench.bare:app`."""

from __future__ import annotations

import os

from flask import Flask, render_template_string
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import column, select, table, text

PAGE = """<!doctype html><html lang="nl"><head><title>Baseline</title></head><body><h1>Aanvragen</h1>
<table><tr><th>Referentie</th><th>Status</th><th>Ingediend</th></tr>
{% for row in rows %}<tr><td>{{ row.reference }}</td><td>{{ row.state }}</td><td>{{ row.submitted_at }}</td></tr>{% endfor %}
</table></body></html>"""

applications = table("applications", column("id"), column("reference"), column("state"), column("submitted_at"))

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["LDAPPLY_DATABASE_URL"]
# The engine options ldapply uses on PostgreSQL (ldapply/config.py).
app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
    "pool_pre_ping": True,
    "connect_args": {"connect_timeout": 3, "options": "-c statement_timeout=15000"},
}
db = SQLAlchemy(app)


@app.get("/")
def page() -> str:
    rows = db.session.execute(
        select(applications.c.reference, applications.c.state, applications.c.submitted_at)
        .where(text("submitted_at IS NOT NULL"))
        .order_by(applications.c.submitted_at, applications.c.id)
        .limit(50)
    ).all()
    return render_template_string(PAGE, rows=rows)
