"""The name matcher (annotations/names.py): English, Ukrainian and Russian names, pure."""

import pytest

from annotations import names
from annotations.names import NameIndex, Why, exact_key, fold_name, match


def why(query: str, candidate: str) -> str | None:
    found = match(query, candidate)
    return found.why if found else None


@pytest.mark.parametrize(
    ("query", "candidate", "expected"),
    [
        # Initials, either way round, joining words left out or not.
        ("HRW", "Human Rights Watch", Why.INITIALS),
        ("hrw", "Human Rights Watch", Why.INITIALS),
        ("Human Rights Watch", "HRW", Why.INITIALS),
        ("ISW", "Institute for the Study of War", Why.INITIALS),
        ("ЗСУ", "Збройні сили України", Why.INITIALS),
        ("ZSU", "Збройні Сили України", Why.INITIALS),
        ("СБУ", "Служба безпеки України", Why.INITIALS),
        ("SBU", "Служба безпеки України", Why.INITIALS),
        ("МЧС", "Министерство чрезвычайных ситуаций", Why.INITIALS),
        # A surname inside a full name, in any script.
        ("Peskov", "Dmitry Peskov", Why.PART),
        ("Песков", "Dmitry Peskov", Why.PART),
        ("Pieskow", "Дмитрий Песков", Why.PART),
        ("Буданов", "Kyrylo Budanov", Why.PART),
        ("Zelensky", "Володимир Зеленський", Why.PART),
        ("Зеленский", "Volodymyr Zelenskyy", Why.PART),
        ("Shoigu", "Сергей Шойгу", Why.PART),
        ("Dmitry Peskov", "Kremlin spokesperson Dmitry Peskov", Why.PART),
        # The same name in another script or romanisation.
        ("Песков", "Peskov", Why.SPELLING),
        ("Pieskow", "Peskov", Why.SPELLING),
        ("Песков", "Pieskow", Why.SPELLING),
        ("Зеленський", "Zelenskyy", Why.SPELLING),
        ("Selenskyj", "Zelensky", Why.SPELLING),
        ("Гончаренко", "Honcharenko", Why.SPELLING),
        ("Гончаренко", "Goncharenko", Why.SPELLING),
        ("Лавров", "Ławrow", Why.SPELLING),
        ("Єрмак", "Yermak", Why.SPELLING),
        ("Андрій Єрмак", "Andriy Yermak", Why.SPELLING),
        ("Peskov Dmitry", "Dmitry Peskov", Why.SPELLING),
        ("Charkiw", "Kharkiv", Why.SPELLING),
        # The same name typed differently.
        ("Dmitry Peskov.", "dmitry  peskov", Why.SAME),
        ("Human-Rights Watch", "Human Rights Watch", Why.SAME),
        ("ЗЕЛЕНСЬКИЙ", "Зеленський", Why.SAME),
    ],
)
def test_likely_the_same(query, candidate, expected):
    assert why(query, candidate) == expected


@pytest.mark.parametrize(
    ("query", "candidate"),
    [
        ("Ivan Petrov", "Ivan Sidorov"),  # a shared first name is not a match
        ("Ministry of Defence of Russia", "Ministry of Defence of Ukraine"),
        ("Ministry", "Ministry of Defence of Ukraine"),  # a word that many names share
        ("Ukraine", "General Staff of the Armed Forces of Ukraine"),
        ("Міністерство", "Міністерство оборони України"),
        ("Генштаб", "Генеральний штаб ЗСУ"),  # abbreviations of words: not claimed
        ("Kim", "Kim Jong Un"),  # under four letters, a lone word says too little
        ("AP", "Amnesty International"),  # AI, not AP
        ("Kyiv", "Kharkiv"),
        ("Reuters", "Bloomberg"),
        ("", "Peskov"),
        ("  ", "Peskov"),
        ("...", "Peskov"),
    ],
)
def test_not_the_same(query, candidate):
    assert match(query, candidate) is None


