"""A small archive built from Document records directly (no model), for search, CLI and web tests."""

from __future__ import annotations

from pathlib import Path

from kznlp.records import Action, Decision, Document, Entity, Mention, Official
from kznlp.store.archive import open_archive, save_document

XSS_TITLE = "<script>alert(1)</script>"


def _at(text: str, part: str, after: int = 0) -> tuple[int, int]:
    start = text.index(part, after)
    return start, start + len(part)


def almaty() -> Document:
    text = ("Алматы қаласының әкімі Бақытжан Сағынтаевтың қатысуымен кеңес өтті. "
            "Б. Сағынтаев аудан әкімдерге жемқорлыққа қарсы мониторинг жүргізуді тапсырды. "
            "Әкімдер апта сайын есеп береді, жұмыс 2024 жылдың 31 желтоқсанына дейін аяқталуы тиіс.")
    decision_text = "Б. Сағынтаев аудан әкімдерге жемқорлыққа қарсы мониторинг жүргізуді тапсырды."
    action_text = "жемқорлыққа қарсы мониторинг жүргізу"
    return Document(
        doc="almaty", text=text, language="kk", title="Сағынтаев әкімдерге тапсырма берді",
        published="2024-05-10", url="https://bairaq.kz/news/almaty-1",
        entities=(Entity("GPE", "Алматы", *_at(text, "Алматы")),
                  Entity("POSITION", "Алматы қаласының әкімі", *_at(text, "Алматы қаласының әкімі"))),
        officials=(Official("Бақытжан Сағынтаев", ("Алматы қаласының әкімі",), ("Алматы қаласы",),
                            (Mention("Бақытжан Сағынтаевтың", *_at(text, "Бақытжан Сағынтаевтың")),
                             Mention("Б. Сағынтаев", *_at(text, "Б. Сағынтаев")))),),
        decisions=(Decision("Бақытжан Сағынтаев", decision_text, *_at(text, decision_text),
                            (Action(action_text, ("аудан әкімдері",), "weekly", "2024-12-31",
                                    *_at(text, action_text)),)),),
    )


def astana() -> Document:
    text = ("Астана қаласы әкімдіктің мәжілісінде Премьер-министр Олжас Бектенов сөз сөйледі. "
            "Олжас Бектеновтің айтуынша, жылу маусымына дайындық ай сайын тексеріледі. "
            "Үкімет Энергетика министрлігіне жылу желілерін жөндеуді тапсырды.")
    decision_text = "Үкімет Энергетика министрлігіне жылу желілерін жөндеуді тапсырды."
    action_text = "жылу желілерін жөндеу"
    return Document(
        doc="astana", text=text, language="kk", title="Жылу маусымына дайындық",
        published="2025-01-15", url="https://kazinform.kz/news/astana-2",
        officials=(Official("Олжас Бектенов", ("Премьер-министр",), (),
                            (Mention("Олжас Бектенов", *_at(text, "Олжас Бектенов")),
                             Mention("Олжас Бектеновтің", *_at(text, "Олжас Бектеновтің")))),),
        decisions=(Decision("Олжас Бектенов", decision_text, *_at(text, decision_text),
                            (Action(action_text, ("Энергетика министрлігі",), "monthly", None,
                                    *_at(text, action_text)),)),),
    )


def farming() -> Document:
    text = ("Ауыл шаруашылығы министрлігі егін науқанының қорытындысын шығарды. "
            "Астық өнімі былтырғыдан көп. Ауыл шаруашылығы саласына қолдау көрсетіледі.")
    return Document(doc="farming", text=text, language="kk", title="Егін науқаны", published="2023-09-01",
                    url="https://egemen.kz/article/3")


def hostile() -> Document:
    text = "Мәтінде <b>әкім</b> & <img src=x onerror=alert(2)> сөздері бар. Ауылдағы тойға арналған хабар."
    return Document(doc="hostile", text=text, language="kk", title=XSS_TITLE, published="2024-02-02",
                    url="javascript:alert(3)")


DOCUMENTS = {"almaty": ("bairaq", almaty), "astana": ("kazinform", astana), "farming": ("egemen", farming),
             "hostile": ("evil", hostile)}


def build_archive(path: Path) -> Path:
    db = open_archive(path)
    for source, make in DOCUMENTS.values():
        save_document(db, make(), source=source)
    db.conn.close()
    return path


SENTENCES = (
    "Алматы қаласының әкімі Бақытжан Сағынтаев кеңес өткізді.",
    "Премьер-министр Олжас Бектенов жылу маусымына дайындықты тексерді.",
    "Ауыл шаруашылығы саласына қолдау көрсетіледі.",
    "Аудан әкімдері жол жөндеу жұмысын тапсырды.",
    "Су тасқыны кезінде тұрғындар көшірілді.",
    "Мектеп құрылысы жалғасуда.",
    "Әкімдіктің бюджет қаражаты тиімді жұмсалуы тиіс.",
)
OFFICIALS = {"Бақытжан Сағынтаев": ("Алматы қаласының әкімі", "Алматы қаласы"),
             "Олжас Бектенов": ("Премьер-министр", None)}


