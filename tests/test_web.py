"""The website and JSON API (TestClient), the archive in datasette, and the search page driven in a
real headless Chromium (Debian's /usr/bin/chromium through Playwright; skipped outside CI when it is missing)."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from archive_data import XSS_TITLE, build_archive, build_regional
from kznlp.errors import ArchiveError
from kznlp.web import create_app

CHROMIUM = os.environ.get("KZNLP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("web") / "archive.db")


@pytest.fixture(scope="module")
def client(archive_path):
    return TestClient(create_app(archive_path))


def test_search_page_finds_inflected_forms(client):
    page = client.get("/", params={"q": "әкімдерге"})
    assert page.status_code == 200
    assert "<mark>әкімі</mark>" in page.text or "<mark>әкімдерге</mark>" in page.text
    assert "Іздеу" in page.text and 'lang="kk"' in page.text
    assert "/documents/almaty" in page.text and "/documents/farming" not in page.text
    assert 'data-facet="official"' in page.text and "Бақытжан Сағынтаев" in page.text


@pytest.mark.parametrize("query", ["äkımderge", "ákimderge", "اكىمدەرگە"])
def test_search_page_takes_latin_and_arabic_script_queries(client, query):
    page = client.get("/", params={"q": query})
    assert page.status_code == 200 and "/documents/almaty" in page.text and "<mark>" in page.text


def test_facet_links_filter(client):
    officials = client.get("/api/officials").json()
    oid = next(o["id"] for o in officials if o["name"] == "Олжас Бектенов")
    page = client.get("/", params={"q": "әкім", "official_id": oid})
    assert "/documents/astana" in page.text and "/documents/almaty" not in page.text
    assert client.get("/", params={"q": "әкім", "source": "bairaq", "year": "2024"}).text.count('class="hit"') == 1


@pytest.mark.parametrize("query", ['әкім AND (', '"', "*", "x" * 10_000, "NEAR(", "'; DROP TABLE documents"])
def test_hostile_queries_render(client, query):
    assert client.get("/", params={"q": query}).status_code == 200
    assert client.get("/api/search", params={"q": query}).status_code == 200


def test_bad_parameters_get_a_message(client):
    page = client.get("/", params={"q": "әкім", "since": "кеше"})
    assert page.status_code == 400 and "ЖЖЖЖ-АА-КК" in page.text
    assert client.get("/api/search", params={"q": "әкім", "official_id": "x"}).status_code == 400
    assert client.get("/api/decisions", params={"frequency": "hourly"}).status_code == 400


def test_scraped_text_is_escaped(client):
    page = client.get("/documents/hostile")
    assert page.status_code == 200
    assert XSS_TITLE not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<img src=x" not in page.text and "&lt;b&gt;" in page.text
    assert 'href="javascript:' not in page.text  # a non-http source URL is shown, not linked
    results = client.get("/", params={"q": "тойға"})
    assert XSS_TITLE not in results.text and "&lt;script&gt;" in results.text
    assert "script-src" not in page.headers["content-security-policy"]  # no scripts at all


def test_document_page(client):
    page = client.get("/documents/almaty")
    assert '<mark class="official" title="Лауазым иесі">Бақытжан Сағынтаевтың</mark>' in page.text
    assert 'href="https://bairaq.kz/news/almaty-1"' in page.text and "Дереккөз" in page.text
    assert client.get("/documents/nope").status_code == 404


def test_decisions_officials_responsible_pages(client):
    decisions = client.get("/decisions", params={"official": "Сағынтаевтың"})
    assert "жемқорлыққа қарсы мониторинг жүргізу" in decisions.text and "апта сайын" in decisions.text
    assert "жылу желілерін жөндеу" not in decisions.text
    responsible = client.get("/responsible")
    assert "Энергетика министрлігі" in responsible.text
    assert '<a href="/documents/astana">Жылу маусымына дайындық</a>' in responsible.text  # titles, not ids
    officials = client.get("/officials")
    assert "Лауазым иелері" in officials.text and "Олжас Бектенов" in officials.text
    oid = client.get("/api/officials", params={"name": "Сағынтаев"}).json()[0]["id"]
    official = client.get(f"/officials/{oid}")
    assert "Алматы қаласының әкімі" in official.text and "2024-05-10" in official.text
    assert client.get("/officials/9999").status_code == 404


def test_api(client):
    found = client.get("/api/search", params={"q": "Sağyntaevtyñ"}).json()
    assert [h["doc"] for h in found["hits"]] == ["almaty"] and found["total"] == 1
    assert found["facets"]["source"] == [{"value": "bairaq", "label": "bairaq", "count": 1}]
    doc = client.get("/api/documents/almaty").json()
    assert doc["officials"][0]["name"] == "Бақытжан Сағынтаев"
    assert client.get("/api/decisions", params={"official": "Бектенов"}).json()[0]["doc_id"] == "astana"
    assert client.get("/api/documents/nope").status_code == 404
    assert client.get("/api/").json()["endpoints"]


def test_app_is_read_only(archive_path, tmp_path):
    with pytest.raises(ArchiveError):
        create_app(tmp_path / "missing.db")
    before = archive_path.stat().st_mtime_ns
    TestClient(create_app(archive_path)).get("/", params={"q": "әкім"})
    assert archive_path.stat().st_mtime_ns == before


def test_datasette_full_text_search(archive_path):
    import datasette.app as datasette

    async def fetch():
        ds = datasette.Datasette([str(archive_path)])
        name = archive_path.stem
        docs = await ds.client.get(f"/{name}/documents.json?_search={quote('әкім')}&_shape=array")
        actions = await ds.client.get(f"/{name}/actions.json?_search={quote('жылу')}&_shape=array")
        return docs, actions

    docs, actions = asyncio.run(fetch())
    assert docs.status_code == 200 and {row["id"] for row in docs.json()} >= {"almaty"}  # "әкімі" stems to "әкім"
    assert actions.status_code == 200 and [row["text"] for row in actions.json()] == ["жылу желілерін жөндеу"]


# --- a real server ------------------------------------------------------------------------------------------


BIG = str(2 ** 63)  # one past SQLite's largest integer


@pytest.mark.parametrize("path", [f"/api/search?q=әкім&official_id={BIG}", f"/api/decisions?offset={BIG}",
                                  f"/api/officials/{BIG}", f"/api/search?official=x&page={2 ** 62}",
                                  "/api/search?q=әкім&since=2024-13-45", "/api/search?q=әкім&until=2024-02-30",
                                  "/api/search?q=әкім&deadline=2024-13"])
def test_out_of_range_numbers_and_dates_are_a_json_400_on_a_kept_connection(live_server, path):
    import httpx

    with httpx.Client(base_url=live_server) as http:
        response = http.get(path)
        assert response.status_code == 400 and "error" in response.json()
        assert response.headers["x-frame-options"] == "DENY"
        assert http.get("/api/").status_code == 200  # the keep-alive connection still serves
        assert http.get(path.replace("/api/", "/", 1)).status_code in (400, 404)  # the page says so too
    assert httpx.get(f"{live_server}/officials/{BIG}").status_code == 400
    assert httpx.get(f"{live_server}/documents/{BIG}").status_code == 404


def test_a_name_without_words_matches_nobody(client):
    assert client.get("/api/search", params={"q": "әкім", "official": "\x00"}).json()["hits"] == []
    assert client.get("/api/decisions", params={"official": "\x00"}).json() == []
    assert client.get("/api/officials", params={"name": "\x00"}).json() == []
    assert client.get("/api/decisions", params={"official": "Бектенов"}).json()  # a real name still does


def test_every_response_has_the_security_headers(live_server, monkeypatch):
    import httpx

    from kznlp.store import queries

    def expect_headers(response):
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"

    with httpx.Client(base_url=live_server) as http:
        for path in ("/", "/api/search?q=әкім", "/nope", "/api/nope"):
            expect_headers(http.get(path))
        for path, kind in (("/", "text/html"), ("/api/search", "application/json")):
            response = http.post(path)
            assert response.status_code == 405 and response.headers["content-type"].startswith(kind)
            assert "GET" in response.headers["allow"]
            expect_headers(response)
        monkeypatch.setattr(queries, "list_officials", lambda *a, **k: 1 / 0)
        for path, kind in (("/officials", "text/html"), ("/api/officials", "application/json")):
            response = http.get(path)
            assert response.status_code == 500 and response.headers["content-type"].startswith(kind)
            expect_headers(response)
        assert http.get("/api/officials").json() == {"error": "internal server error"}


# --- a real browser -----------------------------------------------------------------------------------------


def serve_website(path, tries: int = 100):
    """The website over the archive at ``path`` on a free port of 127.0.0.1 (uvicorn in a thread); a
    generator for fixtures (``yield from``): yields the base URL, stops the server after."""
    import uvicorn
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(path), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(tries):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


@pytest.fixture(scope="module")
def live_server(archive_path):
    yield from serve_website(archive_path)


@pytest.fixture(scope="module")
def regional_server(tmp_path_factory):
    """Two regional releases (``archive_data.regional``): figures, position spellings, bodies and places."""
    yield from serve_website(build_regional(tmp_path_factory.mktemp("web-regional") / "regional.db"))


@pytest.fixture(scope="module")
def browser():
    import playwright.sync_api as sync_api

    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        # CI installs Chromium (.ci/run), so there a missing browser is a failure, not a skip
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium at {CHROMIUM}: .ci/run should have installed it")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


def test_browser_search_facet_document(live_server, page):
    page.goto(live_server + "/")
    page.fill("input[name=q]", "әкімдерге")
    page.click("form.search button[type=submit]")
    page.wait_for_selector("article.hit")
    assert page.locator("article.hit").count() == 3
    assert page.locator("article.hit mark").first.inner_text().lower().startswith("әкім")
    # click the official facet: only his document is left
    page.click("section[data-facet=official] a.facet-link:has-text('Бақытжан Сағынтаев')")
    page.wait_for_load_state()
    assert "official_id=" in page.url
    assert page.locator("article.hit").count() == 1
    # open the document: the official is highlighted in the text and links to his page
    page.click("article.hit h2 a")
    page.wait_for_selector(".doctext")
    official = page.locator(".doctext mark.official").first
    assert "Сағынтаев" in official.inner_text()
    assert official.evaluate("el => getComputedStyle(el).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.locator("a.source-link").get_attribute("href") == "https://bairaq.kz/news/almaty-1"
    official.click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "Бақытжан Сағынтаев"
    assert not page.dialogs


def test_browser_script_title_is_text(live_server, page):
    page.goto(live_server + "/?q=" + quote("тойға"))
    page.wait_for_selector("article.hit")
    assert page.locator("article.hit h2 a").inner_text() == XSS_TITLE
    page.click("article.hit h2 a")
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == XSS_TITLE
    assert "<img src=x onerror=alert(2)>" in page.locator(".doctext").inner_text()
    assert page.locator(".doctext img").count() == 0
    page.wait_for_timeout(300)
    assert not page.dialogs  # no alert() ran


# --- what a Kazakh reader sees (issue 15, items 10-14) ------------------------------------------------------


def test_browser_date_fields_are_iso_text(live_server, page):
    """Date fields take and show YYYY-MM-DD whatever the browser's locale (type=date would show mm/dd/yyyy)."""
    page.goto(live_server + "/?q=" + quote("әкім"))
    assert page.locator("html").get_attribute("lang") == "kk"
    since = page.locator("input[name=since]")
    assert since.get_attribute("type") == "text" and since.get_attribute("placeholder") == "ЖЖЖЖ-АА-КК"
    since.fill("01/05/2025")
    assert since.evaluate("el => el.validity.patternMismatch")  # the browser refuses it before the server would
    since.fill("2025-01-01")
    page.click("form.search button[type=submit]")
    page.wait_for_selector("article.hit")
    assert "since=2025-01-01" in page.url
    assert page.locator("input[name=since]").input_value() == "2025-01-01"
    dates = [m.split(" · ")[0] for m in page.locator("article.hit p.meta").all_inner_texts()]
    assert dates == ["2025-01-15"]  # only the Astana release, its date in ISO form
    assert page.locator(".active-filters a").inner_text().startswith("2025-01-01")


