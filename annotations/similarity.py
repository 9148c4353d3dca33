"""Similar claims: is this quote the same assertion as that one? The one matcher of the app.

Pure Python: quotes in, scores out; no database, no request. The services store each
claim's *terms* (`terms`) so that the database finds candidates fast; `score` then ranks
them, the same way on SQLite and PostgreSQL.

Cheap signals that a person can check, in English, Ukrainian and Russian:

- **numbers**, normalised: 7,000 · 7 000 · 7000 · 7 тисяч · 7 тыс. · 7k are one number,
  1.5 million and 1,5 млн another; ordinals too (the tenth, 10th, двадцатый). A number of
  ten or more (not a year), or with decimals (3.5%), *tells*. Two claims that both give
  figures and share none, or both name years and share none, are about different things.
- **names**, in any script: a capitalised word (not a common one, see `names.COMMON_WORDS`)
  spelled in Latin letters by the name matcher (`names.spellings`: Песков and Peskov), its
  case ending dropped (Зеленського, Зеленським), reduced to its consonants (Авдіївка,
  Авдеевка and Avdiivka are all "avdvk").
- **lemmas** (simplemma: uk, ru and en, no download), without the words every claim has
  (verbs of attribution in any form, number words), war-news synonyms read as one sense
  (`_SENSES`: killed, загинули, погибли; drone, безпілотник, БПЛА).
- **trigram similarity** of the lemmas' text (rapidfuzz here; on PostgreSQL, pg_trgm finds
  candidates besides the terms).

Within one language all four count. Across languages only numbers and names can: a
translation shares its figures and its places and people, not its words. `Match.why` says
which signals found it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

import simplemma
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from . import cues, names

# How many suggestions a claim gets, at most.
LIMIT = 5
# A candidate scoring below this is not suggested.
THRESHOLD = 0.385

LANGUAGES = ("en", "uk", "ru")


def warm_up() -> None:
    """Load simplemma's dictionaries (about 4 s and 250 MB, once per process that uses the
    matcher). Otherwise the first claim save or suggestion of a process loads them: the
    browser tests load them first, since their in-memory SQLite cannot wait for the lock
    that first save holds meanwhile."""
    for lang in LANGUAGES:
        simplemma.lemmatize("слово" if lang != "en" else "word", lang=lang)
        simplemma.is_known("слово" if lang != "en" else "word", lang=lang)


# --- Numbers -----------------------------------------------------------------------------

# Thousands grouped by commas, dots or (thin, no-break) spaces, or plain digits; then a
# decimal part after a dot or a comma; then a word that may multiply it ("тис.", "million").
_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:(?:,|\.|[ \u00a0\u202f\u2009])\d{3})+|\d+)(?!\d)"
    r"(?:[.,](\d+))?"
    r"(?:[ \u00a0\u202f\u2009]?([^\W\d_]+))?"
)
_MULTIPLIERS = {
    1_000: "k thousand thousands тис тисяч тисячі тисяча тисячами тыс тысяч тысячи тысяча",
    1_000_000: (
        "m mn mln million millions млн мільйон мільйони мільйонів мільйона миллион "
        "миллиона миллионов"
    ),
    1_000_000_000: (
        "bn billion billions млрд мільярд мільярди мільярдів миллиард миллиарда миллиардов"
    ),
    1_000_000_000_000: (
        "tn trillion trillions трлн трильйон трильйони трильйонів триллион триллиона триллионов"
    ),
}
_MULTIPLIER = {word: factor for factor, words in _MULTIPLIERS.items() for word in words.split()}


def _number(whole: str, fraction: str | None, unit: str) -> str:
    digits = re.sub(r"\D", "", whole)
    if digits != whole and whole[0] == "0":
        # "0.125": a decimal, not thousands.
        digits, fraction = whole[0], digits[1:]
    value = float(f"{int(digits)}.{fraction}") if fraction else float(int(digits))
    value *= _MULTIPLIER.get(unit.casefold(), 1)
    if value == int(value):
        return str(int(value))
    return f"{value:.6g}"


# Numbers in words, as their dictionary forms (`lemma`) read them: English, Ukrainian and
# Russian. A multiplier (hundred, thousand, dozen) multiplies what came before it.
_WORD_VALUES = {
    1: "one один одна одне одно",
    2: "two два дві две двоє двое",
    3: "three три троє трое",
    4: "four чотири четыре четверо",
    5: "five п'ять пять п'ятеро пятеро",
    6: "six шість шесть шестеро",
    7: "seven сім семь семеро",
    8: "eight вісім восемь восьмеро",
    9: "nine дев'ять девять дев'ятеро девятеро",
    10: "ten десять десятеро",
    11: "eleven одинадцять одиннадцать",
    12: "twelve дванадцять двенадцать",
    13: "thirteen тринадцять тринадцать",
    14: "fourteen чотирнадцять четырнадцать",
    15: "fifteen п'ятнадцять пятнадцать",
    16: "sixteen шістнадцять шестнадцать",
    17: "seventeen сімнадцять семнадцать",
    18: "eighteen вісімнадцять восемнадцать",
    19: "nineteen дев'ятнадцять девятнадцать",
    20: "twenty двадцять двадцать двадцятеро",
    30: "thirty тридцять тридцать",
    40: "forty сорок сорока",
    50: "fifty п'ятдесят пятьдесят півсотні півсотня полсотни полсотня",
    60: "sixty шістдесят шестьдесят",
    70: "seventy сімдесят семьдесят",
    80: "eighty вісімдесят восемьдесят",
    90: "ninety дев'яносто девяносто",
    200: "двісті двісті двохсот двести двухсот",
    300: "триста трьохсот трехсот",
    400: "чотириста четыреста",
    500: "п'ятсот пятьсот",
    600: "шістсот шестьсот",
    700: "сімсот семьсот семисот",
    800: "вісімсот восемьсот восьмисот",
    900: "дев'ятсот девятьсот",
}
# Ordinals ("the tenth blackout", "10th", "двадцатый пакет"), from the third: "first" and
# "second" (перший, другий: also "other") say "for the first time" more than a figure.
_ORDINAL_VALUES = {
    3: "third третій третий",
    4: "fourth четвертий четвертый",
    5: "fifth п'ятий пятый",
    6: "sixth шостий шестой",
    7: "seventh сьомий седьмой",
    8: "eighth восьмий восьмой",
    9: "ninth дев'ятий девятый",
    10: "tenth десятий десятый",
    11: "eleventh одинадцятий одиннадцатый",
    12: "twelfth дванадцятий двенадцатый",
    13: "thirteenth тринадцятий тринадцатый",
    14: "fourteenth чотирнадцятий четырнадцатый",
    15: "fifteenth п'ятнадцятий пятнадцатый",
    16: "sixteenth шістнадцятий шестнадцатый",
    17: "seventeenth сімнадцятий семнадцатый",
    18: "eighteenth вісімнадцятий восемнадцатый",
    19: "nineteenth дев'ятнадцятий девятнадцатый",
    20: "twentieth двадцятий двадцатый",
    30: "thirtieth тридцятий тридцатый",
    40: "fortieth сороковий сороковой",
    50: "fiftieth п'ятдесятий пятидесятый",
    60: "sixtieth шістдесятий шестидесятый",
    70: "seventieth сімдесятий семидесятый",
    80: "eightieth вісімдесятий восьмидесятый",
    90: "ninetieth дев'яностий девяностый",
    100: "hundredth сотий сотый",
}
_WORD_NUMBER = {
    word: value
    for table in (_WORD_VALUES, _ORDINAL_VALUES)
    for value, words in table.items()
    for word in words.split()
}
_WORD_MULTIPLIER = {"hundred": 100, "сто": 100, "dozen": 12, "дюжина": 12}
_WORD_MULTIPLIER.update(_MULTIPLIER)


@lru_cache(maxsize=50_000)
def _number_word(word: str) -> str:
    """The word as the number tables know it, if one of its dictionary forms is there."""
    if word in _WORD_NUMBER or word in _WORD_MULTIPLIER:
        return word
    for lang in language_of(word) + (("ru",) if _CYRILLIC.search(word) else ()):
        base = simplemma.lemmatize(word, lang=lang).casefold()
        if base in _WORD_NUMBER or base in _WORD_MULTIPLIER:
            return base
    return word


def _word_numbers(text: str) -> set[str]:
    """Numbers written in words: "seven thousand", "two dozen", "twenty-five", "півсотні",
    "около тысячи" (a thousand)."""
    found: set[str] = set()
    value = 0
    for match in _WORD.finditer(text):
        word = match.group(0).casefold().replace("’", "'").replace("ʼ", "'")
        base = _number_word(word)
        if base in _WORD_NUMBER:
            value += _WORD_NUMBER[base]
        elif base in _WORD_MULTIPLIER and len(base) > 2:
            value = max(value, 1) * _WORD_MULTIPLIER[base]
        else:
            if value:
                found.add(str(value))
            value = 0
    if value:
        found.add(str(value))
    return found


def numbers(text: str) -> frozenset[str]:
    """The numbers a quote gives, normalised: {"7000"} for "7,000", "7 000", "7000",
    "7 тисяч", "7 тыс." and "seven thousand"; {"1500000"} for "1.5 million" and "1,5 млн"."""
    found = set()
    for m in _NUMBER.finditer(text):
        found.add(_number(m.group(1), m.group(2), m.group(3) or ""))
    # What the figures took (their multiplier words too) is not read again as words.
    return frozenset(found | _word_numbers(_NUMBER.sub(" . ", text)))


def rounded(number: str) -> str | None:
    """A figure of 1,000 or more to two significant digits: "121507" and "121500" (121,5
    тысячи) are both "120000". None for smaller ones."""
    try:
        value = float(number)
    except ValueError:
        return None
    if value < 1000:
        return None
    return f"{float(f'{value:.2g}'):.0f}"


def same_figure(a: str, b: str) -> bool:
    """One figure: equal, or both 1,000 or more and within 1% of each other."""
    if a == b:
        return True
    if rounded(a) is None or rounded(b) is None:
        return False
    x, y = float(a), float(b)
    return abs(x - y) <= 0.01 * max(x, y)


def specific(number: str) -> bool:
    """A figure that is rarely a coincidence: not round (505, 7,346 and 23, not 1,000, 150
    or 40)."""
    try:
        value = float(number)
    except ValueError:
        return False
    if value != int(value):
        return True
    whole = int(value)
    return len(str(whole).rstrip("0")) >= 2 and whole % 50 != 0


def year(number: str) -> bool:
    """A number that reads as a year (1900 to 2100, whole)."""
    return number.isdigit() and 1900 <= int(number) <= 2100


def telling(number: str) -> bool:
    """A number that says which figure this is: ten or more and not a year, or a decimal
    (3.5%, 1.5 GW)."""
    try:
        value = float(number)
    except ValueError:
        return False
    if value != int(value):
        return True
    return value >= 10 and not year(str(int(value)))


# --- Words and names ----------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UKRAINIAN_LETTERS = re.compile(f"[{cues.UKRAINIAN_LETTERS}]")
_RUSSIAN_LETTERS = re.compile(f"[{cues.RUSSIAN_LETTERS}]")

# Words that nearly every claim has: function words, and the verbs of attribution.
_STOP = """
    the a an of to in on at by for from with and or but not no as is are was were be been
    being has have had it its this that these those their there they he she his her we our
    you your i me my which who whom whose what when where while than then also about after
    before over under into out up down more most less least some any all each other such
    only own same so too very can will would could should may might must do does did
    saying according report reportedly statement via per percent near around nearly almost
    about least
    over than since during just
    і й та а але в у з зі із на по до від для що як це цей ця ці той та те ті його її їх
    він вона воно вони ми ви я не ні так також вже ще був була було були є бути має мали
    який яка яке які де коли за через після перед під над між про при без понад близько
    майже щонайменше каже кажуть слова словами даними даних за даними
    и в во с со на по до от для что как это этот эта эти тот та то те его ее её их он она
    оно они мы вы я не ни так также уже еще ещё был была было были есть быть который
    которая которое которые где когда за через после перед под над между о об про при без
    более около почти менее свыше словам данным данных по данным
    telegram facebook twitter instagram youtube телеграм
