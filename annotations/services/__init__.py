"""Every write to sources, articles and claims goes through here: views, admin and commands.

Each function is keyword-only, runs in one transaction and validates before it writes
(`full_clean`), so normalising, version checks and anchoring cannot be skipped.
"""

from .articles import (
    ArticleConflict,
    CorrectionResult,
    DuplicateArticle,
    article_correct,
    article_create,
    article_delete,
    article_find_duplicate,
    article_restore,
    article_update_workflow,
    article_version_body,
)
from .claims import (
    ClaimGone,
    ClaimResult,
    StaleArticle,
    annotation_create,
    annotation_delete,
    annotation_reattach,
    annotation_restore,
    annotation_update,
    claim_check_source,
    occurrence_choices,
    quote_occurrences,
)
from .sources import (
    source_add_alias,
    source_check_merge,
    source_check_name,
    source_create,
    source_merge,
    source_resolve_or_propose,
    source_review,
    source_update,
)

__all__ = [
    "ArticleConflict",
    "CorrectionResult",
    "article_correct",
    "article_version_body",
    "ClaimGone",
    "ClaimResult",
    "DuplicateArticle",
    "StaleArticle",
    "annotation_create",
    "annotation_delete",
    "annotation_reattach",
    "annotation_restore",
    "annotation_update",
    "article_create",
    "article_delete",
    "article_find_duplicate",
    "article_restore",
    "article_update_workflow",
    "claim_check_source",
    "occurrence_choices",
    "quote_occurrences",
    "source_add_alias",
    "source_check_name",
    "source_create",
    "source_check_merge",
    "source_merge",
    "source_resolve_or_propose",
    "source_review",
    "source_update",
]
