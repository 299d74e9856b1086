"""The states of the shared LDE procedure: what staff and the applicant see, and whose move it is."""

from __future__ import annotations

from enum import StrEnum

from .._spec import Party, StateSpec, Text


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ADMISSIBILITY_CHECK = "admissibility_check"
    ADDITIONS_REQUESTED = "additions_requested"
    INADMISSIBILITY_PROPOSED = "inadmissibility_proposed"
    INADMISSIBLE = "inadmissible"
    SUBSTANTIVE_REVIEW = "substantive_review"
    ADVICE_REQUESTED = "advice_requested"
    HEARING = "hearing"
    HEARD = "heard"
    DECISION_PROPOSED = "decision_proposed"
    REFUSAL_PROPOSED = "refusal_proposed"
    GRANTED = "granted"
    PARTLY_GRANTED = "partly_granted"
    REFUSED = "refused"
    OBJECTION_LODGED = "objection_lodged"
    OBJECTION_DECISION_PROPOSED = "objection_decision_proposed"
    OBJECTION_DECIDED = "objection_decided"
    WITHDRAWN = "withdrawn"
    ACTIVE = "active"
    SUSPENSION_HEARING = "suspension_hearing"
    SUSPENSION_HEARD = "suspension_heard"
    SUSPENSION_PROPOSED = "suspension_proposed"
    SUSPENDED = "suspended"
    REVOCATION_HEARING = "revocation_hearing"
    REVOCATION_HEARD = "revocation_heard"
    REVOCATION_PROPOSED = "revocation_proposed"
    REVOKED = "revoked"
    EXPIRED = "expired"


_IN_PROGRESS = Text("In behandeling", "Being processed")
_RECOGNISED = Text("Erkend", "Recognised")
_HEARING_PUBLIC = Text("Voorgenomen beslissing: u kunt reageren", "Intended decision: you may respond")
_HEARD_PUBLIC = Text("Uw reactie wordt onderzocht", "Your response is being considered")

