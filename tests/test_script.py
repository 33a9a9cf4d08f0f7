"""Kazakh in every script: detection, conversion to Cyrillic with offsets back, entry points.

Real texts: ``tests/fixtures/translit/*.tsv`` are short excerpts of Latin and Arabic-script pages (their
URLs on the first line) with a careful Cyrillic reading; the round trip uses the shipped demo releases.
"""

from __future__ import annotations

import json
import re

import pytest

from kznlp.store.archive import fts_query, open_archive, query_stems, save_document, search
from kznlp.text.script import detect_script, paragraphs
from kznlp.text.translit import ALPHABETS, from_cyrillic, transliterate

from conftest import ROOT, run_cli

FIXTURES = ROOT / "tests" / "fixtures" / "translit"
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _fixture(name: str) -> tuple[str, str, str]:
    lines = (FIXTURES / name).read_text("utf-8").splitlines()
    url = lines[0].lstrip("# ")
    pairs = [line.split("\t", 1) for line in lines if not line.startswith("#")]
    return "\n".join(p[0] for p in pairs), "\n".join(p[1] for p in pairs), url


def _accuracy(reference: str, ours: str) -> float:
    a, b = WORD.findall(reference.casefold()), WORD.findall(ours.casefold())
    assert len(a) == len(b)
    return sum(x == y for x, y in zip(a, b)) / len(a)


@pytest.mark.parametrize("name, alphabet", [
    ("latn_2021_adyrna.tsv", "2021"), ("latn_2018_egemen.tsv", "2018"), ("latn_2018_aqshamnews.tsv", "2018"),
    ("latn_digraph_abai.tsv", "digraph"), ("arab_egemen.tsv", "arab"), ("arab_inform.tsv", "arab"),
    ("arab_qazaqtimes.tsv", "arab"),
])
def test_real_pages_read_as_a_person_reads_them(name, alphabet):
    original, reading, url = _fixture(name)
    assert url.startswith("https://")
    converted = transliterate(original)
    assert converted.alphabet == alphabet
    assert _accuracy(reading, converted.text) >= 0.97
    # every word of the Cyrillic text points back at the word it was written as
    for match in WORD.finditer(converted.text):
        start, end = converted.original_span(*match.span())
        written = original[start:end]
        assert written and not re.search(r"[\s,.]", written.strip()), (match.group(0), written)


def test_names_in_their_standard_spelling():
    assert transliterate("Premer-Mınıstr Álıhan Smaıylov").text == "Премьер-Министр Әлихан Смайылов"
    assert transliterate("Almaty oblysynyŋ äkımı Qanat Bozymbaev boiynşa").text == \
        "Алматы облысының әкімі Қанат Бозымбаев бойынша"
    assert transliterate("ە.جاماۋباەۆ شىمكەنت قالاسىندا").text == "Е.Жамаубаев Шымкент қаласында"


INFORM_125 = "https://qz.inform.kz/news/akmola-oblysynda-eginnin-21-payyzy-zhinaldy_a4111310"
DALA_135 = "https://dalanews.kz/latyn/article/bqo-akimi-shegirtkege-qarsi-kuresti-kusheytudi-tapsirdi.html"
INFORM_147 = ("https://ar.inform.kz/news/jaadan-aeylatyn-jkmneyk-mkttr-mmlkttyk-tasyrysty-wrynday-almaydy-"
              "balaya-5265b8/")
INFORM_148 = "https://ar.inform.kz/news/qazaqstanda-wtkn-jyly-162-jaa-mkt-salyndy-e67d67/"
DALA_150 = ("https://dalanews.kz/tote/article/turkistan-oblisinda-keleshek-mektepteri-ayasinda-16-jana-bilim-"
            "uyasi-ashiladi.html")
SMART_123 = ("https://smartnews.kz/qz/news/8867-kantarda-memlekettik-byudzhettin-20-mlrd-tengesi-igerilmedi-"
             "–-karzhy-ministri")
