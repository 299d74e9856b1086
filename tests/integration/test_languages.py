"""Pages in Dutch and in English through the language switch; letters in Dutch whatever language the
person who takes the decision reads the interface in."""

from __future__ import annotations

import dataclasses
import html
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from ldapply.clock import MONTHS_NL
from ldapply.extensions import db
from ldapply.models import Application, Letter, User
from ldapply.workflows import get_regime
from ldapply.workflows._spec import Text
from scripts.catalogue import read_catalogue
from tests.support import act, login, submitted_application, through_hearing, to_review

# What each page shows in each language (from the catalogue; the regime's own labels are checked apart).
PUBLIC_PAGES = {
    "/login": {"nl": "E-mailadres", "en": "Email address"},
    "/verify": {"nl": "Is deze brief echt?", "en": "Is this letter genuine?"},
    "/help": {"nl": "Vaak gestelde vragen", "en": "Frequently asked questions"},
}
FOOTER = {"nl": "Hulp en contact", "en": "Help and contact"}
OTHER = {"nl": "en", "en": "nl"}


def choose(client: FlaskClient, code: str) -> None:
    """The language as the switch leaves it: in the session."""
    with client.session_transaction() as session:
        session["locale"] = code


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return html.unescape(response.get_data(as_text=True))


def assert_in_language(text: str, code: str, *expected: str) -> None:
    assert f'<html lang="{code}">' in text
    for wanted in (FOOTER[code], *expected):
        assert wanted in text, f"{wanted!r} not on the {code} page"
    assert FOOTER[OTHER[code]] not in text


@pytest.mark.parametrize("code", ["nl", "en"])
@pytest.mark.parametrize("path", list(PUBLIC_PAGES))
def test_public_pages_speak_the_chosen_language(client, path, code):
    choose(client, code)
    text = page(client, path)
    assert_in_language(text, code, PUBLIC_PAGES[path][code])
    assert PUBLIC_PAGES[path][OTHER[code]] not in text


@pytest.mark.parametrize(
    ("code", "heading", "message"),
    [
        ("nl", "Pagina niet gevonden", "Deze pagina bestaat niet."),
        ("en", "Page not found", "This page does not exist."),
    ],
)
def test_the_error_page_speaks_the_chosen_language(client, code, heading, message):
    choose(client, code)
    assert_in_language(page(client, "/no-such-page", 404), code, heading, message)


def test_dutch_is_the_language_until_another_is_chosen(client):
    assert_in_language(page(client, "/verify"), "nl", PUBLIC_PAGES["/verify"]["nl"])


def test_the_switch_changes_the_language_and_returns_to_the_page(client):
    response = client.get("/language/en?next=/verify")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/verify")
    assert_in_language(page(client, "/verify"), "en", PUBLIC_PAGES["/verify"]["en"])
    client.get("/language/nl?next=/verify")
    assert_in_language(page(client, "/verify"), "nl", PUBLIC_PAGES["/verify"]["nl"])


def test_the_language_chosen_before_logging_in_is_kept_and_remembered_on_the_account(app, client, people):
    client.get("/language/en?next=/login")
    login(client, people.reviewer)
    assert_in_language(page(client, "/backoffice/"), "en", "Work queue")
    client.get("/language/en?next=/backoffice/")  # logged in: the account remembers it (e-mails follow it)
    with app.app_context():
        assert db.session.get(User, people.reviewer.id).locale == "en"


@pytest.fixture
def submitted(client: FlaskClient, people: Any) -> uuid.UUID:
    """A submitted general-regime application; the client is logged in as the reviewer."""
    application_id = submitted_application(client, people)
    login(client, people.reviewer)
    return application_id


@pytest.mark.parametrize(
    ("code", "queue", "history"), [("nl", "Werkvoorraad", "Tijdlijn"), ("en", "Work queue", "Timeline")]
)
def test_back_office_pages_speak_the_chosen_language_with_the_regimes_own_labels(
    app, client, submitted, code, queue, history
):
    choose(client, code)
    regime = get_regime("general")
    with app.app_context():
        application = db.session.get(Application, submitted)
        reference, state = application.reference, regime.state(application.state)
    queue_page = page(client, "/backoffice/?view=all")
    assert_in_language(queue_page, code, queue, reference, regime.title.get(code), state.label.get(code))
    case_page = page(client, f"/backoffice/applications/{submitted}")
    case_word = {"nl": "Dossier", "en": "Case"}[code]
    assert_in_language(case_page, code, f"{case_word} {reference}", history, state.label.get(code))
    assert {"nl": "Timeline", "en": "Tijdlijn"}[code] not in case_page
    assert {"nl": "Answers", "en": "Antwoorden"}[code] not in case_page


STAFF_PAGES = {
    "/backoffice/calls": ("Oproepen", "Calls for applications"),
    "/backoffice/parameters": ("Parameters van de regelingen", "Parameters of the regimes"),
    "/backoffice/signatories": ("Ondertekenaar toevoegen", "Add a signatory"),
    "/backoffice/uncertainty": (
        "Beslissingen op regels die niet gevonden zijn",
        "Decisions on rules that were not found",
    ),
    "/backoffice/sample-letters": ("Voorbeeldbrieven", "Sample letters"),
}


