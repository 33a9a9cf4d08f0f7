"""The typed records every stage exchanges; ``Document.to_dict()`` is the JSON output schema."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Qualifier = Literal["approx", "more_than", "less_than", "at_least", "up_to"]
Frequency = Literal["daily", "weekly", "monthly", "quarterly", "annually"]


@dataclass(frozen=True, slots=True)
class Entity:
    label: str  # one of the 25 KazNERD classes
    text: str
    start: int  # character offsets into Document.text, end exclusive
    end: int
    original_start: int | None = None  # the span in Document.original (a Latin or Arabic-script text)
    original_end: int | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    text: str
    start: int
    end: int
    original_start: int | None = None
    original_end: int | None = None


@dataclass(frozen=True, slots=True)
class Official:
    name: str  # nominative: "Бақытжан Сағынтаев"
    positions: tuple[str, ...] = ()  # nominative phrases: ("Алматы қаласының әкімі",)
    organisations: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()


@dataclass(frozen=True, slots=True)
class Figure:
    text: str
    value: float | int
    unit: str | None  # short code: percent, KZT, USD, person, hectare, tonne, km, ...
    qualifier: Qualifier | None
    subject: str | None  # the noun counted, nominative
    start: int
    end: int
    original_start: int | None = None
    original_end: int | None = None


@dataclass(frozen=True, slots=True)
class Action:
    text: str
    responsible: tuple[str, ...] = ()
    frequency: Frequency | None = None
    deadline: str | None = None  # ISO date when it can be resolved, else the phrase
    start: int = -1
    end: int = -1
    original_start: int | None = None
    original_end: int | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    maker: str | None
    text: str
    start: int
    end: int
    actions: tuple[Action, ...] = ()
    original_start: int | None = None
    original_end: int | None = None


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of ``Document.text``: the script it was written in and its language."""

    start: int
    end: int
    script: str  # "cyrl", "latn", "arab", "und"
    language: str  # "kk", "ru", ...


@dataclass(frozen=True, slots=True)
class Document:
    doc: str
    text: str
    language: str  # "kk", "ru", "en", or "und"
    title: str | None = None
    published: str | None = None  # YYYY-MM-DD
    url: str | None = None
    entities: tuple[Entity, ...] = ()
    officials: tuple[Official, ...] = ()
    figures: tuple[Figure, ...] = ()
    decisions: tuple[Decision, ...] = field(default=())
    warnings: tuple[str, ...] = ()  # what was wrong with the input but did not stop it (bytes replaced, …)
    script: str = "cyrl"  # as written: "cyrl", "latn", "arab", "mixed" or "und"
    alphabet: str | None = None  # the one converted from ("2021", "2018", "2017", "digraph", "arab")
    original: str | None = None  # the text as written, when it was converted to Cyrillic for ``text``
    paragraphs: tuple[Paragraph, ...] = ()

    def to_dict(self) -> dict:
        """The JSON output schema (see README, "Output").  ``alphabet``, ``original`` and the
        ``original_start``/``original_end`` of every span are there only for a converted text;
        ``paragraphs`` only when they differ in script or language."""
        out = asdict(self)
        converted = out.pop("original") is not None
        alphabet = out.pop("alphabet")
        paragraphs = out.pop("paragraphs")
        if not converted:
            _drop_original_spans(out)
        for official in out["officials"]:
            official["positions"] = list(official["positions"])
            official["organisations"] = list(official["organisations"])
            official["mentions"] = list(official["mentions"])
        for decision in out["decisions"]:
            decision["actions"] = [
                {k: (list(v) if k == "responsible" else v) for k, v in action.items()}
                for action in decision["actions"]
            ]
        for key in ("entities", "officials", "figures", "decisions", "warnings"):
            out[key] = list(out[key])
        head = {"doc": out.pop("doc"), "title": out.pop("title"), "published": out.pop("published"),
                "language": out.pop("language"), "url": out.pop("url"), "script": out.pop("script")}
        if converted:
            head.update(alphabet=alphabet, original=self.original)
        if len({(p["script"], p["language"]) for p in paragraphs if p["script"] != "und"}) > 1:
            head["paragraphs"] = list(paragraphs)
        return {**head, **out}


def _drop_original_spans(value) -> None:
    if isinstance(value, dict):
        value.pop("original_start", None)
        value.pop("original_end", None)
        for item in value.values():
            _drop_original_spans(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _drop_original_spans(item)


@dataclass(frozen=True, slots=True)
class Rejected:
    """Input that cannot be processed, with a one-line reason for the user."""

    source: str
    reason: str
