from django.urls import include, path

app_name = "audits"

urlpatterns = [
    path("detection/", include("audits.detection.urls")),
]
