"""The one function that changes an application's state, for every regime."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..models import Application, ApplicationEvent, DecisionProposal, ProposalStatus, User, utcnow
from ..workflows._spec import Facts, Regime, Role, Transition
from .assessment import facts_for
from .calls import type_refusal, window_refusal
from .errors import ChangedMeanwhile, TransitionNotAllowed
from .letters import issue_letter
from .regimes import missing_steps, missing_steps_message, regime_of


def acting_roles(user: User, application: Application) -> frozenset[Role]:
    """Staff roles from grants; the applicant role from membership of the applying organisation."""
    roles = {Role(role) for role in user.roles}
    if application.organisation_id in user.organisation_ids:
        roles.add(Role.APPLICANT)
    return frozenset(roles)


def available_transitions(application: Application, user: User, proposal: DecisionProposal | None) -> list[Transition]:
    """The moves this user may make now, in declaration order (what the page offers as buttons)."""
    regime = regime_of(application)
    facts = facts_for(application)
    return [t for t in regime.transitions if _refusal(t, application, user, proposal, facts) is None]


def pending_proposal(application_id: uuid.UUID) -> DecisionProposal | None:
    return db.session.scalar(
        select(DecisionProposal)
        .where(DecisionProposal.application_id == application_id, DecisionProposal.status == ProposalStatus.PENDING)
        .order_by(DecisionProposal.created_at.desc(), DecisionProposal.id.desc())
        .limit(1)
    )


def apply_transition(
    *, application: Application, action: str, actor: User, comment: str | None = None, volume: Decimal | None = None
) -> ApplicationEvent:
    """Move `application` by `action`, record who did it, and issue the transition's letter.

    All in one transaction, committed here. Raises TransitionNotAllowed when the action does not
    exist, does not start from the current state, is not the actor's to make, lacks a required
    motivation or volume, fails its guard (the regime's conditions, a call's window), or would let
    one person both propose and confirm a decision; raises ChangedMeanwhile when someone else moved
    the application first.
    """
    regime = regime_of(application)
    transition = regime.transition(action)
    if transition is None:
        raise TransitionNotAllowed("Deze actie bestaat niet voor deze aanvraag.")
    proposal = pending_proposal(application.id)
    refusal = _refusal(transition, application, actor, proposal, facts_for(application))
    if refusal:
        raise TransitionNotAllowed(refusal)
    comment = (comment or "").strip() or None
    if transition.needs_comment and comment is None:
        raise TransitionNotAllowed("Geef een motivering op.")
    _check_volume(regime, transition, application, volume)
    try:
        event = _move(application, regime, transition, actor, comment)
        proposal = _record_proposal(application, transition, actor, comment, proposal, volume)
        if transition.letter:
            issue_letter(application=application, event=event, kind=transition.letter, proposal=proposal)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise ChangedMeanwhile() from None
    return event


def _refusal(
    transition: Transition, application: Application, actor: User, proposal: DecisionProposal | None, facts: Facts
) -> str | None:
    """Why `actor` may not make `transition` now, or None when they may."""
    if application.state not in transition.sources:
        return "Deze actie is niet mogelijk in de huidige toestand van de aanvraag."
    if not transition.roles & acting_roles(actor, application):
        return "U mag deze actie niet uitvoeren."
    if transition.guard is not None and (message := transition.guard(facts)) is not None:
        return message.nl
    if (refusal := _handing_in_refusal(transition, application)) is not None:
        return refusal
    if transition.confirms is not None:
        if proposal is None or proposal.outcome != transition.confirms:
            return "Er ligt geen voorstel voor deze beslissing voor."
        if proposal.proposed_by_id == actor.id:
            return "Wie een beslissing voorstelt, kan ze niet zelf bevestigen (vier-ogenprincipe)."
    return None


def _move(
    application: Application, regime: Regime, transition: Transition, actor: User, comment: str | None
) -> ApplicationEvent:
    now = utcnow()
    event = ApplicationEvent(
        id=uuid.uuid4(),
        application_id=application.id,
        actor_id=actor.id,
        action=transition.action,
        from_state=application.state,
        to_state=transition.target,
        comment=comment,
        created_at=now,
    )
    if application.state == regime.initial_state and application.submitted_at is None:
        application.submitted_at = now
        application.parameters = regime.parameter_values_json()  # pinned for the application's whole life
    application.state = transition.target
    db.session.add(event)
    db.session.flush()  # the event row exists before the letter that refers to it
    return event


def _handing_in_refusal(transition: Transition, application: Application) -> str | None:
    """An applicant hands answers in (submission, additions) only complete, and within the call's rules:
    its window for the first submission, its application types every time."""
    regime = regime_of(application)
    leaving_edits = (
        regime.state(application.state).applicant_edits and not regime.state(transition.target).applicant_edits
    )
    if not (leaving_edits and Role.APPLICANT in transition.roles) or transition.target in _withdrawal_targets(regime):
        return None
    missing = missing_steps(application)
    if missing:
        return missing_steps_message(missing)
    if application.call is None:
        return None
    window = window_refusal(application.call) if application.submitted_at is None else None
    return window or type_refusal(application.call, _application_type(application))


def _withdrawal_targets(regime: Regime) -> set[str]:
    """States an applicant reaches by giving up, which need no complete answers."""
    return {s.code for s in regime.states if s.terminal}


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
        limit = f" (gevraagd: {str(requested).replace('.', ',')} {regime.volume_unit.nl})" if requested else ""
        whole = " in gehele eenheden" if regime.volume_whole else " met hoogstens twee decimalen"
        raise TransitionNotAllowed(f"Geef het toegekende volume op{whole}: meer dan nul en minder dan gevraagd{limit}.")


def _record_proposal(
    application: Application,
    transition: Transition,
    actor: User,
    comment: str | None,
    pending: DecisionProposal | None,
    volume: Decimal | None,
) -> DecisionProposal | None:
    """Open, confirm or return the decision proposal the transition concerns."""
    if transition.proposes is not None:
        proposal = DecisionProposal(
            application_id=application.id,
            outcome=transition.proposes,
            motivation=comment or "",
            volume=volume if transition.asks_volume else None,
            proposed_by_id=actor.id,
        )
        db.session.add(proposal)
        return proposal
    if pending is not None:
        pending.status = ProposalStatus.CONFIRMED if transition.confirms else ProposalStatus.RETURNED
        pending.settled_by_id = actor.id
        pending.settled_at = utcnow()
    return pending


def history(application_id: uuid.UUID) -> list[ApplicationEvent]:
    return list(
        db.session.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application_id)
            .order_by(ApplicationEvent.created_at, ApplicationEvent.id)
        )
    )