INFORM_134 = "https://qz.inform.kz/news/sko-da-audan-akmder-saylauinin-koritindisi-shikti-9af190"
INFORM_140 = "https://qz.inform.kz/news/bozymbaev-740-myn-adamdy-gazben-kamtityn-zhobany-atady_a3503044"
ZHAIK_022 = "https://zhaikpress.kz/kk/regionnews/zhanibek-auylynyn-akimi-esep-berdi"
MTRK_030 = "https://mtrk.kz/kz/2021/08/04/Petropavldyktar-zhylytu-mausymyna-da/"
KOSTANAY_094 = "https://kostanaytany.kz/?p=40619"
INFORM_104 = ("https://kaz.inform.kz/news/abay-oblisinda-255-zhumis-ornimen-kamtitin-7-zhoba-zhuzege-asiriladi-"
              "bdbe8a/")
OTYRAR_100 = "https://kz.otyrar.kz/2015/05/o%D2%A3t%D2%AFstiktegi-traktor-zauyty-shildede-iske-%D2%9Bosylady"
BAQ_111 = ("https://baq.kz/zhemqorlardan-tarkilengen-qarazhat-auyldardy-auyz-sumen-qamtuga-bagyttalady-albert-rau-"
           "200019557/")


@pytest.mark.parametrize("url, original, reading", [
    # 2018 capital I is і or и alike; a surname is weighed as a name, and names begin with И
    (INFORM_125, "basqarmasy basshysynyń orynbasary Qasym Itqusov.",
     "басқармасы басшысының орынбасары Қасым Итқұсов."),
    # 2018 "ıý" is ю, or и + у in the -улла names: Халиуллин, not Халюллин
    (DALA_135, "oblystyq aýyl sharýashylyǵy basqarmasynyń basshysy Jasulan Halıýllın, sondaı-aq Qaratóbe",
     "облыстық ауыл шаруашылығы басқармасының басшысы Жасұлан Халиуллин, сондай-ақ Қаратөбе"),
    # "ń" before a consonant: the "нг" of a loanword, by the word list
    (DALA_135, "Narıman Tóreǵalıev monıtorıńti kúsheıtip, óńdeý jumystaryn ýaqtyly júrgizýdi",
     "Нариман Төреғалиев мониторингті күшейтіп, өңдеу жұмыстарын уақтылы жүргізуді"),
    # Arabic script: a vowel + يەۆ is the surname ending -ев (no й); before a surname, the first name
    # Аида rather than the common word айда
    (INFORM_147, "مادەنيەت جانە اقپارات ءمينيسترى ايدا بالايەۆا ۇكىمەت وتىرىسىندا",
     "Мәдениет және ақпарат министрі Аида Балаева Үкімет отырысында"),
    (DALA_150, "وبلىس اكىمىنىڭ ورىنباسارى بەيسەنباي تاجىبايەۆتىڭ توراعالىعىمەن وتكەن جينالىستا",
     "Облыс әкімінің орынбасары Бейсенбай Тәжібаевтың төрағалығымен өткен жиналыста"),
    # the vowel right after a hamza is front, even in a compound whose second part is back
    (INFORM_148, "بۇل ءبىلىم بەرۋ ۇيىمدارى 27 ءۇشاۋىسىمدى جانە 11 اپاتتى مەكتەپ ماسەلەسىن شەشۋگە",
     "Бұл білім беру ұйымдары 27 үшауысымды және 11 апатты мектеп мәселесін шешуге"),
    # the Latin alphabets drop ъ as they drop ь: "e" after a consonant may be "ъе" (субъект, съезд)
    (INFORM_125, "4,1 mıllıard teńge bólindi, 54 sýbekt qarjylandyryldy",
     "4,1 миллиард теңге бөлінді, 54 субъект қаржыландырылды"),
    (INFORM_140, "«Elbasynyń «Nur Otan» partııasynyń sezinde aıtqan tapsyrmasyn oryndaý maqsatynda",
     "«Елбасының «Нұр Отан» партиясының съезінде айтқан тапсырмасын орындау мақсатында"),
    # Arabic script: a first name that is a common word too (бекет, берік, еркін) before a surname,
    # or before a word the word list writes as a name (Уәли), or after a position (депутат)
    (ZHAIK_022, "اۋىل اقساقالدارى بەكەت الىپقاليەۆ پەن امانگەلدى ۋاليەۆ اۋىل اكىمىنىڭ",
     "Ауыл ақсақалдары Бекет Әліпқалиев пен Амангелді Уәлиев ауыл әкімінің"),
    (INFORM_104, "تولىعىراق وبلىس اكىمى بەرىك ءۋالي ايتىپ بەردى.", "Толығырақ облыс әкімі Берік Уәли айтып берді."),
    # and names with a letter Arabic script does not write: ь, and э written as е
    (BAQ_111, "ءماجىلىس ءتوراعاسىنىڭ ورىنباسارى البەرت راۋ مەن دەپۋتات ەركىن ءابىل تانىستى.",
     "Мәжіліс төрағасының орынбасары Альберт Рау мен депутат Еркін Әбіл танысты."),
    (MTRK_030, "پاتەر يەلەرى كووپەراتيۆىنىڭ ءتوراعاسى ۆيتاليي كۋل الداعى قاۋىرت",
     "Пәтер иелері кооперативінің төрағасы Виталий Куль алдағы қауырт"),
    (KOSTANAY_094, "رۋدنىي قالاسى اكىمى اپپاراتىنىڭ باسشىسى ەلدار مۇحانوۆ تابىس ەتتى.",
     "Рудный қаласы әкімі аппаратының басшысы Эльдар Мұханов табыс етті."),
    # "т.б." (and so on) is an abbreviation, not two initials, and the word after it is no name
    (OTYRAR_100, "كەڭسە جيھازدارىن جاسايتىن, ت.ب. نارىقتا سۇرانىسقا يە تاۋارلار",
     "Кеңсе жиһаздарын жасайтын, т.б. нарықта сұранысқа ие тауарлар"),
    # and what must not change: І at a word's start, ю in a common loanword, ң before a consonant
    # (this page types Cyrillic і for Latin i: "іrі" is a Latin word all the same)
    (SMART_123, "Ishkі іster mınıstrlіgі jáne Qorǵanys mınıstrlіgі bıýdjettі іrі kólemde ıgermegen.",
     "Ішкі істер министрлігі және Қорғаныс министрлігі бюджетті ірі көлемде игермеген."),
    (INFORM_134, "«Barlyǵyna qarsy» belgisi bar bıýlletender sany 724 boldy.",
     "«Барлығына қарсы» белгісі бар бюллетендер саны 724 болды."),
    (DALA_135, "Keńes barysynda óńir basshysyna qazirgi ahýal jáne qolǵa alynǵan sharalar",
     "Кеңес барысында өңір басшысына қазіргі ахуал және қолға алынған шаралар"),
])
def test_names_and_loanwords_in_real_sentences(url, original, reading):
    assert url.startswith("https://")
    assert transliterate(original).text == reading


