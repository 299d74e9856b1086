"""The forms of the legal clock: a closing day an admin adds, a clock's extension with its reason."""

from __future__ import annotations

from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from ..i18n import _l
from .base import LdapplyForm

DAY_MESSAGE = _l("Geef de datum van de sluitingsdag op als dag, maand en jaar.")


class ClosingDayForm(LdapplyForm):
    day = DateField(
        _l("Datum"),
        validators=[InputRequired(DAY_MESSAGE)],
    )
    label = StringField(
        _l("Omschrijving"),
        description=_l("Bijvoorbeeld: Feest van de Vlaamse Gemeenschap (11 juli)."),
        validators=[
            DataRequired(_l("Geef een omschrijving op.")),
            Length(max=200, message=_l("De omschrijving is te lang (hoogstens 200 tekens).")),
        ],
    )


class ExtensionForm(LdapplyForm):
    days = StringField(
        _l("Aantal dagen"),
        validators=[
            DataRequired(_l("Geef het aantal dagen op.")),
            Regexp(r"^\d{1,4}$", message=_l("Geef het aantal dagen op als een geheel getal, zoals 10.")),
        ],
    )

    def days_value(self) -> int | None:
        value = self.days.data or ""
        return int(value) if value.isdigit() else None

    reason = TextAreaField(
        _l("Reden van de verlenging"),
        validators=[
            DataRequired(_l("Geef de reden van de verlenging op.")),
            Length(max=2000, message=_l("De reden is te lang (hoogstens 2000 tekens).")),
        ],
    )
