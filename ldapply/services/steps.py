"""Saving a step safely: who changed it last, a fingerprint of its answers to catch two people saving at
once, and the files of a step (staged when chosen, attached when the step is saved, removed on request).

`applications.save_step` puts these together; the step page uses them to keep chosen files and to show a
conflict.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from ..clock import utcnow
from ..extensions import db
from ..forms.kinds import file_references
from ..i18n import _
from ..models import Application, Upload, User
from ..workflows._spec import Field, FieldKind, Step
from .errors import DomainError, NotFound
from .uploads import Staged, StagedFile, forget, referenced_ids, remove_files, stage_files, staged_uploads


def fingerprint(step: Step, answers: Mapping[str, Any]) -> str:
    """A short digest of the step's stored answers: it changes whenever anyone saves different answers."""
    own = {f.name: answers.get(f.name) for f in step.fields}
    canonical = json.dumps(own, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


class StepChangedMeanwhile(DomainError):
    """Someone else saved this step after it was loaded: nothing was saved, so nobody's answers are lost."""

    status_code = 409

    def __init__(self, step: Step, application: Application) -> None:
        self.change: Mapping[str, Any] | None = (application.step_changes or {}).get(step.slug)
        self.theirs = {f.name: application.answers.get(f.name) for f in step.fields}
        self.fingerprint = fingerprint(step, application.answers)
        who = self.change.get("by_name") if self.change else None
        super().__init__(
            _("%(who)s heeft deze stap intussen gewijzigd.", who=who)
            if who
            else _("Iemand anders heeft deze stap intussen gewijzigd.")
        )


def changed_by_someone_else(application: Application, step: Step, actor: User, loaded: str | None) -> bool:
    """Whether the step's answers changed since they were loaded (`loaded`, their fingerprint then), by
    another person than `actor`: one's own earlier save (a double click, a second tab) is no conflict."""
    if loaded is None or loaded == fingerprint(step, application.answers):
        return False
    change = (application.step_changes or {}).get(step.slug)
    return not (isinstance(change, Mapping) and change.get("by") == str(actor.id))


def record_change(application: Application, step: Step, actor: User) -> None:
    """Note who saved the step and when (a new dict, so the JSON column sees the change)."""
    application.step_changes = {
        **(application.step_changes or {}),
        step.slug: {"by": str(actor.id), "by_name": actor.name, "at": utcnow().isoformat()},
    }


def locked_fields(application: Application, step: Step) -> frozenset[str]:
    """The step's questions that stay as submitted: while additions are asked for some of its questions
    only (not for the whole step), every other question of it is locked."""
    items = application.unlocked
    if application.submitted_at is None or not items or step.slug in items:
        return frozenset()
    return frozenset(f.name for f in step.fields if f.name not in items)


def file_fields(step: Step) -> list[Field]:
    return [f for f in step.fields if f.kind == FieldKind.FILE]


# -- files on a step -------------------------------------------------------------------------------


@dataclass
class StepFiles:
    """The files of a step while it is being filled in: staged per field, and refusals per field."""

    staged: dict[str, list[StagedFile]] = field(default_factory=dict)
    refusals: dict[str, list[str]] = field(default_factory=dict)

    def count(self, answers: Mapping[str, Any], field: Field) -> int:
        """Files the field has: attached ones (unless a staged one will replace it) and staged ones."""
        staged = len(self.staged.get(field.name, ()))
        attached = len(file_references(answers.get(field.name)))
        return staged if field.max_files == 1 and staged else attached + staged


def kept_files(application: Application, step: Step, actor: User, ids: Mapping[str, Sequence[str]]) -> StepFiles:
    """The staged uploads the page says it keeps (hidden fields), checked: this application, this person,
    this field, not yet attached. One query for the whole step."""
    names = {f.name for f in file_fields(step)}
    wanted = [i for name, found in ids.items() if name in names for i in found]
    files = StepFiles()
    for upload in staged_uploads(application, actor, wanted):
        claimed = [name for name, found in ids.items() if str(upload.id) in found]
        if upload.field_name in names and upload.field_name in claimed:
            files.staged.setdefault(upload.field_name, []).append(upload)
    return files


def stage_chosen(
    application: Application,
    step: Step,
    chosen: Mapping[str, Sequence[tuple[IO[bytes], str]]],
    files: StepFiles,
    actor: User,
) -> StepFiles:
    """Store the files chosen now as staged uploads, in one commit, so none is lost when another answer on
    the step is refused. A field for one file takes the newest choice; one for several, up to its limit."""
    discarded: list[StagedFile] = []
    for spec in file_fields(step):
        if not chosen.get(spec.name):
            continue
        kept = files.staged.get(spec.name, [])
        if spec.max_files == 1:
            room, existing = 1, []
        else:
            room = spec.max_files - len(file_references(application.answers.get(spec.name))) - len(kept)
            existing = kept
        outcome: Staged = stage_files(
            application=application,
            field_name=spec.name,
            kinds=spec.file_kinds,
            files=chosen[spec.name],
            room=max(room, 0),
            max_files=spec.max_files,
            actor=actor,
        )
        if spec.max_files == 1 and outcome.uploads:
            discarded.extend(kept)  # an earlier choice the new one replaces
        files.staged[spec.name] = [*existing, *outcome.uploads] if spec.max_files > 1 or outcome.uploads else kept
        if outcome.refusals:
            files.refusals[spec.name] = outcome.refusals
    keys = forget(discarded)
    db.session.commit()
    remove_files(keys)
    return files


def attach(
    application: Application, step: Step, merged: dict[str, Any], staged: Mapping[str, Sequence[StagedFile]]
) -> list[str]:
    """Put the staged uploads into the merged answers; return the ids of attached uploads they replace."""
    replaced: list[str] = []
    for spec in file_fields(step):
        new = [u.reference() for u in staged.get(spec.name, ())]
        if not new:
            continue
        old = file_references(merged.get(spec.name))
        if spec.max_files == 1:
            replaced.extend(str(ref["upload_id"]) for ref in old if "upload_id" in ref)
            merged[spec.name] = new[-1]
        else:
            merged[spec.name] = [*old, *new][: spec.max_files]
    return replaced


def dropped_uploads(step: Step, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Ids of the step's uploads in `before` that `after` no longer holds (replaced, or their question gone)."""
    gone = referenced_ids({f.name: before.get(f.name) for f in file_fields(step)}) - referenced_ids(
        {f.name: after.get(f.name) for f in file_fields(step)}
    )
    return sorted(gone)


def release(application: Application, upload_ids: Sequence[str]) -> list[str]:
    """Delete the rows of uploads the answers let go, except those the submitted application still holds
    (a file handed in stays on record); return the storage keys to remove after the commit."""
    keep = referenced_ids(application.submitted_answers)
    ids = [uuid.UUID(i) for i in upload_ids if i not in keep]
    if not ids:
        return []
    found = list(
        db.session.scalars(db.select(Upload).where(Upload.id.in_(ids), Upload.application_id == application.id))
    )
    return forget(found)


def remove_file(application: Application, step: Step, upload_id: uuid.UUID, actor: User) -> str:
    """Remove a file from the step before submission: an attached one from the answers, or a staged one this
    person chose. Returns its name. Raises NotFound for a file not on this step."""
    locked = locked_fields(application, step)
    for spec in (f for f in file_fields(step) if f.name not in locked):
        refs = file_references(application.answers.get(spec.name))
        left = [ref for ref in refs if str(ref.get("upload_id")) != str(upload_id)]
        if len(left) == len(refs):
            continue
        name = next(str(ref.get("filename")) for ref in refs if ref not in left)
        answers = dict(application.answers)
        if left:
            answers[spec.name] = left if spec.max_files > 1 else left[-1]
        else:
            answers.pop(spec.name, None)
            if spec.required and step.slug in application.completed_steps:
                application.completed_steps = [s for s in application.completed_steps if s != step.slug]
        application.answers = answers
        record_change(application, step, actor)
        keys = release(application, [str(upload_id)])
        db.session.commit()
        remove_files(keys)
        return name
    staged = [u for u in staged_uploads(application, actor, [str(upload_id)]) if u.field_name in _names(step)]
    staged = [u for u in staged if u.field_name not in locked_fields(application, step)]
    if not staged:
        raise NotFound()
    name = staged[0].filename
    keys = forget(staged)
    db.session.commit()
    remove_files(keys)
    return name


def _names(step: Step) -> set[str]:
    return {f.name for f in file_fields(step)}
