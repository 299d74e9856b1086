"""The base form and the fixed forms (login, submit, back-office action)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Email, Length


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class LdapplyForm(FlaskForm):
    """Strips surrounding whitespace from every text answer before validation."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            if unbound_field.field_class not in (PasswordField,):
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


class EmptyForm(LdapplyForm):
    """A form with only the CSRF token, for buttons such as 'log out' and 'start'."""
