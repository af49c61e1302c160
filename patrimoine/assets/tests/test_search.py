"""The registry search as a user types it: accents, partial words, codes, plurals, relevance, other
communes never found, and the « Suivant » link of a long result list. Runs on SQLite and on
PostgreSQL (where the trigram indexes answer the same LIKEs)."""

import html
import re

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db]
URL = reverse("assets:list")


def _names(response, key: str) -> list[str]:
    return [row.name for row in response.context[key].object_list]


@pytest.fixture
def registry(f, world):
    """Nesmy's school and a gym next to it; Venansault (another commune) has the same kind of rows."""
    sports = f.site(world.nesmy, "Plaine des sports", city="Nesmy", code="PS")
    gym = f.building(world.nesmy, "Gymnase municipal", site_obj=sports, code="GYM-N")
    f.building(world.venansault, "École de Venansault", site_obj=world.gym.site, code="ECOLE-V")
    f.equipment(world.gym, "Chaudière de Venansault", code="CH-V")
    return gym


@pytest.mark.parametrize("query", ["ecole", "ECOLE", "écoles", "Ecole elementaire"])
def test_accents_case_and_plurals_do_not_matter(world, registry, login, query):
    response = login(world.claire).get(URL, {"q": query})
    assert _names(response, "buildings_page") == ["École élémentaire Jules Ferry"]


def test_a_partial_word_finds_the_building(world, registry, login):
    response = login(world.claire).get(URL, {"q": "gymn"})
    assert _names(response, "buildings_page") == ["Gymnase municipal"]


def test_a_code_prefix_finds_the_equipment_and_the_exact_code_comes_first(f, world, registry, login):
    f.equipment(world.school, "Pompe de relevage", code="PR-100")
    f.equipment(world.school, "Pompe doseuse", code="PR-10")
    response = login(world.claire).get(URL, {"q": "pr-10"})
    assert _names(response, "equipment_page") == ["Pompe doseuse", "Pompe de relevage"]


def test_equipment_found_by_its_own_name_before_those_found_by_their_building(f, world, registry, login):
    f.equipment(world.school, "Extincteur du couloir", code="EX-1")
    f.equipment(registry, "Extincteur", code="EX-2")
    f.equipment(world.school, "Ballon d'eau chaude", code="BA-1")
    f.equipment(world.school, "Tapis de gymnastique", code="TG-1")
    response = login(world.claire).get(URL, {"q": "gymnas"})
    assert _names(response, "equipment_page") == ["Tapis de gymnastique", "Extincteur"]
    response = login(world.claire).get(URL, {"q": "extincteur ferry"})
    assert _names(response, "equipment_page") == ["Extincteur du couloir"]
    # « ecole »: nothing is named so, every item of the school is found through its building.
    response = login(world.claire).get(URL, {"q": "ecole"})
    assert set(_names(response, "equipment_page")) == {
        "Extincteur du couloir",
        "Ballon d'eau chaude",
        "Tapis de gymnastique",
    }


def test_another_communes_rows_are_never_found(world, registry, login):
    response = login(world.claire).get(URL, {"q": "venansault"})
    assert _names(response, "buildings_page") == [] and _names(response, "equipment_page") == []
    body = response.content.decode()
    assert "École de Venansault" not in body and "CH-V" not in body
    response = login(world.gestionnaire_venansault).get(URL, {"q": "ecole"})
    assert _names(response, "buildings_page") == ["École de Venansault"]


def test_a_long_result_list_pages_with_next_and_previous(f, world, registry, login):
    for n in range(30):
        f.equipment(world.school, f"Radiateur {n:02d}", code=f"RAD-{n:02d}")
    client = login(world.claire)
    first = client.get(URL, {"q": "radiateur"})
    assert len(first.context["equipment_page"].object_list) == 25
    assert "30 équipements trouvés" in first.content.decode()
    link = html.unescape(re.search(r'href="([^"]+)" rel="next"', first.content.decode()).group(1))
    assert "q=radiateur" in link and "epage=" in link
    second = client.get(URL + link)
    assert _names(second, "equipment_page") == [f"Radiateur {n:02d}" for n in range(25, 30)]
