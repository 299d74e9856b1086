"""Build a WTForms form from a regime step: the only place that maps field kinds to WTForms."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_wtf.file import FileField
from stdnum.be import vat
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms import Field as WTField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..workflows._spec import Answers, Field, FieldKind, Step
from .base import LdapplyForm, StrippingMeta

RADIO_MAX_CHOICES = 6


NUMBER = re.compile(r"-?\d+([.,]\d+)?")


def _parse_number(raw: str, integer: bool) -> Decimal:
    compact = raw.replace(" ", "")
    if not NUMBER.fullmatch(compact):  # no exponents, no thousands separators, no "NaN"
        raise InvalidOperation
    value = Decimal(compact.replace(",", "."))
    if not value.is_finite() or (integer and value != value.to_integral_value()):
        raise InvalidOperation
    return value


def number_validator(field: Field) -> Callable[[Any, WTField], None]:
    integer = field.kind == FieldKind.INTEGER

    def validate(_form: Any, wt_field: WTField) -> None:
        if not wt_field.data:
            return
        try:
            value = _parse_number(wt_field.data, integer)
        except InvalidOperation:
            raise ValidationError(
                "Vul een geheel getal in." if integer else "Vul een getal in, bijvoorbeeld 5,5."
            ) from None
        if field.min_value is not None and value < field.min_value:
            raise ValidationError(f"Vul een getal in van minstens {str(field.min_value).replace('.', ',')}.")
        if field.max_value is not None and value > field.max_value:
            raise ValidationError(f"Vul een getal in van hoogstens {str(field.max_value).replace('.', ',')}.")

    return validate


def enterprise_number_validator(_form: Any, wt_field: WTField) -> None:
    if wt_field.data and not vat.is_valid(wt_field.data):
        raise ValidationError(
            "Dit is geen geldig ondernemingsnummer. Controleer de tien cijfers, bijvoorbeeld 0123.456.749."
        )


def _required(field: Field, visible: bool) -> list[Any]:
    if not (field.required and visible):
        return [Optional()]
    message = "Maak een keuze." if field.kind in (FieldKind.CHOICE, FieldKind.YES_NO) else "Vul dit veld in."
    # DataRequired runs after the strip filter: an answer of only spaces is no answer.
    return [DataRequired(message)]


def _choice_field(field: Field, label: str, validators: list[Any], description: str) -> WTField:
    """Yes/no and short choices as radio buttons, long ones as a list, multiple choice as checkboxes."""
    match field.kind:
        case FieldKind.YES_NO:
            return RadioField(
                label,
                choices=[SelectChoice("yes", "Ja"), SelectChoice("no", "Nee")],
                validators=validators,
                description=description,
            )
        case FieldKind.CHOICE:
            cls = RadioField if len(field.choices) <= RADIO_MAX_CHOICES else SelectField
            choices = [SelectChoice(c.value, c.label.nl) for c in field.choices]
            if cls is SelectField:
                choices = [SelectChoice("", "Kies…"), *choices]
            return cls(label, choices=choices, validators=validators, description=description)
        case FieldKind.MULTI_CHOICE:
            return SelectMultipleField(
                label,
                choices=[SelectChoice(c.value, c.label.nl) for c in field.choices],
                validators=validators,
                description=description,
                widget=ListWidget(prefix_label=False),
                option_widget=CheckboxInput(),
            )
    return StringField(label, validators=validators, description=description)


def _wt_field(field: Field, visible: bool, has_file: bool) -> WTField:
    label = field.label.nl
    description = field.hint.nl if field.hint else ""
    validators = _required(field, visible)
    if field.max_length:
        validators.append(Length(max=field.max_length, message=f"Gebruik hoogstens {field.max_length} tekens."))
    match field.kind:
        case FieldKind.TEXTAREA:
            return TextAreaField(label, validators=validators, description=description)
        case FieldKind.DECIMAL | FieldKind.INTEGER:
            return StringField(
                label,
                validators=[*validators, number_validator(field)],
                description=description,
                render_kw={"inputmode": "decimal", "class": "input-short"},
            )
        case FieldKind.DATE:
            return DateField(label, validators=validators, description=description, render_kw={"class": "input-short"})
        case FieldKind.YES_NO | FieldKind.CHOICE | FieldKind.MULTI_CHOICE:
            return _choice_field(field, label, validators, description)
        case FieldKind.ENTERPRISE_NUMBER:
            return StringField(
                label,
                validators=[*validators, enterprise_number_validator],
                description=description,
                render_kw={"class": "input-short", "autocomplete": "off"},
            )
        case FieldKind.FILE:
            file_validators = (
                [Optional()] if has_file or not (field.required and visible) else [InputRequired("Kies een bestand.")]
            )
            return FileField(
                label,
                validators=file_validators,
                description=description,
                render_kw={"accept": ",".join(f".{k}" for k in field.file_kinds)},
            )
    return StringField(label, validators=validators, description=description)


def visible_names(step: Step, answers: Answers, formdata: MultiDict[str, Any] | None) -> set[str]:
    """Fields shown for these answers, taking this step's submitted choices into account."""
    preview = dict(answers)
    if formdata is not None:
        for field in step.fields:
            if field.name in formdata:
                raw = formdata.getlist(field.name) if field.kind == FieldKind.MULTI_CHOICE else formdata.get(field.name)
                preview[field.name] = _to_answer(field, raw)
    return {f.name for f in step.visible_fields(preview)}


