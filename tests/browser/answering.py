"""Answering a regime's questions in the browser, as a person would: by the labels the page shows.

The answers are those of `tests.support` (one dict per step, keyed by field name; a repeating group's cells
as "<group>-<row>-<column>"; `PDF` where a file is chosen). Controls are found by role and accessible
name in the page's language, so a question that loses its label, or a radio group that loses its legend,
makes the journey fail the way it would fail a screen-reader user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from ldapply.forms.kinds import RADIO_MAX_CHOICES
from ldapply.workflows._spec import Field, FieldKind, Step
from tests.browser.words import Words
from tests.support import PDF, minimal_pdf

TYPED_KINDS = {
    FieldKind.TEXT,
    FieldKind.TEXTAREA,
    FieldKind.DECIMAL,
    FieldKind.INTEGER,
    FieldKind.MONEY,
    FieldKind.ENTERPRISE_NUMBER,
}
GROUP_CELL = re.compile(r"^(?P<group>[a-z_]+)-(?P<row>\d+)-(?P<column>[a-z_]+)$")
YES_NO = {"yes": "Ja", "no": "Nee"}


def is_radio_list(field: Field) -> bool:
    return field.kind == FieldKind.YES_NO or (
        field.kind == FieldKind.CHOICE and len(field.choices) <= RADIO_MAX_CHOICES
    )


def upload_name(field: Field, suffix: str = "") -> str:
    return f"{field.name}{suffix}.pdf"


@dataclass
class Answering:
    """Fills in steps on `page`, writing the PDFs it chooses into `folder`."""

    page: Page
    words: Words
    folder: Path

    # -- finding controls ---------------------------------------------------------------------------

    def label(self, field: Field) -> str:
        return self.words.text(field.label)

    def option_label(self, field: Field, value: str) -> str:
        if field.kind == FieldKind.YES_NO:
            return self.words(YES_NO[value])
        label = field.choice_label(value, self.words.lang)
        assert label is not None, f"{field.name} has no choice {value!r}"
        return label

    def control(self, field: Field, value: Any = None, scope: Page | Locator | None = None) -> Locator:
        """The control that answers `field` (with `value`, for a radio list or a checkbox)."""
        where = scope or self.page
        name = self.label(field)
        if is_radio_list(field):
            group = where.get_by_role("group", name=name, exact=True)
            return group.get_by_role("radio", name=self.option_label(field, value), exact=True)
        if field.kind == FieldKind.MULTI_CHOICE:
            group = where.get_by_role("group", name=name, exact=True)
            return group.get_by_role("checkbox", name=self.option_label(field, value), exact=True)
        if field.kind == FieldKind.CHOICE:
            return where.get_by_role("combobox", name=name, exact=True)
        if field.kind in TYPED_KINDS:
            return where.get_by_role("textbox", name=name, exact=True)
        if field.kind in (FieldKind.DATE, FieldKind.FILE):
            return where.get_by_label(name, exact=True)
        raise AssertionError(f"no way to answer a {field.kind} field ({field.name})")

    def cell(self, group: Field, row: int, column: Field) -> Locator:
        """One cell of a repeating group, named "<column label>, rij <n>" (row counted from 1)."""
        name = f"{self.label(column)}, {self.words('rij %(row)s', row=row + 1)}"
        fieldset = self.page.get_by_role("group", name=self.label(group), exact=True)
        role = "combobox" if column.kind == FieldKind.CHOICE else "textbox"
        return fieldset.get_by_role(role, name=name, exact=True)

    # -- answering ----------------------------------------------------------------------------------

    def pdf(self, field: Field, suffix: str = "") -> Path:
        path = self.folder / upload_name(field, suffix)
        path.write_bytes(minimal_pdf(f"{field.name}{suffix}"))
        return path

    def answer(self, field: Field, value: Any) -> None:
        if value is PDF:
            self.control(field).set_input_files(self.pdf(field))
        elif field.kind == FieldKind.MULTI_CHOICE:
            for option in value:
                self.control(field, option).check()
        elif is_radio_list(field):
            self.control(field, value).check()
        elif field.kind == FieldKind.CHOICE:
            self.control(field).select_option(label=self.option_label(field, value))
        else:
            self.control(field).fill(value)

    def answer_cell(self, group: Field, row: int, column: Field, value: str) -> None:
        target = self.cell(group, row, column)
        if target.count() == 0:
            self.add_row(group)
        if column.kind == FieldKind.CHOICE:
            target.select_option(label=self.option_label(column, value))
        else:
            target.fill(value)

    def add_row(self, group: Field) -> None:
        """The group's "add a row" button: the page comes back with a row more, every answer kept."""
        fieldset = self.page.get_by_role("group", name=self.label(group), exact=True)
        rows = fieldset.locator("tbody tr")
        before = rows.count()
        fieldset.get_by_role("button", name=self.words("Nog een rij toevoegen"), exact=True).click()
        expect(rows).to_have_count(before + 1)

    def fill_step(self, step: Step, answers: dict[str, Any]) -> None:
        """Every answer given for the step, in the order the step asks its questions."""
        fields = {f.name: f for f in step.fields}
        cells: dict[str, list[tuple[int, str, str]]] = {}
        for key, value in answers.items():
            match = GROUP_CELL.match(key)
            if match and match["group"] in fields:
                cells.setdefault(match["group"], []).append((int(match["row"]), match["column"], value))
        for field in step.fields:
            if field.kind == FieldKind.GROUP:
                columns = {c.name: c for c in field.fields}
                for row, column, value in sorted(cells.get(field.name, [])):
                    self.answer_cell(field, row, columns[column], value)
            elif field.name in answers:
                self.answer(field, answers[field.name])

    def expect_kept(self, step: Step, answers: dict[str, Any]) -> None:
        """After a refused save, what was typed or chosen is still there (a browser never refills a file
        input: the page lists the file chosen instead)."""
        for field in step.fields:
            if field.name not in answers:
                continue
            value = answers[field.name]
            if value is PDF:
                expect(self.page.get_by_text(upload_name(field)).first).to_be_visible()
            elif field.kind == FieldKind.MULTI_CHOICE:
                for option in value:
                    expect(self.control(field, option)).to_be_checked()
            elif is_radio_list(field):
                expect(self.control(field, value)).to_be_checked()
            else:  # a drop-down list's value is the choice's code; a box holds what was typed
                expect(self.control(field)).to_have_value(value)
