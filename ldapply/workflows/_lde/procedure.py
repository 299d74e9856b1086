"""The shared LDE procedure as one table: one row per transition, the outcomes decided, the letters.

Every deciding move confirms a proposal by someone else (four eyes, checked when a regime loads and
enforced by the engine); every adverse proposal comes from a state after the hearing.
"""

from __future__ import annotations

from collections.abc import Callable

from .._spec import Facts, LetterSpec, Need, Outcome, Role, Text, Transition
from .states import OPEN, State

GRANT = Outcome("grant", Text("Erkenning toekennen", "Grant recognition"))
# A partial grant refuses the rest of the application: adverse, so the applicant is heard on it first.
PARTIAL_GRANT = Outcome("partial_grant", Text("Gedeeltelijk erkennen", "Grant in part"), needs_hearing=True)
REFUSE = Outcome("refuse", Text("Erkenning weigeren", "Refuse recognition"), grants=False, needs_hearing=True)
INADMISSIBLE = Outcome("inadmissible", Text("Onontvankelijk verklaren", "Declare inadmissible"), grants=False)
OBJECTION_UPHELD = Outcome(
    "objection_upheld", Text("Het bezwaar gegrond verklaren", "Uphold the objection"), grants=False
)
OBJECTION_REJECTED = Outcome(
    "objection_rejected", Text("Het bezwaar ongegrond verklaren", "Reject the objection"), grants=False
)
SUSPEND = Outcome("suspend", Text("Erkenning schorsen", "Suspend the recognition"), grants=False, needs_hearing=True)
REVOKE = Outcome("revoke", Text("Erkenning intrekken", "Revoke the recognition"), grants=False, needs_hearing=True)
OUTCOMES = (GRANT, PARTIAL_GRANT, REFUSE, INADMISSIBLE, OBJECTION_UPHELD, OBJECTION_REJECTED, SUSPEND, REVOKE)


def all_conditions_met(facts: Facts) -> Text | None:
    if facts.blocking:
        return Text(
            "Een doorslaggevende voorwaarde is volgens de aanvraag niet vervuld; een erkenning is dan niet mogelijk.",
            "A decisive condition is not met according to the application; recognition is not possible.",
        )
    if facts.all_conditions_met():
        return None
    return Text(
        "Beoordeel eerst elke voorwaarde als vervuld of niet van toepassing.",
        "First assess every condition as met or not applicable.",
    )


def some_condition_not_met(facts: Facts) -> Text | None:
    if facts.some_condition_not_met():
        return None
    return Text(
        "Een weigering steunt op minstens één voorwaarde die niet vervuld is. Beoordeel de voorwaarden.",
        "A refusal rests on at least one condition that is not met. Assess the conditions.",
    )


def term_ended(facts: Facts) -> Text | None:
    """A recognition expires when its term is over; taking it away earlier is a revocation, with a hearing."""
    if facts.recognised_until is not None and facts.today is not None and facts.today > facts.recognised_until:
        return None
    return Text(
        "De erkenning is nog niet verlopen. Wilt u ze eerder beëindigen, kondig dan een intrekking aan.",
        "The recognition has not run out yet. To end it earlier, announce a revocation.",
    )


def objection_possible(facts: Facts) -> Text | None:
    if facts.parameters.get("objection_enabled"):
        return None
    return Text("Tegen deze beslissing staat geen administratief bezwaar open.", "No administrative objection exists.")


A, R, D, ADMIN, SYSTEM = (
    frozenset({r}) for r in (Role.APPLICANT, Role.REVIEWER, Role.DECISION_MAKER, Role.ADMIN, Role.SYSTEM)
)
RA = frozenset({Role.REVIEWER, Role.ADVISOR})  # the body's advisor, or a reviewer registering advice sent by post
MUST, MAY = Need.REQUIRED, Need.OPTIONAL
S = State
DECIDED = frozenset({S.GRANTED, S.PARTLY_GRANTED, S.REFUSED})  # the decisions an objection may contest
Guard = Callable[[Facts], Text | None]


