"""Answers as stored (JSON values) and as shown to people: each kind's handler (forms.kinds) formats its
answers (Belgian number notation, labels of choices, dates, file names) in the page's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..forms.kinds import display, file_references
from ..forms.kinds import format_enterprise_number as format_enterprise_number
from ..i18n import current_locale
from ..models import Application
from ..workflows._spec import Answers, Field, FieldKind, Regime, Step


def display_value(field: Field, value: Any, locale: str = "nl") -> str:
    """A stored answer as people read it; "—" when there is none."""
    return display(field, value, locale)


def step_rows(step: Step, answers: Answers, locale: str = "nl") -> list[tuple[str, str]]:
    return [(f.label.get(locale), display_value(f, answers.get(f.name), locale)) for f in step.visible_fields(answers)]


def answer_sections(application: Application, regime: Regime, locale: str | None = None) -> list[tuple[str, list]]:
    """Per step shown, its title and (label, answer) rows; in the page's language unless `locale` is given."""
    answers, locale = application.answers, locale or current_locale()
    return [(step.title.get(locale), step_rows(step, answers, locale)) for step in regime.visible_steps(answers)]


def attachments(answers: Answers, regime: Regime) -> list[tuple[Field, Mapping[str, Any]]]:
    """Every upload among the answers, with its field, in step order (a field may hold several)."""
    return [
        (f, ref)
        for f in regime.all_fields()
        if f.kind == FieldKind.FILE
        for ref in file_references(answers.get(f.name))
    ]


def uploads_in(answers: Answers, regime: Regime) -> list[Mapping[str, Any]]:
    """The upload references among the answers, in step order."""
    return [ref for _field, ref in attachments(answers, regime)]
