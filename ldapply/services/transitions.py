"""The one function that changes an application's state, for every regime.

It enforces what the regime declares and what the law asks of every decision: the actor's role and
the source state; four eyes on every deciding move (a proposal by one person, confirmed by another
who neither proposed it nor advised on the case, and who may sign); a call's cap; and the motivation
check before a proposal is made or a decision taken.
"""

from __future__ import annotations

import copy
import functools
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import IO, Any, Protocol

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..i18n import _, format_day, text
from ..models import (
    Application,
    ApplicationEvent,
    DecisionProposal,
    LegalReliance,
    Letter,
    ProposalStatus,
    User,
    utcnow,
)
from ..workflows._spec import Facts, Need, Regime, Role, Transition
from . import audit, information_items, legal_clock, objections, recognitions, renewals, staff
from .assessment import facts_for, judged_not_met, parameters_of
from .backoffice import deadline_of, end_of_day_after, entered_at
from .calls import cap_refusal, type_refusal, window_refusal
from .errors import ChangedMeanwhile, InvalidUpload, TransitionNotAllowed
from .letter_context import CaseRecord, ProposalRecord, build_context, nl_number, prepared_in_assessment, reliances
from .letters import case_record, issue_letter, letters_for, proposal_record, sender
from .memo import per_request
from .motivation import motivation_problems
from .parameter_changes import in_effect
from .regimes import missing_steps, missing_steps_message, regime_of
from .signatories import signatory_for
from .storage import get_storage
from .uploads import store_upload

HEARING_FILE_FIELD = "hearing_response"
OBJECTION_FILE_FIELD = "objection"
MAX_RESPONSE_FILES = 5


def acting_roles(user: User | None, application: Application) -> frozenset[Role]:
    """Staff roles from grants; the applicant role from membership of the applying organisation;
    the system role for ldapply itself (no user)."""
    if user is None:
        return frozenset({Role.SYSTEM})
    roles = set(staff.case_roles(user, application))  # grants for its regime, an advisor's body
    if application.organisation_id in user.organisation_ids:
        roles.add(Role.APPLICANT)
    return frozenset(roles)


def available_transitions(
    application: Application,
    user: User,
    proposal: DecisionProposal | None,
    events: Sequence[ApplicationEvent] | None = None,
) -> list[Transition]:
    """The moves this user may make now, in declaration order (what the page offers as buttons).
    `events`, the history when the page has read it, saves reading it again; the facts and the advisors
    are read only when a move open to this user needs them."""
    roles = acting_roles(user, application)
    candidates = [t for t in regime_of(application).transitions if application.state in t.sources and t.roles & roles]
    facts = facts_for(application) if any(t.guard is not None for t in candidates) else None
    advisors = advisor_ids(application, events) if any(t.decides for t in candidates) else frozenset()
    return [t for t in candidates if _refusal(t, application, user, proposal, facts, advisors, events) is None]


def may_make(application: Application, action: str, user: User) -> bool:
    """Whether `action` is this user's to make now (before its texts and checks are looked at)."""
    transition = regime_of(application).transition(action)
    return transition is not None and transition in available_transitions(
        application, user, pending_proposal(application.id)
    )


@per_request
def pending_proposal(application_id: uuid.UUID) -> DecisionProposal | None:
    return db.session.scalar(_pending_proposal_query(), {"application_id": application_id})


@functools.cache
def _pending_proposal_query() -> Select[DecisionProposal]:
    """Built once (as the other reads of every case view): building a statement costs about what running one does."""
    return (
        select(DecisionProposal)
        .where(
            DecisionProposal.application_id == bindparam("application_id"),
            DecisionProposal.status == ProposalStatus.PENDING,
        )
        .order_by(DecisionProposal.created_at.desc(), DecisionProposal.id.desc())
        .limit(1)
    )


def advisor_ids(application: Application, events: Sequence[ApplicationEvent] | None = None) -> frozenset[uuid.UUID]:
    """Everyone who gave advice on the case: they may not also decide it (from `events` when given)."""
    regime = regime_of(application)
    advising = [t.action for t in regime.transitions if t.advises]
    if events is not None and application.objection_of_id is None:
        return frozenset(e.actor_id for e in events if e.action in advising and e.actor_id is not None)
    # An objection case is decided by no one who advised on the case whose decision it contests either.
    cases = [application.id] if application.objection_of_id is None else [application.id, application.objection_of_id]
    return frozenset(
        db.session.scalars(
            select(ApplicationEvent.actor_id).where(
                ApplicationEvent.application_id.in_(cases),
                ApplicationEvent.action.in_(advising),
                ApplicationEvent.actor_id.is_not(None),
            )
        )
    )


