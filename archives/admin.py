from django.contrib import admin

from .models import (
    AuditLogEntry,
    Cadre,
    CadreInfoChange,
    Dossier,
    DossierTransfer,
    DossierUse,
    ImportJob,
    Material,
    MaterialCategory,
    MaterialReceipt,
    MaterialSendOut,
    MaterialWeeding,
    Recusal,
    ResumePeriod,
    Unit,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Registers and histories are append-only: the admin shows them, never edits them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["full_name", "order"]
    search_fields = ["full_name"]
    autocomplete_fields = ["parent"]


@admin.register(Cadre)
class CadreAdmin(admin.ModelAdmin):
    """A superuser sees the whole record; the system administrator (系统管理员) only links an
    account to its cadre (本人账号) and sees name and unit, never the current information."""

    search_fields = ["name", "id_number", "unit__full_name"]
    autocomplete_fields = ["unit", "user"]
    list_select_related = ["unit", "user"]
    ACCOUNT_LINK_FIELDS = ("name", "unit", "user")

    def get_search_fields(self, request):
        # The administrator finds a cadre by name and unit only: a search on the ID number (or
        # any current information) would let them read it back one character at a time.
        return self.search_fields if request.user.is_superuser else ["name", "unit__full_name"]

    def lookup_allowed(self, lookup, value, request=None):
        # The same for query-string lookups (?id_number__startswith=…, ?birth_date__lt=…): the
        # administrator has no filters at all; an attempt answers 400, never a result or a 500.
        if request is not None and not request.user.is_superuser:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return ["name", "gender", "unit", "position", "rank", "birth_date", "work_start_date", "party_join_date", "education"]
        return list(self.ACCOUNT_LINK_FIELDS)

    def get_list_filter(self, request):
        return ["rank", "education", "gender"] if request.user.is_superuser else []

    def get_fields(self, request, obj=None):
        return super().get_fields(request, obj) if request.user.is_superuser else list(self.ACCOUNT_LINK_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["name", "unit"]

    def has_add_permission(self, request):
        # Cadres enter through the archivists' pages and imports (history, dossier, validation).
        return request.user.is_superuser and super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.user_id and "user" in form.changed_data:
            # Linked to their own record after assignment: they leave its open reviews.
            from audits.services import cases_release_recused_reviewer

            cases_release_recused_reviewer(reviewer=obj.user, cadre_ids=[obj.pk], reason="本人档案", actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ["cadre", "volumes", "location", "custody"]
    search_fields = ["cadre__name", "cadre__id_number"]
    list_select_related = ["cadre"]
    readonly_fields = ["cadre"]


@admin.register(MaterialCategory)
class MaterialCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "order"]


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "formed_date", "pages", "dossier", "altered", "weeded_at"]
    list_filter = ["category", "altered"]
    search_fields = ["title", "dossier__cadre__name", "dossier__cadre__id_number"]
    list_select_related = ["category", "dossier__cadre"]
    raw_id_fields = ["dossier"]


@admin.register(ResumePeriod)
class ResumePeriodAdmin(admin.ModelAdmin):
    list_display = ["cadre", "start", "end", "kind", "unit_and_post", "proof_material"]
    list_filter = ["kind"]
    search_fields = ["cadre__name", "cadre__id_number", "unit_and_post"]
    raw_id_fields = ["cadre"]


@admin.register(Recusal)
class RecusalAdmin(admin.ModelAdmin):
    list_display = ["user", "cadre", "relation", "declared_at"]
    raw_id_fields = ["cadre"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Declared after assignment: the user leaves the open reviews of that dossier.
        from audits.services import cases_release_recused_reviewer

        cases_release_recused_reviewer(reviewer=obj.user, cadre_ids=[obj.cadre_id], reason=f"与该干部系{obj.relation}关系", actor=request.user)


@admin.register(CadreInfoChange)
class CadreInfoChangeAdmin(ReadOnlyAdmin):
    list_display = ["cadre", "field", "old_value", "new_value", "source", "source_ref", "changed_by", "changed_at"]
    list_filter = ["source", "field"]
    search_fields = ["cadre__name", "cadre__id_number"]


@admin.register(MaterialReceipt)
class MaterialReceiptAdmin(ReadOnlyAdmin):
    list_display = ["serial", "dossier", "material_title", "received_on", "sender", "pages", "received_by"]


@admin.register(MaterialSendOut)
class MaterialSendOutAdmin(ReadOnlyAdmin):
    list_display = ["serial", "dossier", "material_title", "sent_on", "recipient", "handled_by"]


@admin.register(DossierUse)
class DossierUseAdmin(ReadOnlyAdmin):
    list_display = ["serial", "dossier", "user_name", "kind", "purpose", "recorded_at"]
    list_filter = ["kind"]


@admin.register(DossierTransfer)
class DossierTransferAdmin(ReadOnlyAdmin):
    list_display = ["serial", "dossier", "from_unit", "to_unit", "sent_on", "method", "receipt_returned_on"]


@admin.register(MaterialWeeding)
class MaterialWeedingAdmin(ReadOnlyAdmin):
    list_display = ["serial", "dossier", "material_title", "reason", "approved_by", "weeded_on"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "file_name", "status", "created_by", "finished_at"]
    list_filter = ["kind", "status"]


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor_name", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["actor_name", "summary", "object_id"]


# Registered last: they replace or extend what is registered above.
from . import admin_accounts, admin_lockout  # noqa: E402, F401 (accounts: only a superuser grants roles; lockouts: unlocks logged)
