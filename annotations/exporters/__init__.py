"""How claims are written out: newsroom CSV, W3C Web Annotation JSON-LD, ClaimReview.

"Which rows" is a queryset chosen elsewhere (filters.ClaimFilter); a ClaimReview narrows it
to the claims the desk publishes (`published`). `rows` reads it in keyset-paged chunks (the
database side); `csvtext`, `jsonld` and `claimreview` turn rows into text (pure, no
database); `dbcsv` has the database write the same CSV (what every CSV door sends).
Nothing is built in memory beyond one chunk.
"""

from .claimreview import (
    BEST_RATING,
    WORST_RATING,
    claim_review,
    claim_reviews,
    claimreview_lines,
    claimreview_pieces,
    published,
    rating_value,
)
from .csvtext import csv_lines, csv_record, spreadsheet_safe
from .dbcsv import CHUNK_SIZE, csv_chunks, pg_csv_pieces
from .jsonld import (
    CREDIBILITY_PREFIX,
    PAGE_SIZE,
    annotation_page,
    article_node,
    capture_warc_iri,
    is_shared_claim_body,
    jsonld_collection,
    shared_claim_body,
    shared_claim_iri,
    web_annotation,
)
from .rows import (
    _FIELDS,
    CSV_COLUMNS,
    ROWS_PER_QUERY,
    ClaimRow,
    article_rows,
    articles_reader,
    claim_rows,
    claim_rows_by_shared_claim,
    claim_values,
    counted,
)

__all__ = [
    "BEST_RATING",
    "CHUNK_SIZE",
    "CREDIBILITY_PREFIX",
    "CSV_COLUMNS",
    "PAGE_SIZE",
    "ROWS_PER_QUERY",
    "WORST_RATING",
    "_FIELDS",
    "ClaimRow",
    "annotation_page",
    "article_node",
    "article_rows",
    "articles_reader",
    "capture_warc_iri",
    "claim_review",
    "claim_reviews",
    "claim_rows",
    "claim_rows_by_shared_claim",
    "claim_values",
    "claimreview_lines",
    "claimreview_pieces",
    "counted",
    "csv_lines",
    "csv_chunks",
    "csv_record",
    "is_shared_claim_body",
    "jsonld_collection",
    "pg_csv_pieces",
    "published",
    "rating_value",
    "shared_claim_body",
    "shared_claim_iri",
    "spreadsheet_safe",
    "web_annotation",
]
