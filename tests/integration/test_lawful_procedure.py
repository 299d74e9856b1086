"""A lawful procedure, through the web and the engine, for each LDE regime: no adverse decision before the
hearing, the applicant's response in the decision, four eyes on every decision, the call's cap, the Kind en
Gezin block, internal notes kept out of letters, the motivation check, and a withdrawn draft that never
counts as submitted.

Every person works in a browser of their own (`desk`): a login is a real scrypt check, done once per
person and test rather than at every change of hands.
"""

from __future__ import annotations

import html
import io
import json
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from ldapply.clock import utcnow
from ldapply.extensions import db
from ldapply.models import (
    Application,
    Call,
    ConditionVerdict,
    DecisionProposal,
    Letter,
    LetterStatus,
    ProposalStatus,
    User,
)
from ldapply.services import accounts, signatories
from ldapply.services.calls import today
from ldapply.services.periods import end_lapsed_periods
from ldapply.tasks import render_letter
from ldapply.workflows import get_regime
from ldapply.workflows._spec import Provenance, Role, Transition
from tests.support import (
    HEARING_ANSWER,
    MET_REASON,
    PASSWORD,
    REASON,
    act,
    assess_all,
    end_hearing_now,
    fill_steps,
    login,
    met_needs_reason,
    minimal_pdf,
    post,
    start_application,
    submit,
    to_review,
)
from tests.support_advice import ask_advice, give_advice

LDE = ["general", "caretakers", "childcare"]
each_regime = pytest.mark.parametrize("regime", LDE, ids=LDE)

MOTIVATION = {
    "propose_grant": "De aanvraag voldoet aan alle voorwaarden en het advies over de aanvraag is gunstig.",
    "propose_partial_grant": "De aanvraag voldoet aan de voorwaarden, maar het gevraagde volume is te groot voor "
    "het eerste jaar.",
    "propose_refusal": "De lokale behoefte is niet aangetoond; de stukken in het dossier tonen ze niet aan.",
    "propose_inadmissible": "De aanvraag is onvolledig: de gevraagde stukken ontbreken ook na de aanvulling.",
    "propose_suspension": "De activiteiten worden niet afzonderlijk geregistreerd, wat een voorwaarde van de "
    "erkenning is.",
    "propose_revocation": "De dienst wordt sinds maanden niet meer verleend; de erkenning heeft geen voorwerp.",
}
ANNOUNCEMENT = {
    "announce_refusal": "De aanvraag toont niet aan dat de dienst een lokale behoefte beantwoordt.",
    "announce_suspension": "Uit het jaarverslag blijkt dat de activiteiten niet afzonderlijk worden geregistreerd.",
    "announce_revocation": "De dienst wordt volgens onze vaststellingen niet meer verleend.",
}
RESPONDS = {
    "announce_refusal": "respond_to_hearing",
    "announce_suspension": "respond_to_suspension_hearing",
    "announce_revocation": "respond_to_revocation_hearing",
}
ADVICE = "Het Forum voor Lokaal Werkgelegenheidsbeleid adviseert gunstig over de lokale behoefte."
ADVICE_ANSWER = "De administratie volgt het advies van het Forum over de lokale behoefte van de dienst."
ANSWERS = {"hearing_answer": HEARING_ANSWER, "advice_answer": ADVICE_ANSWER}
RESPONSE = "Wij werven in het voorjaar twee bijkomende doelgroepwerknemers aan; het aanwervingsplan zit in bijlage."
ATTACHMENT = "aanwervingsplan.pdf"
PARTIAL_VOLUME = {"general": "5", "caretakers": "2", "childcare": "10"}
UNKNOWN_ARTICLE = "De erkenning wordt toegekend conform art. 17 van het besluit, want de aanvraag is volledig."


# -- who acts -----------------------------------------------------------------------------------------------


class Desk:
    """A logged-in test client per person, made on first use."""

    def __init__(self, app: Flask, people: Any) -> None:
        self.app, self.people = app, people
        self._clients: dict[str, FlaskClient] = {}

    def __call__(self, person: Any) -> FlaskClient:
        if person.email not in self._clients:
            client = self.app.test_client()
            login(client, person)
            self._clients[person.email] = client
        return self._clients[person.email]

    @property
    def applicant(self) -> FlaskClient:
        return self(self.people.applicant)

    @property
    def reviewer(self) -> FlaskClient:
        return self(self.people.reviewer)

    @property
    def decision_maker(self) -> FlaskClient:
        return self(self.people.decision_maker)

    @property
    def admin(self) -> FlaskClient:
        return self(self.people.admin)


@pytest.fixture
def desk(app: Flask, people: Any) -> Desk:
    return Desk(app, people)


@dataclass(frozen=True)
class Someone:
    id: uuid.UUID
    email: str
    name: str


def decision_maker_without_signatory_entry(app: Flask) -> Someone:
    with app.app_context():
        user = accounts.create_user(
            email="nele.nieuw@vo.be", name="Nele Nieuw", password=PASSWORD, roles=(Role.DECISION_MAKER,)
        )
        db.session.commit()
        return Someone(user.id, user.email, user.name)


# -- reading what happened -----------------------------------------------------------------------------


def page_text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def flat(text: str) -> str:
    return " ".join(text.split())


def case_page(client: FlaskClient, application_id: uuid.UUID, tab: str = "") -> str:
    response = client.get(f"/backoffice/applications/{application_id}{tab}")
    assert response.status_code == 200
    return page_text(response)


def state_of(app: Flask, application_id: uuid.UUID) -> str:
    with app.app_context():
        return str(db.session.get(Application, application_id).state)


def proposals_of(app: Flask, application_id: uuid.UUID) -> list[tuple[str, str, str]]:
    """(outcome, status, motivation) of every proposal on the case, oldest first."""
    with app.app_context():
        rows = db.session.scalars(
            select(DecisionProposal)
            .where(DecisionProposal.application_id == application_id)
            .order_by(DecisionProposal.created_at, DecisionProposal.id)
        )
        return [(row.outcome, str(row.status), row.motivation) for row in rows]


