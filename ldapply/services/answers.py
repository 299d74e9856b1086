"""Answers as stored (JSON values) and as shown to people (labels, Dutch number and date formats)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from stdnum.be import vat

from ..models import Application
from ..workflows._spec import Answers, Field, FieldKind, Regime, Step


def display_value(field: Field, value: Any, locale: str = "nl") -> str:
    if value is None or value == "":
        return "—"
    match field.kind:
        case FieldKind.YES_NO:
            return ("Yes" if value else "No") if locale == "en" else ("Ja" if value else "Nee")
        case FieldKind.CHOICE:
            return field.choice_label(value, locale) or str(value)
        case FieldKind.DECIMAL:
            return str(value).replace(".", ",") if locale == "nl" else str(value)
        case FieldKind.DATE:
            return date.fromisoformat(value).strftime("%d-%m-%Y")
        case FieldKind.ENTERPRISE_NUMBER:
            return format_enterprise_number(value)
        case FieldKind.FILE:
            return str(value.get("filename", "bestand")) if isinstance(value, Mapping) else str(value)
        case FieldKind.MULTI_CHOICE:
            return ", ".join(field.choice_label(v, locale) or str(v) for v in value) or "—"
        case FieldKind.GROUP:
            return "\n".join(_row_text(field, row, locale) for row in value) or "—"
    return str(value)


def _row_text(group: Field, row: Mapping[str, Any], locale: str) -> str:
    return ", ".join(f"{c.label.get(locale)}: {display_value(c, row.get(c.name), locale)}" for c in group.fields)


def format_enterprise_number(number: str) -> str:
    compact = vat.compact(number)
    return f"{compact[:4]}.{compact[4:7]}.{compact[7:]}" if len(compact) == 10 else number


def step_rows(step: Step, answers: Answers, locale: str = "nl") -> list[tuple[str, str]]:
    return [(f.label.get(locale), display_value(f, answers.get(f.name), locale)) for f in step.visible_fields(answers)]


def answer_sections(application: Application, regime: Regime, locale: str = "nl") -> list[tuple[str, list]]:
    answers = application.answers
    return [(step.title.get(locale), step_rows(step, answers, locale)) for step in regime.visible_steps(answers)]


def uploads_in(answers: Answers, regime: Regime) -> list[dict[str, Any]]:
    """The upload references among the answers, in step order."""
    return [
        answers[f.name]
        for f in regime.all_fields()
        if f.kind == FieldKind.FILE and isinstance(answers.get(f.name), Mapping)
    ]
