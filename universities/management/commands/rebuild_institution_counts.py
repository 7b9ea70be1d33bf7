from django.core.management.base import BaseCommand

from universities.models import InstitutionCount


class Command(BaseCommand):
    help = (
        "Recompute every institution's partner and agreement counts, the table a sort by "
        "a count reads (after a load by COPY or raw SQL, which sends no signals)."
    )

    def handle(self, *args, **options):
        rows = InstitutionCount.rebuild()
        self.stdout.write(f"{rows} institution counts.")
