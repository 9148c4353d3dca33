"""Suggested claims: the passages of an article that the attribution cues mark as claims,
with who they are attributed to (or that nobody is: *unattributed*).

Pure: text in, suggestions out; only `suggest_for_article` reads the database (the source
registry's names and the desk's own cues). The cues themselves are in `cues.py`.

How a text is read:
1. Sentences, from `sentencex` (offline, rule-based; each line is split on its own, since
   a line break ends a sentence in wire copy and Telegram posts alike).
2. Cues, found over the whole text: one `regex` search per built-in role (reporting verbs,
   attributions, hedges) and one per desk cue, each with a timeout. A search that times out
   is logged and its cue skipped for that text; it never fails the page.
3. In each sentence, the first cue that gives a claim wins, in this order: a desk pattern
   with a `claim` group; an attribution ("according to X, Z"); a reporting verb ("X said
   that Z", "Z, X said", "«Z», — заявив X", "Про це заявив X" after Z); a hedge. The claim
   is the clause the cue governs, not the sentence.
4. The speaker as written is looked up in the source registry (names.NameIndex over names
   and aliases); a pronoun ("he said") stands for the last source named before it.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

import regex
import sentencex
from sentencex.languages.ru import Russian

from annotations import cues
from annotations.cues import Cue, Kind, Role

if TYPE_CHECKING:
    from annotations.names import NameMatch

logger = logging.getLogger(__name__)

UNATTRIBUTED = "unattributed"  # the label key (labels.py) of a hedged claim

__all__ = ["Cue", "SourceLookup", "Suggestion", "detect_language", "suggest"]


@dataclass(frozen=True)
class Suggestion:
    start: int  # code points into the article body; body[start:end] == quote
    end: int
    quote: str
    label: str  # "unattributed" for a hedge with no named source; "" when attributed
    source_name: str  # the speaker as written in the text; "" when unattributed
    source_id: int | None  # the registry Source it matches; None: offer it as a new source
    cue: str  # the cue that fired, as written in the text

    def as_json(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "label": self.label,
            "source_name": self.source_name,
        }


class SourceLookup(Protocol):
    """The source registry's names (names.NameIndex is one)."""

    def likely(
        self, name: str, *, limit: int = 5, exclude: Sequence[Hashable] = ()
    ) -> list[tuple[Hashable, str, NameMatch]]: ...


# --- Language and sentences ----------------------------------------------------------------

_UKRAINIAN_LETTERS = frozenset(cues.UKRAINIAN_LETTERS)


def detect_language(text: str, declared: str = "") -> str:
    """ "en", "uk" or "ru": the declared language when it is one of them ("uk-UA", "ua"),
    else by script: Cyrillic with і, ї, є or ґ is Ukrainian, other Cyrillic Russian, the
    rest English."""
    code = declared.strip().lower().replace("_", "-").split("-")[0]
    code = {"ua": "uk"}.get(code, code)
    if code in cues.LANGUAGES:
        return code
    sample = text[:20000]
    cyrillic = sum(1 for ch in sample if "\u0400" <= ch <= "\u04ff")
    latin = sum(1 for ch in sample if "a" <= ch.lower() <= "z")
    if cyrillic <= latin:
        return "en"
    return "uk" if any(ch in _UKRAINIAN_LETTERS for ch in sample) else "ru"


class _Ukrainian(Russian):
    """sentencex has no Ukrainian rules of its own (it falls back to English, which breaks
    before a lower-case Cyrillic word): Russian's, with Ukrainian letters and abbreviations."""

    language = "uk"
    abbreviations = Russian.abbreviations | {
        "вул", "обл", "р-н", "ім", "див", "напр", "тис", "млн", "млрд", "грн", "пор", "с",
        "смт", "м", "год", "хв", "ст", "проф", "акад", "ген", "полк",
    }  # fmt: skip
    _continues = regex.compile(r"^[0-9a-zа-яіїєґ'’]")

    def continue_in_next_word(self, text_after_boundary: str):
        return self._continues.match(text_after_boundary)


