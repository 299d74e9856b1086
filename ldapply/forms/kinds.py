"""One handler per field kind: how a question of that kind is asked (its WTForms field), read (form data
to the stored JSON answer), checked, shown (on the check page, in the back office and in letters) and
written back into a form to pre-fill it. Outside the regimes' own declarations nothing in ldapply
switches on `FieldKind`: it asks `handler(field)`, whose flags (`is_file`, `is_group`, `in_answers`, ...)
say what kind of answer it is.
Numbers, amounts and enterprise numbers are written by ldapply.formatting, as everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from flask import current_app, has_app_context
from stdnum.be import vat
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms import Field as WTField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, FileInput, ListWidget

from .. import config, formatting
from ..i18n import _, text
from ..workflows._spec import Field, FieldKind, Text
from . import notation
from .base import StrippingMeta

RADIO_MAX_CHOICES = 6
# Words shown in an answer: Text rather than _(), since `display` writes in the language it is given
# (a letter is Dutch even when it is issued from an English page).
YES, NO = Text("Ja", "Yes"), Text("Nee", "No")
A_FILE = Text("bestand", "file")
NUMBER_MAX_LENGTH = 40  # "€ 999.999.999.999.999,99" takes 24; more is no number anyone types
Validator = Callable[[Any, WTField], None]

# The upload kinds a regime may allow, as applicants know them; the content checks live in services.uploads.
FILE_KIND_NAMES = {
    "pdf": "PDF",
    "odt": "ODT",
    "docx": "DOCX",
    "xlsx": "XLSX",
    "ods": "ODS",
    "png": "PNG",
    "jpeg": "JPEG",
}
FILE_KIND_ACCEPT = {
    "pdf": ".pdf,application/pdf",
    "odt": ".odt,application/vnd.oasis.opendocument.text",
    "docx": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": ".ods,application/vnd.oasis.opendocument.spreadsheet",
    "png": ".png,image/png",
    "jpeg": ".jpg,.jpeg,image/jpeg",
}


@dataclass(frozen=True)
class Asked:
    """How a question is asked on this page: whether it must be answered, and for a repeating group, how
    many rows to show; for an upload, whether a file is already there (stored or chosen earlier)."""

    required: bool
    rows: int = 1
    has_file: bool = False


def _or_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else _("%(first)s of %(last)s", first=", ".join(names[:-1]), last=names[-1])


def kind_names(kinds: tuple[str, ...]) -> str:
    """ "PDF, DOCX of ODT": the allowed upload kinds as a refusal or a hint names them."""
    return _or_list([FILE_KIND_NAMES.get(k, k.upper()) for k in kinds])


def upload_limit() -> int:
    if has_app_context():
        return int(current_app.config["MAX_UPLOAD_BYTES"])
    return config.MAX_UPLOAD_BYTES


class Kind:
    """The default handler: a line of text."""

    kind: ClassVar[FieldKind]
    in_answers: ClassVar[bool] = True  # False: the answer comes from elsewhere (uploads)
    posted_when_empty: ClassVar[bool] = True  # False: a form posts nothing for no answer (no box ticked)
    quick_question: ClassVar[bool] = True  # False: evidence for the application, not asked in the pre-check
    choosing: ClassVar[bool] = False  # an answer is chosen rather than typed ("Maak een keuze.")
    is_file: ClassVar[bool] = False  # its answer is upload references (services.uploads stores the files)
    is_group: ClassVar[bool] = False  # rows of columns, each column a field of its own kind

    def wt_field(self, field: Field, asked: Asked) -> Any:
        return StringField(
            text(field.label), validators=self.validators(field, asked), description=self.description(field)
        )

    def description(self, field: Field) -> str:
        return text(field.hint)

    def required_message(self) -> str:
        return _("Maak een keuze.") if self.choosing else _("Vul dit veld in.")

    def validators(self, field: Field, asked: Asked) -> list[Any]:
        # DataRequired runs after the strip filter: an answer of only spaces is no answer.
        found: list[Any] = [DataRequired(self.required_message())] if asked.required else [Optional()]
        if field.max_length:
            found.append(
                Length(max=field.max_length, message=_("Gebruik hoogstens %(count)s tekens.", count=field.max_length))
            )
        return found

    def raw(self, field: Field, formdata: MultiDict[str, Any]) -> Any:
        """The submitted value before parsing, to decide which questions the new answers show."""
        return formdata.get(field.name)

    def parse(self, field: Field, data: Any) -> Any:
        """The JSON answer for the form field's data; None for no answer."""
        return None if data in (None, "") else data

    def display(self, field: Field, value: Any, locale: str) -> str:
        return str(value)

    def form_data(self, field: Field, value: Any) -> Any:
        """The stored answer in the shape the form field takes, to pre-fill the page."""
        return value

    def form_value(self, value: object) -> str:
        """How the browser sees `value` among this field's inputs (a condition the page checks as it is typed)."""
        return str(value)


