"""How the website writes numbers and names for a Kazakh reader (Jinja filters).

Words come from ``resources/kk/figure_words.tsv`` and ``entity_labels.tsv``.  Numbers: decimal comma,
narrow no-break spaces between thousands from 10 000 up, millions and more as "млн", "млрд", "трлн".
"""

from __future__ import annotations

from functools import cache

from kznlp.resources import read_table

THOUSANDS = "\u202f"  # narrow no-break space: "12 500"
BEFORE_UNIT = "\u00a0"  # no-break space: "67 %", "150 млн теңге" never break between number and unit


@cache
def _words(kind: str) -> dict[str, str]:
    return {key: word for row_kind, key, word in read_table("figure_words.tsv") if row_kind == kind}


@cache
def entity_names() -> dict[str, str]:
    """Entity class -> Kazakh name, in legend order."""
    return dict(read_table("entity_labels.tsv"))


def number_text(value: float) -> str:
    """A number as a Kazakh text writes it.

    >>> [number_text(v) for v in (67.0, 9.7, 1300, 12500, 208100, 150e6, 1.5e9, 860.4e9, -2500000)]
    ['67', '9,7', '1300', '12\\u202f500', '208\\u202f100', '150\\xa0млн', '1,5\\xa0млрд', '860,4\\xa0млрд', '-2,5\\xa0млн']
    """
    for power, word in sorted(((int(p), w) for p, w in _words("scale").items()), reverse=True):
        if abs(value) >= 10 ** power:
            return f"{_digits(value / 10 ** power)}{BEFORE_UNIT}{word}"
    return _digits(value)


def _digits(value: float) -> str:
    text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    whole, _, fraction = text.partition(".")
    sign, whole = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    if len(whole) > 4:  # "1300" stays whole, "12 500" is grouped
        whole = f"{int(whole):,}".replace(",", THOUSANDS)
    return sign + whole + ("," + fraction if fraction else "")


def figure_text(value: float | None, unit: str | None = None, qualifier: str | None = None) -> str:
    """A figure's value, unit and qualifier in Kazakh: "150 млн теңге", "67 %", "шамамен 3000 адам".

    >>> figure_text(150000000.0, "KZT"), figure_text(67.0, "percent"), figure_text(3000.0, "person", "approx")
    ('150\\xa0млн теңге', '67\\xa0%', 'шамамен 3000\\xa0адам')
    """
    if value is None:
        return ""
    text = number_text(float(value))
    if unit:
        text += (" " if BEFORE_UNIT in text else BEFORE_UNIT) + _words("unit").get(unit, unit)
    if qualifier in _words("qualifier"):
        text = f"{_words('qualifier')[qualifier]} {text}"
    return text
