"""The words a page shows in a given language, taken from the app's own catalogue and the regimes' texts.

Browser tests find controls by the labels and texts a person reads; in English those come from the
translations (a message not translated yet shows in Dutch, and so does the test's expectation).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_babel import force_locale, gettext

from ldapply.workflows._spec import Text

# The languages the browser tests walk. `make test` runs the embedded and the PostgreSQL + Redis runs side
# by side and gives each one language (scripts/test.py), so each journey is walked once per language
# and the suite stays within its time; a run on its own walks both.
LANGUAGES = tuple(os.environ.get("LDAPPLY_TEST_LANGUAGES", "nl,en").split(","))


@dataclass(frozen=True)
class Words:
    app: Flask
    lang: str

    def __call__(self, message: str, **values: Any) -> str:
        """`message` (Dutch, as written in the code) as the page shows it in this language."""
        with self.app.test_request_context(), force_locale(self.lang):
            return gettext(message, **values)

    def text(self, value: Text) -> str:
        """A regime's own text in this language."""
        return value.get(self.lang)