def row(
    action: str,
    sources: set[str] | frozenset[str],
    target: str,
    roles: frozenset[Role],
    nl: str,
    en: str,
    *,
    motivation: Need = Need.NO,
    note: Need = Need.OPTIONAL,
    proposes: str | None = None,
    confirms: str | None = None,
    letter: str | None = None,
    guard: Guard | None = None,
    asks_volume: bool = False,
    submits: bool = False,
    hands_in: bool = False,
    advises: bool = False,
    responds: bool = False,
    objects: bool = False,
    reopens: str | None = None,
    returns_proposal: bool = False,
    irreversible: bool = False,
    recital: tuple[str, str] | None = None,
) -> Transition:
    """One row of the table; a move that confirms an outcome decides, and a move ldapply makes itself is automatic."""
    return Transition(
        action,
        frozenset(sources),
        target,
        roles,
        Text(nl, en),
        motivation=motivation,
        note=note,
        proposes=proposes,
        confirms=confirms,
        decides=confirms is not None,
        returns_proposal=returns_proposal,
        letter=letter,
        guard=guard,
        asks_volume=asks_volume,
        submits=submits,
        hands_in=hands_in,
        advises=advises,
        responds=responds,
        objects=objects,
        reopens=reopens,
        automatic=roles == SYSTEM,
        irreversible=irreversible or confirms is not None,
        recital=Text(*recital) if recital else None,
    )


