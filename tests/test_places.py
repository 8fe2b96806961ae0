"""Finding a region or country by name: never a silent pick between two places of one name."""

import pytest

import geo
from geo.places import search_area


def test_a_shared_name_is_an_error_that_lists_the_ids():
    with pytest.raises(geo.LayerSchemaError, match=r"matches 2 regions: kz-almaty \(region\), kz-almaty-city \(city\)"):
        search_area(region="Almaty")


@pytest.mark.parametrize(
    ("name", "expected"), [("kz-almaty-city", "kz-almaty-city"), ("Abay Region", "kz-east-kazakhstan")]
)
def test_an_id_or_an_alias_finds_one_region(name, expected):
    found = search_area(region=name)
    assert found is not None
    assert found["id"].tolist() == [expected]


def test_a_misspelt_name_suggests_the_closest():
    with pytest.raises(geo.LayerSchemaError, match=r"No region named 'Issyk Kol'; try one of: Issyk-Kul") as info:
        search_area(region="Issyk Kol")
    assert "\n" not in str(info.value)


def test_an_unknown_country_says_what_to_use():
    with pytest.raises(geo.LayerSchemaError, match="ISO alpha-3"):
        search_area(country="Kyrgyzstan")
