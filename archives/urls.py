from django.urls import path

from . import views

app_name = "archives"

urlpatterns = [
    path("cadres/", views.cadre_list, name="cadre_list"),
    path("cadres/new/", views.cadre_create, name="cadre_create"),
    path("cadres/<int:pk>/", views.cadre_detail, name="cadre_detail"),
    path("cadres/<int:pk>/edit/", views.cadre_edit, name="cadre_edit"),
    path("cadres/<int:pk>/history/", views.cadre_history, name="cadre_history"),
    path("cadres/<int:pk>/register/<slug:action>/", views.cadre_register_action, name="cadre_register_action"),
    path("cadres/<int:pk>/return/", views.dossier_return, name="dossier_return"),
    path("transfers/<int:pk>/receipt/", views.transfer_receipt, name="transfer_receipt"),
    path("registers/", views.register_index, name="register_index"),
    path("registers/<slug:name>/", views.register_index, name="register"),
]
