"""The CLI in the user's language (Kazakh by default, English on request), CSV for Excel, piped search
highlights, help without "<bool>", and a quiet Python API; each through a real subprocess."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

import pytest
from archive_data import build_archive
from conftest import ROOT

spec = importlib.util.spec_from_file_location("build_catalog", ROOT / "scripts" / "build_catalog.py")
build_catalog = importlib.util.module_from_spec(spec)
sys.modules["build_catalog"] = build_catalog  # dataclasses look their module up
spec.loader.exec_module(build_catalog)


def kznlp(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("KZNLP_LANG", "LC_ALL", "LC_MESSAGES", "LANG")}
    return subprocess.run([sys.executable, "-m", "kznlp.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**base, "PYTHONWARNINGS": "ignore", **env}, timeout=300)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return str(build_archive(tmp_path_factory.mktemp("lang") / "archive.db"))


def test_every_marked_string_has_a_kazakh_translation():
    marked, not_literal = build_catalog.marked_messages()
    assert not not_literal, f"_() with a non-literal text: {not_literal}"
    catalog = build_catalog.read_catalog()
    missing = build_catalog.untranslated(catalog, marked)
    assert not missing, "to translate in kznlp.po: " + "; ".join(f"{m.where} {m.message!r}" for m in missing)
    assert build_catalog.mo_is_current(catalog), "kznlp.mo is stale: run python scripts/build_catalog.py"
    import string

    for item in marked:  # a translation keeps the placeholders the code fills in
        entry = catalog.get(item.message)
        for text in entry.string if item.plural else (entry.string,):
            def fields(s):
                return {f for _, f, _, _ in string.Formatter().parse(s) if f}
            assert fields(text) == fields(item.message), (item.message, text)


def test_tables_and_counts_are_kazakh_by_default_and_english_on_request(archive):
    kazakh = kznlp("officials", "--db", archive)
    assert kazakh.returncode == 0, kazakh.stderr
    assert "Лауазым иелері" in kazakh.stdout and "Аты-жөні" in kazakh.stdout and "Officials" not in kazakh.stdout
    english = kznlp("--lang", "en", "officials", "--db", archive)
    assert "Officials" in english.stdout and "Лауазым иелері" not in english.stdout
    assert "Officials" in kznlp("officials", "--db", archive, LANG="en_US.UTF-8").stdout
    assert "Officials" in kznlp("officials", "--db", archive, KZNLP_LANG="en").stdout
    assert "Лауазым иелері" in kznlp("officials", "--db", archive, LANG="ru_RU.UTF-8").stdout
    assert "Лауазым иелері" in kznlp("officials", "--db", archive, LC_ALL="C.UTF-8", LANG="en_US.UTF-8").stdout
    # plural forms: "1 action" / "2 actions" in English, the noun singular after a number in Kazakh
    en = kznlp("--lang", "en", "search", "әкім", "--db", archive).stdout
    kk = kznlp("search", "әкім", "--db", archive).stdout
    assert re.search(r"\b1 action\b", en) and not re.search(r"\b1 actions", en) and "decisions" in en
    assert "1 тапсырма" in kk and "action" not in kk and "Шешімдер" in kk
    missing = kznlp("search", "жоқсөзбар", "--db", archive)
    assert "бойынша құжат табылмады" in missing.stdout
    bad = kznlp("--lang", "fr", "officials", "--db", archive)
    assert bad.returncode == 2 and "fr" in bad.stderr


def test_plural_forms_in_both_languages():
    from kznlp.i18n import _n, set_language

    try:
        set_language("en")
        assert [_n("{count} action", "{count} actions", n).format(count=n) for n in (1, 2, 11)] == [
            "1 action", "2 actions", "11 actions"]
        set_language("kk")
        assert [_n("{count} action", "{count} actions", n).format(count=n) for n in (1, 2, 11)] == [
            "1 тапсырма", "2 тапсырма", "11 тапсырма"]
    finally:
        set_language(None)


def test_decisions_say_undated_and_details_in_the_language(archive):
    en = kznlp("--lang", "en", "decisions", "--db", archive).stdout
    kk = kznlp("decisions", "--db", archive).stdout
    assert "monthly" in en and "ай сайын" in kk and "monthly" not in kk
    assert ("by 2024" in en) == ("мерзімі: 2024" in kk) and "responsible:" not in kk


def test_help_has_no_bool_and_whole_command_lines():
    for columns in ("60", "200"):
        top = kznlp("--help", COLUMNS=columns)
        assert top.returncode == 0 and "<bool>" not in top.stdout and "--lang" in top.stdout
        demo_line = next(line for line in top.stdout.splitlines() if " demo " in line)
        assert "The main job" in demo_line
        for command in ("process", "demo", "search", "officials", "decisions", "export", "serve", "crawl",
                        "ner-eval"):
            result = kznlp(command, "--help", COLUMNS=columns)
            assert result.returncode == 0 and "<bool>" not in result.stdout, (command, result.stdout)
    wide = kznlp("demo", "--help", COLUMNS="200").stdout
    assert "with the real crawler, processes the bundled releases" in " ".join(wide.split())
    assert "--excel" in kznlp("export", "--help", COLUMNS="200").stdout


def test_csv_export_has_a_bom_for_excel_in_files(archive, tmp_path):
    target = tmp_path / "actions.csv"
    result = kznlp("export", "--db", archive, "--format", "csv", "--what", "actions", "-o", str(target))
    assert result.returncode == 0, result.stderr
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "жылу желілерін жөндеу" in data.decode("utf-8-sig")
    plain = tmp_path / "plain.csv"
    kznlp("export", "--db", archive, "--format", "csv", "-o", str(plain), "--no-excel")
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    piped = subprocess.run([sys.executable, "-m", "kznlp.cli", "export", "--db", archive, "--format", "csv"],
                           capture_output=True, cwd=ROOT)
    assert piped.returncode == 0 and not piped.stdout.startswith(b"\xef\xbb\xbf")
    forced = subprocess.run([sys.executable, "-m", "kznlp.cli", "export", "--db", archive, "--format", "csv",
                             "--excel"], capture_output=True, cwd=ROOT)
    assert forced.stdout.startswith(b"\xef\xbb\xbf")
    jsonl = kznlp("export", "--db", archive, "--excel")
    assert jsonl.returncode == 1 and "--format csv" in jsonl.stderr


def test_piped_search_marks_hits_in_brackets(archive):
    result = kznlp("search", "әкімдерге", "--db", archive)
    assert result.returncode == 0 and "[әкімдерге]" in result.stdout and "[әкімі]" in result.stdout


def test_python_api_is_quiet_on_stderr():
    code = "import kznlp; doc = kznlp.process('Алматы қаласының әкімі Бақытжан Сағынтаев тапсырма берді.'); " \
           "print(doc.officials[0].name)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                            env={k: v for k, v in os.environ.items() if k != "TRANSFORMERS_VERBOSITY"})
    assert result.returncode == 0 and "Сағынтаев" in result.stdout
    assert result.stderr == ""