def sentences(
    text: str, language: str, *, near: Sequence[int] | None = None
) -> list[tuple[int, int]]:
    """The sentences of the text as (start, end) code point offsets, without the spaces
    around them. Each line is split on its own. `near`: offsets of cues; only the lines
    that hold one, and the line before each (where "Про це заявив X" finds its claim), are
    split, the rest is not read."""
    lines = []
    line_start = 0
    for line in text.split("\n"):
        lines.append((line_start, line))
        line_start += len(line) + 1
    wanted = None
    if near is not None:
        starts = [start for start, _line in lines]
        wanted = set()
        for offset in near:
            index = bisect_right(starts, offset) - 1
            wanted.add(index)
            before = index - 1
            while before >= 0 and not lines[before][1].strip():
                before -= 1
            wanted.add(before)
    found = []
    for index, (line_start, line) in enumerate(lines):
        if not line.strip() or (wanted is not None and index not in wanted):
            continue
        cursor = 0
        for sentence in sentencex.segment(language, line):
            piece = sentence.strip()
            if not piece:
                continue
            at = line.find(piece, cursor)
            if at < 0:  # not found as it was given: keep reading from the cursor
                continue
            cursor = at + len(piece)
            if not line[:at].strip():
                at = _after_dateline(line, at)
            for part in _QUOTE_OPENS.split(line[at:cursor]):
                part_at = line.find(part, at, cursor)
                found.append((line_start + part_at, line_start + part_at + len(part)))
                at = part_at + len(part)
    return found


# --- Cues ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    role: str
    claim: tuple[int, int] | None = None  # a desk pattern's named groups
    source: tuple[int, int] | None = None


def _alternation(phrases: Sequence[str]) -> str:
    words = sorted({p.casefold() for p in phrases}, key=len, reverse=True)
    return "|".join(r"\s+".join(regex.escape(w) for w in p.split()) for p in words)


@lru_cache(maxsize=16)
def _builtin(language: str) -> dict[str, regex.Pattern]:
    """The built-in cues of a language, one pattern per role (and the little words)."""

    def words(table: dict[str, tuple[str, ...]], flags: int = regex.IGNORECASE) -> regex.Pattern:
        alternation = _alternation(table[language])
        return regex.compile(rf"(?<!\w)(?:{alternation})(?!\w)", flags)

    return {
        # Verbs in lower case only: "States" of the United States is not "states".
        Role.REPORTING_VERB: words(cues.REPORTING_VERBS, 0),
        Role.ATTRIBUTION: words(cues.ATTRIBUTIONS),
        Role.HEDGE: words(cues.HEDGES),
        "that": words(cues.THAT_WORDS),
        "not-cue": words(cues.NOT_CUES),
    }


@lru_cache(maxsize=1)
def _datelines() -> regex.Pattern:
    return regex.compile("|".join(f"(?:{p})" for p in cues.DATELINES))


def _after_dateline(line: str, at: int) -> int:
    """Where a sentence that opens a line starts after its dateline or live-blog stamp
    ("KHARKIV — ", "06:10 Kyiv: "), if it has one."""
    try:
        found = _datelines().match(line, at, timeout=cues.RUN_TIMEOUT)
    except TimeoutError:
        return at
    return found.end() if found and found.end() < len(line.rstrip()) else at


# A full stop, then an opening quotation mark: a new sentence that sentencex may miss
# ("after 2 a.m. “The windows …”").
_QUOTE_OPENS = regex.compile(r"(?<=[.!?…])\s+(?=[“„«‘]\s*\p{Lu})")


@lru_cache(maxsize=512)
def _compiled(phrase: str, kind: str) -> regex.Pattern | None:
    try:
        return cues.compile_cue(phrase, kind)
    except regex.error:  # refused by the validator; a row written around it is skipped
        logger.warning("Suggested claims: the desk cue %r does not compile; skipped", phrase)
        return None


def _search_all(pattern: regex.Pattern, text: str, what: str) -> list[regex.Match]:
    """Every match, or none when the search takes longer than cues.RUN_TIMEOUT."""
    try:
        return [m for m in pattern.finditer(text, timeout=cues.RUN_TIMEOUT) if m.end() > m.start()]
    except TimeoutError:
        logger.warning(
            "Suggested claims: the cue %r took over %ss on a text of %d characters; skipped",
            what,
            cues.RUN_TIMEOUT,
            len(text),
        )
        return []


