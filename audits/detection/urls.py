from django.urls import path

from . import views

app_name = "detection"

urlpatterns = [
    path("findings/<int:pk>/confirm/", views.discrepancy_confirm, name="discrepancy_confirm"),
    path("findings/<int:pk>/dismiss/", views.discrepancy_dismiss, name="discrepancy_dismiss"),
    path("campaigns/<int:campaign_id>/start/", views.detection_start, name="detection_start"),
    path("campaigns/<int:campaign_id>/progress/", views.detection_progress, name="detection_progress"),
]
