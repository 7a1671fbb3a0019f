from django.core.management.base import CommandError

from audits.models import Campaign


def get_campaign(campaign_id: int) -> Campaign:
    try:
        return Campaign.objects.get(pk=campaign_id)
    except Campaign.DoesNotExist:
        raise CommandError(f"专项审核批次 {campaign_id} 不存在") from None
