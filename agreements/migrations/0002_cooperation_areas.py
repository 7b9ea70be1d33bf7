from django.db import migrations

AREAS = [
    "student_exchange",
    "staff_exchange",
    "joint_research",
    "dual_degree",
    "internships",
    "conferences",
    "scholarships",
    "research_infrastructure",
    "language_culture",
    "recognition",
]


def create_areas(apps, schema_editor):
    CooperationArea = apps.get_model("agreements", "CooperationArea")
    for code in AREAS:
        CooperationArea.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [migrations.RunPython(create_areas, migrations.RunPython.noop)]
