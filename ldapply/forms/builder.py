"""Build a WTForms form from a regime step. Each field's WTForms field, parsing and display come from its
kind's handler (forms.kinds); this module puts a step's fields together: which are shown, how many rows
a repeating group has, the cross-field rules, and the buttons that add or remove a row."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import HiddenField

from ..i18n import _, text
from ..workflows._spec import Answers, Field, Step
from .base import LdapplyForm
from .kinds import Asked, file_references, form_data, handler, is_blank_row

ADD_ROW = "add_row"  # the button's name; its value is the group's name
REMOVE_ROW = "remove_row"  # its value is "<group>-<index>"
FINGERPRINT = "step_fingerprint"


def visible_names(step: Step, answers: Answers, formdata: MultiDict[str, Any] | None) -> set[str]:
    """Fields shown for these answers, taking this step's submitted choices into account."""
    preview = dict(answers)
    if formdata is not None:
        for field in step.fields:
            kind = handler(field)
            if kind.in_answers and (field.name in formdata or not kind.posted_when_empty):
                preview[field.name] = kind.parse(field, kind.raw(field, formdata))
    return {f.name for f in step.visible_fields(preview)}


def _row_indexes(group: Field, formdata: MultiDict[str, Any]) -> set[int]:
    prefix = f"{group.name}-"
    found = set()
    for key in formdata:
        head = key[len(prefix) :].split("-", 1)[0] if key.startswith(prefix) else ""
        if head.isdigit():
            found.add(int(head))
    return found


def row_count(group: Field, answers: Answers, formdata: MultiDict[str, Any] | None) -> int:
    """Rows to show: those posted (plus one when the applicant asked for another), else those stored plus
    one empty row to add another; never fewer than the group needs, never more than it allows."""
    if formdata is not None:
        rows = max(_row_indexes(group, formdata), default=-1) + 1
        if formdata.get(ADD_ROW) == group.name:
            rows += 1
        return min(max(rows, group.min_items, 1), group.max_items)
    stored = answers.get(group.name) or []
    return min(max(len(stored) + 1, group.min_items, 1), group.max_items)


@dataclass(frozen=True)
class RowAction:
    """A press on "add a row" or "remove" in a repeating group: the page is shown again, nothing saved."""

    group: str
    removed: int | None = None  # the row removed (0-based), None for an added row

    def notice(self, step: Step) -> str:
        group = next(f for f in step.fields if f.name == self.group)
        if self.removed is None:
            return _("Er is een lege rij toegevoegd aan ‘%(group)s’.", group=text(group.label))
        return _("Rij %(row)s van ‘%(group)s’ is verwijderd.", row=self.removed + 1, group=text(group.label))


def row_action(step: Step, formdata: MultiDict[str, Any]) -> RowAction | None:
    groups = {f.name for f in _groups(step)}
    added = formdata.get(ADD_ROW)
    if added in groups:
        return RowAction(added)
    group, _sep, index = str(formdata.get(REMOVE_ROW, "")).rpartition("-")
    if group in groups and index.isdigit():
        return RowAction(group, int(index))
    return None


def without_row(formdata: MultiDict[str, Any], group: str, index: int) -> MultiDict[str, Any]:
    """The form data with row `index` of `group` taken out and the rows after it moved up."""
    prefix, kept = f"{group}-", MultiDict[str, Any]()
    for key, value in formdata.items(multi=True):
        head, sep, rest = key[len(prefix) :].partition("-") if key.startswith(prefix) else ("", "", "")
        if not (sep and head.isdigit()):
            kept.add(key, value)
        elif int(head) != index:
            kept.add(f"{prefix}{int(head) - (int(head) > index)}-{rest}", value)
    return kept


def _check_rows(form: StepForm, step: Step, visible: set[str]) -> bool:
    ok = True
    for group in (f for f in _groups(step) if f.name in visible):
        if form.posted_rows.get(group.name, 0) > group.max_items:
            getattr(form, group.name).errors = [
                _("Vul hoogstens %(count)s rijen in; de rijen daarna zijn niet meegenomen.", count=group.max_items)
            ]
            ok = False
            continue
        group_ok = True
        entries = [entry for entry in getattr(form, group.name) if not is_blank_row(entry.data)]
        for entry in entries:
            for column in group.fields:
                if column.required and entry.data.get(column.name) in (None, "", []):
                    entry[column.name].errors = [*entry[column.name].errors, _("Vul dit veld in.")]
                    group_ok = False
        if len(entries) < group.min_items:
            first = next(iter(getattr(form, group.name)))
            first[group.fields[0].name].errors = [_("Vul minstens %(count)s rij(en) in.", count=group.min_items)]
            group_ok = False
        ok = ok and group_ok  # the messages sit on the cells, where the error summary finds them
    return ok


