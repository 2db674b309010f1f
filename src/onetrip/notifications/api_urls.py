from django.urls import path

from onetrip.notifications import api

urlpatterns = [
    path("me/messages/", api.MessageList.as_view(), name="api-messages"),
    path("me/messages/<int:pk>/", api.MessageDetail.as_view(), name="api-message"),
    path("me/messages/read-all/", api.MessagesReadAll.as_view(), name="api-messages-read-all"),
]
