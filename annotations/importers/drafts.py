"""The one shape of an article on its way in, whichever door it came through.

An upload, a link and a row of a bulk file each become an `ArticleDraft`: the seven fields
of a new article (`ARTICLE_FIELDS`) and, for the editor, notes on how it was read. The bulk
importer's `ArticleRecord` extends it with its line number and claims. Pure: no request,
no database, no network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["ARTICLE_FIELDS", "MAX_LENGTHS", "ArticleDraft", "ImportProblem", "TITLE_MAX"]

ARTICLE_FIELDS = ("title", "body", "url", "outlet", "author", "published_at", "language")
# Longest values the Article model accepts.
MAX_LENGTHS = {"title": 500, "url": 2000, "outlet": 200, "author": 300, "language": 16}
TITLE_MAX = MAX_LENGTHS["title"]


class ImportProblem(ValueError):
    """Importing failed. The message is shown to the user as is: what went wrong, what to do."""


@dataclass
class ArticleDraft:
    """What an import found: the fields of a new article, for the editor to check and save."""

    title: str
    body: str
    url: str = ""
    outlet: str = ""
    author: str = ""
    published_at: datetime | None = None
    language: str = ""
    # Things the editor should know about the import, e.g. "Decoded as UTF-16 ...".
    notes: list[str] = field(default_factory=list)

    def article_fields(self) -> dict:
        """The seven article fields by name, as `Article(...)` and the article form take them."""
        return {name: getattr(self, name) for name in ARTICLE_FIELDS}
