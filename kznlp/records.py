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


@dataclass(frozen=True, slots=True)
class Mention:
    text: str
    start: int
    end: int


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


@dataclass(frozen=True, slots=True)
class Action:
    text: str
    responsible: tuple[str, ...] = ()
    frequency: Frequency | None = None
    deadline: str | None = None  # ISO date when it can be resolved, else the phrase
    start: int = -1
    end: int = -1


@dataclass(frozen=True, slots=True)
class Decision:
    maker: str | None
    text: str
    start: int
    end: int
    actions: tuple[Action, ...] = ()


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

    def to_dict(self) -> dict:
        """The JSON output schema (see README, "Output")."""
        out = asdict(self)
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
        return {"doc": out.pop("doc"), "title": out.pop("title"), "published": out.pop("published"),
                "language": out.pop("language"), "url": out.pop("url"), **out}


@dataclass(frozen=True, slots=True)
class Rejected:
    """Input that cannot be processed, with a one-line reason for the user."""

    source: str
    reason: str
