from django.core.management.base import BaseCommand

from cooperation.audit import history_context
from demo.services import demo_load


class Command(BaseCommand):
    help = (
        "Load the reference data and the demo data set built from published articles about "
        "Kazakhstan-Azerbaijan academic cooperation. Safe to run again: nothing is duplicated."
    )

    def handle(self, *args, **options) -> None:
        # Every history row written by the command says where it came from.
        with history_context(reason="load_demo"):
            changes = demo_load()
        if not changes:
            self.stdout.write("Demo data already loaded: nothing changed.")
        for name, count in sorted(changes.items()):
            self.stdout.write(f"{name}: {count} written")
