from django.urls import path

from onetrip.workbench import api

urlpatterns = [
    path("persons/", api.PersonLookup.as_view(), name="api-persons"),
    path("enterprises/", api.EnterpriseLookup.as_view(), name="api-enterprises"),
    path("intake/applications/", api.IntakeCreate.as_view(), name="api-intake"),
    path(
        "intake/applications/<int:pk>/submit/",
        api.IntakeSubmit.as_view(),
        name="api-intake-submit",
    ),
    path("authorisations/", api.GrantList.as_view(), name="api-authorisations"),
    path(
        "authorisations/<int:pk>/revoke/",
        api.GrantRevoke.as_view(),
        name="api-authorisation-revoke",
    ),
]