# fmt: off
STATES: tuple[StateSpec, ...] = (
    #          code                                  staff label (nl, en)                                                              applicant sees                                                  whose move            flags
    StateSpec(State.DRAFT,                       Text("Concept", "Draft"),                                                      Text("Concept", "Draft"),                                          Party.APPLICANT,      applicant_edits=True),
    StateSpec(State.SUBMITTED,                   Text("Ingediend", "Submitted"),                                                _IN_PROGRESS,                                                      Party.REVIEWER,       deadline="admissibility_check_days"),
    StateSpec(State.ADMISSIBILITY_CHECK,         Text("Ontvankelijkheidsonderzoek", "Admissibility check"),                     _IN_PROGRESS,                                                      Party.REVIEWER,       deadline="admissibility_check_days"),
    StateSpec(State.ADDITIONS_REQUESTED,         Text("Aanvulling gevraagd", "Additions requested"),                            Text("Aanvulling gevraagd: actie nodig", "Additions requested: action needed"), Party.APPLICANT, applicant_edits=True, deadline="additions_days", clock_suspended=True),
    StateSpec(State.INADMISSIBILITY_PROPOSED,    Text("Onontvankelijkheid voorgesteld", "Inadmissibility proposed"),            _IN_PROGRESS,                                                      Party.DECISION_MAKER, deadline="decision_days"),
    StateSpec(State.INADMISSIBLE,                Text("Onontvankelijk", "Inadmissible"),                                        Text("Onontvankelijk", "Inadmissible"),                            Party.NOBODY,         terminal=True),
    StateSpec(State.SUBSTANTIVE_REVIEW,          Text("Inhoudelijk onderzoek", "Substantive review"),                           _IN_PROGRESS,                                                      Party.REVIEWER,       deadline="advice_days", assessable=True),
    StateSpec(State.ADVICE_REQUESTED,            Text("Advies gevraagd", "Advice requested"),                                   _IN_PROGRESS,                                                      Party.ADVISOR,        deadline="advice_days", assessable=True),
    StateSpec(State.HEARING,                     Text("Hoorperiode: voorgenomen weigering", "Hearing: intended refusal"),       _HEARING_PUBLIC,                                                   Party.APPLICANT,      deadline="hearing_days", hearing=True, on_deadline="end_hearing"),
    StateSpec(State.HEARD,                       Text("Gehoord over de voorgenomen weigering", "Heard on the intended refusal"), _HEARD_PUBLIC,                                                    Party.REVIEWER,       heard=True, assessable=True),
    StateSpec(State.DECISION_PROPOSED,           Text("Erkenning voorgesteld", "Recognition proposed"),                         _IN_PROGRESS,                                                      Party.DECISION_MAKER, deadline="decision_days"),
    StateSpec(State.REFUSAL_PROPOSED,            Text("Weigering voorgesteld", "Refusal proposed"),                             _HEARD_PUBLIC,                                                     Party.DECISION_MAKER, deadline="decision_days", heard=True),
    StateSpec(State.GRANTED,                     Text("Erkend", "Granted"),                                                     _RECOGNISED,                                                       Party.ADMIN,          holds_recognition=True),
    StateSpec(State.PARTLY_GRANTED,              Text("Gedeeltelijk erkend", "Partly granted"),                                 Text("Gedeeltelijk erkend", "Partly recognised"),                  Party.ADMIN,          holds_recognition=True),
    StateSpec(State.REFUSED,                     Text("Geweigerd", "Refused"),                                                  Text("Geweigerd", "Refused"),                                      Party.APPLICANT),
    StateSpec(State.OBJECTION_LODGED,            Text("Bezwaar ingediend", "Objection lodged"),                                 Text("Uw bezwaar wordt behandeld", "Your objection is being handled"), Party.REVIEWER,    deadline="objection_decision_days"),
    StateSpec(State.OBJECTION_DECISION_PROPOSED, Text("Beslissing over het bezwaar voorgesteld", "Objection decision proposed"), Text("Uw bezwaar wordt behandeld", "Your objection is being handled"), Party.DECISION_MAKER, deadline="objection_decision_days"),
    StateSpec(State.OBJECTION_DECIDED,           Text("Bezwaar beslist", "Objection decided"),                                  Text("Over uw bezwaar is beslist", "Your objection has been decided"), Party.NOBODY,      terminal=True),
    StateSpec(State.WITHDRAWN,                   Text("Ingetrokken door de aanvrager", "Withdrawn by the applicant"),           Text("Ingetrokken", "Withdrawn"),                                  Party.NOBODY,         terminal=True),
    StateSpec(State.ACTIVE,                      Text("Erkenning actief", "Recognition active"),                                _RECOGNISED,                                                       Party.NOBODY,         holds_recognition=True),
    StateSpec(State.SUSPENSION_HEARING,          Text("Hoorperiode: voorgenomen schorsing", "Hearing: intended suspension"),    _HEARING_PUBLIC,                                                   Party.APPLICANT,      holds_recognition=True, deadline="hearing_days", hearing=True, on_deadline="end_suspension_hearing"),
    StateSpec(State.SUSPENSION_HEARD,            Text("Gehoord over de voorgenomen schorsing", "Heard on the intended suspension"), _HEARD_PUBLIC,                                                 Party.REVIEWER,       holds_recognition=True, heard=True),
    StateSpec(State.SUSPENSION_PROPOSED,         Text("Schorsing voorgesteld", "Suspension proposed"),                          _HEARD_PUBLIC,                                                     Party.DECISION_MAKER, holds_recognition=True, heard=True, deadline="decision_days"),
    StateSpec(State.SUSPENDED,                   Text("Erkenning geschorst", "Recognition suspended"),                          Text("Erkenning geschorst", "Recognition suspended"),              Party.DECISION_MAKER, holds_recognition=True),
    StateSpec(State.REVOCATION_HEARING,          Text("Hoorperiode: voorgenomen intrekking", "Hearing: intended revocation"),   _HEARING_PUBLIC,                                                   Party.APPLICANT,      holds_recognition=True, deadline="hearing_days", hearing=True, on_deadline="end_revocation_hearing"),
    StateSpec(State.REVOCATION_HEARD,            Text("Gehoord over de voorgenomen intrekking", "Heard on the intended revocation"), _HEARD_PUBLIC,                                                Party.REVIEWER,       holds_recognition=True, heard=True),
    StateSpec(State.REVOCATION_PROPOSED,         Text("Intrekking voorgesteld", "Revocation proposed"),                         _HEARD_PUBLIC,                                                     Party.DECISION_MAKER, holds_recognition=True, heard=True, deadline="decision_days"),
    StateSpec(State.REVOKED,                     Text("Erkenning ingetrokken", "Recognition revoked"),                          Text("Erkenning ingetrokken", "Recognition revoked"),              Party.NOBODY,         terminal=True),
    StateSpec(State.EXPIRED,                     Text("Erkenning vervallen", "Recognition expired"),                            Text("Erkenning vervallen", "Recognition expired"),                Party.NOBODY,         terminal=True),
)
# fmt: on

# Where an applicant may still give up (withdraw) the application.
OPEN = frozenset(
    {
        State.DRAFT,
        State.SUBMITTED,
        State.ADMISSIBILITY_CHECK,
        State.ADDITIONS_REQUESTED,
        State.INADMISSIBILITY_PROPOSED,
        State.SUBSTANTIVE_REVIEW,
        State.ADVICE_REQUESTED,
        State.HEARING,
        State.HEARD,
        State.DECISION_PROPOSED,
        State.REFUSAL_PROPOSED,
    }
)
