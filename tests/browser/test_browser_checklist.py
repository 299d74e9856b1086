"""The reviewer's checklist in a real Chromium, in Dutch and English, on a caretakers case: "not applicable" is
offered only where a condition's terms allow it (saying when), a condition without a norm asks a reason for
"met" too, and a save refused for that comes back with every choice and text as typed; axe-core on each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ldapply.services.motivation import MIN_REASON_WORDS
from ldapply.workflows import get_regime
from tests.browser.a11y import Checker
from tests.browser.declaring import declare_if_asked
from tests.browser.test_accessibility import choose_language, log_in, reference_of
from tests.browser.words import LANGUAGES, Words
from tests.support import act, login, post
from tests.support_case_work import case_in_review, case_url

pytestmark = pytest.mark.browser

CARETAKERS = get_regime("caretakers")
RATIO = CARETAKERS.condition("units_per_caretaker")  # its norm is not set
DIVISION = CARETAKERS.condition("sui_generis")  # may be not applicable
NOTE = "Navragen bij de SHM hoeveel woningen elk complex telt."
RATIO_REASON = "Eén huisbewaarder per complex van 120 woningen, zoals de stukken van de SHM tonen."


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_checklist_offers_not_applicable_where_it_may_and_keeps_a_refused_save_as_typed(
    app, client, people, page, lang, check_accessibility: Checker
):
    words = Words(app, lang)
    application_id = case_in_review(client, people, "caretakers")
    assert act(client, application_id, "accept_for_review").status_code == 302
    choose_language(page, lang)
    log_in(page, words, people.reviewer)
    page.goto(case_url(application_id) + "/assessment")
    declare_if_asked(page, page.get_by_role("heading", level=1, name=re.compile(reference_of(app, application_id))))

    section = page.get_by_role("region", name=words("Beoordeling van de voorwaarden"))
    not_applicable = section.get_by_role("radio", name=words("Niet van toepassing"), exact=True)
    expect(not_applicable).to_have_count(1)  # the sui generis division alone
    division = section.locator(f"#condition-{DIVISION.code}")
    expect(division).to_contain_text(words("Alleen wanneer %(when)s.", when=words.text(DIVISION.inapplicable_when)))
    ratio = section.locator(f"#condition-{RATIO.code}")
    expect(ratio).to_contain_text(
        words("Voor deze voorwaarde is geen norm vastgelegd: geef ook bij „vervuld” de reden.")
    )
    check_accessibility(page, "checklist")

    for condition in CARETAKERS.conditions:
        row = section.locator(f"#condition-{condition.code}")
        row.get_by_role("radio", name=words("Vervuld"), exact=True).check()
    ratio.get_by_label(words("Interne notitie (nooit in een brief)"), exact=True).fill(NOTE)
    section.get_by_role("button", name=words("Beoordeling bewaren"), exact=True).click()
    refusal = words(
        "Voor „%(condition)s” is geen norm vastgelegd: zeg in de reden waaraan u de voorwaarde vervuld achtte "
        "(minstens %(words)s woorden); die komt in de brief.",
        condition=words.text(RATIO.title),
        words=MIN_REASON_WORDS,
    )
    expect(page.locator("div.notice-warn[role=status]")).to_contain_text(refusal)
    section = page.get_by_role("region", name=words("Beoordeling van de voorwaarden"))
    ratio = section.locator(f"#condition-{RATIO.code}")
    expect(ratio.get_by_label(words("Interne notitie (nooit in een brief)"), exact=True)).to_have_value(NOTE)
    for condition in CARETAKERS.conditions:  # every choice kept
        expect(section.locator(f"#verdict-{condition.code}-met")).to_be_checked()
    check_accessibility(page, "checklist-refused-as-typed")

    ratio.get_by_label(words("Reden (komt in de brief)"), exact=True).fill(RATIO_REASON)
    section.get_by_role("button", name=words("Beoordeling bewaren"), exact=True).click()
    expect(page.locator(".notice-success")).to_contain_text(
        words("Beoordeling bewaard (%(count)s voorwaarde(n) gewijzigd).", count=len(CARETAKERS.conditions))
    )


COLLEAGUE_REASON = "De SHM telt 300 woningen per huisbewaarder; dat is te veel voor het toezicht op de complexen."
SEEN = re.compile(r'name="seen-([a-z_]+)" value="(\d+)"')


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_save_after_a_colleagues_verdict_keeps_what_was_typed_beside_the_colleagues(
    app, client, people, page, lang, check_accessibility: Checker
):
    words = Words(app, lang)
    application_id = case_in_review(client, people, "caretakers")
    assert act(client, application_id, "accept_for_review").status_code == 302
    choose_language(page, lang)
    log_in(page, words, people.reviewer)
    page.goto(case_url(application_id) + "/assessment")
    declare_if_asked(page, page.get_by_role("heading", level=1, name=re.compile(reference_of(app, application_id))))
    section = page.get_by_role("region", name=words("Beoordeling van de voorwaarden"))
    for condition in CARETAKERS.conditions:
        section.locator(f"#verdict-{condition.code}-met").check()
    ratio, division = (section.locator(f"#condition-{c.code}") for c in (RATIO, DIVISION))
    ratio.get_by_label(words("Reden (komt in de brief)"), exact=True).fill(RATIO_REASON)
    division.get_by_label(words("Interne notitie (nooit in een brief)"), exact=True).fill(NOTE)

    colleague = app.test_client()  # meanwhile, from the page as it stands
    login(colleague, people.reviewer_and_decision_maker)
    shown = colleague.get(case_url(application_id) + "/assessment").get_data(as_text=True)
    judged = {f"verdict-{RATIO.code}": "not_met", f"reason-{RATIO.code}": COLLEAGUE_REASON}
    seen = {f"seen-{code}": version for code, version in SEEN.findall(shown)}
    assert seen, shown[:2000]  # the colleague's page shows the checklist
    saved = post(colleague, f"/backoffice/applications/{application_id}/assessment", {**judged, **seen})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]

    section.get_by_role("button", name=words("Beoordeling bewaren"), exact=True).click()
    changed = words(
        "Intussen gewijzigd door een collega: het oordeel over %(conditions)s. Er werd niets bewaard. "
        "Bij die voorwaarden ziet u het oordeel van uw collega, met uw eigen invoer ernaast; bij de andere "
        "staat wat u invulde. Bekijk ze en bewaar opnieuw.",
        conditions=f"„{words.text(RATIO.title)}” ({people.reviewer_and_decision_maker.name})",
    )
    expect(page.locator("div.notice-warn[role=status]")).to_contain_text(changed)
    section = page.get_by_role("region", name=words("Beoordeling van de voorwaarden"))
    ratio, division = (section.locator(f"#condition-{c.code}") for c in (RATIO, DIVISION))
    expect(section.locator(f"#verdict-{RATIO.code}-not")).to_be_checked()  # the colleague's verdict
    expect(ratio.get_by_label(words("Reden (komt in de brief)"), exact=True)).to_have_value(COLLEAGUE_REASON)
    mine = ratio.locator(".unsaved-verdict")
    expect(mine).to_contain_text(words("Uw invoer, niet bewaard:") + " " + words("Vervuld"))
    expect(mine).to_contain_text(RATIO_REASON)
    expect(division.get_by_label(words("Interne notitie (nooit in een brief)"), exact=True)).to_have_value(NOTE)
    for condition in CARETAKERS.conditions:
        if condition.code != RATIO.code:  # every other choice as typed
            expect(section.locator(f"#verdict-{condition.code}-met")).to_be_checked()
    check_accessibility(page, "checklist-changed-meanwhile")
