from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from annotations import views as annotation_views

admin.site.site_header = _("Newsroom claim annotator")
admin.site.site_title = _("Claim annotator admin")
admin.site.index_title = _("Sources, articles and claims")

urlpatterns = [
    path("healthz", annotation_views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include("annotations.api.urls")),
    path("", include("annotations.urls")),
]

handler500 = "annotations.views.server_error"
