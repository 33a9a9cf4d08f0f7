"""Language data at work: suffix stripping, dates, decoding, language, sentences (tables by phenomenon)."""

from __future__ import annotations

from datetime import date

import pytest

from kznlp.errors import InputError
from kznlp.text.dates import parse_date
from kznlp.text.decode import decode_bytes
from kznlp.text.language import detect_language
from kznlp.text.morph import search_stem, strip_case
from kznlp.text.segment import sentence_spans
from kznlp.text.words import word_spans


@pytest.mark.parametrize("word, stem", [
    # Russian-style surnames keep -ов/-ев/-ин, lose the case ending
    ("Сағынтаевтың", "Сағынтаев"), ("Ахметовті", "Ахметов"), ("Бектеновке", "Бектенов"),
    ("Сағынтаевпен", "Сағынтаев"), ("Маминнің", "Мамин"),
    # Kazakh names: the ending must agree with the stem's last sound
    ("Қасымбекті", "Қасымбек"), ("Ерланға", "Ерлан"), ("Нұрсұлтан", "Нұрсұлтан"), ("Ерсұлтан", "Ерсұлтан"),
    ("Маринаға", "Марина"), ("Алматыда", "Алматы"),
    # possessive heads keep their possessive, lose the case
    ("әкімінің", "әкімі"), ("төрағасына", "төрағасы"), ("кеңесінің", "кеңесі"),
    # nothing to strip
    ("әкімі", "әкімі"), ("Сағынтаев", "Сағынтаев"),
])
def test_strip_case(word, stem):
    assert strip_case(word) == stem


@pytest.mark.parametrize("word, stem", [
    ("әкімдерге", "әкім"), ("әкімі", "әкім"), ("Сағынтаевтың", "сағынтаев"), ("әкімдіктің", "әкімдік"),
    ("кеңесінің", "кеңес"), ("бекеттері", "бекет"),
])
def test_search_stem(word, stem):
    assert search_stem(word) == stem


@pytest.mark.parametrize("text, expected", [
    ("2024 жылғы 15 қаңтар", date(2024, 1, 15)),
    ("13:51, 15 Август 2025", date(2025, 8, 15)),
    ("15.01.2024", date(2024, 1, 15)),
    ("2024-01-15T10:00:00+05:00", date(2024, 1, 15)),
    ("2026 жылғы 12 маусым", date(2026, 6, 12)),
    ("жаңалықтар", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_parse_date_without_year_needs_one():
    assert parse_date("15 қаңтарда") is None
    assert parse_date("15 қаңтарда", default_year=2024) == date(2024, 1, 15)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "kz1048"])
def test_decode_kazakh(encoding):
    text = "Алматы қаласының әкімі Бақытжан Сағынтаев шешім қабылдады."
    assert decode_bytes(text.encode(encoding)).text == text


def test_decode_russian_cp1251():
    text = "Президент поручил правительству подготовить программу развития регионов."
    decoded = decode_bytes(text.encode("cp1251"))
    assert decoded.text == text and decoded.encoding == "cp1251"


@pytest.mark.parametrize("data", [b"", b" \n ", b"\x00\x01\x02\x03" * 100])
def test_decode_rejects(data):
    with pytest.raises(InputError):
        decode_bytes(data)


@pytest.mark.parametrize("text, code, script", [
    ("Алматы қаласының әкімі шешім қабылдады.", "kk", "cyrl"),
    ("Президент поручил правительству подготовить программу.", "ru", "cyrl"),
    ("Almaty qalasynyń ákimi sheshim qabyldady, Qazaqstan Respýblıkasy.", "kk", "latn"),
    ("The president instructed the government to prepare a programme.", "en", "latn"),
    ("12345 67890", "und", "und"),
])
def test_detect_language(text, code, script):
    language = detect_language(text)
    assert (language.code, language.script) == (code, script)


@pytest.mark.parametrize("text, words", [
    ("Б.Сағынтаевтың", ["Б", ".", "Сағынтаевтың"]),
    ("«Nur Otan»", ["«", "Nur", "Otan", "»"]),
    ("1,6 трлн", ["1,6", "трлн"]),
    ("9,7%-ға өсті", ["9,7", "%-ға", "өсті"]),
    ("ЖОО-дағы сондай-ақ", ["ЖОО-дағы", "сондай-ақ"]),
    # a lost space before a number (smartnews.kz, 2018 Latin: "Onyń іshіnde13 mlrd teńge") is two words;
    # names of things with digits stay whole
    ("Оның ішінде13 млрд", ["Оның", "ішінде", "13", "млрд"]),
    ("G4 City, A320, Су-30", ["G4", "City", ",", "A320", ",", "Су-30"]),
])
def test_word_spans(text, words):
    assert [text[s:e] for s, e in word_spans(text)] == words


def test_sentences_keep_initials_together(reference_text):
    sentences = [reference_text[s:e] for s, e in sentence_spans(reference_text)]
    assert "Жиында АҚФ төрағасы Б.Сағынтаев төмендегідей шешім қабылдады:" in sentences
    assert any(s.startswith("Саяси Кеңесте Б. Сағынтаев азаматтардың") for s in sentences)
