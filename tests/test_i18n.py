"""The message catalogs: every word the code and templates use has a translation in every language."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from geo import i18n
from geo.errors import UnknownNameError

FIELD = re.compile(r"\{(\w+)\}")


def _catalog(lang: str):
    with i18n.catalog_path(lang).open("rb") as fh:
        return read_po(fh, locale=None if lang == "en" else lang)


def test_template_holds_every_word_the_code_uses():
    template = {m.id for m in _catalog("en") if m.id}
    missing = [w for w in i18n.extract() if w not in template]
    assert not missing, f"not in geo/locale/geo.pot (run make i18n): {missing[:10]}"


@pytest.mark.parametrize("lang", i18n.LANGUAGES[1:])
def test_every_word_is_translated(lang):
    catalog = _catalog(lang)
    by_id = {m.id: m for m in catalog if m.id}
    lacking = [w for w in i18n.extract() if w not in by_id or not by_id[w].string or by_id[w].fuzzy]
    assert not lacking, f"{lang}: no translation for {lacking[:10]} ({len(lacking)} in all)"


@pytest.mark.parametrize("lang", i18n.LANGUAGES[1:])
def test_translations_keep_their_fields(lang):
    for message in _catalog(lang):
        if message.id and message.string:
            assert set(FIELD.findall(message.id)) == set(FIELD.findall(message.string)), message.id


def test_russian_words_are_cyrillic():
    w = i18n.words("ru")
    for msgid in i18n.extract():
        text = FIELD.sub("", w(msgid))
        latin = re.findall(r"[A-Za-z]{2,}", text)
        allowed = {"UK", "centralasia", "geo", "Natural", "Earth", "GeoNames", "GEBCO"}
        assert set(latin) <= allowed, (msgid, latin)


def test_unknown_language_and_missing_word_are_errors():
    with pytest.raises(UnknownNameError, match=r"Unknown language 'kk'.*en, ru"):
        i18n.words("kk")
    with pytest.raises(UnknownNameError, match="No 'ru' word for 'no such words'"):
        i18n.words("ru")("no such words")


def test_numbers_and_dates_in_the_language_style():
    en, ru = i18n.words("en"), i18n.words("ru")
    assert en.number(12345.6, digits=1) == "12,345.6"
    assert ru.number(12345.6, digits=1).replace("\xa0", " ") == "12 345,6"
    assert ru.date("2026-02-26").startswith("26 февраля 2026")
    assert ru.date("2026-02") == "февраль 2026"
    assert en.date("2025") == "2025"
    assert en.date("") == ""
    assert ru("Written {date}", date="x") == "Составлено x"


def test_feature_names_in_cyrillic_where_a_source_gives_one():
    ru, en = i18n.words("ru"), i18n.words("en")
    row = {"name": "Inkai uranium mine", "name_local": "Инкай"}
    assert ru.name(row) == "Инкай"
    assert en.name(row) == "Inkai uranium mine"
    assert ru.name({"name": "Kounrad", "name_local": None}) == "Kounrad"
    assert ru.name({"name": "Tulkubash", "name_local": "Tulkubash"}) == "Tulkubash"  # not Cyrillic: the English name
