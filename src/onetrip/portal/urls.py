from django.urls import path

from onetrip.portal import apply_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/<str:code>/", views.item_detail, name="item"),
    path("apply/<str:code>/", apply_views.apply_start, name="apply"),
    path("drafts/<int:pk>/fields/", apply_views.draft_fields, name="draft_fields"),
    path("drafts/<int:pk>/materials/", apply_views.draft_materials, name="draft_materials"),
    path("drafts/<int:pk>/check/", apply_views.draft_check, name="draft_check"),
    path("me/", apply_views.my_applications, name="me"),
    path(
        "me/applications/<str:tracking_number>/", apply_views.application_detail, name="application"
    ),
    path("files/<int:pk>/", apply_views.file_download, name="file"),
    path("notices/<str:number>/", apply_views.notice_print, name="notice"),
    path("track/", apply_views.track, name="track"),
]
