"""The small forms of the applicant's journey pages: naming a draft."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..i18n import _l
from .base import LdapplyForm


class RenameForm(LdapplyForm):
    name = StringField(
        _l("Naam van de aanvraag"),
        description=_l(
            "Een naam die uw organisatie helpt om de aanvraag terug te vinden, bijvoorbeeld „Fietspunt station 2027”."
        ),
        validators=[
            DataRequired(_l("Geef de aanvraag een naam.")),
            Length(max=200, message=_l("Gebruik hoogstens 200 tekens.")),
        ],
    )
