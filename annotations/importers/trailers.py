"""Scraper leftovers in an article's text: the one list of what the intake preview offers to
remove, and the two functions that find and remove it. Pure: no request, no database.

Copied or scraped articles often end with lines that are not reporting: "Source: Read Full
Article", "Read more: …", "Share", "Follow us on Telegram", a cookie notice. The preview
lists the lines found here and offers "Remove these lines"; nothing is ever removed without
the editor asking, and only the lines they ticked go (`remove`).

Conservative by construction, so a sentence of reporting is never offered:

- a rule matches a **whole line** (after trimming spaces, bullets, arrows, emoji and closing
  punctuation, and ignoring case), never a part of one, and only a line of at most
  `LINE_MAX` characters;
- `END_RULES` (links to the full article or to more stories, tag lists) count only in the
  **closing run**: the last lines of the text, read upwards while every non-blank line is
  a leftover. "Read more: …" between two paragraphs, or "Read more about the strike in our
  live blog" anywhere, is left alone;
- `ANYWHERE_RULES` (share buttons, follow and subscribe calls, cookie notices,
  "Advertisement") are phrases no reporter writes as a line of their own, so they are
  found wherever they stand alone on a line, and in the closing run too.

To add a phrase: add a `Rule(kind, pattern)` to the right list, in the language's block
(English, Ukrainian, Russian), and add the line to the table in
`tests/test_trailers.py`, with a sentence that contains it but must not be flagged.
Patterns are matched with `re.fullmatch` against the trimmed, casefolded line, so write
them in lower case, without anchors. A new `kind` also needs its words in `KIND_LABELS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ANYWHERE_RULES",
    "END_RULES",
    "KIND_LABELS",
    "LINE_MAX",
    "Rule",
    "Trailer",
    "find",
    "remove",
]

# A longer line is a paragraph, whatever it starts with.
LINE_MAX = 200

KIND_LABELS: dict[str, Promise] = {
    "more": _("link to the full article or to more stories"),
    "tags": _("list of tags"),
    "share": _("share buttons"),
    "follow": _("follow or subscribe"),
    "cookies": _("cookie notice"),
    "advert": _("advertising"),
}


@dataclass(frozen=True)
class Rule:
    kind: str  # a key of KIND_LABELS
    pattern: str  # matched with re.fullmatch against the trimmed, casefolded line


# --- Building blocks ---------------------------------------------------------------------------

# Networks and messengers, as their names are written in the three languages.
_NET = (
    r"(?:telegram(?:[- ]?(?:канал\w*|channel))?|телеграм\w*(?:[- ]канал\w*)?|tg|twitter|x"
    r"|facebook|фейсбук\w*|instagram|інстаграм\w*|инстаграм\w*|youtube|ютуб\w*|viber"
    r"|вайбер\w*|whatsapp|signal|linkedin|tiktok|threads|bluesky|mastodon|reddit|pinterest"
    r"|vk|вконтакте|google news|email|e-mail)"
)
# What may follow "Read more", "Читайте також" in a related link: a separator, then a headline.
_HEADLINE = r"(?:\s*[:\-–—|»›>→]\s*.{1,180})?"
# A link or handle after a call to follow: "Follow us on Telegram: t.me/desk".
_LINK = r"(?:\s*[:\-–—]?\s*(?:https?://\S+|t\.me/\S+|@[\w.]+))?"
# "Source:" in front of a "read the full article" link ("Source: Read Full Article").
_SOURCE = r"(?:(?:source|via|джерело|источник)\s*:?\s*)?"

# --- Only in the closing run of the text ------------------------------------------------------

END_RULES: tuple[Rule, ...] = (
    # English
    Rule(
        "more",
        _SOURCE + r"(?:read (?:more|the full (?:article|story|report)|full (?:article|story)"
        r"|the (?:original|whole) (?:article|story)|the rest of (?:the|this) (?:article|story))"
        r"|continue reading|click here to read (?:more|the (?:full )?(?:article|story))"
        r"|related(?: (?:articles|stories|news|reading|coverage))?|more (?:stories|news)"
        r"|you (?:may|might) also like|recommended(?: for you)?|see also)" + _HEADLINE,
    ),
    Rule("more", r"the post .{1,200} appeared first on .{1,100}"),
    Rule("tags", r"(?:tags|topics)\s*:.{1,180}"),
    # Ukrainian
    Rule(
        "more",
        _SOURCE + r"(?:читайте (?:також|ще|більше)|читати (?:повністю|далі|більше|оригінал)"
        r"|дивіться також|детальніше|по темі|на тему|схожі новини|вас може зацікавити"
        r"|більше новин)" + _HEADLINE,
    ),
    Rule("tags", r"(?:теги|мітки)\s*:.{1,180}"),
    # Russian
    Rule(
        "more",
        _SOURCE + r"(?:читайте (?:также|еще|ещё)|читать (?:полностью|далее|дальше|оригинал)"
        r"|смотрите также|подробнее|по теме|на тему|похожие новости|материалы по теме"
        r"|вас может заинтересовать|больше новостей)" + _HEADLINE,
    ),
    Rule("tags", r"(?:теги|метки)\s*:.{1,180}"),
)

# --- Wherever they stand alone on a line ------------------------------------------------------

ANYWHERE_RULES: tuple[Rule, ...] = (
    # A bar of share buttons: two or more network names and nothing else.
    Rule("share", _NET + r"(?:\s*[,|·•/]?\s*" + _NET + r")+"),
    # English
    Rule(
        "share",
        r"(?:share(?: (?:this|the) (?:article|story|post|page))?(?:\s*(?::|on|via)\s*"
        + _NET
        + r"(?:\s*[,|·•/]?\s*"
        + _NET
        + r")*)?|tweet|copy(?: the)? link)",
    ),
    Rule("follow", r"follow us(?: .{1,150})?"),
    Rule(
        "follow",
        r"follow (?:[\w'’.-]+ ){0,4}on " + _NET + r"(?:(?:,| and| &) " + _NET + r")*" + _LINK,
    ),
    Rule("follow", r"(?:join|subscribe to) (?:us|our) .{0,60}" + _NET + r".{0,60}"),
    Rule("follow", r"(?:we are|we're) (?:now |also )?on " + _NET + _LINK),
    Rule("follow", r"subscribe(?: (?:now|today|here|for free))?(?: (?:to|for|on) .{1,150})?"),
    Rule("follow", r"sign up (?:for|to) (?:our|the) .{0,60}newsletter.{0,100}"),
    Rule(
        "follow",
        r"(?:stay|keep) (?:up to date|informed|updated|in the loop).{0,80}(?:on|in|via) (?:our )?"
        + _NET
        + r".{0,60}",
    ),
    Rule("cookies", r"(?:we|this (?:web)?site|our (?:web)?site) uses? cookies.{0,200}"),
    Rule("cookies", r"(?:accept|allow|reject|manage) (?:all )?cookies"),
    Rule("cookies", r"cookie (?:settings|policy|preferences|notice|consent)"),
    Rule(
        "cookies",
        r"by (?:continuing|using) .{0,60}(?:web)?site,? you (?:agree|consent|accept).{0,120}"
        r"cookies.{0,60}",
    ),
    Rule("advert", r"advertisement|sponsored(?: content)?|scroll to continue(?: with content)?"),
    # Ukrainian
    Rule(
        "share",
        r"поділ(?:итися|іться)(?: (?:цією |цим )?(?:новиною|статтею|публікацією|матеріалом))?"
        r"(?:\s*(?::|в|у|на)\s*" + _NET + r"(?:\s*[,|·•/]?\s*" + _NET + r")*)?",
    ),
    Rule("follow", r"підпи(?:суйтесь|суйтеся|суйся|шіться|шись)(?: .{1,150})?"),
    Rule("follow", r"(?:стежте|слідкуйте) за (?:нами|нашими новинами)(?: .{1,150})?"),
    Rule("follow", r"(?:стежте|слідкуйте) за .{1,80}(?:в|у|на) (?:нашому )?" + _NET + r".{0,60}"),
    Rule("follow", r"приєднуй(?:тесь|теся|ся)(?: .{1,150})?"),
    Rule("follow", r"(?:читайте|дивіться) (?:нас|наші новини)(?: також)? (?:в|у|на) .{0,60}"),
    Rule("follow", r"(?:ми|нас) (?:також |тепер )?(?:в|у|на) " + _NET + _LINK),
    Rule("follow", r"більше новин .{0,60}(?:в|у|на) (?:нашому )?" + _NET + r".{0,60}"),
    Rule("cookies", r"(?:ми )?використову\w* (?:файли )?(?:cookie|кукі)\w*.{0,200}"),
    Rule(
        "cookies",
        r"(?:цей |наш )?(?:веб-?)?сайт використову\w* (?:файли )?(?:cookie|кукі)\w*.{0,200}",
    ),
    Rule("cookies", r"(?:прийняти|дозволити) (?:всі |усі )?(?:файли )?(?:cookie|кукі)\w*"),
    Rule("advert", r"реклама"),
    # Russian
    Rule(
        "share",
        r"подел(?:иться|итесь)(?: (?:этой |этим )?(?:новостью|статьей|статьёй|публикацией"
        r"|материалом))?(?:\s*(?::|в|на)\s*" + _NET + r"(?:\s*[,|·•/]?\s*" + _NET + r")*)?",
    ),
    Rule("follow", r"подпи(?:сывайтесь|сывайся|шитесь|шись)(?: .{1,150})?"),
    Rule("follow", r"следите за (?:нами|нашими новостями)(?: .{1,150})?"),
    Rule("follow", r"следите за .{1,80}(?:в|на) (?:нашем )?" + _NET + r".{0,60}"),
    Rule("follow", r"присоединяй(?:тесь|ся)(?: .{1,150})?"),
    Rule("follow", r"(?:читайте|смотрите) (?:нас|наши новости)(?: также)? (?:в|на) .{0,60}"),
    Rule("follow", r"(?:мы|нас) (?:также |теперь )?(?:в|на) " + _NET + _LINK),
    Rule("follow", r"больше новостей .{0,60}(?:в|на) (?:нашем )?" + _NET + r".{0,60}"),
    Rule("cookies", r"(?:мы )?использу\w* (?:файлы )?(?:cookie|куки)\w*.{0,200}"),
    Rule(
        "cookies",
        r"(?:этот |наш )?(?:веб-?)?сайт использу\w* (?:файлы )?(?:cookie|куки)\w*.{0,200}",
    ),
    Rule("cookies", r"(?:принять|разрешить) (?:все )?(?:файлы )?(?:cookie|куки)\w*"),
)


def _compile(rules: tuple[Rule, ...]) -> list[tuple[str, re.Pattern[str]]]:
    return [(rule.kind, re.compile(rule.pattern)) for rule in rules]


_END = _compile(END_RULES)
_ANYWHERE = _compile(ANYWHERE_RULES)
# Trimmed from both ends before matching: spaces, bullets, arrows, emoji, punctuation.
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def _comparable(line: str) -> str:
    return " ".join(_EDGES.sub("", line).casefold().split())


def _kind(line: str, rules: list[tuple[str, re.Pattern[str]]]) -> str | None:
    text = _comparable(line)
    if not text or len(text) > LINE_MAX:
        return None
    return next((kind for kind, pattern in rules if pattern.fullmatch(text)), None)


@dataclass(frozen=True)
class Trailer:
    """A line of the text that looks like a scraper's leftover."""

    number: int  # 1-based, counting every line of the text, blank ones too
    text: str  # the line, trimmed
    kind: str  # a key of KIND_LABELS

    @property
    def reason(self) -> str:
        return str(KIND_LABELS[self.kind])


