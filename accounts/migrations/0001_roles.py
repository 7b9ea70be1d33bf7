"""Creates the four role groups with their permissions (see cooperation.roles)."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from cooperation.roles import ROLES, role_permissions

    # Permissions are normally created after the whole migrate; create them now so the
    # groups get them on a fresh database too.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(Permission.objects.select_related("content_type"))
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(role, permissions))


def delete_roles(apps, schema_editor):
    from cooperation.roles import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cooperation", "0001_initial"),
        ("universities", "0002_institution_editor"),
        ("events", "0001_initial"),
        ("agreements", "0003_agreement_version_and_pdf_document"),
        ("mobility", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