def pending(app: Flask, application_id: uuid.UUID) -> list[str]:
    return [outcome for outcome, status, _ in proposals_of(app, application_id) if status == ProposalStatus.PENDING]


def verdicts_of(app: Flask, application_id: uuid.UUID) -> dict[str, tuple[bool, str | None]]:
    with app.app_context():
        rows = db.session.scalars(select(ConditionVerdict).where(ConditionVerdict.application_id == application_id))
        return {row.condition_code: (row.verdict == "met", row.reason) for row in rows}  # met or not met here


@dataclass(frozen=True)
class IssuedLetter:
    id: uuid.UUID
    kind: str
    context: dict[str, Any]


def letters_of(app: Flask, application_id: uuid.UUID) -> list[IssuedLetter]:
    with app.app_context():
        rows = db.session.scalars(
            select(Letter).where(Letter.application_id == application_id).order_by(Letter.created_at, Letter.id)
        )
        return [IssuedLetter(row.id, row.kind, dict(row.context)) for row in rows]


def letter_of(app: Flask, application_id: uuid.UUID, kind: str) -> IssuedLetter:
    found = [letter for letter in letters_of(app, application_id) if letter.kind == kind]
    assert len(found) == 1, [letter.kind for letter in letters_of(app, application_id)]
    return found[0]


def rendered_text(app: Flask, letter_id: uuid.UUID) -> str:
    """Render the letter as the worker does, read the stored PDF, and return its text on one line."""
    with app.app_context():
        render_letter(str(letter_id))
        letter = db.session.get(Letter, letter_id)
        db.session.refresh(letter)
        assert letter.status == LetterStatus.RENDERED, letter.error
        data = (app.config["STORAGE_DIR"] / letter.storage_key).read_bytes()
    return flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


# -- moving a case ----------------------------------------------------------------------------------------


def ok(response: Any) -> Any:
    assert response.status_code == 302, page_text(response)[:3000]
    return response


