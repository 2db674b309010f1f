from django.urls import path

from onetrip.stats import api

urlpatterns = [
    path("stats/catalogue/", api.CatalogueStats.as_view(), name="stats-catalogue-api"),
]