@pytest.mark.parametrize("alphabet", ALPHABETS)
def test_round_trip_through_every_alphabet(alphabet):
    text = (ROOT / "corpora" / "demo" / "excerpt_01.txt").read_text("utf-8").split("\n", 1)[1]
    written = from_cyrillic(text, alphabet)
    assert written != text
    back = transliterate(written)
    assert back.alphabet == alphabet
    pairs = [(a, b) for a, b in zip(WORD.findall(text), WORD.findall(back.text))
             if re.fullmatch(r"[а-яёәғқңөұүһі-]+", a, re.I)]  # the Latin brand names of the page aside
    assert len(WORD.findall(text)) == len(WORD.findall(back.text))
    assert sum(a.casefold() == b.casefold() for a, b in pairs) / len(pairs) >= 0.98


def test_mixed_page_each_paragraph_in_its_own_alphabet():
    text = ("Almaty oblysynyŋ äkımı Qanat Bozymbaev söz söiledı.\n"
            "استانا. KAZINFORM - ۇكىمەت وتىرىسىندا جەكەمەنشىك مەكتەپتەردىڭ جۇمىسى\nАлматы қаласы")
    converted = transliterate(text)
    assert converted.alphabet == "arab+2021" and detect_script(text) == "mixed"
    assert converted.text.split("\n") == ["Алматы облысының әкімі Қанат Бозымбаев сөз сөйледі.",
                                         "АСТАНА. KAZINFORM - Үкімет отырысында жекеменшік мектептердің жұмысы",
                                         "Алматы қаласы"]
    spans = {m.group(0): text[slice(*converted.original_span(*m.span()))] for m in WORD.finditer(converted.text)}
    assert spans["Бозымбаев"] == "Bozymbaev" and spans["Үкімет"] == "ۇكىمەت" and spans["қаласы"] == "қаласы"


