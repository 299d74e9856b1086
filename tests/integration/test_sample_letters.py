"""The sample letters lawyers review (`flask ldapply sample-letters DIR`) and what every letter promises: its
legal basis, its decision and reasons, the remedies, page numbers, a signatory, and a verification code that
/verify accepts; the verify page's limits; the back-office pages on letters; the legal-uncertainty ledger; and
the notice on applications started outside their regime's period."""

from __future__ import annotations

import html
import io
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from ldapply.clock import LOCAL_ZONE, letter_date
from ldapply.extensions import db
from ldapply.models import Application, LegalReliance, Letter, LetterStatus
from ldapply.services.calls import today
from ldapply.services.samples import SAMPLE_ORGANISATION, sample_case
from ldapply.tasks import render_letter
from ldapply.workflows import REGIMES
from tests.support import login, post, refuse_after_hearing, start_application, submitted_application, to_review

LDE = ["general", "caretakers", "childcare"]
each_regime = pytest.mark.parametrize("regime", LDE, ids=LDE)

SAMPLES = [
    pytest.param(regime.code, spec.key, id=f"{regime.code}-{spec.key}")
    for regime in REGIMES.values()
    for spec in regime.letters
]
SAMPLE_DECISIONS = [
    pytest.param(regime.code, spec.key, id=f"{regime.code}-{spec.key}")
    for regime in REGIMES.values()
    for spec in regime.letters
    if spec.is_decision
]
CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b")
GENUINE = "Deze brief is echt"
NOT_FOUND = "Geen brief gevonden"


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def page_text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def day_text(day: Any) -> str:
    """A date as letters write it: 22 december 2006."""
    return letter_date(datetime(day.year, day.month, day.day, 12, tzinfo=LOCAL_ZONE))


def one_character_changed(code: str) -> str:
    first = "B" if code[0] == "A" else "A"
    return first + code[1:]


def verify(client: FlaskClient, reference: str, code: str, address: str = "127.0.0.1") -> tuple[int, str]:
    """POST /verify as a browser with the form open; `address` is the client's IP, which the limit counts."""
    response = post(client, "/verify", {"reference": reference, "code": code}, environ_base={"REMOTE_ADDR": address})
    return response.status_code, page_text(response)


# -- the sample letters, written once per test process ---------------------------------------------------------


@dataclass(frozen=True)
class SampleLetter:
    text: str
    code: str | None
    reference: str | None
    verified: tuple[int, str]  # /verify with the code printed in the letter
    tampered: tuple[int, str]  # /verify with that code, one character changed


@dataclass(frozen=True)
class SampleRun:
    exit_code: int
    output: str
    files: frozenset[str]
    letters: dict[str, SampleLetter]


@pytest.fixture(scope="module")
def samples(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> SampleRun:
    """Run the command once for the module, read every PDF, and check each code on /verify at once: the
    letters it registers are deleted with every other row after the first test that uses them.

    The command runs inside an app context, as `flask ldapply sample-letters` runs it (Flask's own CLI
    pushes one for every command); that it also runs without one is a test of its own below."""
    folder = tmp_path_factory.mktemp("sample-letters")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["ldapply", "sample-letters", str(folder)])
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    client = app.test_client()
    letters = {}
    for index, path in enumerate(sorted(folder.glob("*.pdf"))):
        text = pdf_text(path.read_bytes())
        code = CODE.search(text)
        reference = re.search(r"Ons kenmerk (\S+)", text)
        checked = (0, ""), (0, "")
        if code and reference:
            address = f"10.77.{index // 100}.{2 * (index % 100) + 1}"  # one address per check: no rate limit
            checked = (
                verify(client, reference.group(1), code.group(0), address),
                verify(client, reference.group(1), one_character_changed(code.group(0)), address + "0"),
            )
        letters[path.stem] = SampleLetter(
            text, code.group(0) if code else None, reference.group(1) if reference else None, *checked
        )
    return SampleRun(result.exit_code, result.output, frozenset(p.name for p in folder.iterdir()), letters)


def sample_of(samples: SampleRun, regime: str, kind: str) -> SampleLetter:
    found = samples.letters.get(f"{regime}-{kind}")
    assert found is not None, f"no {regime}-{kind}.pdf written"
    return found


class TestTheSampleLettersCommand:
    def test_the_command_runs_under_flasks_test_cli_runner_without_an_app_context_pushed_by_the_test(
        self, app, tmp_path
    ):
        result = app.test_cli_runner().invoke(args=["ldapply", "sample-letters", str(tmp_path)])
        assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
        assert sorted(p.name for p in tmp_path.glob("*.pdf"))

    def test_the_command_writes_a_pdf_for_every_letter_kind_of_every_registered_regime(self, samples):
        expected = {f"{regime.code}-{spec.key}.pdf" for regime in REGIMES.values() for spec in regime.letters}
        assert "label_2013" in REGIMES
        assert samples.files == expected

    def test_the_command_names_every_file_it_wrote(self, samples):
        named = {Path(line.strip()).name for line in samples.output.splitlines() if line.strip()}
        assert named == samples.files