"""
STOP_WORDS = frozenset(_STOP.split())

# Verbs of attribution say who said it, which is the source's business, not the claim's.
# They are the suggested claims' reporting verbs (`cues.REPORTING_VERBS`, their one home),
# as written and as the dictionary gives them ("повідомив" is "повідомити" by then), and a
# few forms the cues do not need. Left as words: the verbs that change what is asserted (a
# denial is another claim; "оголосили евакуацію" is the news itself).
_MORE_REPORTING = "говорить говориться доложить доложили казати"
_SAYS_MORE = """
    deny warn believe estimate admit acknowledge announce declare suggest reveal assess
    вважати визнати оголосити попередити стверджувати
    считать признать объявить предупредить утверждать
"""


@cache
def _reporting_words() -> frozenset[str]:
    """The verbs of attribution, inflected and in their dictionary forms (read once, with
    the dictionaries, at the first quote)."""
    found = set(_MORE_REPORTING.split())
    says_more = set(_SAYS_MORE.split())
    for language, verbs in cues.REPORTING_VERBS.items():
        for verb in verbs:
            base = lemma(verb, language)
            if " " not in verb and base not in says_more:
                found |= {verb, base}
    return frozenset(found)


# War-news vocabulary: the words a paraphrase picks among for one sense, in English,
# Ukrainian and Russian, as the dictionary gives them (`lemma`). Each line: the sense, then
# its words; a word ending in "-" stands for every word that begins so (безпілотн-:
# безпілотник, безпілотний). A quote's word of a sense counts as the sense, so "killed",
# "загинули" and "погибли" are one word to the matcher within a language (across languages
# words do not count). Kept to what war news says in many ways; a word with several common
# senses stays out ("power", "lose", "force", "постраждалий": wounded or killed).
_SENSES = """
    kill: kill dead die death fatality загинути загиблий загибель вбити убити смерть
        погибнуть погибший гибель убить убитый
    wound: wound injure injury поранити поранений поранення травмувати травмований
        травмован ранить раненый ранение травмировать травмирован
    drone: drone uav- unman- shahed- geran- дрон безпілотн- бпла шахед- герань беспилотн-
    missile: missile rocket ракета ракетний ракетный
    attack: attack strike hit raid shell удар атака атакувати обстріл обстріляти наліт
        вдарити атаковать обстрел обстрелять налет налёт ударить
    troop: troop soldier serviceman військовий військо військовослужбовець солдат боєць
        военный войско войска военнослужащий боец
    day: day день доба сутки
    capture: capture seize захопити захоплення окупувати захват захватить освободить
        освобождение
    down: intercept down збити перехопити сбить сбитый перехватить
    refinery: refinery нафтопереробний нпз нефтеперерабатывающий
    electricity: electricity blackout outage електроенергія електропостачання знеструмити
        знеструмлення світло электроэнергия электроснабжение обесточить обесточены свет
    extend: extend prolong подовжити подовження продлить продление
