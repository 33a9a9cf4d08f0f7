"""How the website writes figures for a Kazakh reader (kznlp.web.format, the templates' ``figure`` filter)."""

import pytest

from kznlp.web.format import entity_names, figure_text, number_text

NB, THIN = "\u00a0", "\u202f"


@pytest.mark.parametrize("value, unit, qualifier, shown", [
    (150000000.0, "KZT", None, f"150{NB}млн теңге"),
    (67.0, "percent", None, f"67{NB}%"),
    (1.5e9, "KZT", "more_than", f"> 1,5{NB}млрд теңге"),
    (12500.0, "tonne", None, f"12{THIN}500{NB}тонна"),
    (208100.0, "hectare", None, f"208{THIN}100{NB}га"),
    (3000.0, "person", "approx", f"шамамен 3000{NB}адам"),
    (9.7, "percent", "at_least", f"кемінде 9,7{NB}%"),
    (1.6e12, "KZT", None, f"1,6{NB}трлн теңге"),
    (0.333, None, None, "0,33"),
    (20.0, None, None, "20"),
    (5.0, "sheep", None, f"5{NB}sheep"),  # a code without a Kazakh word is shown as it is
    (None, "KZT", None, ""),
])
def test_figure_text(value, unit, qualifier, shown):
    assert figure_text(value, unit, qualifier) == shown


def test_every_unit_and_entity_class_has_a_kazakh_name():
    from kznlp.ner.labels import KAZNERD_CLASSES
    from kznlp.resources import read_table

    codes = {row[1] for row in read_table("units.tsv")}
    assert all(not figure_text(1, code).endswith(NB + code) for code in codes)  # none shown as a code
    assert set(KAZNERD_CLASSES) | {"OFFICIAL"} == set(entity_names())
    assert number_text(-2500000) == f"-2,5{NB}млн"
