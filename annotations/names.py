"""Names of sources, compared: the one name matcher of the app.

Pure Python: names in, matches out; no database, no request. The picker's hint ("likely
the same as …"), the review queue's "possibly the same as …" and, later, similar claims
read it from here.

Three keys, from strict to loose:

- `fold_name`: what makes two names *the same name* in the database (NFKC, casefolded,
  whitespace collapsed). `Source.name_key` and `SourceAlias.name_key` hold it, unique.
- `exact_key`: the same name typed differently: also accents, punctuation and dashes
  ignored ("Dmitry Peskov." is "dmitry peskov"). The picker never offers to propose a new
  source under a name that is exactly one already there.
- `spellings`: how a name may be written in Latin letters, loosely: Cyrillic is spelled
  the Russian way and the Ukrainian way (cyrtranslit; note it calls Ukrainian "ua"), any
  other script or accent is spelled in ASCII (anyascii), and the differences of the usual
  romanisations are folded away (w/v, y/j/i, kh/h, sh/sz/š, "ie" of Polish, doubled
  letters…), so that Песков, Peskov and Pieskow are one spelling.

A match is *likely*, not certain: one of

- ``same``: the exact key is the same;
- ``spelling``: every word matches a word of the other name, in any order, allowing one
  slip per word of five letters or more (two from eight): transliterations and spellings;
- ``initials``: one name is the other's initials ("HRW" for Human Rights Watch, "ISW"
  for Institute for the Study of War, "ЗСУ" for Збройні сили України);
- ``part``: every word of the shorter name is a word of the longer one ("Peskov" in
  Dmitry Peskov), when that word says something: at least four letters, and not one of
  the words that half the sources share ("Ministry", "Forces").

`NameIndex` finds the likely matches of a name among many, without comparing it with
each: by words and initials, and by edit distance over the words (rapidfuzz).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

import cyrtranslit
from anyascii import anyascii
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

# --- Keys --------------------------------------------------------------------------------


def fold_name(name: str) -> str:
    """The comparison key of a source name: NFKC, casefolded, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


_NOT_WORD = re.compile(r"[\W_]+")


def exact_key(name: str) -> str:
    """The name with case, accents, punctuation and spacing ignored: "Dmitry Peskov." and
    "dmitry  peskov" are one name, "Lech Wałęsa" and "Lech Wałesa" too."""
    decomposed = unicodedata.normalize("NFKD", fold_name(name))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", unicodedata.normalize("NFC", bare)).split())


# Words left out of initials, and never a name's telling part: English, Ukrainian and
# Russian joining words, and a few of other languages that name organisations.
_JOINING = """
    of the for and on in at to a an de des du la le les el von van der den di da
    і й та в у з зі із на по до від для и с со о об при
"""
JOINING_WORDS = frozenset(_JOINING.split())

# Words that many organisations' names share. A name that is only one of these ("Ministry")
# is not taken as part of a longer one. NameIndex also counts what the desk's own sources
# share (COMMON_SHARE), so that this list need not be complete for every language.
_COMMON = """
    ministry minister office agency service services council committee department
    administration government state national general staff command forces force armed
    army navy military defence defense intelligence police guard border security
    president presidential press media news center centre group international
    institute foundation union republic regional city oblast people peoples
    ukraine ukrainian russia russian federation united nations
    міністерство міністр офіс агенція служба рада комітет департамент адміністрація
    уряд державна державний національна національний генеральний штаб командування сили
    збройні армія військо розвідка поліція гвардія прикордонна безпеки президент
    президента пресслужба новини центр група україна україни російська росія
    министерство министр служба совет комитет правительство государственная генеральный
    штаб командование силы вооруженные армия разведка полиция гвардия президент россия
    российская федерация украина
"""
COMMON_WORDS = frozenset(_COMMON.split())
COMMON_SHARE = 0.05  # a word in more than this share of the desk's names (and 3+) is common

