"""The base form and the fixed forms (login, submit, back-office action)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    FormField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class LdapplyForm(FlaskForm):
    """Strips surrounding whitespace from every text answer before validation."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            if unbound_field.field_class not in (PasswordField, FieldList, FormField):
                options["filters"] = (*unbound_field.kwargs.get("filters", ()), _strip)
            return unbound_field.bind(form=form, **options)


class LoginForm(LdapplyForm):
    email = EmailField(
        "E-mailadres",
        validators=[DataRequired("Vul uw e-mailadres in."), Email("Vul een geldig e-mailadres in."), Length(max=254)],
    )
    password = PasswordField("Wachtwoord", validators=[DataRequired("Vul uw wachtwoord in."), Length(max=200)])


class SubmitForm(LdapplyForm):
    declaration = BooleanField(
        "Ik verklaar dat deze gegevens juist en volledig zijn en dat ik gemachtigd ben om de organisatie te vertegenwoordigen.",
        validators=[DataRequired("Bevestig de verklaring om de aanvraag in te dienen.")],
    )


class ActionForm(LdapplyForm):
    comment = TextAreaField("Motivering", validators=[Length(max=10_000, message="De motivering is te lang.")])
    volume = StringField("Toegekend volume", validators=[Optional(), Length(max=20)])

    def volume_value(self) -> Decimal | None:
        """The volume typed with a decimal comma or point; None when empty or not a number."""
        try:
            return Decimal((self.volume.data or "").replace(",", ".")) if self.volume.data else None
        except InvalidOperation:
            return None


class CallForm(LdapplyForm):
    regime = SelectField("Regeling", validators=[DataRequired("Kies een regeling.")])
    title = StringField("Titel van de oproep", validators=[DataRequired("Geef de oproep een titel."), Length(max=200)])
    opens_on = DateField("Opent op", validators=[DataRequired("Geef de openingsdatum.")])
    closes_on = DateField("Laatste dag om in te dienen", validators=[DataRequired("Geef de sluitingsdatum.")])
    cap = StringField("Plafond (VTE, omkadering inbegrepen)", validators=[DataRequired("Geef het plafond.")])
    application_types = SelectMultipleField(
        "Toegelaten soorten aanvragen",
        choices=[SelectChoice("new", "Nieuw initiatief"), SelectChoice("extension", "Uitbreiding")],
        default=["new", "extension"],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def validate_cap(self, field: StringField) -> None:
        if self.cap_value() <= 0:
            raise ValidationError("Geef een plafond groter dan nul, bijvoorbeeld 320.")

    def cap_value(self) -> Decimal:
        try:
            return Decimal((self.cap.data or "").replace(",", "."))
        except InvalidOperation:
            return Decimal(0)


class EmptyForm(LdapplyForm):
    """A form with only the CSRF token, for buttons such as 'log out' and 'start'."""