"""


@cache
def _senses() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """`_SENSES` as (word -> sense, (beginning, sense) pairs)."""
    words, beginnings = {}, []
    for line in re.split(r"\n(?=\s*[^\W\d_]+:)", _SENSES.strip()):
        sense, rest = line.split(":", 1)
        for word in rest.split():
            if word.endswith("-"):
                beginnings.append((word[:-1], sense.strip()))
            else:
                words[word] = sense.strip()
    return words, tuple(beginnings)


def sense(base: str) -> str:
    """The sense a word's dictionary form says in `_SENSES`, else the form itself."""
    words, beginnings = _senses()
    if base in words:
        return words[base]
    return next((s for start, s in beginnings if base.startswith(start)), base)


# Capitalised words that are not names: months, days, and the words that open a sentence.
_NOT_NAMES = """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
"""
_NOT_NAME_WORDS = frozenset(_NOT_NAMES.split())

# Case endings of Ukrainian and Russian nouns and adjectives, longest first: a name keeps
# its stem ("Зеленського" -> "Зеленськ", "Харкові" -> "Харков").
_CASE_ENDINGS = (
    "ого его ому ему ими ыми ами ями ах ях ом ем ой ей ою ею им ым ий ый ій ая яя а я у ю і и е ы о"
)
_ENDINGS = tuple(sorted(_CASE_ENDINGS.split(), key=len, reverse=True))
_VOWELS = re.compile(r"[aeiou]")