def many_documents(n: int, seed: int = 7) -> list[tuple[Document, str]]:
    """``n`` documents recombined from a few sentences, with officials, decisions, sources and dates
    drawn at random: enough matches for search plans, windows and estimates to differ."""
    import random
    from datetime import date, timedelta

    rng = random.Random(seed)
    out = []
    for i in range(n):
        parts = [rng.choice(SENTENCES) for _ in range(rng.randint(1, 4))]
        text = " ".join(parts)
        officials, decisions = [], []
        for name, (position, organisation) in OFFICIALS.items():
            mentions, pos = [], text.find(name)
            while pos >= 0:
                mentions.append(Mention(name, pos, pos + len(name)))
                pos = text.find(name, pos + 1)
            if mentions:
                officials.append(Official(name, (position,), (organisation,) if organisation else (), tuple(mentions)))
        pos = text.find(SENTENCES[3])
        if pos >= 0:
            action = "жол жөндеу"
            start = text.index(action, pos)
            decisions.append(Decision(None, SENTENCES[3], pos, pos + len(SENTENCES[3]), (
                Action(action, ("аудан әкімдері",), rng.choice((None, "weekly", "monthly")), None, start,
                       start + len(action)),)))
        published = (date(2015, 1, 1) + timedelta(days=rng.randrange(3650))).isoformat()
        out.append((Document(doc=f"many-{i:04d}", text=text, language="kk", title=rng.choice(SENTENCES)[:30],
                             published=published, officials=tuple(officials), decisions=tuple(decisions)),
                    rng.choice(("akorda", "kazinform", "egemen"))))
    return out


def build_many(path: Path, n: int = 600) -> Path:
    from kznlp.store.bulk import bulk_insert

    db = open_archive(path)
    bulk_insert(db, many_documents(n))
    db.conn.close()
    return path


def regional() -> list[tuple[Document, str]]:
    """Two regional releases for what a reader sees: figures to write in Kazakh, one position spelled
    "Облыс әкімі" and "облыс әкімі", organisations that are bodies and ones that are not (a place, a
    post), a word only in a title, and a phrase whose words also occur apart."""
    from kznlp.records import Figure

    first = ("Облыс әкімі Серік Нұрланов жиын өткізді. Жөндеуге 150 миллион теңге бөлінді, жұмыстың 67 пайызы "
             "орындалды. Облысқа 12500 тонна көмір жеткізілді, жалпы құны 1,5 млрд теңге.")
    second = ("Жиында облыс әкімі Серік Нұрланов аудан басшыларына тапсырма берді. Аудан әкімі де келді. "
              "Премьер-министрдің орынбасары Ерлан Жақанов пен Қаржы министрлігінің өкілі Асқар Бекұлы сөйледі.")
    figures = tuple(Figure(t, v, u, None, s, *_at(first, t)) for t, v, u, s in (
        ("150 миллион теңге", 150e6, "KZT", None), ("67 пайызы", 67.0, "percent", "жұмыс"),
        ("12500 тонна", 12500.0, "tonne", "көмір"), ("1,5 млрд теңге", 1.5e9, "KZT", "құны")))
    return [
        (Document(doc="oblys-1", text=first, language="kk", title="Облыстағы жөндеу жоспары", published="2025-03-01",
                  url="https://example.kz/oblys-1",
                  entities=(Entity("POSITION", "Облыс әкімі", *_at(first, "Облыс әкімі")),
                            Entity("MONEY", "150 миллион теңге", *_at(first, "150 миллион теңге")),
                            Entity("PERCENTAGE", "67 пайызы", *_at(first, "67 пайызы"))),
                  officials=(Official("Серік Нұрланов", ("Облыс әкімі",), ("облыс",),
                                      (Mention("Серік Нұрланов", *_at(first, "Серік Нұрланов")),)),),
                  figures=figures), "oblys"),
        (Document(doc="oblys-2", text=second, language="kk", title="Аудан басшыларына тапсырма", published="2025-03-02",
                  url="https://example.kz/oblys-2",
                  officials=(Official("Серік Нұрланов", ("облыс әкімі",), ("облыс",),
                                      (Mention("Серік Нұрланов", *_at(second, "Серік Нұрланов")),)),
                             Official("Ерлан Жақанов", ("Премьер-министрдің орынбасары",), ("Премьер-министр",),
                                      (Mention("Ерлан Жақанов", *_at(second, "Ерлан Жақанов")),)),
                             Official("Асқар Бекұлы", ("Қаржы министрлігінің өкілі",), ("Қаржы министрлігі",),
                                      (Mention("Асқар Бекұлы", *_at(second, "Асқар Бекұлы")),)))), "oblys"),
    ]


def build_regional(path: Path) -> Path:
    db = open_archive(path)
    for doc, source in regional():
        save_document(db, doc, source=source)
    db.conn.close()
    return path
