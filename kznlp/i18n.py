"""The command line's interface language.

Messages are written in English in the code and looked up through ``_`` (and ``_n`` for counts),
gettext style, so every user-facing string is marked in one way.  The Kazakh catalog and the choice
of language (``--lang``, the locale) are filled in by issue 15; until then both return English.
"""

from __future__ import annotations


def _(message: str) -> str:
    """The message in the interface language."""
    return message


def _n(singular: str, plural: str, count: int) -> str:
    """The message for ``count`` things (Kazakh nouns after a number stay singular; English does not)."""
    return singular if count == 1 else plural
