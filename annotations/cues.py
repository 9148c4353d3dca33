"""The attribution cues of suggested claims, in one place: what marks a claim and its source.

Pure data and one validator; `suggesting.py` reads them. A desk adds its own cues in the
admin (`DeskCue`, validated by `validate_cue` below); these are the built-in ones.

Four kinds of word, each by language ("en", "uk", "ru"); every phrase is matched as a whole
word, in any case, as written here (a literal, never a pattern):

- REPORTING_VERBS: a verb that reports what someone said, in the forms news copy uses
  ("said", "told", "заявив", "заявила", "заявили", "сообщил"). It finds these shapes:
    * "X said (that) Z", "X told Y (that) Z", "X заявив, що Z", "X сообщил, что Z",
      "X said: Z": the claim is Z, the source X (the words before the verb, back to the
      start of the clause);
    * "Z, X said.", "Z, said X.", "Z, — заявив X.", "«Z», — сообщил X": the claim is Z;
    * "As X said, Z", "Як заявив X, Z", "Как сообщил X, Z": the claim is Z;
    * "Z. Про це заявив X." / "Z. Об этом сообщил X.": the claim is the sentence before.
- ATTRIBUTIONS: a phrase that names a source before it: "according to X, Z",
  "за словами X, Z", "по данным X, Z", and "Z, according to X.".
- HEDGES: a word that marks a claim nobody is named for: "reportedly", "allegedly",
  "нібито", "якобы", "сообщается". The claim is the sentence (or what follows the hedge,
  when the sentence opens with it: "It is understood that Z"), labelled *unattributed*.
- UNNAMED: a source that names nobody ("reports", "sources", "ЗМІ", "источники"): an
  attribution to it is a hedge too ("according to unconfirmed reports, Z").

What is not a cue (AMBIGUOUS_VERBS, NOT_BEFORE_VERB, NOT_CUES, NOT_IN_SPEAKER) and where a
claim cannot start (DATELINES) are here too, each with its comment.

And two lists used to read the source: PRONOUNS (a claim "he said" is given the last named
source before it) and LEADING_WORDS (articles and prepositions left off a source's name
before it is looked up in the registry: "the Ukrainian government", "у Генштабі").

What the rules cannot catch is in README ("Suggested claims").
"""

from __future__ import annotations

from dataclasses import dataclass

import regex
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LANGUAGES = ("en", "uk", "ru")

# Telling Ukrainian from Russian by script (the suggestions' article language, the matcher's
# word language): Cyrillic with one of these letters is Ukrainian; with one of the others,
# Russian. Text with neither could be either.
UKRAINIAN_LETTERS = "іїєґІЇЄҐ"
RUSSIAN_LETTERS = "ыэъёЫЭЪЁ"


class Role:
    """What a cue marks (stored keys of DeskCue.role)."""

    REPORTING_VERB = "reporting-verb"
    HEDGE = "hedge"
    ATTRIBUTION = "attribution-pattern"


class Kind:
    """How a cue is written (stored keys of DeskCue.kind)."""

    LITERAL = "literal"
    PATTERN = "pattern"


@dataclass(frozen=True)
class Cue:
    """One cue: a phrase (or a `regex` pattern), what it marks, and its language ("any":
    every language). A desk's cues come from DeskCue rows as these."""

    phrase: str
    role: str = Role.REPORTING_VERB
    kind: str = Kind.LITERAL
    language: str = "any"