# fmt: off
TRANSITIONS: tuple[Transition, ...] = (
    # action                          from                                            to                            by      label (nl, en)                                                                              what else
    row("submit",                     {S.DRAFT},                                      S.SUBMITTED,                  A,      "Aanvraag indienen", "Submit application",                                                  submits=True, letter="receipt", recital=("De aanvraag werd ingediend.", "The application was submitted.")),
    row("withdraw",                   OPEN,                                           S.WITHDRAWN,                  A,      "Aanvraag intrekken", "Withdraw application",                                               irreversible=True, recital=("De aanvrager trok de aanvraag in.", "The applicant withdrew the application.")),
    row("start_admissibility",        {S.SUBMITTED},                                  S.ADMISSIBILITY_CHECK,        R,      "Ontvankelijkheidsonderzoek starten", "Start the admissibility check"),
    row("request_additions",          {S.ADMISSIBILITY_CHECK, S.SUBSTANTIVE_REVIEW},  S.ADDITIONS_REQUESTED,        R,      "Aanvulling vragen", "Request additions",                                                   motivation=MUST, letter="additions_requested", recital=("Er werd om een aanvulling van de aanvraag gevraagd.", "Additions to the application were requested.")),
    row("submit_additions",           {S.ADDITIONS_REQUESTED},                        S.ADMISSIBILITY_CHECK,        A,      "Aanvulling indienen", "Submit the additions",                                              hands_in=True, letter="additions_received", recital=("De aanvrager diende de gevraagde aanvulling in.", "The applicant handed in the additions.")),
    # An unanswered request lapses at its date, back to where a hand-in goes (the table cannot say where the request came from).
    row("additions_lapsed",           {S.ADDITIONS_REQUESTED},                        S.ADMISSIBILITY_CHECK,        SYSTEM, "Aanvraag om informatie verlopen", "Information request lapsed",                           note=Need.NO, recital=("De termijn voor de gevraagde aanvulling verstreek zonder dat de aanvrager ze indiende.", "The period for the additions requested ended without the applicant handing them in.")),
    row("propose_inadmissible",       {S.ADMISSIBILITY_CHECK},                        S.INADMISSIBILITY_PROPOSED,   R,      "Onontvankelijkheid voorstellen", "Propose inadmissibility",                                motivation=MUST, proposes=INADMISSIBLE.code),
    row("return_inadmissibility",     {S.INADMISSIBILITY_PROPOSED},                   S.ADMISSIBILITY_CHECK,        D,      "Voorstel terugsturen", "Return the proposal",                                              note=MUST, returns_proposal=True),
    row("declare_inadmissible",       {S.INADMISSIBILITY_PROPOSED},                   S.INADMISSIBLE,               D,      "Beslissen: onontvankelijk", "Decide: inadmissible",                                        motivation=MAY, confirms=INADMISSIBLE.code, letter="inadmissible", recital=("De aanvraag werd onontvankelijk verklaard.", "The application was declared inadmissible.")),
    row("accept_for_review",          {S.ADMISSIBILITY_CHECK},                        S.SUBSTANTIVE_REVIEW,         R,      "Ontvankelijk verklaren", "Declare admissible",                                             recital=("De aanvraag werd ontvankelijk verklaard.", "The application was declared admissible.")),
    row("request_advice",             {S.SUBSTANTIVE_REVIEW},                         S.ADVICE_REQUESTED,           R,      "Advies vragen", "Request advice",                                                          note=MUST, recital=("Er werd advies gevraagd over de aanvraag.", "Advice on the application was requested.")),
    row("record_advice",              {S.ADVICE_REQUESTED},                           S.SUBSTANTIVE_REVIEW,         RA,     "Advies registreren", "Record the advice",                                                  motivation=MUST, advises=True, recital=("Het gevraagde advies werd uitgebracht.", "The advice was given.")),
    row("announce_refusal",           {S.SUBSTANTIVE_REVIEW},                         S.HEARING,                    R,      "Voorgenomen weigering meedelen", "Announce the intended refusal",                          motivation=MUST, letter="intended_refusal", guard=some_condition_not_met, recital=("De voorgenomen weigering werd aan de aanvrager meegedeeld, met de mogelijkheid om te reageren.", "The intended refusal was notified to the applicant, who was invited to respond.")),
    row("respond_to_hearing",         {S.HEARING},                                    S.HEARD,                      A,      "Reageren op de voorgenomen weigering", "Respond to the intended refusal",                  motivation=MUST, note=Need.NO, responds=True, recital=("De aanvrager reageerde op de voorgenomen weigering.", "The applicant responded to the intended refusal.")),
    row("end_hearing",                {S.HEARING},                                    S.HEARD,                      SYSTEM, "Hoorperiode verstreken", "Hearing period ended",                                           note=Need.NO, recital=("De termijn om te reageren verstreek zonder reactie van de aanvrager.", "The period to respond ended without a response.")),
    row("resume_review",              {S.HEARD},                                      S.SUBSTANTIVE_REVIEW,         R,      "Voorgenomen weigering laten vallen", "Drop the intended refusal",                          note=MUST),
    row("propose_grant",              {S.SUBSTANTIVE_REVIEW},                         S.DECISION_PROPOSED,          R,      "Erkenning voorstellen", "Propose recognition",                                             motivation=MUST, proposes=GRANT.code, guard=all_conditions_met),
    row("propose_partial_grant",      {S.HEARD},                                      S.DECISION_PROPOSED,          R,      "Gedeeltelijke erkenning voorstellen", "Propose a partial grant",                           motivation=MUST, proposes=PARTIAL_GRANT.code, asks_volume=True, guard=all_conditions_met),
    row("return_proposal",            {S.DECISION_PROPOSED},                          S.SUBSTANTIVE_REVIEW,         D,      "Voorstel terugsturen", "Return the proposal",                                              note=MUST, returns_proposal=True),
    row("confirm_grant",              {S.DECISION_PROPOSED},                          S.GRANTED,                    D,      "Beslissen: erkenning toekennen", "Decide: grant recognition",                              motivation=MAY, confirms=GRANT.code, letter="decision_granted", recital=("De erkenning werd toegekend.", "Recognition was granted.")),
    row("confirm_partial_grant",      {S.DECISION_PROPOSED},                          S.PARTLY_GRANTED,             D,      "Beslissen: gedeeltelijk erkennen", "Decide: grant in part",                                motivation=MAY, confirms=PARTIAL_GRANT.code, letter="decision_partly_granted", recital=("De erkenning werd gedeeltelijk toegekend.", "Recognition was granted in part.")),
    row("propose_refusal",            {S.HEARD},                                      S.REFUSAL_PROPOSED,           R,      "Weigering voorstellen", "Propose refusal",                                                 motivation=MUST, proposes=REFUSE.code, guard=some_condition_not_met),
    row("return_refusal",             {S.REFUSAL_PROPOSED},                           S.HEARD,                      D,      "Voorstel terugsturen", "Return the proposal",                                              note=MUST, returns_proposal=True),
    row("confirm_refusal",            {S.REFUSAL_PROPOSED},                           S.REFUSED,                    D,      "Beslissen: erkenning weigeren", "Decide: refuse recognition",                              motivation=MAY, confirms=REFUSE.code, letter="decision_refused", recital=("De erkenning werd geweigerd.", "Recognition was refused.")),
    # An objection is a case of its own (services/objections.py): lodged against the decision the application
    # rests in, it opens a linked case that starts from that decision; the decided application stays where it is.
    row("lodge_objection",            DECIDED,                                        S.OBJECTION_LODGED,           A,      "Bezwaar indienen", "Lodge an objection",                                                   motivation=MUST, note=Need.NO, guard=objection_possible, objects=True, recital=("De aanvrager diende bezwaar in.", "The applicant lodged an objection.")),
    row("propose_uphold_objection",   {S.OBJECTION_LODGED},                           S.OBJECTION_DECISION_PROPOSED, R,     "Voorstellen: bezwaar gegrond", "Propose to uphold the objection",                          motivation=MUST, proposes=OBJECTION_UPHELD.code),
    row("propose_reject_objection",   {S.OBJECTION_LODGED},                           S.OBJECTION_DECISION_PROPOSED, R,     "Voorstellen: bezwaar ongegrond", "Propose to reject the objection",                        motivation=MUST, proposes=OBJECTION_REJECTED.code),
    row("return_objection_decision",  {S.OBJECTION_DECISION_PROPOSED},                S.OBJECTION_LODGED,           D,      "Voorstel terugsturen", "Return the proposal",                                              note=MUST, returns_proposal=True),
    # Either decision ends the objection's case. One upheld sends the contested application back for a new
    # decision (ldapply's own move on it, reopen_after_objection); one rejected leaves it as it was.
    row("uphold_objection",           {S.OBJECTION_DECISION_PROPOSED},                S.OBJECTION_DECIDED,          D,      "Beslissen: bezwaar gegrond", "Decide: objection upheld",                                   motivation=MAY, confirms=OBJECTION_UPHELD.code, letter="objection_decision", reopens="reopen_after_objection", recital=("Het bezwaar werd gegrond verklaard.", "The objection was upheld.")),
    row("reject_objection",           {S.OBJECTION_DECISION_PROPOSED},                S.OBJECTION_DECIDED,          D,      "Beslissen: bezwaar ongegrond", "Decide: objection rejected",                               motivation=MAY, confirms=OBJECTION_REJECTED.code, letter="objection_decision"),
    # A recognition that took effect while its objection was examined goes too: the decision it rests on is withdrawn.
    row("reopen_after_objection",     {*DECIDED, S.ACTIVE},                           S.SUBSTANTIVE_REVIEW,         SYSTEM, "Opnieuw onderzocht na een gegrond bezwaar", "Examined again after an upheld objection", note=Need.NO, recital=("Het bezwaar tegen de beslissing werd gegrond verklaard; de aanvraag wordt opnieuw onderzocht.", "The objection against the decision was upheld; the application is examined again.")),
    row("activate",                   {S.GRANTED, S.PARTLY_GRANTED},                  S.ACTIVE,                     ADMIN,  "Erkenning activeren", "Activate the recognition",                                         recital=("De erkenning ging in.", "The recognition took effect.")),
    row("announce_suspension",        {S.ACTIVE},                                     S.SUSPENSION_HEARING,         R,      "Voorgenomen schorsing meedelen", "Announce the intended suspension",                       motivation=MUST, letter="intended_suspension", recital=("De voorgenomen schorsing werd aan de organisatie meegedeeld, met de mogelijkheid om te reageren.", "The intended suspension was notified, with an invitation to respond.")),
    row("respond_to_suspension_hearing", {S.SUSPENSION_HEARING},                      S.SUSPENSION_HEARD,           A,      "Reageren op de voorgenomen schorsing", "Respond to the intended suspension",               motivation=MUST, note=Need.NO, responds=True, recital=("De organisatie reageerde op de voorgenomen schorsing.", "The organisation responded to the intended suspension.")),
    row("end_suspension_hearing",     {S.SUSPENSION_HEARING},                         S.SUSPENSION_HEARD,           SYSTEM, "Hoorperiode verstreken", "Hearing period ended",                                           note=Need.NO, recital=("De termijn om te reageren verstreek zonder reactie van de organisatie.", "The period to respond ended without a response.")),
    row("drop_suspension",            {S.SUSPENSION_HEARD},                           S.ACTIVE,                     R,      "Voorgenomen schorsing laten vallen", "Drop the intended suspension",                       note=MUST),
    row("propose_suspension",         {S.SUSPENSION_HEARD},                           S.SUSPENSION_PROPOSED,        R,      "Schorsing voorstellen", "Propose suspension",                                              motivation=MUST, proposes=SUSPEND.code),
    row("return_suspension",          {S.SUSPENSION_PROPOSED},                        S.SUSPENSION_HEARD,           D,      "Voorstel terugsturen", "Return the proposal",                                              note=MUST, returns_proposal=True),
    row("suspend",                    {S.SUSPENSION_PROPOSED},                        S.SUSPENDED,                  D,      "Beslissen: erkenning schorsen", "Decide: suspend the recognition",                         motivation=MAY, confirms=SUSPEND.code, letter="suspension", recital=("De erkenning werd geschorst.", "The recognition was suspended.")),
    row("reinstate",                  {S.SUSPENDED},                                  S.ACTIVE,                     D,      "Schorsing opheffen", "Lift the suspension",                                                note=MUST, recital=("De schorsing van de erkenning werd opgeheven.", "The suspension was lifted.")),
    row("announce_revocation",        {S.ACTIVE, S.SUSPENDED},                        S.REVOCATION_HEARING,         R,      "Voorgenomen intrekking meedelen", "Announce the intended revocation",                      motivation=MUST, letter="intended_revocation", recital=("De voorgenomen intrekking werd aan de organisatie meegedeeld, met de mogelijkheid om te reageren.", "The intended revocation was notified, with an invitation to respond.")),
    row("respond_to_revocation_hearing", {S.REVOCATION_HEARING},                      S.REVOCATION_HEARD,           A,      "Reageren op de voorgenomen intrekking", "Respond to the intended revocation",              motivation=MUST, note=Need.NO, responds=True, recital=("De organisatie reageerde op de voorgenomen intrekking.", "The organisation responded to the intended revocation.")),
    row("end_revocation_hearing",     {S.REVOCATION_HEARING},                         S.REVOCATION_HEARD,           SYSTEM, "Hoorperiode verstreken", "Hearing period ended",                                           note=Need.NO, recital=("De termijn om te reageren verstreek zonder reactie van de organisatie.", "The period to respond ended without a response.")),
    row("drop_revocation",            {S.REVOCATION_HEARD},                           S.ACTIVE,                     D,      "Voorgenomen intrekking laten vallen", "Drop the intended revocation",                      note=MUST),
    row("propose_revocation",         {S.REVOCATION_HEARD},                           S.REVOCATION_PROPOSED,        R,      "Intrekking voorstellen", "Propose revocation",                                             motivation=MUST, proposes=REVOKE.code),
    row("return_revocation",          {S.REVOCATION_PROPOSED},                        S.REVOCATION_HEARD,           D,      "Voorstel terugsturen", "Return the proposal",                                              note=MUST, returns_proposal=True),
    row("revoke",                     {S.REVOCATION_PROPOSED},                        S.REVOKED,                    D,      "Beslissen: erkenning intrekken", "Decide: revoke the recognition",                         motivation=MAY, confirms=REVOKE.code, letter="revocation"),
    row("expire",                     {S.ACTIVE},                                     S.EXPIRED,                    ADMIN,  "Erkenning laten vervallen", "Let the recognition expire",                                  note=MUST, irreversible=True, guard=term_ended, recital=("De erkenning verviel bij het einde van haar duur.", "The recognition expired at the end of its term.")),
    # ldapply lets a recognition expire itself the day after its last day (services/recognitions.py, Celery beat).
    row("term_ended",                 {S.ACTIVE, S.SUSPENDED},                        S.EXPIRED,                    SYSTEM, "Erkenning vervallen", "Recognition expired",                                              note=Need.NO, guard=term_ended, recital=("De erkenning verviel bij het einde van haar duur.", "The recognition expired at the end of its term.")),
)

