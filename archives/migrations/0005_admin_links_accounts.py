"""The system administrator links user accounts to cadre records (本人账号) so that nobody is
shown their own dossier; for that they may view and change cadres, and the admin site shows
them only the name, unit and linked account, never dossier contents."""

from django.db import migrations

CODENAMES = ["view_cadre", "change_cadre"]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="系统管理员").first()
    if group is not None:
        group.permissions.add(*Permission.objects.filter(content_type__app_label="archives", codename__in=CODENAMES))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="系统管理员").first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="archives", codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [("archives", "0004_audit_log")]

    operations = [migrations.RunPython(forwards, backwards)]
