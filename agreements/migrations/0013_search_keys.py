# The register's ?q= as one LIKE per word on one folded column (agreements.models.SearchKey,
# kept by agreements.keys), through one trigram index on PostgreSQL (issue 18).

import django.db.models.deletion
from django.db import migrations, models

from cooperation.search import trigram_index

CHUNK = 900  # ids per statement: SQLite's old limit of 999 parameters


def build_keys(apps, schema_editor):
    # The rule itself (SearchKey.build, a pure function, and the parties' names as the
    # writes read them), on the historical models.
    from agreements.keys import party_texts
    from agreements.models import SearchKey as LiveSearchKey

    Agreement = apps.get_model("agreements", "Agreement")
    Party = apps.get_model("agreements", "Party")
    SearchKey = apps.get_model("agreements", "SearchKey")
    db = schema_editor.connection.alias
    ids = list(Agreement.objects.using(db).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        texts = party_texts(chunk, db, party=Party)
        rows = (
            Agreement.objects.using(db)
            .filter(pk__in=chunk)
            .values_list("pk", "title", "title_translations", "reference_code")
        )
        SearchKey.objects.using(db).bulk_create(
            [
                SearchKey(
                    agreement_id=pk,
                    key=LiveSearchKey.build(
                        title=title,
                        translations=translations,
                        reference_code=reference_code,
                        party_texts=texts.get(pk, []),
                    ),
                )
                for pk, title, translations, reference_code in rows
            ],
            batch_size=1000,
        )


def analyze_keys(apps, schema_editor):
    # Statistics at once: until autovacuum gathers them, the planner takes a common word
    # ("университет", in 9 keys of 10) for a rare one and scans the whole index (0.35 s
    # instead of 13 ms at 500,000 agreements).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE agreements_searchkey")


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0012_agreement_visibility_index"),
        ("universities", "0004_search_trigram"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchKey",
            fields=[
                (
                    "agreement",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_key",
                        serialize=False,
                        to="agreements.agreement",
                    ),
                ),
                ("key", models.TextField()),
            ],
            options={
                "verbose_name": "search key of an agreement",
                "verbose_name_plural": "search keys of agreements",
            },
        ),
        migrations.RunPython(build_keys, migrations.RunPython.noop),
        trigram_index("agreements_searchkey", "key", "agreement_search_key_trgm"),
        migrations.RunPython(analyze_keys, migrations.RunPython.noop),
    ]
