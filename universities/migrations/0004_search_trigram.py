# Search through trigram indexes on PostgreSQL (issue 18, cooperation.search).

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from cooperation.search import trigram_index


class Migration(migrations.Migration):
    dependencies = [
        ("universities", "0003_versions_and_m2m_history"),
    ]

    operations = [
        TrigramExtension(),  # PostgreSQL only, as the index
        trigram_index("universities_institution", "search_text", "institution_search_trgm"),
    ]