# The usual differences between romanisations, folded away in order (after ASCII, lower
# case, letters only). Each pair: what is written -> what it is kept as.
_FOLDS = (
    ("shch", "s"),
    ("sch", "s"),
    ("sz", "s"),
    ("sh", "s"),
    ("zh", "z"),
    ("kh", "h"),
    ("cz", "c"),
    ("ch", "c"),
    ("tz", "c"),
    ("ts", "c"),
    ("ph", "f"),
    ("ck", "k"),
    ("ks", "x"),
    ("q", "k"),
    ("w", "v"),
    ("y", "i"),
    ("j", "i"),
    ("ie", "e"),
)
_DOUBLED = re.compile(r"([a-z])\1+")  # letters only: 11 is not 1
_LETTERS = re.compile(r"[^a-z0-9 ]+")


def _ascii_words(text: str) -> list[str]:
    """Lower-case ASCII words, apostrophes (of the Ukrainian soft sign) dropped."""
    text = anyascii(text).lower().replace("'", "")
    return _LETTERS.sub(" ", text).split()


def _fold_word(word: str) -> str:
    for written, kept in _FOLDS:
        word = word.replace(written, kept)
    return _DOUBLED.sub(r"\1", word)


@dataclass(frozen=True)
class Spelling:
    """One way of writing a name in Latin letters: its words as written (for initials)
    and folded (for comparing)."""

    written: tuple[str, ...]
    folded: tuple[str, ...]


@lru_cache(maxsize=50_000)
def spellings(name: str) -> tuple[Spelling, ...]:
    """The name's Latin spellings: the Russian and the Ukrainian romanisation of its
    Cyrillic, and plain ASCII of everything (one spelling for a Latin name)."""
    text = unicodedata.normalize("NFC", " ".join(name.split()))
    found: dict[tuple[str, ...], Spelling] = {}
    for latin in (cyrtranslit.to_latin(text, "ru"), cyrtranslit.to_latin(text, "ua"), text):
        written = tuple(_ascii_words(latin))
        if written and written not in found:
            found[written] = Spelling(written, tuple(_fold_word(w) for w in written))
    return tuple(found.values())


@cache
def _joining_written() -> frozenset[str]:
    """The joining words as spelled in Latin letters ("ta", "vid", "dlja", "dlia", …): read
    when first needed, not at start-up."""
    return frozenset(w for word in JOINING_WORDS for s in spellings(word) for w in s.written)


@cache
def _common_folded() -> frozenset[str]:
    """The common words, folded as names are compared."""
    return frozenset(f for word in COMMON_WORDS for s in spellings(word) for f in s.folded)


def _telling(words: Iterable[str]) -> list[str]:
    """The words as written in Latin letters, joining words left out."""
    joining = _joining_written()
    return [w for w in words if w not in joining]


def _own_words(name: str) -> list[str]:
    """The name's words in its own script, lower case, joining words left out."""
    return [w for w in _NOT_WORD.sub(" ", fold_name(name)).split() if w not in JOINING_WORDS]


@lru_cache(maxsize=50_000)
def initials(name: str) -> frozenset[str]:
    """The name's initials in Latin letters, with and without its joining words: {"hrw"}
    for Human Rights Watch, {"isw", "iftsow"} for Institute for the Study of War. A
    one-word name has none."""
    found = set()
    for spelling in spellings(name):
        words = spelling.written
        if len(words) < 2:
            continue
        found.add("".join(w[0] for w in words))
        telling = _telling(words)
        if len(telling) >= 2:
            found.add("".join(w[0] for w in telling))
    # Initials taken in the name's own script, then spelled: ЗСУ for Збройні сили України.
    own = _own_words(name)
    if len(own) >= 2:
        for spelling in spellings("".join(w[0] for w in own)):
            found.add("".join(spelling.written))
    return frozenset(found)


