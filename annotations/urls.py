from django.urls import path

from . import views

app_name = "annotations"

urlpatterns = [
    path("", views.article_list, name="article-list"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("articles/<int:pk>/claims/", views.claim_create, name="claim-create"),
    path("articles/<int:pk>/claims/by-quote/", views.claim_create_by_quote, name="claim-by-quote"),
    path("claims/<int:pk>/", views.claim_item, name="claim-item"),
    path("claims/<int:pk>/edit/", views.claim_edit, name="claim-edit"),
    path("claims/<int:pk>/delete/", views.claim_delete, name="claim-delete"),
    path("sources/picker/", views.source_picker, name="source-picker"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
]