def test_english_is_not_read_as_kazakh():
    text = "Алматы әкімі жиналыс өткізді.\nThe meeting was held in Almaty with the participation of ministers."
    assert not transliterate(text).changed


def test_forced_alphabet_and_none():
    assert transliterate("Qazaqstan ükımetı", "2021").text == "Қазақстан үкіметі"
    assert transliterate("Qazaqstan ükımetı", None).text == "Qazaqstan ükımetı"


@pytest.mark.parametrize("text, script", [
    ("Алматы қаласының әкімі Тengrinews.kz сайтына сұхбат берді. https://tengrinews.kz/kazakhstan", "cyrl"),
    ("Almaty qalasynyń ákimi sheshim qabyldady. KAZINFORM", "latn"),
    ("استانا. KAZINFORM - ۇكىمەت وتىرىسىندا جەكەمەنشىك مەكتەپتەردىڭ جۇمىسى", "arab"),
    ("Алматы облысының әкімі шешім қабылдады, бұл туралы хабарлады.\n"
     "Almaty oblysynyŋ äkımı şeşım qabyldady, būl turaly habarlady.", "mixed"),
    ("12 345", "und"),
])
def test_detect_script(text, script):
    assert detect_script(text) == script


def test_russian_paragraph_is_labelled_ru():
    text = ("Аудан әкімі жиналыс өткізді.\nПоделиться в социальных сетях: подписывайтесь на наш канал.\n"
            "Әкім тапсырма берді.")
    assert [p.language for p in paragraphs(text)] == ["kk", "ru", "kk"]


def test_search_in_any_script(tmp_path):
    assert fts_query("اكىمى") == '("اكىمى"* OR "әкім"*)'
    assert "әкім" in query_stems("äkımı") and "әкім" in query_stems("ákimi") and "әкім" in query_stems("اكىمى")
    from kznlp.records import Document

    db = open_archive(tmp_path / "a.db")
    for doc_id, text in [("latn", "Almaty qalasynyñ äkımı Qanat Bozymbaev jinalys ötkızdı."),
                         ("arab", "الماتى قالاسىنىڭ اكىمى جينالىس وتكىزدى."),
                         ("cyrl", "Алматы қаласының әкімі жиналыс өткізді.")]:
        converted = transliterate(text)
        save_document(db, Document(doc_id, converted.text, "kk", script=detect_script(text),
                                   original=converted.original if converted.changed else None))
    for query in ("әкімі", "äkımınıñ", "ákimi", "اكىمى"):
        assert sorted(h.doc_id for h in search(db, query)) == ["arab", "cyrl", "latn"], query
    rows = dict(db.execute("SELECT id, script FROM documents").fetchall())
    assert rows == {"latn": "latn", "arab": "arab", "cyrl": "cyrl"}
    original = db.execute("SELECT original_text FROM documents WHERE id = 'arab'").fetchone()[0]
    assert original.startswith("الماتى")


def test_migration_to_4_fills_script(tmp_path):
    import sqlite_utils

    from kznlp.store.schema import MIGRATIONS, SCHEMA_VERSION

    db = sqlite_utils.Database(tmp_path / "v3.db")
    for version in (1, 2, 3):
        with db.conn:
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version}")
    db.execute("INSERT INTO documents (id, language, text) VALUES ('a', 'kk', 'Алматы қаласының әкімі')")
    db.conn.commit()
    db.conn.close()
    db = open_archive(tmp_path / "v3.db")
    assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert db.execute("SELECT script, original_text FROM documents").fetchone() == ("cyrl", None)


