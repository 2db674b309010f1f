from django.urls import path

from onetrip.exchange import api

urlpatterns = [
    path(
        "applications/<int:pk>/evidence/",
        api.ApplicationEvidence.as_view(),
        name="api-application-evidence",
    ),
    path("me/data-use/", api.MyDataUse.as_view(), name="api-my-data-use"),
]
