import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from archives.dates import PartialDate
from archives.idnumber import check_character
from archives.models import Cadre, Dossier, Material, MaterialCategory, Rank, ResumePeriod, Unit


def make_id_number(seq: int, birth: PartialDate, sex: str = "男") -> str:
    """A valid 18-digit number for the given birth date and sex."""
    order = (seq % 499) * 2 + (1 if sex == "男" else 2)
    first17 = f"341122{birth.year:04d}{birth.month:02d}{(birth.day or 1):02d}{order:03d}"
    return first17 + check_character(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            self.groups.add(Group.objects.get(name=role))


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("parent", "name")

    name = factory.Sequence(lambda n: f"单位{n}")
    parent = None


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"干部{n}")
    gender = "男"
    ethnicity = "汉族"
    birth_date = PartialDate(1975, 3, 12)
    id_number = factory.LazyAttributeSequence(lambda o, n: make_id_number(n, o.birth_date, o.gender))
    unit = factory.SubFactory(UnitFactory)
    position = "科员"
    rank = Rank.KE_YUAN
    work_start_date = PartialDate(1995, 7)
    party_join_date = PartialDate(2000, 6)
    education = "大学本科"
    degree = "学士"
    study_mode = "全日制"
    verification_number = factory.Sequence(lambda n: f"RZ{n:08d}")

    @factory.post_generation
    def with_dossier(self, create, extracted, **kwargs):
        if create and extracted is not False:
            Dossier.objects.get_or_create(cadre=self)


def category(code: str) -> MaterialCategory:
    return MaterialCategory.objects.get(code=code)


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    dossier = factory.LazyFunction(lambda: CadreFactory().dossier)
    category = factory.LazyFunction(lambda: category("1"))
    title = factory.Sequence(lambda n: f"材料{n}")
    formed_date = PartialDate(1995, 7)
    pages = 2


class ResumePeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResumePeriod

    cadre = factory.SubFactory(CadreFactory)
    start = PartialDate(1995, 7)
    end = None
    unit_and_post = "某县某局科员"
    proof_material = "干部履历表"
