"""Scraper leftovers (annotations/importers/trailers.py): which lines are offered for
removal, in English, Ukrainian and Russian, which never are, and how removing them works."""

import pytest

from annotations import demo
from annotations.importers import trailers

REPORT = (
    "Drones struck an energy site in Kharkiv overnight, the regional administration said.\n"
    "\n"
    "Air defence units shot down 31 of 38 drones, according to the SBU."
)

# Lines that are leftovers wherever they stand alone: share, follow/subscribe, cookies, ads.
ANYWHERE = [
    # English
    ("Share", "share"),
    ("Share this article", "share"),
    ("Share on Facebook", "share"),
    ("Share: Facebook, Twitter, Telegram", "share"),
    ("Facebook Twitter Telegram WhatsApp", "share"),
    ("Copy link", "share"),
    ("Follow us on Telegram", "follow"),
    ("👉 Follow us on Telegram: https://t.me/frontlinewire", "follow"),
    ("Follow Frontline Wire on X and Telegram", "follow"),
    ("Subscribe", "follow"),
    ("Subscribe to our newsletter", "follow"),
    ("Sign up for our daily newsletter", "follow"),
    ("Join our Telegram channel", "follow"),
    ("We're on Telegram", "follow"),
    ("Stay up to date with the latest news on our Telegram channel", "follow"),
    ("We use cookies to give you the best experience on our website.", "cookies"),
    ("This website uses cookies", "cookies"),
    ("Accept all cookies", "cookies"),
    ("Cookie settings", "cookies"),
    ("Advertisement", "advert"),
    ("Scroll to continue with content", "advert"),
    # Ukrainian
    ("Підписуйтесь на наш Telegram", "follow"),
    ("Підписуйтеся на наш Telegram-канал, щоб першими дізнаватися новини", "follow"),
    ("Підпишіться на розсилку", "follow"),
    ("Стежте за нами в Telegram", "follow"),
    ("Слідкуйте за новинами у нашому Telegram-каналі", "follow"),
    ("Приєднуйтесь до нашого Viber", "follow"),
    ("Читайте нас у Telegram", "follow"),
    ("Ми в Telegram: t.me/wire", "follow"),
    ("Більше новин — у нашому Telegram", "follow"),
    ("Поділитися", "share"),
    ("Поділитися: Facebook Telegram", "share"),
    ("Ми використовуємо файли cookie", "cookies"),
    ("Цей сайт використовує файли cookie для зручності користувачів.", "cookies"),
    ("Реклама", "advert"),
    # Russian
    ("Подписывайтесь на наш Telegram-канал", "follow"),
    ("Подпишитесь на нас в Telegram", "follow"),
    ("Следите за нами в Telegram", "follow"),
    ("Присоединяйтесь к нам в Telegram", "follow"),
    ("Мы в Telegram", "follow"),
    ("Больше новостей — в нашем Telegram", "follow"),
    ("Поделиться", "share"),
    ("Поделиться в Telegram", "share"),
    ("Мы используем файлы cookie", "cookies"),
    ("Этот сайт использует файлы cookie", "cookies"),
]

# Lines that are leftovers only at the end of the text: links to the article or to more.
END_ONLY = [
    # English
    ("Source: Read Full Article", "more"),
    ("Read more", "more"),
    ("Read more »", "more"),
    ("Read more: Odesa port hit by drones for a second night", "more"),
    ("Read the full article", "more"),
    ("Continue reading", "more"),
    ("Related: Kharkiv power restored", "more"),
    ("The post Drone strike hits Kharkiv appeared first on Frontline Wire.", "more"),
    ("Tags: Kharkiv, drones, energy", "tags"),
    # Ukrainian
    ("Читайте також", "more"),
    ("Читайте також: Удар по Одесі — що відомо", "more"),
    ("Джерело: Читати повністю", "more"),
    ("Детальніше", "more"),
    ("Теги: Харків, дрони", "tags"),
    # Russian
    ("Читайте также", "more"),
    ("Читайте также: Удар по Одессе", "more"),
    ("Источник: Читать полностью", "more"),
    ("Подробнее", "more"),
    ("Похожие новости", "more"),
]

# Reporting that mentions the same words: never flagged, in the middle or at the end.
NEVER = [
    "Read more about the strike in our live blog.",
    "Readers can read more about the strike in our live blog.",
    "Source: Reuters",
    "Source: the Kharkiv regional administration",
    "Telegram",
    "The SBU said in a Telegram post that 31 of 38 drones were shot down.",
    "Share prices of Ukrainian energy companies fell on Tuesday.",
    "Officials urged residents to follow the air-raid alerts on official channels.",
    "The outlet said it would share the footage with investigators.",
    "Investigators said the site uses cookies to track visitors from Ukraine.",
    "Підписуючи угоду, сторони домовилися про обмін полоненими.",
    "Про це повідомили в Telegram-каналі Повітряних сил.",
    "Читайте також заяву Міністерства оборони, оприлюднену вранці.",
    "Поділитися інформацією про удари просять через офіційного бота.",
    "Об этом сообщили в Telegram-канале Минобороны.",
    "Подписывая соглашение, стороны договорились об обмене пленными.",
    "Читать полностью заявление губернатора можно на сайте администрации.",
    "Поделиться данными о погибших в ведомстве отказались.",
    "Реклама на билбордах в Харкові закликає до мобілізації.",
    "Tags on the wreckage identified the drones as Shahed-136.",
]


