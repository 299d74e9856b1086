"""The base form and the fixed forms (login, submit, back-office action)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    MultipleFileField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..i18n import _, _l


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class StrippingMeta(DefaultMeta):
    """Strips surrounding whitespace from every text answer before validation."""

    def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
        if unbound_field.field_class not in (PasswordField, FieldList, FormField):
            options["filters"] = (*unbound_field.kwargs.get("filters", ()), _strip)
        return unbound_field.bind(form=form, **options)


class LdapplyForm(FlaskForm):
    """The base of every form: CSRF from Flask-WTF, whitespace stripped from answers."""

    class Meta(StrippingMeta):
        pass


class LoginForm(LdapplyForm):
    email = EmailField(
        _l("E-mailadres"),
        validators=[
            DataRequired(_l("Vul uw e-mailadres in.")),
            Email(_l("Vul een geldig e-mailadres in.")),
            Length(max=254),
        ],
    )
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(_l("Vul uw wachtwoord in.")), Length(max=200)])


class SubmitForm(LdapplyForm):
    declaration = BooleanField(
        _l(
            "Ik verklaar dat deze gegevens juist en volledig zijn en dat ik gemachtigd ben om de organisatie te vertegenwoordigen."
        ),
        validators=[DataRequired(_l("Bevestig de verklaring om de aanvraag in te dienen."))],
    )


class ActionForm(LdapplyForm):
    """A move on a case. `comment` is the motivation the applicant reads in letters; `note` stays internal."""

    comment = TextAreaField(_l("Motivering"), validators=[Length(max=10_000, message=_l("De motivering is te lang."))])
    note = TextAreaField(_l("Interne notitie"), validators=[Length(max=10_000, message=_l("De notitie is te lang."))])
    hearing_answer = TextAreaField(
        _l("Antwoord op de reactie van de aanvrager"),
        validators=[Length(max=10_000, message=_l("Het antwoord is te lang."))],
    )
    advice_answer = TextAreaField(
        _l("Antwoord op het advies"), validators=[Length(max=10_000, message=_l("Het antwoord is te lang."))]
    )
    volume = StringField(_l("Toegekend volume"), validators=[Optional(), Length(max=20)])
    confirmed = HiddenField()
    files = MultipleFileField(_l("Bijlagen (PDF)"))

    def considerations(self) -> dict[str, str]:
        return {"hearing": self.hearing_answer.data or "", "advice": self.advice_answer.data or ""}

    def chosen_files(self) -> list[tuple[Any, str]]:
        return [(f.stream, f.filename) for f in (self.files.data or []) if isinstance(f, FileStorage) and f.filename]

    def volume_value(self) -> Decimal | None:
        """The volume typed with a decimal comma or point; None when empty or not a number."""
        try:
            return Decimal((self.volume.data or "").replace(",", ".")) if self.volume.data else None
        except InvalidOperation:
            return None


CAP_LIMIT = Decimal(1_000_000)  # well inside the Numeric(10, 2) column on every database


class CallForm(LdapplyForm):
    regime = SelectField(_l("Regeling"), validators=[DataRequired(_l("Kies een regeling."))])
    title = StringField(
        _l("Titel van de oproep"), validators=[DataRequired(_l("Geef de oproep een titel.")), Length(max=200)]
    )
    opens_on = DateField(_l("Opent op"), validators=[DataRequired(_l("Geef de openingsdatum."))])
    closes_on = DateField(_l("Laatste dag om in te dienen"), validators=[DataRequired(_l("Geef de sluitingsdatum."))])
    cap = StringField(_l("Plafond (in de eenheid van de regeling)"), validators=[DataRequired(_l("Geef het plafond."))])
    application_types = SelectMultipleField(
        _l("Toegelaten soorten aanvragen (geen keuze: alle soorten)"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def validate_cap(self, field: StringField) -> None:
        if not Decimal(0) < self.cap_value() < CAP_LIMIT:
            raise ValidationError(_("Geef een plafond groter dan nul en kleiner dan een miljoen, bijvoorbeeld 320."))

    def cap_value(self) -> Decimal:
        """The cap as typed, with a decimal comma or point, to the cent; zero when it is no finite number."""
        try:
            value = Decimal((self.cap.data or "").replace(",", "."))
        except InvalidOperation:
            return Decimal(0)
        return value.quantize(Decimal("0.01")) if value.is_finite() and abs(value) < CAP_LIMIT else Decimal(0)


class EmptyForm(LdapplyForm):
    """A form with only the CSRF token, for buttons such as 'log out' and 'start'."""


class SignatoryForm(LdapplyForm):
    user = SelectField(_l("Beslisser"), validators=[DataRequired(_l("Kies de beslisser."))])
    function = StringField(
        _l("Functie"), validators=[DataRequired(_l("Geef de functie, bijvoorbeeld Afdelingshoofd.")), Length(max=200)]
    )
    delegation = TextAreaField(
        _l("Delegatie waaronder de beslisser tekent (komt in elke brief die de beslisser ondertekent)"),
        validators=[DataRequired(_l("Geef het delegatiebesluit, met datum.")), Length(max=2000)],
    )
    provenance = SelectField(_l("Herkomst van de delegatie"), validators=[DataRequired(_l("Kies de herkomst."))])
    source = StringField(_l("Bron (vindplaats van het delegatiebesluit)"), validators=[Length(max=500)])
    regime = SelectField(_l("Regeling"), validators=[Optional()])


class VerifyForm(LdapplyForm):
    reference = StringField(
        _l("Kenmerk van de brief"), validators=[DataRequired(_l("Geef het kenmerk van de brief.")), Length(max=40)]
    )
    code = StringField(
        _l("Verificatiecode"), validators=[DataRequired(_l("Geef de verificatiecode van de brief.")), Length(max=40)]
    )
