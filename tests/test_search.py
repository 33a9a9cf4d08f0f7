"""Kazakh-aware search over an archive built from records: stems, phrases, prefixes, Latin script,
BM25, filters, facets, the read queries behind `officials`/`decisions`/`export`, and those commands."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from archive_data import build_archive
from kznlp.cli import app
from kznlp.store import queries
from kznlp.store.archive import count_matches, fts_query, open_archive, search
from kznlp.store.filters import Filters


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("search") / "archive.db")


@pytest.fixture()
def db(archive_path):
    return open_archive(archive_path, readonly=True)


def ids(hits):
    return sorted(h.doc_id for h in hits)


@pytest.mark.parametrize("query, expected", [
    ("әкім", ["almaty", "astana", "hostile"]),           # әкімі, әкімдерге, әкімдіктің, <b>әкім</b>
    ("әкімдерге", ["almaty", "astana", "hostile"]),
    ("әкімдіктің", ["astana"]),                            # a longer stem is narrower
    ("Сағынтаев", ["almaty"]),
    ("Сағынтаевтың", ["almaty"]),
    ("сағынтаевқа", ["almaty"]),
    ("Бектеновтің", ["astana"]),
    ("Сағын*", ["almaty"]),                                # prefix
    ('"Алматы қаласының әкімі"', ["almaty"]),               # phrase on consecutive stems
    ('"әкімі Алматы"', []),                                # same words, wrong order
    ("Sağyntaev", ["almaty"]),                             # Kazakh Latin 2021
    ("äkımderge", ["almaty", "astana", "hostile"]),
    ("Сағынтаев OR Бектенов", ["almaty", "astana"]),
    ("әкім NOT Сағынтаев", ["astana", "hostile"]),
    ("ауыл шаруашылығы", ["farming"]),
])
def test_kazakh_queries(db, query, expected):
    assert ids(search(db, query)) == expected


@pytest.mark.parametrize("query", ['әкім AND (', '"', "*", "NEAR(", "x" * 10_000, "әкім " * 2000,
                                   "'; DROP TABLE documents; --", "(((", "әкім*)*", '"әкім', "^", "{x}:y", "\x00",
                                   "ә" * 5000, "-", "NOT", "OR OR OR"])
def test_hostile_queries_return_lists(db, query):
    hits = search(db, query, official="Сағынтаев", since="2020")
    assert isinstance(hits, list)
    assert isinstance(search(db, query), list)
    assert isinstance(queries.facets(db, query, Filters(source="bairaq")), dict)
    assert count_matches(db, query) >= 0


def test_fts_query_never_passes_syntax_through():
    for query in ['әкім AND (', 'a" OR "b', "NEAR(a b)", "col:value", "*", "^start"]:
        match = fts_query(query)
        if match:
            outside = "".join(match.split('"')[0::2])  # what is not inside a quoted string
            assert set(outside) <= set(" *+()ANDORT"), (query, match)


def test_bm25_and_snippet(db):
    hits = search(db, "әкім")
    assert hits[0].doc_id == "almaty"  # title and three forms in the text
    assert hits[0].score <= hits[-1].score
    marked = [piece for piece, is_hit in hits[0].parts if is_hit]
    assert marked and all(p.lower().startswith("әкім") for p in marked)
    assert "[" in hits[0].snippet


def test_search_keeps_its_old_signature(db):
    hits = search(db, "мониторинг", limit=5)
    assert [h.doc_id for h in hits] == ["almaty"]
    assert hits[0].decisions[0]["actions"][0]["deadline"] == "2024-12-31"


@pytest.mark.parametrize("filters, expected", [
    ({"official": "Сағынтаевтың"}, ["almaty"]),
    ({"official": "бектенов"}, ["astana"]),
    ({"source": "kazinform"}, ["astana"]),
    ({"since": "2024-06"}, ["astana"]),
    ({"until": "2024-05"}, ["almaty", "hostile"]),
    ({"since": "2024", "until": "2024"}, ["almaty", "hostile"]),
    ({"position": "ӘКІМІ"}, ["almaty"]),
    ({"organisation": "энергетика"}, ["astana"]),
    ({"has_decisions": True}, ["almaty", "astana"]),
    ({"has_decisions": False}, ["hostile"]),
    ({"frequency": "weekly"}, ["almaty"]),
    ({"deadline": "2024-12"}, ["almaty"]),
    ({"deadline": "any"}, ["almaty"]),
])
def test_filters(db, filters, expected):
    assert ids(search(db, "әкім", **filters)) == expected


def test_filters_without_words_browse_newest_first(db):
    assert [h.doc_id for h in search(db, "", has_decisions=True)] == ["astana", "almaty"]
    assert search(db, "") == []


def test_facets(db):
    facets = queries.facets(db, "әкім")
    assert {f["value"]: f["count"] for f in facets["source"]} == {"bairaq": 1, "kazinform": 1, "evil": 1}
    assert {f["label"] for f in facets["official"]} == {"Бақытжан Сағынтаев", "Олжас Бектенов"}
    assert facets["has_decisions"][0]["count"] == 2
    assert {f["value"] for f in facets["frequency"]} == {"weekly", "monthly"}
    assert facets["deadline"] == [{"value": "2024-12", "label": "2024-12", "count": 1}]
    # a facet ignores its own filter, so the other sources stay visible
    narrowed = queries.facets(db, "әкім", Filters(source="bairaq"))
    assert len(narrowed["source"]) == 3 and narrowed["official"][0]["label"] == "Бақытжан Сағынтаев"


def test_officials_decisions_responsibilities(db):
    officials = {o["name"]: o for o in queries.list_officials(db)}
    assert officials["Бақытжан Сағынтаев"]["positions"] == ["Алматы қаласының әкімі"]
    assert officials["Бақытжан Сағынтаев"]["decisions"] == 1
    decided = queries.list_decisions(db, official="Сағынтаевтың")
    assert [d["doc_id"] for d in decided] == ["almaty"]
    assert decided[0]["actions"][0]["responsible"] == ["аудан әкімдері"]
    official = queries.get_official(db, officials["Олжас Бектенов"]["id"])
    assert official["positions"][0]["first"] == "2025-01-15" and official["decisions"][0]["doc_id"] == "astana"
    who = {g["responsible"]: [a["text"] for a in g["actions"]] for g in queries.responsibilities(db)}
    assert who == {"аудан әкімдері": ["жемқорлыққа қарсы мониторинг жүргізу"],
                   "Энергетика министрлігі": ["жылу желілерін жөндеу"]}


def test_document_segments(db):
    doc = queries.get_document(db, "almaty")
    pieces = queries.segments(doc)
    assert "".join(p["text"] for p in pieces) == doc["text"]
    assert [p["text"] for p in pieces if p["official_id"]] == ["Бақытжан Сағынтаевтың", "Б. Сағынтаев"]


runner = CliRunner()


def test_cli_search_with_filters(archive_path):
    result = runner.invoke(app, ["search", "әкімдерге", "--db", str(archive_path), "--json", "--official",
                                 "Сағынтаев", "--since", "2024-01-01", "--until", "2024-12-31", "--source", "bairaq"])
    assert result.exit_code == 0, result.output
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert [h["doc"] for h in hits] == ["almaty"] and hits[0]["source"] == "bairaq"
    table = runner.invoke(app, ["search", "Sağyntaev", "--db", str(archive_path)])
    assert table.exit_code == 0 and "Сағынтаев" in table.stdout
    bad = runner.invoke(app, ["search", "әкім", "--db", str(archive_path), "--since", "May"])
    assert bad.exit_code == 1 and "YYYY" in bad.output
    quote = runner.invoke(app, ["search", '"', "--db", str(archive_path)])
    assert quote.exit_code == 0 and "бойынша құжат табылмады" in quote.stdout


@pytest.mark.parametrize("args", [["search", "әкім", "--since", "2024-13"], ["search", "әкім", "--until", "2024-02-30"],
                                  ["search", "әкім", "--since", "2024-13-45"], ["crawl", "http://127.0.0.1:9/x",
                                                                                "--since", "2024-02-30"]])
def test_cli_dates_must_be_real_dates(archive_path, tmp_path, args):
    result = runner.invoke(app, args + ["--db", str(archive_path if args[0] == "search" else tmp_path / "c.db")])
    assert result.exit_code == 1 and "YYYY" in result.output


def test_filters_check_dates_and_names_without_words(db):
    from kznlp.store.filters import check_date

    assert [check_date(v, "since") for v in ("2024", "2024-02", "2024-02-29")] == ["2024", "2024-02", "2024-02-29"]
    for bad in ("2024-13", "2024-00", "2023-02-29", "2024-04-31", "2024-13-45"):
        with pytest.raises(ValueError):
            check_date(bad, "since")
    assert search(db, "әкім", official="\x00") == [] and search(db, "", official=" - ") == []
    assert ids(search(db, "әкім", official="Сағынтаев")) == ["almaty"]
    assert queries.list_decisions(db, official="\x00") == [] and queries.list_officials(db, name="\x00") == []


def test_cli_officials_and_decisions(archive_path):
    result = runner.invoke(app, ["officials", "--db", str(archive_path), "--json"])
    assert result.exit_code == 0
    assert {json.loads(line)["name"] for line in result.stdout.splitlines()} == {"Бақытжан Сағынтаев",
                                                                                  "Олжас Бектенов"}
    result = runner.invoke(app, ["decisions", "--db", str(archive_path), "--official", "Бектеновтің", "--json"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["doc_id"] for r in rows] == ["astana"] and rows[0]["actions"][0]["frequency"] == "monthly"
    text = runner.invoke(app, ["decisions", "--db", str(archive_path)])
    assert text.exit_code == 0 and "жылу желілерін жөндеу" in text.stdout


def test_cli_export(archive_path, tmp_path):
    result = runner.invoke(app, ["export", "--db", str(archive_path), "--format", "jsonl"])
    docs = [json.loads(line) for line in result.stdout.splitlines()]
    assert {d["doc"] for d in docs} == {"almaty", "astana", "farming", "hostile"}
    almaty = next(d for d in docs if d["doc"] == "almaty")
    assert almaty["officials"][0]["name"] == "Бақытжан Сағынтаев" and almaty["decisions"][0]["actions"]
    out = tmp_path / "actions.csv"
    result = runner.invoke(app, ["export", "--db", str(archive_path), "--format", "csv", "--what", "actions",
                                 "-o", str(out)])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert {r["action"] for r in rows} == {"жемқорлыққа қарсы мониторинг жүргізу", "жылу желілерін жөндеу"}
    missing = runner.invoke(app, ["export", "--db", str(tmp_path / "missing.db")])
    assert missing.exit_code == 1


@pytest.mark.parametrize("command", ["officials", "decisions", "export", "serve", "search"])
def test_new_commands_have_help(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and len(result.stdout) > 100


# --- search plans, windows, estimates, one results page (an archive of 600 recombined documents) ---

from archive_data import build_many  # noqa: E402
from kznlp.store import archive as archive_module  # noqa: E402
from kznlp.store.filters import documents_bound, filter_sql, register_functions  # noqa: E402

PLAN_FILTERS = [
    Filters(source="kazinform"), Filters(since="2020", until="2021-06"), Filters(official="Бектеновтің"),
    Filters(official="Сағынтаев", has_decisions=True), Filters(has_decisions=False), Filters(position="әкімі"),
    Filters(organisation="аудан"), Filters(frequency="weekly"), Filters(official_id=1, source="egemen"),
    Filters(deadline="any"), Filters(source="akorda", since="2018", has_decisions=True),
]
PLAN_QUERIES = ["әкім", "жол жөндеу", '"аудан әкімдері"', "Sağyntaev OR тасқыны"]


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    return open_archive(build_many(tmp_path_factory.mktemp("many") / "many.db"), readonly=True)


def every_match(db, query, filters):
    """The reference: every match that passes, ranked in full (the search before windows and plans)."""
    register_functions(db.conn)
    where, params = filter_sql(filters)
    return [r for (r,) in db.execute(
        "SELECT f.rowid FROM documents_fts f JOIN documents d ON d.rowid = f.rowid WHERE documents_fts MATCH ?"
        f" AND {where} ORDER BY bm25(documents_fts, 3.0, 1.0), f.rowid", [fts_query(query)] + params).fetchall()]


def rowids(db, hits):
    return [db.execute("SELECT rowid FROM documents WHERE id = ?", (h.doc_id,)).fetchone()[0] for h in hits]


@pytest.mark.parametrize("plan", ["collect", "check"])
@pytest.mark.parametrize("filters", PLAN_FILTERS, ids=repr)
def test_both_filter_plans_give_the_full_ranking(many, monkeypatch, plan, filters):
    # "collect": the passing documents gathered first; "check": matches checked one by one, newest first
    monkeypatch.setattr(archive_module, "documents_bound", lambda conn, f, cap: 0 if plan == "collect" else None)
    for query in PLAN_QUERIES:
        expected = every_match(many, query, filters)
        assert len(expected) < archive_module.RANK_WINDOW
        assert rowids(many, search(many, query, filters=filters, limit=1000)) == expected, query
        assert count_matches(many, query, filters) == len(expected)
        assert queries.search_page(many, query, filters, limit=7, offset=3)["total"] == len(expected)


def test_filtered_search_ranks_the_newest_passing_matches(many, monkeypatch):
    monkeypatch.setattr(archive_module, "RANK_WINDOW", 40)
    for filters in (Filters(), Filters(source="kazinform"), Filters(has_decisions=True)):
        passing = every_match(many, "әкім", filters)
        newest = set(sorted(passing)[-40:])
        assert len(passing) > 40
        hits = rowids(many, search(many, "әкім", filters=filters, limit=1000))
        assert hits == [r for r in passing if r in newest]  # BM25 order within the window
        page = queries.search_page(many, "әкім", filters, limit=10, offset=5)
        assert rowids(many, page["hits"]) == hits[5:15]


def test_search_page_is_search_count_and_facets(many):
    for query in PLAN_QUERIES + ["", "   "]:
        for filters in [Filters(), *PLAN_FILTERS[:4]]:
            page = queries.search_page(many, query, filters, limit=20)
            assert [h.doc_id for h in page["hits"]] == [h.doc_id for h in search(many, query, filters=filters)]
            assert page["facets"] == queries.facets(many, query, filters)
            assert page["total_exact"] and page["total"] == count_matches(many, query, filters)


def test_count_estimate(many, monkeypatch):
    filters = Filters(has_decisions=True)  # no index bound: matches are checked one by one
    exact = count_matches(many, "әкім", filters)
    assert archive_module.estimate_matches(many, "әкім", filters) == (exact, True)  # few enough to count
    monkeypatch.setattr(archive_module, "COUNT_SAMPLE", 60)
    monkeypatch.setattr(archive_module, "RANK_WINDOW", 40)
    estimate, is_exact = archive_module.estimate_matches(many, "әкім", filters)
    assert not is_exact and abs(estimate - exact) <= 0.35 * exact
    page = queries.search_page(many, "әкім", filters)
    assert (page["total"], page["total_exact"]) == (estimate, False)
    assert archive_module.estimate_matches(many, "әкім", Filters(source="akorda"))[1]  # index-bounded: exact


def test_documents_bound(many):
    register_functions(many.conn)
    total = many.execute("SELECT count(*) FROM documents").fetchone()[0]
    kazinform = many.execute("SELECT count(*) FROM documents WHERE source = 'kazinform'").fetchone()[0]
    assert documents_bound(many.conn, Filters(source="kazinform"), total) == kazinform
    assert documents_bound(many.conn, Filters(source="kazinform"), kazinform - 1) is None
    assert documents_bound(many.conn, Filters(source="nowhere", has_decisions=True), 10) == 0
    bektenov = many.execute("SELECT count(DISTINCT doc_id) FROM mentions m JOIN officials o ON o.id = m.official_id"
                            " WHERE o.name = 'Олжас Бектенов'").fetchone()[0]
    assert bektenov <= documents_bound(many.conn, Filters(official="Бектенов"), total) <= 2 * bektenov
    assert documents_bound(many.conn, Filters(has_decisions=True, position="әкім"), total) is None


# --- names and labels in the order of the Kazakh alphabet (А Ә Б … Қ … Ұ Ү … І … Я), not of code points ---------

KAZAKH_ORDER = ["Алтай Көлгінов", "Әбілқайыр Сқақов", "Бегзат Болатбеков", "Құмар Ақсақалов", "Олег Крук",
                "Ұлан Оспанов", "Үміт Бекова", "Ілияс Жұмабаев", "Ярослав Пак"]
# their positions and bodies, one each; Ә Қ Ұ Ү І come after Я in code point order
KAZAKH_BODIES = ["аудан әкімдігі", "әкімдік аппараты", "білім бөлімі", "қаржы басқармасы", "облыс мәслихаты",
                 "ұлттық қор", "үкімет аппараты", "ішкі саясат басқармасы", "ядролық орталық"]


@pytest.fixture(scope="module")
def alphabet_db(tmp_path_factory):
    from kznlp.records import Action, Decision, Document, Mention, Official
    from kznlp.store.archive import save_document

    path = tmp_path_factory.mktemp("alphabet") / "archive.db"
    db = open_archive(path)
    for number, (name, body) in enumerate(zip(reversed(KAZAKH_ORDER), reversed(KAZAKH_BODIES))):
        decision = f"{name} {body} басшысына есеп беруді тапсырды."
        text = f"Кеңес өтті. {decision}"
        start = text.index(decision)
        save_document(db, Document(
            doc=f"d{number}", text=text, language="kk", title="Кеңес өтті", published="2024-05-10",
            officials=(Official(name, (f"{body} басшысы",), (body,), (Mention(name, start, start + len(name)),)),),
            decisions=(Decision(name, decision, start, start + len(decision),
                                (Action("есеп беру", (body,), None, None, text.index("есеп"),
                                        text.index("есеп") + len("есеп беру")),)),)),
            source=body.split()[0])
    db.conn.close()
    return open_archive(path, readonly=True)


def test_sort_key_follows_the_kazakh_alphabet():
    from kznlp.text.collate import sort_key

    shuffled = KAZAKH_ORDER[4:] + KAZAKH_ORDER[:4]
    assert sorted(shuffled, key=sort_key) == KAZAKH_ORDER
    assert sorted(["Қазақпарат", "Kazinform", "Абай", "7 күн", "«Egemen»"], key=sort_key) == [
        "«Egemen»", "7 күн", "Абай", "Қазақпарат", "Kazinform"]  # punctuation, digits, Cyrillic, Latin
    assert sorted(["ақ", "Ақ", "ақа", "аға"], key=sort_key) == ["аға", "Ақ", "ақ", "ақа"]  # case only breaks ties


def test_lists_and_facets_sort_names_in_the_kazakh_alphabet(alphabet_db):
    assert [o["name"] for o in queries.list_officials(alphabet_db)] == KAZAKH_ORDER  # one document each
    facets = queries.facets(alphabet_db, "", Filters())
    assert [e["label"] for e in facets["official"]] == KAZAKH_ORDER
    assert [e["label"] for e in facets["organisation"]] == KAZAKH_BODIES
    assert [e["label"] for e in facets["position"]] == [f"{b} басшысы" for b in KAZAKH_BODIES]
    assert [e["label"] for e in facets["source"]] == [b.split()[0] for b in KAZAKH_BODIES]
    assert queries.sources(alphabet_db) == [b.split()[0] for b in KAZAKH_BODIES]
    assert [g["responsible"] for g in queries.responsibilities(alphabet_db)] == KAZAKH_BODIES


def test_cli_officials_in_the_kazakh_alphabet(alphabet_db):
    result = CliRunner().invoke(app, ["--lang", "en", "officials", "--db", alphabet_db.conn.execute(
        "PRAGMA database_list").fetchone()[2], "--json"])
    assert result.exit_code == 0, result.output
    names = [json.loads(line)["name"] for line in result.output.splitlines() if line.strip()]
    assert names == KAZAKH_ORDER
