"""Answers as stored (JSON values) and as shown to people: each kind's handler (forms.kinds) formats its
answers (Belgian number notation, labels of choices, dates, file names) in the page's language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..forms.kinds import display, file_references, handler
from ..i18n import current_locale
from ..models import Application
from ..workflows._spec import Answers, Field, Regime, Step, Text


def display_value(field: Field, value: Any, locale: str = "nl") -> str:
    """A stored answer as people read it; "—" when there is none."""
    return display(field, value, locale)


def step_rows(step: Step, answers: Answers, locale: str = "nl") -> list[tuple[str, str]]:
    return [(f.label.get(locale), display_value(f, answers.get(f.name), locale)) for f in step.visible_fields(answers)]


def handed_in(application: Application) -> Answers:
    """The answers as handed in, once the application was submitted: what staff and letters read, so that
    edits the applicant has not handed in yet (while additions are asked) never reach them. A draft's own
    answers before."""
    if application.submitted_at is not None and application.submitted_answers is not None:
        return application.submitted_answers
    return application.answers


def answer_sections(
    answers: Answers, regime: Regime, locale: str | None = None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Per step shown, its title and (label, answer) rows; in the page's language unless `locale` is given."""
    locale = locale or current_locale()
    return [(step.title.get(locale), step_rows(step, answers, locale)) for step in regime.visible_steps(answers)]


def applicable_answers(answers: Answers, regime: Regime) -> dict[str, Any]:
    """The answers without those to questions that do not apply (their step, or the question itself, ruled
    out by other answers): what is submitted and handed in."""
    visible = {f.name for step in regime.visible_steps(answers) for f in step.visible_fields(answers)}
    known = {f.name for f in regime.all_fields()}
    return {name: value for name, value in answers.items() if name in visible or name not in known}


@dataclass(frozen=True)
class Attachment:
    """One uploaded file among the answers: the step and question it belongs to, the question's label (for a
    repeating group: "Locaties, rij 2: Attest"), and its reference (upload_id, filename, size, sha256)."""

    step: Step
    field: Field
    label: Text
    reference: Mapping[str, Any]
    group: Field | None = None  # the repeating group, for a file in one of its rows

    @property
    def answer(self) -> str:
        """The name of the answer that holds the file (a group's, for a file in a row)."""
        return (self.group or self.field).name


def attachments(answers: Answers, regime: Regime) -> list[Attachment]:
    """Every uploaded file among the answers that apply, in the order of the steps and their questions (a
    question may hold several; a repeating group one per row): the one list the receipt, the case page and
    the downloads use."""
    found: list[Attachment] = []
    for step in regime.visible_steps(answers):
        for field in step.visible_fields(answers):
            value = answers.get(field.name)
            if handler(field).is_file:
                found += [Attachment(step, field, field.label, ref) for ref in file_references(value)]
            elif handler(field).is_group:
                found += _group_attachments(step, field, value)
    return found


def _group_attachments(step: Step, group: Field, rows: Any) -> list[Attachment]:
    found = []
    for number, row in enumerate(rows if isinstance(rows, list) else [], start=1):
        if not isinstance(row, Mapping):
            continue
        for column in (c for c in group.fields if handler(c).is_file):
            label = Text(
                f"{group.label.nl}, rij {number}: {column.label.nl}",
                f"{group.label.en}, row {number}: {column.label.en}",
            )
            found += [Attachment(step, column, label, ref, group) for ref in file_references(row.get(column.name))]
    return found