def new_id(response: Any) -> uuid.UUID:
    return uuid.UUID(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def submitted(desk: Desk, regime: str) -> uuid.UUID:
    """Started, filled in and submitted by the applicant."""
    application_id = start_application(desk.applicant, regime)
    fill_steps(desk.applicant, application_id, regime=regime)
    ok(submit(desk.applicant, application_id))
    return application_id


def applicant_moves(desk: Desk, application_id: uuid.UUID, action: str, **data: Any) -> None:
    options = {"content_type": "multipart/form-data"} if "files" in data else {}
    ok(post(desk.applicant, f"/applications/{application_id}/actions/{action}", data, **options))


def respond(desk: Desk, application_id: uuid.UUID, action: str = "respond_to_hearing") -> None:
    """The applicant responds in the hearing with a text and a PDF, as multipart with the field `files`."""
    files = (io.BytesIO(minimal_pdf("Aanwervingsplan")), ATTACHMENT)
    applicant_moves(desk, application_id, action, comment=RESPONSE, files=files)


def advise(desk: Desk, application_id: uuid.UUID, advisor: Any) -> None:
    """The reviewer asks the Forum for advice; `advisor` registers its answer (it came by post) and so
    becomes an advisor on the case."""
    ok(ask_advice(desk.reviewer, application_id, desk.people.forum_body_id, "Advies gevraagd aan het Forum."))
    ok(give_advice(desk(advisor), application_id, ADVICE, page="case"))


def reviewed(desk: Desk, regime: str, *, met: bool = True, advisor: Any = None) -> uuid.UUID:
    """Submitted, admissible, assessed (every condition met, or the first one not met), advised when asked."""
    application_id = submitted(desk, regime)
    to_review(desk.reviewer, application_id, met=met, regime=regime)
    if advisor is not None:
        advise(desk, application_id, advisor)
    return application_id


def propose(client: FlaskClient, application_id: uuid.UUID, action: str, regime: str = "general") -> None:
    volume = {"volume": PARTIAL_VOLUME[regime]} if action == "propose_partial_grant" else {}
    ok(act(client, application_id, action, MOTIVATION[action], **ANSWERS, **volume))


def heard(desk: Desk, application_id: uuid.UUID, announce: str = "announce_refusal", *, respond_: bool) -> None:
    """The reviewer announces the intended decision; the applicant responds, or the period ends."""
    ok(act(desk.reviewer, application_id, announce, ANNOUNCEMENT[announce]))
    if respond_:
        respond(desk, application_id, RESPONDS[announce])
    else:
        end_hearing_now(desk.app)  # as Celery beat does, once the period has passed


def granted_and_active(desk: Desk, regime: str, *, advisor: Any = None) -> uuid.UUID:
    """A recognition granted by the decision maker and activated by the admin."""
    application_id = reviewed(desk, regime, advisor=advisor)
    propose(desk.reviewer, application_id, "propose_grant")
    ok(act(desk.decision_maker, application_id, "confirm_grant"))
    ok(act(desk.admin, application_id, "activate"))
    return application_id


def refused(desk: Desk, regime: str, *, advisor: Any = None) -> uuid.UUID:
    """Refused after a hearing whose period ended."""
    application_id = reviewed(desk, regime, met=False, advisor=advisor)
    heard(desk, application_id, respond_=False)
    propose(desk.reviewer, application_id, "propose_refusal")
    ok(act(desk.decision_maker, application_id, "confirm_refusal"))
    return application_id


def allow_objection(app: Flask, application_id: uuid.UUID) -> None:
    """The pinned parameters decide whether an objection is open; here one is."""
    with app.app_context():
        application = db.session.get(Application, application_id)
        application.parameters = {**application.parameters, "objection_enabled": True}
        db.session.commit()


def in_admissibility_check(desk: Desk, regime: str, advisor: Any) -> uuid.UUID:
    application_id = submitted(desk, regime)
    ok(act(desk.reviewer, application_id, "start_admissibility"))
    if advisor is not None:  # advice is asked in the substantive review; additions bring the case back
        ok(act(desk.reviewer, application_id, "accept_for_review"))
        advise(desk, application_id, advisor)
        ok(act(desk.reviewer, application_id, "request_additions", "Bezorg de beslissing van de opdrachtgever."))
        applicant_moves(desk, application_id, "submit_additions", comment="")
    return application_id


def heard_after_refusal(desk: Desk, regime: str, advisor: Any) -> uuid.UUID:
    application_id = reviewed(desk, regime, met=False, advisor=advisor)
    heard(desk, application_id, respond_=False)
    return application_id


def heard_on(announce: str) -> Any:
    def reach(desk: Desk, regime: str, advisor: Any) -> uuid.UUID:
        application_id = granted_and_active(desk, regime, advisor=advisor)
        heard(desk, application_id, announce, respond_=False)
        return application_id

    return reach


def objection_lodged(desk: Desk, regime: str, advisor: Any) -> uuid.UUID:
    """The objection's own case (services/objections.py), lodged against a refusal; an advisor on the refused
    case is an advisor on the objection too."""
    application_id = refused(desk, regime, advisor=advisor)
    allow_objection(desk.app, application_id)
    applicant_moves(desk, application_id, "lodge_objection", comment="Wij betwisten de beoordeling.", confirmed="yes")
    with desk.app.app_context():
        return db.session.scalars(select(Application.id).where(Application.objection_of_id == application_id)).one()


# How a case reaches the state a decision is proposed from; a new proposal elsewhere needs a path here.
PROPOSED_FROM = {
    "admissibility_check": in_admissibility_check,
    "substantive_review": lambda desk, regime, advisor: reviewed(desk, regime, advisor=advisor),
    "heard": heard_after_refusal,
    "suspension_heard": heard_on("announce_suspension"),
    "revocation_heard": heard_on("announce_revocation"),
    "objection_lodged": objection_lodged,
}
OTHER_MOTIVATION = "De administratie heeft het dossier onderzocht; de redenen staan in het voorstel zelf beschreven."


def proposing(regime: str, decides: str) -> Transition:
    """The move that makes the proposal `decides` confirms (declared in the regime's table)."""
    spec = get_regime(regime)
    deciding = spec.transition(decides)
    assert deciding is not None, decides
    return next(t for t in spec.transitions if t.proposes == deciding.confirms and t.target in deciding.sources)


def to_proposal(desk: Desk, regime: str, decides: str, *, proposer: Any, advisor: Any = None) -> uuid.UUID:
    """A case with a pending proposal that `decides` confirms, made by `proposer`; when `advisor` is given,
    that person recorded the advice on the case."""
    proposal = proposing(regime, decides)
    (source,) = proposal.sources
    application_id = PROPOSED_FROM[str(source)](desk, regime, advisor)
    if proposal.asks_volume:  # heard on the refusal; the part granted meets every condition
        ok(assess_all(desk.reviewer, application_id, [c.code for c in get_regime(regime).conditions]))
    volume = {"volume": PARTIAL_VOLUME[regime]} if proposal.asks_volume else {}
    motivation = MOTIVATION.get(proposal.action, OTHER_MOTIVATION)
    ok(act(desk(proposer), application_id, proposal.action, motivation, **ANSWERS, **volume))
    return application_id


# -- 1. no adverse decision before the hearing ---------------------------------------------------------------


@each_regime
class TestNoRefusalBeforeTheHearing:
    def test_propose_refusal_is_refused_when_the_case_is_in_substantive_review(self, app, desk, regime):
        application_id = reviewed(desk, regime, met=False)
        response = act(desk.reviewer, application_id, "propose_refusal", MOTIVATION["propose_refusal"], **ANSWERS)
        assert response.status_code == 409
        assert state_of(app, application_id) == "substantive_review"
        assert proposals_of(app, application_id) == []

    def test_a_partial_grant_refuses_the_rest_so_it_is_not_proposed_before_the_hearing(self, app, desk, regime):
        application_id = reviewed(desk, regime)
        volume = PARTIAL_VOLUME[regime]
        response = act(desk.reviewer, application_id, "propose_partial_grant", "Minder.", **ANSWERS, volume=volume)
        assert response.status_code == 409
        assert state_of(app, application_id) == "substantive_review"
        assert proposals_of(app, application_id) == []

    def test_a_partial_grant_is_proposed_after_the_hearing_on_the_conditions_then_met(self, app, desk, regime):
        application_id = heard_after_refusal(desk, regime, None)
        ok(assess_all(desk.reviewer, application_id, [c.code for c in get_regime(regime).conditions]))
        propose(desk.reviewer, application_id, "propose_partial_grant", regime)
        assert pending(app, application_id) == ["partial_grant"]

    def test_propose_refusal_is_refused_when_the_hearing_is_open(self, app, desk, regime):
        application_id = reviewed(desk, regime, met=False)
        ok(act(desk.reviewer, application_id, "announce_refusal", ANNOUNCEMENT["announce_refusal"]))
        response = act(desk.reviewer, application_id, "propose_refusal", MOTIVATION["propose_refusal"], **ANSWERS)
        assert response.status_code == 409
        assert state_of(app, application_id) == "hearing"
        assert proposals_of(app, application_id) == []

    def test_the_hearing_stays_open_when_its_period_has_not_ended(self, app, desk, regime):
        application_id = reviewed(desk, regime, met=False)
        ok(act(desk.reviewer, application_id, "announce_refusal", ANNOUNCEMENT["announce_refusal"]))
        with app.app_context():
            assert end_lapsed_periods(utcnow() + timedelta(days=1)) == 0
        assert state_of(app, application_id) == "hearing"

    def test_propose_refusal_is_allowed_when_the_applicant_responded(self, app, desk, regime):
        application_id = reviewed(desk, regime, met=False)
        heard(desk, application_id, respond_=True)
        propose(desk.reviewer, application_id, "propose_refusal")
        assert state_of(app, application_id) == "refusal_proposed"
        assert pending(app, application_id) == ["refuse"]

    def test_propose_refusal_is_allowed_when_the_hearing_period_ended(self, app, desk, regime):
        application_id = reviewed(desk, regime, met=False)
        heard(desk, application_id, respond_=False)
        assert state_of(app, application_id) == "heard"
        propose(desk.reviewer, application_id, "propose_refusal")
        assert pending(app, application_id) == ["refuse"]


@each_regime
class TestNoSuspensionBeforeTheHearing:
    def test_propose_suspension_is_refused_when_the_recognition_is_active(self, app, desk, regime):
        application_id = granted_and_active(desk, regime)
        assert state_of(app, application_id) == "active"
        response = act(desk.reviewer, application_id, "propose_suspension", MOTIVATION["propose_suspension"], **ANSWERS)
        assert response.status_code == 409
        assert pending(app, application_id) == []

    def test_propose_suspension_is_refused_during_the_suspension_hearing(self, app, desk, regime):
        application_id = granted_and_active(desk, regime)
        ok(act(desk.reviewer, application_id, "announce_suspension", ANNOUNCEMENT["announce_suspension"]))
        response = act(desk.reviewer, application_id, "propose_suspension", MOTIVATION["propose_suspension"], **ANSWERS)
        assert response.status_code == 409
        assert state_of(app, application_id) == "suspension_hearing"
        assert pending(app, application_id) == []

    def test_propose_suspension_is_allowed_when_the_organisation_responded(self, app, desk, regime):
        application_id = granted_and_active(desk, regime)
        heard(desk, application_id, "announce_suspension", respond_=True)
        propose(desk.reviewer, application_id, "propose_suspension")
        assert state_of(app, application_id) == "suspension_proposed"
        assert pending(app, application_id) == ["suspend"]

    def test_propose_suspension_is_allowed_when_the_hearing_period_ended(self, app, desk, regime):
        application_id = granted_and_active(desk, regime)
        heard(desk, application_id, "announce_suspension", respond_=False)
        assert state_of(app, application_id) == "suspension_heard"
        propose(desk.reviewer, application_id, "propose_suspension")
        assert pending(app, application_id) == ["suspend"]


# -- 2. the applicant's response reaches the decision -----------------------------------------------------------


def refused_after_a_response(desk: Desk, regime: str) -> uuid.UUID:
    application_id = reviewed(desk, regime, met=False)
    heard(desk, application_id, respond_=True)
    propose(desk.reviewer, application_id, "propose_refusal")
    ok(act(desk.decision_maker, application_id, "confirm_refusal"))
    return application_id


@each_regime
class TestTheHearingResponseReachesTheDecision:
    def test_the_case_page_shows_the_response_and_its_attachment_when_the_applicant_responded(self, desk, regime):
        application_id = reviewed(desk, regime, met=False)
        heard(desk, application_id, respond_=True)
        page = case_page(desk.reviewer, application_id)
        assert RESPONSE in page
        assert ATTACHMENT in page

    def test_the_attachment_on_the_case_page_downloads_as_the_pdf_the_applicant_sent(self, desk, regime):
        application_id = reviewed(desk, regime, met=False)
        heard(desk, application_id, respond_=True)
        page = desk.reviewer.get(f"/backoffice/applications/{application_id}").get_data(as_text=True)
        link = re.search(rf'<a href="([^"]+/uploads/[^"]+)">{re.escape(ATTACHMENT)}</a>', page)
        assert link, "no link to the attachment on the case page"
        download = desk.reviewer.get(link.group(1))
        assert download.status_code == 200
        assert download.data == minimal_pdf("Aanwervingsplan")

    def test_the_decision_letter_context_holds_the_response_its_attachment_and_the_answer_when_refused(
        self, app, desk, regime
    ):
        application_id = refused_after_a_response(desk, regime)
        hearing = letter_of(app, application_id, "decision_refused").context["hearing"]
        assert hearing["response"] == RESPONSE
        assert hearing["attachments"] == [ATTACHMENT]
        assert hearing["answer"] == HEARING_ANSWER
        assert hearing["response_on"]

    def test_the_rendered_decision_letter_states_the_response_its_attachment_and_the_answer_when_refused(
        self, app, desk, regime
    ):
        application_id = refused_after_a_response(desk, regime)
        text = rendered_text(app, letter_of(app, application_id, "decision_refused").id)
        assert flat(RESPONSE) in text
        assert ATTACHMENT in text
        assert flat(HEARING_ANSWER) in text


# -- 3. four eyes on every deciding transition ------------------------------------------------------------------

DECIDING = {r: [t.action for t in get_regime(r).transitions if t.decides] for r in LDE}
FOUR_EYES_CASES = [pytest.param(r, d, id=f"{r}-{d}") for r in LDE for d in DECIDING[r]]


@each_regime
def test_the_four_eyes_walk_reaches_the_proposal_of_every_deciding_transition_of_the_regime(regime):
    assert len(DECIDING[regime]) >= 6, DECIDING[regime]  # inadmissible, grants, refusal, objection, suspend, revoke
    unreached = [d for d in DECIDING[regime] if set(map(str, proposing(regime, d).sources)) - set(PROPOSED_FROM)]
    assert not unreached


@pytest.mark.parametrize(("regime", "decides"), FOUR_EYES_CASES)
class TestFourEyes:
    def test_the_proposer_cannot_confirm_their_own_proposal(self, app, desk, people, regime, decides):
        proposer = people.reviewer_and_decision_maker
        application_id = to_proposal(desk, regime, decides, proposer=proposer)
        response = act(desk(proposer), application_id, decides)
        assert response.status_code == 409
        text = page_text(response)
        assert "niet zelf bevestigen" in text
        assert "vier-ogenprincipe" in text
        assert pending(app, application_id) == [get_regime(regime).transition(decides).confirms]

    def test_an_advisor_on_the_case_cannot_confirm(self, app, desk, people, regime, decides):
        advisor = people.reviewer_and_decision_maker
        application_id = to_proposal(desk, regime, decides, proposer=people.reviewer, advisor=advisor)
        response = act(desk(advisor), application_id, decides)
        assert response.status_code == 409
        text = page_text(response)
        assert "advies gaf" in text
        assert "vier-ogenprincipe" in text
        assert pending(app, application_id) == [get_regime(regime).transition(decides).confirms]

    def test_a_decision_maker_without_a_signatory_entry_cannot_confirm_and_is_told_why(
        self, app, desk, people, regime, decides
    ):
        application_id = to_proposal(desk, regime, decides, proposer=people.reviewer)
        response = act(desk(decision_maker_without_signatory_entry(app)), application_id, decides)
        assert response.status_code == 409
        text = page_text(response)
        assert "U kunt deze beslissing niet ondertekenen" in text
        assert "Ondertekenaars" in text
        assert pending(app, application_id) == [get_regime(regime).transition(decides).confirms]

    def test_an_uninvolved_decision_maker_with_a_signatory_entry_confirms(self, app, desk, people, regime, decides):
        """The control: with a proposer and an advisor on the case, a third person decides."""
        advisor = people.reviewer_and_decision_maker
        application_id = to_proposal(desk, regime, decides, proposer=people.reviewer, advisor=advisor)
        ok(act(desk.decision_maker, application_id, decides))
        assert state_of(app, application_id) == get_regime(regime).transition(decides).target
        assert pending(app, application_id) == []


def signatory_entry(app: Flask, people: Any, someone: Someone, *, regime_code: str | None, active: bool) -> None:
    """The admin records a function and delegation for `someone`, for one regime (or all), active or not."""
    with app.app_context():
        admin = db.session.get(User, people.admin.id)
        entry = signatories.add_signatory(
            actor=admin,
            user_id=someone.id,
            function="Diensthoofd",
            delegation="Delegatiebesluit van 1 september 2026, art. 4",
            provenance=Provenance.FOUND,
            source="test",
            regime_code=regime_code,
        )
        if not active:
            signatories.set_active(actor=admin, signatory_id=entry.id, active=False)


@each_regime
class TestTheSignatoryEntryBelongsToTheRegimeAndIsActive:
    def test_a_decision_maker_whose_entry_is_for_another_regime_cannot_confirm(self, app, desk, people, regime):
        application_id = to_proposal(desk, regime, "confirm_grant", proposer=people.reviewer)
        someone = decision_maker_without_signatory_entry(app)
        signatory_entry(app, people, someone, regime_code=next(c for c in LDE if c != regime), active=True)
        response = act(desk(someone), application_id, "confirm_grant")
        assert response.status_code == 409
        assert "U kunt deze beslissing niet ondertekenen" in page_text(response)
        assert pending(app, application_id) == ["grant"]

    def test_a_decision_maker_whose_entry_was_deactivated_cannot_confirm(self, app, desk, people, regime):
        application_id = to_proposal(desk, regime, "confirm_grant", proposer=people.reviewer)
        someone = decision_maker_without_signatory_entry(app)
        signatory_entry(app, people, someone, regime_code=None, active=False)
        response = act(desk(someone), application_id, "confirm_grant")
        assert response.status_code == 409
        assert "U kunt deze beslissing niet ondertekenen" in page_text(response)
        assert pending(app, application_id) == ["grant"]

    def test_a_decision_maker_whose_entry_is_for_this_regime_confirms_and_signs_the_letter(
        self, app, desk, people, regime
    ):
        application_id = to_proposal(desk, regime, "confirm_grant", proposer=people.reviewer)
        someone = decision_maker_without_signatory_entry(app)
        signatory_entry(app, people, someone, regime_code=regime, active=True)
        ok(act(desk(someone), application_id, "confirm_grant"))
        signed = letter_of(app, application_id, "decision_granted").context["signatory"]
        assert (signed["name"], signed["function"]) == (someone.name, "Diensthoofd")


# -- 4. the call's cap ----------------------------------------------------------------------------------------------

SMALL_CALL = "Kleine oproep met een plafond van 10 VTE"


def open_small_call(desk: Desk, cap: str = "10") -> uuid.UUID:
    """The admin opens a call through the back office."""
    with desk.app.app_context():
        opens, closes = today() - timedelta(days=1), today() + timedelta(days=30)
    data = {"regime": "general", "title": SMALL_CALL, "opens_on": opens.isoformat(), "closes_on": closes.isoformat()}
    ok(post(desk.admin, "/backoffice/calls", {**data, "cap": cap}))
    with desk.app.app_context():
        return db.session.scalar(select(Call.id).where(Call.title == SMALL_CALL))


def submitted_under(desk: Desk, call_id: uuid.UUID) -> uuid.UUID:
    application_id = new_id(ok(post(desk.applicant, "/applications", {"regime": "general", "call": str(call_id)})))
    fill_steps(desk.applicant, application_id, regime="general")
    ok(submit(desk.applicant, application_id))
    return application_id


def two_grants_proposed(desk: Desk) -> tuple[uuid.UUID, uuid.UUID]:
    """Two applications of 7,5 VTE each under a call of 10 VTE, both proposed for a grant."""
    call_id = open_small_call(desk)
    first, second = (submitted_under(desk, call_id) for _ in range(2))
    for application_id in (first, second):
        to_review(desk.reviewer, application_id)
        propose(desk.reviewer, application_id, "propose_grant")
    with desk.app.app_context():
        assert {db.session.get(Application, a).call_id for a in (first, second)} == {call_id}
    return first, second


def free_on_the_calls_page(client: FlaskClient) -> str:
    page = client.get("/backoffice/calls").get_data(as_text=True)
    row = re.search(rf"<tr><td>{re.escape(SMALL_CALL)}</td>(.*?)</tr>", page, re.DOTALL)
    assert row, "the call is not on the calls page"
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.DOTALL)[-1].strip()


