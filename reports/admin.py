from django.contrib import admin

from .models import ReportDownload, ReportJob, ReportSettings


@admin.register(ReportSettings)
class ReportSettingsAdmin(admin.ModelAdmin):
    list_display = ["campaign", "addressee", "issuing_unit", "report_date", "updated_by", "updated_at"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Jobs and the download log are records: shown, never edited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "kind", "status", "created_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]


@admin.register(ReportDownload)
class ReportDownloadAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "kind", "campaign", "case", "file_name", "size"]
    list_filter = ["kind"]
    date_hierarchy = "at"