def language_of(word: str, hint: str = "") -> tuple[str, ...]:
    """simplemma's languages for a word: English for Latin letters; Ukrainian or Russian
    for Cyrillic by its letters, else by the article's language, else both."""
    if not _CYRILLIC.search(word):
        return ("en",)
    if _UKRAINIAN_LETTERS.search(word):
        return ("uk",)
    if _RUSSIAN_LETTERS.search(word):
        return ("ru",)
    if hint in ("uk", "ru"):
        return (hint,)
    return ("uk", "ru")


@lru_cache(maxsize=100_000)
def lemma(word: str, hint: str = "") -> str:
    """The word's dictionary form, lower case ("військових" -> "військовий")."""
    lower = word.casefold().replace("’", "'").replace("ʼ", "'")
    if lower.endswith("'s"):
        lower = lower[:-2]
    langs = language_of(lower, hint)
    for lang in langs:
        found = simplemma.lemmatize(lower, lang=lang)
        if found != lower:
            return found.casefold()
    return lower


# Places that have two names in the news: renamed by Ukraine (decommunisation) while
# Russian outlets keep the Soviet name. Each line: the names of one place, in any script.
_RENAMED = """
    Бахмут Артемовск Артемівськ Artemivsk Artyomovsk
    Торецьк Торецк Дзержинськ Дзержинск Dzerzhynsk Dzerzhinsk
    Покровськ Покровск Красноармійськ Красноармейск Krasnoarmiisk Krasnoarmeysk
    Мирноград Димитров Dymytrov Dimitrov
    Дніпро Днепр Дніпропетровськ Днепропетровск Dnipropetrovsk Dnepropetrovsk
    Кропивницький Кропивницкий Кіровоград Кировоград Kirovohrad Kirovograd
"""