class TextKind(Kind):
    kind = FieldKind.TEXT


class TextAreaKind(Kind):
    kind = FieldKind.TEXTAREA

    def wt_field(self, field: Field, asked: Asked) -> Any:
        return TextAreaField(
            text(field.label), validators=self.validators(field, asked), description=self.description(field)
        )


class NumberKind(Kind):
    """A number in Belgian notation ("12.500", "5,5"); stored as a decimal string ("12500", "5.5").
    The base of the decimal, integer and money kinds."""

    money: ClassVar[bool] = False
    input_mode: ClassVar[str] = "decimal"

    def wt_field(self, field: Field, asked: Asked) -> Any:
        return StringField(
            text(field.label),
            validators=self.validators(field, asked),
            description=self.description(field),
            render_kw={"inputmode": self.input_mode, "class": self.css_class, "autocomplete": "off"},
        )

    css_class: ClassVar[str] = "input-short"

    def example(self) -> str:
        return _("Vul een getal in, bijvoorbeeld 5,5.")

    def value_of(self, field: Field, typed: str) -> Decimal:
        """The number typed, checked against the field's bounds; ValidationError says what to fix."""
        if len(typed) > NUMBER_MAX_LENGTH:
            raise ValidationError(_("Gebruik hoogstens %(count)s tekens.", count=NUMBER_MAX_LENGTH))
        try:
            value = notation.parse_number(typed, money=self.money)
        except notation.TooLong:
            raise ValidationError(self.too_long()) from None
        except notation.Ambiguous as ambiguous:
            raise ValidationError(
                _(
                    "Bedoelt u %(thousands)s of %(decimals)s? Schrijf duizendtallen met een punt of een spatie, decimalen met een komma.",
                    thousands=ambiguous.thousands,
                    decimals=ambiguous.decimals,
                )
            ) from None
        except notation.NotANumber:
            raise ValidationError(self.example()) from None
        try:
            self.check_value(field, value)
        except ArithmeticError:  # beyond what a Decimal holds: no number anyone means
            raise ValidationError(self.too_long()) from None
        return value

    def too_long(self) -> str:
        return _("Een getal heeft hoogstens 15 cijfers voor de komma, bijvoorbeeld 5,5.")

    def check_value(self, field: Field, value: Decimal) -> None:
        if field.min_value is not None and value < field.min_value:
            raise ValidationError(self.at_least(field.min_value))
        if field.max_value is not None and value > field.max_value:
            raise ValidationError(self.at_most(field.max_value))

    def at_least(self, bound: Decimal) -> str:
        return _("Vul een getal in van minstens %(value)s.", value=formatting.number(bound))

    def at_most(self, bound: Decimal) -> str:
        return _("Vul een getal in van hoogstens %(value)s.", value=formatting.number(bound))

    def validators(self, field: Field, asked: Asked) -> list[Any]:
        return [*super().validators(field, asked), self._checker(field)]

    def _checker(self, field: Field) -> Validator:
        def validate(_form: Any, wt_field: WTField) -> None:
            if wt_field.data:
                self.value_of(field, str(wt_field.data))

        return validate

    def stored(self, value: Decimal) -> str:
        return notation.stored(value)

    def parse(self, field: Field, data: Any) -> Any:
        if data in (None, ""):
            return None
        try:
            return self.stored(notation.parse_number(str(data), money=self.money))
        except (notation.NotANumber, ArithmeticError):
            return str(data)  # refused by validation before it is ever stored

    def display(self, field: Field, value: Any, locale: str) -> str:
        try:
            return formatting.number(value, locale)
        except ArithmeticError:
            return str(value)

    def form_data(self, field: Field, value: Any) -> Any:
        try:
            return formatting.plain_number(value)
        except ArithmeticError:
            return str(value)


