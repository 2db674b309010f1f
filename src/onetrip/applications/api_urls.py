from django.urls import path

from onetrip.applications import api

urlpatterns = [
    path("applications/", api.ApplicationList.as_view(), name="api-applications"),
    path("applications/<int:pk>/", api.ApplicationDetail.as_view(), name="api-application"),
    path(
        "applications/<int:pk>/fields/",
        api.ApplicationFields.as_view(),
        name="api-application-fields",
    ),
    path(
        "applications/<int:pk>/materials/<str:code>/",
        api.ApplicationMaterialView.as_view(),
        name="api-application-material",
    ),
    path(
        "applications/<int:pk>/submit/",
        api.ApplicationSubmit.as_view(),
        name="api-application-submit",
    ),
    path(
        "applications/<int:pk>/actions/", api.ApplicationAct.as_view(), name="api-application-act"
    ),
    path(
        "applications/<int:pk>/visits/",
        api.ApplicationVisit.as_view(),
        name="api-application-visits",
    ),
    path(
        "applications/<int:pk>/deliveries/",
        api.ApplicationDelivery.as_view(),
        name="api-application-deliveries",
    ),
    path(
        "applications/<int:pk>/extension/",
        api.ApplicationExtension.as_view(),
        name="api-application-extension",
    ),
    path(
        "applications/<int:pk>/assignment/",
        api.ApplicationAssignment.as_view(),
        name="api-application-assignment",
    ),
    path(
        "applications/<int:pk>/files/<int:file_id>/",
        api.ApplicationFile.as_view(),
        name="api-application-file",
    ),
    path("applications/<int:pk>/audit/", api.ApplicationAudit.as_view(), name="api-audit"),
    path("notices/<str:number>/", api.NoticeDetail.as_view(), name="api-notice"),
    path("me/principals/", api.MyPrincipals.as_view(), name="api-my-principals"),
    path("track/", api.Track.as_view(), name="api-track"),
]
