"""The regime registry and the declarations: plain data, consistent, free of web and database code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ldapply.services import letters
from ldapply.services.letter_context import ARTICLE
from ldapply.workflows import REGIMES, get_regime, register
from ldapply.workflows._spec import Facts, FieldKind, Need, Role, Text
from tests.support import sample_letter_context

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


def test_the_registry_finds_the_general_regime_by_itself():
    assert "general" in REGIMES
    assert get_regime("general").legal_basis[0].numac == "2007035250"


def test_an_unknown_regime_is_a_lookup_error():
    with pytest.raises(LookupError):
        get_regime("nope")


def test_a_duplicate_regime_code_is_refused():
    with pytest.raises(RuntimeError, match="duplicate"):
        register(get_regime("general"))


def test_the_workflows_package_imports_no_web_database_or_worker_code():
    probe = (
        "import sys, ldapply.workflows; "
        "bad = [m for m in ('flask', 'sqlalchemy', 'celery', 'ldapply.models', 'ldapply.services') "
        "if m in sys.modules]; print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("regime", REGIMES.values(), ids=lambda r: r.code)
class TestRegimeContract:
    def test_transitions_join_declared_states(self, regime):
        codes = {s.code for s in regime.states}
        assert regime.initial_state in codes
        for transition in regime.transitions:
            assert transition.sources <= codes, transition.action
            assert transition.target in codes, transition.action

    def test_every_state_is_reachable_from_the_initial_state(self, regime):
        reached, frontier = {regime.initial_state}, [regime.initial_state]
        while frontier:
            state = frontier.pop()
            for transition in regime.transitions:
                if state in transition.sources and transition.target not in reached:
                    reached.add(transition.target)
                    frontier.append(transition.target)
        assert reached == {s.code for s in regime.states}

    def test_every_non_terminal_state_has_a_way_out(self, regime):
        for state in regime.states:
            if not state.terminal:
                assert any(state.code in t.sources for t in regime.transitions), state.code

    def test_only_staff_take_decisions(self, regime):
        decisions = {letter.key for letter in regime.letters if letter.is_decision}
        for transition in regime.transitions:
            if transition.confirms or transition.proposes or transition.letter in decisions:
                assert Role.APPLICANT not in transition.roles, transition.action

    def test_every_letter_is_declared_and_has_a_template(self, regime):
        keys = {letter.key for letter in regime.letters}
        for transition in regime.transitions:
            if transition.letter:
                assert transition.letter in keys, transition.action
        for key in keys:
            assert letters.template_name(regime.code, key) in letters.available_templates(), key

    def test_every_letter_renders_and_every_decision_letter_states_the_remedies(self, regime):
        for spec in regime.letters:
            html = letters.render_html(regime.code, spec.key, sample_letter_context(regime, spec.key))
            assert "Gelet op" in html or not spec.is_decision, spec.key
            assert ("Raad van State" in html) == spec.is_decision, spec.key

    def test_every_condition_states_its_basis_and_cites_an_article_only_when_found(self, regime):
        names = {f.name for f in regime.all_fields()}
        for condition in regime.conditions:
            assert condition.basis.text.strip(), condition.code
            assert condition.basis.is_law or not ARTICLE.search(condition.basis.text), condition.code
            assert set(condition.fields) <= names, condition.code

    def test_every_state_deadline_names_a_parameter(self, regime):
        parameters = {p.name for p in regime.parameters}
        for state in regime.states:
            assert state.deadline is None or state.deadline in parameters, state.code

    def test_guards_decide_on_plain_facts(self, regime):
        facts = Facts(answers={}, parameters=regime.parameter_values(), verdicts={}, conditions=())
        for transition in regime.transitions:
            if transition.guard is not None:
                result = transition.guard(facts)
                assert result is None or isinstance(result, Text), transition.action

    def test_proposals_and_confirmations_name_declared_outcomes(self, regime):
        outcomes = {o.code for o in regime.outcomes}
        for transition in regime.transitions:
            for outcome in (transition.proposes, transition.confirms):
                assert outcome is None or outcome in outcomes, transition.action
            if transition.proposes:
                assert transition.motivation is Need.REQUIRED, f"{transition.action} must carry a motivation"

    def test_every_deciding_transition_confirms_a_proposal_by_someone_else(self, regime):
        """Four eyes, from the data: every move that issues a decision letter confirms an outcome that
        another move proposes, and that proposing move belongs to other roles than the confirming one."""
        decision_letters = {letter.key for letter in regime.letters if letter.is_decision}
        deciding = [t for t in regime.transitions if t.letter in decision_letters or t.decides]
        assert deciding
        for transition in deciding:
            assert transition.decides, f"{transition.action} issues a decision but is not declared to decide"
            assert transition.confirms, f"{transition.action} decides alone"
            proposing = [t for t in regime.transitions if t.proposes == transition.confirms]
            assert proposing, f"nothing proposes what {transition.action} confirms"
            for proposal in proposing:
                assert proposal.target in transition.sources, (proposal.action, transition.action)
                assert not proposal.roles & transition.roles, (proposal.action, transition.action)

    def test_adverse_proposals_come_after_a_hearing_where_the_regime_hears(self, regime):
        adverse = {o.code for o in regime.outcomes if o.needs_hearing}
        heard = {s.code for s in regime.states if s.heard}
        for transition in regime.transitions:
            if regime.hears() and transition.proposes in adverse:
                assert transition.sources <= heard, transition.action

    def test_only_the_submitting_transition_submits(self, regime):
        submitting = [t for t in regime.transitions if t.submits]
        assert [t.action for t in submitting] == [regime.submit_action]
        withdraw = regime.transition("withdraw")
        assert withdraw is None or not withdraw.submits

    def test_step_slugs_and_field_names_are_unique(self, regime):
        slugs = [s.slug for s in regime.steps]
        names = [f.name for f in regime.all_fields()]
        assert len(slugs) == len(set(slugs))
        assert len(names) == len(set(names))

    def test_choice_fields_have_choices_and_file_fields_allowed_kinds(self, regime):
        for field in regime.all_fields():
            if field.kind == FieldKind.CHOICE:
                assert field.choices, field.name
            if field.kind == FieldKind.FILE:
                assert field.file_kinds, field.name

    def test_every_parameter_states_its_provenance_and_source(self, regime):
        for parameter in regime.parameters:
            assert parameter.source.strip(), parameter.name
            assert parameter.unit.strip(), parameter.name

    def test_the_legal_basis_is_stated(self, regime):
        assert regime.legal_basis
        assert all(basis.citation() for basis in regime.legal_basis)

    def test_the_submit_action_leaves_the_initial_state_for_applicants(self, regime):
        submit = regime.transition(regime.submit_action)
        assert submit is not None
        assert regime.initial_state in submit.sources
        assert Role.APPLICANT in submit.roles
