from django.urls import path

from . import views

app_name = "archives"

urlpatterns = [
    path("cadres/", views.cadre_list, name="cadre_list"),
    path("cadres/new/", views.cadre_create, name="cadre_create"),
    path("cadres/<int:pk>/", views.cadre_detail, name="cadre_detail"),
    path("cadres/<int:pk>/edit/", views.cadre_edit, name="cadre_edit"),
    path("cadres/<int:pk>/history/", views.cadre_history, name="cadre_history"),
    path("registers/", views.register_index, name="register_index"),
    path("registers/<slug:name>/", views.register_index, name="register"),
]