def apply_transition(
    *,
    application: Application,
    action: str,
    actor: User | None,
    motivation: str | None = None,
    note: str | None = None,
    volume: Decimal | None = None,
    considerations: Mapping[str, str] | None = None,
    files: Sequence[tuple[IO[bytes], str]] = (),
    items: Sequence[str] | information_items.InformationRequest | None = None,
) -> ApplicationEvent:
    """Move `application` by `action`, record who did it and why, and issue the transition's letter.

    `motivation` is the text for the applicant (letters carry it); `note` stays in the case. All in
    one transaction, committed here. Raises TransitionNotAllowed when the move is not the actor's to
    make now, lacks a required text or volume, fails its guard or the call's rules, breaks four eyes,
    would take a call beyond its cap, or fails the motivation check; ChangedMeanwhile when someone
    else moved the application first. An objection (`objects`) is checked on `application` and made on a new
    case of its own, linked to it (the event returned is that case's); a decision that `reopens` is followed
    by ldapply's own move on the contested case (services/objections.py).
    """
    regime = regime_of(application)
    transition = regime.transition(action)
    if transition is None:
        raise TransitionNotAllowed(_("Deze actie bestaat niet voor deze aanvraag."))
    proposal = pending_proposal(application.id)
    refusal = _refusal(transition, application, actor, proposal, facts_for(application), advisor_ids(application))
    if refusal:
        raise TransitionNotAllowed(refusal)
    motivation, note = (
        _text(transition.motivation, motivation, _("Geef een motivering op.")),
        _text(transition.note, note, _("Geef een interne notitie op.")),
    )
    _check_volume(regime, transition, application, volume)
    _check_signatory(regime, transition, actor)
    _check_cap(regime, transition, application, proposal, volume)
    written: list[str] = []
    try:
        contested, application = objections.case_for(application, transition, actor)  # an objection: a case of its own
        event = _move(application, transition, actor, motivation, note)
        _record_items(application, transition, event, items)
        if transition.submits or transition.hands_in:  # every version handed in stays, with its move
            event.answers = copy.deepcopy(application.submitted_answers)
        proposal = _record_proposal(application, transition, actor, motivation, proposal, volume, considerations)
        written = _attach_files(application, transition, event, actor, files)
        case = None
        if transition.decides or transition.proposes:
            case = _decision_case(application, event, proposal, actor, transition)
            _check_motivation(case, regime, transition)
            _check_heard_on(application, regime, transition)
            if transition.decides:
                _record_reliances(case, application, regime, transition, event)
        if transition.letter:
            issue_letter(
                application=application,
                event=event,
                kind=transition.letter,
                proposal=proposal,
                actor=actor,
                decides=transition.decides,
                case=case if transition.decides else None,
            )
        _audit_move(application, transition, event, actor)
        objections.record_lodged(contested, application, event, actor)
        db.session.commit()
    except StaleDataError:
        _undo(written)
        raise ChangedMeanwhile() from None
    except (TransitionNotAllowed, InvalidUpload):
        _undo(written)
        raise
    objections.reopen_contested(application, transition)  # an objection upheld: back for a new decision
    return event


def _undo(written: list[str]) -> None:
    """Nothing half-saved: the transaction goes, and so do the files written for it."""
    db.session.rollback()
    for key in written:
        get_storage().delete(key)


def _decision_case(
    application: Application,
    event: ApplicationEvent,
    proposal: DecisionProposal | None,
    actor: User | None,
    transition: Transition,
) -> CaseRecord:
    """What the decision's letter will say, read once: the check and the letter use the same record."""
    return case_record(
        application,
        issued_at=event.created_at,
        message=event.comment or "",
        proposal=proposal_record(proposal),
        actor=actor,
        decides=transition.decides,
        code="",
        issuing_event_id=event.id,
    )


