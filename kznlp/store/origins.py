"""Where an input came from, as the archive records it: the origin (a file's real path) and the source.

Kept apart from ``kznlp.store.archive`` so the command line can name inputs without importing the
archive (and its stemmer and transliterator) at start-up.
"""

from __future__ import annotations

import os

from kznlp.records import Document


def origin_of(name: str | os.PathLike) -> str | None:
    """Where an input file came from, for the archive: its real path (standard input, ``-``, has none)."""
    return None if str(name) == "-" else os.path.realpath(name)


def source_of(doc: Document, default: str | None) -> str | None:
    """A document's source: the host of the URL a saved release starts with ("qagro.kz"), else ``default``."""
    from kznlp.scrape.urls import site_host

    host = site_host(doc.url) if doc.url and doc.url.startswith(("http://", "https://")) else ""
    return host or default
