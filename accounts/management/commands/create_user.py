"""manage.py create_user: a user in one role, who sets their own password by a link."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.services import password_generate, users_create, users_password_link
from cooperation.roles import ROLES
from universities.models import Institution


def role_named(value: str) -> str:
    """``ministry-editor``, ``ministry_editor`` and ``"ministry editor"`` name one role."""
    name = " ".join(value.replace("_", " ").replace("-", " ").lower().split())
    if name not in ROLES:
        raise CommandError(
            f"Unknown role {value!r}; choose among: " + ", ".join(f'"{role}"' for role in ROLES)
        )
    return name


def institution_named(value: str) -> Institution:
    """An institution by its id in the register or its ROR id (``05nmhtv58``, also as
    ``https://ror.org/05nmhtv58``)."""
    value = value.strip()
    if value.isdigit():
        found = Institution.objects.filter(pk=int(value)).first()
    else:
        found = Institution.objects.filter(ror_id=value.rstrip("/").rsplit("/", 1)[-1]).first()
    if found is None:
        raise CommandError(f"No institution with the id or ROR id {value!r}.")
    return found


class Command(BaseCommand):
    help = (
        "Create a user with a role and print a one-time link where they set their password "
        "(or, with --password, a generated password, printed once)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("email")
        parser.add_argument(
            "--role",
            required=True,
            help="one of: " + ", ".join(ROLES) + " (quote it, or write ministry-editor)",
        )
        parser.add_argument(
            "--institution",
            action="append",
            default=[],
            metavar="ID_OR_ROR",
            help="an institution the user edits (university editors); repeat for several",
        )
        parser.add_argument(
            "--password",
            action="store_true",
            help="set a generated password and print it, instead of a set-password link",
        )

    def handle(self, *args, username: str, email: str, **options) -> None:
        role = role_named(options["role"])
        institutions = [institution_named(value) for value in options["institution"]]
        password = password_generate() if options["password"] else None
        try:
            with transaction.atomic():
                user = users_create(
                    username=username,
                    email=email,
                    role=role,
                    institutions=institutions,
                    password=password,
                )
        except ValidationError as exc:
            messages = (
                [f"{field}: {'; '.join(errors)}" for field, errors in exc.message_dict.items()]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            raise CommandError("User not created. " + " ".join(messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {user.username!r} ({role})."))
        if password is not None:
            self.stdout.write(f"Password (shown once, not stored anywhere readable): {password}")
        else:
            self.stdout.write(
                "Send this one-time link; it lets them set their password "
                "(it works once, for 3 days):\n" + users_password_link(user=user)
            )
