"""The 25 KazNERD entity classes and their IOB2 tag set."""

from __future__ import annotations

KAZNERD_CLASSES: tuple[str, ...] = (
    "ADAGE", "ART", "CARDINAL", "CONTACT", "DATE", "DISEASE", "EVENT", "FACILITY", "GPE",
    "LANGUAGE", "LAW", "LOCATION", "MISCELLANEOUS", "MONEY", "NON_HUMAN", "NORP", "ORDINAL",
    "ORGANISATION", "PERCENTAGE", "PERSON", "POSITION", "PRODUCT", "PROJECT", "QUANTITY", "TIME",
)

IOB2_TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{c}" for c in KAZNERD_CLASSES for p in "BI")
