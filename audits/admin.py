from django.contrib import admin

from archives.admin import ReadOnlyAdmin

from .models import AuditCase, Campaign, CaseTransition, Discrepancy, DiscrepancyEvent, Feedback, Interview, MaterialAuthentication, MaterialRequest


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaigns are created through the product (services enforce the rules); the admin only shows them."""

    list_display = ["name", "deadline", "sample_rate", "created_by", "created_at"]
    readonly_fields = ["sample_seed", "sampled_at", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(AuditCase)
class AuditCaseAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "dossier", "state", "initial_reviewer", "re_reviewer", "sampled"]
    list_filter = ["campaign", "state", "sampled"]


@admin.register(CaseTransition)
class CaseTransitionAdmin(ReadOnlyAdmin):
    list_display = ["case", "actor", "role", "action", "from_state", "to_state", "at"]


@admin.register(Discrepancy)
class DiscrepancyAdmin(ReadOnlyAdmin):
    list_display = ["case", "category", "source", "rule", "state", "created_at"]
    list_filter = ["category", "source", "state"]


@admin.register(DiscrepancyEvent)
class DiscrepancyEventAdmin(ReadOnlyAdmin):
    list_display = ["discrepancy", "actor", "action", "from_state", "to_state", "at"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["discrepancy", "round", "sent_on", "reply", "created_by"]


@admin.register(Interview)
class InterviewAdmin(ReadOnlyAdmin):
    list_display = ["discrepancy", "held_on", "participants", "created_by"]


@admin.register(MaterialRequest)
class MaterialRequestAdmin(ReadOnlyAdmin):
    list_display = ["discrepancy", "method", "requested_material", "due_on", "state"]
    list_filter = ["method", "state"]


@admin.register(MaterialAuthentication)
class MaterialAuthenticationAdmin(ReadOnlyAdmin):
    list_display = ["discrepancy", "material", "result", "authenticated_by", "authenticated_at"]
