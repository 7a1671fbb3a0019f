from django.urls import path

from . import views, views_imports

app_name = "archives"

urlpatterns = [
    path("cadres/", views.cadre_list, name="cadre_list"),
    path("cadres/export.xlsx", views.cadre_export, name="cadre_export"),
    path("cadres/new/", views.cadre_create, name="cadre_create"),
    path("cadres/<int:pk>/", views.cadre_detail, name="cadre_detail"),
    path("cadres/<int:pk>/edit/", views.cadre_edit, name="cadre_edit"),
    path("cadres/<int:pk>/history/", views.cadre_history, name="cadre_history"),
    path("cadres/<int:pk>/resume/new/", views.cadre_resume_period, name="resume_period_create"),
    path("cadres/<int:pk>/resume/<int:period_pk>/", views.cadre_resume_period, name="resume_period_edit"),
    path("cadres/<int:pk>/register/<slug:action>/", views.cadre_register_action, name="cadre_register_action"),
    path("cadres/<int:pk>/return/", views.dossier_return, name="dossier_return"),
    path("transfers/<int:pk>/receipt/", views.transfer_receipt, name="transfer_receipt"),
    path("registers/", views.register_index, name="register_index"),
    path("registers/<slug:name>/", views.register_index, name="register"),
    path("registers/<slug:name>/export.xlsx", views.register_export, name="register_export"),
    path("registers/<slug:name>/print/", views.register_print, name="register_print"),
    path("templates/<slug:kind>.xlsx", views_imports.import_template, name="import_template"),
    path("imports/", views_imports.import_index, name="import_index"),
    path("imports/upload/", views_imports.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views_imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/status/", views_imports.import_status, name="import_status"),
    path("imports/<int:pk>/confirm/", views_imports.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", views_imports.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/resubmit/", views_imports.import_resubmit, name="import_resubmit"),
    path("imports/<int:pk>/errors.xlsx", views_imports.import_errors_file, name="import_errors_file"),
]
