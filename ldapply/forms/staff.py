"""The forms of staff access: the conflict-of-interest declaration, staff management, advice."""

from __future__ import annotations

from wtforms import BooleanField, DateField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from ..i18n import _, _l
from ..services.advice import MAX_TEXT
from ..services.conflicts import MAX_REASON
from ..workflows._spec import Role
from .base import LdapplyForm


class DeclarationForm(LdapplyForm):
    """No conflict of interest with the applying organisation: a box that must be ticked."""

    no_conflict = BooleanField(
        _l("Ik verklaar dat ik geen belangenconflict heb met deze organisatie"),
        validators=[DataRequired(_l("Vink de verklaring aan, of onthoud u hieronder met een reden."))],
    )


class RecusalForm(LdapplyForm):
    """A recusal, with the reason it is on record with."""

    reason = TextAreaField(
        _l("Waarom onthoudt u zich?"),
        description=_l("Bijvoorbeeld: ik ben bestuurder van deze organisatie, of een familielid werkt er."),
        validators=[
            DataRequired(_l("Geef de reden waarom u zich onthoudt.")),
            Length(max=MAX_REASON, message=_l("De reden is te lang.")),
        ],
    )


class AdviceRequestForm(LdapplyForm):
    """A reviewer asks an advisory body a question, with the date the advice is due."""

    # ids of their own: the case page holds other forms (a note's `body`)
    body = SelectField(_l("Adviesorgaan"), id="advice-body", validators=[DataRequired(_l("Kies het adviesorgaan."))])
    question = TextAreaField(
        _l("Vraag aan het adviesorgaan"),
        id="advice-question",
        validators=[
            DataRequired(_l("Schrijf de vraag aan het adviesorgaan.")),
            Length(max=MAX_TEXT, message=_l("De vraag is te lang.")),
        ],
    )
    due_on = DateField(
        _l("Advies gevraagd tegen"),
        id="advice-due-on",
        validators=[DataRequired(_l("Geef de datum waarop het advies er moet zijn, bijvoorbeeld 2026-03-31."))],
    )


class AdviceForm(LdapplyForm):
    """The advice itself, on the open request named by `request_id`."""

    request_id = HiddenField(validators=[DataRequired()])
    advice = TextAreaField(
        _l("Advies"),
        id="advice-text",  # the page's advice part is #advice
        validators=[
            DataRequired(_l("Schrijf het advies.")),
            Length(max=MAX_TEXT, message=_l("Het advies is te lang.")),
        ],
    )


ROLE_LABELS = {
    Role.REVIEWER: _l("Dossierbehandelaar"),
    Role.DECISION_MAKER: _l("Beslisser"),
    Role.ADMIN: _l("Beheerder"),
    Role.ADVISOR: _l("Adviseur van een adviesorgaan"),
}
EVERY_REGIME = ""  # the regime choice that grants for every regime


class GrantForm(LdapplyForm):
    """A role for one regime or for every regime; an advisor's names the body (and takes its regime)."""

    role = SelectField(_l("Rol"), validators=[DataRequired(_l("Kies een rol."))])
    regime = SelectField(_l("Regeling"), validators=[Optional()])
    body = SelectField(
        _l("Adviesorgaan"),
        description=_l("Alleen voor een adviseur: de regeling is die van het adviesorgaan."),
        default="",  # no body: not an advisor
    )

    def validate_body(self, field: SelectField) -> None:
        if self.role.data == Role.ADVISOR and not field.data:
            raise ValidationError(_("Kies het adviesorgaan waarvoor de adviseur spreekt."))


class StaffAccountForm(LdapplyForm):
    """A new account for a member of staff or an advisor, with their first role."""

    email = EmailField(
        _l("E-mailadres"),
        validators=[
            DataRequired(_l("Vul het e-mailadres in.")),
            Email(_l("Vul een geldig e-mailadres in.")),
            Length(max=254),
        ],
    )
    name = StringField(_l("Naam"), validators=[DataRequired(_l("Vul de naam in.")), Length(max=200)])
    locale = SelectField(_l("Taal van de e-mails"), validators=[DataRequired(_l("Kies een taal."))])
    role = SelectField(_l("Rol"), validators=[DataRequired(_l("Kies een rol."))])
    regime = SelectField(_l("Regeling"), validators=[Optional()])
    body = SelectField(
        _l("Adviesorgaan"),
        description=_l("Alleen voor een adviseur: de regeling is die van het adviesorgaan."),
        default="",  # no body: not an advisor
    )
    validate_body = GrantForm.validate_body


class AdvisoryBodyForm(LdapplyForm):
    name = StringField(
        _l("Naam van het adviesorgaan"),
        description=_l("Bijvoorbeeld Kind en Gezin, een gemeente, een adviescommissie."),
        validators=[DataRequired(_l("Geef de naam van het adviesorgaan.")), Length(max=200)],
    )
    regime = SelectField(_l("Adviseert over"), validators=[Optional()])
