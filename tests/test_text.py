"""Language data at work: suffix stripping, dates, decoding, language, sentences (tables by phenomenon)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

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


# --- plain-text releases: titles, furniture, the key that makes two readings one release ----------------------


def test_text_file_titles_and_furniture():
    from kznlp.pipeline import read_document

    demo = Path(__file__).resolve().parents[1] / "corpora" / "demo"
    titles = {name: read_document(demo / name).title for name in
              ("excerpt_02.txt", "excerpt_07.txt", "excerpt_08.txt", "excerpt_03.txt")}
    assert titles["excerpt_02.txt"] == "Олжас Бектенов Торғай өңіріне қажетті қаражат бөлуді тапсырды"  # after a dateline
    assert titles["excerpt_07.txt"] == "БҚО-да бес мәдениет ошағы жөндеуден өтеді"  # after a dateline and "Оқылды: 48"
    assert titles["excerpt_08.txt"] == "Кезекті сессия отырысы өтті"
    long = titles["excerpt_03.txt"]  # no headline: the first sentence, cut at a word
    assert long.endswith("…") and len(long) <= 161 and long.startswith("Премьер-министр Олжас Бектенов")
    assert not long[:-1].endswith(" ")
    bairaq = read_document(demo / "bairaq_nur_otan_almaty.txt")
    assert "Басып шығару" not in bairaq.text and bairaq.text.rstrip().endswith("қатысты.")
    excerpt = read_document(demo / "excerpt_02.txt").text
    assert "Фото: Солтан Жексенбеков" not in excerpt and "Торғай өңірін қолдау" in excerpt


def test_html_drops_the_same_furniture():
    from kznlp.text.html import parse_article

    page = Path(__file__).resolve().parents[1] / "corpora" / "site" / "articles" / "bairaq-nur-otan-almaty.html"
    assert "Басып шығару" not in parse_article(page.read_text("utf-8")).text


@pytest.mark.parametrize("line, furniture", [("Басып шығару", True), ("Бөлісу: Facebook Twitter WhatsApp", True),
                                             ("Оқылды: 48", True), ("1 234 рет оқылды", True), ("Печать", True),
                                             ("Фото: Ақорда", True), ("Басып шығару ісі облыста дамып келеді.", False),
                                             ("Фотокөрме ашылды: оған 300 адам келді.", False)])
def test_furniture_lines(line, furniture):
    from kznlp.text.furniture import is_furniture

    assert is_furniture(line) is furniture


def test_a_text_file_and_the_crawled_page_of_a_release_share_a_key():
    from kznlp.pipeline import read_document
    from kznlp.text.html import parse_article
    from kznlp.text.plain import content_keys

    root = Path(__file__).resolve().parents[1] / "corpora"
    pairs = {"excerpt_01.txt": "kazinform-ukimet-esep-beru", "excerpt_02.txt": "kazinform-torgay",
             "excerpt_05.txt": "ortcom-inzhenerlik-zhelileri", "excerpt_07.txt": "zhaikpress-madeniet-oshagy",
             "excerpt_09.txt": "qazdauiri-su-tasqyny", "bairaq_nur_otan_almaty.txt": "bairaq-nur-otan-almaty",
             "akorda_sample.html": "akorda-administrative-justice-forum"}
    page_keys = {}
    for name, page in pairs.items():
        article = parse_article((root / "site" / "articles" / f"{page}.html").read_text("utf-8"))
        document = read_document(root / "demo" / name)
        page_keys[name] = set(content_keys(article.text, article.title))
        assert page_keys[name] & set(content_keys(document.text, document.title)), name
    assert not page_keys["excerpt_01.txt"] & page_keys["excerpt_02.txt"]  # different releases, different keys


# --- a release's date from its address when its text gives none -------------------------------------------------


@pytest.mark.parametrize("url, expected", [
    ("https://qagro.kz/2021/06/24/irde-sim-baj-alady", date(2021, 6, 24)),
    ("https://example.kz/news/2024-01-15/title", date(2024, 1, 15)),
    ("https://kyzylorda-news.kz/ruhaniat/merekelik-is-sharalardy-ujymdastyru-zhumystary-pysykhtaldy-14-03-2025",
     date(2025, 3, 14)),
    ("https://example.kz/2021/02/30/x", None),  # no such day
    ("https://example.kz/2025/12/31/x", None),  # after "today" (2025-06-01 below)
    ("https://example.kz/1800/01/01/x", None),
    ("https://baq.kz/kelesi-otyrysqa-deyin-ayaqtanyzdar-bektenov-akimderge-eskertu-zhasady-200021347/", None),
    ("https://example.kz/news?date=2021/06/24", None),  # the path only, not the query
    (None, None),
])
def test_url_date(url, expected):
    from kznlp.text.dates import url_date

    assert url_date(url, today=date(2025, 6, 1)) == expected


def test_a_release_without_a_dateline_is_dated_by_its_address():
    from kznlp.pipeline import read_document

    demo = Path(__file__).resolve().parents[1] / "corpora" / "demo"
    assert read_document(demo / "excerpt_06.txt").published == "2021-06-24"  # https://qagro.kz/2021/06/24/…
    assert read_document(demo / "excerpt_07.txt").published == "2017-02-24"  # its dateline, as before
    assert read_document(demo / "excerpt_04.txt").published is None  # neither text nor address has one


# --- a byline or a photo credit is no title -----------------------------------------------------------------------


def test_a_byline_is_not_taken_for_the_title():
    from kznlp.pipeline import read_document

    fixtures = Path(__file__).resolve().parent / "fixtures" / "bylines"
    baq = read_document(fixtures / "baq_kostanay.txt")  # "Қостанай облысы, BAQ.KZ тілшісі. Қостанайдағы …"
    assert baq.title == ("Қостанайдағы индустрия аймағында шойын құю зауыты және жүк техникасына арналған "
                         "бөлшектер шығаратын кәсіпорын салына бастады")
    nur = read_document(fixtures / "nur_shymkent.txt")  # the author's name and role above the headline
    assert nur.title == '"Аумағы 36 мың гектарды құрайды": Шымкентте тағы бір аудан құрылатын болды'


@pytest.mark.parametrize("line, byline", [
    ("Сәке Қанатұлы", True), ("Бұрынғы қызметкер", True), ("Қостанай облысы, BAQ.KZ тілшісі.", True),
    ("Көрнекі фото: piqsels.com", True), ("Фото: Солтан Жексенбеков / Kazinform", True), ("Автор: Ә. Сәрсенов", True),
    ("Кезекті сессия отырысы өтті.", False), ("Жаңа басқармалар құрылады", False), ("Озерное ауылы тұрғындарымен кездесу", False),
    ("Мемлекет басшысы Астана қаласының әкімі Жеңіс Қасымбекті қабылдады", False), ("Президент Тоқаев", False),
    ("Фотокөрме ашылды: оған 300 адам келді.", False),
])
def test_bylines(line, byline):
    from kznlp.text.plain import is_byline

    assert is_byline(line) is byline