class TestTheCallCap:
    def test_granting_beyond_the_cap_is_refused_for_the_decision_maker_with_what_is_left_of_the_cap(self, app, desk):
        first, second = two_grants_proposed(desk)
        ok(act(desk.decision_maker, first, "confirm_grant"))
        response = act(desk.decision_maker, second, "confirm_grant")
        assert response.status_code == 409
        assert "nog 2,5 VTE vrij" in page_text(response)
        assert state_of(app, second) == "decision_proposed"

    def test_the_calls_page_never_shows_a_negative_remainder_when_grants_exceed_the_cap(self, desk):
        first, second = two_grants_proposed(desk)
        shown = [free_on_the_calls_page(desk.decision_maker)]  # 15 VTE proposed against 10
        ok(act(desk.decision_maker, first, "confirm_grant"))
        shown.append(free_on_the_calls_page(desk.decision_maker))  # 7,5 granted and 7,5 proposed
        assert act(desk.decision_maker, second, "confirm_grant").status_code == 409
        shown.append(free_on_the_calls_page(desk.decision_maker))
        assert all(not value.startswith(("-", "−")) for value in shown), shown
        assert [Decimal(value.replace(",", ".")) for value in shown] == [Decimal(0)] * 3


# -- 5. the Kind en Gezin block (childcare) ---------------------------------------------------------------------

