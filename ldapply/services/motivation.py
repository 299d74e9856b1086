"""The motivation check a decision passes before it is confirmed: what a judge would catch.

A decision is refused, with the reason, when a condition judged "not met" or "not applicable" (or "met" while
its norm is not set) has no substantive reason, when "not applicable" is given to a condition of every
application, when its letter would cite something not found in the law as law, or when it leaves the hearing
response or an advice on the case unanswered (law of 29 July 1991; domain brief 7).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..i18n import _, text
from ..workflows._spec import Condition, Regime, Verdict
from .letter_context import ARTICLE, CaseRecord, found_articles, hearing_context

# A reason of fewer words than this is a placeholder ("zie mail", "niet ok"), not a motivation.
MIN_REASON_WORDS = 5


def substantive(text: str | None) -> bool:
    return bool(text) and len((text or "").split()) >= MIN_REASON_WORDS


def motivation_problems(case: CaseRecord, regime: Regime, *, assessed: bool) -> list[str]:
    """Why this decision may not be taken as it stands; empty when it may. `assessed`: the decision
    rests on the legal conditions (a grant or refusal after the substantive review)."""
    problems = []
    if assessed:
        problems += _unreasoned_conditions(case, regime)
        problems += _conditions_cited_as_law(regime)
    problems += _articles_not_found(case, regime, assessed=assessed)
    problems += _unanswered(case, regime, assessed=assessed)
    return problems


def _unreasoned_conditions(case: CaseRecord, regime: Regime) -> list[str]:
    """A condition judged not met, or not applicable, tells the applicant why in the letter; "not applicable" only
    where the condition's terms allow it (a verdict stored otherwise, as by an import, is caught here)."""
    problems = []
    for condition in regime.conditions:
        verdict = case.verdicts.get(condition.code)
        title = text(condition.title)
        if verdict is None:
            continue
        if verdict.verdict == Verdict.MET:
            if norm_unset(condition, case.parameters) and not substantive(verdict.reason):
                problems.append(met_without_norm(title))
        elif verdict.verdict == Verdict.NOT_APPLICABLE and condition.inapplicable_when is None:
            problems.append(concerns_every_application(title))
        elif not substantive(verdict.reason):
            problems.append(_unreasoned(title, Verdict(verdict.verdict)))
    return problems


def norm_unset(condition: Condition, parameters: Mapping[str, Any]) -> bool:
    """Whether the condition rests on a norm the administration has not set (so a verdict cannot lean on it)."""
    return any(parameters.get(name) is None for name in condition.norm)


def met_without_norm(condition: str) -> str:
    return _(
        "Voor „%(condition)s” is geen norm vastgelegd: zeg in de reden waaraan u de voorwaarde vervuld achtte "
        "(minstens %(words)s woorden); die komt in de brief.",
        condition=condition,
        words=MIN_REASON_WORDS,
    )


def concerns_every_application(condition: str) -> str:
    return _(
        "De voorwaarde „%(condition)s” geldt voor elke aanvraag van deze regeling en kan dus niet „niet van "
        "toepassing” zijn. Beoordeel ze als vervuld of niet vervuld.",
        condition=condition,
    )


def _unreasoned(condition: str, verdict: Verdict) -> str:
    if verdict == Verdict.NOT_APPLICABLE:
        return _(
            "De voorwaarde „%(condition)s” is niet van toepassing bevonden zonder inhoudelijke reden voor de brief "
            "(minstens %(words)s woorden). Vul de reden aan in de beoordeling van de voorwaarden.",
            condition=condition,
            words=MIN_REASON_WORDS,
        )
    return _(
        "De voorwaarde „%(condition)s” is niet vervuld bevonden zonder inhoudelijke reden voor de brief "
        "(minstens %(words)s woorden). Vul de reden aan in de beoordeling van de voorwaarden.",
        condition=condition,
        words=MIN_REASON_WORDS,
    )


def _conditions_cited_as_law(regime: Regime) -> list[str]:
    """A condition whose citation names an article while it was not found would print an assumption as law."""
    return [
        _(
            "De brief zou „%(citation)s” als rechtsgrond citeren voor de voorwaarde „%(condition)s”, maar dat "
            "artikel is niet in de regelgeving gevonden. Laat de regeling dit als regel van de administratie "
            "vermelden.",
            citation=c.basis.text,
            condition=text(c.title),
        )
        for c in regime.conditions
        if not c.basis.is_law and ARTICLE.search(c.basis.text)
    ]


def _articles_not_found(case: CaseRecord, regime: Regime, *, assessed: bool) -> list[str]:
    """Staff texts for the letter that cite an article no found source of the regime names."""
    known = found_articles(regime)
    texts = [case.proposal.motivation if case.proposal else "", case.message]
    if case.proposal:
        texts += list(case.proposal.considerations.values())
    if assessed:
        texts += [v.reason or "" for v in case.verdicts.values()]
    cited = {m.lower() for text in texts for m in ARTICLE.findall(text or "")}
    return [
        _(
            "De motivering citeert art. %(article)s als rechtsgrond, maar dat artikel staat niet in de gevonden "
            "rechtsgronden van deze regeling. Citeer alleen gevonden artikels, of noem het een regel van de "
            "administratie.",
            article=number,
        )
        for number in sorted(cited - known)
    ]


def _unanswered(case: CaseRecord, regime: Regime, *, assessed: bool) -> list[str]:
    problems = []
    hearing = hearing_context(case, regime)
    considerations = case.proposal.considerations if case.proposal else {}
    if hearing is not None and hearing["response"] and not substantive(considerations.get("hearing")):
        problems.append(
            _(
                "De aanvrager reageerde op de voorgenomen beslissing; de brief moet op die reactie antwoorden. "
                "Vul het antwoord op de reactie in."
            )
        )
    advised = any((t := regime.transition(e.action)) is not None and t.advises for e in case.events)
    if assessed and advised and not substantive(considerations.get("advice")):
        problems.append(
            _("Over deze aanvraag werd advies uitgebracht; de brief moet op dat advies ingaan. Vul het in.")
        )
    return problems
