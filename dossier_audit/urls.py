from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from archives.views import healthz
from audits.views import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("archives/", include("archives.urls")),
    path("audits/", include("audits.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = _("干部人事档案专项审核管理系统")
admin.site.site_title = _("系统管理")
admin.site.index_title = _("系统管理")