# -- through the model (a few seconds each) -------------------------------------------------------
def _facts(doc):
    return ([o.name for o in doc.officials], [(f.value, f.unit, f.subject) for f in doc.figures],
            [len(d.actions) for d in doc.decisions])


@pytest.mark.parametrize("alphabet", ["2021", "2018", "arab"])
def test_reference_release_in_other_scripts_gives_the_same_facts(nlp, reference_text, reference_doc, alphabet):
    written = from_cyrillic(reference_text, alphabet)
    doc = nlp.process(written)
    assert doc.script == ("arab" if alphabet == "arab" else "latn") and doc.alphabet == alphabet
    assert doc.original == written and doc.language == "kk"
    assert _facts(doc) == _facts(reference_doc)
    mention = doc.officials[0].mentions[0]
    assert from_cyrillic(mention.text, alphabet) == doc.original[mention.original_start:mention.original_end]
    for figure in doc.figures:
        assert doc.original[figure.original_start:figure.original_end].strip()
    data = doc.to_dict()
    assert data["script"] == doc.script and data["original"] == written
    assert "original_start" in data["entities"][0] and "original_start" not in reference_doc.to_dict()["entities"][0]


def test_cli_process_reads_a_latin_page(tmp_path):
    original, _, url = _fixture("latn_2021_adyrna.tsv")
    path = tmp_path / "adyrna.txt"
    path.write_text(f"{url}\n\n{original}\n", "utf-8")
    result = run_cli("process", str(path))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["script"] == "latn" and doc["alphabet"] == "2021"
    names = {o["name"] for o in doc["officials"]}
    assert "Қанат Бозымбаев" in names
    first = next(o for o in doc["officials"] if o["name"] == "Қанат Бозымбаев")["mentions"][0]
    assert doc["original"][first["original_start"]:first["original_end"]] == "Qanat Bozymbaev"


def test_crawl_stores_latin_and_arabic_pages_in_cyrillic(tmp_path):
    from dataclasses import replace

    from kznlp.scrape.crawl import CrawlOptions, crawl
    from scrape_support import FAST, serve

    pages = {}
    for name in ("arab_inform.tsv", "latn_2018_egemen.tsv"):
        original, reading, url = _fixture(name)
        body = "".join(f"<p>{line}</p>" for line in original.split("\n"))
        title = original.split(" ", 4)[:4]
        pages["/" + name.split(".")[0]] = (f"<!DOCTYPE html><html><head><title>{' '.join(title)}</title></head>"
                                           f"<body><article><h1>{' '.join(title)}</h1>{body}</article></body></html>")

    def route(html):
        return lambda handler, n: handler.send(200, html.encode("utf-8"))

    db = open_archive(tmp_path / "crawl.db")
    with serve(None, {path: route(html) for path, html in pages.items()}) as site:
        crawl(db, CrawlOptions(urls=tuple(site.url + p for p in pages), extract=False, policy=replace(FAST)))
    rows = {url.rsplit("/", 1)[1]: (script, language, text, original, title) for url, script, language, text, original,
            title in db.execute("SELECT url, script, language, text, original_text, title FROM documents")}
    assert set(rows) == {"arab_inform", "latn_2018_egemen"}
    script, language, text, original, title = rows["arab_inform"]
    assert (script, language) == ("arab", "kk") and "Үкімет отырысында" in text and "ۇكىمەت" in original
    assert title.startswith("АСТАНА. KAZINFORM")  # a dateline's place in capitals, as Cyrillic Kazinform writes it
    script, language, text, original, title = rows["latn_2018_egemen"]
    assert (script, language) == ("latn", "kk") and "Кәрім Мәсімов Қостанайға келді" in text
    assert original.startswith("Keshe Premer-Mınıstr")
    hits = {h.doc_id for h in search(db, "Qostanaı")} & {h.doc_id for h in search(db, "Қостанай")}
    assert len(hits) == 1


