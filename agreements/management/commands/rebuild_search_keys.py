from django.core.management.base import BaseCommand

from agreements.keys import rebuild_search_keys
from cooperation.register_cache import bump_register_generation


class Command(BaseCommand):
    help = (
        "Recompute the search key of every agreement from its title, reference code and "
        "parties' names (after a load by COPY or raw SQL, which sends no signals)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database: str, **options):
        count = rebuild_search_keys(using=database)
        bump_register_generation()  # cached pages hold what a search found
        self.stdout.write(f"{count} search keys.")