def test_browser_figures_in_kazakh(regional_server, page):
    page.goto(regional_server + "/documents/oblys-1")
    shown = page.locator("ul.figures .figure").all_inner_texts()
    assert shown == ["150\u00a0млн теңге", "67\u00a0%", "12\u202f500\u00a0тонна", "1,5\u00a0млрд теңге"]
    assert "150000000" not in page.content() and "KZT" not in page.locator("ul.figures").inner_text()


def test_browser_document_legend(live_server, regional_server, page):
    """The legend names each colour of the text in Kazakh, in the colour the text uses."""
    page.goto(regional_server + "/documents/oblys-1")
    legend = {m.get_attribute("data-label"): m for m in page.locator(".legend mark").all()}
    assert {label: m.inner_text() for label, m in legend.items()} == {
        "OFFICIAL": "Лауазым иесі", "POSITION": "Лауазым", "MONEY": "Ақша", "PERCENTAGE": "Пайыз"}
    background = "el => getComputedStyle(el).backgroundColor"
    colours = {label: m.evaluate(background) for label, m in legend.items()}
    assert len(set(colours.values())) == 4  # four classes, four colours
    assert page.locator(".doctext mark.official").first.evaluate(background) == colours["OFFICIAL"]
    for label in ("POSITION", "MONEY", "PERCENTAGE"):
        mark = page.locator(f".doctext mark.ent-{label}").first
        assert mark.evaluate(background) == colours[label] and mark.get_attribute("title") == legend[label].inner_text()
    page.goto(live_server + "/documents/farming")  # no entities: no legend
    assert page.locator(".legend").count() == 0