def _check_heard_on(application: Application, regime: Regime, transition: Transition) -> None:
    """An adverse proposal rests only on the conditions the applicant was heard on; new grounds need a
    new hearing."""
    outcome = regime.outcome(transition.proposes) if transition.proposes else None
    if outcome is None or not outcome.needs_hearing:
        return
    hearing_states = {s.code for s in regime.states if s.hearing}
    announced = db.session.scalar(
        select(ApplicationEvent.grounds)
        .where(ApplicationEvent.application_id == application.id, ApplicationEvent.to_state.in_(hearing_states))
        .order_by(ApplicationEvent.created_at.desc())
        .limit(1)
    )
    if not announced:
        return  # the hearing was on grounds other than the conditions (a suspension, a revocation)
    new = sorted(code for code in judged_not_met(application) if code not in announced)
    if new:
        titles = ", ".join(f"„{text(regime.condition(code).title)}”" for code in new)
        raise TransitionNotAllowed(
            _(
                "De aanvrager werd niet gehoord over %(conditions)s. Kondig een nieuwe voorgenomen weigering aan, "
                "of beoordeel die voorwaarde zoals bij de aankondiging.",
                conditions=titles,
            )
        )


def _refusal(
    transition: Transition,
    application: Application,
    actor: User | None,
    proposal: DecisionProposal | None,
    facts: Facts | None,
    advisors: frozenset[uuid.UUID],
    events: Sequence[ApplicationEvent] | None = None,
) -> str | None:
    """Why `actor` may not make `transition` now, or None when they may (`facts` read here when None)."""
    if application.state not in transition.sources:
        return _("Deze actie is niet mogelijk in de huidige toestand van de aanvraag.")
    if not transition.roles & acting_roles(actor, application):
        return _("U mag deze actie niet uitvoeren.")
    if (
        transition.guard is not None
        and (message := transition.guard(facts if facts is not None else facts_for(application))) is not None
    ):
        return text(message)
    if (refusal := _handing_in_refusal(transition, application)) is not None:
        return refusal
    if transition.responds and (refusal := _period_over(application, events)) is not None:
        return refusal
    if transition.objects and (refusal := _objection_refusal(application, events)) is not None:
        return refusal
    if (
        application.renewal_of_id is not None
        and _grants(regime_of(application), transition)
        and (refusal := renewals.grant_refusal(application.renewal_of_id)) is not None
    ):
        return refusal
    if transition.decides:
        return _four_eyes_refusal(transition, actor, proposal, advisors)
    return None


def _grants(regime: Regime, transition: Transition) -> bool:
    """Whether the move proposes or confirms an outcome that grants a recognition."""
    outcome = transition.proposes or transition.confirms
    return outcome is not None and regime.outcome(outcome).grants


def _period_over(application: Application, events: Sequence[ApplicationEvent] | None = None) -> str | None:
    """A response counts only within the hearing period; after it, the file is decided as it stands."""
    deadline = deadline_of(application, events)
    if deadline is None or deadline.due is None or utcnow() < deadline.due:
        return None
    return _("De termijn om te reageren liep af op %(date)s.", date=format_day(deadline.due - timedelta(seconds=1)))


def objection_due(
    application: Application,
    events: Sequence[ApplicationEvent] | None = None,
    letters: Sequence[Letter] | None = None,
) -> datetime | None:
    """The end of the period to object to the decision the application rests in (None: no objection, or
    no period running yet); `events` as for backoffice.entered_at, `letters` the application's letters
    (oldest first) when the page has read them."""
    regime, params = regime_of(application), parameters_of(application)
    if not objectable(regime, application.state, params):
        return None  # no letter to read
    found = letters if letters is not None else letters_for(application.id)
    start = objection_start(regime, application.state, entered_at(application, events), found)
    return objection_deadline(regime, application.state, params, start)


def objectable(regime: Regime, state: str, params: Mapping[str, Any]) -> bool:
    """Whether the regime has an objection against the decision of this state, and its period."""
    return (
        any(t.objects and state in t.sources for t in regime.transitions)
        and bool(params.get("objection_enabled"))
        and params.get("objection_days") is not None
    )


class MadeLetter(Protocol):
    """What the objection period reads of a letter (a Letter, or the columns a list reads of one)."""

    @property
    def kind(self) -> str: ...
    @property
    def rendered_at(self) -> datetime | None: ...


def brings_files(transition: Transition | None) -> bool:
    """Whether the move may come with attachments: a hearing response or an objection, nothing else."""
    return transition is not None and bool(transition.responds or transition.objects)


