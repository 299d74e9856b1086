"""Every message of the interface has its English translation, and no page text escapes the catalogue.

The messages are extracted from the code as it is now (the same extraction as `make catalogue`), so a
new `_("...")` without its translation fails here, naming the message and where it is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from jinja2 import Environment, nodes

from scripts.catalogue import CATALOGUE, extract, read_catalogue, untranslated

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
# Letters are the legal act, in Dutch; they are not translated.
UNTRANSLATED_FOLDERS = ("letters",)
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
# Words a page may show as they are, in every language: the brand, file formats, codes.
ALLOWED = re.compile(r"\b(?:ldapply|PDF|HTML|SHA-256|KBO|FTE|LDE|CSV|ODT|DOCX|XLSX|ODS|PNG|JPEG|WCAG|axe-core)\b")
# Attributes whose text people read or hear.
READ_ATTRIBUTES = {"aria-label", "aria-description", "title", "alt", "placeholder"}
GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
LETTER = re.compile(r"[^\W\d_]")
SENTENCE = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}")  # two words: text, not a key or a format
WORDING = re.compile(r"^\s*[^\W\d_a-z]|[^\W\d_]{2,}\s+[^\W\d_]{2,}")  # a capital first, or two words


@pytest.fixture(scope="module")
def template() -> Catalog:
    return extract()


@pytest.fixture(scope="module")
def catalogue() -> Catalog:
    return read_catalogue(CATALOGUE)


def _where(message) -> str:
    return ", ".join(f"{file}:{line}" for file, line in message.locations[:3])


def test_every_message_has_an_english_translation(template, catalogue):
    missing = [f"{_where(m)}: {m.id!r}" for m in untranslated(template, catalogue)]
    assert not missing, (
        f"{len(missing)} message(s) without an English translation in {CATALOGUE.relative_to(ROOT)} "
        "(run `make catalogue`, then write the msgstr):\n" + "\n".join(missing)
    )


def _placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def test_translations_keep_the_placeholders(template, catalogue):
    wrong = []
    for message in template:
        entry = catalogue.get(message.id, message.context)
        if not message.id or entry is None or not entry.string:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = _placeholders(sources[-1])
        for string in strings:
            if string and _placeholders(string) != expected:
                wrong.append(
                    f"{_where(message)}: {sources[0]!r} has {expected}, {string!r} has {_placeholders(string)}"
                )
    assert not wrong, "placeholders differ between Dutch and English:\n" + "\n".join(wrong)


def test_the_catalogue_has_no_fuzzy_entries(catalogue):
    fuzzy = [message.id for message in catalogue if message.id and message.fuzzy]
    assert not fuzzy, f"fuzzy entries in {CATALOGUE.relative_to(ROOT)}: {fuzzy}"


# -- hard-coded text in templates ---------------------------------------------------------------------


JINJA = re.compile(
    r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}",
    re.DOTALL,
)


def _blank(match: re.Match[str]) -> str:
    """Jinja code blanked out, its newlines kept, so the HTML left has the template's line numbers."""
    return re.sub(r"[^\n]", " ", match.group(0))


def _readable(text: str) -> bool:
    return bool(LETTER.search(ALLOWED.sub("", text)))


