"""Saving a step safely: who changed it last, a revision per step (carried by the form, with a fingerprint
of its answers) to catch two people saving at once, and the files of a step (staged when chosen, attached
when the step is saved, removed on request).

`applications.save_step` puts these together; the step page uses them to keep chosen files and to show a
conflict.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar

from sqlalchemy.orm.exc import StaleDataError

from ..clock import utcnow
from ..extensions import db
from ..forms.kinds import file_references, handler
from ..i18n import _
from ..models import Application, Upload, User
from ..workflows._spec import Field, Step
from .errors import ChangedMeanwhile, DomainError, NotFound, StepIncomplete
from .regimes import regime_of
from .uploads import (
    Staged,
    StagedFile,
    forget,
    forget_staged,
    referenced_ids,
    remove_files,
    stage_files,
    staged_uploads,
    take_staged,
)

T = TypeVar("T")

SAVERS_KEPT = 20  # who made the step's last revisions: enough for any tab still open


def fingerprint(step: Step, answers: Mapping[str, Any]) -> str:
    """A short digest of the step's stored answers: it changes whenever anyone saves different answers."""
    own = {f.name: answers.get(f.name) for f in step.fields}
    canonical = json.dumps(own, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _change(application: Application, step: Step) -> Mapping[str, Any]:
    change = (application.step_changes or {}).get(step.slug)
    return change if isinstance(change, Mapping) else {}


def revision(application: Application, step: Step) -> int:
    """How many times the step was saved (or a file of it removed)."""
    rev = _change(application, step).get("rev")
    return rev if isinstance(rev, int) else 0


def loaded_token(application: Application, step: Step) -> str:
    """What the step's form carries (a hidden field): the revision it was loaded at, and a fingerprint of
    its answers then."""
    return f"{revision(application, step)}.{fingerprint(step, application.answers)}"


class StepChangedMeanwhile(DomainError):
    """Someone else saved this step after it was loaded: nothing was saved, so nobody's answers are lost."""

    status_code = 409

    def __init__(self, step: Step, application: Application) -> None:
        self.change: Mapping[str, Any] | None = (application.step_changes or {}).get(step.slug)
        self.theirs = {f.name: application.answers.get(f.name) for f in step.fields}
        self.fingerprint = loaded_token(application, step)
        who = self.change.get("by_name") if self.change else None
        super().__init__(
            _("%(who)s heeft deze stap intussen gewijzigd.", who=who)
            if who
            else _("Iemand anders heeft deze stap intussen gewijzigd.")
        )


def changed_by_someone_else(application: Application, step: Step, actor: User, loaded: str | None) -> bool:
    """Whether another person than `actor` saved the step since it was loaded (`loaded`, the form's
    `loaded_token`) with other answers. One's own saves since (a double click, a second tab) are no conflict,
    but any save by someone else since is, even when one's own came after it."""
    if loaded is None:
        return False
    rev_text, _dot, digest = loaded.rpartition(".")
    if digest == fingerprint(step, application.answers):
        return False  # the answers are as they were loaded
    change = _change(application, step)
    if not rev_text.isdigit():  # a page loaded before revisions were counted: the last saver decides
        return change.get("by") != str(actor.id)
    since = revision(application, step) - int(rev_text)
    savers = change.get("savers")
    if not isinstance(savers, list) or since > len(savers):
        return since > 0  # who saved in between is not known any more
    return any(saver != str(actor.id) for saver in savers[len(savers) - since :]) if since > 0 else False


def record_change(application: Application, step: Step, actor: User) -> None:
    """Note who saved the step and when, as its next revision (a new dict, so the JSON column sees it)."""
    savers = _change(application, step).get("savers")
    savers = [*(savers if isinstance(savers, list) else []), str(actor.id)][-SAVERS_KEPT:]
    application.step_changes = {
        **(application.step_changes or {}),
        step.slug: {
            "by": str(actor.id),
            "by_name": actor.name,
            "at": utcnow().isoformat(),
            "rev": revision(application, step) + 1,
            "savers": savers,
        },
    }


FIELD_ITEM = "field:"  # an item asking one question whose name is also a step's slug (information_items)


def asks_field(items: Sequence[str] | set[str], name: str) -> bool:
    """Whether the unlocked `items` name this question on its own (by its name, or "field:<name>")."""
    return name in items or FIELD_ITEM + name in items


def may_change(application: Application, step: Step) -> bool:
    """Whether the applicant may change this step now: any step of a draft; while additions are asked,
    the steps asked (by their slug or one of their fields), or every step when the request named none."""
    if not regime_of(application).state(application.state).applicant_edits:
        return False
    items = application.unlocked
    if application.submitted_at is None or items is None:
        return True
    return step.slug in items or any(asks_field(items, f.name) for f in step.fields)


def refuse_unless_changeable(application: Application, step: Step) -> None:
    if not may_change(application, step):
        raise StepIncomplete(_("Deze aanvraag is ingediend en kan niet meer gewijzigd worden."))


def locked_fields(application: Application, step: Step) -> frozenset[str]:
    """The step's questions that stay as submitted: while additions are asked for some of its questions
    only (not for the whole step), every other question of it is locked."""
    items = application.unlocked
    if application.submitted_at is None or not items or step.slug in items:
        return frozenset()
    return frozenset(f.name for f in step.fields if not asks_field(items, f.name))


def file_fields(step: Step) -> list[Field]:
    return [f for f in step.fields if handler(f).is_file]


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
    keys = forget_staged(discarded)
    db.session.commit()
    remove_files(keys)
    return files


def attach(
    application: Application, step: Step, merged: dict[str, Any], staged: Mapping[str, Sequence[StagedFile]]
) -> None:
    """Put the staged uploads into the merged answers, and mark them staged no more (in the session's
    transaction; StepIncomplete when the cleanup took one meanwhile)."""
    taken: list[uuid.UUID] = []
    for spec in file_fields(step):
        chosen = list(staged.get(spec.name, ()))
        if not chosen:
            continue
        old = file_references(merged.get(spec.name))
        if spec.max_files == 1:
            chosen = chosen[-1:]
            merged[spec.name] = chosen[0].reference()
        else:
            chosen = chosen[: max(spec.max_files - len(old), 0)]
            merged[spec.name] = [*old, *(u.reference() for u in chosen)]
        taken += [u.id for u in chosen]
    take_staged(taken)


def dropped_uploads(step: Step, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Ids of the step's uploads in `before` that `after` no longer holds (replaced, or their question gone)."""
    gone = referenced_ids({f.name: before.get(f.name) for f in file_fields(step)}) - referenced_ids(
        {f.name: after.get(f.name) for f in file_fields(step)}
    )
    return sorted(gone)


def release(application: Application, upload_ids: Sequence[str]) -> list[str]:
    """Delete the rows of uploads the answers let go, in a draft that was never submitted; return the storage
    keys to remove after the commit. A file of an application once submitted stays on record for good, only
    detached from the answers: a receipt or an earlier hand-in lists it with its SHA-256. (The version check
    on the application makes a submission that comes first roll this back.)"""
    if application.submitted_at is not None:
        return []
    ids = [uuid.UUID(i) for i in upload_ids]
    if not ids:
        return []
    found = list(
        db.session.scalars(db.select(Upload).where(Upload.id.in_(ids), Upload.application_id == application.id))
    )
    return forget(found)


def remove_file(application: Application, step: Step, upload_id: uuid.UUID, actor: User) -> str:
    """Remove a file from a step the applicant may change now: an attached one from the answers, or a staged
    one this person chose. Returns its name. Raises NotFound for a file not on this step, StepIncomplete
    when the step may not change (also when a submission came first), ChangedMeanwhile after three races."""
    name, keys = change_step(application, step, lambda: _detach(application, step, upload_id, actor))
    remove_files(keys)
    return name


CHANGE_ATTEMPTS = 3


def change_step(application: Application, step: Step, change: Callable[[], T]) -> T:
    """Make `change` to a step and commit it, again after losing a race to another change of the
    application; whether the step may still change is checked before every attempt, so a change that
    loses the race to a submission writes nothing. Raises ChangedMeanwhile after the last attempt."""
    for attempt in range(CHANGE_ATTEMPTS):
        refuse_unless_changeable(application, step)
        try:
            result = change()
            db.session.commit()
        except StaleDataError:  # another change of this application came first: look at it again
            db.session.rollback()
            if attempt == CHANGE_ATTEMPTS - 1:
                raise ChangedMeanwhile() from None
            continue
        except BaseException:
            db.session.rollback()
            raise
        return result
    raise ChangedMeanwhile()  # pragma: no cover - the loop returns or raises


def _detach(application: Application, step: Step, upload_id: uuid.UUID, actor: User) -> tuple[str, list[str]]:
    """Take the file out of the answers, or let go of the staged one (not committed); its name and the
    storage keys to remove after the commit."""
    locked = locked_fields(application, step)
    for spec in (f for f in file_fields(step) if f.name not in locked):
        refs = file_references(application.answers.get(spec.name))
        left = [ref for ref in refs if str(ref.get("upload_id")) != str(upload_id)]
        if len(left) == len(refs):
            continue
        name = next(str(ref.get("filename")) for ref in refs if ref not in left)
        record_change(application, step, actor)  # first: reading the actor must not flush half a change
        answers = dict(application.answers)
        if left:
            answers[spec.name] = left if spec.max_files > 1 else left[-1]
        else:
            answers.pop(spec.name, None)
            if spec.required and step.slug in application.completed_steps:
                application.completed_steps = [s for s in application.completed_steps if s != step.slug]
        application.answers = answers
        return name, release(application, [str(upload_id)])
    staged = [u for u in staged_uploads(application, actor, [str(upload_id)]) if u.field_name in _names(step)]
    staged = [u for u in staged if u.field_name not in locked]
    if not staged:
        raise NotFound()
    return staged[0].filename, forget_staged(staged)


def _names(step: Step) -> set[str]:
    return {f.name for f in file_fields(step)}
