"""Daily: e-mail the editors of every agreement in force that is expiring (ends within
UNIBRIDGE_EXPIRING_DAYS, 90 by default) and again within each of
UNIBRIDGE_EXPIRY_THRESHOLDS (30 by default).

    # crontab, every morning at 07:00
    0 7 * * * cd /srv/unibridge && .venv/bin/python manage.py notify_expiring

Each alert goes once per agreement, threshold and end date (``agreements.ExpiryNotice``);
re-running the command the same day sends nothing new.
"""

import argparse
import datetime

from django.core.management.base import BaseCommand, CommandError

from agreements.lifecycle import expiry_alerts_send


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"give a date as YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = (
        "E-mail the editors of agreements in force that end within the alert thresholds "
        "(UNIBRIDGE_EXPIRING_DAYS, then UNIBRIDGE_EXPIRY_THRESHOLDS: default 90 and 30 "
        "days), once per threshold."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--today",
            type=iso_date,
            help="Act as if today were this date (YYYY-MM-DD): for tests and catching up.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would be sent; send and record nothing.",
        )

    def handle(self, *args, today=None, dry_run=False, **options) -> None:
        run = expiry_alerts_send(today=today, dry_run=dry_run)
        day = run.today.isoformat()
        thresholds = ", ".join(str(value) for value in run.thresholds)
        if not run.alerts and not run.unaddressed:
            self.stdout.write(
                f"{day}: no agreement needs an expiry alert (thresholds: {thresholds} days)."
            )
            return
        verb = "Would send" if dry_run else "Sent"
        for alert in run.alerts:
            agreement = alert.agreement
            self.stdout.write(
                f"{verb} the {alert.threshold}-day alert: #{agreement.pk} {agreement.title} "
                f"(ends {agreement.valid_until.isoformat()}, in {alert.days_left} days) "
                f"to {', '.join(alert.recipients)}"
            )
        for alert in run.unaddressed:
            agreement = alert.agreement
            self.stderr.write(
                f"Nobody to tell about #{agreement.pk} {agreement.title} (ends "
                f"{agreement.valid_until.isoformat()}): link an editor to one of its "
                "institutions, or set UNIBRIDGE_EXPIRY_ALERT_EMAILS. It is tried again "
                "tomorrow."
            )
        for email, error in run.failures.items():
            self.stderr.write(f"Could not send to {email}: {error}")
        sent = len(run.mails) - len(run.failures)
        if dry_run:
            outcome = "to send (dry run: nothing sent or recorded)."
        else:
            outcome = f"sent ({sent} accepted by the mail server)."
        summary = f"{day}: {len(run.alerts)} alert(s), {len(run.mails)} e-mail(s) {outcome}"
        self.stdout.write(self.style.SUCCESS(summary) if not run.failures else summary)
        if run.failures:
            raise CommandError(f"{len(run.failures)} e-mail(s) could not be sent; see above.")