class DecimalKind(NumberKind):
    kind = FieldKind.DECIMAL


class IntegerKind(NumberKind):
    kind = FieldKind.INTEGER
    input_mode = "numeric"

    def example(self) -> str:
        return _("Vul een geheel getal in, bijvoorbeeld 12 of 1.250.")

    def check_value(self, field: Field, value: Decimal) -> None:
        if value != value.to_integral_value():
            raise ValidationError(self.example())
        super().check_value(field, value)


class MoneyKind(NumberKind):
    """An amount in euro: "€ 95.000", "180.000,50", "12 500"; shown as "€ 180.000,50"."""

    kind = FieldKind.MONEY
    money = True
    css_class = "input-short input-money"

    def description(self, field: Field) -> str:
        own = text(field.hint)
        example = _("In euro, bijvoorbeeld 95.000 of 180.000,50.")
        return f"{own} {example}" if own else example

    def example(self) -> str:
        return _(
            "Vul een bedrag in euro in, bijvoorbeeld 95.000 of 180.000,50 (een punt voor de duizendtallen, een komma voor de centen)."
        )

    def too_long(self) -> str:
        return _("Een bedrag heeft hoogstens 15 cijfers voor de komma, bijvoorbeeld 180.000,50.")

    def check_value(self, field: Field, value: Decimal) -> None:
        if value != value.quantize(Decimal("0.01")):
            raise ValidationError(_("Een bedrag heeft hoogstens twee cijfers na de komma, bijvoorbeeld 180.000,50."))
        super().check_value(field, value)

    def at_least(self, bound: Decimal) -> str:
        return _("Vul een bedrag in van minstens %(value)s.", value=formatting.money(bound))

    def at_most(self, bound: Decimal) -> str:
        return _("Vul een bedrag in van hoogstens %(value)s.", value=formatting.money(bound))

    def stored(self, value: Decimal) -> str:
        return notation.stored_money(value)

    def display(self, field: Field, value: Any, locale: str) -> str:
        try:
            return formatting.money(value, locale)
        except ArithmeticError:
            return str(value)

    def form_data(self, field: Field, value: Any) -> Any:
        try:
            return formatting.plain_money(value)
        except ArithmeticError:
            return str(value)