@lru_cache(maxsize=50_000)
def _acronym(name: str) -> frozenset[str]:
    """The name as initials, if it can be read as such: one word of 2 to 8 letters."""
    words = name.split()
    if len(words) != 1 or not 2 <= len(words[0]) <= 8 or not words[0].isalpha():
        return frozenset()
    return frozenset("".join(s.written) for s in spellings(name))


# --- Comparing words ---------------------------------------------------------------------


def slips_allowed(word: str) -> int:
    """How many letters a word may differ by and still be the same word in another
    spelling: none under five letters, one from five, two from eight; none in a word with
    a digit (the 47th brigade is not the 46th)."""
    if any(ch.isdigit() for ch in word):
        return 0
    return 0 if len(word) < 5 else 1 if len(word) < 8 else 2


def words_match(a: str, b: str) -> int | None:
    """The letters by which two folded words differ, if they can be one word; else None."""
    if a == b:
        return 0
    allowed = min(slips_allowed(a), slips_allowed(b))
    if not allowed:
        return None
    distance = Levenshtein.distance(a, b, score_cutoff=allowed)
    return distance if distance <= allowed else None


def _pair_up(short: tuple[str, ...], long: tuple[str, ...]) -> int | None:
    """Each word of `short` matched to its own word of `long` (greedily, closest first):
    the letters they differ by in all, or None if some word finds no partner."""
    free = list(long)
    total = 0
    for word in sorted(short, key=len, reverse=True):
        best = None
        for index, other in enumerate(free):
            slips = words_match(word, other)
            if slips is not None and (best is None or slips < best[1]):
                best = (index, slips)
        if best is None:
            return None
        total += best[1]
        free.pop(best[0])
    return total


# --- Matching names ------------------------------------------------------------------------


class Why:
    """Why two names are likely one source (stored keys; `WHY` reads them)."""

    SAME = "same"
    SPELLING = "spelling"
    INITIALS = "initials"
    PART = "part"


WHY: dict[str, str | Promise] = {
    Why.SAME: _("the same name"),
    Why.SPELLING: _("spelled another way"),
    Why.INITIALS: _("initials"),
    Why.PART: _("part of the name"),
}


@dataclass(frozen=True, order=True)
class NameMatch:
    score: float  # 0..1, higher is likelier; orders matches
    why: str  # a Why key

    @property
    def reason(self) -> str | Promise:
        return WHY[self.why]


def match(query: str, candidate: str, *, common: frozenset[str] = frozenset()) -> NameMatch | None:
    """Whether `candidate` is likely the source that `query` names, and why; else None.

    `common`: more (folded) words that are not a name's telling part (NameIndex passes the
    words many of the desk's sources share)."""
    query_key, candidate_key = exact_key(query), exact_key(candidate)
    if not query_key or not candidate_key:
        return None
    if query_key == candidate_key:
        return NameMatch(1.0, Why.SAME)
    best: NameMatch | None = None
    for q in spellings(query):
        for c in spellings(candidate):
            found = _compare(q, c, common=common)
            if found and (best is None or found > best):
                best = found
    if best is None and (
        _acronym(query) & initials(candidate) or _acronym(candidate) & initials(query)
    ):
        best = NameMatch(0.9, Why.INITIALS)
    return best


def _compare(q: Spelling, c: Spelling, *, common: frozenset[str]) -> NameMatch | None:
    q_words, c_words = _telling_folded(q), _telling_folded(c)
    if not q_words or not c_words:
        return None
    letters = sum(map(len, q_words)) + sum(map(len, c_words))
    if len(q_words) == len(c_words):
        slips = _pair_up(q_words, c_words)
        if slips is not None:
            return NameMatch(round(0.95 - slips / letters, 3), Why.SPELLING)
        return None
    short, long = sorted((q_words, c_words), key=len)
    lone = short[0] if len(short) == 1 else None
    if lone is not None and (len(lone) < 4 or lone in common or lone in _common_folded()):
        return None
    slips = _pair_up(short, long)
    if slips is None:
        return None
    return NameMatch(round(0.8 - slips / letters - 0.02 * (len(long) - len(short)), 3), Why.PART)