@pytest.mark.parametrize(("regime", "kind"), SAMPLES)
class TestEverySampleLetter:
    def test_the_letter_names_its_legal_basis_with_the_date_of_the_instrument(self, samples, regime, kind):
        text = sample_of(samples, regime, kind).text
        named = []
        for basis in REGIMES[regime].legal_basis:
            day = day_text(basis.date)  # "22 december 2006"
            title = flat(basis.instrument.nl)
            named.append(title[: title.index(day) + len(day)] if day in title else title)
        assert any(name in text for name in named), named

    def test_the_letter_numbers_its_pages(self, samples, regime, kind):
        assert "Pagina 1 van" in sample_of(samples, regime, kind).text

    def test_the_letter_is_signed_with_the_signatorys_name_and_function(self, samples, regime, kind):
        signatory = sample_case(REGIMES[regime], kind, code="X" * 12).signatory
        text = sample_of(samples, regime, kind).text
        assert signatory.name in text
        assert flat(signatory.function) in text

    def test_the_letter_carries_a_verification_code_of_three_groups_of_four(self, samples, regime, kind):
        assert sample_of(samples, regime, kind).code is not None

    def test_verify_accepts_the_code_printed_in_the_letter(self, samples, regime, kind):
        status, page = sample_of(samples, regime, kind).verified
        assert status == 200
        assert GENUINE in page

    def test_verify_refuses_the_code_with_one_character_changed(self, samples, regime, kind):
        status, page = sample_of(samples, regime, kind).tampered
        assert status == 404
        assert NOT_FOUND in page

    def test_the_verify_page_never_shows_the_organisation_name_of_the_letter(self, samples, regime, kind):
        _, page = sample_of(samples, regime, kind).verified
        example = str(REGIMES[regime].example_answers.get("organisation_name", "Voorbeeld vzw"))
        assert example not in page
        assert SAMPLE_ORGANISATION not in page


@pytest.mark.parametrize(("regime", "kind"), SAMPLE_DECISIONS)
class TestEverySampleDecision:
    def test_the_decision_states_gelet_op_and_its_first_article(self, samples, regime, kind):
        text = sample_of(samples, regime, kind).text
        assert "Gelet op" in text
        assert "Artikel 1" in text

    def test_the_decision_gives_its_reasons(self, samples, regime, kind):
        proposal = sample_case(REGIMES[regime], kind, code="X" * 12).proposal
        assert proposal is not None
        assert proposal.motivation
        assert flat(proposal.motivation) in sample_of(samples, regime, kind).text

    def test_the_decision_states_the_appeal_to_the_council_of_state_within_60_days(self, samples, regime, kind):
        text = sample_of(samples, regime, kind).text
        assert "Raad van State" in text
        assert "60 dagen" in text


# -- real letters on /verify -------------------------------------------------------------------------------------


def rendered(app: Flask, application_id: uuid.UUID, kind: str) -> tuple[dict[str, Any], str]:
    """The letter's frozen context and its rendered text, rendered as the worker does."""
    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.application_id == application_id, Letter.kind == kind))
        assert letter is not None, kind
        render_letter(str(letter.id))
        db.session.refresh(letter)
        assert letter.status == LetterStatus.RENDERED, letter.error
        data = (app.config["STORAGE_DIR"] / letter.storage_key).read_bytes()
        return dict(letter.context), pdf_text(data)


class TestVerifyingARealLetter:
    def test_the_verify_page_never_shows_the_organisation_name_when_a_real_letter_is_verified(
        self, app, client, people
    ):
        application_id = submitted_application(client, people)
        context, _ = rendered(app, application_id, "receipt")
        status, page = verify(app.test_client(), context["reference"], context["verification"]["code"])
        assert (status, GENUINE in page) == (200, True)
        assert context["organisation"]["name"] == "Buurtwerk De Brug vzw"
        assert "Buurtwerk De Brug vzw" not in page
        assert "0403.170.701" not in page

    def test_verify_answers_429_when_one_address_posts_more_often_than_the_limit(self, app, client):
        assert app.config["VERIFY_RATE_LIMIT"] == "10 per minute"
        answers = [verify(client, "LDE-2026-AAAAAA", "ABCD-EFGH-JKLM", "10.66.0.1")[0] for _ in range(11)]
        assert answers[:10] == [404] * 10
        assert answers[10] == 429


# -- back-office pages ---------------------------------------------------------------------------------------------

PAGES = ["/backoffice/sample-letters", "/backoffice/uncertainty", "/backoffice/signatories"]
STAFF = ["reviewer", "decision_maker", "admin"]


