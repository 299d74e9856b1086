"""Helpers for the tests of objections as cases of their own: a refused application an objection is open
against, and lodging one as the applicant would."""

from __future__ import annotations

import io
import uuid
from typing import Any

from flask import Flask

from tests.support import login, minimal_pdf, post, refuse_after_hearing, submitted_application, to_review

OBJECTION = "Wij betwisten de beoordeling: het personeelsplan voorziet wel degelijk vijf doelgroepwerknemers."


def refused_with_objection(app: Flask, client: Any, people: Any) -> uuid.UUID:
    """A refused general-regime application whose pinned parameters open an objection (no LDE regime has one:
    objection_enabled is an assumption, false), its decision letter made; the client is the applicant."""
    from ldapply.extensions import db
    from ldapply.models import Application, Letter
    from ldapply.tasks import render_letter

    application_id = submitted_application(client, people)
    login(client, people.reviewer)
    to_review(client, application_id, met=False)
    assert refuse_after_hearing(client, people, application_id, respond=False).status_code == 302
    with app.app_context():
        application = db.session.get_one(Application, application_id)
        application.parameters = {**(application.parameters or {}), "objection_enabled": True, "objection_days": 30}
        db.session.commit()
        render_letter(str(db.session.scalar(db.select(Letter.id).where(Letter.kind == "decision_refused"))))
    login(client, people.applicant)
    return application_id


def lodge(client: Any, application_id: uuid.UUID, text: str = OBJECTION, files: int = 0) -> Any:
    """As a member of the organisation: lodge an objection with `files` PDF attachments."""
    attached = [(io.BytesIO(minimal_pdf("Personeelsplan")), f"personeelsplan-{n}.pdf") for n in range(files)]
    return post(
        client,
        f"/applications/{application_id}/actions/lodge_objection",
        {"comment": text, "files": attached},
        content_type="multipart/form-data",
    )


def objection_case_of(app: Flask, application_id: uuid.UUID) -> uuid.UUID:
    """The one objection case against the application."""
    from ldapply.extensions import db
    from ldapply.models import Application

    with app.app_context():
        return db.session.scalars(db.select(Application.id).where(Application.objection_of_id == application_id)).one()