def test_facets_merge_spellings_and_list_bodies_only(regional_server):
    import httpx

    facets = httpx.get(f"{regional_server}/api/search", params={"q": "әкім"}).json()["facets"]
    positions = {f["label"].casefold(): f["count"] for f in facets["position"]}
    assert positions["облыс әкімі"] == 2 and len(facets["position"]) == 3  # "Облыс әкімі" and "облыс әкімі": one
    assert [f["label"] for f in facets["organisation"]] == ["Қаржы министрлігі"]  # not "облыс", "Премьер-министр"
    page = httpx.get(regional_server + "/", params={"q": "әкім"}).text
    assert page.count(">Облыс әкімі</a>") + page.count(">облыс әкімі</a>") == 1
    # the facet's link finds both spellings, and an inflected filter does too
    for value in (facets["position"][0]["value"], "облыстың әкімі"):
        found = httpx.get(f"{regional_server}/api/search", params={"q": "әкім", "position": value}).json()
        assert sorted(h["doc"] for h in found["hits"]) == ["oblys-1", "oblys-2"]


def test_browser_title_and_phrase_highlight(regional_server, page):
    page.goto(regional_server + "/?q=" + quote("жоспар"))  # only in the first release's title
    page.wait_for_selector("article.hit")
    assert page.locator("article.hit h2 mark").all_inner_texts() == ["жоспары"]
    assert page.locator("article.hit h2").inner_text() == "Облыстағы жөндеу жоспары"  # the whole title
    page.goto(regional_server + "/?q=" + quote('"облыс әкімі"'))
    page.wait_for_selector("article.hit")
    marks = page.locator("article.hit .snippet mark").all_inner_texts()
    assert sorted(marks) == ["Облыс әкімі", "облыс әкімі"]  # the phrase, once per release, not "Аудан әкімі"
    page.goto(regional_server + "/?q=" + quote("облыс әкімі"))  # two words: each wherever it is
    assert "әкімі" in page.locator("article.hit .snippet mark").all_inner_texts()