def _numbers(body):
    return [(t.number, t.kind) for t in trailers.find(body)]


@pytest.mark.parametrize(("line", "kind"), ANYWHERE + END_ONLY)
def test_flagged_at_the_end_of_the_text(line, kind):
    body = f"{REPORT}\n\n{line}"
    assert _numbers(body) == [(5, kind)]
    assert trailers.find(body)[0].text == line


@pytest.mark.parametrize(("line", "kind"), ANYWHERE)
def test_standalone_lines_flagged_anywhere(line, kind):
    body = f"{REPORT}\n\n{line}\n\nRepair crews restored power by midday."
    assert _numbers(body) == [(5, kind)]


@pytest.mark.parametrize(("line", "kind"), END_ONLY)
def test_end_only_lines_not_flagged_between_paragraphs(line, kind):
    body = f"{REPORT}\n\n{line}\n\nRepair crews restored power by midday."
    assert _numbers(body) == []


@pytest.mark.parametrize("line", NEVER)
def test_reporting_never_flagged_in_the_middle_or_at_the_end(line):
    assert _numbers(f"{REPORT}\n\n{line}\n\nRepair crews restored power by midday.") == []
    assert _numbers(f"{REPORT}\n\n{line}") == []
    assert _numbers(f"{line}\n{REPORT}") == []


def test_a_leftover_inside_a_paragraph_is_not_a_line_of_its_own():
    body = f"{REPORT} Follow us on Telegram. Read more\n\nThe governor said."
    assert _numbers(body) == []
    assert _numbers(REPORT + " Source: Read Full Article") == []


def test_a_long_line_is_reporting_whatever_it_starts_with():
    line = "Subscribe to " + "the regional administration's alerts, officials said, " * 5
    assert len(line) > trailers.LINE_MAX
    assert _numbers(f"{REPORT}\n\n{line}") == []


def test_the_closing_run_is_read_upwards_until_reporting():
    body = (
        f"{REPORT}\n\nRead more: an earlier headline\n\nThe governor spoke at noon.\n\n"
        "Read more: Odesa port hit\nShare\n\nSource: Read Full Article\n"
    )
    # The first "Read more" stands between paragraphs: left alone.
    assert _numbers(body) == [(9, "more"), (10, "share"), (12, "more")]


def test_the_demo_article_ending_is_found():
    article = next(a for a in demo.ARTICLES if a.body.endswith("Source: Read Full Article"))
    found = trailers.find(article.body)
    assert [t.text for t in found] == ["Source: Read Full Article"]
    assert found[0].number == article.body.count("\n") + 1
    assert found[0].reason == "link to the full article or to more stories"


# --- Removing --------------------------------------------------------------------------------


def test_remove_takes_the_lines_and_their_blank_lines_at_the_end():
    body = f"{REPORT}\n\nRead more: Odesa port hit\n\nSource: Read Full Article\n"
    cleaned, removed = trailers.remove(body, {5, 7})
    assert cleaned == REPORT + "\n"
    assert [t.text for t in removed] == ["Read more: Odesa port hit", "Source: Read Full Article"]


def test_remove_closes_the_gap_between_paragraphs():
    body = f"{REPORT}\n\nFollow us on Telegram\n\nRepair crews restored power."
    cleaned, _removed = trailers.remove(body, {5})
    assert cleaned == f"{REPORT}\n\nRepair crews restored power."
    tight = "One.\nShare\nTwo."
    assert trailers.remove(tight, {2})[0] == "One.\nTwo."
    wide = "One.\n\nShare\n\n\nTwo."
    assert trailers.remove(wide, {3})[0] == "One.\n\n\nTwo."


def test_remove_at_the_start():
    assert trailers.remove("Share\n\nOne.\n\nTwo.", {1})[0] == "One.\n\nTwo."


def test_remove_only_ticked_lines_that_are_still_leftovers():
    body = f"{REPORT}\n\nShare\n\nSource: Read Full Article"
    cleaned, removed = trailers.remove(body, {5})  # the editor kept the last line
    assert cleaned == f"{REPORT}\n\nSource: Read Full Article"
    assert [t.number for t in removed] == [5]
    # Line 1 is reporting, line 99 does not exist: nothing happens to them.
    assert trailers.remove(body, {1, 3, 99}) == (body, [])
    assert trailers.remove(body, set()) == (body, [])


def test_every_kind_has_words_for_the_editor():
    kinds = {rule.kind for rule in (*trailers.END_RULES, *trailers.ANYWHERE_RULES)}
    assert kinds <= set(trailers.KIND_LABELS)