def objection_start(
    regime: Regime, state: str, entered: datetime | None, letters: Sequence[MadeLetter]
) -> datetime | None:
    """When the objection period starts, for a decision the application rests in (it entered `state` then).

    The decision letter grants the period "binnen N dagen na de kennisgeving van deze beslissing", and
    domain.md (section 7) has the remedies' periods run from notification (the Raad van State: 60 days
    after notification; the objection's own term and start are not found, a parameter). ldapply records
    no notification date yet (issue 9 adds it). Until then the period counts from the day after the
    decision letter was made (rendered): the first moment the applicant can read it. While the letter is
    being made (or could not be made), no period runs: None. A decision that issues no letter counts from
    the decision itself."""
    kinds = {t.letter for t in regime.transitions if t.target == state and t.letter}
    letter = next((x for x in reversed(letters) if x.kind in kinds), None)
    if letter is None:
        return entered
    return letter.rendered_at


def objection_deadline(
    regime: Regime, state: str, params: Mapping[str, Any], start: datetime | None
) -> datetime | None:
    """The end of the objection period: where the regime has an objection against the decision of this
    state, its number of days counted from the day after `start` (`objection_start`); None otherwise."""
    if not objectable(regime, state, params) or start is None:
        return None
    return end_of_day_after(start, int(params["objection_days"]))


def _objection_refusal(application: Application, events: Sequence[ApplicationEvent] | None = None) -> str | None:
    """An objection counts within the period, once per decision (its case is of its own: services/objections.py)."""
    return _objection_period_over(application, events) or objections.lodged_refusal(application, events)


def _objection_period_over(application: Application, events: Sequence[ApplicationEvent] | None = None) -> str | None:
    """An objection counts only within the regime's period after the decision."""
    due = objection_due(application, events)
    if due is None or utcnow() < due:
        return None
    return _("De termijn om bezwaar in te dienen liep af op %(date)s.", date=format_day(due - timedelta(seconds=1)))


def _record_items(
    application: Application,
    transition: Transition,
    event: ApplicationEvent,
    items: Sequence[str] | information_items.InformationRequest | None,
) -> None:
    """The items a request for additions asks for, each with what is wrong, and the date to answer by (only
    those are unlocked for the applicant; none named: every step); or the answers a hand-in changed, which
    answers the request. Leaving the state where the applicant edits (a hand-in, a lapse) locks it again."""
    names = items.names if isinstance(items, information_items.InformationRequest) else items
    if names is not None:
        event.items = list(names)
    if isinstance(items, information_items.InformationRequest):
        information_items.record(application, event, items)
    if transition.hands_in:
        information_items.mark_answered(application, event)
    edits = regime_of(application).state(transition.target).applicant_edits
    if edits and application.submitted_at is not None:
        application.unlocked = list(names) if names else None
    elif not edits and application.unlocked is not None:
        application.unlocked = None


def _four_eyes_refusal(
    transition: Transition, actor: User | None, proposal: DecisionProposal | None, advisors: frozenset[uuid.UUID]
) -> str | None:
    if proposal is None or proposal.outcome != transition.confirms:
        return _("Er ligt geen voorstel voor deze beslissing voor.")
    if actor is None or proposal.proposed_by_id == actor.id:
        return _("Wie een beslissing voorstelt, kan ze niet zelf bevestigen (vier-ogenprincipe).")
    if actor.id in advisors:
        return _("Wie over deze aanvraag advies gaf, kan er niet over beslissen (vier-ogenprincipe).")
    return None


def _text(need: Need, text: str | None, missing: str) -> str | None:
    text = (text or "").strip() or None
    if need is Need.REQUIRED and text is None:
        raise TransitionNotAllowed(missing)
    return text if need is not Need.NO else None


def _move(
    application: Application, transition: Transition, actor: User | None, motivation: str | None, note: str | None
) -> ApplicationEvent:
    now = utcnow()
    event = ApplicationEvent(
        id=uuid.uuid4(),
        application_id=application.id,
        actor_id=actor.id if actor is not None else None,
        action=transition.action,
        from_state=application.state,
        to_state=transition.target,
        comment=motivation,
        note=note,
        created_at=now,
    )
    if regime_of(application).state(transition.target).hearing:
        event.grounds = sorted(judged_not_met(application))
    if transition.submits:
        application.submitted_at = now
        # The values in effect now, pinned for the application's life: a later change never reaches it.
        application.parameters = in_effect(regime_of(application)).parameter_values_json()
    regime = regime_of(application)
    application.state = transition.target
    application.whose_move = regime.state(transition.target).whose_move
    legal_clock.on_move(application, regime, transition, now)
    recognitions.on_move(application, regime, transition, now)
    db.session.add(event)
    db.session.flush()  # the event row exists before the letter that refers to it
    return event