@pytest.mark.parametrize("code", ["nl", "en"])
@pytest.mark.parametrize("path", list(STAFF_PAGES))
def test_the_admins_pages_speak_the_chosen_language_with_the_regimes_own_titles(client, people, path, code):
    login(client, people.admin)
    choose(client, code)
    text = page(client, path)
    dutch, english = STAFF_PAGES[path]
    assert_in_language(text, code, {"nl": dutch, "en": english}[code])
    assert get_regime("general").title.get(code) in text


# -- letters stay Dutch ---------------------------------------------------------------------------------


def regime_texts(value: Any, seen: set[int] | None = None) -> Iterator[Text]:
    """Every Text in a regime's data (labels, titles, findings' wording where declared)."""
    seen = seen if seen is not None else set()
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, Text):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from regime_texts(getattr(value, field.name), seen)
    elif isinstance(value, list | tuple | frozenset | set):
        for item in value:
            yield from regime_texts(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from regime_texts(item, seen)


def strings_in(value: Any) -> Iterator[str]:
    """Every string value of a letter's frozen context (not its keys)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


def english_only_phrases(regime: Any) -> set[str]:
    """English wording that is not also Dutch: the regime's English labels and the catalogue's sentences."""
    phrases = {t.en for t in regime_texts(regime) if t.en != t.nl and len(t.en.split()) >= 2}
    for message in read_catalogue():
        english = message.string if isinstance(message.string, str) else ""
        if message.id and english and english != message.id and "%" not in english and len(english.split()) >= 3:
            phrases.add(english)
    return phrases


def test_a_decision_taken_in_english_issues_a_letter_entirely_in_dutch(app, client, people):
    """Reviewer and decision maker read the interface in English; the refusal letter is the Dutch legal act."""
    choose(client, "en")  # kept through every login below
    application_id = submitted_application(client, people)
    login(client, people.reviewer)
    to_review(client, application_id, met=False)
    through_hearing(client, people, application_id, respond=False)
    proposed = act(client, application_id, "propose_refusal", "Onvoldoende doelgroepwerknemers in de begroting.")
    assert proposed.status_code == 302, proposed.get_data(as_text=True)[:2000]
    login(client, people.decision_maker)
    regime = get_regime("general")
    confirm = page(client, f"/backoffice/applications/{application_id}/actions/confirm_refusal/confirm")
    label = regime.transition("confirm_refusal").label
    assert_in_language(confirm, "en", f"Confirm: {label.en}", "The letter this step issues")
    response = act(client, application_id, "confirm_refusal")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert f"Done: {label.en}." in page(client, response.headers["Location"])  # decided in English
    with app.app_context():
        letter = db.session.scalars(
            select(Letter).where(Letter.application_id == application_id).order_by(Letter.created_at.desc()).limit(1)
        ).one()
        kind, context = letter.kind, dict(letter.context)
        from ldapply.services.letters import render_html

        document = html.unescape(render_html(regime.code, kind, context))
    assert regime.letter(kind).is_decision
    values = list(strings_in(context))
    refused = regime.conditions[0]
    phrases = english_only_phrases(regime)
    assert {refused.title.en, regime.letter(kind).title.en, "Sign in to continue."} <= phrases  # what is looked for
    english = sorted(p for p in phrases if any(p in v for v in values) or p in document)
    assert not english, f"English in the {kind} letter: {english}"
    assert any(refused.title.nl in v for v in values), "the letter names the condition in Dutch"
    _day, month, _year = re.fullmatch(r"(\d{1,2}) (\w+) (\d{4})", context["date"]).groups()
    assert month in MONTHS_NL
    assert '<html lang="nl">' in document
    assert refused.title.nl in document


@pytest.mark.parametrize("code", ["nl", "en"])
def test_templates_translate_escape_and_format_as_flask_babel_does(app, code):
    """The translations a template's context carries (ldapply/i18n.py page_language) give what Flask-Babel's
    own gettext gives in Python, with the values escaped, `num` filled, and any variable name free."""
    from flask import render_template_string, session
    from flask_babel import gettext, ngettext, refresh

    source = (
        '{{ _("Uw sessie is verlopen. Meld u opnieuw aan.") }}|{{ _("%(reference)s selecteren", reference=ref) }}|'
        '{{ ngettext("%(num)s aanvraag.", "%(num)s aanvragen.", 3) }}|{{ _("%(message)s", message=ref, count=1) }}'
    )
    with app.test_request_context("/"):
        session["locale"] = code
        refresh()
        shown = render_template_string(source, ref="<b>LDE-1</b>").split("|")
        expected = [
            gettext("Uw sessie is verlopen. Meld u opnieuw aan."),
            gettext("%(reference)s selecteren", reference="&lt;b&gt;LDE-1&lt;/b&gt;"),
            ngettext("%(num)s aanvraag.", "%(num)s aanvragen.", 3),
            "&lt;b&gt;LDE-1&lt;/b&gt;",
        ]
    assert shown == expected
    assert (shown[0] == "Uw sessie is verlopen. Meld u opnieuw aan.") == (code == "nl")