class DutchDateField(DateField):
    """A date field whose refusal is the applicant's language and names an example; it also reads the
    dd-mm-jjjj that people type where the browser offers no date picker."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Vul een geldige datum in, bijvoorbeeld 15-01-2026.")) from None


class DateKind(Kind):
    kind = FieldKind.DATE

    def validators(self, field: Field, asked: Asked) -> list[Any]:
        # InputRequired, not DataRequired: a date that cannot be read keeps its own message.
        return [InputRequired(self.required_message())] if asked.required else [Optional()]

    def wt_field(self, field: Field, asked: Asked) -> Any:
        return DutchDateField(
            text(field.label),
            format=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
            validators=self.validators(field, asked),
            description=self.description(field),
            render_kw={"class": "input-short"},
        )

    def parse(self, field: Field, data: Any) -> Any:
        if data in (None, ""):
            return None
        return data.isoformat() if isinstance(data, date | datetime) else str(data)

    def display(self, field: Field, value: Any, locale: str) -> str:
        try:
            return date.fromisoformat(str(value)).strftime("%d-%m-%Y")
        except ValueError:
            return str(value)

    def form_data(self, field: Field, value: Any) -> Any:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return None


class YesNoKind(Kind):
    kind = FieldKind.YES_NO
    choosing = True

    def wt_field(self, field: Field, asked: Asked) -> Any:
        return RadioField(
            text(field.label),
            choices=[SelectChoice("yes", _("Ja")), SelectChoice("no", _("Nee"))],
            validators=self.validators(field, asked),
            description=self.description(field),
        )

    def parse(self, field: Field, data: Any) -> Any:
        if data in (None, ""):
            return None
        return data == "yes" if isinstance(data, str) else bool(data)

    def display(self, field: Field, value: Any, locale: str) -> str:
        return (YES if value else NO).get(locale)

    def form_data(self, field: Field, value: Any) -> Any:
        return "yes" if value else "no"

    def form_value(self, value: object) -> str:
        return "yes" if value is True else "no" if value is False else str(value)


class ChoiceKind(Kind):
    """Up to six options as radio buttons; more as a drop-down list."""

    kind = FieldKind.CHOICE
    choosing = True

    def wt_field(self, field: Field, asked: Asked) -> Any:
        choices = [SelectChoice(c.value, text(c.label)) for c in field.choices]
        validators, description = self.validators(field, asked), self.description(field)
        if len(field.choices) <= RADIO_MAX_CHOICES:
            return RadioField(text(field.label), choices=choices, validators=validators, description=description)
        choices = [SelectChoice("", _("Kies…")), *choices]
        return SelectField(text(field.label), choices=choices, validators=validators, description=description)

    def display(self, field: Field, value: Any, locale: str) -> str:
        return field.choice_label(value, locale) or str(value)


class MultiChoiceKind(Kind):
    kind = FieldKind.MULTI_CHOICE
    choosing = True
    posted_when_empty = False

    def wt_field(self, field: Field, asked: Asked) -> Any:
        return SelectMultipleField(
            text(field.label),
            choices=[SelectChoice(c.value, text(c.label)) for c in field.choices],
            validators=self.validators(field, asked),
            description=self.description(field),
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
        )

    def raw(self, field: Field, formdata: MultiDict[str, Any]) -> Any:
        return formdata.getlist(field.name)

    def parse(self, field: Field, data: Any) -> Any:
        return list(data or [])

    def display(self, field: Field, value: Any, locale: str) -> str:
        return ", ".join(field.choice_label(v, locale) or str(v) for v in value or ()) or "—"


class EnterpriseNumberKind(Kind):
    kind = FieldKind.ENTERPRISE_NUMBER

    def wt_field(self, field: Field, asked: Asked) -> Any:
        return StringField(
            text(field.label),
            validators=[*self.validators(field, asked), self.check],
            description=self.description(field),
            render_kw={"class": "input-short", "autocomplete": "off"},
        )

    @staticmethod
    def check(_form: Any, wt_field: WTField) -> None:
        if wt_field.data and not vat.is_valid(wt_field.data):
            raise ValidationError(
                _("Dit is geen geldig ondernemingsnummer. Controleer de tien cijfers, bijvoorbeeld 0123.456.749.")
            )

    def parse(self, field: Field, data: Any) -> Any:
        return vat.compact(data) if data else None

    def display(self, field: Field, value: Any, locale: str) -> str:
        return formatting.enterprise_number(str(value))


def file_references(value: Any) -> list[Mapping[str, Any]]:
    """The upload references of a FILE answer: a list (several files), or the older single reference."""
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list | tuple):
        return [ref for ref in value if isinstance(ref, Mapping)]
    return []


class FileKind(Kind):
    """Uploads. The files themselves are checked and stored by services.uploads; the answer is one upload
    reference (a field for one file) or a list of them (a field for several)."""

    kind = FieldKind.FILE
    in_answers = False
    quick_question = False
    is_file = True

    def wt_field(self, field: Field, asked: Asked) -> Any:
        needed = asked.required and not asked.has_file
        validators = [InputRequired(_("Kies een bestand."))] if needed else [Optional()]
        accept = ",".join(FILE_KIND_ACCEPT.get(k, f".{k}") for k in field.file_kinds)
        cls = MultipleFileField if field.max_files > 1 else SingleFileField
        return cls(
            text(field.label), validators=validators, description=self.description(field), render_kw={"accept": accept}
        )

    def description(self, field: Field) -> str:
        limit = upload_limit() // (1024 * 1024)
        if field.max_files > 1:
            rule = _(
                "%(kinds)s, hoogstens %(limit)s MB per bestand, tot %(count)s bestanden.",
                kinds=kind_names(field.file_kinds),
                limit=limit,
                count=field.max_files,
            )
        else:
            rule = _("%(kinds)s, hoogstens %(limit)s MB.", kinds=kind_names(field.file_kinds), limit=limit)
        own = text(field.hint)
        return f"{own} {rule}" if own else rule

    def raw(self, field: Field, formdata: MultiDict[str, Any]) -> Any:
        return None

    def parse(self, field: Field, data: Any) -> Any:
        return None

    def display(self, field: Field, value: Any, locale: str) -> str:
        refs = file_references(value)
        if not refs:
            return "—" if value in (None, "", [], {}) else str(value)
        return "\n".join(str(ref.get("filename") or A_FILE.get(locale)) for ref in refs)

    def form_data(self, field: Field, value: Any) -> Any:
        return None


class SingleFileField(MultipleFileField):
    """One file: a MultipleFileField (so every file field hands over a list), rendered without `multiple`."""

    widget = FileInput()


def is_blank_row(row: Mapping[str, Any]) -> bool:
    """A row of a repeating group with nothing filled in: ignored rather than refused."""
    return all(value in (None, "", []) for value in row.values())


class GroupKind(Kind):
    """A repeating group: rows of columns, each column a field of its own kind."""

    kind = FieldKind.GROUP
    quick_question = False
    is_group = True

    def wt_field(self, field: Field, asked: Asked) -> Any:
        return FieldList(
            FormField(row_form(field)),
            label=text(field.label),
            min_entries=asked.rows,
            max_entries=field.max_items,
            description=self.description(field),
        )

    def raw(self, field: Field, formdata: MultiDict[str, Any]) -> Any:
        return None

    def parse(self, field: Field, data: Any) -> Any:
        rows = [row for row in (data or []) if isinstance(row, Mapping) and not is_blank_row(row)]
        return [{c.name: handler(c).parse(c, row.get(c.name)) for c in field.fields} for row in rows]

    def display(self, field: Field, value: Any, locale: str) -> str:
        rows = [row for row in value or () if isinstance(row, Mapping)]
        return "\n".join(self._row_text(field, row, locale) for row in rows) or "—"

    @staticmethod
    def _row_text(field: Field, row: Mapping[str, Any], locale: str) -> str:
        return ", ".join(f"{c.label.get(locale)}: {display(c, row.get(c.name), locale)}" for c in field.fields)

    def form_data(self, field: Field, value: Any) -> Any:
        rows = [row for row in value or () if isinstance(row, Mapping)]
        return [form_data(field.fields, row) for row in rows]


def row_form(group: Field) -> type[Form]:
    """One row of a repeating group. Its columns are all optional here: a blank row is ignored, and the
    step form asks for the required columns of the rows that were filled in."""

    class Row(Form):
        Meta = StrippingMeta

    for column in group.fields:
        setattr(Row, column.name, handler(column).wt_field(column, Asked(required=False)))
    return Row


HANDLERS: dict[FieldKind, Kind] = {
    h.kind: h
    for h in (
        TextKind(),
        TextAreaKind(),
        IntegerKind(),
        DecimalKind(),
        MoneyKind(),
        DateKind(),
        YesNoKind(),
        ChoiceKind(),
        MultiChoiceKind(),
        EnterpriseNumberKind(),
        FileKind(),
        GroupKind(),
    )
}


def handler(field: Field) -> Kind:
    return HANDLERS[field.kind]


def display(field: Field, value: Any, locale: str = "nl") -> str:
    """A stored answer as people read it, in `locale` ("—" for no answer)."""
    if value is None or value == "":
        return "—"
    return handler(field).display(field, value, locale)


def form_data(fields: tuple[Field, ...], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Stored answers in the shape the form fields expect, to pre-fill a page (save and resume)."""
    data: dict[str, Any] = {}
    for field in fields:
        value = answers.get(field.name)
        if value is not None:
            shaped = handler(field).form_data(field, value)
            if shaped is not None:
                data[field.name] = shaped
    return data


def browser_values(trigger: Field, values: tuple[object, ...]) -> list[str]:
    """The form values of `trigger` for which a question is shown, as the browser reads its inputs."""
    own = handler(trigger)
    return [own.form_value(v) for v in values]