# --- document identity: ids in URLs, a missing document, a document found by its URL --------------------------


CRAWLED_ID = "demo:0a1b2c3d4e5f6a7b"  # what the crawler names a demo page: ":" in an id
FILE_ID = "a/report"  # what `kznlp process a/report.txt b/report.txt` names one of two same-stem files


@pytest.fixture(scope="module")
def identity_server(tmp_path_factory):
    """An archive where one release came twice (crawled, then as a text file: one document) and a file's id
    holds a "/"; served by uvicorn on 127.0.0.1."""
    from dataclasses import replace


    from archive_data import almaty, astana
    from kznlp.store.archive import open_archive, save_document

    path = tmp_path_factory.mktemp("identity") / "archive.db"
    db = open_archive(path)
    crawled = replace(almaty(), doc=CRAWLED_ID, url="http://127.0.0.1:1234/articles/almaty.html")
    assert save_document(db, crawled, source="demo", origin=crawled.url) == CRAWLED_ID
    from_file = replace(almaty(), doc="almaty_release", url="https://bairaq.kz/news/almaty-1")
    assert save_document(db, from_file, source="bairaq.kz", origin="/data/almaty_release.txt") == CRAWLED_ID
    assert save_document(db, replace(astana(), doc=FILE_ID), source="file", origin="/data/a/report.txt") == FILE_ID
    db.conn.close()
    yield from serve_website(path)