KG = "kind_en_gezin_authorisation"
KG_REASON = "De vergunning van Kind en Gezin geldt voor een andere locatie dan de opvang in deze aanvraag."


def childcare_in_review(desk: Desk, *, kg_status: str = "granted") -> uuid.UUID:
    """A childcare application in substantive review, nothing assessed yet; with `kg_status` "requested",
    its answers say the authorisation was only requested (changed in the database after submission)."""
    application_id = submitted(desk, "childcare")
    if kg_status != "granted":
        with desk.app.app_context():
            application = db.session.get(Application, application_id)
            answers = {k: v for k, v in application.answers.items() if k != "kg_authorisation"}
            application.answers = {**answers, "kg_status": kg_status}
            application.submitted_answers = dict(application.answers)  # as handed in: what the reviewer reads
            db.session.commit()
    ok(act(desk.reviewer, application_id, "start_admissibility"))
    ok(act(desk.reviewer, application_id, "accept_for_review"))
    return application_id


def judge(client: FlaskClient, application_id: uuid.UUID, code: str, verdict: str, reason: str) -> str:
    """Post one checklist row; returns the page the reviewer lands on (with the flashed outcome): the case page
    after a save, the page again with what was typed (422) after a refusal."""
    data = {f"verdict-{code}": verdict, f"reason-{code}": reason}
    response = post(client, f"/backoffice/applications/{application_id}/assessment", data)
    if response.status_code == 422:
        return page_text(response)
    return page_text(client.get(ok(response).headers["Location"]))


