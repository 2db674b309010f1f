from django.urls import path

from onetrip.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox_list, name="inbox"),
    path("<int:message_id>/", views.inbox_detail, name="message"),
    path("read-all/", views.inbox_mark_all_read, name="mark_all_read"),
]
