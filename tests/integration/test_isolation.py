"""The suite proves its own isolation: what one test writes, the next does not see."""

from __future__ import annotations

from ldapply.extensions import db
from ldapply.models import Organisation
from ldapply.services import accounts

MARKER = "Isolatieproef vzw"


def test_1_a_test_writes_and_commits_a_row(app):
    with app.app_context():
        accounts.create_organisation(name=MARKER)
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count()).where(Organisation.name == MARKER)) == 1


def test_2_the_next_test_does_not_see_it(app):
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Organisation)) == 0


def test_3_stored_files_are_gone_too(app):
    assert [p for p in app.config["STORAGE_DIR"].rglob("*") if p.is_file()] == []
