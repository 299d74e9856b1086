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
# Names go into mail subjects and texts sent from the government's address: one line, and no web
# addresses that would turn an invitation into a phishing mail.
UNSAFE_NAME_RE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]|://|\bwww\.", re.IGNORECASE)
PASSWORD_HINT = _l(
    "Minstens 12 tekens, niet uw e-mailadres. Een zin van enkele woorden is sterk en makkelijk te onthouden. "
    "Hoofdletters, cijfers of leestekens zijn niet nodig."
)


def plain_name(form: object, field: StringField) -> None:
    """A name on one line without web addresses (see UNSAFE_NAME_RE)."""
    if UNSAFE_NAME_RE.search(field.data or ""):
        raise ValidationError(_l("Een naam mag geen webadres en geen regeleinde bevatten."))


def _email_field() -> EmailField:
    return EmailField(
        _l("E-mailadres"),
        validators=[
            DataRequired(_l("Vul uw e-mailadres in.")),
            Email(_l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.be.")),
            Length(max=254, message=_l("Een e-mailadres is hoogstens 254 tekens lang.")),
        ],
    )


def _new_password_field(label: object = None) -> PasswordField:
    return PasswordField(
        label or _l("Wachtwoord"),
        description=PASSWORD_HINT,
        validators=[
            DataRequired(_l("Kies een wachtwoord.")),
            Length(max=200, message=_l("Dit wachtwoord is te lang.")),
        ],
    )


def _password_again_field() -> PasswordField:
    return PasswordField(
        _l("Wachtwoord nog een keer"),
        validators=[
            DataRequired(_l("Typ het wachtwoord nog een keer.")),
            EqualTo("password", _l("De twee wachtwoorden zijn niet hetzelfde.")),
        ],
    )


class _PasswordRules:
    """The rules of a new password; `email_for_check` is what the password may not equal."""

    def email_for_check(self) -> str:
        return ""

    def validate_password(self, field: PasswordField) -> None:
        problem = password_problem(field.data or "", self.email_for_check())
        if problem:
            raise ValidationError(problem)


class NewPasswordForm(_PasswordRules, LdapplyForm):
    """A name and a new password typed twice."""

    name = StringField(
        _l("Uw naam"),
        validators=[
            DataRequired(_l("Vul uw naam in.")),
            Length(max=200, message=_l("Uw naam is te lang.")),
            plain_name,
        ],
    )
    password = _new_password_field()
    password_again = _password_again_field()


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


class ResetPasswordForm(_PasswordRules, LdapplyForm):
    """A new password typed twice, for the account a reset link names."""

    password = _new_password_field(_l("Nieuw wachtwoord"))
    password_again = _password_again_field()

    def __init__(self, *args: object, email: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def email_for_check(self) -> str:
        return self.email


class ForgotPasswordForm(LdapplyForm):
    email = _email_field()


class ConfirmForm(LdapplyForm):
    """The password of the account being confirmed: only its owner confirms it."""

    password = PasswordField(
        _l("Wachtwoord"),
        description=_l("Het wachtwoord dat u koos toen u het account aanmaakte."),
        validators=[DataRequired(_l("Vul uw wachtwoord in.")), Length(max=200)],
    )


class OrganisationForm(LdapplyForm):
    name = StringField(
        _l("Naam van de organisatie"),
        validators=[
            DataRequired(_l("Vul de naam van de organisatie in.")),
            Length(max=200, message=_l("De naam is te lang.")),
            plain_name,
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