def test_a_missing_document_is_a_kazakh_404_with_a_way_back(identity_server):
    import httpx

    page = httpx.get(identity_server + "/documents/1")
    assert page.status_code == 404 and 'lang="kk"' in page.text
    assert "Құжат табылмады" in page.text and '<a href="/">Іздеу бетіне оралу</a>' in page.text
    assert page.headers["x-frame-options"] == "DENY"
    api = httpx.get(identity_server + "/api/documents/1")
    assert api.status_code == 404 and api.json() == {"error": "not found"}


def test_a_document_is_reachable_by_its_url(identity_server):
    import httpx

    with httpx.Client(base_url=identity_server, follow_redirects=True) as http:
        # any address it was found at, tracking parameters and all, or the path of the file it was read from
        for url in ("https://bairaq.kz/news/almaty-1?utm_source=newsletter", "http://127.0.0.1:1234/articles/almaty.html",
                    "/data/almaty_release.txt"):
            page = http.get("/documents", params={"url": url})
            assert page.status_code == 200 and page.url.path == "/documents/" + CRAWLED_ID, url
            assert "Сағынтаев әкімдерге тапсырма берді" in page.text
            doc = http.get("/api/documents", params={"url": url}).json()
            assert doc["id"] == CRAWLED_ID and "https://bairaq.kz/news/almaty-1" in doc["origins"]
        assert 'href="https://bairaq.kz/news/almaty-1"' in page.text  # the other places it was found, linked
        assert http.get("/documents", params={"url": "/data/a/report.txt"}).url.path == "/documents/" + FILE_ID
        missing = http.get("/documents", params={"url": "https://nowhere.kz/x"})
        assert missing.status_code == 404 and "Бұл сілтемемен құжат табылмады" in missing.text
        assert http.get("/documents").status_code == 400
        assert http.get("/api/documents", params={"url": "https://nowhere.kz/x"}).status_code == 404
        assert http.get("/api/documents").status_code == 400 and "error" in http.get("/api/documents").json()


def test_browser_ids_in_urls_missing_document_and_lookup_by_url(identity_server, page):
    # the lists link to ids with ":" and "/": each link opens its document
    for query, doc_id, title in (("Сағынтаев", CRAWLED_ID, "Сағынтаев әкімдерге тапсырма берді"),
                                 ("Бектенов", FILE_ID, "Жылу маусымына дайындық")):
        page.goto(identity_server + "/?q=" + quote(query))
        page.wait_for_selector("article.hit")
        assert page.locator("article.hit").count() == 1  # one document for the release read twice
        page.click("article.hit h2 a")
        page.wait_for_selector("h1")
        assert page.locator("h1").inner_text() == title
        assert page.evaluate("decodeURIComponent(location.pathname)") == "/documents/" + doc_id
    # a missing document: a Kazakh 404 page whose link goes back to search
    response = page.goto(identity_server + "/documents/1")
    assert response.status == 404 and "Құжат табылмады" in page.locator("main").inner_text()
    page.click("text=Іздеу бетіне оралу")
    page.wait_for_selector("form.search")
    assert page.url.rstrip("/") == identity_server
    # by its URL
    page.goto(identity_server + "/documents?url=" + quote("https://bairaq.kz/news/almaty-1"))
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "Сағынтаев әкімдерге тапсырма берді"
    assert not page.dialogs


def test_document_pages_show_public_addresses_only():
    """A file path of the machine that built the archive, or the demo's loopback server, is no public address."""
    from kznlp.web.app import public_addresses

    assert public_addresses("http://127.0.0.1:39531/news/1", ["/work/main/corpora/demo/excerpt_02.txt",
                            "https://kaz.inform.kz/news/1", "http://127.0.0.1:39531/news/1"]) == ["https://kaz.inform.kz/news/1"]
    assert public_addresses("http://127.0.0.1:39531/news/1", ["/tmp/a.txt"]) == ["http://127.0.0.1:39531/news/1"]
    assert public_addresses(None, ["/tmp/a.txt"]) == []
    assert public_addresses("https://a.kz/1", ["https://b.kz/1", "https://a.kz/1"]) == ["https://a.kz/1", "https://b.kz/1"]