def _audit_move(application: Application, transition: Transition, event: ApplicationEvent, actor: User | None) -> None:
    """The audit entry of a move, written last in its transaction (services/audit.py says why)."""
    audit.record(
        f"transition.{transition.action}",
        object_type="application",
        object_id=application.id,
        application_id=application.id,
        old={"state": event.from_state},
        new={
            "state": event.to_state,
            "event_id": event.id,
            "motivation": event.comment,
            "note": event.note,
            "items": event.items,
            "due_on": application.due_on,
        },
        actor=actor,
    )


def _handing_in_refusal(transition: Transition, application: Application) -> str | None:
    """An applicant hands answers in (submission, additions) only complete, and within the call's rules:
    its window for the first submission, its application types every time."""
    if not (transition.submits or transition.hands_in):
        return None
    missing = missing_steps(application)
    if missing:
        return missing_steps_message(missing)
    if application.call is None:
        return None
    window = window_refusal(application.call) if transition.submits else None
    return window or type_refusal(application.call, _application_type(application))


def _application_type(application: Application) -> str | None:
    field = regime_of(application).application_type_field
    return application.answers.get(field) if field else None


VOLUME_STEP = Decimal("0.01")  # the precision the volume is stored in


def _check_volume(regime: Regime, transition: Transition, application: Application, volume: Decimal | None) -> None:
    """A granted volume is a finite number above zero and below what was asked, in whole units where
    the regime counts whole units (places), and no finer than it is stored."""
    if not transition.asks_volume:
        return
    requested = regime.volume(application.answers) if regime.volume else None
    valid = volume is not None and volume.is_finite() and volume == volume.quantize(VOLUME_STEP)
    if valid and regime.volume_whole:
        valid = volume == volume.to_integral_value()  # type: ignore[union-attr]
    if not valid or volume <= 0 or (requested is not None and volume >= requested):  # type: ignore[operator]
        raise TransitionNotAllowed(_volume_message(regime, requested))
    _check_minimum(regime, application, volume)  # type: ignore[arg-type]


def _check_minimum(regime: Regime, application: Application, volume: Decimal) -> None:
    """A partial grant cannot go below the minimum of target-group workers the condition asks: the part
    granted must still meet it (the volume granted counts the supervision too, so below it is certainly short)."""
    norms = {name for c in regime.conditions for name in c.norm}
    in_fte = regime.volume_unit.nl == "VTE"  # places (childcare) are no measure of workers
    minimum = (
        parameters_of(application).get("min_target_group_fte") if in_fte and "min_target_group_fte" in norms else None
    )
    if minimum is not None and volume < Decimal(str(minimum)):
        raise TransitionNotAllowed(
            _(
                "Met %(volume)s %(unit)s blijft de erkenning onder het minimum van %(minimum)s VTE "
                "doelgroepwerknemers dat de administratie hanteert: de voorwaarde „voldoende doelgroepwerknemers” "
                "zou voor het erkende deel niet vervuld zijn. Stel een groter volume voor, of een weigering.",
                volume=nl_number(volume),
                unit=text(regime.volume_unit),
                minimum=nl_number(Decimal(str(minimum))),
            )
        )


def _volume_message(regime: Regime, requested: Decimal | None) -> str:
    if regime.volume_whole:
        message = _("Geef het toegekende volume op in gehele eenheden: meer dan nul en minder dan gevraagd.")
    else:
        message = _("Geef het toegekende volume op met hoogstens twee decimalen: meer dan nul en minder dan gevraagd.")
    if requested:
        message += " " + _("Gevraagd: %(volume)s %(unit)s.", volume=nl_number(requested), unit=text(regime.volume_unit))
    return message


