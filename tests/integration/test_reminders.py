"""Reminder e-mails: each sent once across runs of `certcredit remind`, the unsubscribe setting, and password
reset by e-mail with Django's own views."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from certcredit.services import credentials as creds
from certcredit.services import reminders
from certcredit.store.credentials.models import Application
from tests.integration.test_credentials import EXAM_ATTESTATIONS, RECERT_RECORDS, certified, load

pytestmark = [pytest.mark.store, pytest.mark.django_db]

D = dt.date.fromisoformat


@pytest.fixture
def member(make_person):
    from tests.integration.test_credentials import EXAM_RECORDS

    person = make_person("mo@example.org")
    load(person, EXAM_RECORDS)
    return person


@pytest.fixture
def staff(make_person):
    return make_person("st@example.org", "staff")


def test_a_deadline_reminder_is_sent_exactly_once_across_two_runs_of_remind(member, staff, cli) -> None:
    credential = certified(member, staff)  # cycle ends 2025-06-30
    Application.objects.update(decided_at=dt.datetime(2022, 5, 2, tzinfo=dt.UTC))  # old news by 2025
    mail.outbox.clear()
    first = cli("remind", "--today", "2025-04-15", "--base-url", "https://certs.example.org")
    assert first.exit_code == 0, first.output
    assert "1 reminder(s) sent (1 deadline)" in first.output
    second = cli("remind", "--today", "2025-04-16")
    assert "0 reminder(s) sent (none due)" in second.output
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mo@example.org"]
    assert message.subject == "CLM recertification due by 2025-06-30 (76 days)"
    assert "36 hours are still needed" in message.body
    token = reminders.setting_for(member).token
    assert f"https://certs.example.org/reminders/unsubscribe/{token}" in message.body
    # the next threshold (30 days) is a new message, once; a late run past the deadline sends nothing
    cli("remind", "--today", "2025-06-01")
    cli("remind", "--today", "2025-06-02")
    assert [m.subject for m in mail.outbox][1:] == ["CLM recertification due by 2025-06-30 (29 days)"]
    cli("remind", "--today", "2025-07-01")
    assert len(mail.outbox) == 2
    assert credential.pk


def test_a_deadline_reminder_says_when_the_records_complete_the_cycle(member, staff) -> None:
    certified(member, staff)
    load(member, RECERT_RECORDS)
    messages = reminders.due_messages(member, D("2025-06-25"))
    deadline = [m for m in messages if m.kind == "deadline"]
    assert deadline[0].key == "deadline:2025-06-30:7" and "your records complete it" in deadline[0].body


def test_application_outcomes_are_mailed_once_with_the_reason(member, staff) -> None:
    application = creds.apply(member, member, "exam", EXAM_ATTESTATIONS, today=D("2022-05-01"))
    creds.decide(staff, application, approve=False, reason="Employment letter missing")
    mail.outbox.clear()
    assert reminders.remind(D("2022-05-03")).as_dict()["by_kind"] == {"outcome": 1}
    assert reminders.remind(D("2022-05-04")).as_dict()["sent"] == 0
    assert mail.outbox[0].subject == "Your exam application: denied"
    assert "Reason: Employment letter missing" in mail.outbox[0].body


def test_an_apply_by_date_within_thirty_days_is_mailed(member) -> None:
    # the exam records date from 2021-07-01 (self-management): the application stays complete until 2023-07-01
    messages = reminders.due_messages(member, D("2023-06-05"))
    assert [m.key for m in messages if m.kind == "apply-by"] == ["apply-by:clm-application:2023-07-01"]
    assert not [m for m in reminders.due_messages(member, D("2023-05-31")) if m.kind == "apply-by"]


def test_the_unsubscribe_link_asks_then_stops_every_reminder(member, staff) -> None:
    certified(member, staff)
    token = reminders.setting_for(member).token
    client = Client()
    assert client.get("/reminders/unsubscribe/not-a-token").status_code == 404
    assert "Stop reminder e-mails?" in client.get(f"/reminders/unsubscribe/{token}").content.decode()
    assert reminders.setting_for(member).reminders  # a GET (a mail scanner following links) changes nothing
    assert "Unsubscribed" in client.post(f"/reminders/unsubscribe/{token}").content.decode()
    mail.outbox.clear()
    report = reminders.remind(D("2025-04-15"))
    assert (report.as_dict()["sent"], report.unsubscribed) == (0, 1)
    assert mail.outbox == []
    me = Client()
    me.force_login(member)
    me.post("/reminders/", {"reminders": "on"})
    assert reminders.setting_for(member).reminders
    assert reminders.remind(D("2025-04-15")).as_dict()["sent"] >= 1


def test_password_reset_by_e_mail_with_djangos_views(member) -> None:
    client = Client()
    assert "Forgot your password?" in client.get("/login/").content.decode()
    client.post("/password-reset/", {"email": "mo@example.org"})
    client.post("/password-reset/", {"email": "nobody@example.org"})  # the same answer, no message
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "Your certcredit password"
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body)[1]
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    new = "another-long-password-42"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True)
    assert "Password saved" in done.content.decode()
    assert Client().login(username="mo@example.org", password=new)


def test_a_send_that_fails_is_not_recorded_and_goes_out_on_the_next_run(member, staff, monkeypatch) -> None:
    certified(member, staff)
    Application.objects.update(decided_at=dt.datetime(2022, 5, 2, tzinfo=dt.UTC))
    mail.outbox.clear()

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(reminders, "send_mail", broken)
    assert reminders.remind(D("2025-04-15")).as_dict() == {"sent": 0, "by_kind": {}, "unsubscribed": 0, "failed": 1}
    assert not member.sent_messages.exists()
    monkeypatch.undo()
    assert reminders.remind(D("2025-04-16")).as_dict()["by_kind"] == {"deadline": 1}
    assert len(mail.outbox) == 1


def test_a_web_decision_is_mailed_by_the_worker_once_and_remind_adds_no_copy(member, staff, cli, monkeypatch) -> None:
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    application = creds.apply(member, member, "exam", EXAM_ATTESTATIONS, today=D("2022-05-01"))
    boss = Client()
    boss.force_login(staff)
    mail.outbox.clear()
    assert boss.post(f"/applications/{application.pk}/", {"decision": "approve"}).status_code == 302
    assert mail.outbox == []  # not in the request: the worker sends it
    result = cli("worker", "--batch")
    assert result.exit_code == 0, result.output
    assert [m.subject for m in mail.outbox] == ["Your exam application: approved"]
    assert "http://testserver/reminders/unsubscribe/" in mail.outbox[0].body
    assert reminders.remind(timezone.localdate()).as_dict()["by_kind"].get("outcome") is None
    assert len(mail.outbox) == 1
