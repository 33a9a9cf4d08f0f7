"""Following what officials decide (issue 16): watchlists, Atom feeds, the deadline tracker with calendar
export, cross-referencing names.  A real archive (the small one of archive_data plus excerpts of three real
releases processed by the shipped model, tests/fixtures/follow/README.md), the CLI in real subprocesses, the API
over HTTP on 127.0.0.1, feeds read by feedparser, calendars by icalendar, the pages in a real Chromium."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date, timedelta

import feedparser
import httpx
import icalendar
import pytest

from archive_data import build_archive
from conftest import ROOT, run_cli
from test_web import browser, page, serve_website  # noqa: F401 - the real browser fixtures
from kznlp.follow import watches
from kznlp.follow.deadlines import resolve
from kznlp.pipeline import read_document
from kznlp.store.archive import open_archive, save_document

FIXTURES = ROOT / "tests" / "fixtures" / "follow"
# Six instructions with deadlines from a speech at the Government's extended meeting (akorda.kz). The page
# states no date; the speech is of 2026 ("2026 жылы осындай мәселелер туралы айтуға мәжбүрміз") and sets
# "1 сәуірге дейін" and "биыл 1 мамырға дейін": the tests date it 2026-02-10, their own choice of a day.
GOVERNMENT = FIXTURES / "akorda_ukimet_deadlines.txt"
GOVERNMENT_PUBLISHED = "2026-02-10"
SKYTRAIN = FIXTURES / "akorda_alatau_skytrain.txt"  # undated: "биыл бірінші тамызға дейін" stays a phrase
NEXT_MEETING = FIXTURES / "baq_bektenov_next_meeting.txt"  # dated 2025-09-15: "Келесі отырысқа дейін"
NAMES = FIXTURES / "names.csv"
TODAY = "2026-04-05"


@pytest.fixture(scope="session")
def release_docs(nlp):
    """The three real releases, processed; the Government speech with its publication date."""
    read = read_document(GOVERNMENT)
    government = next(nlp.process_many([read.text], doc_ids=[read.doc], titles=[read.title],
                                       published=[GOVERNMENT_PUBLISHED], urls=[read.url]))
    return {"government": government, "skytrain": nlp.process_file(SKYTRAIN),
            "next_meeting": nlp.process_file(NEXT_MEETING)}


@pytest.fixture(scope="module")
def base_archive(tmp_path_factory):
    """The small archive (almaty, astana, farming, hostile), no model."""
    return build_archive(tmp_path_factory.mktemp("follow") / "base.db")


@pytest.fixture(scope="module")
def full_archive(tmp_path_factory, base_archive, release_docs):
    """The small archive plus the three releases, a watch on Тоқаев and one on "жылу"."""
    path = tmp_path_factory.mktemp("follow-full") / "full.db"
    shutil.copy(base_archive, path)
    db = open_archive(path)
    for doc in release_docs.values():
        save_document(db, doc, source="example")
    watches.add_watch(db, watches.make_watch("tokayev", official="Тоқаевқа"))
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


def test_watch_report_lists_new_matches_once(tmp_path, base_archive, release_docs):
    db = tmp_path / "a.db"
    shutil.copy(base_archive, db)
    added = run_cli("watch", "add", "sagyntaev", "--official", "Сағынтаевқа", "--db", str(db))
    assert added.returncode == 0 and "sagyntaev" in added.stdout.decode()
    assert run_cli("watch", "add", "energy", "--organisation", "Энергетика министрлігі", "--db", str(db)).returncode == 0
    assert run_cli("watch", "add", "tokayev", "--official", "Тоқаевтың", "--db", str(db)).returncode == 0
    listed = cli_json("watch", "list", "--json", "--db", str(db))
    assert [(w["name"], w["new"]) for w in listed] == [("energy", 1), ("sagyntaev", 1), ("tokayev", 0)]

    first = {r["watch"]["name"]: r for r in cli_json("watch", "report", "--json", "--db", str(db))}
    assert [d["doc"] for d in first["sagyntaev"]["documents"]] == ["almaty"]
    decision = first["sagyntaev"]["documents"][0]["decisions"][0]
    assert decision["maker"] == "Бақытжан Сағынтаев"
    assert decision["actions"][0]["text"] == "жемқорлыққа қарсы мониторинг жүргізу"
    assert [d["doc"] for d in first["energy"]["documents"]] == ["astana"]
    assert first["tokayev"]["documents"] == []

    second = cli_json("watch", "report", "--json", "--db", str(db))
    assert [r["documents"] for r in second] == [[], [], []]

    # a newly stored document that matches shows up, alone, in the next report of its watch
    archive = open_archive(db)
    save_document(archive, release_docs["government"], source="example")
    archive.conn.close()
    third = cli_json("watch", "report", "tokayev", "--json", "--db", str(db))
    assert [d["doc"] for d in third[0]["documents"]] == ["akorda_ukimet_deadlines"]
    deadlines = {a["deadline"] for x in third[0]["documents"][0]["decisions"] for a in x["actions"]}
    assert {"2026-05-01", "2026-12-01", "2026-04-10", "2027-12-31"} <= deadlines  # resolved by the extractor
    assert cli_json("watch", "report", "tokayev", "--json", "--db", str(db))[0]["documents"] == []
    text = run_cli("watch", "report", "--db", str(db)).stdout.decode()
    assert "energy: 0 жаңа құжат" in text  # the CLI speaks Kazakh by default

    removed = run_cli("watch", "remove", "energy", "--db", str(db))
    assert removed.returncode == 0
    assert [w["name"] for w in cli_json("watch", "list", "--json", "--db", str(db))] == ["sagyntaev", "tokayev"]


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
    ("Үкімет үш айдың ішінде арнайы экономикалық аймақтарды дамытудың жаңа үлгісін бекітуі керек", "2026-02-10",
     "2026-05-10"),
    ("Үкіметке келесі жылдың соңына дейін Оңтүстіктегі электр желілерін дамыту жобаларын жүзеге асыру тапсырылады",
     "2026-02-10", "2027-12-31"),
    ("2027 жылдың соңына дейін салық және кеден жүйесін басқарудың цифрлық тәсілін енгізу қажет", None, "2027-12-31"),
    ("наурыз айының соңына дейін дайындау", "2025-01-10", "2025-03-31"),
    ("наурыз айының соңына дейін дайындау", "2025-05-10", "2026-03-31"),
])
def test_relative_deadlines_resolve_against_publication(text, published, due):
    found = resolve(None, (text,), date.fromisoformat(published) if published else None)
    assert found is not None and found.due == date.fromisoformat(due)


@pytest.mark.parametrize("text", ["тоқсан сайын есеп беру", "соңғы бес жыл ішінде жасалды", "жұмысты жалғастыру",
                                  "Алдағы бір-екі жыл ішінде басым салаларға инвесторлар тарта отырып",
                                  "2030 жылға дейінгі бағдарламасын әзірлеу", "2025 жыл ішінде салынды"])
def test_no_deadline(text):
    assert resolve(None, (text,), date(2025, 5, 10)) is None


def test_unresolved_deadlines_are_kept_apart():
    assert resolve("келесі отырысқа дейін", (), date(2025, 5, 10)).due is None
    undated = resolve(None, ("екі апта ішінде тексеру",), None)
    assert undated.due is None and undated.phrase == "екі апта ішінде"


def test_stored_phrase_is_resolved_at_report_time():
    """An archive whose action kept the phrase (no publication date then) gets the date when one is known."""
    found = resolve("бірінші тамызға дейін", ("пысықтау",), date(2026, 5, 20))
    assert found.due == date(2026, 8, 1) and found.phrase == "бірінші тамызға дейін"
    assert resolve("бірінші тамызға дейін", (), None).due is None


GOVERNMENT_URL = "http://127.0.0.1:8000/documents/akorda_ukimet_deadlines"
LATER = ["2026-09-01", "2026-09-01", "2026-12-01", "2026-12-31", "2027-12-31"]


def test_deadlines_cli_groups_and_calendar(tmp_path, full_archive):
    ics = tmp_path / "deadlines.ics"
    result = run_cli("deadlines", "--db", str(full_archive), "--today", TODAY, "--json", "--ics", str(ics))
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    groups = {name: [(i["due"], i["text"]) for i in items] for name, items in data["groups"].items()}
    # "екі айдың ішінде" from 2026-02-10
    assert groups["week"] == [("2026-04-10", "екі айдың ішінде «таза» көмір өндірісі бойынша Ұлттық жоба әзірлеу")]
    assert [d for d, _ in groups["month"]] == ["2026-05-01", "2026-05-01"]  # "биыл 1 мамырға дейін": two actions
    assert [d for d, _ in groups["later"]] == LATER  # 1 қыркүйек (two actions), 1 желтоқсан, жыл соңы, келесі жыл соңы
    assert groups["later"][-1][1].startswith("келесі жылдың соңына дейін Оңтүстіктегі электр желілерін")
    assert groups["overdue"] == [("2024-12-31", "жемқорлыққа қарсы мониторинг жүргізу")]
    item = data["groups"]["later"][2]
    assert item["responsible"] == ["Үкімет"] and item["maker"] == "Қасым-Жомарт Тоқаев"
    assert item["doc_id"] == "akorda_ukimet_deadlines" and item["phrase"] == "2026-12-01"
    assert item["days"] == (date(2026, 12, 1) - date.fromisoformat(TODAY)).days
    assert item["url"].startswith("https://akorda.kz/kz/") and item["published"] == GOVERNMENT_PUBLISHED
    # unresolved, listed apart: an undated release, and a dated one whose deadline is no date
    unresolved = sorted((i["doc_id"], i["phrase"]) for i in data["unresolved"])
    assert unresolved == [("akorda_alatau_skytrain", "бірінші тамызға дейін"),
                          ("baq_bektenov_next_meeting", "Келесі отырысқа дейін")]
    next_meeting = next(i for i in data["unresolved"] if i["doc_id"] == "baq_bektenov_next_meeting")
    assert next_meeting["text"] == "жөндеу жұмыстарының аяқталуын қатаң бақылауға алу"
    assert next_meeting["due"] is None and next_meeting["published"] == "2025-09-15"

    calendar = icalendar.Calendar.from_ical(ics.read_bytes())
    events = sorted((e["dtstart"].dt, str(e["summary"]), str(e["url"])) for e in calendar.walk("VEVENT"))
    assert len(events) == 9 and events[0][0] == date(2024, 12, 31)
    assert events[1] == (date(2026, 4, 10), "екі айдың ішінде «таза» көмір өндірісі бойынша Ұлттық жоба әзірлеу",
                         GOVERNMENT_URL)
    assert [e[0].isoformat() for e in events[-5:]] == LATER
    assert len({str(e["uid"]) for e in calendar.walk("VEVENT")}) == 9
    december = next(e for e in calendar.walk("VEVENT") if e["dtstart"].dt == date(2026, 12, 1))
    assert december["dtend"].dt - december["dtstart"].dt == timedelta(days=1)
    assert "Жауапты: Үкімет" in str(december["description"]) and str(december["categories"].cats[0]) == "Үкімет"

    overdue = json.loads(run_cli("deadlines", "--db", str(full_archive), "--today", TODAY, "--overdue",
                                 "--json").stdout)
    assert sum(map(len, overdue["groups"].values())) == 1 and overdue["groups"]["overdue"]
    assert overdue["unresolved"] == []
    within = json.loads(run_cli("deadlines", "--db", str(full_archive), "--today", TODAY, "--within", "30",
                                "--json").stdout)
    assert [i["due"] for g in within["groups"].values() for i in g] == ["2026-04-10", "2026-05-01", "2026-05-01"]
    # a later today: the two-month span is overdue, 1 мамыр within a week
    moved = json.loads(run_cli("deadlines", "--db", str(full_archive), "--today", "2026-04-28", "--json").stdout)
    assert [i["due"] for i in moved["groups"]["overdue"]] == ["2024-12-31", "2026-04-10"]
    assert [i["due"] for i in moved["groups"]["week"]] == ["2026-05-01", "2026-05-01"]
    bank = json.loads(run_cli("deadlines", "--db", str(full_archive), "--today", TODAY, "--responsible",
                              "ұлттық банк", "--json").stdout)
    assert [i["due"] for g in bank["groups"].values() for i in g] == ["2026-09-01", "2026-09-01"]
    by = json.loads(run_cli("deadlines", "--db", str(full_archive), "--official", "Тоқаевтың", "--today",
                            TODAY, "--json").stdout)
    # all his speech's tasks: "Үкіметке ... тапсырылады" is told to the Government, and Тоқаев tells it
    assert [i["due"] for g in by["groups"].values() for i in g] == [
        "2026-04-10", "2026-05-01", "2026-05-01", "2026-09-01", "2026-09-01", "2026-12-01", "2026-12-31", "2027-12-31"]
    assert [i["doc_id"] for i in by["unresolved"]] == ["akorda_alatau_skytrain"]
    text = run_cli("deadlines", "--db", str(full_archive), "--today", TODAY).stdout.decode()
    assert "7 күн ішінде (1)" in text and "2026-04-10 (+5 d)" in text and "«Келесі отырысқа дейін»" in text


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
    assert by_name["Сағынтаевқа"]["documents"] == "1"
    assert "Алматы қаласының әкімі" in by_name["Sağyntaev"]["positions"]
    assert (by_name["Сағынтаевқа"]["first"], by_name["Сағынтаевқа"]["last"]) == ("2024-05-10", "2024-05-10")
    assert by_name["БЕКТЕНОВТІҢ"]["official"] == "Олжас Бектенов"
    assert by_name["БЕКТЕНОВТІҢ"]["documents"] == "2"  # astana and the baq.kz release
    assert (by_name["БЕКТЕНОВТІҢ"]["first"], by_name["БЕКТЕНОВТІҢ"]["last"]) == ("2025-01-15", "2025-09-15")
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
        assert [r["watch"]["name"] for r in rows] == ["tokayev", "zhylu"]
        assert sorted(d["doc"] for d in rows[0]["new"]) == ["akorda_alatau_skytrain", "akorda_ukimet_deadlines"]
        assert [d["doc"] for d in rows[1]["new"]] == ["baq_bektenov_next_meeting", "astana"]  # "жылу" since 2025, newest first
        data = http.get("/api/deadlines", params={"today": TODAY}).json()
        assert [i["due"] for i in data["groups"]["week"]] == ["2026-04-10"]
        # in publication order, the undated first
        assert [i["phrase"] for i in data["unresolved"]] == ["бірінші тамызға дейін", "Келесі отырысқа дейін"]
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
        ics = http.get("/deadlines.ics", params={"today": TODAY})
        assert ics.headers["content-type"].startswith("text/calendar")
        events = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
        assert len(events) == 9
        assert {str(e["url"]) for e in events} == {live_server + "/documents/akorda_ukimet_deadlines",
                                                   live_server + "/documents/almaty"}
        soon = icalendar.Calendar.from_ical(http.get("/deadlines.ics", params={"today": TODAY, "within": "7"}).content)
        assert [e["dtstart"].dt for e in soon.walk("VEVENT")] == [date(2026, 4, 10)]


def _feed(http, path, **params):
    response = http.get(path, params=params)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    return parsed


def test_feeds_parse(live_server):
    with httpx.Client(base_url=live_server) as http:
        watch = _feed(http, "/feeds/watch/tokayev.atom")
        assert "tokayev" in watch.feed.title
        links = [e.link.rsplit("/", 1)[1] for e in watch.entries]
        # newest first: the undated release by the time it was processed (now), then the one of 2026-02-10
        assert links == ["akorda_alatau_skytrain", "akorda_ukimet_deadlines"]
        assert "published_parsed" not in watch.entries[0] and "бірінші тамызға дейін" in watch.entries[0].summary
        entry = watch.entries[1]
        assert entry.title == "Мемлекет басшысы Қасым-Жомарт Тоқаевтың Үкіметтің кеңейтілген отырысында сөйлеген сөзі"
        assert entry.published_parsed[:3] == (2026, 2, 9)  # midnight 10 February in UTC+5, in UTC
        assert "1 желтоқсанға дейін" in entry.summary and "жауапты: Үкімет" in entry.summary
        # the link opens the document page
        assert http.get(entry.link).status_code == 200

        found = _feed(http, "/feeds/search.atom", q="жылу", since="2025")
        assert [e.link.rsplit("/", 1)[1] for e in found.entries] == ["baq_bektenov_next_meeting", "astana"]
        officials = http.get("/api/officials", params={"name": "Бектенов"}).json()
        official = _feed(http, f"/feeds/official/{officials[0]['id']}.atom")
        assert [e.link.rsplit("/", 1)[1] for e in official.entries] == ["baq_bektenov_next_meeting", "astana"]
        assert official.entries[0].published_parsed[:3] == (2025, 9, 14)  # "date 2025-09-15" in the release
        assert "Шешім (Олжас Бектенов)" in official.entries[0].summary
        assert "Ұлытау облысының әкімі" in official.entries[0].summary
        body = _feed(http, "/feeds/responsible.atom", organisation="Энергетика министрлігі")
        assert [e.link.rsplit("/", 1)[1] for e in body.entries] == ["astana"]
        assert http.get("/feeds/watch/nope.atom").status_code == 404
        assert http.get("/feeds/search.atom").status_code == 400
        assert http.get("/feeds/search.atom", params={"q": "әкім", "since": "2024-02-30"}).status_code == 400


# --- a real browser --------------------------------------------------------------------------------------


def test_browser_deadlines_page(live_server, page):  # noqa: F811
    page.goto(live_server + f"/deadlines?today={TODAY}")
    assert page.title().startswith("Мерзімдер")
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.locator("section[data-group=week] .deadline-item").count() == 1
    assert page.locator("section[data-group=month] .due").all_inner_texts() == ["2026-05-01", "2026-05-01"]
    assert page.locator("section[data-group=later] .due").all_inner_texts() == LATER
    assert page.locator("section[data-group=overdue] .deadline-item").count() == 1
    unresolved = page.locator("section[data-group=unresolved] .deadline-item").all_inner_texts()
    assert len(unresolved) == 2 and any(t.startswith("«бірінші тамызға дейін»") for t in unresolved)
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
    watch = page.locator("section[data-watch=tokayev]")
    assert watch.locator(".new-documents li a").count() == 2
    assert watch.locator("a.feed-link").get_attribute("href") == "/feeds/watch/tokayev.atom"
    watch.locator(".new-documents li a", has_text="Алатау қаласын дамыту").click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == ("Мемлекет басшысы Қасым-Жомарт Тоқаевтың Алатау қаласын дамыту "
                                               "жөніндегі кеңесте сөйлеген сөзі")


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