def _check_signatory(regime: Regime, transition: Transition, actor: User | None) -> None:
    """The decision maker who confirms is the signatory: they need a function and a delegation on record."""
    if transition.decides and (actor is None or signatory_for(actor, regime.code) is None):
        raise TransitionNotAllowed(
            _(
                "U kunt deze beslissing niet ondertekenen: voor u is geen functie en delegatie geregistreerd voor "
                "deze regeling. Vraag een beheerder ze in te voeren onder „Ondertekenaars”."
            )
        )


def _check_cap(
    regime: Regime,
    transition: Transition,
    application: Application,
    proposal: DecisionProposal | None,
    volume: Decimal | None,
    *,
    bump: bool = True,
) -> None:
    """A grant under a call may not take the call beyond its cap; the decision maker hears what is left."""
    if application.call is None or not _grants(regime, transition):
        return
    if transition.decides and proposal is not None and proposal.volume is not None:
        amount = proposal.volume
    elif volume is not None and transition.asks_volume:
        amount = volume
    else:
        amount = regime.volume(application.answers) if regime.volume else Decimal(0)
    refusal = cap_refusal(application.call, application.id, amount, text(regime.volume_unit))
    if refusal:
        raise TransitionNotAllowed(refusal)
    if transition.decides and bump:
        flag_modified(application.call, "cap")  # bumps the call's version: racing grants cannot both pass


def _record_proposal(
    application: Application,
    transition: Transition,
    actor: User | None,
    motivation: str | None,
    pending: DecisionProposal | None,
    volume: Decimal | None,
    considerations: Mapping[str, str] | None,
) -> DecisionProposal | None:
    """Open, confirm or return the decision proposal the transition concerns. A decision maker who
    confirms may correct the motivation and the answers to the hearing and the advice."""
    answers = _answers(considerations)
    if transition.proposes is not None:
        proposal = DecisionProposal(
            application_id=application.id,
            outcome=transition.proposes,
            motivation=motivation or "",
            volume=volume if transition.asks_volume else None,
            considerations=answers,
            proposed_by_id=actor.id if actor else None,
        )
        db.session.add(proposal)
        db.session.flush()
        return proposal
    if pending is not None and (transition.decides or transition.returns_proposal):
        if transition.decides:
            pending.motivation = motivation or pending.motivation
            pending.considerations = {**(pending.considerations or {}), **answers}
        pending.status = ProposalStatus.CONFIRMED if transition.decides else ProposalStatus.RETURNED
        pending.settled_by_id = actor.id if actor else None
        pending.settled_at = utcnow()
        db.session.flush()
    if pending is not None and pending.status == ProposalStatus.PENDING and _ends(application, transition):
        pending.status, pending.settled_by_id, pending.settled_at = ProposalStatus.WITHDRAWN, None, utcnow()
    return pending if transition.decides else None


def _ends(application: Application, transition: Transition) -> bool:
    return regime_of(application).state(transition.target).terminal


def _answers(considerations: Mapping[str, str] | None) -> dict[str, str]:
    """The answers to the hearing and the advice that were given, trimmed; empty ones left out."""
    return {k: v.strip() for k, v in (considerations or {}).items() if v and v.strip()}


def _attach_files(
    application: Application,
    transition: Transition,
    event: ApplicationEvent,
    actor: User | None,
    files: Sequence[tuple[IO[bytes], str]],
) -> list[str]:
    """A hearing response or an objection may come with attachments; they belong to the move that brought them.
    Returns the storage keys written, for the caller to remove if the move is refused after all."""
    if not files:
        return []
    if not brings_files(transition) or actor is None:
        raise TransitionNotAllowed(_("Bij deze actie kunt u geen bijlagen voegen."))
    if len(files) > MAX_RESPONSE_FILES:
        raise TransitionNotAllowed(_("Voeg hoogstens %(count)s bijlagen toe.", count=MAX_RESPONSE_FILES))
    written: list[str] = []
    try:
        for stream, filename in files:
            upload, stored = store_upload(
                application=application,
                field_name=OBJECTION_FILE_FIELD if transition.objects else HEARING_FILE_FIELD,
                stream=stream,
                filename=filename,
                kinds=("pdf",),
                actor=actor,
            )
            written.append(stored.key)
            upload.event_id = event.id
        db.session.flush()
    except InvalidUpload:
        _undo(written)  # nothing half-saved: the files written so far go with the refused move
        raise
    return written


