"""The similar-claims matcher's reading of a quote (`annotations.similarity`, pure): what
counts as wording, which words are one sense, which words are figures."""

import pytest

from annotations import similarity
from annotations.similarity import THRESHOLD, features, numbers, score, sense


@pytest.mark.parametrize(
    ("quote", "language", "verb"),
    [
        ("Обстріл Херсона триває, повідомив голова ОВА.", "uk", "повідомити"),
        ("Удар по Белгороду, сообщили в Минобороны России.", "ru", "сообщить"),
        ("Удар по Белгороду, заявил губернатор.", "ru", "заявить"),
        ("The strike hit Kharkiv, the governor told reporters.", "en", "tell"),
    ],
)
def test_verbs_of_attribution_are_not_wording_in_any_form(quote, language, verb):
    # The stop list holds "повідомив"; the matcher compares dictionary forms, so
    # "повідомити" must be left out as well, or every report shares a word.
    assert similarity._stem(verb) not in features(quote, language).lemmas


def test_a_verb_that_changes_the_assertion_stays_a_word():
    # A denial is another claim than the one it denies.
    assert similarity._stem("deny") in features("The Kremlin denied the report.", "en").lemmas
    assert "said" in similarity._reporting_words()  # from the suggested claims' cues


def test_war_news_synonyms_are_one_sense_in_each_language():
    assert {sense(w) for w in ("дрон", "безпілотник", "бпла", "шахеди")} == {"drone"}
    assert {sense(w) for w in ("беспилотник", "дрон", "герань", "drone", "uav")} == {"drone"}
    assert {sense(w) for w in ("загинути", "вбити", "погибнуть", "kill", "dead")} == {"kill"}
    assert sense("безпілотний") == "drone"  # a beginning stands for its words
    assert sense("продовжити") == "продовжити"  # also "continue": left out


def test_a_paraphrase_with_other_war_words_is_suggested():
    drones = features("Унаслідок атаки дронів на Херсон загинули двоє людей.", "uk")
    uavs = features("Через удар безпілотників по Херсону вбито двох мешканців.", "uk")
    assert {"drone", "kill", "attac"} <= drones.lemmas & uavs.lemmas
    assert score(drones, uavs).score >= THRESHOLD


def test_number_words_are_figures_not_wording():
    found = features("Двоє загиблих і сім поранених, понад тисяча евакуйованих.", "uk")
    assert not {"двоє", "сім", "тисяч"} & found.lemmas
    assert {"2", "7", "1000"} <= found.numbers


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("the tenth such blackout", {"10"}),
        ("the 10th such blackout", {"10"}),
        ("двадцатый пакет санкций", {"20"}),
        ("вдесяте: десятого разу", {"10"}),
        ("for the first time in a second round", set()),  # first, second: not figures
    ],
)
def test_ordinals_are_figures(text, figures):
    assert numbers(text) == figures


def test_two_claims_that_name_different_years_are_different_claims():
    def rada(date: str):
        return features(
            f"Верховна Рада продовжила воєнний стан ще на 90 днів — до {date} року.", "uk"
        )

    same_year = score(rada("9 травня 2025"), rada("3 лютого 2025"))
    other_year = score(rada("9 травня 2025"), rada("3 лютого 2026"))
    assert other_year.score < THRESHOLD <= same_year.score


def test_a_decimal_says_which_figure_it_is():
    assert similarity.telling("3.5") and similarity.telling("12") and not similarity.telling("3")
    nato = features("NATO leaders agreed to raise core defence spending to 3.5% of GDP.", "en")
    allies = features("Allies committed to spend 3.5 percent of economic output, Rutte said.", "en")
    assert score(nato, allies).why[0] == similarity.Why.NUMBERS


def test_trillions_are_a_multiplier():
    assert numbers("4,2 трлн руб.") == numbers("4.2 trillion roubles") == {"4200000000000"}


def test_two_claims_with_small_figures_none_the_same_are_different_claims():
    def bus(killed: str, wounded: str):
        return features(
            f"A Russian drone hit an evacuation bus in the Sumy region, killing {killed} "
            f"people and wounding {wounded}, regional Gov. Oleh Hryhorov said.",
            "en",
        )

    same = score(bus("nine", "four"), bus("9", "4"))
    other = score(bus("nine", "four"), bus("seven", "five"))
    assert same.score >= THRESHOLD
    assert other.score <= same.score * similarity.DIFFERENT_FIGURES


@pytest.mark.parametrize(
    ("argv", "run_main", "serving"),
    [
        (["manage.py", "runserver", "127.0.0.1:8000"], "true", True),  # the reloader's child
        (["manage.py", "runserver", "127.0.0.1:8000"], None, False),  # the watching parent
        (["manage.py", "runserver", "--noreload"], None, True),
        (["manage.py", "run_worker"], "true", False),
        (["manage.py", "migrate"], None, False),
        (["pytest"], None, False),
    ],
)
def test_runserver_loads_the_dictionaries_beside_the_server(monkeypatch, argv, run_main, serving):
    """`make run`'s server loads simplemma's dictionaries in a thread as it starts (the first
    claim save does not wait ~4 s for them); no other command does."""
    from annotations import apps

    monkeypatch.setattr("sys.argv", argv)
    if run_main is None:
        monkeypatch.delenv("RUN_MAIN", raising=False)
    else:
        monkeypatch.setenv("RUN_MAIN", run_main)
    assert apps._serving_with_runserver() is serving
