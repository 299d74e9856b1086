"""The generic step page, shown and saved: the part of the `apply` blueprint that runs a regime's step.

On a POST nothing typed or chosen is lost: chosen files are stored at once (staged) and shown as chosen
when another answer needs fixing; the buttons that add or remove a row of a repeating group, or remove a
file, show the page again with every answer kept; when someone else saved the step meanwhile, nothing is
saved and the page shows their answers beside the ones typed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from werkzeug.wrappers import Response

from ..extensions import db
from ..forms.builder import FINGERPRINT, RowAction, StepForm, build_step_form, form_data_for, row_action, without_row
from ..forms.kinds import browser_values, file_references
from ..i18n import _, current_locale, format_moment
from ..models import Application
from ..services import applications, information_requests, steps
from ..services.answers import display_value
from ..services.errors import ChangedMeanwhile, StepIncomplete
from ..services.regimes import regime_of
from ..services.steps import StepChangedMeanwhile, StepFiles
from ..workflows._spec import ShownWhen, Step
from ._helpers import me

Page = tuple[str, int]
STAGED_PREFIX = "staged-"  # hidden fields "staged-<field>" hold the ids of files chosen earlier


def staged_ids(step: Step, formdata: MultiDict[str, Any]) -> dict[str, list[str]]:
    return {f.name: formdata.getlist(STAGED_PREFIX + f.name) for f in steps.file_fields(step)}


def _form(application: Application, step: Step, formdata: MultiDict[str, Any] | None, files: StepFiles) -> StepForm:
    present = {f.name: files.count(application.answers, f) for f in steps.file_fields(step)}
    locked = steps.locked_fields(application, step)
    form_class = build_step_form(
        step, application.answers, formdata, files_present=present, fingerprint=True, locked=locked
    )
    data = form_data_for(step, applications.initial_answers(application))
    if formdata is None:
        form = form_class(data=data)
        getattr(form, FINGERPRINT).data = steps.loaded_token(application, step)
        return form
    return form_class(formdata=CombinedMultiDict([formdata, request.files]), data=data)


def show(application: Application, step: Step) -> Page:
    """The step as stored (GET)."""
    return _page(application, step, _form(application, step, None, StepFiles()), StepFiles()), 200


def save(
    application: Application, step: Step, next_page: Callable[[], str], removed: uuid.UUID | None = None
) -> Response | Page:
    """A POST of the step: save it, or show it again with what was typed and chosen (and why not saved).
    With `removed`, the applicant pressed "remove" beside that file: it goes, nothing else is saved."""
    posted = MultiDict[str, Any](request.form)
    action = row_action(step, posted)
    if action is not None and action.removed is not None:
        posted = without_row(posted, action.group, action.removed)
    form, files, notice = _posted_form(application, step, posted, removed)
    if action is not None or removed is not None:
        _show_refusals(form, files)
        notice = action.notice(step) if action is not None else notice
        return _page(application, step, form, files, notice=notice, added=action), 200
    valid = form.validate()
    if _show_refusals(form, files) or not valid:
        return _page(application, step, form, files), 400
    return _store(application, step, form, files, next_page)


def _posted_form(
    application: Application, step: Step, posted: MultiDict[str, Any], removed: uuid.UUID | None
) -> tuple[StepForm, StepFiles, str | None]:
    """The posted form, with the files chosen now staged beside those kept, after removing `removed`;
    and the notice that says which file was removed."""
    user, notice = me(), None
    before = steps.loaded_token(application, step)
    if removed is not None:
        notice = _("%(name)s is verwijderd.", name=steps.remove_file(application, step, removed, user))
    files = steps.kept_files(application, step, user, staged_ids(step, posted))
    form = _form(application, step, posted, files)
    chosen = {name: [(f.stream, f.filename or "") for f in found] for name, found in form.files().items()}
    if chosen:
        files = steps.stage_chosen(application, step, chosen, files, user)
    form.files_present = {f.name: files.count(application.answers, f) for f in steps.file_fields(step)}
    if removed is not None and getattr(form, FINGERPRINT).data == before:
        getattr(form, FINGERPRINT).data = steps.loaded_token(application, step)  # our own change
    return form, files, notice


def _store(
    application: Application, step: Step, form: StepForm, files: StepFiles, next_page: Callable[[], str]
) -> Response | Page:
    """Save the valid step and go on; when someone else saved it meanwhile, show theirs beside ours."""
    try:
        with _kept_loaded():
            applications.save_step(
                application=application,
                step=step,
                answers=form.answers(),
                actor=me(),
                staged=files.staged,
                loaded=getattr(form, FINGERPRINT).data or None,
            )
            return redirect(next_page())  # the answers just saved decide the next step
    except StepChangedMeanwhile as conflict:
        getattr(form, FINGERPRINT).data = conflict.fingerprint  # saving again overwrites, knowingly
        return _page(application, step, form, files, conflict=conflict), 409
    except (StepIncomplete, ChangedMeanwhile) as refusal:  # e.g. a chosen file expired, or a submission came first
        flash(refusal.message, "warn")  # on this page, with every answer typed still in the form
        return _page(application, step, form, files), refusal.status_code


@contextmanager
def _kept_loaded() -> Iterator[None]:
    """Keep the application loaded over the commit: the next step is found from the answers just saved
    (the version check made sure they were written over the latest) without reading them back."""
    session = db.session()
    expiring = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = expiring


def _show_refusals(form: StepForm, files: StepFiles) -> bool:
    """Put the reasons files were refused beside their fields; whether there were any."""
    for name, reasons in files.refusals.items():
        getattr(form, name).errors = [*getattr(form, name).errors, *reasons]
    return bool(files.refusals)


def _reveal(step: Step, locked: frozenset[str]) -> dict[str, dict[str, Any]]:
    """Per question with a declarative condition on another question of this step: that question's name
    and the browser values that show it, so the page can reveal it as soon as it applies. Not for the
    `locked` questions: they are shown as submitted, never asked."""
    own = {f.name: f for f in step.fields}
    found = {}
    for spec in step.fields:
        condition: ShownWhen | None = spec.shown_when
        if condition is not None and condition.field in own and spec.name not in locked:
            found[spec.name] = {
                "field": condition.field,
                "values": browser_values(own[condition.field], condition.values),
            }
    return found


def _file_urls(application: Application, step: Step, files: StepFiles) -> dict[str, dict[str, str]]:
    """Per upload on the page (stored or chosen), where to download it and where its remove button posts."""
    ids = [
        str(ref["upload_id"])
        for f in steps.file_fields(step)
        for ref in file_references(application.answers.get(f.name))
        if "upload_id" in ref
    ]
    ids += [str(u.id) for found in files.staged.values() for u in found]
    return {
        upload_id: {
            "download": url_for("apply.download_upload", application_id=application.id, upload_id=upload_id),
            "remove": url_for(
                "apply.remove_upload", application_id=application.id, slug=step.slug, upload_id=upload_id
            ),
        }
        for upload_id in ids
    }


def _locked_answers(application: Application, step: Step) -> dict[str, str]:
    """The questions that stay as submitted (additions asked for others), with their answers as shown."""
    locale, answers = current_locale(), application.answers
    locked = steps.locked_fields(application, step)
    return {
        f.name: display_value(f, answers.get(f.name), locale) for f in step.visible_fields(answers) if f.name in locked
    }


def _their_answers(step: Step, conflict: StepChangedMeanwhile | None) -> dict[str, str]:
    if conflict is None:
        return {}
    locale = current_locale()
    return {f.name: display_value(f, conflict.theirs.get(f.name), locale) for f in step.fields}


def _changed_at(conflict: StepChangedMeanwhile | None) -> str:
    at = conflict.change.get("at") if conflict and conflict.change else None
    try:
        return format_moment(datetime.fromisoformat(str(at))) if at else ""
    except ValueError:
        return ""


def _page(
    application: Application,
    step: Step,
    form: StepForm,
    files: StepFiles,
    *,
    notice: str | None = None,
    conflict: StepChangedMeanwhile | None = None,
    added: RowAction | None = None,
) -> str:
    return render_template(
        "apply/step.html",
        application=application,
        regime=regime_of(application),
        step=step,
        form=form,
        answers=application.answers,
        visible=form.visible(),
        locked=_locked_answers(application, step),
        information=information_requests.open_request(application),  # what a request for additions asks here
        attached={f.name: file_references(application.answers.get(f.name)) for f in steps.file_fields(step)},
        staged=files.staged,
        file_urls=_file_urls(application, step, files),
        reveal=_reveal(step, frozenset(steps.locked_fields(application, step))),
        notice=notice,
        added_row=added.group if added is not None and added.removed is None else None,
        conflict=conflict,
        their_answers=_their_answers(step, conflict),
        changed_at=_changed_at(conflict),
        step_action=url_for("apply.edit_step", application_id=application.id, slug=step.slug),
    )