def _check_motivation(case: CaseRecord, regime: Regime, transition: Transition) -> None:
    """Refuse the proposal or decision, with every reason, when its motivation would not hold."""
    problems = motivation_problems(case, regime, assessed=prepared_in_assessment(regime, transition))
    if problems:
        raise TransitionNotAllowed(" ".join(problems))


def _record_reliances(
    case: CaseRecord, application: Application, regime: Regime, transition: Transition, event: ApplicationEvent
) -> None:
    """The legal-uncertainty ledger: what this decision rests on that was not found in the law."""
    for kind, name, provenance in reliances(case, regime, transition.letter or ""):
        db.session.add(
            LegalReliance(
                application_id=application.id,
                event_id=event.id,
                regime_code=regime.code,
                regime_version=regime.version,
                kind=kind,
                name=name,
                provenance=provenance,
            )
        )


def history(application_id: uuid.UUID) -> list[ApplicationEvent]:
    return list(
        db.session.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application_id)
            .order_by(ApplicationEvent.created_at, ApplicationEvent.id)
        )
    )


@dataclass(frozen=True)
class Preview:
    """What confirming a move would do: the letter it would issue (as its frozen context) and every
    reason it would be refused now."""

    transition: Transition
    context: dict[str, Any] | None
    problems: list[str]
    proposal: DecisionProposal | None


def preview(
    *,
    application: Application,
    action: str,
    actor: User,
    motivation: str | None = None,
    considerations: Mapping[str, str] | None = None,
) -> Preview:
    """The letter a move would issue and the problems it would meet, without making it. Raises
    TransitionNotAllowed when the move does not exist or is not this actor's to make now."""
    regime = regime_of(application)
    transition = regime.transition(action)
    if transition is None:
        raise TransitionNotAllowed(_("Deze actie bestaat niet voor deze aanvraag."))
    proposal = pending_proposal(application.id)
    refusal = _refusal(transition, application, actor, proposal, facts_for(application), advisor_ids(application))
    if refusal:
        raise TransitionNotAllowed(refusal)
    record = _previewed_proposal(transition, proposal, motivation, considerations)
    problems = _preview_problems(regime, transition, application, proposal, actor)
    case = case_record(
        application,
        issued_at=utcnow(),
        message=motivation or "",
        proposal=record,
        actor=actor,
        decides=transition.decides,
        code=PREVIEW_CODE,
    )
    if transition.decides or transition.proposes:
        problems += motivation_problems(case, regime, assessed=prepared_in_assessment(regime, transition))
    context = build_context(case, regime, transition.letter, sender()) if transition.letter else None
    return Preview(transition, context, problems, proposal)


PREVIEW_CODE = "XXXXXXXXXXXX"  # the real code is drawn when the letter is issued


def _previewed_proposal(
    transition: Transition,
    proposal: DecisionProposal | None,
    motivation: str | None,
    considerations: Mapping[str, str] | None,
) -> ProposalRecord | None:
    if not transition.decides or proposal is None:
        return None
    answers = _answers(considerations)
    return ProposalRecord(
        proposal.outcome,
        (motivation or "").strip() or proposal.motivation,
        proposal.volume,
        {**(proposal.considerations or {}), **answers},
    )


def _preview_problems(
    regime: Regime, transition: Transition, application: Application, proposal: DecisionProposal | None, actor: User
) -> list[str]:
    problems = []
    for check in (
        lambda: _check_signatory(regime, transition, actor),
        lambda: _check_cap(regime, transition, application, proposal, None, bump=False),
    ):
        try:
            check()
        except TransitionNotAllowed as refusal:
            problems.append(refusal.message)
    return problems


def considerations_needed(application: Application, events: Sequence[ApplicationEvent]) -> dict[str, Any]:
    """What a proposal on this case must answer: a response given in its latest hearing; an advice, for
    the proposals prepared in the assessment (the actions listed under "advice"), as the check asks."""
    regime = regime_of(application)
    hearing_states = {s.code for s in regime.states if s.hearing}
    last_hearing = max((i for i, e in enumerate(events) if e.to_state in hearing_states), default=None)
    responded = last_hearing is not None and any(
        (t := regime.transition(e.action)) is not None and t.responds for e in events[last_hearing + 1 :]
    )
    advised = any((t := regime.transition(e.action)) is not None and t.advises for e in events)
    answering = {t.action for t in regime.transitions if t.proposes and prepared_in_assessment(regime, t)}
    return {"hearing": responded, "advice": answering if advised else set()}
