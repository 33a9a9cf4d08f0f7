"""Keep the Kazakh interface catalog in step with the code.

    python scripts/build_catalog.py           # add new _()/_n() strings to the .po (untranslated), compile the .mo
    python scripts/build_catalog.py --check   # exit 1 when a string lacks a translation or the .mo is stale

The source is ``kznlp/resources/locale/kk/LC_MESSAGES/kznlp.po`` (edit it with any PO editor or by hand);
the compiled ``kznlp.mo`` beside it is what ``kznlp.i18n`` reads at run time.  Needs ``babel``
(``pip install -e '.[test]'``).
"""

from __future__ import annotations

import argparse
import ast
import gettext
import io
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kznlp"
CATALOG_DIR = PACKAGE / "resources" / "locale" / "kk" / "LC_MESSAGES"
PO_PATH = CATALOG_DIR / "kznlp.po"
MO_PATH = CATALOG_DIR / "kznlp.mo"


@dataclass(frozen=True)
class Marked:
    """One ``_("…")`` or ``_n("…", "…", n)`` call: ``plural`` is None for ``_``."""

    message: str
    plural: str | None
    where: str


def marked_messages(package: Path = PACKAGE) -> tuple[list[Marked], list[str]]:
    """Every marked string in the package, and the calls whose text is not a literal (``_(f"…")``,
    ``_(name)``): those could never be translated."""
    found, bad = [], []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "_n")):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            wanted = 1 if node.func.id == "_" else 2
            texts = [a.value for a in node.args[:wanted] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if len(texts) != wanted:
                bad.append(where)
                continue
            found.append(Marked(texts[0], texts[1] if wanted == 2 else None, where))
    return found, bad


def read_catalog():
    from babel.messages.pofile import read_po

    with PO_PATH.open("rb") as stream:
        return read_po(stream, locale="kk", domain="kznlp")


def compiled(catalog) -> bytes:
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def untranslated(catalog, marked: list[Marked]) -> list[Marked]:
    """The marked strings the catalog has no (complete) Kazakh text for."""
    missing = []
    for item in marked:
        entry = catalog.get(item.message)
        strings = entry.string if entry is not None else None
        strings = strings if isinstance(strings, (tuple, list)) else (strings,)
        if entry is None or entry.fuzzy or not all(strings) or (item.plural is not None) != entry.pluralizable:
            missing.append(item)
    return missing


def mo_is_current(catalog) -> bool:
    """The shipped .mo translates every message of the .po as the .po says."""
    if not MO_PATH.exists():
        return False
    with MO_PATH.open("rb") as stream:
        shipped = gettext.GNUTranslations(stream)
    with io.BytesIO(compiled(catalog)) as stream:
        fresh = gettext.GNUTranslations(stream)
    return shipped._catalog == fresh._catalog


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report; change nothing")
    args = parser.parse_args()
    from babel.messages.pofile import write_po

    marked, bad = marked_messages()
    catalog = read_catalog()
    for where in bad:
        print(f"{where}: _() needs a literal string (format it after the lookup)", file=sys.stderr)
    missing = untranslated(catalog, marked)
    if args.check:
        for item in missing:
            print(f"{item.where}: no Kazakh translation for {item.message!r}", file=sys.stderr)
        stale = not mo_is_current(catalog)
        if stale:
            print(f"{MO_PATH.relative_to(ROOT)} is older than the .po: run python scripts/build_catalog.py",
                  file=sys.stderr)
        return 1 if bad or missing or stale else 0
    for item in missing:
        if catalog.get(item.message) is None:
            catalog.add((item.message, item.plural) if item.plural else item.message,
                        ("", ) if item.plural else "", locations=[(item.where.rsplit(":", 1)[0], int(item.where.rsplit(":", 1)[1]))])
    with PO_PATH.open("wb") as stream:
        write_po(stream, catalog, width=110, omit_header=False, sort_output=False)
    MO_PATH.write_bytes(compiled(catalog))
    for item in missing:
        print(f"{item.where}: to translate in {PO_PATH.relative_to(ROOT)}: {item.message!r}", file=sys.stderr)
    print(f"{len(marked)} marked strings, {len(missing)} untranslated; wrote {MO_PATH.relative_to(ROOT)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
