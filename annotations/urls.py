from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.i18n import JavaScriptCatalog

from . import views

app_name = "annotations"

# The static scripts' sentences in the reader's language (djangojs catalogue): a script from
# our own origin, as the CSP wants; the sign-in page needs it too.
JAVASCRIPT_CATALOG = login_not_required(JavaScriptCatalog.as_view())

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/new/", views.article_new, name="article-new"),
    path("articles/new/upload/", views.article_upload, name="article-upload"),
    path("articles/new/from-url/", views.article_from_url, name="article-from-url"),
    path("articles/import/", views.article_import, name="article-import"),
    path("imports/<int:pk>/", views.import_run_detail, name="import-run"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("articles/<int:pk>/workflow/", views.article_workflow, name="article-workflow"),
    path("articles/<int:pk>/correct/", views.article_correct, name="article-correct"),
    path("articles/<int:pk>/history/", views.article_history, name="article-history"),
    path("articles/<int:pk>/delete/", views.article_delete, name="article-delete"),
    path("articles/<int:pk>/claims/", views.claim_create, name="claim-create"),
    path("articles/<int:pk>/changes/", views.article_changes, name="article-changes"),
    path("articles/<int:pk>/claim-list/", views.article_claim_list, name="article-claims"),
    path("articles/<int:pk>/claims/by-quote/", views.claim_create_by_quote, name="claim-by-quote"),
    path("articles/<int:pk>/similar/", views.article_similar, name="article-similar"),
    path("claims/", views.claim_list, name="claim-list"),
    path("claims/<int:pk>/", views.claim_item, name="claim-item"),
    path("claims/<int:pk>/edit/", views.claim_edit, name="claim-edit"),
    path("claims/<int:pk>/delete/", views.claim_delete, name="claim-delete"),
    path("claims/<int:pk>/undo-delete/", views.claim_undo_delete, name="claim-undo-delete"),
    path("claims/<int:pk>/reattach/", views.claim_reattach, name="claim-reattach"),
    path("claims/<int:pk>/accept-quote/", views.claim_accept_quote, name="claim-accept-quote"),
    path("claims/<int:pk>/history/", views.claim_history, name="claim-history"),
    path("claims/<int:pk>/similar/", views.claim_similar, name="claim-similar"),
    path("claims/<int:pk>/link/", views.claim_link, name="claim-link"),
    path("claims/<int:pk>/unlink/", views.claim_unlink, name="claim-unlink"),
    path("claims/deleted/", views.deleted_claims, name="deleted-claims"),
    path("claims/deleted/<int:pk>/restore/", views.claim_restore, name="claim-restore"),
    path("shared-claims/", views.shared_claim_list, name="shared-claim-list"),
    path("shared-claims/<int:pk>/", views.shared_claim_detail, name="shared-claim"),
    path("shared-claims/<int:pk>/unlink/", views.shared_claim_unlink, name="shared-claim-unlink"),
    path("shared-claims/<int:pk>/title/", views.shared_claim_retitle, name="shared-claim-title"),
    path("shared-claims/<int:pk>/merge/", views.shared_claim_merge, name="shared-claim-merge"),
    path("sources/picker/", views.source_picker, name="source-picker"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/review/", views.review_queue, name="review-queue"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path("sources/<int:pk>/review/", views.source_review, name="source-review"),
    path("sources/<int:pk>/aliases/", views.source_alias_add, name="source-alias-add"),
    path("sources/<int:pk>/merge/", views.source_merge, name="source-merge"),
    path("evidence/captures/<int:pk>/", views.evidence_text, name="evidence-text"),
    path("evidence/captures/<int:pk>/warc/", views.evidence_warc, name="evidence-warc"),
    path("account/language/", views.language_set, name="language"),
    path("jsi18n/", JAVASCRIPT_CATALOG, name="javascript-catalog"),
    path("account/tokens/", views.token_list, name="token-list"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("export/claims.csv", views.export_csv, name="export-csv"),
    path("export/claims.jsonld", views.export_jsonld, name="export-jsonld"),
    path("export/claimreview.jsonld", views.export_claimreview, name="export-claimreview"),
]
