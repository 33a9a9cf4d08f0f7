"""The reference release (bairaq.kz, Nur Otan Almaty branch) must come out right, end to end."""

from __future__ import annotations


def test_one_official_for_sagyntayev_with_all_mentions(reference_doc):
    matching = [o for o in reference_doc.officials if "Сағынтаев" in o.name]
    assert len(matching) == 1
    official = matching[0]
    assert official.name == "Бақытжан Сағынтаев"
    mention_texts = {m.text for m in official.mentions}
    for form in ("Бақытжан Сағынтаевтың", "Б. Сағынтаев", "Бақытжан Сағынтаев", "Б.Сағынтаев", "Б.Сағынтаевтың"):
        assert form in mention_texts, form
    for mention in official.mentions:
        assert reference_doc.text[mention.start:mention.end] == mention.text


def test_sagyntayev_positions(reference_doc):
    official = next(o for o in reference_doc.officials if o.name == "Бақытжан Сағынтаев")
    assert "Алматы қаласының әкімі" in official.positions
    assert "АҚФ төрағасы" in official.positions
    assert any("Саяси кеңесінің мүшесі" in p for p in official.positions)
    assert "АҚФ" in official.organisations


def test_no_other_officials(reference_doc):
    assert [o.name for o in reference_doc.officials] == ["Бақытжан Сағынтаев"]


def test_figures(reference_doc):
    figures = {(f.value, f.unit, f.qualifier, f.subject) for f in reference_doc.figures}
    assert (3000, None, "approx", "ана") in figures
    assert any(f.value == 1300 and f.subject == "адам" for f in reference_doc.figures)
    assert any(f.value == 67 and f.unit == "percent" for f in reference_doc.figures)
    assert any(f.value == 60 and f.subject == "партиялық бақылау бекеттері" for f in reference_doc.figures)
    assert len(reference_doc.figures) == 4, reference_doc.figures  # nothing that is not a figure
    approx = next(f for f in reference_doc.figures if f.value == 3000)
    assert approx.text.startswith("3 мыңға жуық")
    for figure in reference_doc.figures:
        assert reference_doc.text[figure.start:figure.end] == figure.text


def test_one_decision_with_five_actions(reference_doc):
    assert len(reference_doc.decisions) == 1
    decision = reference_doc.decisions[0]
    assert decision.maker == "Бақытжан Сағынтаев"
    assert "төмендегідей шешім қабылдады" in decision.text
    actions = decision.actions
    assert len(actions) == 5
    assert actions[0].frequency == "weekly" and "шұғыл жиындар өткізу" in actions[0].text
    assert "Азаматтық комитет құрылады" in actions[1].text
    assert "фракцияның рөлін арттыру" in actions[2].text
    assert "мониторинг жүргізу" in actions[3].text
    assert set(actions[3].responsible) == {"Jas Otan", "Алматы қаласының Қоғамдық кеңесі"}
    assert "Жастар саясаты жөніндегі кеңестің жұмысын жандандыру" in actions[4].text
    assert [a.frequency for a in actions[1:]] == [None] * 4


def test_organisation_and_project_entities(reference_doc):
    orgs = [e.text.strip("«»\" ") for e in reference_doc.entities if e.label == "ORGANISATION"]
    assert any(o.startswith("Nur Otan") for o in orgs), orgs
    assert any(o.startswith("Бақытты отбасы – Алматы") for o in orgs), orgs
    assert any(o.startswith("Jas Otan") for o in orgs), orgs
    projects = [e.text.strip("«»\" ") for e in reference_doc.entities if e.label == "PROJECT"]
    assert "Мобильді халыққа көмек" in projects
    for entity in reference_doc.entities:
        assert reference_doc.text[entity.start:entity.end] == entity.text


def test_json_schema(reference_doc):
    data = reference_doc.to_dict()
    assert list(data)[:5] == ["doc", "title", "published", "language", "url"]
    assert data["language"] == "kk"
    for key in ("text", "entities", "officials", "figures", "decisions"):
        assert key in data
    official = data["officials"][0]
    assert set(official) == {"name", "positions", "organisations", "mentions"}
    assert set(data["figures"][0]) == {"text", "value", "unit", "qualifier", "subject", "start", "end"}
    action = data["decisions"][0]["actions"][0]
    assert {"text", "responsible", "frequency", "deadline"} <= set(action)


def test_spacy_doc_container(reference_doc):
    from kznlp.spacy_doc import to_spacy

    doc = to_spacy(reference_doc)
    assert doc.text.split() == reference_doc.text.split()
    assert {s.text for s in doc.spans["officials"]} >= {"Б.Сағынтаевтың", "Бақытжан Сағынтаев"}
    assert {s.label_ for s in doc.spans["officials"]} == {"Бақытжан Сағынтаев"}
    assert [s.text for s in doc.spans["figures"]] == [f.text for f in reference_doc.figures]
    assert len(doc.spans["actions"]) == 5
    expected = {(e.label, e.text) for e in reference_doc.entities}
    assert {(e.label_, e.text) for e in doc.ents} <= expected
    assert doc.user_data["kznlp"] is reference_doc


def test_process_many_keeps_order_and_languages(nlp, reference_text):
    russian = "Президент поручил правительству до конца года подготовить программу развития регионов."
    docs = list(nlp.process_many([reference_text, russian, reference_text[:400]], batch_size=2,
                                 doc_ids=["a", "b", "c"]))
    assert [d.doc for d in docs] == ["a", "b", "c"]
    assert [d.language for d in docs] == ["kk", "ru", "kk"]
    assert docs[1].entities == () and docs[1].decisions == ()
    assert docs[0].to_dict() == nlp.process(reference_text, doc_id="a").to_dict()


def test_module_level_process(reference_text):
    import kznlp

    doc = kznlp.process(reference_text)
    assert isinstance(doc, kznlp.Document)
    assert [o.name for o in doc.officials] == ["Бақытжан Сағынтаев"]
