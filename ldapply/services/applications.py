"""Applications from the applicant's side: start, answer steps, check, submit."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..clock import local, utcnow
from ..extensions import db
from ..models import Application, Upload, User
from ..workflows import get_regime
from ..workflows._spec import Step
from . import calls
from .errors import ChangedMeanwhile, NotFound, StepIncomplete
from .regimes import missing_steps, missing_steps_message, regime_of
from .storage import get_storage
from .transitions import apply_transition
from .uploads import store_upload, upload_reference

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on the phone


class StepStatus(StrEnum):
    NOT_STARTED = "not_started"
    COMPLETED = "completed"


def new_reference(now: datetime | None = None) -> str:
    year = local(now or utcnow()).year
    return f"LDE-{year}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def start_application(*, user: User, regime_code: str, call_id: uuid.UUID | None = None) -> Application:
    """A new draft for the user's organisation under the current version of the regime.

    A regime that works with calls needs an open call of that regime; raises StepIncomplete otherwise.
    """
    regime = get_regime(regime_code)
    if not user.memberships:
        raise NotFound("U bent geen lid van een organisatie.")
    organisation = user.memberships[0].organisation
    if regime.uses_calls:
        open_ids = {call.id for call in calls.open_calls(regime.code)}
        if call_id not in open_ids:
            raise StepIncomplete(
                "Kies een oproep die nu open is. Zonder open oproep kunt u deze aanvraag niet starten."
            )
    else:
        call_id = None
    application = Application(
        id=uuid.uuid4(),
        reference=new_reference(),
        organisation_id=organisation.id,
        regime_code=regime.code,
        regime_version=regime.version,
        state=regime.initial_state,
        answers={},
        completed_steps=[],
        created_by_id=user.id,
        call_id=call_id,
    )
    db.session.add(application)
    db.session.commit()
    return application


def applications_of(user: User) -> list[Application]:
    if not user.organisation_ids:
        return []
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.organisation_id.in_(user.organisation_ids))
            .order_by(Application.created_at.desc(), Application.id)
        )
    )


def get_for_member(user: User, application_id: uuid.UUID) -> Application:
    """The application, if it belongs to one of the user's organisations; NotFound otherwise."""
    application = db.session.get(Application, application_id)
    if application is None or application.organisation_id not in user.organisation_ids:
        raise NotFound()
    return application


def is_editable(application: Application) -> bool:
    """Applicants edit their answers in a draft, and again when asked for additions."""
    return regime_of(application).state(application.state).applicant_edits


def save_step(
    *,
    application: Application,
    step: Step,
    answers: Mapping[str, Any],
    files: Mapping[str, tuple[IO[bytes], str]],
    actor: User,
) -> None:
    """Store a validated step: its answers, its uploads, and the step as completed.

    `files` maps a file field to (stream, filename) for newly chosen files. If the database refuses
    the change, the files written for it are removed again, so nothing half-saved remains.
    """
    if not is_editable(application):
        raise StepIncomplete("Deze aanvraag is ingediend en kan niet meer gewijzigd worden.")
    written: list[str] = []
    replaced: list[str] = []
    try:
        merged = {**application.answers, **answers}
        for field in step.fields:
            if field.name in files:
                stream, filename = files[field.name]
                upload, stored = store_upload(
                    application=application,
                    field_name=field.name,
                    stream=stream,
                    filename=filename,
                    kinds=field.file_kinds,
                    actor=actor,
                )
                written.append(stored.key)
                replaced.extend(_forget_upload(application, merged.get(field.name)))
                merged[field.name] = upload_reference(upload)
        visible = {f.name for f in step.visible_fields(merged)}
        for field in step.fields:  # answers to fields that no longer apply are not kept
            if field.name not in visible:
                merged.pop(field.name, None)
        application.answers = merged
        application.completed_steps = sorted({*application.completed_steps, step.slug})
        db.session.commit()
    except BaseException as exc:
        db.session.rollback()
        for key in written:
            get_storage().delete(key)
        if isinstance(exc, StaleDataError):
            raise ChangedMeanwhile() from None
        raise
    for key in replaced:  # only once the new file is committed is the draft's old file let go
        get_storage().delete(key)


def _forget_upload(application: Application, reference: Any) -> list[str]:
    """Delete the row of a draft's upload that a new file replaces; return its storage key."""
    if not isinstance(reference, Mapping):
        return []
    old = db.session.scalar(
        select(Upload).where(Upload.id == uuid.UUID(reference["upload_id"]), Upload.application_id == application.id)
    )
    if old is None:
        return []
    db.session.delete(old)
    return [old.storage_key]


def initial_answers(application: Application) -> dict[str, Any]:
    """The answers so far, with fields the organisation's record can fill pre-filled."""
    regime = regime_of(application)
    known = {
        field: getattr(application.organisation, attribute) for attribute, field in regime.organisation_fields.items()
    }
    return {**{k: v for k, v in known.items() if v}, **application.answers}


def organisation_mismatches(application: Application) -> list[str]:
    """Labels of answers that differ from the organisation's record, for the reviewer to check."""
    regime = regime_of(application)
    fields = {f.name: f for f in regime.all_fields()}
    mismatches = []
    for attribute, name in regime.organisation_fields.items():
        on_record, answered = getattr(application.organisation, attribute), application.answers.get(name)
        if on_record and answered and str(on_record).casefold() != str(answered).casefold():
            mismatches.append(fields[name].label.nl)
    return mismatches


def step_statuses(application: Application) -> list[tuple[Step, StepStatus]]:
    regime = regime_of(application)
    done = set(application.completed_steps)
    return [
        (step, StepStatus.COMPLETED if step.slug in done else StepStatus.NOT_STARTED)
        for step in regime.visible_steps(application.answers)
    ]


def incomplete_steps(application: Application) -> list[Step]:
    return missing_steps(application)


def submit(*, application: Application, actor: User, declaration: bool) -> None:
    """Submit a complete draft with the applicant's declaration; issues the receipt."""
    missing = missing_steps(application)
    if missing:  # refused here too, to answer on the check page rather than with a conflict page
        raise StepIncomplete(missing_steps_message(missing))
    if not declaration:
        raise StepIncomplete("Bevestig de verklaring om de aanvraag in te dienen.")
    apply_transition(application=application, action=regime_of(application).submit_action, actor=actor)