def _telling_folded(spelling: Spelling) -> tuple[str, ...]:
    pairs = zip(spelling.written, spelling.folded, strict=True)
    joining = _joining_written()
    return tuple(folded for written, folded in pairs if written not in joining)


# --- Many names ----------------------------------------------------------------------------


class NameIndex:
    """Names of many things (sources), to find the likely matches of one name fast.

    `entries`: (key, name) pairs; one key may have several names (a source's aliases).
    Build it once per request; `likely` is then a few dictionary looks and one fuzzy
    search over the distinct words.
    """

    CROWDED = 200  # a word in more names than this finds candidates only if it is the rarest

    def __init__(self, entries: Iterable[tuple[Hashable, str]]):
        self._names: list[tuple[Hashable, str]] = []
        self._by_word: dict[str, set[int]] = defaultdict(set)
        self._by_initials: dict[str, set[int]] = defaultdict(set)
        self._by_acronym: dict[str, set[int]] = defaultdict(set)
        self._by_exact: dict[str, set[int]] = defaultdict(set)
        word_keys: dict[str, set[Hashable]] = defaultdict(set)
        for key, name in entries:
            index = len(self._names)
            self._names.append((key, name))
            self._by_exact[exact_key(name)].add(index)
            for spelling in spellings(name):
                for folded in spelling.folded:
                    self._by_word[folded].add(index)
                    word_keys[folded].add(key)
            for found in initials(name):
                self._by_initials[found].add(index)
            for found in _acronym(name):
                self._by_acronym[found].add(index)
        self._words = list(self._by_word)
        keys = len({key for key, _name in self._names})
        limit = max(3, COMMON_SHARE * keys)
        self.common = frozenset(w for w, owners in word_keys.items() if len(owners) > limit)

    def __len__(self) -> int:
        return len(self._names)

    def exact(self, name: str) -> list[tuple[Hashable, str]]:
        """The entries whose name is exactly this one (`exact_key`)."""
        return [self._names[i] for i in sorted(self._by_exact.get(exact_key(name), ()))]

    def likely(
        self, name: str, *, limit: int = 5, exclude: Iterable[Hashable] = ()
    ) -> list[tuple[Hashable, str, NameMatch]]:
        """The keys likely named by `name`, best first: (key, the name that matched, why),
        one row per key."""
        excluded = set(exclude)
        candidates = set(self._by_exact.get(exact_key(name), ()))
        postings: list[set[int]] = []
        for spelling in spellings(name):
            for word in spelling.folded:
                found = set(self._by_word.get(word, ()))
                allowed = slips_allowed(word)
                if allowed:
                    for near, _distance, _i in process.extract(
                        word,
                        self._words,
                        scorer=Levenshtein.distance,
                        score_cutoff=allowed,
                        limit=None,
                    ):
                        found |= self._by_word[near]
                postings.append(found)
        # Every word of the shorter name must be in the longer, so the rarest word finds
        # them all when the name is the shorter; a word that hundreds of names share adds
        # only names that share nothing else, and they are not looked at.
        postings.sort(key=len)
        for index, found in enumerate(postings):
            if index == 0 or len(found) <= self.CROWDED:
                candidates |= found
        for found in initials(name):
            candidates |= self._by_acronym.get(found, set())
        for found in _acronym(name):
            candidates |= self._by_initials.get(found, set())
        best: dict[Hashable, tuple[Hashable, str, NameMatch]] = {}
        for index in candidates:
            key, candidate = self._names[index]
            if key in excluded:
                continue
            found = match(name, candidate, common=self.common)
            if found and (key not in best or found > best[key][2]):
                best[key] = (key, candidate, found)
        ranked = sorted(best.values(), key=lambda row: (-row[2].score, row[1].casefold()))
        return ranked[:limit]
