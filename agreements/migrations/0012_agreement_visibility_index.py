# Which agreements a class of readers sees (agreements.visibility) read from an index: the
# directory's counts of a hub check 13,000 agreements' visibility, by index-only lookups
# instead of a scan of the whole table (issue 18, universities.models.party_counts).

from django.db import migrations

from cooperation.search import PostgreSQLIndex


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0011_title_translations"),
    ]

    operations = [
        # The columns agreement_visibility() reads, beside the key: no rule copied here.
        PostgreSQLIndex(
            "agreements_agreement",
            "agreement_visibility",
            '("id") INCLUDE ("is_public", "status")',
        ),
    ]