def _hits(text: str, language: str, desk_cues: Sequence[Cue]) -> list[_Hit]:
    found: list[_Hit] = []
    for role, pattern in _builtin(language).items():
        if role in ("that", "not-cue"):
            continue
        found += [_Hit(m.start(), m.end(), role) for m in _search_all(pattern, text, role)]
    for cue in desk_cues:
        if cue.language not in (language, "any"):
            continue
        pattern = _compiled(cue.phrase, cue.kind)
        if pattern is None:
            continue
        for m in _search_all(pattern, text, cue.phrase):
            claim = source = None
            if cue.kind == Kind.PATTERN and "claim" in pattern.groupindex and m.group("claim"):
                claim = m.span("claim")
                if "source" in pattern.groupindex and m.group("source"):
                    source = m.span("source")
            found.append(_Hit(m.start(), m.end(), cue.role, claim, source))
    void = [m.span() for m in _search_all(_builtin(language)["not-cue"], text, "not-cue")]
    found = [h for h in found if not any(a <= h.start and h.end <= b for a, b in void)]
    found.sort(key=lambda h: (h.start, -h.end))
    return found


# --- Reading one sentence ------------------------------------------------------------------

_OPEN_QUOTES = "\"“„«‘'‹"
_CLOSE_QUOTES = "\"”“»’'›"
_BOUNDARY = regex.compile(r"[,;:\[\]\"“”«»„]|\s[—–-]\s|\s[—–]|[—–]\s")
_TRAILING = ".,;:!?…—–- \t"
_MAX_SOURCE_WORDS = 10
_MAX_TAIL_WORDS = 8  # "Z, X said in a statement on Tuesday."
_MAX_GAP_WORDS = 8  # "X told the New York Times on Tuesday that Z"
# Where a speaker's name ends and the place or the means of saying begins: "Analysts of
# ISW in a new report write", "СБУ у своєму Telegram-каналі повідомила".
_PLACE_WORDS = {
    "en": ("in", "on", "at", "via", "through", "during"),
    "uk": ("у", "в", "на", "під"),
    "ru": ("в", "во", "на", "при"),
}