@cache
def _renamed() -> dict[str, frozenset[str]]:
    """A key of one name of a renamed place -> the keys of all its names."""
    found: dict[str, frozenset[str]] = {}
    for line in _RENAMED.strip().splitlines():
        keys = frozenset(k for word in line.split() for k in _spelled_keys(word, ""))
        for key in keys:
            found[key] = found.get(key, frozenset()) | keys
    return found


@lru_cache(maxsize=100_000)
def name_keys(word: str, hint: str = "") -> frozenset[str]:
    """`_spelled_keys`, and those of the place's other names if it was renamed."""
    keys = _spelled_keys(word, hint)
    renamed = _renamed()
    for key in keys:
        if key in renamed:
            return keys | renamed[key]
    return keys


def _spelled_keys(word: str, hint: str) -> frozenset[str]:
    """A name's keys: its dictionary form when the dictionary knows it as a name ("Панами"
    -> "Панама"), its case ending dropped, its Latin spellings (the name matcher's), reduced
    to the consonants after its first letter, a first vowel written "a". Песков, Пескова and
    Peskov share "pskv"; Олександр and Aleksandr "alxndr"."""
    stem = word.replace("’", "'").replace("ʼ", "'")
    if stem.casefold().endswith("'s"):
        stem = stem[:-2]
    if _CYRILLIC.search(stem):
        base = lemma(stem, hint)
        if base[:1].isupper():
            stem = base
        lower = stem.casefold()
        for ending in _ENDINGS:
            if lower.endswith(ending) and len(lower) - len(ending) >= 3:
                stem = stem[: -len(ending)]
                break
    keys = set()
    for spelling in names.spellings(stem):
        for folded in spelling.folded:
            if folded:
                first = "a" if folded[0] in "aeiou" else folded[0]
                skeleton = first + _VOWELS.sub("", folded[1:])
                if len(skeleton) >= 2:
                    keys.add(skeleton)
    return frozenset(keys)


