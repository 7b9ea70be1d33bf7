# Search through trigram indexes on PostgreSQL (issue 18, cooperation.search): the events'
# and people's ?q= (and search everywhere) compare the casefold of these columns with LIKE.

from django.db import migrations

from cooperation.search import trigram_index


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_event_stated_figures"),
        # That migration creates pg_trgm (and drops it when reversed, after this one).
        ("universities", "0004_search_trigram"),
    ]

    operations = [
        trigram_index("events_event", "title", "event_title_trgm", casefold=True),
        trigram_index("events_event", "city", "event_city_trgm", casefold=True),
        trigram_index("events_event", "description", "event_description_trgm", casefold=True),
        trigram_index("events_person", "name", "person_name_trgm", casefold=True),
        trigram_index("events_person", "name_local", "person_name_local_trgm", casefold=True),
        trigram_index("events_person", "position", "person_position_trgm", casefold=True),
    ]