def test_process_many_gives_each_record_its_script(nlp):
    latin, _, _ = _fixture("latn_2018_egemen.tsv")
    arabic, _, _ = _fixture("arab_egemen.tsv")
    cyrillic = ("Аудан әкімі Бақытжан Сағынтаев жиналыс өткізді.\n"
                "Поделиться в социальных сетях: подписывайтесь на наш канал в Telegram.\n"
                "Әкім жол жөндеу жұмыстарын аяқтауды тапсырды.")
    docs = list(nlp.process_many([latin, arabic, cyrillic], batch_size=2))
    assert [(d.script, d.alphabet) for d in docs] == [("latn", "2018"), ("arab", "arab"), ("cyrl", None)]
    assert "Кәрім Мәсімов" in {o.name for o in docs[0].officials}
    assert docs[1].figures and docs[1].figures[0].unit == "KZT"
    data = docs[2].to_dict()
    assert [p["language"] for p in data["paragraphs"]] == ["kk", "ru", "kk"]
    ru = data["paragraphs"][1]
    assert not any(e.start < ru["end"] and ru["start"] < e.end for e in docs[2].entities)
    assert "original" not in data and "Telegram" in data["text"]


def test_latin_lookalikes_in_cyrillic_words_are_read_as_cyrillic():
    """A Cyrillic page typed with a Latin i for і (a real act on egin.akmo.gov.kz: "Егiндiкөл ауданы
    әкiмдiгiнiң Регламентiн") is extracted, stemmed and searched as Cyrillic; offsets do not move."""
    from kznlp.pipeline import prepare

    written = "«Егiндiкөл ауданы әкiмдiгiнiң Регламентiн бекiту туралы», iPhone, COVID-19"
    prepared = prepare(written)
    assert prepared.text == "«Егіндікөл ауданы әкімдігінің Регламентін бекіту туралы», iPhone, COVID-19"
    assert len(prepared.text) == len(written) and prepared.script == "cyrl"


def test_arabic_first_names_need_a_surname_or_a_position():
    # "free Kazakhstan", "a firm basis", "a journalist can write freely": common words, not first names
    text = transliterate(from_cyrillic("Бұл еркін Қазақстан, берік негіз. Журналист еркін жаза алады.", "arab")).text
    assert text == "Бұл еркін Қазақстан, берік негіз. Журналист еркін жаза алады."



def test_latin_lookalike_in_an_arabic_script_page_is_no_name():
    # a Latin i left inside a word ("бiрқатар") is no unknown word to take for a name after a position
    url = "https://rgmedia.kz/e/action/ShowInfo.php?classid=26&id=1891"  # this page types Latin i for і
    assert url.startswith("https://")
    text = transliterate("جيىندا ءوڭىر باسشىسى بiرقاتار مەملەكەتتiك قىزمەتكەرلەردi").text
    assert text == "Жиында өңір басшысы бірқатар мемлекеттік қызметкерлерді"


def test_a_word_cut_off_after_a_position_is_no_name():
    # the page ends in the middle of "ветеринария": the beginning of a common word, not a name
    url = "https://old.syrboyi.kz/aleymet/37651-mal-zhanyyz-aman-ba.html"
    assert url.startswith("https://")
    assert transliterate("باسقارما باسشىسى  ۆەتەرين").text == "Басқарма басшысы  ветерин"



def test_the_place_of_a_dateline_in_capitals():
    # Arabic script has no capitals: the place before the agency's name is the dateline, not a person
    url = "https://kaz.inform.kz/news/konaev-pen-ek-audannin-br-bolg-alatau-kalasi-kuramina-enu-mumkn-a27dca/"
    assert url.startswith("https://")
    assert transliterate("قوناەۆ. KAZINFORM – الماتى وبلىسىنىڭ اكىمدىگى قوناەۆ, ىلە جانە تالعار اۋداندارىنا").text == \
        "ҚОНАЕВ. KAZINFORM – Алматы облысының әкімдігі Қонаев, Іле және Талғар аудандарына"
