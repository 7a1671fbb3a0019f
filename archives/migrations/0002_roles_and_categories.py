"""Creates the five role groups with their permissions, and the material categories
(the 2018 条例's ten categories and the 1991 sub-classes) as data."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ["审核人员", "科长", "分管领导", "管档人员", "系统管理员"]

# Kept here, not imported from archives.roles: a migration must not change when code does.
ROLE_PERMISSIONS = {
    "管档人员": {
        "archives": ["unit", "cadre", "resumeperiod", "dossier", "material", "recusal", "importjob"],
        "archives.view": ["cadreinfochange", "materialreceipt", "materialsendout", "dossieruse", "dossiertransfer", "materialweeding", "materialcategory"],
    },
    "系统管理员": {"archives": ["unit", "recusal"], "auth": ["user", "group"]},
    "科长": {"archives.view": ["unit"]},
    "分管领导": {"archives.view": ["unit"]},
    "审核人员": {},
}

CATEGORIES = [
    ("1", "履历类", None),
    ("2", "自传和思想类", None),
    ("3", "考核鉴定类", None),
    ("4", "学历学位、专业技术职务（职称）、科研学术、培训类", None),
    ("4-1", "学历学位材料", "4"),
    ("4-2", "专业技术职务（职称）材料", "4"),
    ("4-3", "科研学术材料", "4"),
    ("4-4", "培训材料", "4"),
    ("5", "政审、审计和审核类", None),
    ("6", "党、团类", None),
    ("7", "表彰奖励类", None),
    ("8", "违规违纪违法处理处分类", None),
    ("9", "工资、任免、出国和会议代表类", None),
    ("9-1", "工资材料", "9"),
    ("9-2", "任免材料", "9"),
    ("9-3", "出国（境）材料", "9"),
    ("9-4", "会议代表材料", "9"),
    ("10", "其他可供组织参考的材料", None),
]


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        for app_key, models in ROLE_PERMISSIONS[role].items():
            app_label, _, only = app_key.partition(".")
            actions = ["view"] if only == "view" else ["add", "change", "view"]
            codenames = [f"{action}_{model}" for model in models for action in actions]
            group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))

    MaterialCategory = apps.get_model("archives", "MaterialCategory")
    by_code = {}
    for order, (code, name, parent) in enumerate(CATEGORIES, start=1):
        by_code[code], _ = MaterialCategory.objects.update_or_create(
            code=code, defaults={"name": name, "parent": by_code.get(parent), "order": order * 10}
        )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()
    apps.get_model("archives", "MaterialCategory").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("archives", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