# fmt: off
REPORTING_VERBS: dict[str, tuple[str, ...]] = {
    "en": (
        "said", "says", "told", "tells", "claimed", "claims", "stated", "states",
        "announced", "announces", "reported", "reports", "added", "noted", "wrote",
        "writes", "confirmed", "confirms", "warned", "warns", "insisted", "alleged",
        "argued", "explained", "acknowledged", "admitted", "declared", "asserted",
        "maintained", "estimated", "assessed", "assesses", "believes", "posted",
        "tweeted", "revealed", "suggested", "indicated", "emphasised", "emphasized",
        "stressed", "denied", "has said", "have said", "said in a statement",
        "told reporters", "claim", "report",
    ),
    "uk": (
        "заявив", "заявила", "заявили", "заявило", "заявляє", "заявляють", "повідомив",
        "повідомила", "повідомили", "повідомило", "повідомляє", "повідомляють",
        "сказав", "сказала", "сказали", "зазначив", "зазначила", "зазначили",
        "зазначає", "наголосив", "наголосила", "наголосили", "наголошує", "підкреслив",
        "підкреслила", "підкреслили", "додав", "додала", "додали", "розповів",
        "розповіла", "розповіли", "розповідає", "стверджує", "стверджують",
        "стверджував", "стверджувала", "підтвердив", "підтвердила", "підтвердили",
        "підтвердило", "написав", "написала", "написали", "пише", "пишуть", "оголосив",
        "оголосила", "оголосили", "поінформував", "поінформувала", "інформує", "вважає",
        "вважають", "попередив", "попередила", "попередили", "визнав", "визнала",
        "визнали", "запевнив", "запевнила", "запевнили",
    ),
    "ru": (
        "заявил", "заявила", "заявили", "заявило", "заявляет", "заявляют", "сообщил",
        "сообщила", "сообщили", "сообщило", "сообщает", "сообщают", "сказал", "сказала",
        "сказали", "отметил", "отметила", "отметили", "отмечает", "подчеркнул",
        "подчеркнула", "подчеркнули", "добавил", "добавила", "добавили", "рассказал",
        "рассказала", "рассказали", "утверждает", "утверждают", "утверждал",
        "утверждала", "подтвердил", "подтвердила", "подтвердили", "подтвердило",
        "написал", "написала", "написали", "пишет", "пишут", "объявил", "объявила",
        "объявили", "считает", "считают", "предупредил", "предупредила", "предупредили",
        "признал", "признала", "признали", "заверил", "заверила", "заверили",
        "информирует", "проинформировал",
    ),
}

ATTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "en": (
        "according to", "as reported by", "as cited by", "in the words of",
        "according to him", "according to her", "according to them",
    ),
    "uk": (
        "за словами", "за даними", "за інформацією", "за повідомленням",
        "як повідомляє", "як повідомляють", "як повідомили", "як повідомив",
        "як повідомила", "як заявив", "як заявила", "як заявили", "як зазначив",
        "як зазначила", "як зазначили", "як пише", "як пишуть", "як розповів",
        "як розповіла", "на думку", "з слів", "зі слів", "згідно з даними",
        "як стверджують", "як стверджує", "за його словами", "за її словами",
        "за їхніми словами", "за їхніми даними", "за його даними", "за її даними",
    ),
    "ru": (
        "по словам", "по данным", "по информации", "по сообщению", "как сообщает",
        "как сообщают", "как сообщили", "как сообщил", "как сообщила", "как заявил",
        "как заявила", "как заявили", "как отметил", "как отметила", "как отметили",
        "как пишет", "как пишут", "как рассказал", "как рассказала", "по мнению",
        "согласно данным", "со слов", "как утверждает", "как утверждают",
        "по его словам", "по ее словам", "по её словам", "по их словам", "по их данным",
        "по его данным", "как говорится в",
    ),
}

HEDGES: dict[str, tuple[str, ...]] = {
    "en": (
        "reportedly", "allegedly", "purportedly", "supposedly", "apparently",
        "it is understood", "it is believed", "it was reported", "it has been reported",
        "it is reported", "it is claimed", "it was claimed", "it is alleged",
        "is said to", "are said to", "was said to", "were said to", "is believed to",
        "are believed to", "is thought to", "are thought to", "is understood to",
        "are understood to", "is reported to", "are reported to", "was reported to",
        "were reported to", "unconfirmed reports", "rumoured", "rumored",
        "reports circulating", "circulating reports", "unverified reports",
    ),
    "uk": (
        "за неперевіреними даними", "за непідтвердженими даними",
        "за неофіційними даними", "за деякими даними", "за попередніми даними",
        "за чутками", "ймовірно", "імовірно", "нібито", "начебто", "мовляв",
        "повідомляється", "як повідомляється", "кажуть", "вочевидь", "можливо",
        "за наявною інформацією",
    ),
    "ru": (
        "по неподтвержденным данным", "по неподтверждённым данным",
        "по непроверенным данным", "по неофициальным данным", "по некоторым данным",
        "по предварительным данным", "по слухам", "предположительно", "якобы",
        "сообщается", "как сообщается", "вероятно", "по-видимому", "говорят",
        "по имеющимся данным", "по имеющейся информации", "возможно",
    ),
}

UNNAMED: dict[str, tuple[str, ...]] = {
    "en": (
        "reports", "report", "sources", "source", "media reports",
        "unconfirmed reports", "some reports", "local media", "media", "unnamed",
        "anonymous", "people familiar", "rumours", "rumors", "unverified",
    ),
    "uk": (
        "джерела", "джерело", "джерел", "змі", "медіа", "чутки", "чуток", "неназвані",
        "анонімні", "неперевірені",
    ),
    "ru": (
        "источники", "источник", "источников", "сми", "медиа", "слухи", "слухов",
        "неназванные", "анонимные", "непроверенные",
    ),
}

