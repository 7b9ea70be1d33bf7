# The register's ?q= through trigram indexes on PostgreSQL, and its order as an index so
# that a search of common words stops at the page's end (issue 18, cooperation.search).

from django.db import migrations

from cooperation.search import PostgreSQLIndex, trigram_index


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0009_condition_places_positive_subject_area_levels"),
        ("universities", "0004_search_trigram"),
    ]

    operations = [
        trigram_index("agreements_agreement", "title", "agreement_title_trgm", casefold=True),
        trigram_index(
            "agreements_agreement", "reference_code", "agreement_reference_trgm", casefold=True
        ),
        # Agreement.Meta.ordering: signed_on descending (undated last), then title.
        PostgreSQLIndex(
            "agreements_agreement",
            "agreement_register_order",
            '("signed_on" DESC NULLS LAST, "title")',
        ),
    ]
