"""The system administrator sees failed-login records (django-axes) and lifts a lockout by
deleting them (admin site; each unlock enters the audit log). Nothing else of axes is granted."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_accessattempt", "delete_accessattempt"]


def forwards(apps, schema_editor):
    # Permissions are normally created after the whole migrate run; this one needs axes' now.
    # (as 0002 does: a historical app config has no models module, which create_permissions needs)
    app_config = apps.get_app_config("axes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="系统管理员").first()
    if group is not None:
        group.permissions.add(*Permission.objects.filter(content_type__app_label="axes", codename__in=CODENAMES))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="系统管理员").first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="axes", codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("archives", "0008_audit_log_hmac_chain"),
        ("axes", "0010_accessattemptexpiration"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
