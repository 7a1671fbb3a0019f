import factory

from archives.tests.factories import CadreFactory
from audits.models import AuditCase, Campaign, Category, Discrepancy


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"2026年专项审核第{n}批")
    sample_rate = 0.1


class AuditCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditCase

    campaign = factory.SubFactory(CampaignFactory)
    dossier = factory.LazyFunction(lambda: CadreFactory().dossier)


class DiscrepancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Discrepancy

    case = factory.SubFactory(AuditCaseFactory)
    category = Category.AGE
    description = factory.Sequence(lambda n: f"出生日期与最早材料记载不一致{n}")
    current_value = "1975.03.12"
    state = Discrepancy.State.REGISTERED