PRONOUNS: dict[str, tuple[str, ...]] = {
    "en": ("he", "she", "they", "we", "i", "it", "him", "her", "them", "his", "their"),
    "uk": ("він", "вона", "вони", "ми", "я", "воно", "його", "її", "їхніми", "їх"),
    "ru": ("он", "она", "они", "мы", "я", "оно", "его", "ее", "её", "их"),
}

# Left off a source's name before it is looked up (the name shown keeps them).
LEADING_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("a", "an", "the", "by", "from", "in", "at"),
    "uk": ("у", "в", "від", "з", "із", "зі"),
    "ru": ("в", "во", "у", "от", "из"),
}

# Words that open a clause whose reporting verb comes before its source ("Як заявив X, Z").
AS_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("as",),
    "uk": ("як",),
    "ru": ("как",),
}

# Words that open a reported clause after the verb ("X said that Z").
THAT_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("that",),
    "uk": ("що", "мовляв", "буцімто"),
    "ru": ("что", "мол", "будто"),
}

# "Про це заявив X": the claim is the sentence before.
ABOUT_THIS: dict[str, tuple[str, ...]] = {
    "en": ("this was", "that was"),
    "uk": ("про це", "про це також", "про це йдеться", "це", "таку інформацію"),
    "ru": ("об этом", "об этом также", "это", "такую информацию"),
}

# "X сообщил о Z", "X заявив про Z": the claim is what follows the verb.
ABOUT_WORDS: dict[str, tuple[str, ...]] = {"en": (), "uk": ("про",), "ru": ("о", "об", "обо")}

# Reporting verbs that are as often nouns ("trade claims", "similar claims", "confirm
# reports") or passives ("no casualties were reported"): a cue only with the evidence of a
# verb: a word before it that may end a speaker's name (none of NOT_BEFORE_VERB, no
# possessive "Kyiv's"), and after it a "that" or a colon, or the end of a "Z, X reported."
AMBIGUOUS_VERBS: dict[str, tuple[str, ...]] = {
    "en": ("claims", "claim", "reports", "report", "reported"),
    "uk": (),
    "ru": (),
}
NOT_BEFORE_VERB: dict[str, tuple[str, ...]] = {
    "en": (
        # determiners and pronouns of a noun
        "a", "an", "the", "this", "that", "these", "those", "such", "some", "any", "no",
        "many", "several", "its", "his", "her", "their", "our", "my", "your", "other",
        # adjectives
        "similar", "earlier", "new", "recent", "unconfirmed", "unverified", "false",
        "conflicting", "initial", "first", "further", "official", "battlefield", "russian",
        "ukrainian", "western", "american", "british", "local", "media", "news", "press",
        "social", "online", "multiple", "numerous", "competing", "rival",
        # verbs that take a noun
        "confirm", "confirmed", "deny", "denied", "denies", "dismiss", "dismissed",
        "dismisses", "reject", "rejected", "rejects", "trade", "traded", "trading",
        "make", "made", "makes", "verify", "verified", "investigate", "investigating",
        "repeat", "repeated", "publish", "published", "receive", "received", "see", "seen",
        # a passive's auxiliary, prepositions and conjunctions before a noun
        "be", "been", "being", "is", "are", "was", "were", "amid", "of", "on", "in",
        "about", "over", "despite", "following", "after", "to", "and", "or", "but", "by",
        "there", "with", "from", "for",
    ),
    "uk": (),
    "ru": (),
}

# Words that cannot be in a speaker's name: a phrase holding one has a finite verb in it
# ("Local officials did not confirm", "both sides trade"), so it is not a speaker.
NOT_IN_SPEAKER: dict[str, tuple[str, ...]] = {
    "en": (
        "did", "does", "do", "not", "has", "have", "had", "was", "were", "is", "are",
        "will", "would", "could", "can", "may", "might", "should", "must",
    ),
    "uk": ("не",),
    "ru": ("не",),
}

# Phrases a cue opens that attribute nothing ("according to plan", "по плану"): a cue that
# falls inside one is dropped.
NOT_CUES: dict[str, tuple[str, ...]] = {
    "en": (
        "according to plan", "according to the plan", "according to plans",
        "according to schedule", "according to the schedule", "according to protocol",
        "according to the rules", "according to procedure",
    ),
    "uk": (
        "згідно з планом", "згідно з графіком", "за планом", "за графіком",
        "відповідно до плану",
    ),
    "ru": (
        "по плану", "согласно плану", "по графику", "согласно графику",
        "в соответствии с планом",
    ),
}