def _row_form(group: Field) -> type[Form]:
    """One row of a repeating group. Its columns are all optional here: a blank row is ignored,
    and `_check_rows` asks for the required columns of the rows that were filled in."""

    class Row(Form):
        Meta = StrippingMeta

    for column in group.fields:
        setattr(Row, column.name, _wt_field(column, visible=False, has_file=False))
    return Row


def _row_count(group: Field, answers: Answers, formdata: MultiDict[str, Any] | None) -> int:
    if formdata is not None:
        prefix = f"{group.name}-"
        indexes = {
            int(key[len(prefix) :].split("-", 1)[0])
            for key in formdata
            if key.startswith(prefix) and key[len(prefix) :].split("-", 1)[0].isdigit()
        }
        return min(max(max(indexes, default=-1) + 1, group.min_items, 1), group.max_items)
    stored = answers.get(group.name) or []
    return min(max(len(stored) + 1, group.min_items), group.max_items)  # one empty row to add another


def _group_field(group: Field, rows: int) -> WTField:
    description = group.hint.nl if group.hint else ""
    return FieldList(
        FormField(_row_form(group)),
        label=group.label.nl,
        min_entries=rows,
        max_entries=group.max_items,
        description=description,
    )


def _is_blank(row: Mapping[str, Any]) -> bool:
    return all(value in (None, "", []) for value in row.values())


def _check_rows(form: LdapplyForm, step: Step, visible: set[str]) -> bool:
    ok = True
    for group in (f for f in step.fields if f.kind == FieldKind.GROUP and f.name in visible):
        group_ok = True
        entries = [entry for entry in getattr(form, group.name) if not _is_blank(entry.data)]
        for entry in entries:
            for column in group.fields:
                if column.required and entry.data.get(column.name) in (None, ""):
                    entry[column.name].errors = [*entry[column.name].errors, "Vul dit veld in."]
                    group_ok = False
        if len(entries) < group.min_items:
            first = next(iter(getattr(form, group.name)))
            first[group.fields[0].name].errors = [f"Vul minstens {group.min_items} rij(en) in."]
            group_ok = False
        if not group_ok:
            getattr(form, group.name).errors = ["rows"]  # marks the group; the messages sit on its cells
        ok = ok and group_ok
    return ok


def build_step_form(step: Step, answers: Answers, formdata: MultiDict[str, Any] | None = None) -> type[LdapplyForm]:
    visible = visible_names(step, answers, formdata)

    class StepForm(LdapplyForm):
        def validate(self, extra_validators: Any = None) -> bool:
            fields_ok = super().validate(extra_validators)
            rows_ok = _check_rows(self, step, visible)
            if not (fields_ok and rows_ok):
                return False
            chosen = {name: {"filename": filename} for name, (_, filename) in self.files().items()}
            return _check_rules(self, step, {**answers, **self.answers(), **chosen})

        def answers(self) -> dict[str, Any]:
            """The step's answers as JSON values; file fields are handled apart (see `files`)."""
            return {
                f.name: _to_answer(f, getattr(self, f.name).data)
                for f in step.fields
                if f.kind != FieldKind.FILE and hasattr(self, f.name) and f.name in visible
            }

        def files(self) -> dict[str, tuple[Any, str]]:
            chosen = {}
            for f in step.fields:
                data = getattr(self, f.name).data if hasattr(self, f.name) else None
                if f.kind == FieldKind.FILE and isinstance(data, FileStorage) and data.filename:
                    chosen[f.name] = (data.stream, data.filename)
            return chosen

    for field in step.fields:
        if field.kind == FieldKind.GROUP:
            setattr(StepForm, field.name, _group_field(field, _row_count(field, answers, formdata)))
        else:
            setattr(StepForm, field.name, _wt_field(field, field.name in visible, bool(answers.get(field.name))))
    return StepForm


def _check_rules(form: LdapplyForm, step: Step, answers: Answers) -> bool:
    ok = True
    for rule in step.rules:
        if not rule.check(answers):
            getattr(form, rule.field).errors.append(rule.message.nl)
            ok = False
    return ok


def _to_answer(field: Field, data: Any) -> Any:
    if field.kind == FieldKind.GROUP:
        rows = [row for row in (data or []) if not _is_blank(row)]
        return [{c.name: _to_answer(c, row.get(c.name)) for c in field.fields} for row in rows]
    if field.kind == FieldKind.MULTI_CHOICE:
        return list(data or [])
    if data in (None, ""):
        return None
    match field.kind:
        case FieldKind.YES_NO:
            return data == "yes" if isinstance(data, str) else bool(data)
        case FieldKind.DECIMAL | FieldKind.INTEGER:
            try:
                return str(_parse_number(str(data), field.kind == FieldKind.INTEGER))
            except InvalidOperation:
                return str(data)
        case FieldKind.DATE:
            return data.isoformat() if hasattr(data, "isoformat") else str(data)
        case FieldKind.ENTERPRISE_NUMBER:
            return vat.compact(data)
    return data


def form_data_for(step: Step, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Stored answers in the shape the form fields expect, to pre-fill a step (save and resume)."""
    data: dict[str, Any] = {}
    for field in step.fields:
        value = answers.get(field.name)
        if value is None or field.kind == FieldKind.FILE:
            continue
        if field.kind == FieldKind.GROUP:
            data[field.name] = [form_data_for(Step("row", field.label, field.fields), row) for row in value]
        elif field.kind == FieldKind.YES_NO:
            data[field.name] = "yes" if value else "no"
        elif field.kind == FieldKind.DECIMAL:
            data[field.name] = str(value).replace(".", ",")
        elif field.kind == FieldKind.DATE:
            from datetime import date

            data[field.name] = date.fromisoformat(value)
        else:
            data[field.name] = value
    return data
