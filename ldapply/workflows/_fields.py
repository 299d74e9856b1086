"""Short, typed constructors for step fields, so regime modules read as declarations.

Every option is a named, typed keyword: a wrong option type is a mypy error in the regime module.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from ._spec import Answers, Choice, Field, FieldKind, Rule, ShownWhen, Text

Hint = tuple[str, str] | None  # (Dutch, English)
ShowIf = Callable[[Answers], bool] | None
Choices = tuple[tuple[str, str, str], ...]  # (value, Dutch, English)


def _hint(hint: Hint) -> Text | None:
    return Text(*hint) if hint is not None else None


def _choices(choices: Choices) -> tuple[Choice, ...]:
    return tuple(Choice(value, Text(nl, en)) for value, nl, en in choices)


def _bound(value: str | int | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def text(
    name: str,
    nl: str,
    en: str,
    *,
    max_length: int = 200,
    required: bool = True,
    hint: Hint = None,
    show_if: ShowIf = None,
) -> Field:
    return Field(name, Text(nl, en), FieldKind.TEXT, required, _hint(hint), max_length=max_length, show_if=show_if)


def textarea(
    name: str,
    nl: str,
    en: str,
    *,
    max_length: int = 5000,
    required: bool = True,
    hint: Hint = None,
    show_if: ShowIf = None,
) -> Field:
    return Field(name, Text(nl, en), FieldKind.TEXTAREA, required, _hint(hint), max_length=max_length, show_if=show_if)


def decimal(
    name: str,
    nl: str,
    en: str,
    *,
    min_value: str | None = None,
    max_value: str | None = None,
    required: bool = True,
    hint: Hint = None,
    show_if: ShowIf = None,
) -> Field:
    return _number(FieldKind.DECIMAL, name, Text(nl, en), min_value, max_value, required, hint, show_if)


def money(
    name: str,
    nl: str,
    en: str,
    *,
    min_value: str | None = "0",
    max_value: str | None = None,
    required: bool = True,
    hint: Hint = None,
    show_if: ShowIf = None,
) -> Field:
    """An amount in euro, to the cent; typed and shown in Belgian notation ("€ 180.000,50")."""
    return _number(FieldKind.MONEY, name, Text(nl, en), min_value, max_value, required, hint, show_if)


def _number(
    kind: FieldKind,
    name: str,
    label: Text,
    min_value: str | int | None,
    max_value: str | int | None,
    required: bool,
    hint: Hint,
    show_if: ShowIf,
) -> Field:
    return Field(
        name,
        label,
        kind,
        required,
        _hint(hint),
        min_value=_bound(min_value),
        max_value=_bound(max_value),
        show_if=show_if,
    )


def integer(
    name: str,
    nl: str,
    en: str,
    *,
    min_value: int | None = None,
    max_value: int | None = None,
    required: bool = True,
    hint: Hint = None,
    show_if: ShowIf = None,
) -> Field:
    return _number(FieldKind.INTEGER, name, Text(nl, en), min_value, max_value, required, hint, show_if)


def date(name: str, nl: str, en: str, *, required: bool = True, hint: Hint = None, show_if: ShowIf = None) -> Field:
    return Field(name, Text(nl, en), FieldKind.DATE, required, _hint(hint), show_if=show_if)


def yes_no(name: str, nl: str, en: str, *, required: bool = True, hint: Hint = None, show_if: ShowIf = None) -> Field:
    return Field(name, Text(nl, en), FieldKind.YES_NO, required, _hint(hint), show_if=show_if)


def choice(
    name: str, nl: str, en: str, choices: Choices, *, required: bool = True, hint: Hint = None, show_if: ShowIf = None
) -> Field:
    return Field(name, Text(nl, en), FieldKind.CHOICE, required, _hint(hint), _choices(choices), show_if=show_if)


def multi_choice(
    name: str, nl: str, en: str, choices: Choices, *, required: bool = True, hint: Hint = None, show_if: ShowIf = None
) -> Field:
    return Field(name, Text(nl, en), FieldKind.MULTI_CHOICE, required, _hint(hint), _choices(choices), show_if=show_if)


def enterprise_number(
    name: str, nl: str, en: str, *, required: bool = True, hint: Hint = None, show_if: ShowIf = None
) -> Field:
    return Field(name, Text(nl, en), FieldKind.ENTERPRISE_NUMBER, required, _hint(hint), max_length=20, show_if=show_if)


def file(
    name: str,
    nl: str,
    en: str,
    *,
    kinds: tuple[str, ...] = ("pdf",),
    max_files: int = 1,
    required: bool = True,
    hint: Hint = None,
    show_if: ShowIf = None,
) -> Field:
    """An upload of one of `kinds` ("pdf", "odt", "docx", "xlsx", "ods", "png", "jpeg"); with `max_files`
    above 1 the applicant may add several files, and the answer is a list."""
    return Field(
        name,
        Text(nl, en),
        FieldKind.FILE,
        required,
        _hint(hint),
        file_kinds=kinds,
        show_if=show_if,
        max_files=max_files,
    )


def group(
    name: str,
    nl: str,
    en: str,
    *columns: Field,
    min_items: int = 1,
    max_items: int = 20,
    required: bool = True,
    hint: Hint = None,
    show_if: ShowIf = None,
) -> Field:
    """A repeating group: one row per item (a location, a housing complex), each with `columns`."""
    return Field(
        name,
        Text(nl, en),
        FieldKind.GROUP,
        required,
        _hint(hint),
        show_if=show_if,
        fields=columns,
        min_items=min_items,
        max_items=max_items,
    )


def when(name: str, *values: object) -> ShownWhen:
    """A declarative `show_if`: the earlier answer `name` is one of `values`. Pages reveal such a question in
    the browser as soon as it applies."""
    return ShownWhen(name, values)


def when_chosen(name: str, *values: object) -> ShownWhen:
    """A declarative `show_if` on a multiple choice `name`: one of `values` is among the options chosen."""
    return ShownWhen(name, values, among=True)


def answer_is(name: str, value: object) -> ShownWhen:
    """A `show_if` predicate: the earlier answer `name` equals `value`."""
    return when(name, value)


def rule(check: Callable[[Answers], bool], nl: str, en: str, *, field: str) -> Rule:
    return Rule(check, Text(nl, en), field)
