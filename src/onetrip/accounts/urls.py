from django.urls import path

from onetrip.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.applicant_login, name="login"),
    path("login/code/", views.applicant_login_code, name="login_code"),
    path("me/identity/", views.identity, name="identity"),
    path("me/contact/", views.contact, name="contact"),
    path("logout/", views.sign_out, name="logout"),
    path("staff/login/", views.staff_login, name="staff_login"),
    path("staff/login/totp/", views.staff_totp, name="staff_totp"),
]
