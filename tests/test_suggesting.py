"""Suggested claims: the cue rules of each language, the span and source they give, desk
cues (literal and pattern), the one validator of a desk's cue, and timeouts."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from annotations import cues, names
from annotations.cues import Cue, Kind, Role
from annotations.models import DeskCue
from annotations.suggesting import (
    UNATTRIBUTED,
    detect_language,
    sentences,
    suggest,
    suggest_for_article,
)
from tests.factories import ArticleFactory, SourceFactory


def one(body: str, **kwargs):
    found = suggest(body, **kwargs)
    assert len(found) == 1, found
    s = found[0]
    assert body[s.start : s.end] == s.quote
    return s


# --- English ---------------------------------------------------------------------------


def test_according_to_gives_the_clause_after_it_and_its_source():
    s = one("According to the Ukrainian government, Russia has exhausted its offensive potential.")
    assert s.quote == "Russia has exhausted its offensive potential"
    assert (s.source_name, s.label, s.cue) == ("the Ukrainian government", "", "According to")


def test_told_that_gives_the_clause_after_that():
    s = one(
        "A senior Pentagon official told the New York Times that Russian forces were struggling."
    )
    assert s.quote == "Russian forces were struggling"
    assert s.source_name == "A senior Pentagon official"


@pytest.mark.parametrize(
    ("body", "quote", "source"),
    [
        ("Russia lost 200 tanks, the ministry said.", "Russia lost 200 tanks", "the ministry"),
        ("Russia lost 200 tanks, said Oleh Kiper.", "Russia lost 200 tanks", "Oleh Kiper"),
        ("Kiper said three workers were killed.", "three workers were killed", "Kiper"),
        ('"We will hold the city," Zelensky said.', "We will hold the city", "Zelensky"),
        ("Kiper said: the port is closed.", "the port is closed", "Kiper"),
        (
            "Oleh Kiper, the governor of the region, said the port was hit.",
            "the port was hit",
            "Oleh Kiper",
        ),
    ],
)
def test_english_reporting_verbs(body, quote, source):
    s = one(body)
    assert (s.quote, s.source_name, s.label) == (quote, source, "")


def test_a_quotation_interrupted_by_its_attribution_is_one_claim():
    body = '"The capital held," Klitschko wrote on Telegram, "but the night was long."'
    assert (
        one(body).quote == 'The capital held," Klitschko wrote on Telegram, "but the night was long'
    )


def test_a_hedge_is_unattributed():
    s = one("Russia has reportedly moved two more brigades to the area.")
    assert s.quote == "Russia has reportedly moved two more brigades to the area"
    assert (s.label, s.source_name, s.cue) == (UNATTRIBUTED, "", "reportedly")
    assert (
        one("It is understood that the bridge was hit twice.").quote == "the bridge was hit twice"
    )


def test_a_pronoun_is_the_speaker_named_before():
    body = (
        "Vadym Filashkin, the governor, urged residents to leave. He said that 14 people were hurt."
    )
    assert one(body).source_name == "Vadym Filashkin"


def test_states_of_the_united_states_is_no_verb():
    assert suggest("The United States will send more air defence systems next year.") == []


# --- What is not a claim, where a claim starts and ends (issue 23) ----------------------


@pytest.mark.parametrize(
    "body",
    [
        # a noun after a verb or an adjective, in a headline with no end mark
        "Drone strike hits Kharkiv energy site as both sides trade claims over night attack",
        "Analysts cautioned that similar claims had appeared twice since October.",
        # a passive: not a cue
        "Debris fell on two districts; no casualties were reported.",
        # a finite verb in the words before the verb: not a speaker
        "Kyiv has not confirmed that the bridge was hit.",
        # most of a headline before the verb: not a speaker
        "Drone strike hits Kharkiv energy site as the regional governor says power is back",
    ],
)
def test_nouns_passives_and_phrases_with_a_verb_are_not_a_speaker(body):
    assert suggest(body, language="en") == []


@pytest.mark.parametrize(
    ("body", "quote", "source"),
    [
        ("The ministry reported that three people were hurt.", "three people were hurt", "The ministry"),
        ("Three people were hurt in the strike, the ministry reported.", "Three people were hurt in the strike", "the ministry"),
        ("Rybar claims that Russian troops crossed the river.", "Russian troops crossed the river", "Rybar"),
    ],
)  # fmt: skip
def test_claims_and_reports_are_verbs_with_a_speaker_and_a_clause(body, quote, source):
    s = one(body, language="en")
    assert (s.quote, s.source_name) == (quote, source)


def test_a_group_with_its_member_in_apposition_is_the_speaker_of_a_that_clause():
    s = one(
        "Pro-Kremlin Telegram channels, among them Rybar, claimed on Monday that Russian "
        "assault groups had crossed the Oskil river."
    )
    assert s.quote == "Russian assault groups had crossed the Oskil river"
    assert s.source_name == "Pro-Kremlin Telegram channels"


def test_reports_circulating_are_a_hedge_of_the_clause_they_report():
    s = one(
        "Local officials did not confirm reports circulating on Telegram that two children "
        "were among the dead."
    )
    assert (s.quote, s.label, s.source_name) == (
        "two children were among the dead",
        UNATTRIBUTED,
        "",
    )


@pytest.mark.parametrize(
    ("body", "language", "quote"),
    [
        ("KHARKIV — A wave of drones struck the city, the regional administration said.", "en", "A wave of drones struck the city"),
        ("KYIV, Ukraine (Reuters) - Russia lost 200 tanks, the ministry said.", "en", "Russia lost 200 tanks"),
        ("06:10 Kyiv: 31 drones were shot down overnight, the governor said.", "en", "31 drones were shot down overnight"),
        ("Intro line.\n06:25 — 12 drones hit the port, the governor said.", "en", "12 drones hit the port"),
        ("ДНІПРО — Загинули семеро людей, повідомила ОВА.", "uk", "Загинули семеро людей"),
    ],
)  # fmt: skip
def test_a_claim_starts_after_a_dateline_or_a_live_stamp(body, language, quote):
    assert one(body, language=language).quote == quote


def test_a_reported_clause_ends_at_a_semicolon_outside_quotation_marks():
    assert one("Russia says the strike hit troops; Kyiv reports a civilian toll").quote == (
        "the strike hit troops"
    )
    assert one("Kiper said: “the port is closed; the road is open”.").quote == (
        "the port is closed; the road is open"
    )


def test_a_relative_clause_after_according_to_is_neither_claim_nor_source():
    s = one(
        "Repair crews restored electricity to half of the homes by midday, according to the "
        "regional administration, which published a map of outages on its website."
    )
    assert s.quote == "Repair crews restored electricity to half of the homes by midday"
    assert s.source_name == "the regional administration"


@pytest.mark.parametrize(
    "body",
    [
        "Peskov said the operation was proceeding according to plan.",
        "Peskov said the operation was proceeding according to schedule.",
    ],
)
def test_according_to_plan_is_no_attribution(body):
    s = one(body)
    assert s.source_name == "Peskov"
    assert s.quote.startswith("the operation was proceeding according to")


def test_a_quotation_then_its_attribution_after_a_full_stop_and_a_hedge_between_dashes():
    body = (
        "Residents of the Saltivka district — many of whom had reportedly been evacuated last "
        "winter — described hearing at least six explosions shortly after 2 a.m. “The windows "
        "just came in,” said Iryna, 54, who gave only her first name."
    )
    hedge, quote = suggest(body, language="en")
    assert (hedge.quote, hedge.label, hedge.source_name) == (
        "many of whom had reportedly been evacuated last winter",
        UNATTRIBUTED,
        "",
    )
    assert (quote.quote, quote.source_name, quote.label) == (
        "The windows just came in",
        "Iryna",
        "",
    )


def test_a_sentence_ends_before_an_opening_quotation_mark_after_a_full_stop():
    body = "They heard six explosions after 2 a.m. “The windows just came in,” she said."
    assert [body[a:b] for a, b in sentences(body, "en")] == [
        "They heard six explosions after 2 a.m.",
        "“The windows just came in,” she said.",
    ]


@pytest.mark.parametrize(
    ("body", "quote", "source"),
    [
        (
            "It offered no evidence, and the UN monitoring mission said only civilians had "
            "lived in the building.",
            "only civilians had lived in the building",
            "the UN monitoring mission",
        ),
        (
            "Kremlin spokesperson Dmitry Peskov dismissed the estimate as “propaganda” and said "
            "the “special military operation” was proceeding according to plan.",
            "the “special military operation” was proceeding according to plan",
            "Dmitry Peskov",
        ),
    ],
)
def test_a_coordinated_reporting_verb_reads_the_clause_after_it(body, quote, source):
    s = one(body)
    assert (s.quote, s.source_name, s.label) == (quote, source, "")


# --- Ukrainian and Russian ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "quote", "source", "label"),
    [
        (
            "Міністр оборони Олексій Резніков заявив, що контрнаступ почнеться незабаром.",
            "контрнаступ почнеться незабаром",
            "Міністр оборони Олексій Резніков",
            "",
        ),
        (
            "За словами Зеленського, Росія готує новий наступ.",
            "Росія готує новий наступ",
            "Зеленського",
            "",
        ),
        (
            "«Ми бачимо переміщення техніки», — повідомила речниця Наталія Гуменюк.",
            "Ми бачимо переміщення техніки",
            "речниця Наталія Гуменюк",
            "",
        ),
        (
            "За неперевіреними даними, в Донецьку уражено склад боєприпасів.",
            "в Донецьку уражено склад боєприпасів",
            "",
            UNATTRIBUTED,
        ),
    ],
)
def test_ukrainian_cues(body, quote, source, label):
    s = one(body)
    assert (s.quote, s.source_name, s.label) == (quote, source, label)


def test_about_this_after_a_claim_attributes_the_sentence_before():
    body = "Росіяни атакували Україну 72 дронами. Про це повідомили в Повітряних силах ЗСУ."
    s = one(body)
    assert s.quote == "Росіяни атакували Україну 72 дронами"
    assert s.source_name == "в Повітряних силах ЗСУ"


@pytest.mark.parametrize(
    ("body", "quote", "source", "label"),
    [
        (
            "По словам Дмитрия Пескова, переговоры зашли в тупик.",
            "переговоры зашли в тупик",
            "Дмитрия Пескова",
            "",
        ),
        (
            "Мария Захарова заявила, что поставки оружия затягивают конфликт.",
            "поставки оружия затягивают конфликт",
            "Мария Захарова",
            "",
        ),
        (
            "ВСУ отступили от Купянска, сообщило Минобороны России.",
            "ВСУ отступили от Купянска",
            "Минобороны России",
            "",
        ),
        (
            "По некоторым данным, в регион прибыли северокорейские военные.",
            "в регион прибыли северокорейские военные",
            "",
            UNATTRIBUTED,
        ),
        (
            "Сообщается, что в Белгороде прогремели взрывы.",
            "в Белгороде прогремели взрывы",
            "",
            UNATTRIBUTED,
        ),
    ],
)
def test_russian_cues(body, quote, source, label):
    s = one(body)
    assert (s.quote, s.source_name, s.label) == (quote, source, label)


def test_language_is_declared_or_read_from_the_script():
    assert detect_language("Це речення.", "uk-UA") == "uk"
    assert detect_language("Це їхнє речення.") == "uk"
    assert detect_language("Это русское предложение.") == "ru"
    assert detect_language("An English sentence.") == "en"


# --- The text as a whole --------------------------------------------------------------


def test_an_article_with_no_cues_gets_no_suggestions():
    body = (
        "Pokrovsk had a pre-war population of about 60,000. Most civilians have left.\n\n"
        "Часів Яр до війни мав населення близько 12 тисяч людей.\n\n"
        "Новоселидовка расположена в 15 километрах от Донецка."
    )
    assert suggest(body) == []
    assert suggest("") == []


def test_offsets_are_code_points_after_astral_characters():
    body = "🇺🇦🚀 𝕏 post. 😀 Officials said that the bridge 🌉 was destroyed overnight."
    s = one(body)
    assert s.quote == "the bridge 🌉 was destroyed overnight"
    assert body[s.start : s.end] == s.quote
    assert s.start == body.index("the bridge")
    assert s.source_name == "Officials"


def test_suggestions_are_in_reading_order_and_never_overlap():
    body = (
        "Russia lost 200 tanks, the ministry said. Kiper said the port was hit.\n\n"
        "The depot was reportedly one of the largest. According to ISW, Russian gains were small."
    )
    found = suggest(body)
    assert len(found) == 4
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))
    assert [s.as_json() for s in found][0] == {
        "start": 0,
        "end": 21,
        "quote": "Russia lost 200 tanks",
        "label": "",
        "source_name": "the ministry",
    }


def test_sources_are_matched_against_the_registry_by_name_and_alias():
    index = names.NameIndex([(7, "Institute for the Study of War"), (7, "ISW"), (9, "Oleh Kiper")])
    found = suggest(
        "According to ISW, Russian gains were small. Kiper said the port was hit.\n"
        "The mayor said the bridge was closed.",
        sources=index,
    )
    assert [(s.source_name, s.source_id) for s in found] == [
        ("ISW", 7),
        ("Kiper", 9),
        ("The mayor", None),
    ]


# --- A desk's own cues -----------------------------------------------------------------


def test_desk_literal_cues_add_suggestions():
    body = "The depot burned, per Ukrainska Pravda. Kyiv is understood by some to be ready."
    assert suggest(body) == []
    cue = Cue("per", role=Role.ATTRIBUTION, kind=Kind.LITERAL, language="en")
    s = one(body, desk_cues=[cue])
    assert (s.quote, s.source_name) == ("The depot burned", "Ukrainska Pravda")
    hedge = Cue("understood by some", role=Role.HEDGE, language="any")
    assert [x.label for x in suggest(body, desk_cues=[cue, hedge])] == ["", UNATTRIBUTED]


def test_a_desk_literal_is_escaped_not_a_pattern():
    cue = Cue("a.b.", role=Role.HEDGE)
    found = suggest("Seen on a.b. today: the bridge fell overnight.", desk_cues=[cue])
    assert [(s.cue, s.label) for s in found] == [("a.b.", UNATTRIBUTED)]
    assert suggest("Seen on axbx today: the bridge fell overnight.", desk_cues=[cue]) == []


def test_desk_pattern_cues_with_claim_and_source_groups():
    body = "Intel: the bridge was hit twice (source: Rybar)."
    cue = Cue(
        r"Intel: (?P<claim>[^(]+) \(source: (?P<source>\w+)\)",
        role=Role.ATTRIBUTION,
        kind=Kind.PATTERN,
    )
    s = one(body, desk_cues=[cue])
    assert (s.quote, s.source_name) == ("the bridge was hit twice", "Rybar")


def test_desk_cues_of_another_language_do_not_fire():
    body = "The depot burned, per Ukrainska Pravda."
    cue = Cue("per", role=Role.ATTRIBUTION, language="uk")
    assert suggest(body, desk_cues=[cue]) == []


def test_a_slow_pattern_times_out_and_is_skipped_without_failing(caplog, monkeypatch):
    monkeypatch.setattr(cues, "RUN_TIMEOUT", 0.01)
    body = "a" * 5000 + "! Russia lost 200 tanks, the ministry said."
    slow = Cue(r"(a|aa)+c", role=Role.HEDGE, kind=Kind.PATTERN)
    with caplog.at_level(logging.WARNING, logger="annotations.suggesting"):
        found = suggest(body, desk_cues=[slow])
    assert [s.quote for s in found] == ["Russia lost 200 tanks"]
    assert "took over" in caplog.text and "(a|aa)+c" in caplog.text


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        (r"(a|aa)+c", "takes too long"),
        (r"([a-z ]+)*\d", "takes too long"),
        (r"according to (", "not a pattern"),
        (r"x*", "empty text"),
        (r"(?P<speaker>\w+) said", "claim"),
        ("x" * 201, "at most 200"),
        ("a", "at least 2"),
    ],
)
def test_the_validator_refuses_bad_patterns(phrase, message):
    with pytest.raises(ValidationError) as refused:
        cues.validate_cue(phrase, Kind.PATTERN)
    assert message in " ".join(refused.value.messages)


def test_the_validator_accepts_a_good_pattern_and_any_literal():
    cues.validate_cue(r"(?P<source>\w+) (?:wrote|posted) that (?P<claim>.+)", Kind.PATTERN)
    cues.validate_cue("(a|aa)+c", Kind.LITERAL)  # a literal is never run as a pattern


@pytest.mark.django_db
def test_the_model_refuses_a_catastrophic_pattern_on_its_phrase():
    cue = DeskCue(phrase=r"(a|aa)+c", kind=DeskCue.Kind.PATTERN, role=DeskCue.Role.HEDGE)
    with pytest.raises(ValidationError) as refused:
        cue.full_clean()
    assert "takes too long" in refused.value.message_dict["phrase"][0]


@pytest.mark.django_db
def test_a_reviewer_adds_a_cue_in_the_admin_and_a_bad_one_is_refused(client, reviewer):
    client.force_login(reviewer)
    url = reverse("admin:annotations_deskcue_add")
    data = {"phrase": "per", "kind": "literal", "role": "attribution-pattern", "language": "en"}
    assert client.post(url, {**data, "active": "on"}).status_code == 302
    cue = DeskCue.objects.get()
    assert cue.created_by == reviewer
    bad = client.post(url, {**data, "phrase": "(a|aa)+c", "kind": "pattern", "active": "on"})
    assert bad.status_code == 422
    assert "takes too long" in bad.content.decode()
    assert DeskCue.objects.count() == 1


@pytest.mark.django_db
def test_an_editor_may_not_change_the_desks_cues(client, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:annotations_deskcue_add"))
    assert response.status_code in (302, 403)


@pytest.mark.django_db
def test_suggest_for_article_reads_the_registry_and_active_desk_cues(
    reviewer, django_assert_max_num_queries
):
    source = SourceFactory(name="Ukrainska Pravda")
    article = ArticleFactory(body="The depot burned, per Ukrainska Pravda.", language="en")
    assert suggest_for_article(article) == []
    cue = DeskCue.objects.create(phrase="per", role="attribution-pattern", created_by=reviewer)
    found = suggest_for_article(article)
    assert [(s.quote, s.source_id) for s in found] == [("The depot burned", source.pk)]
    with django_assert_max_num_queries(2):  # two small aggregates: nothing changed
        suggest_for_article(article)
    DeskCue.objects.update(active=False)  # turned off (even by an update): read again
    assert suggest_for_article(article) == []
    cue.phrase, cue.active = "per the", True
    cue.save()  # changed in the admin: read again
    assert suggest_for_article(article) == []