def find(body: str) -> list[Trailer]:
    """The leftover lines of `body` ("\\n" line endings), in text order."""
    lines = body.split("\n")
    found: dict[int, str] = {}
    for index in range(len(lines) - 1, -1, -1):  # the closing run, read upwards
        if not lines[index].strip():
            continue
        kind = _kind(lines[index], _ANYWHERE) or _kind(lines[index], _END)
        if kind is None:
            break
        found[index] = kind
    for index, line in enumerate(lines):
        if index not in found and (kind := _kind(line, _ANYWHERE)):
            found[index] = kind
    return [Trailer(i + 1, lines[i].strip(), found[i]) for i in sorted(found)]


def remove(body: str, numbers: set[int]) -> tuple[str, list[Trailer]]:
    """`body` without those of the lines `numbers` that `find` still reports, and those lines.

    A number that is not (or no longer) a leftover line is ignored: the text may have been
    edited since the preview listed it. The blank lines around a removed line close up to
    the wider of the gaps on either side, so paragraphs stay apart as they were; leftovers
    at the start or the end take their blank lines with them.
    """
    removed = [t for t in find(body) if t.number in numbers]
    if not removed:
        return body, []
    gone = {t.number - 1 for t in removed}
    lines = body.split("\n")
    ends_with_newline = len(lines) > 1 and lines[-1] == ""
    if ends_with_newline:
        lines.pop()
    out: list[str] = []
    index = 0
    while index < len(lines):
        if lines[index].strip() and index not in gone:
            out.append(lines[index])
            index += 1
            continue
        # A run of blank and removed lines: keep its widest stretch of blank lines, or all
        # of it when nothing in it was removed.
        run_end = index
        while run_end < len(lines) and (not lines[run_end].strip() or run_end in gone):
            run_end += 1
        run = range(index, run_end)
        if not any(i in gone for i in run):
            out.extend(lines[index:run_end])
        elif out and run_end < len(lines):  # between two kept lines
            widest: list[str] = []
            stretch: list[str] = []
            for i in run:
                stretch = [] if i in gone else [*stretch, lines[i]]
                widest = stretch if len(stretch) > len(widest) else widest
            out.extend(widest)
        index = run_end
    text = "\n".join(out)
    return (text + "\n" if ends_with_newline and text else text), removed