class TestKindEnGezinBlocksAGrant:
    def test_the_authorisation_cannot_be_judged_met_when_kind_en_gezin_only_received_the_request(self, app, desk):
        application_id = childcare_in_review(desk, kg_status="requested")
        reason = "De vergunning komt er zeker binnenkort aan, zegt de aanvrager."
        page = judge(desk.reviewer, application_id, KG, "met", reason)
        assert "Beoordeling niet bewaard" in page
        assert "is doorslaggevend" in page
        assert KG not in verdicts_of(app, application_id)

    @pytest.mark.parametrize("action", ["propose_grant", "propose_partial_grant"])
    def test_a_grant_proposal_is_refused_when_the_authorisation_is_only_requested(self, app, desk, action):
        application_id = childcare_in_review(desk, kg_status="requested")
        others = [c.code for c in get_regime("childcare").conditions if c.code != KG]
        ok(assess_all(desk.reviewer, application_id, others))
        assert set(verdicts_of(app, application_id)) == set(others)
        if action == "propose_partial_grant":  # a partial grant is proposed after the hearing on the refusal
            ok(assess_all(desk.reviewer, application_id, [KG], met=False))
            heard(desk, application_id, respond_=False)
        fields = {**ANSWERS, "volume": PARTIAL_VOLUME["childcare"]}
        response = act(desk.reviewer, application_id, action, MOTIVATION[action], **fields)
        assert response.status_code == 409
        assert "Een doorslaggevende voorwaarde is volgens de aanvraag niet vervuld" in page_text(response)
        assert proposals_of(app, application_id) == []

    @pytest.mark.parametrize("reason", ["", "zie mail"], ids=["no-reason", "placeholder-reason"])
    def test_a_verdict_departing_from_the_automatic_finding_is_refused_when_it_has_no_reason(self, app, desk, reason):
        application_id = childcare_in_review(desk)  # the finding: the authorisation was granted
        page = judge(desk.reviewer, application_id, KG, "not_met", reason)
        assert "Beoordeling niet bewaard" in page
        assert "wijkt af van de vaststelling uit de aanvraag" in page
        assert KG not in verdicts_of(app, application_id)

    def test_a_verdict_departing_from_the_automatic_finding_is_kept_when_it_has_a_reason(self, app, desk):
        application_id = childcare_in_review(desk)
        page = judge(desk.reviewer, application_id, KG, "not_met", KG_REASON)
        assert "Beoordeling bewaard" in page
        assert verdicts_of(app, application_id)[KG] == (False, KG_REASON)

    def test_the_reason_of_a_departing_verdict_reaches_the_decision_letter(self, app, desk):
        application_id = childcare_in_review(desk)
        judge(desk.reviewer, application_id, KG, "not_met", KG_REASON)
        heard(desk, application_id, respond_=False)
        propose(desk.reviewer, application_id, "propose_refusal")
        ok(act(desk.decision_maker, application_id, "confirm_refusal"))
        letter = letter_of(app, application_id, "decision_refused")
        row = next(c for c in letter.context["conditions"] if c["code"] == KG)
        assert (row["met"], row["reason"]) == (False, KG_REASON)
        assert flat(KG_REASON) in rendered_text(app, letter.id)


# -- 6. internal notes never reach a letter -----------------------------------------------------------------------

SECRET = "INTERN-GEHEIM-123"


