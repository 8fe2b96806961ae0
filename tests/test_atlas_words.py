"""The atlas's words in every language with a catalog: complete, with their placeholders, used by geo.map(lang=)."""

from __future__ import annotations

import re

import pytest

from geo.errors import UnknownNameError
from geo.i18n import LANGUAGES
from geo.mapping import words

FIELD = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_every_atlas_word_is_translated_with_its_placeholders(lang):
    table = words.table(lang)
    assert set(table) == set(words.WORDS)
    for key, english in words.WORDS.items():
        texts = [english] if isinstance(english, str) else list(english.values())
        translated = table[key]
        targets = [translated] if isinstance(translated, str) else list(translated.values())
        assert all(targets), key
        assert {p for t in targets for p in FIELD.findall(t)} == {p for t in texts for p in FIELD.findall(t)}, key


def test_russian_plurals_have_three_forms():
    count = words.table("ru")["search.count"]
    assert isinstance(count, dict)
    assert {"one", "few", "many", "other"} <= set(count)
    assert count["few"] != count["many"]


def test_words_follow_the_language_of_the_map_being_built():
    assert words.word("panel.layers") == "Layers"
    with words.language("ru"):
        assert words.word("panel.layers") == "Слои"
        assert words.data_word("operating") == "действует"
        assert words.page_words()["panel.legend"] == "Легенда"
    assert words.word("panel.layers") == "Layers"
    with pytest.raises(UnknownNameError, match="Unknown language 'kk'"):
        with words.language("kk"):
            pass


def test_russian_map_payload_translates_the_registries_words_but_not_the_users():
    import geopandas as gpd
    from shapely.geometry import Point

    from geo.mapping.builder import build_map, to_html

    mine = gpd.GeoDataFrame({"name": ["My site"]}, geometry=[Point(70, 45)], crs=4326)
    html = to_html(build_map(user={"My own sites": mine}, lang="ru"))
    assert "Университетские кампусы" in html
    assert "My own sites" in html  # a title the user wrote stays as written
    assert '"lang":"ru"' in html.replace(" ", "")
