from django.urls import path

from onetrip.stats import views

app_name = "stats"
urlpatterns = [path("", views.scoreboard, name="scoreboard")]
