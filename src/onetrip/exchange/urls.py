from django.urls import path

from onetrip.exchange import views

app_name = "exchange"
urlpatterns = [
    path("drafts/<int:pk>/sharing/", views.draft_sharing, name="draft_sharing"),
    path("me/data-use/", views.data_uses, name="data_uses"),
    path("me/evidence/<int:pk>/", views.evidence_detail, name="evidence"),
]