class _TextFinder(HTMLParser):
    """Text nodes and read attributes with letters in them, in the template's HTML around its Jinja code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            button = name == "value" and tag == "input" and values.get("type") in ("submit", "button")
            if (name in READ_ATTRIBUTES or button) and _readable(value):
                self.found.append((self.getpos()[0], f"{name}={value.strip()!r}"))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(self._skip - 1, 0)

    def handle_data(self, data: str) -> None:
        if not self._skip and _readable(data):
            line = self.getpos()[0] + data[: len(data) - len(data.lstrip())].count("\n")
            self.found.append((line, data.strip()))


def _text_outside_gettext(source: str) -> list[tuple[int, str]]:
    finder = _TextFinder()
    finder.feed(JINJA.sub(_blank, source))
    finder.close()
    return finder.found


def _shown_strings(node: nodes.Node | None) -> Iterator[nodes.Const]:
    """The string constants of an expression that end up on the page as they are."""
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        yield node
    for child in _shown_parts(node):
        yield from _shown_strings(child)


def _shown_parts(node: nodes.Node | None) -> list[nodes.Node | None]:
    """The parts of an expression whose value is shown: both branches of `a if c else b`, not `c`."""
    if isinstance(node, nodes.CondExpr):
        return [node.expr1, node.expr2]
    if isinstance(node, nodes.Concat):
        return list(node.nodes)
    if isinstance(node, nodes.List | nodes.Tuple):
        return list(node.items)
    if isinstance(node, nodes.And | nodes.Or | nodes.Add):
        return [node.left, node.right]
    if isinstance(node, nodes.Dict):
        return [pair.value for pair in node.items]
    if isinstance(node, nodes.Getitem | nodes.Filter | nodes.Getattr):
        return [node.node]
    return []


def _strings_outside_gettext(source: str) -> list[tuple[int, str]]:
    """Text in expressions: `{{ 'Ja' if x else 'Nee' }}`, `{% set label = '...' %}`, and sentences
    passed to macros, filters and functions other than `_()`."""
    tree = Environment(autoescape=True, extensions=["jinja2.ext.i18n", "jinja2.ext.do"]).parse(source)
    shown: list[nodes.Const] = []
    for output in tree.find_all(nodes.Output):
        for child in output.nodes:
            if not isinstance(child, nodes.TemplateData):
                shown += _shown_strings(child)
    for assign in tree.find_all(nodes.Assign):
        shown += _shown_strings(assign.node)
    for call in tree.find_all((nodes.Call, nodes.Filter)):
        name = call.node.name if isinstance(call, nodes.Call) and isinstance(call.node, nodes.Name) else ""
        if name not in GETTEXT:
            arguments = [*call.args, *(keyword.value for keyword in call.kwargs)]
            shown += [a for a in arguments if isinstance(a, nodes.Const) and SENTENCE.search(str(a.value))]
    inside_gettext = {
        id(argument)
        for call in tree.find_all(nodes.Call)
        if isinstance(call.node, nodes.Name) and call.node.name in GETTEXT
        for argument in call.args
    }
    # One lowercase word ('yes', 'tag-done') is a value or a class, not wording.
    return [
        (c.lineno, repr(c.value))
        for c in shown
        if id(c) not in inside_gettext and _readable(c.value) and WORDING.search(ALLOWED.sub("", c.value))
    ]


def _translated_templates() -> list[Path]:
    return sorted(
        path for path in TEMPLATES.rglob("*.html") if path.relative_to(TEMPLATES).parts[0] not in UNTRANSLATED_FOLDERS
    )


def test_templates_have_no_text_outside_the_catalogue():
    found = []
    for path in _translated_templates():
        source = path.read_text(encoding="utf-8")
        hits = sorted(set(_text_outside_gettext(source) + _strings_outside_gettext(source)))
        found += [f"{path.relative_to(ROOT)}:{line}: {text}" for line, text in hits]
    assert not found, "text shown without _() (wrap it, or allow it in ALLOWED if it is a code):\n" + "\n".join(found)


def test_the_scan_finds_text_in_each_place_it_hides():
    """The heuristic itself: each kind of hard-coded text is found, wrapped text is not."""
    source = (
        '<h1>Titel</h1>\n<p>{{ _("Vertaald") }} – ldapply PDF</p>\n'
        '<nav aria-label="Weergave"></nav>\n'
        "{{ 'Ja' if x else _('Nee') }}\n"
        "{% set label = {'a': 'Gevonden'}[k] %}\n"
        "{{ field(hint='Twee woorden') }}{{ url_for('a.b', view='mine') }}\n"
        "{% trans %}In een blok{% endtrans %}{# commentaar #}\n"
    )
    found = _text_outside_gettext(source) + _strings_outside_gettext(source)
    assert sorted(found) == [
        (1, "Titel"),
        (3, "aria-label='Weergave'"),
        (4, "'Ja'"),
        (5, "'Gevonden'"),
        (6, "'Twee woorden'"),
    ]
