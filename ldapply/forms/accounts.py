"""Forms for signing up and for managing an organisation and its members."""

from __future__ import annotations

import re

from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ..i18n import _l, text
from ..services.accounts import password_problem
from ..services.organisations import LEGAL_FORMS, compact_enterprise_number
from .base import LdapplyForm

POSTCODE_RE = re.compile(r"[1-9][0-9]{3}")


def _email_field() -> EmailField:
    return EmailField(
        _l("E-mailadres"),
        validators=[
            DataRequired(_l("Vul uw e-mailadres in.")),
            Email(_l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.be.")),
            Length(max=254, message=_l("Een e-mailadres is hoogstens 254 tekens lang.")),
        ],
    )


class NewPasswordForm(LdapplyForm):
    """A name and a new password typed twice; `email_for_check` is what the password may not equal."""

    name = StringField(
        _l("Uw naam"),
        validators=[DataRequired(_l("Vul uw naam in.")), Length(max=200, message=_l("Uw naam is te lang."))],
    )
    password = PasswordField(
        _l("Wachtwoord"),
        description=_l("Minstens 12 tekens. Een zin van enkele woorden is sterk en makkelijk te onthouden."),
        validators=[
            DataRequired(_l("Kies een wachtwoord.")),
            Length(max=200, message=_l("Dit wachtwoord is te lang.")),
        ],
    )
    password_again = PasswordField(
        _l("Wachtwoord nog een keer"),
        validators=[
            DataRequired(_l("Typ het wachtwoord nog een keer.")),
            EqualTo("password", _l("De twee wachtwoorden zijn niet hetzelfde.")),
        ],
    )

    def email_for_check(self) -> str:
        return ""

    def validate_password(self, field: PasswordField) -> None:
        problem = password_problem(field.data or "", self.email_for_check())
        if problem:
            raise ValidationError(problem)


class RegisterForm(NewPasswordForm):
    email = _email_field()

    def email_for_check(self) -> str:
        return self.email.data or ""


class InvitationRegisterForm(NewPasswordForm):
    """Registering through an invitation: the e-mail is the invited one, confirmed by the link."""

    def __init__(self, *args: object, invited_email: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.invited_email = invited_email

    def email_for_check(self) -> str:
        return self.invited_email


class OrganisationForm(LdapplyForm):
    name = StringField(
        _l("Naam van de organisatie"),
        validators=[
            DataRequired(_l("Vul de naam van de organisatie in.")),
            Length(max=200, message=_l("De naam is te lang.")),
        ],
    )
    enterprise_number = StringField(
        _l("Ondernemingsnummer (KBO)"),
        description=_l("10 cijfers, bijvoorbeeld 0403.170.701. U vindt het in de KBO of op uw statuten."),
        validators=[DataRequired(_l("Vul het ondernemingsnummer in.")), Length(max=20)],
    )
    legal_form = SelectField(_l("Rechtsvorm"), validators=[DataRequired(_l("Kies de rechtsvorm."))])
    street = StringField(
        _l("Straat en huisnummer"),
        validators=[DataRequired(_l("Vul de straat en het huisnummer in.")), Length(max=200)],
    )
    postcode = StringField(
        _l("Postcode"),
        description=_l("4 cijfers, bijvoorbeeld 9000."),
        validators=[DataRequired(_l("Vul de postcode in.")), Length(max=10)],
    )
    municipality = StringField(_l("Gemeente"), validators=[DataRequired(_l("Vul de gemeente in.")), Length(max=100)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.legal_form.choices = [("", _l("Kies…"))] + [(code, text(label)) for code, label in LEGAL_FORMS.items()]

    def validate_enterprise_number(self, field: StringField) -> None:
        if compact_enterprise_number(field.data or "") is None:
            raise ValidationError(
                _l("Dit is geen geldig ondernemingsnummer. Controleer de 10 cijfers, bijvoorbeeld 0403.170.701.")
            )

    def validate_postcode(self, field: StringField) -> None:
        if not POSTCODE_RE.fullmatch(field.data or ""):
            raise ValidationError(_l("Een Belgische postcode bestaat uit 4 cijfers, bijvoorbeeld 9000."))


class InviteForm(LdapplyForm):
    email = EmailField(
        _l("E-mailadres van uw collega"),
        validators=[
            DataRequired(_l("Vul het e-mailadres van uw collega in.")),
            Email(_l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.be.")),
            Length(max=254, message=_l("Een e-mailadres is hoogstens 254 tekens lang.")),
        ],
    )
