"""Short constructors for step fields, so regime modules read as declarations."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from ._spec import Answers, Choice, Field, FieldKind, Rule, Text


def _field(kind: FieldKind, name: str, nl: str, en: str, **options: object) -> Field:
    hint = options.pop("hint", None)
    if isinstance(hint, tuple):
        options["hint"] = Text(*hint)
    return Field(name=name, label=Text(nl, en), kind=kind, **options)  # type: ignore[arg-type]


def text(name: str, nl: str, en: str, *, max_length: int = 200, **options: object) -> Field:
    return _field(FieldKind.TEXT, name, nl, en, max_length=max_length, **options)


def textarea(name: str, nl: str, en: str, *, max_length: int = 5000, **options: object) -> Field:
    return _field(FieldKind.TEXTAREA, name, nl, en, max_length=max_length, **options)


def decimal(
    name: str, nl: str, en: str, *, min_value: str | None = None, max_value: str | None = None, **options: object
) -> Field:
    return _field(
        FieldKind.DECIMAL,
        name,
        nl,
        en,
        min_value=Decimal(min_value) if min_value is not None else None,
        max_value=Decimal(max_value) if max_value is not None else None,
        **options,
    )


def integer(
    name: str, nl: str, en: str, *, min_value: int | None = None, max_value: int | None = None, **options: object
) -> Field:
    return _field(
        FieldKind.INTEGER,
        name,
        nl,
        en,
        min_value=Decimal(min_value) if min_value is not None else None,
        max_value=Decimal(max_value) if max_value is not None else None,
        **options,
    )


def date(name: str, nl: str, en: str, **options: object) -> Field:
    return _field(FieldKind.DATE, name, nl, en, **options)


def yes_no(name: str, nl: str, en: str, **options: object) -> Field:
    return _field(FieldKind.YES_NO, name, nl, en, **options)


def choice(name: str, nl: str, en: str, choices: tuple[tuple[str, str, str], ...], **options: object) -> Field:
    return _field(
        FieldKind.CHOICE,
        name,
        nl,
        en,
        choices=tuple(Choice(value, Text(c_nl, c_en)) for value, c_nl, c_en in choices),
        **options,
    )


def enterprise_number(name: str, nl: str, en: str, **options: object) -> Field:
    return _field(FieldKind.ENTERPRISE_NUMBER, name, nl, en, max_length=20, **options)


def file(name: str, nl: str, en: str, *, kinds: tuple[str, ...] = ("pdf",), **options: object) -> Field:
    return _field(FieldKind.FILE, name, nl, en, file_kinds=kinds, **options)


def answer_is(name: str, value: object) -> Callable[[Answers], bool]:
    """A `show_if` predicate: the earlier answer `name` equals `value`."""

    def predicate(answers: Answers) -> bool:
        return answers.get(name) == value

    predicate.__name__ = f"answer_{name}_is_{value}"
    return predicate


def multi_choice(name: str, nl: str, en: str, choices: tuple[tuple[str, str, str], ...], **options: object) -> Field:
    return _field(
        FieldKind.MULTI_CHOICE,
        name,
        nl,
        en,
        choices=tuple(Choice(value, Text(c_nl, c_en)) for value, c_nl, c_en in choices),
        **options,
    )


def group(
    name: str, nl: str, en: str, *columns: Field, min_items: int = 1, max_items: int = 20, **options: object
) -> Field:
    """A repeating group: one row per item (a location, a housing complex), each with `columns`."""
    return _field(FieldKind.GROUP, name, nl, en, fields=columns, min_items=min_items, max_items=max_items, **options)


def rule(check: Callable[[Answers], bool], nl: str, en: str, *, field: str) -> Rule:
    return Rule(check, Text(nl, en), field)