class NotedCase:
    """A case walked with a distinct internal note on every move that takes one and on every checklist row."""

    def __init__(self, desk: Desk, regime: str) -> None:
        self.desk, self.regime = desk, regime
        self.notes: list[str] = []
        self.application_id = submitted(desk, regime)

    def _note(self, where: str) -> str:
        self.notes.append(f"{SECRET} bij {where} (notitie {len(self.notes) + 1})")
        return self.notes[-1]

    def move(self, client: FlaskClient, action: str, motivation: str = "", **fields: str) -> None:
        ok(act(client, self.application_id, action, motivation, note=self._note(action), **fields))

    def advise(self) -> None:
        """Advice asked of the Forum (the question is internal, like a note) and registered as it came by post."""
        body = self.desk.people.forum_body_id
        ok(ask_advice(self.desk.reviewer, self.application_id, body, question=self._note("request_advice")))
        ok(give_advice(self.desk.reviewer, self.application_id, ADVICE, page="case"))

    def assess(self, *, met: bool) -> None:
        codes = [c.code for c in get_regime(self.regime).conditions]
        data: dict[str, str] = {}
        for index, code in enumerate(codes):
            failing = not met and index == 0
            data[f"verdict-{code}"] = "not_met" if failing else "met"
            needs = met_needs_reason(get_regime(self.regime), get_regime(self.regime).condition(code))
            data[f"reason-{code}"] = REASON if failing else (MET_REASON if needs else "")
            data[f"note-{code}"] = self._note(f"de voorwaarde {code}")
        ok(post(self.desk.reviewer, f"/backoffice/applications/{self.application_id}/assessment", data))
        assert set(verdicts_of(self.desk.app, self.application_id)) == set(codes), "the checklist was not saved"

    def walk_to_refusal(self) -> NotedCase:
        d = self.desk
        self.move(d.reviewer, "start_admissibility")
        self.move(d.reviewer, "request_additions", "Bezorg de beslissing van de opdrachtgevende overheid.")
        applicant_moves(d, self.application_id, "submit_additions", comment="")
        self.move(d.reviewer, "accept_for_review")
        self.assess(met=False)
        self.advise()
        self.move(d.reviewer, "announce_refusal", ANNOUNCEMENT["announce_refusal"])
        respond(d, self.application_id)
        self.move(d.reviewer, "propose_refusal", MOTIVATION["propose_refusal"], **ANSWERS)
        self.move(d.decision_maker, "return_refusal")
        self.move(d.reviewer, "propose_refusal", MOTIVATION["propose_refusal"], **ANSWERS)
        self.move(d.decision_maker, "confirm_refusal")
        assert state_of(d.app, self.application_id) == "refused"
        return self

    def walk_to_grant(self) -> NotedCase:
        d = self.desk
        self.move(d.reviewer, "start_admissibility")
        self.move(d.reviewer, "accept_for_review")
        self.assess(met=True)
        self.advise()
        self.move(d.reviewer, "propose_grant", MOTIVATION["propose_grant"], **ANSWERS)
        self.move(d.decision_maker, "return_proposal")
        self.move(d.reviewer, "propose_grant", MOTIVATION["propose_grant"], **ANSWERS)
        self.move(d.decision_maker, "confirm_grant")
        self.move(d.admin, "activate")
        assert state_of(d.app, self.application_id) == "active"
        return self


WALKS = [pytest.param(r, w, id=f"{r}-{w}") for r in LDE for w in ("refused", "granted")]


def noted_case(desk: Desk, regime: str, walk: str) -> NotedCase:
    case = NotedCase(desk, regime)
    return case.walk_to_refusal() if walk == "refused" else case.walk_to_grant()


@pytest.mark.parametrize(("regime", "walk"), WALKS)
class TestInternalNotesNeverReachALetter:
    def test_no_letter_context_holds_a_note_when_every_move_carried_one(self, app, desk, regime, walk):
        case = noted_case(desk, regime, walk)
        issued = letters_of(app, case.application_id)
        decision = "decision_refused" if walk == "refused" else "decision_granted"
        assert {"receipt", decision} <= {letter.kind for letter in issued}
        leaking = [letter.kind for letter in issued if SECRET in json.dumps(letter.context)]
        assert not leaking

    def test_no_rendered_letter_holds_a_note_when_every_move_carried_one(self, app, desk, regime, walk):
        case = noted_case(desk, regime, walk)
        texts = {letter.kind: rendered_text(app, letter.id) for letter in letters_of(app, case.application_id)}
        leaking = [kind for kind, text in texts.items() if SECRET in text]
        assert not leaking
        motivation = MOTIVATION["propose_refusal" if walk == "refused" else "propose_grant"]
        assert flat(motivation) in " ".join(texts.values())  # what was written beside each note does get through

    def test_every_note_is_visible_in_the_back_office_on_the_timeline_or_the_checklist(self, desk, regime, walk):
        case = noted_case(desk, regime, walk)
        page = " ".join(case_page(desk.reviewer, case.application_id, tab) for tab in ("/timeline", "/assessment"))
        missing = [text for text in case.notes if text not in page]
        assert not missing


# -- 7. the motivation check -----------------------------------------------------------------------------------------


