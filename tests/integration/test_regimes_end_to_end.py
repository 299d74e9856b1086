"""Every regime runs end to end through the web: apply, submit, admissibility, assessment against
its conditions, decision, letter. Parametrised over the registry, so a new regime is covered by adding
its answers to tests/support.py."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from ldapply.extensions import db
from ldapply.models import Application, Letter, LetterStatus
from ldapply.tasks import render_letter
from ldapply.workflows import REGIMES
from tests.support import (
    REGIME_ANSWERS,
    act,
    assess_all,
    fill_steps,
    login,
    minimal_pdf,
    post,
    start_application,
    submit,
)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def rendered(app, application_id, kind: str) -> tuple[Letter, bytes]:
    with app.app_context():
        letter = db.session.scalar(
            db.select(Letter).where(Letter.application_id == application_id, Letter.kind == kind)
        )
        render_letter(str(letter.id))
        db.session.refresh(letter)
        assert letter.status == LetterStatus.RENDERED, letter.error
        data = (app.config["STORAGE_DIR"] / letter.storage_key).read_bytes()
        db.session.expunge(letter)
    return letter, data


def submitted_under(client, people, code: str):
    login(client, people.applicant)
    application_id = start_application(client, code)
    fill_steps(client, application_id, regime=code)
    assert submit(client, application_id).status_code == 302
    return application_id


def test_every_registered_regime_has_answers_for_the_end_to_end_tests():
    assert set(REGIMES) <= set(REGIME_ANSWERS)


@pytest.mark.parametrize("code", sorted(REGIME_ANSWERS))
class TestRegimeEndToEnd:
    def test_granted_after_admissibility_and_a_full_assessment(self, app, client, people, code):
        application_id = submitted_under(client, people, code)
        login(client, people.reviewer)
        assert act(client, application_id, "start_admissibility").status_code == 302
        assert act(client, application_id, "accept_for_review").status_code == 302
        case = client.get(f"/backoffice/applications/{application_id}/assessment").get_data(as_text=True)
        for condition in REGIMES[code].conditions:
            assert condition.title.nl in case
        assert act(client, application_id, "propose_grant", "Alles in orde.").status_code == 409  # not assessed
        assess_all(client, application_id, [c.code for c in REGIMES[code].conditions])
        assert act(client, application_id, "propose_grant", "Alle voorwaarden zijn vervuld.").status_code == 302
        login(client, people.decision_maker)
        assert act(client, application_id, "confirm_grant").status_code == 302

        _, pdf = rendered(app, application_id, "decision_granted")
        text = pdf_text(pdf)
        assert "Buurtwerk De Brug vzw" in text
        assert "Alle voorwaarden zijn vervuld." in text
        assert "Raad van State" in text
        assert REGIMES[code].legal_basis[0].instrument.nl[:30] in text.replace("\n", " ")
        with app.app_context():
            application = db.session.get(Application, application_id)
            assert application.state == "granted"
            assert application.parameters == REGIMES[code].parameter_values_json()

    def test_refused_after_an_intended_refusal_and_a_hearing(self, app, client, people, code):
        application_id = submitted_under(client, people, code)
        login(client, people.reviewer)
        act(client, application_id, "start_admissibility")
        act(client, application_id, "accept_for_review")
        first = REGIMES[code].conditions[0].code
        assess_all(client, application_id, [first], met=False)
        extra = {}
        if REGIMES[code].hears():  # a regime with a hearing before a refusal
            assert act(client, application_id, "propose_refusal", "Niet vervuld.").status_code == 409  # not heard
            response = act(client, application_id, "announce_refusal", "De lokale behoefte is niet aangetoond.")
            assert response.status_code == 302
            _, hearing = rendered(app, application_id, "intended_refusal")
            assert "geen beslissing" in " ".join(pdf_text(hearing).split())
            assert act(client, application_id, "propose_refusal", "Niet vervuld.").status_code == 409  # hearing open
            login(client, people.applicant)
            response = post(
                client,
                f"/applications/{application_id}/actions/respond_to_hearing",
                {
                    "comment": "Wij tonen de behoefte aan met een buurtbevraging.",
                    "files": (io.BytesIO(minimal_pdf()), "bevraging.pdf"),
                },
                content_type="multipart/form-data",
            )
            assert response.status_code == 302, response.get_data(as_text=True)
            login(client, people.reviewer)
            case = client.get(f"/backoffice/applications/{application_id}").get_data(as_text=True)
            assert "Wij tonen de behoefte aan met een buurtbevraging." in case
            assert "bevraging.pdf" in case
            response = act(client, application_id, "propose_refusal", "Voorwaarde niet vervuld.")
            assert response.status_code == 409  # the response is not answered yet
            assert "reactie" in response.get_data(as_text=True)
            extra = {"hearing_answer": "Een bevraging van twaalf buren toont geen behoefte in de hele wijk aan."}
        assert act(client, application_id, "propose_refusal", "Voorwaarde niet vervuld.", **extra).status_code == 302
        login(client, people.decision_maker)
        assert act(client, application_id, "confirm_refusal").status_code == 302
        _, pdf = rendered(app, application_id, "decision_refused")
        text = " ".join(pdf_text(pdf).split())
        assert "geweigerd" in text
        assert "niet vervuld" in text.lower()
        if REGIMES[code].hears():
            assert "Wij tonen de behoefte aan met een buurtbevraging." in text
            assert "Een bevraging van twaalf buren toont geen behoefte in de hele wijk aan." in text

    def test_additions_stop_the_clock_and_the_applicant_completes_them(self, app, client, people, code):
        application_id = submitted_under(client, people, code)
        login(client, people.reviewer)
        act(client, application_id, "start_admissibility")
        assert act(client, application_id, "request_additions", "Voeg de begroting voor 2027 toe.").status_code == 302
        case = client.get(f"/backoffice/applications/{application_id}").get_data(as_text=True)
        assert "De termijn staat stil" in case
        login(client, people.applicant)
        overview = client.get(f"/applications/{application_id}").get_data(as_text=True)
        assert "Voeg de begroting voor 2027 toe." in overview
        fill_steps(client, application_id, regime=code)  # the applicant may edit again
        response = client.post(
            f"/applications/{application_id}/actions/submit_additions", data={"csrf_token": _token(client)}
        )
        assert response.status_code == 302
        with app.app_context():
            assert db.session.get(Application, application_id).state == "admissibility_check"


def _token(client) -> str:
    from tests.support import csrf_token

    return csrf_token(client)
