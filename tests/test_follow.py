"""Following what officials decide (issue 16): watchlists, Atom feeds, the deadline tracker with calendar
export, cross-referencing names.  A real archive (the small one of archive_data plus a release processed by
the shipped model), the CLI in real subprocesses, the API over HTTP on 127.0.0.1, feeds read by feedparser,
calendars by icalendar, the pages in a real Chromium."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date

import feedparser
import httpx
import icalendar
import pytest

from archive_data import build_archive
from conftest import ROOT, run_cli
from test_web import browser, page, serve_website  # noqa: F401 - the real browser fixtures
from kznlp.follow import watches
from kznlp.follow.deadlines import resolve
from kznlp.store.archive import open_archive, save_document

FIXTURES = ROOT / "tests" / "fixtures" / "follow"
RELEASE = FIXTURES / "deadlines_release.html"
NAMES = FIXTURES / "names.csv"


@pytest.fixture(scope="session")
def release_doc(nlp):
    return nlp.process_file(RELEASE)


@pytest.fixture(scope="module")
def base_archive(tmp_path_factory):
    """The small archive (almaty, astana, farming, hostile), no model."""
    return build_archive(tmp_path_factory.mktemp("follow") / "base.db")


@pytest.fixture(scope="module")
def full_archive(tmp_path_factory, base_archive, release_doc):
    """The small archive plus the release with deadlines, and a watch on Сағынтаев."""
    path = tmp_path_factory.mktemp("follow-full") / "full.db"
    shutil.copy(base_archive, path)
    db = open_archive(path)
    save_document(db, release_doc, source="example")
    watches.add_watch(db, watches.make_watch("sagyntaev", official="Сағынтаевқа"))
    watches.add_watch(db, watches.make_watch("zhylu", query="жылу", since="2025"))
    db.conn.close()
    return path


def cli_json(*args: str) -> list:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr.decode()
    return [json.loads(line) for line in result.stdout.decode().splitlines() if line.strip()]


# --- watches ---------------------------------------------------------------------------------------------


def test_watches_are_listed_in_the_kazakh_alphabet(base_archive, tmp_path):
    path = tmp_path / "watches.db"
    shutil.copy(base_archive, path)
    db = open_archive(path)
    for name in ("ярослав", "құмар", "әкімдер", "ауыл", "ұлттық-қор"):
        watches.add_watch(db, watches.make_watch(name, query="әкім"))
    assert [w.name for w in watches.list_watches(db)] == ["ауыл", "әкімдер", "құмар", "ұлттық-қор", "ярослав"]


def test_watch_report_lists_new_matches_once(tmp_path, base_archive, release_doc):
    db = tmp_path / "a.db"
    shutil.copy(base_archive, db)
    added = run_cli("watch", "add", "sagyntaev", "--official", "Сағынтаевқа", "--db", str(db))
    assert added.returncode == 0 and "sagyntaev" in added.stdout.decode()
    assert run_cli("watch", "add", "energy", "--organisation", "Энергетика министрлігі", "--db", str(db)).returncode == 0
    listed = cli_json("watch", "list", "--json", "--db", str(db))
    assert [(w["name"], w["new"]) for w in listed] == [("energy", 1), ("sagyntaev", 1)]

    first = {r["watch"]["name"]: r for r in cli_json("watch", "report", "--json", "--db", str(db))}
    assert [d["doc"] for d in first["sagyntaev"]["documents"]] == ["almaty"]
    decision = first["sagyntaev"]["documents"][0]["decisions"][0]
    assert decision["maker"] == "Бақытжан Сағынтаев"
    assert decision["actions"][0]["text"] == "жемқорлыққа қарсы мониторинг жүргізу"
    assert [d["doc"] for d in first["energy"]["documents"]] == ["astana"]

    second = cli_json("watch", "report", "--json", "--db", str(db))
    assert [r["documents"] for r in second] == [[], []]

    # a newly stored document that matches shows up, alone, in the next report of its watch
    archive = open_archive(db)
    save_document(archive, release_doc, source="example")
    archive.conn.close()
    third = cli_json("watch", "report", "sagyntaev", "--json", "--db", str(db))
    assert [d["doc"] for d in third[0]["documents"]] == ["deadlines_release"]
    assert any(a["deadline"] == "2025-10-01" for x in third[0]["documents"][0]["decisions"] for a in x["actions"])
    assert cli_json("watch", "report", "sagyntaev", "--json", "--db", str(db))[0]["documents"] == []
    text = run_cli("watch", "report", "--db", str(db)).stdout.decode()
    assert "energy: 0 жаңа құжат" in text  # the CLI speaks Kazakh by default

    removed = run_cli("watch", "remove", "energy", "--db", str(db))
    assert removed.returncode == 0
    assert [w["name"] for w in cli_json("watch", "list", "--json", "--db", str(db))] == ["sagyntaev"]


@pytest.mark.parametrize("args, message", [
    (("watch", "add", "x"), "needs --query, --official or --organisation"),
    (("watch", "add", "bad name", "--query", "әкім"), "watch name"),
    (("watch", "add", "x", "--query", "*"), "no words to search for"),
    (("watch", "add", "x", "--query", "әкім", "--since", "2024-02-30"), "--since"),
    (("watch", "add", "x", "--query", "әкім", "--frequency", "hourly"), "--frequency"),
    (("watch", "remove", "nope"), "no watch named 'nope'"),
    (("watch", "report", "nope"), "no watch named 'nope'"),
])
def test_watch_bad_input(tmp_path, base_archive, args, message):
    db = tmp_path / "a.db"
    shutil.copy(base_archive, db)
    before = db.read_bytes()
    result = run_cli(*args, "--db", str(db))
    err = result.stderr.decode().strip()
    assert result.returncode == 1 and message in err and len(err.splitlines()) == 1, err
    if args[1] != "add":
        return
    archive = open_archive(db, readonly=True)
    assert watches.list_watches(archive) == []  # nothing half-written
    del before


def test_watch_name_taken(tmp_path, base_archive):
    db = tmp_path / "a.db"
    shutil.copy(base_archive, db)
    assert run_cli("watch", "add", "w", "--query", "әкім", "--db", str(db)).returncode == 0
    again = run_cli("watch", "add", "w", "--query", "жылу", "--db", str(db))
    assert again.returncode == 1 and "exists already" in again.stderr.decode()


def test_migration_adds_watches_to_an_old_archive(tmp_path, base_archive):
    """A schema 5 archive (no watch tables) is upgraded on a write open and keeps its documents."""
    db = tmp_path / "old.db"
    shutil.copy(base_archive, db)
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE watch_reported")
    conn.execute("DROP TABLE watches")
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()
    old = open_archive(db, readonly=True)
    assert watches.list_watches(old) == [] and old.execute("PRAGMA user_version").fetchone() == (5,)
    old.conn.close()
    assert run_cli("watch", "add", "w", "--official", "Бектенов", "--db", str(db)).returncode == 0
    archive = open_archive(db, readonly=True)
    assert archive.execute("PRAGMA user_version").fetchone() == (6,)
    assert archive.execute("SELECT count(*) FROM documents").fetchone() == (4,)
    assert [d["doc"] for d in watches.pending(archive, watches.get_watch(archive, "w"))] == ["astana"]


# --- deadlines -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, published, due", [
    ("есепті жыл соңына дейін ұсыну", "2025-05-10", "2025-12-31"),
    ("жұмысты 1 қазанға дейін аяқтау", "2025-05-10", "2025-10-01"),
    ("жұмысты 1 қазанға дейін аяқтау", "2025-11-10", "2026-10-01"),
    ("екі апта ішінде тексеру", "2025-05-10", "2025-05-24"),
    ("он бес күн ішінде жауап беру", "2025-05-10", "2025-05-25"),
    ("үш ай ішінде әзірлеу", "2025-11-30", "2026-02-28"),
    ("наурыз айының соңына дейін дайындау", "2025-01-10", "2025-03-31"),
    ("наурыз айының соңына дейін дайындау", "2025-05-10", "2026-03-31"),
])
def test_relative_deadlines_resolve_against_publication(text, published, due):
    found = resolve(None, (text,), date.fromisoformat(published))
    assert found is not None and found.due == date.fromisoformat(due)


@pytest.mark.parametrize("text", ["тоқсан сайын есеп беру", "соңғы бес жыл ішінде жасалды", "жұмысты жалғастыру"])
def test_no_deadline(text):
    assert resolve(None, (text,), date(2025, 5, 10)) is None


def test_unresolved_deadlines_are_kept_apart():
    assert resolve("келесі отырысқа дейін", (), date(2025, 5, 10)).due is None
    undated = resolve(None, ("екі апта ішінде тексеру",), None)
    assert undated.due is None and undated.phrase == "екі апта ішінде"


def test_deadlines_cli_groups_and_calendar(tmp_path, full_archive):
    ics = tmp_path / "deadlines.ics"
    result = run_cli("deadlines", "--db", str(full_archive), "--today", "2025-09-10", "--json", "--ics", str(ics))
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    groups = {name: [(i["due"], i["text"]) for i in items] for name, items in data["groups"].items()}
    assert groups["week"] == [("2025-09-15", "екі апта ішінде қазандықтардың көмір қорын тексеру")]
    assert groups["month"] == [("2025-10-01", "жылу желілерін жөндеу жұмыстарын 1 қазанға дейін аяқтау")]
    assert [d for d, _ in groups["later"]] == ["2025-12-31", "2026-03-31"]  # "наурыз айының соңына дейін"
    assert groups["overdue"] == [("2024-12-31", "жемқорлыққа қарсы мониторинг жүргізу")]
    item = data["groups"]["month"][0]
    assert item["responsible"] == ["аудан әкімдері"] and item["maker"] == "Бақытжан Сағынтаев"
    assert item["doc_id"] == "deadlines_release" and item["days"] == 21
    calendar = icalendar.Calendar.from_ical(ics.read_bytes())
    events = sorted((e["dtstart"].dt, str(e["summary"]), str(e["url"])) for e in calendar.walk("VEVENT"))
    assert len(events) == 5 and events[0][0] == date(2024, 12, 31)
    assert events[1] == (date(2025, 9, 15), "екі апта ішінде қазандықтардың көмір қорын тексеру",
                         "http://127.0.0.1:8000/documents/deadlines_release")
    assert len({str(e["uid"]) for e in calendar.walk("VEVENT")}) == 5

    overdue = json.loads(run_cli("deadlines", "--db", str(full_archive), "--today", "2025-09-10", "--overdue",
                                 "--json").stdout)
    assert sum(map(len, overdue["groups"].values())) == 1 and overdue["groups"]["overdue"]
    within = json.loads(run_cli("deadlines", "--db", str(full_archive), "--today", "2025-09-10", "--within", "30",
                                "--json").stdout)
    assert [i["due"] for g in within["groups"].values() for i in g] == ["2025-09-15", "2025-10-01"]
    finance = json.loads(run_cli("deadlines", "--db", str(full_archive), "--today", "2025-09-10", "--responsible",
                                 "қаржы", "--json").stdout)
    assert [i["due"] for g in finance["groups"].values() for i in g] == ["2026-03-31"]
    by = json.loads(run_cli("deadlines", "--db", str(full_archive), "--official", "Сағынтаевтың", "--today",
                            "2025-09-10", "--json").stdout)
    assert sum(map(len, by["groups"].values())) == 5
    text = run_cli("deadlines", "--db", str(full_archive), "--today", "2025-09-10").stdout.decode()
    assert "7 күн ішінде (1)" in text and "2025-09-15 (+5 d)" in text


def test_deadlines_bad_today(full_archive):
    result = run_cli("deadlines", "--db", str(full_archive), "--today", "2025-13-01")
    assert result.returncode == 1 and "--today" in result.stderr.decode()


# --- cross-reference -------------------------------------------------------------------------------------


def test_xref_cli(tmp_path, full_archive):
    out = tmp_path / "out.csv"
    result = run_cli("xref", str(NAMES), "--db", str(full_archive), "-o", str(out))
    assert result.returncode == 0, result.stderr.decode()
    assert "4 есімнің 3 табылды" in result.stdout.decode()
    import csv

    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    by_name = {r["name"]: r for r in rows}
    assert by_name["Сағынтаевқа"]["official"] == by_name["Sağyntaev"]["official"] == "Бақытжан Сағынтаев"
    assert by_name["Сағынтаевқа"]["documents"] == "2"
    assert "Алматы қаласының әкімі" in by_name["Sağyntaev"]["positions"]
    assert (by_name["Сағынтаевқа"]["first"], by_name["Сағынтаевқа"]["last"]) == ("2024-05-10", "2025-09-01")
    assert by_name["БЕКТЕНОВТІҢ"]["official"] == "Олжас Бектенов"
    assert by_name["Иванов"]["official"] == "" and by_name["Иванов"]["documents"] == "0"
    listed = cli_json("xref", str(NAMES), "--db", str(full_archive), "--json")
    assert [r["reading"] for r in listed][:2] == ["Сағынтаевқа", "Сағынтаев"]


@pytest.mark.parametrize("content, args, message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", (), "binary"),
    (b"", (), "empty"),
    (b"  \n\n", (), "empty"),
    ("name\n".encode(), (), "no names"),
    ("аты,ескерту\nСағынтаев,x\n".encode(), (), "no column 'name'"),
    ("<html><body>Сағынтаев</body></html>".encode(), (), "not a CSV file"),
    ("person;x\nСағынтаев;1\n".encode(), ("--column", "fio"), "no column 'fio'"),
])
def test_xref_bad_file(tmp_path, full_archive, content, args, message):
    bad = tmp_path / "names.csv"
    bad.write_bytes(content)
    out = tmp_path / "out.csv"
    result = run_cli("xref", str(bad), "--db", str(full_archive), "-o", str(out), *args)
    err = result.stderr.decode().strip()
    assert result.returncode == 1 and message in err and len(err.splitlines()) == 1, err
    assert not out.exists()


def test_xref_semicolon_and_other_column(tmp_path, full_archive):
    names = tmp_path / "n.csv"
    names.write_text("id;person\n1;сағынтаевтың\n", encoding="utf-8")
    rows = cli_json("xref", str(names), "--column", "person", "--db", str(full_archive), "--json")
    assert rows[0]["matches"][0]["name"] == "Бақытжан Сағынтаев"


# --- the API over HTTP and feeds ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_server(full_archive):
    yield from serve_website(full_archive, tries=200)


def test_api_over_http(live_server):
    with httpx.Client(base_url=live_server) as http:
        rows = http.get("/api/watches").json()
        assert [r["watch"]["name"] for r in rows] == ["sagyntaev", "zhylu"]
        assert sorted(d["doc"] for d in rows[0]["new"]) == ["almaty", "deadlines_release"]
        assert [d["doc"] for d in rows[1]["new"]] == ["deadlines_release", "astana"]  # "жылу" since 2025, newest stored first
        data = http.get("/api/deadlines", params={"today": "2025-09-10"}).json()
        assert [i["due"] for i in data["groups"]["week"]] == ["2025-09-15"]
        assert http.get("/api/deadlines", params={"today": "soon"}).status_code == 400
        assert http.get("/api/deadlines", params={"within": "-1"}).status_code == 400
        found = http.get("/api/xref", params=[("name", "Sağyntaev"), ("name", "Бектеновке")]).json()
        assert [r["matches"][0]["name"] for r in found] == ["Бақытжан Сағынтаев", "Олжас Бектенов"]
        posted = http.post("/api/xref", files={"file": ("n.csv", NAMES.read_bytes(), "text/csv")}).json()
        assert [bool(r["matches"]) for r in posted] == [True, True, True, False]
        bad = http.post("/api/xref", files={"file": ("n.csv", b"\x00\x01\x02\x03", "text/csv")})
        assert bad.status_code == 400 and "binary" in bad.json()["error"]
        big = http.post("/api/xref", files={"file": ("n.csv", b"name\n" + b"x" * (3 * 1024 * 1024), "text/csv")})
        assert big.status_code == 400 and "МБ" in big.json()["error"]
        ics = http.get("/deadlines.ics", params={"today": "2025-09-10"})
        assert ics.headers["content-type"].startswith("text/calendar")
        events = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
        assert len(events) == 5
        assert {str(e["url"]) for e in events} >= {live_server + "/documents/deadlines_release"}


def _feed(http, path, **params):
    response = http.get(path, params=params)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    return parsed


def test_feeds_parse(live_server):
    with httpx.Client(base_url=live_server) as http:
        watch = _feed(http, "/feeds/watch/sagyntaev.atom")
        assert "sagyntaev" in watch.feed.title
        titles = [e.title for e in watch.entries]
        assert titles == ["Облыс әкімі жылу маусымына дайындық бойынша тапсырмалар берді",
                          "Сағынтаев әкімдерге тапсырма берді"]  # newest first
        entry = watch.entries[0]
        assert entry.link == live_server + "/documents/deadlines_release"
        assert entry.published_parsed[:3] == (2025, 8, 31)  # midnight 1 September in UTC+5, in UTC
        assert "1 қазанға дейін" in entry.summary and "жауапты: аудан әкімдері" in entry.summary
        # the link opens the document page
        assert http.get(entry.link).status_code == 200

        found = _feed(http, "/feeds/search.atom", q="жылу", since="2025")
        assert [e.link.rsplit("/", 1)[1] for e in found.entries] == ["deadlines_release", "astana"]
        officials = http.get("/api/officials", params={"name": "Бектенов"}).json()
        official = _feed(http, f"/feeds/official/{officials[0]['id']}.atom")
        assert [e.title for e in official.entries] == ["Жылу маусымына дайындық"]
        assert "Шешім (Олжас Бектенов)" in official.entries[0].summary
        body = _feed(http, "/feeds/responsible.atom", organisation="Энергетика министрлігі")
        assert [e.link.rsplit("/", 1)[1] for e in body.entries] == ["astana"]
        assert http.get("/feeds/watch/nope.atom").status_code == 404
        assert http.get("/feeds/search.atom").status_code == 400
        assert http.get("/feeds/search.atom", params={"q": "әкім", "since": "2024-02-30"}).status_code == 400


# --- a real browser --------------------------------------------------------------------------------------


def test_browser_deadlines_page(live_server, page):  # noqa: F811
    page.goto(live_server + "/deadlines?today=2025-09-10")
    assert page.title().startswith("Мерзімдер")
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.locator("section[data-group=week] .deadline-item").count() == 1
    assert page.locator("section[data-group=later] .due").all_inner_texts() == ["2025-12-31", "2026-03-31"]
    assert page.locator("section[data-group=overdue] .deadline-item").count() == 1
    today = page.locator("input[name=today]")  # an ISO text field: type=date shows the browser's mm/dd/yyyy
    assert today.get_attribute("type") == "text" and today.get_attribute("placeholder") == "ЖЖЖЖ-АА-КК"
    page.check("input[name=overdue]")
    page.click("form.search button[type=submit]")
    page.wait_for_load_state()
    assert "overdue=1" in page.url and page.locator(".deadline-item").count() == 1
    assert "/deadlines.ics?" in page.locator("a.ics-link").get_attribute("href")
    page.click("section[data-group=overdue] .deadline-item a")
    page.wait_for_selector(".doctext")
    assert "мониторинг" in page.locator(".doctext").inner_text()


def test_browser_watches_page(live_server, page):  # noqa: F811
    page.goto(live_server + "/")
    page.click("header a:has-text('Бақылаулар')")
    page.wait_for_selector("section.watch")
    watch = page.locator("section[data-watch=sagyntaev]")
    assert watch.locator(".new-documents li a").count() == 2
    assert watch.locator("a.feed-link").get_attribute("href") == "/feeds/watch/sagyntaev.atom"
    watch.locator(".new-documents li a", has_text="Сағынтаев әкімдерге").click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "Сағынтаев әкімдерге тапсырма берді"


def test_browser_xref_upload(live_server, page, tmp_path):  # noqa: F811
    errors = []  # a script refused by the page's policy, or failing (not the 400 of the bad upload, the favicon's 404)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + "/xref")
    # the file field speaks Kazakh: the browser's "Choose File" / "No file chosen" button is hidden (not
    # removed: the field is still reached by Tab and named by its label), the label and the status show
    field = page.get_by_label("CSV файлын таңдау")
    assert field.get_attribute("type") == "file" and field.is_visible()  # hidden from sight only
    assert page.locator("#xref-file").bounding_box()["width"] <= 1
    assert page.locator("label.file-button").is_visible()
    assert page.locator("#xref-file-name").inner_text() == "Файл таңдалмаған"
    assert field.evaluate("e => e.getAttribute('aria-describedby')") == "xref-file-name"
    page.locator("#xref-file").focus()  # the keyboard's focus shows on the label
    assert page.locator("label.file-button").evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    with page.expect_file_chooser() as chooser:
        page.click("label.file-button")  # the label opens the browser's file picker
    chooser.value.set_files(str(NAMES))
    assert page.locator("#xref-file-name").inner_text() == NAMES.name  # the inline script ran (its hash is allowed)
    page.click("form.search button[type=submit]")
    page.wait_for_selector("#xref-results")
    assert page.locator("#xref-results tr.match").count() == 3
    assert page.locator("#xref-results tr.no-match td").first.inner_text() == "Иванов"
    assert "Бақытжан Сағынтаев" in page.locator("#xref-results tr.match").nth(1).inner_text()  # Sağyntaev
    bad = tmp_path / "bad.csv"
    bad.write_text("аты\nСағынтаев\n", encoding="utf-8")
    page.set_input_files("input[name=file]", str(bad))
    page.click("form.search button[type=submit]")
    page.wait_for_selector("p.message")
    assert "no column 'name'" in page.locator("p.message").inner_text()
    assert page.locator("#xref-results").count() == 0
    assert not page.dialogs and not errors
