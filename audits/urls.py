from django.urls import include, path

from . import views

app_name = "audits"

urlpatterns = [
    path("detection/", include("audits.detection.urls")),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/sample/", views.campaign_draw_sample, name="campaign_draw_sample"),
    path("campaigns/<int:pk>/assign/", views.campaign_assign, name="campaign_assign"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/export.xlsx", views.case_export, name="case_export"),
    path("cases/batch/approve/", views.case_batch_approve, name="case_batch_approve"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/act/<slug:action>/", views.case_act, name="case_act"),
    path("cases/<int:pk>/reassign/", views.case_reassign, name="case_reassign"),
    path("cases/<int:pk>/discrepancies/new/", views.discrepancy_create, name="discrepancy_create"),
    path("discrepancies/<int:pk>/", views.discrepancy_detail, name="discrepancy_detail"),
    path("discrepancies/<int:pk>/edit/", views.discrepancy_edit, name="discrepancy_edit"),
    path("discrepancies/<int:pk>/retract/", views.discrepancy_retract, name="discrepancy_retract"),
    path("discrepancies/<int:pk>/reinstate/", views.discrepancy_reinstate, name="discrepancy_reinstate"),
    path("discrepancies/<int:pk>/feedback/", views.feedback_create, name="feedback_create"),
    path("discrepancies/<int:pk>/feedback/<int:feedback_pk>/reply/", views.feedback_reply, name="feedback_reply"),
    path("discrepancies/<int:pk>/interviews/", views.interview_create, name="interview_create"),
    path("discrepancies/<int:pk>/requests/", views.material_request_create, name="material_request_create"),
    path("discrepancies/<int:pk>/requests/<int:request_pk>/receive/", views.material_request_receive, name="material_request_receive"),
    path("discrepancies/<int:pk>/authenticate/", views.material_authenticate, name="material_authenticate"),
    path("discrepancies/<int:pk>/weed/", views.material_weed, name="material_weed"),
    path("discrepancies/<int:pk>/propose/", views.determination_propose, name="determination_propose"),
    path("determinations/", views.determination_queue, name="determination_queue"),
    path("determinations/<int:pk>/decide/", views.determination_decide, name="determination_decide"),
    path("requests/overdue/", views.overdue_requests, name="overdue_requests"),
]
