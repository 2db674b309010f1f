from django.urls import path

from onetrip.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:table>.xlsx", views.dashboard_export, name="dashboard_export"),
    path("applications/", views.applications, name="applications"),
    path("applications.xlsx", views.applications_export, name="applications_export"),
    path("cards/", views.cards, name="cards"),
    path("cards.xlsx", views.cards_export, name="cards_export"),
    path("cards/<int:pk>/", views.card_detail, name="card"),
    path("cards/<int:pk>/finding/", views.card_finding, name="card_finding"),
    path("cards/<int:pk>/close/", views.card_close_view, name="card_close"),
]