# Words that open a relative clause about a source ("according to X, which published a
# map"): the clause is not the claim.
RELATIVE_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("which", "who", "whose", "whom", "where"),
    "uk": ("який", "яка", "яке", "які", "якого", "якої", "яких", "де"),
    "ru": ("который", "которая", "которое", "которые", "которого", "которой", "где"),
}

# Words that join two reported clauses in one sentence: "X said A, while Y said B".
JOINING_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("while", "and", "but", "whereas"),
    "uk": ("а", "і", "й", "та", "але", "тоді як", "проте"),
    "ru": ("а", "и", "но", "тогда как", "однако"),
}
# fmt: on

# Where a claim cannot start, at the start of a line: a dateline ("KHARKIV — ", "ДНІПРО — ",
# "KYIV, Ukraine (Reuters) - ") or a live blog's stamp ("06:10 Kyiv: ", "06:25 — ").
# Patterns (the `regex` module's), in every language; a sentence is read from after them.
DATELINES: tuple[str, ...] = (
    r"\p{Lu}[\p{Lu}'’.\-]+(?:[ ,]+\p{Lu}[\p{Lu}'’.\-]*){0,3}"
    r"(?:,\s*\p{Lu}\p{Ll}+(?:\s\p{Lu}\p{Ll}+)?)?(?:\s*\([^()]{1,30}\))?\s*[—–-]+\s+",
    r"\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?\s*"
    r"(?:\p{Lu}[\p{L}'’\-]*(?:\s+\p{Lu}[\p{L}'’\-]*){0,2}\s*)?[:—–-]\s+",
)


# --- A desk's own cues ------------------------------------------------------------------

MAX_PHRASE = 200  # characters of a cue, literal or pattern
MIN_PHRASE = 2
PROBE_TIMEOUT = 0.05  # seconds a pattern may take on the probe texts below
RUN_TIMEOUT = 0.05  # seconds any one cue may take on one article before it is skipped
ALLOWED_GROUPS = frozenset({"claim", "source"})

# Texts a pattern is tried on before it is accepted: long runs of one letter, of words,
# of Cyrillic, of punctuation: where nested repetition backtracks without end.
PROBES = (
    "a" * 3000 + "!",
    "aaaa " * 800 + "!",
    "ab" * 1500 + "!",
    "за словами " * 300 + "щ",
    "Officials said that " + "the forces, " * 250 + "!",
    "." * 2000 + "a",
    " " * 2000 + "a",
    "1" * 2000 + "x",
)


def compile_cue(phrase: str, kind: str) -> regex.Pattern:
    """The compiled form of a cue: a literal is escaped and matched as whole words, in any
    case; a pattern is compiled as it is, in any case. Raises regex.error."""
    if kind == Kind.LITERAL:
        words = [regex.escape(word) for word in phrase.split()]
        return regex.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", regex.IGNORECASE)
    return regex.compile(phrase, regex.IGNORECASE | regex.VERSION0)


def validate_cue(phrase: str, kind: str) -> None:
    """The one validator of a desk's cue (the model's clean, so the admin and any form):
    raises ValidationError with a readable message when the cue cannot be used."""
    if len(phrase.strip()) < MIN_PHRASE:
        raise ValidationError(_("A cue needs at least %(n)d characters.") % {"n": MIN_PHRASE})
    if len(phrase) > MAX_PHRASE:
        raise ValidationError(_("A cue may have at most %(n)d characters.") % {"n": MAX_PHRASE})
    if kind == Kind.LITERAL:
        return
    try:
        pattern = compile_cue(phrase, kind)
    except regex.error as error:
        raise ValidationError(
            _("This is not a pattern the regex module can read: %(error)s") % {"error": error}
        ) from None
    unknown = set(pattern.groupindex) - ALLOWED_GROUPS
    if unknown:
        raise ValidationError(
            _("A pattern may name only the groups “claim” and “source”, not: %(names)s")
            % {"names": ", ".join(sorted(unknown))}
        )
    try:
        empty = pattern.fullmatch("", timeout=PROBE_TIMEOUT)
        if empty is not None:
            raise ValidationError(
                _("This pattern matches an empty text, so it would mark anything.")
            )
        for probe in PROBES:
            for _match in pattern.finditer(probe, timeout=PROBE_TIMEOUT):
                pass
    except TimeoutError:
        raise ValidationError(
            _(
                "This pattern takes too long on some texts (it backtracks: a repeat inside a "
                "repeat, like (a+)+ or (\\w+\\s?)*). Write it without nested repeats."
            )
        ) from None
