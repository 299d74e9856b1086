"""Extract the interface's messages and bring the English catalogue up to date.

    .venv/bin/python scripts/catalogue.py          # update translations/en/LC_MESSAGES/messages.po
    .venv/bin/python scripts/catalogue.py --check  # also exit 1 while a message lacks its translation
    .venv/bin/python scripts/catalogue.py --prune  # drop the translations of messages no longer used

Dutch is the source language: the msgids are the Dutch texts of `ldapply/**.py` and `templates/**`
(not `templates/letters/**`, see babel.cfg). Existing translations are kept; a new or reworded message
gets an empty translation, never a fuzzy guess, so nothing half-right reaches a page. Translations of
messages that are no longer used stay at the end of the file as obsolete (`#~`) entries until `--prune`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
HEADER = "# English translations of the ldapply interface (Dutch is the source language).\n# Updated by scripts/catalogue.py (make catalogue); write each msgstr by hand."
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}


def extract(root: Path = ROOT) -> Catalog:
    """Every message of the interface, with where it is used (a .pot in memory)."""
    with (root / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    template = Catalog(project="ldapply", charset="utf-8", fuzzy=False)
    found = extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True
    )
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def read_catalogue(path: Path = CATALOGUE) -> Catalog:
    if not path.exists():
        return Catalog(
            locale="en",
            project="ldapply",
            version="1",
            msgid_bugs_address="",
            last_translator="ldapply contributors",
            language_team="English",
            fuzzy=False,
            header_comment=HEADER,
        )
    with path.open("rb") as po_file:
        return read_po(po_file)


def untranslated(template: Catalog, catalogue: Catalog) -> list[Message]:
    """The messages in use without a complete, non-fuzzy translation."""
    missing = []
    for message in template:
        if not message.id:
            continue
        entry = catalogue.get(message.id, message.context)
        strings = entry.string if entry is not None else ""
        complete = all(strings) if isinstance(strings, tuple | list) else bool(strings)
        if entry is None or entry.fuzzy or not complete:
            missing.append(message)
    return missing


def update(*, prune: bool = False, path: Path = CATALOGUE) -> tuple[Catalog, Catalog]:
    """Update the catalogue at `path` from the code; returns (template, updated catalogue)."""
    template = extract()
    catalogue = read_catalogue(path)
    created = catalogue.creation_date
    catalogue.update(template, no_fuzzy_matching=True, update_header_comment=False)
    catalogue.creation_date = created  # the header changes only when a translator edits it
    if prune:
        catalogue.obsolete.clear()
    write_catalogue(catalogue, path)
    return template, catalogue


def write_catalogue(catalogue: Catalog, path: Path = CATALOGUE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po_file:
        # Without line numbers, a message's entry changes only when its text or its files do.
        write_po(po_file, catalogue, width=120, include_lineno=False, include_previous=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 when a message has no English translation")
    parser.add_argument("--prune", action="store_true", help="drop obsolete translations")
    arguments = parser.parse_args()
    template, catalogue = update(prune=arguments.prune)
    missing = untranslated(template, catalogue)
    print(f"{len(template)} messages, {len(missing)} without an English translation: {CATALOGUE.relative_to(ROOT)}")
    for message in missing:
        where = ", ".join(f"{file}:{line}" for file, line in message.locations[:2])
        print(f"  {where}: {message.id!r}")
    return 1 if arguments.check and missing else 0


if __name__ == "__main__":
    sys.exit(main())
