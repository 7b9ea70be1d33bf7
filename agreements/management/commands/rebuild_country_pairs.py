from django.core.management.base import BaseCommand

from agreements.pairs import rebuild_country_pairs
from cooperation.register_cache import bump_register_generation


class Command(BaseCommand):
    help = (
        "Recompute the country pairs of every agreement from its parties (after a load by "
        "COPY or raw SQL, which sends no signals)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database: str, **options):
        count = rebuild_country_pairs(using=database)
        bump_register_generation()  # cached pages count agreements by country pair
        self.stdout.write(f"{count} country pairs.")
