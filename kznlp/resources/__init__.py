"""Language data shipped with kznlp: plain TSV files under ``resources/kk``, read once."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def read_table(name: str, language: str = "kk") -> tuple[tuple[str, ...], ...]:
    """Rows of a TSV file, comments and blank lines dropped, cells stripped.

    >>> ("апта сайын", "weekly") in read_table("frequencies.tsv")
    True
    """
    text = files(__name__).joinpath(language, name).read_text("utf-8")
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        rows.append(tuple(cell.strip() for cell in line.split("\t")))
    return tuple(rows)


def casefold(text: str) -> str:
    """One normalisation for every lookup: case-insensitive, Kazakh letters kept."""
    return text.casefold().replace("ё", "е")


@cache
def word_set(name: str, language: str = "kk") -> frozenset[str]:
    """The case-folded first column of a table: a set of words to look folded words up in.

    >>> "жетекшілігімен" in word_set("responsible_markers.tsv")
    True
    """
    return frozenset(casefold(row[0]) for row in read_table(name, language))
