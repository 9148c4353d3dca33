"""/api/v1/: every view is exempt from the login page's redirect (a script gets a 401 problem,
never the sign-in page); DRF's `HasRole` asks for a user with a role on every one."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"


def _open(view_class, **kwargs):
    return login_not_required(view_class.as_view(**kwargs))


urlpatterns = [
    path("articles/", _open(views.ArticleList), name="article-list"),
    path("articles/<int:pk>/", _open(views.ArticleDetail), name="article-detail"),
    path("claims/", _open(views.ClaimList), name="claim-list"),
    path("claims/<int:pk>/", _open(views.ClaimDetail), name="claim-detail"),
    path("claims/<int:pk>/history/", _open(views.ClaimHistory), name="claim-history"),
    path("schema/", _open(SpectacularAPIView), name="schema"),
    path("docs/", _open(SpectacularSwaggerSplitView, url_name="api:schema"), name="docs"),
]