def _groups(step: Step) -> list[Field]:
    return [f for f in step.fields if handler(f).is_group]


def _file_fields(step: Step) -> list[Field]:
    return [f for f in step.fields if handler(f).is_file]


def _check_rules(form: LdapplyForm, step: Step, answers: Answers) -> bool:
    ok = True
    for rule in step.rules:
        if not rule.check(answers):
            getattr(form, rule.field).errors.append(text(rule.message))
            ok = False
    return ok


class StepForm(LdapplyForm):
    """The form of one step; `build_step_form` makes a subclass per step and request."""

    step: ClassVar[Step]
    stored: ClassVar[Answers]
    shown: ClassVar[frozenset[str]]
    files_present: dict[str, int]  # per upload field, the files it has besides those chosen now
    posted_rows: ClassVar[dict[str, int]]  # per repeating group, the rows submitted

    def validate(self, extra_validators: Any = None) -> bool:
        fields_ok = super().validate(extra_validators)
        rows_ok = _check_rows(self, self.step, set(self.shown))
        if not (fields_ok and rows_ok):
            return False
        files = {name: [{"filename": "…"}] * count for name, count in self.files_present.items() if count}
        return _check_rules(self, self.step, {**self.stored, **self.answers(), **files})

    def answers(self) -> dict[str, Any]:
        """The step's answers as JSON values; uploads are handled apart (see `files`)."""
        return {
            f.name: handler(f).parse(f, getattr(self, f.name).data)
            for f in self.step.fields
            if handler(f).in_answers and f.name in self.shown
        }

    def files(self) -> dict[str, list[FileStorage]]:
        """The files chosen now, per upload field that is shown."""
        chosen = {}
        for f in _file_fields(self.step):
            if f.name in self.shown:
                data = getattr(self, f.name).data or ()
                found = [d for d in data if isinstance(d, FileStorage) and d.filename]
                if found:
                    chosen[f.name] = found
        return chosen

    def visible(self) -> frozenset[str]:
        return self.shown


def build_step_form(
    step: Step,
    answers: Answers,
    formdata: MultiDict[str, Any] | None = None,
    *,
    files_present: Mapping[str, int] | None = None,
    fingerprint: bool = False,
    locked: frozenset[str] = frozenset(),
) -> type[StepForm]:
    """The form class for `step`, given the stored answers and (on a POST) what was submitted.

    `files_present` counts, per upload field, the files already there (stored, or chosen earlier and kept);
    they satisfy a required upload. `fingerprint` adds the hidden field that tells, on saving, whether
    someone else changed the step since it was loaded. `locked` questions are shown, not asked (they stay
    as submitted while additions are asked for others).
    """
    visible = frozenset(visible_names(step, answers, formdata)) - locked
    present = dict(files_present) if files_present is not None else _stored_file_counts(step, answers)
    attributes: dict[str, Any] = {"step": step, "stored": answers, "shown": visible, "files_present": present}
    attributes["posted_rows"] = {f.name: len(_row_indexes(f, formdata)) for f in _groups(step) if formdata}
    for field in step.fields:
        asked = Asked(
            required=field.required and field.name in visible,
            rows=row_count(field, answers, formdata) if handler(field).is_group else 1,
            has_file=bool(present.get(field.name)),
        )
        attributes[field.name] = handler(field).wt_field(field, asked)
    if fingerprint:
        attributes[FINGERPRINT] = HiddenField()
    return type("StepForm", (StepForm,), attributes)


def _stored_file_counts(step: Step, answers: Answers) -> dict[str, int]:
    return {f.name: len(file_references(answers.get(f.name))) for f in _file_fields(step)}


def form_data_for(step: Step, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Stored answers in the shape the form fields expect, to pre-fill a step (save and resume)."""
    return form_data(step.fields, answers)