@each_regime
class TestTheMotivationCheck:
    def test_a_refusal_proposal_is_refused_when_a_condition_not_met_has_a_placeholder_reason(self, app, desk, regime):
        condition = next(c for c in get_regime(regime).conditions if c.check is None)  # no finding to depart from
        application_id = submitted(desk, regime)
        ok(act(desk.reviewer, application_id, "start_admissibility"))
        ok(act(desk.reviewer, application_id, "accept_for_review"))
        judge(desk.reviewer, application_id, condition.code, "not_met", "zie mail")
        assert verdicts_of(app, application_id)[condition.code] == (False, "zie mail")
        heard(desk, application_id, respond_=False)
        response = act(desk.reviewer, application_id, "propose_refusal", MOTIVATION["propose_refusal"], **ANSWERS)
        assert response.status_code == 409
        expected = f"De voorwaarde „{condition.title.nl}” is niet vervuld bevonden zonder inhoudelijke reden"
        assert expected in page_text(response)
        assert proposals_of(app, application_id) == []

    def test_a_grant_proposal_is_refused_when_its_motivation_cites_an_article_no_found_source_names(
        self, app, desk, regime
    ):
        application_id = reviewed(desk, regime)
        response = act(desk.reviewer, application_id, "propose_grant", UNKNOWN_ARTICLE, **ANSWERS)
        assert response.status_code == 409
        assert "De motivering citeert art. 17 als rechtsgrond" in page_text(response)
        assert proposals_of(app, application_id) == []

    def test_a_refusal_proposal_is_refused_when_the_hearing_response_is_not_answered(self, app, desk, regime):
        application_id = reviewed(desk, regime, met=False)
        heard(desk, application_id, respond_=True)
        response = act(desk.reviewer, application_id, "propose_refusal", MOTIVATION["propose_refusal"])
        assert response.status_code == 409
        assert "de brief moet op die reactie antwoorden" in page_text(response)
        assert proposals_of(app, application_id) == []

    def test_a_refusal_proposal_is_allowed_when_the_hearing_response_is_answered(self, app, desk, regime):
        application_id = reviewed(desk, regime, met=False)
        heard(desk, application_id, respond_=True)
        motivation = MOTIVATION["propose_refusal"]
        ok(act(desk.reviewer, application_id, "propose_refusal", motivation, hearing_answer=HEARING_ANSWER))
        assert pending(app, application_id) == ["refuse"]

    def test_a_grant_proposal_is_refused_when_the_advice_is_not_answered(self, app, desk, people, regime):
        application_id = reviewed(desk, regime, advisor=people.reviewer)
        response = act(desk.reviewer, application_id, "propose_grant", MOTIVATION["propose_grant"])
        assert response.status_code == 409
        assert "de brief moet op dat advies ingaan" in page_text(response)
        assert proposals_of(app, application_id) == []

    def test_a_grant_proposal_is_allowed_when_the_advice_is_answered(self, app, desk, people, regime):
        application_id = reviewed(desk, regime, advisor=people.reviewer)
        motivation = MOTIVATION["propose_grant"]
        ok(act(desk.reviewer, application_id, "propose_grant", motivation, advice_answer=ADVICE_ANSWER))
        assert pending(app, application_id) == ["grant"]

    def test_a_confirmation_is_refused_when_the_corrected_motivation_cites_an_unknown_article(self, app, desk, regime):
        application_id = reviewed(desk, regime)
        propose(desk.reviewer, application_id, "propose_grant")
        response = act(desk.decision_maker, application_id, "confirm_grant", UNKNOWN_ARTICLE)
        assert response.status_code == 409
        assert "De motivering citeert art. 17 als rechtsgrond" in page_text(response)
        assert state_of(app, application_id) == "decision_proposed"
        assert proposals_of(app, application_id) == [("grant", "pending", MOTIVATION["propose_grant"])]

    def test_a_confirmation_is_allowed_when_the_corrected_motivation_cites_a_found_article(self, app, desk, regime):
        """The control: the check refuses articles that were not found, not every article."""
        application_id = reviewed(desk, regime)
        propose(desk.reviewer, application_id, "propose_grant")
        corrected = "De aanvraag beantwoordt een lokale behoefte in de zin van art. 2 van het decreet."
        ok(act(desk.decision_maker, application_id, "confirm_grant", corrected))
        assert letter_of(app, application_id, "decision_granted").context["motivation"] == corrected


# -- 8. a withdrawn draft never counts as submitted --------------------------------------------------------------------


def withdrawn_draft(desk: Desk, regime: str) -> tuple[uuid.UUID, str]:
    """A complete draft, never submitted, withdrawn by the applicant; returns its id and reference."""
    application_id = start_application(desk.applicant, regime)
    fill_steps(desk.applicant, application_id, regime=regime)
    applicant_moves(desk, application_id, "withdraw", confirmed="yes")
    with desk.app.app_context():
        application = db.session.get(Application, application_id)
        assert application.state == "withdrawn"
        return application_id, application.reference


@each_regime
class TestAWithdrawnDraftNeverCountsAsSubmitted:
    def test_a_withdrawn_draft_has_no_submission_date_and_no_pinned_parameters(self, app, desk, regime):
        application_id, _ = withdrawn_draft(desk, regime)
        with app.app_context():
            application = db.session.get(Application, application_id)
            assert application.submitted_at is None
            assert application.parameters is None

    def test_a_withdrawn_draft_has_no_receipt(self, app, desk, regime):
        application_id, _ = withdrawn_draft(desk, regime)
        assert [letter.kind for letter in letters_of(app, application_id)] == []

    def test_staff_get_404_on_the_case_page_of_a_withdrawn_draft(self, desk, regime):
        application_id, _ = withdrawn_draft(desk, regime)
        assert desk.reviewer.get(f"/backoffice/applications/{application_id}").status_code == 404

    @pytest.mark.parametrize("view", ["mine", "all"], ids=["my-queue", "all-queue"])
    def test_a_withdrawn_draft_is_absent_from_the_queue(self, desk, regime, view):
        _, reference = withdrawn_draft(desk, regime)
        response = desk.reviewer.get(f"/backoffice/?view={view}")
        assert response.status_code == 200
        assert reference not in response.get_data(as_text=True)


@pytest.mark.parametrize(("volume", "kept"), [("4", False), ("5", True)])
def test_a_partial_grant_below_the_minimum_of_target_group_workers_is_refused(app, desk, volume, kept):
    """The part granted must still meet the condition: 4 FTE cannot hold the 5 target-group FTE asked."""
    application_id = heard_after_refusal(desk, "general", None)
    ok(assess_all(desk.reviewer, application_id, [c.code for c in get_regime("general").conditions]))
    fields = {**ANSWERS, "volume": volume}
    response = act(
        desk.reviewer, application_id, "propose_partial_grant", MOTIVATION["propose_partial_grant"], **fields
    )
    if kept:
        assert response.status_code == 302
        assert pending(app, application_id) == ["partial_grant"]
    else:
        assert response.status_code == 409
        assert "onder het minimum van 5 VTE doelgroepwerknemers" in page_text(response)
        assert proposals_of(app, application_id) == []