def test_scores_order_the_matches():
    same = match("Dmitry Peskov", "dmitry peskov")
    spelling = match("Pieskow", "Peskov")
    initials = match("HRW", "Human Rights Watch")
    part = match("Peskov", "Dmitry Peskov")
    assert same > spelling > initials > part
    assert same.score == 1.0


def test_keys():
    assert fold_name(" СБУ ") == fold_name("сбу") == "сбу"
    assert fold_name("Security  Service") == "security service"
    assert exact_key("Dmitry Peskov.") == exact_key("dmitry — peskov") == "dmitry peskov"
    assert exact_key("Zelenskyí") == "zelenskyi"
    # Cyrillic is not folded into Latin by the exact key: that is a spelling, not a typing.
    assert exact_key("Песков") != exact_key("Peskov")


def test_spellings_of_cyrillic_are_russian_and_ukrainian():
    written = {s.written for s in names.spellings("Гончаренко")}
    assert ("goncharenko",) in written  # the Russian way
    assert any(w[0].startswith("hon") for w in written)  # the Ukrainian way ("ua")


def test_initials():
    assert "hrw" in names.initials("Human Rights Watch")
    assert {"isw", "iftsow"} <= names.initials("Institute for the Study of War")
    assert "zsu" in names.initials("Збройні сили України")
    assert names.initials("Peskov") == frozenset()


SOURCES = [
    (1, "Human Rights Watch"),
    (2, "Dmitry Peskov"),
    (2, "Kremlin spokesperson"),  # an alias of the same source
    (3, "Ministry of Defence of Ukraine"),
    (4, "Ministry of Defence of Russia"),
    (5, "Volodymyr Zelenskyy"),
    (6, "Institute for the Study of War"),
    (7, "Служба безпеки України"),
    (8, "Ministry of Foreign Affairs of Ukraine"),
    (9, "Ministry of Health of Ukraine"),
]


@pytest.mark.parametrize(
    ("query", "key", "expected"),
    [
        ("HRW", 1, Why.INITIALS),
        ("Peskov", 2, Why.PART),
        ("Pieskow", 2, Why.PART),
        ("Дмитрий Песков", 2, Why.SPELLING),
        ("Зеленський", 5, Why.PART),
        ("isw", 6, Why.INITIALS),
        ("SBU", 7, Why.INITIALS),
        ("Security Service of Ukraine", None, None),  # a translation is not a spelling
        ("dmitry peskov!", 2, Why.SAME),
    ],
)
def test_index_finds_the_likely_source(query, key, expected):
    found = NameIndex(SOURCES).likely(query)
    if key is None:
        assert found == []
    else:
        assert found[0][0] == key
        assert found[0][2].why == expected


def test_index_gives_each_source_once_and_can_leave_some_out():
    index = NameIndex(SOURCES)
    found = index.likely("Dmitry Peskov, Kremlin spokesperson")
    assert [key for key, _name, _match in found].count(2) <= 1
    assert index.likely("Peskov", exclude=[2]) == []
    assert [key for key, *_ in index.exact("DMITRY PESKOV")] == [2]


def test_index_learns_which_words_the_desk_shares():
    # "Ministry" is in four of the names: alone, it matches none of them.
    assert NameIndex(SOURCES).likely("Ministry") == []
    entries = [(i, f"Oblast council of region {i}") for i in range(40)] + [(99, "Bondarenko")]
    index = NameIndex(entries)
    assert "council" in index.common
    assert index.likely("council") == []
    assert index.likely("Bondarenko")[0][0] == 99


def test_index_finds_initials_among_many_names():
    entries = [(i, f"Person{i:05d} Surname{i % 997:03d}") for i in range(5_000)]
    entries.append((-1, "Human Rights Watch"))
    index = NameIndex(entries)
    assert index.likely("HRW")[0][0] == -1
