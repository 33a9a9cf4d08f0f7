"""Turning bytes into text: UTF-8/UTF-16, or the legacy Cyrillic code pages KZ-1048 and cp1251.

Kazakh files from older systems come in KZ-1048 (Kazakh letters where cp1251 keeps Serbian and
Macedonian ones), Russian ones in cp1251.  Both decode every byte, so we decode with each and
keep the reading whose letters look like Kazakh or Russian text.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from kznlp.errors import InputError

LEGACY_CODEPAGES = ("kz1048", "cp1251")
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
RUSSIAN_LETTERS = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ")
# Letters cp1251 has and KZ-1048 replaced: in Kazakh or Russian text they mean a wrong code page.
FOREIGN_CYRILLIC = set("ЂђЃѓЉљЊњЌќЋћЏџЎўЈјҐґЄєЇїЅѕ")


# UTF-8 with at most this share of its non-ASCII bytes in broken sequences is still UTF-8: a stray byte
# in a long file.  Text in a legacy code page breaks at nearly every Cyrillic letter.
MAX_BROKEN_UTF8 = 0.01
ASCII = bytes(range(128))


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def _mostly_utf8(data: bytes) -> DecodedText | None:
    """``data`` as UTF-8 with its few broken sequences replaced by U+FFFD, or None when there are many."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    if broken > MAX_BROKEN_UTF8 * len(data.translate(None, ASCII)):
        return None
    plural = "s" if broken > 1 else ""
    return DecodedText(text, "utf-8", (f"{broken} invalid UTF-8 byte sequence{plural} replaced with U+FFFD",))


def _without_nul(decoded: DecodedText) -> DecodedText:
    """NUL characters removed (past the first 8 kB, where ``looks_binary`` looks, a file may still hold some)."""
    count = decoded.text.count("\x00")
    if not count:
        return decoded
    return DecodedText(decoded.text.replace("\x00", ""), decoded.encoding,
                       decoded.warnings + (f"{count} NUL character{'s' if count > 1 else ''} removed",))


def _plausibility(text: str) -> float:
    letters = sum(ch in KAZAKH_LETTERS or ch in RUSSIAN_LETTERS for ch in text)
    foreign = sum(ch in FOREIGN_CYRILLIC for ch in text)
    return letters - 20 * foreign


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 8 kB mean it is not a text file."""
    head = data[:8192]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    controls = sum(b < 32 and b not in (9, 10, 12, 13) for b in head)
    return controls > len(head) * 0.05


def decode_bytes(data: bytes, *, declared: str | None = None) -> DecodedText:
    """Decode ``data``; raise ``InputError`` with a one-line reason when it is not usable text.

    >>> decode_bytes("Алматы қаласы".encode() + b"\\xff" + "әкімі".encode() * 50).warnings
    ('1 invalid UTF-8 byte sequence replaced with U+FFFD',)
    """
    return _without_nul(_decode(data, declared))


def _decode(data: bytes, declared: str | None) -> DecodedText:
    if not data.strip():
        raise InputError("empty input")
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return DecodedText(data.decode(encoding, errors="replace"), encoding)
    if looks_binary(data):
        raise InputError("binary data, not text (expected UTF-8, KZ-1048 or cp1251 text or HTML)")
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        mostly = _mostly_utf8(data)
        if mostly is not None:
            return mostly
    candidates = [declared] if declared else []
    candidates += [c for c in LEGACY_CODEPAGES if c != declared]
    readings = []
    for encoding in candidates:
        try:
            readings.append(DecodedText(data.decode(encoding), encoding))
        except (UnicodeDecodeError, LookupError):
            continue
    if not readings:
        raise InputError("not valid UTF-8, KZ-1048 or cp1251 text")
    # Where both code pages read the same (Russian text), call it cp1251, the code page Russian uses.
    best = max(readings, key=lambda r: (_plausibility(r.text),
                                        (r.encoding == "kz1048") == any(ch in KAZAKH_LETTERS for ch in r.text)))
    if _plausibility(best.text) <= 0:
        raise InputError("not valid UTF-8 and no Kazakh or Russian text in KZ-1048 or cp1251 either")
    return best