LETTERS: tuple[LetterSpec, ...] = (
    LetterSpec("receipt",                 Text("Ontvangstbevestiging van uw aanvraag", "Acknowledgement of receipt")),
    LetterSpec("additions_requested",     Text("Vraag om aanvulling van uw aanvraag", "Request for additions")),
    LetterSpec("additions_received",      Text("Ontvangstbevestiging van uw aanvulling", "Acknowledgement of your additions")),
    LetterSpec("inadmissible",            Text("Beslissing: uw aanvraag is onontvankelijk", "Decision: inadmissible"), is_decision=True),
    LetterSpec("intended_refusal",        Text("Voorgenomen weigering: u kunt reageren", "Intended refusal: you may respond")),
    LetterSpec("decision_granted",        Text("Beslissing: erkenning", "Decision: recognition granted"), is_decision=True),
    LetterSpec("decision_partly_granted", Text("Beslissing: gedeeltelijke erkenning", "Decision: partly granted"), is_decision=True),
    LetterSpec("decision_refused",        Text("Beslissing: weigering van de erkenning", "Decision: recognition refused"), is_decision=True),
    LetterSpec("objection_decision",      Text("Beslissing over uw bezwaar", "Decision on your objection"), is_decision=True),
    LetterSpec("intended_suspension",     Text("Voorgenomen schorsing van de erkenning: u kunt reageren", "Intended suspension: you may respond")),
    LetterSpec("suspension",              Text("Beslissing: schorsing van de erkenning", "Decision: recognition suspended"), is_decision=True),
    LetterSpec("intended_revocation",     Text("Voorgenomen intrekking van de erkenning: u kunt reageren", "Intended revocation: you may respond")),
    LetterSpec("revocation",              Text("Beslissing: intrekking van de erkenning", "Decision: recognition revoked"), is_decision=True),
)
# fmt: on
