from django.urls import path

from onetrip.stats import api

urlpatterns = [
    path("stats/catalogue/", api.CatalogueStats.as_view(), name="stats-catalogue-api"),
    path("stats/service/", api.ServiceStats.as_view(), name="stats-service-api"),
]
