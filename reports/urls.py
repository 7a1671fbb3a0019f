from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("campaigns/<int:pk>/", views.dashboard, name="dashboard"),
    path("campaigns/<int:pk>/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("campaigns/<int:pk>/sheets.pdf", views.sheets_pdf, name="sheets_pdf"),
    path("campaigns/<int:pk>/workbook.xlsx", views.workbook_xlsx, name="workbook"),
    path("campaigns/<int:pk>/settings/", views.settings_edit, name="settings"),
    path("campaigns/<int:pk>/generate/<slug:kind>/", views.generate, name="generate"),
    path("cases/<int:case_pk>/sheet.pdf", views.sheet_pdf, name="sheet_pdf"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/download", views.job_download, name="job_download"),
]
