"""Renewals, terminations and expiry alerts: the services, the admin pages, the agreement
page and ``manage.py notify_expiring``."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from agreements.choices import AgreementStatus
from agreements.lifecycle import (
    agreement_renew,
    agreement_terminate,
    expiry_alerts_send,
    lifecycle_conflict,
)
from agreements.models import Agreement, CooperationArea, ExpiryNotice
from cooperation.roles import MINISTRY_EDITOR, UNIVERSITY_EDITOR
from tests import factories as f
from tests.security.helpers import make_user

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def kz():
    return f.InstitutionFactory(name="Al-Farabi Kazakh National University")


@pytest.fixture
def az():
    return f.InstitutionFactory(name="Baku State University", country="AZ", city="Baku")


@pytest.fixture
def original(kz, az):
    """Signed 2020-05-01, valid 2020-05-01 to 2025-04-30, with areas, a signatory and a
    condition."""
    agreement = f.agreement_between(
        kz,
        az,
        title="Memorandum on academic exchange",
        reference_code="MOU-2020-1",
        signed_on=D(2020, 5, 1),
        valid_from=D(2020, 5, 1),
        valid_until=D(2025, 4, 30),
        event=f.EventFactory(),
        description="Signed at the forum.",
    )
    agreement.parties.filter(institution=kz).update(
        signatory=f.PersonFactory(name="Rector"), signed_on=D(2020, 5, 1)
    )
    agreement.areas.add(CooperationArea.objects.get_or_create(code="student_exchange")[0])
    condition = f.CooperationConditionFactory(
        agreement=agreement,
        sending_institution=kz,
        receiving_institution=az,
        places_per_year=4,
        first_academic_year="2020/2021",
        last_academic_year="2024/2025",
    )
    # A detailed ISCED-F field: a condition's subject areas are narrow or detailed.
    condition.subject_areas.add(f.IscedFieldFactory(code="0511", level="detailed"))
    agreement.sources.add(f.SourceFactory())
    return Agreement.objects.get(pk=agreement.pk)


def messages_of(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict


# --------------------------------------------------------------------------- renew


def test_renewal_keeps_what_a_renewal_keeps(original, kz, az, superuser):
    successor = agreement_renew(
        original, user=superuser, valid_from=D(2025, 5, 1), valid_until=D(2030, 4, 30)
    )
    assert successor.renews == original
    assert successor.title == original.title
    assert (successor.kind, successor.level, successor.parent_id, successor.is_public) == (
        original.kind,
        original.level,
        original.parent_id,
        original.is_public,
    )
    assert successor.status == AgreementStatus.SIGNED
    assert successor.reference_code == "" and successor.event is None
    assert not successor.sources.exists() and successor.description == ""
    assert [area.code for area in successor.areas.all()] == ["student_exchange"]
    parties = list(successor.parties.order_by("pk"))
    assert [party.institution for party in parties] == [kz, az]
    assert all(party.signatory is None and party.signed_on is None for party in parties)
    (condition,) = successor.conditions.all()
    assert (condition.sending_institution, condition.receiving_institution) == (kz, az)
    assert condition.places_per_year == 4
    assert (condition.first_academic_year, condition.last_academic_year) == (
        "2024/2025",
        "2029/2030",
    )
    assert [field.code for field in condition.subject_areas.all()] == ["0511"]
    # History names the user, on the agreement and its parties.
    records = list(successor.history.all())
    assert records and all(record.history_user == superuser for record in records)
    created = successor.history.get(history_type="+")
    assert "Renews agreement" in created.history_change_reason
    assert all(party.history.get().history_user == superuser for party in parties)
    # The original is untouched.
    original.refresh_from_db()
    assert original.version == 1 and original.status == AgreementStatus.SIGNED


def test_renewal_with_its_own_title_dates_and_no_conditions(original, superuser):
    successor = agreement_renew(
        original,
        user=superuser,
        valid_from=D(2025, 5, 1),
        valid_until=None,
        signed_on=D(2025, 4, 20),
        title="  Renewed memorandum  ",
        reference_code="MOU-2025-1",
        copy_conditions=False,
    )
    assert successor.title == "Renewed memorandum"
    assert successor.valid_until is None and successor.signed_on == D(2025, 4, 20)
    assert successor.reference_code == "MOU-2025-1"
    assert not successor.conditions.exists()


def test_a_draft_renewal_is_never_public(original, superuser):
    successor = agreement_renew(
        original, user=superuser, valid_from=D(2025, 5, 1), status=AgreementStatus.DRAFT
    )
    assert successor.status == AgreementStatus.DRAFT and successor.is_public is False


@pytest.mark.parametrize(
    ("status", "code"),
    [(AgreementStatus.DRAFT, "draft"), (AgreementStatus.TERMINATED, "terminated")],
)
def test_drafts_and_terminated_agreements_are_not_renewed(kz, az, superuser, status, code):
    extra = {"terminated_on": D(2021, 1, 1)} if status == AgreementStatus.TERMINATED else {}
    agreement = f.agreement_between(
        kz, az, status=status, signed_on=None if status == "draft" else D(2020, 1, 1), **extra
    )
    with pytest.raises(ValidationError) as caught:
        agreement_renew(agreement, user=superuser, valid_from=D(2031, 1, 1))
    assert lifecycle_conflict(caught.value).code == code
    assert Agreement.objects.count() == 1


def test_renewal_input_errors_are_reported_by_field_and_save_nothing(original, superuser):
    cases = [
        ({"valid_from": None}, "valid_from", "takes effect"),
        ({"valid_from": D(2020, 5, 1)}, "valid_from", "starts after"),
        ({"valid_from": D(2025, 5, 1), "valid_until": D(2025, 1, 1)}, "valid_until", "before"),
        ({"valid_from": D(2025, 5, 1), "signed_on": D(2019, 1, 1)}, "signed_on", "before"),
        ({"valid_from": D(2025, 5, 1), "status": "expired"}, "status", "draft, signed"),
        (
            {"valid_from": D(2025, 5, 1), "valid_until": D(2026, 1, 1), "signed_on": D(2027, 1, 1)},
            "valid_until",
            "signing date",
        ),
        ({"valid_from": D(2025, 5, 1), "reference_code": "MOU-2020-1"}, "reference_code", "code"),
    ]
    for kwargs, field, words in cases:
        with pytest.raises(ValidationError) as caught:
            agreement_renew(original, user=superuser, **kwargs)
        errors = messages_of(caught.value)
        assert field in errors, (kwargs, errors)
        assert words in " ".join(errors[field]), (kwargs, errors)
        assert lifecycle_conflict(caught.value) is None
    assert Agreement.objects.count() == 1


def test_a_second_overlapping_renewal_is_refused(original, superuser):
    first = agreement_renew(
        original, user=superuser, valid_from=D(2025, 5, 1), valid_until=D(2030, 4, 30)
    )
    with pytest.raises(ValidationError) as caught:
        agreement_renew(original, user=superuser, valid_from=D(2027, 1, 1))
    assert first.title in messages_of(caught.value)["valid_from"][0]
    assert original.renewals.count() == 1
    # One that does not overlap (a later term) is fine.
    agreement_renew(original, user=superuser, valid_from=D(2030, 5, 1), valid_until=None)
    assert original.renewals.count() == 2


def test_renewal_from_a_stale_version_is_a_conflict(original, superuser):
    Agreement.objects.get(pk=original.pk).save()  # someone else saves: version 2
    with pytest.raises(ValidationError) as caught:
        agreement_renew(original, user=superuser, valid_from=D(2025, 5, 1))
    assert lifecycle_conflict(caught.value).code == "edit_conflict"
    with pytest.raises(ValidationError):
        agreement_renew(
            Agreement.objects.get(pk=original.pk),
            user=superuser,
            valid_from=D(2025, 5, 1),
            expected_version=1,
        )
    assert Agreement.objects.count() == 1


# --------------------------------------------------------------------------- terminate


def test_termination_records_date_reason_history_and_version(original, superuser):
    result = agreement_terminate(
        original,
        user=superuser,
        on=D(2023, 9, 1),
        reason="  Withdrawn by the KZ party  ",
        expected_version=1,
    )
    original.refresh_from_db()
    assert result.pk == original.pk
    assert original.status == AgreementStatus.TERMINATED
    assert original.terminated_on == D(2023, 9, 1)
    assert original.termination_reason == "Withdrawn by the KZ party"
    assert original.version == 2
    record = original.history.order_by("-history_date").first()
    assert record.history_user == superuser and record.history_change_reason == "Terminated"


def test_termination_errors(original, superuser):
    cases = [
        ({"on": D(2023, 1, 1), "reason": "   "}, "reason", "reason"),
        ({"on": None, "reason": "x"}, "terminated_on", "Give the date"),
        ({"on": D(2020, 4, 30), "reason": "x"}, "terminated_on", "signed on 2020-05-01"),
        ({"on": D(2025, 5, 1), "reason": "x", "today": D(2026, 1, 1)}, "terminated_on", "ended"),
        ({"on": D(2024, 1, 2), "reason": "x", "today": D(2024, 1, 1)}, "terminated_on", "future"),
    ]
    for kwargs, field, words in cases:
        with pytest.raises(ValidationError) as caught:
            agreement_terminate(original, user=superuser, **kwargs)
        errors = messages_of(caught.value)
        assert words in " ".join(errors[field]), (kwargs, errors)
    original.refresh_from_db()
    assert original.status == AgreementStatus.SIGNED and original.version == 1


def test_termination_conflicts(original, kz, az, superuser):
    agreement_terminate(original, user=superuser, on=D(2023, 9, 1), reason="Ended")
    with pytest.raises(ValidationError) as caught:
        agreement_terminate(
            Agreement.objects.get(pk=original.pk), user=superuser, on=D(2023, 9, 2), reason="x"
        )
    assert lifecycle_conflict(caught.value).code == "already_terminated"
    assert "2023-09-01" in caught.value.message_dict[NON_FIELD_ERRORS][0]
    # The stale copy (version 1) is refused as a conflict before anything else.
    with pytest.raises(ValidationError) as caught:
        agreement_terminate(original, user=superuser, on=D(2023, 9, 2), reason="x")
    assert lifecycle_conflict(caught.value).code == "edit_conflict"
    draft = f.agreement_between(kz, az, status=AgreementStatus.DRAFT, signed_on=None)
    with pytest.raises(ValidationError) as caught:
        agreement_terminate(draft, user=superuser, on=D(2025, 9, 2), reason="x")
    assert lifecycle_conflict(caught.value).code == "draft"


# --------------------------------------------------------------------------- admin


def test_admin_change_page_has_the_buttons(admin_client_logged, original):
    page = admin_client_logged.get(reverse("admin:agreements_agreement_change", args=[original.pk]))
    body = page.content.decode()
    assert reverse("admin:agreements_agreement_renew", args=[original.pk]) in body
    assert reverse("admin:agreements_agreement_terminate", args=[original.pk]) in body


def test_admin_renew_form_creates_the_successor(admin_client_logged, original, superuser):
    url = reverse("admin:agreements_agreement_renew", args=[original.pk])
    page = admin_client_logged.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    # Proposed: the day after the end, for as long as the original ran.
    assert form.initial["valid_from"] == D(2025, 5, 1)
    assert form.initial["valid_until"] == D(2030, 4, 30)
    body = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in body and "Baku State University" in body
    response = admin_client_logged.post(
        url,
        {
            "title": "",
            "status": "signed",
            "valid_from": "2025-05-01",
            "valid_until": "2030-04-30",
            "copy_conditions": "on",
            "opened_version": "1",
        },
    )
    successor = original.renewals.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:agreements_agreement_change", args=[successor.pk])
    followed = admin_client_logged.get(response["Location"])
    assert "is renewed by this agreement" in followed.content.decode()
    assert {record.history_user for record in successor.history.all()} == {superuser}


def test_admin_renew_form_shows_errors_by_field(admin_client_logged, original):
    url = reverse("admin:agreements_agreement_renew", args=[original.pk])
    response = admin_client_logged.post(
        url, {"status": "signed", "valid_from": "2019-01-01", "opened_version": "1"}
    )
    assert response.status_code == 200
    assert "starts after" in " ".join(response.context["form"].errors["valid_from"])
    assert "errornote" in response.content.decode()
    stale = admin_client_logged.post(
        url, {"status": "signed", "valid_from": "2025-05-01", "opened_version": "7"}
    )
    assert "Someone else saved" in " ".join(stale.context["form"].non_field_errors())
    bad = admin_client_logged.post(url, {"status": "signed", "valid_from": "01/05/2025x"})
    assert bad.status_code == 200 and "valid_from" in bad.context["form"].errors
    assert Agreement.objects.count() == 1


def test_admin_terminate_form(admin_client_logged, original):
    url = reverse("admin:agreements_agreement_terminate", args=[original.pk])
    page = admin_client_logged.get(url)
    assert page.status_code == 200 and page.context["form"].initial["opened_version"] == 1
    missing = admin_client_logged.post(url, {"terminated_on": "2023-09-01", "opened_version": "1"})
    assert "reason" in missing.context["form"].errors
    early = admin_client_logged.post(
        url, {"terminated_on": "2019-09-01", "reason": "Ended", "opened_version": "1"}
    )
    assert "signed on 2020-05-01" in " ".join(early.context["form"].errors["terminated_on"])
    done = admin_client_logged.post(
        url, {"terminated_on": "2023-09-01", "reason": "Ended by notice", "opened_version": "1"}
    )
    assert done.status_code == 302
    original.refresh_from_db()
    assert original.status == AgreementStatus.TERMINATED
    # Terminated: no more buttons, and the pages send back with a message.
    change = admin_client_logged.get(done["Location"])
    assert "is recorded as terminated" in change.content.decode()
    assert url not in change.content.decode()
    again = admin_client_logged.get(url)
    assert again.status_code == 302


def test_admin_forms_need_permission_and_scope(original, kz):
    renew = reverse("admin:agreements_agreement_renew", args=[original.pk])
    terminate = reverse("admin:agreements_agreement_terminate", args=[original.pk])
    anonymous = Client()
    assert "/login/" in anonymous.get(renew)["Location"]
    for role, institutions in (("analyst", []), (UNIVERSITY_EDITOR, [kz])):
        client = Client()
        client.force_login(make_user(f"user-{role}".replace(" ", "-"), role, institutions))
        assert client.get(renew).status_code == 403
        assert (
            client.post(terminate, {"terminated_on": "2023-01-01", "reason": "x"}).status_code
            == 403
        )
        change = client.get(reverse("admin:agreements_agreement_change", args=[original.pk]))
        assert renew not in change.content.decode()
    ministry = Client()
    ministry.force_login(make_user("ministry", MINISTRY_EDITOR))
    assert ministry.get(renew).status_code == 200
    assert ministry.get(terminate).status_code == 200
    original.refresh_from_db()
    assert original.status == AgreementStatus.SIGNED


def test_unknown_agreement_redirects_with_a_message(admin_client_logged):
    response = admin_client_logged.get(reverse("admin:agreements_agreement_renew", args=[999999]))
    assert response.status_code == 302


# --------------------------------------------------------------------------- pages


def test_agreement_page_shows_the_chain_and_the_termination(client, original, superuser):
    successor = agreement_renew(
        original,
        user=superuser,
        valid_from=D(2025, 5, 1),
        valid_until=D(2030, 4, 30),
        title="Renewed memorandum",
    )
    agreement_terminate(
        successor,
        user=superuser,
        on=D(2025, 6, 1),
        reason="Merged <b>away</b>",
        today=D(2025, 6, 2),
    )
    old_page = client.get(original.get_absolute_url()).content.decode()
    assert "Renewed by" in old_page and successor.get_absolute_url() in old_page
    new_page = client.get(successor.get_absolute_url()).content.decode()
    assert "Renews" in new_page and original.get_absolute_url() in new_page
    assert "Terminated on" in new_page and "Merged &lt;b&gt;away&lt;/b&gt;" in new_page
    # No lifecycle links for visitors; a ministry editor gets them on the running original.
    assert reverse("admin:agreements_agreement_renew", args=[original.pk]) not in old_page
    client.force_login(make_user("ministry", MINISTRY_EDITOR))
    signed_in = client.get(original.get_absolute_url()).content.decode()
    assert reverse("admin:agreements_agreement_renew", args=[original.pk]) in signed_in
    assert reverse("admin:agreements_agreement_terminate", args=[original.pk]) in signed_in
    ended = client.get(successor.get_absolute_url()).content.decode()
    assert reverse("admin:agreements_agreement_terminate", args=[successor.pk]) not in ended


def test_expiring_agreements_are_on_the_dashboard_and_register(client, kz, az):
    soon = f.agreement_between(
        kz,
        az,
        title="Ending soon",
        valid_from=D(2020, 1, 1),
        valid_until=datetime.date.today() + datetime.timedelta(days=20),
    )
    f.agreement_between(kz, az, title="Ending later")
    dashboard = client.get("/").content.decode()
    link = f"{reverse('agreements:agreement_list')}?country_pair=KZ,AZ&amp;expiring_within=90"
    assert link in dashboard
    register = client.get(reverse("agreements:agreement_list"), {"expiring_within": 90})
    body = register.content.decode()
    assert soon.title in body and "Ending later" not in body


# --------------------------------------------------------------------------- notify_expiring


@pytest.fixture
def people(kz, az):
    """An editor of each party, an editor of an unrelated institution, a ministry editor,
    and users who must not hear: inactive, or without an address."""
    other = f.InstitutionFactory(name="Unrelated University")
    kz_editor = make_user("kz-editor", UNIVERSITY_EDITOR, [kz])
    az_editor = make_user("az-editor", UNIVERSITY_EDITOR, [az])
    make_user("other-editor", UNIVERSITY_EDITOR, [other])
    ministry = make_user("ministry", MINISTRY_EDITOR)
    gone = make_user("gone", MINISTRY_EDITOR)
    gone.is_active = False
    gone.save()
    silent = make_user("silent", UNIVERSITY_EDITOR, [kz])
    silent.email = ""
    silent.save()
    make_user("analyst", "analyst")
    return {"kz": kz_editor, "az": az_editor, "ministry": ministry}


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("notify_expiring", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def ending(kz, az, until: D, **kwargs) -> Agreement:
    kwargs.setdefault("signed_on", D(2021, 1, 1))
    return f.agreement_between(kz, az, valid_from=D(2021, 1, 1), valid_until=until, **kwargs)


def test_alerts_go_to_the_editors_once_per_threshold(kz, az, people, settings):
    settings.UNIBRIDGE_SITE_URL = "https://unibridge.example.org"
    agreement = ending(kz, az, D(2026, 3, 31), title="KZ-AZ exchange")
    # 2025-12-01: 120 days left, nothing.
    out, _err = run("--today", "2025-12-01")
    assert "no agreement needs an expiry alert" in out and not mail.outbox
    # 2026-01-05: 85 days left, the 90-day alert, one mail per recipient.
    out, _err = run("--today", "2026-01-05")
    assert "90-day alert" in out
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["az-editor@example.org", "kz-editor@example.org", "ministry@example.org"]
    message = mail.outbox[0]
    assert "KZ-AZ exchange" in message.body and "2026-03-31" in message.body
    assert f"https://unibridge.example.org/agreements/{agreement.pk}/" in message.body
    assert "Al-Farabi Kazakh National University" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "KZ-AZ exchange" in html
    assert "within 90 days" in message.subject
    notice = ExpiryNotice.objects.get()
    assert (notice.threshold_days, notice.valid_until) == (90, D(2026, 3, 31))
    assert len(notice.recipients) == 3
    # The same day again, and the next day: nothing.
    run("--today", "2026-01-05")
    run("--today", "2026-01-06")
    assert len(mail.outbox) == 3
    # 2026-03-05: 26 days left, the 30-day alert.
    out, _err = run("--today", "2026-03-05")
    assert "30-day alert" in out and len(mail.outbox) == 6
    assert "within 30 days" in mail.outbox[-1].subject
    run("--today", "2026-03-20")
    assert len(mail.outbox) == 6
    assert ExpiryNotice.objects.count() == 2


def test_first_seen_inside_30_days_sends_only_the_30_day_alert(kz, az, people):
    ending(kz, az, D(2026, 3, 31))
    run("--today", "2026-03-20")
    assert {notice.threshold_days for notice in ExpiryNotice.objects.all()} == {30}
    mail.outbox.clear()
    # Even on a catch-up run for an earlier day, the 90-day alert no longer goes.
    run("--today", "2026-01-05")
    assert not mail.outbox


def test_an_extension_allows_new_alerts(kz, az, people):
    agreement = ending(kz, az, D(2026, 3, 31))
    run("--today", "2026-03-20")
    assert len(mail.outbox) == 3
    agreement.valid_until = D(2026, 6, 30)
    agreement.save()
    out, _err = run("--today", "2026-04-10")
    assert "90-day alert" in out and len(mail.outbox) == 6
    assert ExpiryNotice.objects.filter(valid_until=D(2026, 6, 30), threshold_days=90).exists()


def test_renewed_ended_and_drafts_get_no_alert(kz, az, people, superuser):
    renewed = ending(kz, az, D(2026, 3, 31), title="Already renewed")
    agreement_renew(renewed, user=superuser, valid_from=D(2026, 4, 1))
    ending(kz, az, D(2026, 3, 31), title="Draft", status="draft", signed_on=None)
    ending(kz, az, D(2026, 3, 31), title="Ended", status="terminated", terminated_on=D(2025, 1, 1))
    ending(kz, az, D(2026, 1, 1), title="Already past")
    out, _err = run("--today", "2026-03-20")
    assert "no agreement needs an expiry alert" in out and not mail.outbox


def test_dry_run_sends_and_records_nothing(kz, az, people):
    ending(kz, az, D(2026, 3, 31), title="KZ-AZ exchange")
    out, _err = run("--today", "2026-03-20", "--dry-run")
    assert "Would send the 30-day alert" in out and "KZ-AZ exchange" in out
    assert "dry run" in out
    assert not mail.outbox and not ExpiryNotice.objects.exists()


def test_digest_lists_every_agreement_of_a_recipient(kz, az, people, settings):
    settings.UNIBRIDGE_EXPIRY_ALERT_EMAILS = ["office@example.org", "OFFICE@example.org"]
    ending(kz, az, D(2026, 3, 31), title="First")
    other = f.InstitutionFactory(name="Third University", country="AZ")
    ending(kz, other, D(2026, 5, 1), title="Second")
    run("--today", "2026-03-20")
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {
        "kz-editor@example.org",
        "az-editor@example.org",
        "ministry@example.org",
        "office@example.org",
    }
    assert "First" in by_recipient["kz-editor@example.org"].body
    assert "Second" in by_recipient["kz-editor@example.org"].body
    assert "Second" not in by_recipient["az-editor@example.org"].body
    assert "2 agreements end within 90 days" in by_recipient["ministry@example.org"].subject


def test_nobody_to_tell_is_reported_and_tried_again(kz, az):
    ending(kz, az, D(2026, 3, 31), title="Orphan")
    Group.objects.get(name=MINISTRY_EDITOR).user_set.clear()
    out, err = run("--today", "2026-03-20")
    assert "Nobody to tell" in err and "Orphan" in err
    assert not ExpiryNotice.objects.exists()
    make_user("ministry", MINISTRY_EDITOR)
    run("--today", "2026-03-21")
    assert len(mail.outbox) == 1


def test_failed_mail_is_reported_and_retried(kz, az, people, monkeypatch):
    ending(kz, az, D(2026, 3, 31))
    from django.core.mail import EmailMultiAlternatives

    def refuse(self, fail_silently=False):
        raise OSError("mail server unreachable")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    with pytest.raises(CommandError):
        run("--today", "2026-03-20")
    assert not ExpiryNotice.objects.exists()
    monkeypatch.undo()
    run("--today", "2026-03-20")
    assert len(mail.outbox) == 3 and ExpiryNotice.objects.count() == 1


def test_alerts_in_russian(kz, az, people, settings):
    settings.UNIBRIDGE_EMAIL_LANGUAGE = "ru"
    f.InstitutionNameFactory(
        institution=kz, name="Казахский национальный университет", language="ru", kind="label"
    )
    ending(kz, az, D(2026, 3, 31))
    run("--today", "2026-03-20")
    assert "Казахский национальный университет" in mail.outbox[0].body
    assert "Здравствуйте" in mail.outbox[0].body
    assert "Соглашение" in mail.outbox[0].subject or "соглашени" in mail.outbox[0].subject


def test_bad_today_is_refused():
    with pytest.raises(CommandError):
        call_command("notify_expiring", "--today", "31.12.2025")


def test_alert_queries_are_bounded(kz, az, people, django_assert_max_num_queries):
    for index in range(15):
        ending(kz, az, D(2026, 3, 1) + datetime.timedelta(days=index), title=f"A{index}")
    # Reads are constant; each alert is claimed by one insert in a savepoint (3 queries).
    with django_assert_max_num_queries(8 + 15 * 3):
        run_result = expiry_alerts_send(today=D(2026, 3, 1))
    assert len(run_result.alerts) == 15


def test_html_alert_escapes_titles_and_names(kz, az, people):
    payload = '<script>alert("x")</script>'
    kz.name = f"KZ {payload}"
    kz.save()
    ending(kz, az, D(2026, 3, 31), title=f"Memo {payload}")
    run("--today", "2026-03-20")
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert payload in mail.outbox[0].body  # plain text is not HTML-escaped


def test_expiry_alerts_are_read_only_in_the_admin(admin_client_logged, kz, az, people):
    ending(kz, az, D(2026, 3, 31), title="KZ-AZ exchange")
    run("--today", "2026-03-20")
    notice = ExpiryNotice.objects.get()
    changelist = admin_client_logged.get(reverse("admin:agreements_expirynotice_changelist"))
    assert changelist.status_code == 200 and "KZ-AZ exchange" in changelist.content.decode()
    detail = admin_client_logged.get(
        reverse("admin:agreements_expirynotice_change", args=[notice.pk])
    )
    assert detail.status_code == 200 and "kz-editor@example.org" in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    assert admin_client_logged.get(reverse("admin:agreements_expirynotice_add")).status_code == 403
    # People's addresses: not for analysts or university editors.
    for name in ("analyst", "kz-editor"):
        client = Client()
        client.force_login(get_user_model().objects.get(username=name))
        url = reverse("admin:agreements_expirynotice_changelist")
        assert client.get(url).status_code == 403
