from django.urls import path

from onetrip.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/<str:code>/", views.item_detail, name="item"),
]
