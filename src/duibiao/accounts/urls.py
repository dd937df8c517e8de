from django.urls import path  # noqa: F401  (routes are added by the page modules below)

app_name = "accounts"

urlpatterns: list = []
