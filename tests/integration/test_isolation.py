"""The suite proves its own isolation: what one test writes, the next does not see."""

from __future__ import annotations

from ldapply.extensions import db
from ldapply.models import Organisation
from ldapply.services import accounts
from ldapply.services.storage import get_storage

MARKER = "Isolatieproef vzw"
WRITTEN: list[str] = []  # filled by the first test, so the second knows it ran first


def test_1_a_test_writes_a_row_and_a_file(app):
    with app.app_context():
        accounts.create_organisation(name=MARKER)
        db.session.commit()
        get_storage().put("uploads/isolation/probe", b"probe")
        assert db.session.scalar(db.select(db.func.count()).where(Organisation.name == MARKER)) == 1
    WRITTEN.append("row and file")


def test_2_the_next_test_sees_neither(app):
    assert WRITTEN == ["row and file"], "run the whole module: this test checks what test_1 left behind"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Organisation)) == 0
        assert not get_storage().exists("uploads/isolation/probe")