def keys_match(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two names' keys meet: the same, or one the start of the other from three letters
    ("pnm" and "pnmsk": Panama and Panamanian)."""
    if a & b:
        return True
    return any(x.startswith(y) or y.startswith(x) for x in a for y in b if min(len(x), len(y)) >= 3)


# --- A quote's features ---------------------------------------------------------------------


@dataclass(frozen=True)
class Features:
    """What the matcher reads of one quote."""

    numbers: frozenset[str]
    names: tuple[frozenset[str], ...]  # each name's keys
    lemmas: frozenset[str]  # their stems (`STEM`)
    cyrillic: bool  # written mostly in Cyrillic

    # Read many times as one quote is scored against its candidates: worked out once.
    @cached_property
    def telling_numbers(self) -> frozenset[str]:
        return frozenset(n for n in self.numbers if telling(n))

    @cached_property
    def name_keys(self) -> frozenset[str]:
        return frozenset(k for keys in self.names for k in keys)

    @cached_property
    def text(self) -> str:
        """The stems in order, for trigram similarity."""
        return " ".join(sorted(self.lemmas))


_TITLES = frozenset(["mr", "mrs", "ms", "dr", "gen", "gov", "lt", "col", "sgt", "prof", "st"])


def _is_name(word: str, first: bool, hint: str) -> bool:
    """A capitalised word is a name, unless it is a common word (of the name matcher's, or
    a title). At the start of a sentence, where every word is capitalised, only a word the
    dictionary does not know, or knows as a proper noun ("Зеленського" -> "Зеленський")."""
    if not word[0].isupper():
        return False
    folded = word.casefold()
    if folded in STOP_WORDS or folded in _NOT_NAME_WORDS or folded in _TITLES:
        return False
    if folded in names.COMMON_WORDS or lemma(word, hint) in names.COMMON_WORDS:
        return False
    if not first:
        return True
    for lang in language_of(folded, hint):
        if simplemma.is_known(folded, lang=lang):
            return simplemma.lemmatize(folded, lang=lang)[:1].isupper()
    return True


def _said_of_every_claim(word: str, base: str) -> bool:
    """A stop word (as written, or its dictionary form), or a number word: the figures
    read those (`numbers`), and "million" or "тисяч" says nothing without its figure."""
    folded = word.casefold()
    return (
        base in STOP_WORDS
        or folded in STOP_WORDS
        or base in _reporting_words()
        or folded in _reporting_words()
        or base in _WORD_NUMBER
        or base in _WORD_MULTIPLIER
    )


STEM = 5  # letters a word is compared by (Russia and Russian, territory and territorial)


def _stem(word: str) -> str:
    return word[:STEM]


@lru_cache(maxsize=2048)  # the quotes of a few requests: candidates are read from terms
def features(quote: str, language: str = "") -> Features:
    """The quote's numbers, names and lemmas. `language`: the article's, a hint for
    Cyrillic words that could be Ukrainian or Russian."""
    text = unicodedata.normalize("NFC", quote)
    hint = (language or "").split("-")[0].casefold()
    found_names: list[frozenset[str]] = []
    lemmas: list[str] = []
    words = cyrillic = 0
    end = 0  # where the word before ended
    for match in _WORD.finditer(text):
        word = match.group(0)
        words += 1
        # What stands before the word: the last mark between it and the word before (a
        # letter of that word if there is none; nothing at the start).
        gap = text[end : match.start()].rstrip()
        sentence_start = gap[-1] in '.!?:;«"“„(' if gap else end == 0
        end = match.end()
        if _CYRILLIC.search(word):
            cyrillic += 1
        if _is_name(word, sentence_start, hint):
            keys = name_keys(word, hint)
            if keys:
                found_names.append(keys)
        base = lemma(word, hint)
        if len(base) >= 3 and not _said_of_every_claim(word, base):
            lemmas.append(sense(base))
    return Features(
        numbers=numbers(text),
        names=tuple(dict.fromkeys(found_names)),
        lemmas=frozenset(_stem(w) for w in lemmas),
        cyrillic=words > 0 and cyrillic * 2 > words,
    )


# What the database keeps of a claim, to find candidates: term -> weight. Prefixes keep the
# kinds apart ("#7000" is a number, "@pskv" a name, "~troop" a lemma).
NUMBER_WEIGHT, SMALL_NUMBER_WEIGHT, NAME_WEIGHT, LEMMA_WEIGHT = 4, 1, 3, 1
TERM_LENGTH = 64


def terms(quote: str, language: str = "") -> dict[str, int]:
    """The quote's terms with their weights, for the database's candidate search."""
    found = features(quote, language)
    out: dict[str, int] = {}
    for number in found.numbers:
        out[f"#{number}"[:TERM_LENGTH]] = NUMBER_WEIGHT if telling(number) else SMALL_NUMBER_WEIGHT
        about = rounded(number)
        if about is not None:  # what same_figure finds near it
            out.setdefault(f"#~{about}"[:TERM_LENGTH], SMALL_NUMBER_WEIGHT)
    for key in found.name_keys:
        out[f"@{key}"[:TERM_LENGTH]] = NAME_WEIGHT
        if len(key) > 3:  # what keys_match finds by its start
            out.setdefault(f"@{key[:3]}", 1)
    for word in found.lemmas:
        out.setdefault(f"~{word}"[:TERM_LENGTH], LEMMA_WEIGHT)
    # Not looked up, read back (`from_terms`): which keys are one name, and the script.
    for keys in found.names:
        group = ""
        for key in sorted(keys):
            if len(group) + len(key) + 2 > TERM_LENGTH:
                break
            group = f"{group}|{key}" if group else key
        if group:
            out[f"&{group}"] = 1
    if found.cyrillic:
        out["!cyrillic"] = 1
    return out


LOOKED_UP = ("#", "@", "~")  # the kinds of terms that find candidates


def from_terms(stored: Iterable[str]) -> Features:
    """A claim's features read back from its stored terms (no dictionary, no regex): what
    `features` of its quote gives, for scoring many candidates fast."""
    found_numbers, groups, stems, cyrillic = set(), [], set(), False
    for term in stored:
        kind, rest = term[:1], term[1:]
        if kind == "#" and not rest.startswith("~"):
            found_numbers.add(rest)
        elif kind == "&":
            groups.append(frozenset(rest.split("|")))
        elif kind == "~":
            stems.add(rest)
        elif term == "!cyrillic":
            cyrillic = True
    return Features(
        numbers=frozenset(found_numbers),
        names=tuple(groups),
        lemmas=frozenset(stems),
        cyrillic=cyrillic,
    )


# --- Comparing two quotes --------------------------------------------------------------------


class Why:
    """Which signals found a match (stored keys; `WHY` reads them)."""

    NUMBERS = "numbers"
    NAMES = "names"
    WORDS = "words"


WHY: dict[str, str | Promise] = {
    Why.NUMBERS: _("the same figures"),
    Why.NAMES: _("the same names"),
    Why.WORDS: _("similar wording"),
}


@dataclass(frozen=True, order=True)
class Match:
    score: float  # 0..1, higher is likelier
    why: tuple[str, ...] = ()  # Why keys, strongest first

    @property
    def reasons(self) -> list[str | Promise]:
        return [WHY[key] for key in self.why]


def _shared_names(a: Features, b: Features) -> int:
    """How many of the shorter list's names the other quote has too."""
    short, long = sorted((a.names, b.names), key=len)
    return sum(1 for keys in short if any(keys_match(keys, other) for other in long))


# The weights, chosen on the labelled set's tuning half (tests/data/similar_claims).
W_WORDS, W_TRIGRAM = 0.5, 0.2  # within a language
W_NUMBERS, W_MORE_NUMBERS, W_NAMES = 0.35, 0.15, 0.6  # in any language
W_SPECIFIC = 0.05  # a shared figure that is not round
DIFFERENT_FIGURES = 0.5  # both give figures, and none the same: the score is multiplied
MIN_WORDS = 0.15  # below this share of lemmas in common, wording does not count


def _facts(a: Features, b: Features) -> tuple[float, int, int]:
    """What any two languages can share: figures and names. (score, numbers, names)."""
    telling_a, telling_b = a.telling_numbers, b.telling_numbers
    shared = {x for x in telling_a if any(same_figure(x, y) for y in telling_b)}
    value = 0.0
    if shared:
        value += W_NUMBERS * len(shared) / max(len(telling_a), len(telling_b))
        if any(specific(x) for x in shared):
            value += W_SPECIFIC
    if len(a.numbers & b.numbers) >= 2:
        value += W_MORE_NUMBERS
    names_shared = _shared_names(a, b)
    if names_shared:
        fewest = min(len(a.names), len(b.names))
        most = max(len(a.names), len(b.names))
        part = (names_shared / fewest + names_shared / most) / 2
        if names_shared == 1 and not shared:
            part /= 2  # one name alone says little
        value += W_NAMES * part
    return value, len(shared), names_shared


def _different_figures(a: Features, b: Features, numbers_shared: int) -> bool:
    """About different things: both give figures and none is the same ("nine killed and
    four wounded" against "seven killed and 12 wounded"), or both name years and none the
    same (martial law until May 2025 against February 2026)."""
    years_a = {n for n in a.numbers if year(n)}
    years_b = {n for n in b.numbers if year(n)}
    figures_a, figures_b = a.numbers - years_a, b.numbers - years_b
    if figures_a and figures_b and not figures_a & figures_b and not numbers_shared:
        return True
    return bool(years_a and years_b and not years_a & years_b)


def score(a: Features, b: Features) -> Match:
    """How likely two quotes make the same assertion (0..1), and why."""
    facts, numbers_shared, names_shared = _facts(a, b)
    words = trigram = 0.0
    if a.lemmas and b.lemmas and a.cyrillic == b.cyrillic:
        words = 2 * len(a.lemmas & b.lemmas) / (len(a.lemmas) + len(b.lemmas))
        if words >= MIN_WORDS:
            trigram = fuzz.token_set_ratio(a.text, b.text) / 100
        else:
            words = 0.0
    wording = W_WORDS * words + W_TRIGRAM * trigram
    value = max(facts, wording + (1 - W_WORDS - W_TRIGRAM) * facts)
    if _different_figures(a, b, numbers_shared):
        value *= DIFFERENT_FIGURES
    why = []
    if numbers_shared:
        why.append(Why.NUMBERS)
    if names_shared:
        why.append(Why.NAMES)
    if words:
        why.append(Why.WORDS)
    return Match(round(min(value, 1.0), 4), tuple(why))
