"""An article from a link: the guarded fetcher brings the page, extraction makes the draft.

`fetch_url` is the import's use of `annotations.fetching.fetch` (HTML, XHTML or plain text,
2xx only) with its refusals phrased for an editor importing an article, as
`ImportProblem`s: what went wrong, then what to do (usually: paste the text instead).
`draft_from_url` turns what came back into an `ArticleDraft` (see `extraction`).
"""

from __future__ import annotations

from collections.abc import Collection

from django.utils.translation import gettext as _

from .. import fetching
from .drafts import ArticleDraft, ImportProblem
from .extraction import draft_from_page

__all__ = ["ALLOWED_CONTENT_TYPES", "draft_from_link", "draft_from_url", "fetch_url"]

ALLOWED_CONTENT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
USER_AGENT = f"{fetching.USER_AGENT} (article import)"
_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
}


def _import_problem(problem: fetching.FetchError) -> ImportProblem:
    """The fetcher's refusal in the words of an import: what happened, and what to do."""
    params = problem.params
    import_words = {  # where the fact itself is said differently for an import
        "bad_scheme": _(
            "%(where)s starts with %(scheme)s://; only http:// and https:// links can be "
            "imported. Give the article's web address, starting with https://."
        ),
        "too_big": _(
            "The page is larger than %(size)s, the limit for imports. Copy the article's "
            "text from your browser and paste it instead."
        ),
        "content_type": _(
            "The link gives %(kind)s (%(media_type)s), not a web page. Only HTML pages and "
            "plain text can be imported; copy the article's text and paste it."
        ),
    }
    if problem.code in import_words:
        return ImportProblem(import_words[problem.code] % params)
    typos = _("Check it for typos.")
    later = _("Try again later, or paste the article's text instead.")
    advice = {
        "invalid_url": typos,
        "no_host": typos,
        "bad_host": typos,
        "no_scheme": _(
            "Give the article's full web address, as your browser shows it (https://…)."
        ),
        "credentials": _("Remove them and try again, or paste the article's text instead."),
        "unresolved": _("Check the address for typos, or try again later."),
        "refused": _("Give the article's public web address."),
        "ssl": _("Check the address, or paste the article's text instead."),
        "connect_failed": later,
        "connect_timeout": later,
        "read_timeout": later,
        "broken": later,
        "too_slow": later,
        "other": _("Try again later."),
        "too_many_redirects": _(
            "Open the link in your browser and give the address it ends up at."
        ),
        "status": _("Check the link, or paste the article's text instead."),
    }.get(problem.code)
    return ImportProblem(" ".join((str(problem), advice)) if advice else str(problem))


def fetch_url(
    url: str,
    *,
    allow_private: bool | Collection[str] = False,
    connect_timeout: float = 5,
    read_timeout: float = 10,
    max_bytes: int = fetching.DEFAULT_MAX_BYTES,
    max_redirects: int = 5,
    total_timeout: float = 30,
) -> fetching.FetchResult:
    """Download a page for import through the guarded fetcher; each failure is an
    `ImportProblem`. The page must be HTML, XHTML or plain text, and answer 2xx."""
    try:
        return fetching.fetch(
            url,
            headers=_HEADERS,
            allowed_types=ALLOWED_CONTENT_TYPES,
            allow_private=allow_private,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            total_timeout=total_timeout,
            max_bytes=max_bytes,
            max_redirects=max_redirects,
        )
    except fetching.FetchError as exc:
        raise _import_problem(exc) from None


def draft_from_url(
    url: str,
    *,
    allow_private: bool | Collection[str] = False,
    connect_timeout: float = 5,
    read_timeout: float = 10,
    max_bytes: int = fetching.DEFAULT_MAX_BYTES,
    max_redirects: int = 5,
    total_timeout: float = 30,
) -> ArticleDraft:
    """Fetch a page (see `fetch_url`) and make a draft of it, with its final address."""
    page = fetch_url(
        url,
        allow_private=allow_private,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
        total_timeout=total_timeout,
    )
    return draft_from_page(
        page.content, url=page.url, media_type=page.media_type, charset=page.charset
    )


def draft_from_link(url: str) -> ArticleDraft:
    """`draft_from_url` as the desk imports a link, whichever door asks (the web's form, the
    API's job): the guard on private addresses as the settings lift it
    (`fetching.private_allowance`), and the URL_IMPORT_* timeouts and redirect limit."""
    from django.conf import settings

    return draft_from_url(
        url,
        allow_private=fetching.private_allowance(),
        connect_timeout=settings.URL_IMPORT_CONNECT_TIMEOUT,
        read_timeout=settings.URL_IMPORT_READ_TIMEOUT,
        max_bytes=settings.ARTICLE_UPLOAD_MAX_BYTES,
        max_redirects=settings.URL_IMPORT_MAX_REDIRECTS,
    )
