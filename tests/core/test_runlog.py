"""A run's log lines (nianbao.runlog), worded by config/messages.yaml: who was reminded, what was sent
to whom, why nothing was done."""

from __future__ import annotations

import datetime as dt

from nianbao import runlog
from nianbao.mail.outbox import DeliveryReport
from nianbao.stages.remind import PlannedMail, RemindReport


def test_a_reminder_line_names_the_unit_its_addresses_and_the_deadline(city):
    unit = city.reporting_units[0]
    report = RemindReport(2026, dt.date(2027, 1, 25), True, [
        PlannedMail(unit.code, unit.name, "report", "5wd", "reminder", list(unit.contacts), "法治政府建设年度报告报送")])
    assert runlog.reminded(city, report) == [f"已提醒{unit.name}（{'、'.join(unit.contacts)}）：截止提醒（法治政府建设年度报告报送）"]


def test_a_day_without_reminders_says_so(city):
    assert runlog.reminded(city, RemindReport(2026, dt.date(2027, 1, 26), True)) == ["2026年度今天没有需要提醒的单位"]


def test_a_sent_mail_line_says_what_went_to_whom_and_failures_are_counted(city):
    report = DeliveryReport(sent=1, failed=2, delivered=[("receipt", "回执：已收到", ("a@x.cn", "b@x.cn"))])
    assert runlog.delivered(city, report) == [
        "已发送“回执：已收到”给 a@x.cn、b@x.cn",
        "2 封邮件发送失败，已留待下次重试；0 封无法生成（见 outbox 的错误记录）。"]


def test_a_dry_run_says_nothing_was_sent(city):
    report = RemindReport(2026, dt.date(2027, 1, 25), True, [
        PlannedMail("", "管理员", "", "2027-01-25", "digest", list(city.admin_emails))], dry_run=True)
    assert runlog.reminded(city, report) == [f"（试运行，未发送）报送情况日报已排队发给管理员（{'、'.join(city.admin_emails)}）"]