@dataclass
class _Reading:
    claim: tuple[int, int]
    source: tuple[int, int] | None  # None: hedged; an empty span: "he", "their": the last named
    cue: tuple[int, int]
    previous: bool = False  # the claim is the sentence before ("Про це заявив X.")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the spaces, dashes and end punctuation around it, and without
    quotation marks that open or close it alone."""
    for _round in range(3):
        while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
            start += 1
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        if start < end and text[start] in _OPEN_QUOTES:
            inner = text[start + 1 : end]
            if not any(q in inner for q in _CLOSE_QUOTES) or text[end - 1] in _CLOSE_QUOTES:
                start += 1
                if end > start and text[end - 1] in _CLOSE_QUOTES:
                    end -= 1
                continue
        if end > start and text[end - 1] in _CLOSE_QUOTES:
            inner = text[start : end - 1]
            unpaired = text[end - 1] == '"' and text[start:end].count('"') % 2
            if unpaired or not any(q in inner for q in _OPEN_QUOTES):
                end -= 1
                continue
        break
    return start, end


def _trim_name(text: str, start: int, end: int) -> tuple[int, int]:
    start, end = _trim(text, start, end)
    while start < end and not (text[start].isalnum() or text[start] in _OPEN_QUOTES):
        start += 1
    return start, end


def _words(text: str, start: int, end: int) -> int:
    return len(text[start:end].split())


def _boundaries(text: str, start: int, end: int) -> list[regex.Match]:
    try:
        return list(_BOUNDARY.finditer(text, start, end, timeout=cues.RUN_TIMEOUT))
    except TimeoutError:  # a fixed, simple pattern: cannot happen, but never fails a page
        return []


def _word_at(text: str, start: int, end: int, words: Sequence[str]) -> int:
    """The end of the first of `words` that the text opens with at `start`, or -1."""
    head = text[start:end].casefold()
    for word in sorted(words, key=len, reverse=True):
        if head.startswith(word) and (len(head) == len(word) or not head[len(word)].isalnum()):
            return start + len(word)
    return -1


def _cut_place(text: str, start: int, end: int, language: str) -> int:
    """Where the name in text[start:end] ends before a place or means ("у своєму
    Telegram-каналі"): the start of the first place word after the first word."""
    places = set(_PLACE_WORDS[language])
    first = True
    for m in regex.finditer(r"\S+", text, pos=start, endpos=end):
        if not first and m.group().casefold() in places:
            return m.start()
        first = False
    return end


def _left_clause(
    text: str, start: int, end: int, language: str, loose: bool = False
) -> tuple[int, int]:
    """The speaker before a verb at `end`: the words back to the start of their clause (a
    comma, a colon, a dash, a quotation mark), at most _MAX_SOURCE_WORDS, up to a place
    word. An apposition gives way to the name before it ("Oleh Kiper, the governor of the
    region, said": Oleh Kiper)."""
    marks = _boundaries(text, start, end)
    begin = marks[-1].end() if marks else start
    words = text[begin:end].split()
    if len(words) > _MAX_SOURCE_WORDS:
        keep = words[-_MAX_SOURCE_WORDS]
        begin = text.rfind(keep, begin, end)
    span = _trim_name(text, begin, _cut_place(text, begin, end, language))
    commas = [m for m in marks if text[m.start()] == ","]
    if span[1] <= span[0] and len(commas) >= 2 and commas[-1] is marks[-1]:
        apposition = (commas[-2].end(), commas[-1].start())  # "X, the governor, said"
        outer = commas[-3].end() if len(commas) >= 3 else start
        name = _apposed_name(text, outer, apposition, loose)
        return name or span
    return span


def _apposed_name(
    text: str, start: int, apposition: tuple[int, int], loose: bool = False
) -> tuple[int, int] | None:
    """The name before an apposition ("Oleh Kiper" before ", the governor of the region,"):
    one to four capitalised words (`loose`: the first capitalised, "Pro-Kremlin Telegram
    channels, among them Rybar,"), when the apposition opens with an article or in lower
    case."""
    words = text[apposition[0] : apposition[1]].split()
    if not words or not (words[0].islower() or words[0].casefold() in ("a", "an", "the")):
        return None
    name = _trim_name(text, start, apposition[0] - 1)
    name_words = text[name[0] : name[1]].split()
    capitals = name_words[:1] if loose else name_words
    if 1 <= len(name_words) <= 4 and all(w[:1].isupper() for w in capitals):
        return name
    return None


def _right_phrase(
    text: str, start: int, end: int, that: regex.Pattern, language: str
) -> tuple[int, int]:
    """The words after `start` up to a clause mark or a "that", at most _MAX_SOURCE_WORDS."""
    marks = _boundaries(text, start, end)
    stop = marks[0].start() if marks else end
    found = _that(that, text, start, stop)
    if found:
        stop = found.start()
    words = text[start:stop].split()
    if len(words) > _MAX_SOURCE_WORDS:
        stop = start + text[start:stop].find(words[_MAX_SOURCE_WORDS])
    return _trim_name(text, start, stop)


def _that(pattern: regex.Pattern, text: str, start: int, end: int) -> regex.Match | None:
    try:
        return pattern.search(text, start, end, timeout=cues.RUN_TIMEOUT)
    except TimeoutError:
        return None


def _closing_quote(text: str, start: int, end: int) -> int:
    """Where the quotation that opens at `start` closes (the index of its closing mark),
    or -1."""
    opening = text[start]
    closing = {"«": "»", "„": "“", "“": "”", "‘": "’", "‹": "›"}.get(opening, opening)
    at = text.find(closing, start + 1, end)
    if at < 0 and closing == "“":
        at = text.find("”", start + 1, end)
    return at


def _continued(text: str, source_end: int, s1: int) -> bool:
    """Whether the quotation goes on after its attribution: '"A," X said on Telegram, "B."',
    "A, — написав X у Telegram, — B."."""
    marks = _boundaries(text, source_end, s1)
    if not marks or text[marks[0].start()] not in ",—–-":
        return False
    rest = text[marks[0].end() : s1].lstrip()
    goes_on = text[marks[0].start()] in "—–-" or rest[:1] in _OPEN_QUOTES + "—–-"
    return (
        goes_on
        and _words(text, source_end, marks[0].start()) <= 4
        and _words(text, marks[0].end(), s1) >= 3
    )


def _by_attribution(
    text: str, s0: int, s1: int, hit: _Hit, that: regex.Pattern, language: str
) -> _Reading:
    cue = (hit.start, hit.end)
    source = _right_phrase(text, hit.end, s1, that, language)
    after = max(source[1], hit.end)
    marks = _boundaries(text, after, s1)
    rest = (marks[0].end(), s1) if marks and marks[0].start() - after < 3 else None
    before = _trim(text, s0, hit.start)
    relative = rest and _word_at(text, _skip_space(text, *rest), s1, cues.RELATIVE_WORDS[language])
    if (
        rest and _words(text, *before) <= 3 and not relative >= 0
    ):  # "(On Tuesday,) according to X, Z"
        return _Reading(_trim(text, *rest), source, cue)
    short = not rest or _words(text, *rest) <= _MAX_TAIL_WORDS or relative >= 0
    if before[1] > before[0] and short:  # "Z, according to X(, which …)."
        return _Reading(before, source, cue)
    return _Reading(_trim(text, s0, s1), source, cue)


def _by_verb(
    text: str, s0: int, s1: int, hit: _Hit, language: str, that: regex.Pattern
) -> _Reading | None:
    cue = (hit.start, hit.end)
    lead = text[s0 : hit.start].strip()
    about = _word_at(lead, 0, len(lead), cues.ABOUT_THIS[language])
    if about >= 0:  # "Z. Про це заявив X." / "Про це він сказав …"
        rest = lead[about:].strip()
        if rest:  # "Про це він сказав": the speaker before the verb
            source = _trim_name(text, s0 + text[s0 : hit.start].find(rest), hit.start)
        else:
            source = _right_phrase(text, hit.end, s1, that, language)
        return _Reading((s0, s0), source, cue, previous=True) if source[1] > source[0] else None
    first = s0 + len(text[s0:s1]) - len(text[s0:s1].lstrip())
    if first < s1 and text[first] in _OPEN_QUOTES:  # "«Z», — заявив X" / '"Z," X said'
        closing = _closing_quote(text, first, s1)
        if 0 < closing < hit.start:
            between = _trim_name(text, closing + 1, hit.start)
            if between[1] <= between[0]:
                source = _right_phrase(text, hit.end, s1, that, language)
            elif _words(text, *between) <= _MAX_SOURCE_WORDS:
                source = between
            else:
                source = None
            if source is not None:
                claim = _trim(text, first + 1, closing)
                if _continued(text, max(source[1], hit.end), s1):
                    claim = _trim(text, first + 1, s1)
                return _Reading(claim, source, cue)
    as_word = text[s0 : hit.start].strip().casefold()
    if as_word in cues.AS_WORDS[language]:  # "Як стверджують у відомстві, Z"
        return _by_attribution(text, s0, s1, hit, that, language)
    subject = _left_clause(text, s0, hit.start, language)
    joined = _word_at(text, subject[0], subject[1], cues.JOINING_WORDS[language])
    if joined >= 0:  # "…, and the UN mission said Z", "… and said Z": a clause of its own
        subject = _trim_name(text, joined, subject[1])
        if subject[1] <= subject[0]:
            subject = _shared_subject(text, s0, hit.start, language)
        if subject[1] <= subject[0] or _words(text, hit.end, s1) < 3:
            return None
        found_that = _that(that, text, hit.end, s1)
        if found_that and _words(text, hit.end, found_that.start()) <= _MAX_GAP_WORDS:
            return _Reading(_trim(text, found_that.end(), s1), subject, cue)
        return _Reading(_trim(text, hit.end, s1), subject, cue)
    if not _may_speak(text, subject, s0, s1, language):
        return None
    about_end = _word_at(text, _skip_space(text, hit.end, s1), s1, cues.ABOUT_WORDS[language])
    if about_end >= 0 and subject[1] > subject[0]:  # "X сообщил о Z"
        return _Reading(_trim(text, about_end, s1), subject, cue)
    marks_after = _boundaries(text, hit.end, s1)
    clause_end = marks_after[0].start() if marks_after else s1
    found_that = _that(that, text, hit.end, min(s1, hit.end + 400))
    colon = next((m for m in marks_after if text[m.start()] == ":"), None)
    opener = None
    for candidate in (found_that, colon):
        near = candidate and _words(text, hit.end, candidate.start()) <= _MAX_GAP_WORDS
        if near and (opener is None or candidate.start() < opener.start()):
            opener = candidate
    marks_before = _boundaries(text, s0, hit.start)
    in_clause = opener is not None and opener.start() <= clause_end
    apposition = subject[1] > subject[0] and marks_before and subject[0] < marks_before[-1].end()
    short_tail = _words(text, hit.end, clause_end) <= _MAX_TAIL_WORDS
    if not in_clause and marks_before and short_tail and not apposition:
        # "Z, X said (on Tuesday, as …)." / "Z, said X." / "Z, — заявив X."
        mark = marks_before[-1]
        claim = _trim(text, s0, mark.start())
        if subject[1] <= subject[0]:
            subject = _right_phrase(text, hit.end, s1, that, language)
            if subject[1] > subject[0] and _continued(text, subject[1], s1):
                claim = _trim(text, s0, s1)  # "A, — написав X, — B."
        if claim[1] > claim[0] and subject[1] > subject[0]:
            return _Reading(claim, subject, cue)
        return None
    if subject[1] <= subject[0] and in_clause:  # "Telegram channels, among them X, said that"
        subject = _left_clause(text, s0, hit.start, language, loose=True)
    if subject[1] <= subject[0]:
        return None
    if opener is not None:  # "X said (on Tuesday) that Z", "X told Y: Z", "X заявив, що Z"
        claim = _trim(text, opener.end(), _semicolon(text, opener.end(), s1))
        return _Reading(claim, subject, cue)
    claim = _trim(text, hit.end, _semicolon(text, hit.end, s1))
    return _Reading(claim, subject, cue)  # "X said Z"


def _semicolon(text: str, start: int, end: int) -> int:
    """Where a reported clause ends: at a semicolon outside quotation marks ("Russia says
    the strike hit troops; Kyiv reports …"), else at `end`."""
    at = text.find(";", start, end)
    if at < 0 or sum(text[start:at].count(q) for q in '"“”«»„') % 2:
        return end
    return at


def _shared_subject(text: str, s0: int, end: int, language: str) -> tuple[int, int]:
    """The subject a coordinated verb shares with the first ("Kremlin spokesperson Dmitry
    Peskov dismissed the estimate and said Z": Dmitry Peskov): the words the sentence opens
    with, up to the first verb in the past (a reporting verb or a word in -ed), at most
    _MAX_SOURCE_WORDS; of a title and a name, the name."""
    verbs = set(cues.REPORTING_VERBS[language])
    words = list(regex.finditer(r"\S+", text, pos=s0, endpos=end))[: _MAX_SOURCE_WORDS + 1]
    for index, word in enumerate(words[1:], start=1):
        bare = word.group().strip(",;:").casefold()
        if bare in verbs or (language == "en" and bare.endswith("ed") and word.group().islower()):
            span = _trim_name(text, words[0].start(), words[index - 1].end())
            run = []  # the capitalised words it ends with, after a word in lower case
            for w in reversed(words[:index]):
                if not w.group()[:1].isupper():
                    break
                run.append(w)
            if 2 <= len(run) < index:
                return run[-1].start(), run[0].end()
            return span
    return s0, s0


def _may_speak(text: str, subject: tuple[int, int], s0: int, s1: int, language: str) -> bool:
    """Whether the words before a verb can be its speaker: none of them is a finite verb or
    a negation ("Local officials did not confirm"), and they are not most of a headline (a
    line without an end mark: "Drone strike hits Kharkiv energy site as both sides …")."""
    said = text[subject[0] : subject[1]].casefold().split()
    if set(said) & set(cues.NOT_IN_SPEAKER[language]):
        return False
    line_start = text.rfind("\n", 0, s0) + 1
    line_end = text.find("\n", s1)
    line = text[line_start : len(text) if line_end < 0 else line_end].strip()
    headline = bool(line) and line[-1] not in ".!?…»”\"'’:"
    return not (headline and len(said) > 6 and not text[line_start : subject[0]].strip())


def _is_verb(text: str, s0: int, s1: int, hit: _Hit, language: str, that: regex.Pattern) -> bool:
    """Whether a reporting verb that may be a noun ("claims", "reports", "reported") is a
    verb here (cues.AMBIGUOUS_VERBS): a name may end before it, and a "that" or a colon
    follows it, or it ends the sentence's tail ("Z, the ministry reported.")."""
    if text[hit.start : hit.end].casefold() not in cues.AMBIGUOUS_VERBS[language]:
        return True
    before = text[s0 : hit.start].split()
    if before:
        last = before[-1].casefold()
        bare = last.strip(',;:"“”«»()')
        if bare in cues.NOT_BEFORE_VERB[language] or bare.endswith(("'s", "’s")):
            return False
    marks_after = _boundaries(text, hit.end, s1)
    found_that = _that(that, text, hit.end, s1)
    for opener in (found_that, next((m for m in marks_after if text[m.start()] == ":"), None)):
        if opener is not None and _words(text, hit.end, opener.start()) <= _MAX_GAP_WORDS:
            return bool(before)
    marks_before = _boundaries(text, s0, hit.start)
    return bool(marks_before) and _words(text, hit.end, s1) <= _MAX_TAIL_WORDS


def _skip_space(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start


def _by_hedge(
    text: str, s0: int, s1: int, hit: _Hit, that: regex.Pattern, language: str
) -> _Reading:
    cue = (hit.start, hit.end)
    if _is_unnamed(text[hit.start : hit.end], language):  # "unconfirmed reports that Z"
        found = _that(that, text, hit.end, s1)
        if found and _words(text, hit.end, found.start()) <= _MAX_GAP_WORDS:
            claim = _trim(text, found.end(), s1)
            if _words(text, *claim) >= 3:
                return _Reading(claim, None, cue)
    dashes = [m for m in _boundaries(text, s0, s1) if text[m.start() : m.end()].strip() in "—–-"]
    before = [m for m in dashes if m.end() <= hit.start]
    after = [m for m in dashes if m.start() >= hit.end]
    if before and after:  # "Residents — many of whom had reportedly left — said …"
        claim = _trim(text, before[-1].end(), after[0].start())
        if _words(text, *claim) >= 3:
            return _Reading(claim, None, cue)
    if not text[s0 : hit.start].strip(" \"“„«'"):  # "Reportedly, Z", "Сообщается, что Z"
        start = hit.end
        while start < s1 and (text[start].isspace() or text[start] in ",:—–-"):
            start += 1
        found = that.match(text, start, s1, timeout=cues.RUN_TIMEOUT)
        if found:
            start = found.end()
        claim = _trim(text, start, s1)
        if _words(text, *claim) >= 3:
            return _Reading(claim, None, cue)
    return _Reading(_trim(text, s0, s1), None, cue)


def _split(
    text: str, reading: _Reading, hits: list[_Hit], language: str, that: regex.Pattern
) -> list[_Reading]:
    """One sentence, two claims: "X said A, while Y said B" (a second verb with its own
    speaker after a joining word) and "X said A and that B" (a second "that")."""
    c0, c1 = reading.claim
    for hit in hits:
        if hit.role != Role.REPORTING_VERB or not c0 < hit.start < c1:
            continue
        marks = _boundaries(text, c0, hit.start)
        if not marks or text[marks[-1].start()] != ",":
            continue
        join = _word_at(
            text, _skip_space(text, marks[-1].end(), c1), c1, cues.JOINING_WORDS[language]
        )
        if join < 0:
            continue
        second = _by_verb(text, join, c1, hit, language, that)
        if (
            second is None
            or second.previous
            or not second.source
            or second.source[1] <= second.source[0]
        ):
            continue
        first = _Reading(_trim(text, c0, marks[-1].start()), reading.source, reading.cue)
        return [first, second]
    pattern = regex.compile(
        r"(?:,\s*|\s)(?:"
        + "|".join(cues.JOINING_WORDS[language])
        + r")\s+(?:"
        + that.pattern
        + ")",
        regex.IGNORECASE,
    )
    try:
        found = pattern.search(text, c0, c1, timeout=cues.RUN_TIMEOUT)
    except TimeoutError:
        found = None
    if found and _words(text, c0, found.start()) >= 3 and _words(text, found.end(), c1) >= 3:
        return [
            _Reading(_trim(text, c0, found.start()), reading.source, reading.cue),
            _Reading(_trim(text, found.end(), c1), reading.source, reading.cue),
        ]
    return [reading]


def _read(
    text: str, s0: int, s1: int, hits: list[_Hit], language: str, that: regex.Pattern
) -> list[_Reading]:
    hedges = [h for h in hits if h.role == Role.HEDGE]
    for hit in hits:
        if hit.claim is not None:
            return [_Reading(_trim(text, *hit.claim), hit.source, (hit.start, hit.end))]
    for hit in hits:
        if hit.role == Role.ATTRIBUTION:
            return [_by_attribution(text, s0, s1, hit, that, language)]
    for hit in hits:
        if hit.role != Role.REPORTING_VERB:
            continue
        if any(h.start < hit.end and hit.start < h.end for h in hedges):
            continue  # "it was reported", "is said to": a hedge, not a speaker
        if not _is_verb(text, s0, s1, hit, language, that):
            continue  # "similar claims", "no casualties were reported"
        reading = _by_verb(text, s0, s1, hit, language, that)
        if reading is not None:
            return [reading] if reading.previous else _split(text, reading, hits, language, that)
    if hedges:
        return [_by_hedge(text, s0, s1, hedges[0], that, language)]
    return []


# --- The whole text ------------------------------------------------------------------------


def _is_unnamed(name: str, language: str) -> bool:
    words = set(name.casefold().split())
    return any(set(p.casefold().split()) <= words for p in cues.UNNAMED[language])


def _lookup_name(name: str, language: str) -> str:
    """The name without the articles and prepositions it opens with ("the Ukrainian
    government" is looked up as "Ukrainian government")."""
    words = name.split()
    leading = set(cues.LEADING_WORDS[language])
    while len(words) > 1 and words[0].casefold() in leading:
        words.pop(0)
    return " ".join(words).strip(" '’\"")


def _long_enough(text: str, span: tuple[int, int]) -> bool:
    return span[1] - span[0] >= 8 and _words(text, *span) >= 2


def suggest(
    body: str,
    *,
    sources: SourceLookup | None = None,
    desk_cues: Sequence[Cue] = (),
    language: str = "",
) -> list[Suggestion]:
    """The suggested claims of a text, in reading order, none overlapping another.

    `sources`: the registry's names, to match speakers against (None: no source ids).
    `desk_cues`: a desk's own cues, beside the built-in ones of `cues.py`.
    `language`: the article's declared language, if any (else read from the script)."""
    language = detect_language(body, language)
    hits = _hits(body, language, desk_cues)
    if not hits:
        return []
    spans = sentences(body, language, near=[hit.start for hit in hits])
    that = _builtin(language)["that"]
    starts = [s for s, _e in spans]
    by_sentence: dict[int, list[_Hit]] = {}
    for hit in hits:
        index = bisect_right(starts, hit.start) - 1
        if index >= 0 and hit.end <= spans[index][1]:
            by_sentence.setdefault(index, []).append(hit)
    readings: dict[int, list[_Reading]] = {}
    for index in sorted(by_sentence):
        s0, s1 = spans[index]
        found = _read(body, s0, s1, by_sentence[index], language, that)
        if found and found[0].previous:
            if index > 0:
                earlier = readings.get(index - 1)
                claims = [r.claim for r in earlier] if earlier else [_trim(body, *spans[index - 1])]
                readings[index - 1] = [_Reading(c, found[0].source, found[0].cue) for c in claims]
            continue
        if found:
            readings[index] = found
    ordered = [r for i in sorted(readings) for r in readings[i]]
    return _suggestions(body, ordered, spans, language, sources)


def _leading_name(text: str, span: tuple[int, int]) -> str:
    """The name a sentence opens with, if it does: two to four capitalised words before a
    comma or a verb ("Vadym Filashkin, the governor …")."""
    words = []
    for word in text[span[0] : span[1]].split()[:4]:
        bare = word.rstrip(",")
        if not bare[:1].isupper() or not bare.isalpha():
            break
        words.append(bare)
        if word.endswith(","):
            break
    return " ".join(words) if len(words) >= 2 else ""


def _suggestions(
    body: str,
    readings: list[_Reading],
    spans: list[tuple[int, int]],
    language: str,
    sources: SourceLookup | None,
) -> list[Suggestion]:
    found: list[Suggestion] = []
    last_named = ""
    pronouns = set(cues.PRONOUNS[language])
    starts = [s for s, _e in spans]
    looked_up: dict[str, int | None] = {}
    for reading in readings:
        if not _long_enough(body, reading.claim):
            continue
        if found and reading.claim[0] < found[-1].end:
            continue
        name = body[reading.source[0] : reading.source[1]] if reading.source else ""
        refers = reading.source is not None and not name
        if name and _is_unnamed(name, language):
            name = ""
        first = name.split()[0].casefold() if name else ""
        if refers or first in pronouns:  # "he said", "за їхніми даними": who was named
            index = bisect_right(starts, reading.claim[0]) - 1
            before = _leading_name(body, spans[index - 1]) if index > 0 else ""
            name = before or last_named or name
        elif name:
            last_named = name
        source_id = None
        if name and sources is not None:
            key = _lookup_name(name, language)
            if key not in looked_up:
                rows = sources.likely(key, limit=1)
                looked_up[key] = rows[0][0] if rows else None
            source_id = looked_up[key]
        start, end = reading.claim
        found.append(
            Suggestion(
                start=start,
                end=end,
                quote=body[start:end],
                label="" if name else UNATTRIBUTED,
                source_name=name,
                source_id=source_id,
                cue=body[reading.cue[0] : reading.cue[1]],
            )
        )
    return found


def suggest_for_article(article) -> list[Suggestion]:
    """The suggested claims of an article: with the registry's names (kept between requests
    while no name changes) and the desk's active cues (kept while none changes)."""
    from annotations.selectors import active_desk_cues, source_name_index

    return suggest(
        article.body,
        sources=source_name_index(),
        desk_cues=active_desk_cues(),
        language=article.language,
    )
