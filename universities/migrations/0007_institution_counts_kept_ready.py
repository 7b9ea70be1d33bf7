# The directory's counts kept ready on every write rather than built per register
# generation (issue 18, agreements.counts): the table is made anew, keyed by its class of
# readers and institution, and every institution is recorded as pending, so that the first
# refresh (a write, a sort, or `manage.py rebuild_institution_counts`) fills it.

import django.db.models.deletion
from django.db import migrations, models


def every_institution_pending(apps, schema_editor):
    apps.get_model("universities", "PendingCount").objects.create(institution_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("universities", "0006_city_translations"),
    ]

    operations = [
        migrations.DeleteModel(name="InstitutionCount"),
        migrations.CreateModel(
            name="InstitutionCount",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "visibility",
                        "institution",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("visibility", models.CharField(max_length=8)),
                (
                    "institution",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="universities.institution",
                    ),
                ),
                ("agreement_count", models.PositiveIntegerField()),
                ("partner_count", models.PositiveIntegerField()),
            ],
            options={"default_permissions": ()},
        ),
        migrations.CreateModel(
            name="PendingCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("institution_id", models.BigIntegerField(null=True)),
            ],
            options={"default_permissions": ()},
        ),
        migrations.RunPython(every_institution_pending, migrations.RunPython.noop),
    ]
