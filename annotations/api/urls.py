"""/api/v1/: every endpoint is exempt from the login page's redirect (a script gets a 401
problem, never the sign-in page); DRF's `HasRole` asks for a user with a role on each."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import exports, jobs, sources, suggestions, views, w3c
from . import shared_claims as similar

app_name = "api"


def _open(view_class, **kwargs):
    return login_not_required(view_class.as_view(**kwargs))


def _page(view_class, **kwargs):
    """A DRF view as a page: signed in through the login middleware, as every page (DRF
    marks its views exempt; this wrapper is not)."""
    view = view_class.as_view(**kwargs)

    def page(request, *args, **kw):
        return view(request, *args, **kw)

    return page


urlpatterns = [
    path("articles/", _open(views.ArticleList), name="article-list"),
    path("articles/<int:pk>/", _open(views.ArticleDetail), name="article-detail"),
    # Suggested claims: an article's (editors), dismissing one for everyone (POST).
    path(
        "articles/<int:pk>/suggestions/",
        _open(suggestions.ArticleSuggestions),
        name="article-suggestions",
    ),
    path(
        "articles/<int:pk>/suggestions/dismissals/",
        _open(suggestions.SuggestionDismissals),
        name="article-suggestion-dismissals",
    ),
    path("claims/", _open(views.ClaimList), name="claim-list"),
    path("claims/<int:pk>/", _open(views.ClaimDetail), name="claim-detail"),
    path("claims/<int:pk>/history/", _open(views.ClaimHistory), name="claim-history"),
    # Similar claims: suggestions, linking (POST) and unlinking (DELETE), shared claims.
    path("claims/<int:pk>/similar/", _open(similar.ClaimSimilar), name="claim-similar"),
    path("claims/<int:pk>/link/", _open(similar.ClaimLink), name="claim-link"),
    path("shared-claims/", _open(similar.SharedClaimList), name="shared-claim-list"),
    path("shared-claims/<int:pk>/", _open(similar.SharedClaimDetail), name="shared-claim-detail"),
    path(
        "shared-claims/<int:pk>/merge/", _open(similar.SharedClaimMerge), name="shared-claim-merge"
    ),
    path("articles/from-url/", _open(jobs.ArticleFromUrl), name="article-from-url"),
    path("jobs/<int:pk>/", _open(jobs.JobDetail), name="job-detail"),
    path("sources/", _open(sources.SourceList), name="source-list"),
    path("sources/<int:pk>/", _open(sources.SourceDetail), name="source-detail"),
    path("sources/<int:pk>/review/", _open(sources.SourceReview), name="source-review"),
    path("sources/<int:pk>/merge/", _open(sources.SourceMerge), name="source-merge"),
    path("exports/claims.csv", _open(exports.ExportCsv), name="export-csv"),
    path("exports/claims.jsonld", _open(exports.ExportJsonld), name="export-jsonld"),
    path(
        "exports/claimreview.jsonld",
        _open(exports.ExportClaimReview),
        name="export-claimreview",
    ),
    # The W3C Web Annotation Protocol: the claims as a container of annotations.
    path("annotations/", _open(w3c.Container), name="w3c-container"),
    path("annotations/<int:pk>/", _open(w3c.AnnotationResource), name="w3c-annotation"),
    path("schema/", _open(SpectacularAPIView), name="schema"),
    # The docs page is a page: a browser without a session goes to the sign-in page.
    path("docs/", _page(SpectacularSwaggerSplitView, url_name="api:schema"), name="docs"),
    # Last: any other address here answers a 404 problem (to a caller with a role).
    re_path(r"^", _open(views.NoSuchEndpoint), name="not-found"),
]
