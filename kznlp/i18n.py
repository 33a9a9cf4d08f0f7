"""The interface language: Kazakh by default, English on request.

Messages are written in English in the code and looked up through ``_`` (and ``_n`` for counts),
gettext style, so every user-facing string is marked in one way.  The Kazakh catalog is
``kznlp/resources/locale/kk/LC_MESSAGES/kznlp.po``, compiled to the ``.mo`` beside it by
``python scripts/build_catalog.py``.  Placeholders are named (``_("{count} documents").format(count=n)``)
so a translation may put them in another order.

The language is, in order: ``set_language()`` (the CLI's ``--lang``), ``KZNLP_LANG``, then the
locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the first one set): English when it starts with
``en``, Kazakh otherwise (``C``, ``ru_RU`` and an unset locale included).
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

LANGUAGES = ("kk", "en")
LOCALE_DIR = Path(__file__).resolve().parent / "resources" / "locale"
DOMAIN = "kznlp"

_translations: gettext.NullTranslations | None = None


def language_from_environment(environ: dict[str, str] | None = None) -> str:
    """``kk`` or ``en`` from ``KZNLP_LANG`` or the locale variables.

    >>> language_from_environment({"LANG": "en_US.UTF-8"}), language_from_environment({"LANG": "C.UTF-8"})
    ('en', 'kk')
    >>> language_from_environment({"KZNLP_LANG": "kk", "LANG": "en_GB.UTF-8"})
    'kk'
    """
    environ = os.environ if environ is None else environ
    for name in ("KZNLP_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "").strip()
        if value:
            return "en" if value.lower().startswith("en") else "kk"
    return "kk"


def set_language(language: str | None = None) -> str:
    """Use ``language`` (``kk`` or ``en``; None: from the environment) from now on; returns it."""
    global _translations
    language = language or language_from_environment()
    if language not in LANGUAGES:
        raise ValueError(f"unknown interface language {language!r}: expected {' or '.join(LANGUAGES)}")
    if language == "en":  # the source strings are English
        _translations = gettext.NullTranslations()
    else:
        _translations = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])
    return language


def _catalog() -> gettext.NullTranslations:
    if _translations is None:
        set_language()
    return _translations


def _(message: str) -> str:
    """The message in the interface language."""
    return _catalog().gettext(message)


def _n(singular: str, plural: str, count: int) -> str:
    """The message for ``count`` things (Kazakh nouns after a number stay singular; English does not).

    >>> language = set_language("en")
    >>> _n("{count} action", "{count} actions", 1), _n("{count} action", "{count} actions", 2)
    ('{count} action', '{count} actions')
    >>> language = set_language("kk")
    >>> _n("{count} action", "{count} actions", 1), _n("{count} action", "{count} actions", 2)
    ('{count} тапсырма', '{count} тапсырма')
    >>> language = set_language(None)  # back to the environment's choice
    """
    return _catalog().ngettext(singular, plural, count)
