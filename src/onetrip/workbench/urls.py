from django.urls import path

from onetrip.workbench import authorisations, intake, views

app_name = "workbench"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("applications/<str:tracking_number>/", views.detail, name="detail"),
    path("applications/<str:tracking_number>/act/", views.act, name="act"),
    path("applications/<str:tracking_number>/visits/", views.visit, name="visit"),
    path("applications/<str:tracking_number>/deliveries/", views.delivery, name="delivery"),
    path("applications/<str:tracking_number>/extend/", views.extend, name="extend"),
    path("applications/<str:tracking_number>/assign/", views.assign, name="assign"),
    path("files/<int:file_id>/", views.file_download, name="file"),
    path("notices/<str:number>/", views.notice, name="notice"),
    path("intake/", intake.intake_applicant, name="intake"),
    path("supplements/", views.supplements, name="supplements"),
    path("authorisations/new/", authorisations.authorisation_new, name="authorisation_new"),
    path(
        "authorisations/<int:pk>/revoke/",
        authorisations.authorisation_revoke,
        name="authorisation_revoke",
    ),
    path("intake/start/", intake.intake_start, name="intake_start"),
    path("intake/<int:pk>/fields/", intake.intake_fields, name="intake_fields"),
    path("intake/<int:pk>/materials/", intake.intake_materials, name="intake_materials"),
    path("intake/<int:pk>/check/", intake.intake_check, name="intake_check"),
    path("intake/<int:pk>/done/", intake.intake_done, name="intake_done"),
]