class TestBackOfficePagesOnLetters:
    @pytest.mark.parametrize("path", PAGES, ids=[p.rsplit("/", 1)[-1] for p in PAGES])
    @pytest.mark.parametrize("role", STAFF)
    def test_the_page_loads_for_staff(self, client, people, path, role):
        login(client, getattr(people, role))
        assert client.get(path).status_code == 200

    @pytest.mark.parametrize("path", PAGES, ids=[p.rsplit("/", 1)[-1] for p in PAGES])
    def test_the_page_is_closed_to_applicants(self, client, people, path):
        login(client, people.applicant)
        assert client.get(path).status_code == 403

    def test_the_sample_letters_page_offers_every_kind_of_every_regime(self, client, people):
        login(client, people.reviewer)
        page = client.get("/backoffice/sample-letters").get_data(as_text=True)
        missing = [
            f"{regime.code}/{spec.key}"
            for regime in REGIMES.values()
            for spec in regime.letters
            if f"/backoffice/sample-letters/{regime.code}/{spec.key}" not in page
        ]
        assert not missing


# -- the legal-uncertainty ledger -----------------------------------------------------------------------------------


def relied_on_parameters(code: str) -> list[str]:
    """The parameters not found in the law that a refusal after a hearing rests on."""
    regime = REGIMES[code]
    names = ["hearing_days", *(n for c in regime.conditions for n in c.norm)]
    return [n for n in dict.fromkeys(names) if not regime.parameter(n).is_law]


def uncertainty_row(page: str, code: str, name: str) -> str:
    regime = REGIMES[code]
    sections = page.split("<h2>")
    section = next(s for s in sections if s.startswith(f"{html.escape(regime.title.nl)} (versie {regime.version})"))
    row = re.search(rf"<tr><td><code>{re.escape(name)}</code>(.*?)</tr>", section, re.DOTALL)
    assert row, f"no row for {name} under {code}"
    return row.group(1)


def refused_case(client: FlaskClient, people: Any, regime: str) -> tuple[uuid.UUID, str]:
    application_id = submitted_application(client, people, regime)
    login(client, people.reviewer)
    to_review(client, application_id, met=False, regime=regime)
    response = refuse_after_hearing(client, people, application_id)
    assert response.status_code == 302, page_text(response)[:2000]
    with client.application.app_context():
        application = db.session.get(Application, application_id)
        assert application.state == "refused"
        return application_id, application.reference


@each_regime
class TestTheUncertaintyLedger:
    def test_the_page_lists_the_refusal_under_each_parameter_not_found_that_it_rests_on(self, client, people, regime):
        _, reference = refused_case(client, people, regime)
        page = client.get("/backoffice/uncertainty").get_data(as_text=True)
        names = relied_on_parameters(regime)
        assert "hearing_days" in names
        missing = [name for name in names if reference not in uncertainty_row(page, regime, name)]
        assert not missing

    def test_legal_reliance_rows_are_recorded_for_the_refusal(self, app, client, people, regime):
        application_id, _ = refused_case(client, people, regime)
        with app.app_context():
            rows = db.session.scalars(select(LegalReliance).where(LegalReliance.application_id == application_id))
            recorded = {(row.kind, row.name) for row in rows}
        expected = {("parameter", name) for name in relied_on_parameters(regime)}
        expected |= {("citation", c.code) for c in REGIMES[regime].conditions if not c.basis.is_law}
        assert expected <= recorded


# -- outside the regime's period ---------------------------------------------------------------------------------------

OUTSIDE = "Buiten de geldingsperiode"


@each_regime
class TestAnApplicationStartedOutsideItsRegimesPeriod:
    def test_every_lde_regime_period_ended_before_today(self, app, regime):
        with app.app_context():
            assert not REGIMES[regime].in_force.covers(today())
        assert REGIMES[regime].in_force.ends.isoformat() == "2015-03-31"

    def test_the_applicants_page_shows_the_period_notice(self, client, people, regime):
        login(client, people.applicant)
        application_id = start_application(client, regime)
        assert OUTSIDE in page_text(client.get(f"/applications/{application_id}"))

    def test_the_case_page_shows_the_period_notice(self, client, people, regime):
        application_id = submitted_application(client, people, regime)
        login(client, people.reviewer)
        assert OUTSIDE in page_text(client.get(f"/backoffice/applications/{application_id}"))

    def test_the_receipts_frozen_context_marks_it_outside_the_period(self, app, client, people, regime):
        application_id = submitted_application(client, people, regime)
        with app.app_context():
            letter = db.session.scalar(select(Letter).where(Letter.application_id == application_id))
            period = letter.context["regime"]
        assert period["outside_period"] is True
        assert "buiten de periode" in period["period_note"]
        assert day_text(REGIMES[regime].in_force.ends) in period["period_note"]  # "31 maart 2015"

    def test_the_rendered_letters_state_the_period_note(self, app, client, people, regime):
        application_id, _ = refused_case(client, people, regime)
        for kind in ("receipt", "intended_refusal", "decision_refused"):
            context, text = rendered(app, application_id, kind)
            assert context["regime"]["outside_period"] is True, kind
            assert flat(context["regime"]["period_note"]) in text, kind
