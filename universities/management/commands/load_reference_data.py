from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cooperation.audit import history_context
from universities.services import (
    ISCED_CSV,
    UNIVERSITIES_CSV,
    institutions_load_reference,
    isced_fields_load,
    read_csv,
)


class Command(BaseCommand):
    help = (
        "Load the reference institutions (ROR, Hipo) and the ISCED-F 2013 fields shipped with "
        "UniBridge. Safe to run again: rows are matched by ROR id (or country and name) and code."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--institutions", type=Path, default=UNIVERSITIES_CSV)
        parser.add_argument("--isced", type=Path, default=ISCED_CSV)

    def handle(self, *args, **options) -> None:
        for option in ("institutions", "isced"):
            if not options[option].is_file():
                raise CommandError(f"{options[option]} is not a file.")
        fields = isced_fields_load(read_csv(options["isced"]))
        self.stdout.write(f"ISCED-F fields: {fields}")
        # Every history row written by the command says where it came from.
        with history_context(reason="load_reference_data"):
            institutions = institutions_load_reference(read_csv(options["institutions"]))
        self.stdout.write(f"Institutions: {institutions}")
