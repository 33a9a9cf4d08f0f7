"""Rule extraction on isolated phrases (tables), independent of the NER model."""

from __future__ import annotations

from datetime import date

import pytest

from kznlp.extract.decisions import find_deadline, find_decisions, find_frequency
from kznlp.extract.figures import find_figures
from kznlp.extract.officials import find_officials, normalise_name, organisation_of
from kznlp.records import Entity


@pytest.mark.parametrize("text, value, unit, qualifier", [
    ("Бюджетке 1,6 трлн теңге бөлінді.", 1_600_000_000_000, "KZT", None),
    ("шамамен 2 млрд доллар", 2_000_000_000, "USD", "approx"),
    ("кем дегенде 10 гектар жер", 10, "hectare", "at_least"),
    ("500-ден астам адам келді", 500, "person", "more_than"),
    ("13,3 гигаваттық жаңа қуат", 13_300, "MW", None),
    ("3,7 миллиард киловатт-сағат энергия", 3_700_000_000, "kWh", None),
    ("10 миллионнан аса адам", 10_000_000, "person", "more_than"),
    ("үш мың бес жүз жиырма бес тонна астық", 3525, "tonne", None),
    ("23,8 миллион гектарға дейін", 23_800_000, "hectare", "up_to"),
    ("Мәселенің 67 пайызы оң шешімін тапты", 67, "percent", None),
    ("20 миллион шаршы метр тұрғын үй", 20_000_000, "m2", None),
    ("383,2 млрд. теңгеге өнім өндірді", 383_200_000_000, "KZT", None),
])
def test_figures(text, value, unit, qualifier):
    (figure,) = find_figures(text)
    assert (figure.value, figure.unit, figure.qualifier) == (value, unit, qualifier)
    assert text[figure.start:figure.end] == figure.text


@pytest.mark.parametrize("text", [
    "2024 жылғы 15 қаңтарда", "2024 жылы", "Бір ай бұрын", "бірге жұмыс істеді", "Тел.: 8 (7172) 74-56-12",
    "2017-нші жылы", "Кодекстің 5-бабы", "https://qagro.kz/2021/06/24/irde-sim-baj-alady", "№ 123 қаулы",
    "3 күн ішінде", "Онда конституциялық реформа", "бірнеше мың ұсыныс", "бірден шешілді",
])
def test_not_figures(text):
    assert find_figures(text) == []


@pytest.mark.parametrize("mention, expected", [
    ("Бақытжан Сағынтаевтың", ("Бақытжан", "Б", None, "Сағынтаев")),
    ("Б.Сағынтаевтың", (None, "Б", None, "Сағынтаев")),
    ("Б. Сағынтаев", (None, "Б", None, "Сағынтаев")),
    ("Жеңіс Қасымбекті", ("Жеңіс", "Ж", None, "Қасымбек")),
])
def test_normalise_name(mention, expected):
    assert normalise_name(mention) == expected


def test_every_name_in_a_list_gets_its_position():
    text = ("Мемлекет басшысы Қарағанды облысының әкімі Жеңіс Қасымбекті, Шығыс Қазақстан облысының әкімі "
            "Даниал Ахметовті қабылдады.")
    persons = [Entity("PERSON", "Жеңіс Қасымбекті", text.index("Жеңіс"), text.index("Жеңіс") + 16),
               Entity("PERSON", "Даниал Ахметовті", text.index("Даниал"), text.index("Даниал") + 16)]
    officials = {o.name: o.positions for o in find_officials(text, persons)}
    assert officials == {"Жеңіс Қасымбек": ("Қарағанды облысының әкімі",),
                         "Даниал Ахметов": ("Шығыс Қазақстан облысының әкімі",)}


def test_organisation_of_position():
    assert organisation_of("Алматы қаласының әкімі") == "Алматы қаласы"
    assert organisation_of("Премьер-министр") is None


@pytest.mark.parametrize("text, frequency", [
    ("Апта сайын жиындар өткізу", "weekly"), ("ай сайын есеп беру", "monthly"),
    ("тоқсан сайын баяндау", "quarterly"), ("жыл сайын өткізу", "annually"), ("жиын өткізу", None),
])
def test_frequency(text, frequency):
    assert find_frequency(text) == frequency


@pytest.mark.parametrize("text, published, deadline", [
    ("жыл соңына дейін ұсыну", date(2024, 3, 5), "2024-12-31"),
    ("1 наурызға дейін", date(2024, 11, 20), "2025-03-01"),
    ("2025 жылғы 1 наурызға дейін", None, "2025-03-01"),
    ("бір апта ішінде", date(2024, 3, 5), "2024-03-12"),
    ("келесі отырысқа дейін аяқтау", date(2024, 3, 5), "келесі отырысқа дейін"),
    ("жұмысты жандандыру", date(2024, 3, 5), None),
])
def test_deadline(text, published, deadline):
    assert find_deadline(text, published) == deadline


def test_instruction_in_running_text_names_the_dative_addressee():
    text = "Премьер-министр Олжас Бектенов Қаржы министрлігіне бір апта ішінде қаражат бөлуді тапсырды."
    person = Entity("PERSON", "Олжас Бектенов", text.index("Олжас"), text.index("Олжас") + 14)
    officials = find_officials(text, [person])
    (decision,) = find_decisions(text, officials, published=date(2024, 5, 2))
    assert decision.maker == "Олжас Бектенов"
    (action,) = decision.actions
    assert action.responsible == ("Қаржы министрлігі",)
    assert action.deadline == "2024-05-09"
