"""Views, one module per area; thin: load, validate with forms, write through services."""

from .account import language_set
from .articles import article_claim_list, article_delete, article_detail, article_list
from .claims import (
    claim_create,
    claim_create_by_quote,
    claim_delete,
    claim_edit,
    claim_item,
    claim_undo_delete,
)
from .common import healthz, server_error
from .corrections import article_correct, article_history, claim_accept_quote, claim_reattach
from .dashboard import dashboard_view
from .evidence import evidence_text, evidence_warc
from .exports import claim_list, export_claimreview, export_csv, export_jsonld
from .history import claim_history, claim_restore, deleted_claims
from .intake import (
    article_from_url,
    article_import,
    article_new,
    article_upload,
    article_workflow,
    import_run_detail,
)
from .live import article_changes
from .shared_claims import (
    shared_claim_detail,
    shared_claim_list,
    shared_claim_merge,
    shared_claim_retitle,
    shared_claim_unlink,
)
from .similar import article_similar, claim_link, claim_similar, claim_unlink
from .sources import (
    review_queue,
    source_alias_add,
    source_detail,
    source_list,
    source_merge,
    source_picker,
    source_review,
)
from .suggestions import article_suggestions, suggestion_dismiss
from .tokens import token_list, token_revoke

__all__ = [
    "article_suggestions",
    "suggestion_dismiss",
    "language_set",
    "shared_claim_detail",
    "shared_claim_list",
    "shared_claim_merge",
    "shared_claim_retitle",
    "shared_claim_unlink",
    "article_similar",
    "claim_link",
    "claim_similar",
    "claim_unlink",
    "article_claim_list",
    "article_changes",
    "dashboard_view",
    "evidence_text",
    "evidence_warc",
    "article_delete",
    "article_correct",
    "article_history",
    "claim_reattach",
    "claim_accept_quote",
    "article_detail",
    "article_from_url",
    "article_import",
    "article_list",
    "article_new",
    "article_upload",
    "article_workflow",
    "claim_create",
    "claim_create_by_quote",
    "claim_delete",
    "claim_edit",
    "claim_history",
    "claim_item",
    "claim_list",
    "claim_restore",
    "claim_undo_delete",
    "deleted_claims",
    "export_claimreview",
    "export_csv",
    "export_jsonld",
    "healthz",
    "import_run_detail",
    "server_error",
    "review_queue",
    "source_alias_add",
    "source_detail",
    "source_list",
    "source_merge",
    "source_picker",
    "source_review",
    "token_list",
    "token_revoke",
]
