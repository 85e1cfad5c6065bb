"""Who sent it and when, as a skeptical bureau checks it: each case on real mail through a Maildir and a
dovecot mailbox, on SQLite and PostgreSQL. The bureau's receipt time is the mailbox's (Maildir mtime,
IMAP INTERNALDATE), never the sender's Date:; a relayed old mail never overrides a correction; a sender
is who the bureau's MX says it is; closed and past years cannot be rewritten; typed numbers are read
exactly or refused; text is text; the receipt says what happened to each workbook."""

from __future__ import annotations

import re

import pendulum
import pytest
from sqlalchemy import select

from nianbao.clock import FixedClock
from nianbao.db.models import OutboxMessage, Submission, Value
from nianbao.db.session import unit_of_work
from nianbao.intake.run import poll_inbox
from nianbao.mail.message import compose
from nianbao.resources import make_resources
from nianbao.stages.close import close_cycle
from nianbao.stages.open_cycle import open_cycle
from nianbao.stages.status import cycle_status
from nianbao.workbook.fill import fill_workbook
from nianbao.workbook.template import build_template, template_filename
from tests.factories import XLSX, filled, inbox_path
from tests.mail.conftest import clear_imap, deliver

TZ = "Asia/Shanghai"
MX = "mx.sfj.nantong.example.cn"
OPENED = pendulum.datetime(2027, 1, 4, 9, tz=TZ)


@pytest.fixture(params=["maildir", "dovecot"])
def box(request, settings, db_url):
    """Resources on a Maildir or on dovecot, with the bureau's MX named for sender authentication."""
    inbound = {"authserv_id": MX}
    env = dict(settings.env)
    if request.param == "dovecot":
        dovecot = request.getfixturevalue("dovecot")
        clear_imap(dovecot, "INBOX", "processed", "failed")
        inbound.update(backend="imap", host="127.0.0.1", port=dovecot["port"], user=dovecot["user"],
                       security="none", processed_folder="processed", failed_folder="failed")
        env["NIANBAO_IMAP_PASSWORD"] = dovecot["password"]
    mail = {"inbound": inbound, "outbound": {"backend": "folder", "path": "mail/outbox"}}
    res = make_resources(settings.with_(mail=mail, env=env, database_url=db_url), clock=FixedClock(OPENED),
                         cached=False)
    open_cycle(res, 2026)
    return res


@pytest.fixture
def arrive(box, request):
    """Deliver a mail into the test's mailbox as the bureau's server would, at a given time."""
    def deliver_at(raw: bytes, at: pendulum.DateTime) -> None:
        if request.node.callspec.params["box"] == "dovecot":
            dovecot = request.getfixturevalue("dovecot")
            deliver(dovecot["maildir"], raw, dovecot["owner"], at=at)
        else:
            from nianbao.mail.inbox import deliver_to_maildir

            deliver_to_maildir(inbox_path(box), raw, at=at)

    return deliver_at


def authenticated(raw: bytes, result: str = "dmarc=pass header.from={d}; spf=pass smtp.mailfrom={d}",
                  server: str = MX) -> bytes:
    """The header the bureau's MX adds on top ({d}: the sender's domain)."""
    sender = re.search(rb"^From:.*<([^>]+)>", raw, re.M)[1].decode()
    return f"Authentication-Results: {server}; {result.format(d=sender.rpartition('@')[2])}\r\n".encode() + raw


def unit_mail(res, unit, workbook: bytes, n: int, date: pendulum.DateTime | None = None,
              attachments: list[bytes] | None = None) -> bytes:
    files = [(template_filename(res.config, unit, 2026), w, XLSX) for w in (attachments or [workbook])]
    return compose(sender=(unit.name, unit.contacts[0]), to=[res.config.intake_address], subject=f"{unit.name}报表",
                   text="见附件", date=date or res.clock.now(), attachments=files,
                   message_id=f"<w{n}-{unit.code}@example.cn>").as_bytes()


def current_value(res, unit_code: str, code: str) -> float:
    with unit_of_work(res.db) as s:
        return s.scalar(select(Value.value).join(Submission).where(
            Submission.unit_code == unit_code, Submission.status == "accepted", Value.indicator_code == code))


def replies(res) -> list[OutboxMessage]:
    with unit_of_work(res.db) as s:
        return s.scalars(select(OutboxMessage).where(OutboxMessage.key.like("reply/%")).order_by(OutboxMessage.id)).all()


def test_a_relayed_old_copy_never_overrides_the_correction(box, arrive):
    unit = box.config.reporting_units[0]
    first = authenticated(unit_mail(box, unit, filled(box, unit, 2026, F1_01=7), 1))
    correction = authenticated(unit_mail(box, unit, filled(box, unit, 2026, F1_01=10), 2))
    arrive(first, pendulum.datetime(2027, 1, 15, 10, tz=TZ))
    arrive(correction, pendulum.datetime(2027, 1, 20, 10, tz=TZ))
    poll_inbox(box)
    relayed = b"Received: from relay.example.cn by mx.example.cn; Mon, 25 Jan 2027 09:00:00 +0800\r\n" + first
    arrive(relayed, pendulum.datetime(2027, 1, 25, 9, tz=TZ))
    (again,) = poll_inbox(box).messages
    assert again.status == "duplicate"
    assert current_value(box, unit.code, "F1_01") == 10
    assert len(replies(box)) == 2  # no second receipt for the old mail


def test_an_older_version_received_after_the_correction_is_held_not_made_current(box, arrive):
    """The same old workbook in a new mail (forwarded, say): not a duplicate, but byte-identical to a
    version that was already replaced."""
    unit = box.config.reporting_units[0]
    old = filled(box, unit, 2026, F1_01=7)
    arrive(authenticated(unit_mail(box, unit, old, 1)), pendulum.datetime(2027, 1, 15, 10, tz=TZ))
    arrive(authenticated(unit_mail(box, unit, filled(box, unit, 2026, F1_01=10), 2)),
                   pendulum.datetime(2027, 1, 20, 10, tz=TZ))
    poll_inbox(box)
    arrive(authenticated(unit_mail(box, unit, old, 3)), pendulum.datetime(2027, 1, 25, 10, tz=TZ))
    (msg,) = poll_inbox(box).messages
    assert msg.attachments[0].status == "held" and "已被替换" in msg.attachments[0].reasons[0]
    assert current_value(box, unit.code, "F1_01") == 10


def test_an_earlier_received_version_read_after_the_correction_never_replaces_it(box, arrive):
    """Mail read out of order (another worker, a folder moved back): what the bureau received first
    stays older, whatever order the intake reads it in."""
    unit = box.config.reporting_units[0]
    arrive(authenticated(unit_mail(box, unit, filled(box, unit, 2026, F1_01=10), 2)),
           pendulum.datetime(2027, 1, 20, 10, tz=TZ))
    poll_inbox(box)
    arrive(authenticated(unit_mail(box, unit, filled(box, unit, 2026, F1_01=7), 1)),
           pendulum.datetime(2027, 1, 15, 10, tz=TZ))
    (late_read,) = poll_inbox(box).messages
    assert late_read.attachments[0].status != "accepted"
    assert current_value(box, unit.code, "F1_01") == 10


def test_a_mail_without_message_id_relayed_again_is_a_duplicate(box, arrive):
    unit = box.config.reporting_units[0]
    raw = authenticated(unit_mail(box, unit, filled(box, unit, 2026), 1))
    raw = re.sub(rb"^Message-ID:[^\r\n]*\r?\n", b"", raw, count=1, flags=re.M | re.I)
    assert b"Message-ID" not in raw.split(b"\r\n\r\n", 1)[0]
    arrive(raw, pendulum.datetime(2027, 1, 15, 10, tz=TZ))
    poll_inbox(box)
    relayed = b"Received: from relay.example.cn by mx.example.cn; Mon, 25 Jan 2027 09:00:00 +0800\r\n" + raw
    arrive(relayed, pendulum.datetime(2027, 1, 25, 9, tz=TZ))
    (again,) = poll_inbox(box).messages
    assert again.status == "duplicate" and len(replies(box)) == 1


def test_a_workbook_without_its_identity_sheet_is_held_never_accepted(box, arrive):
    from io import BytesIO

    from openpyxl import load_workbook

    unit = box.config.reporting_units[0]
    wb = load_workbook(BytesIO(filled(box, unit, 2026)))
    wb.remove(wb["_identity"])  # what "save as" into a new workbook, or a copy of the sheets, leaves
    out = BytesIO()
    wb.save(out)
    arrive(authenticated(unit_mail(box, unit, out.getvalue(), 1)), pendulum.datetime(2027, 1, 15, 10, tz=TZ))
    (msg,) = poll_inbox(box).messages
    (book,) = msg.attachments
    assert book.status == "held" and "身份信息" in book.reasons[0]
    assert current_value(box, unit.code, "F1_01") is None


def test_timeliness_is_the_bureaus_receipt_time_not_the_senders_date(box, arrive):
    unit = box.config.reporting_units[0]
    raw = authenticated(unit_mail(box, unit, filled(box, unit, 2026), 1, date=pendulum.datetime(2027, 1, 5, 9, tz=TZ)))
    arrive(raw, pendulum.datetime(2027, 2, 20, 10, tz=TZ))
    (msg,) = poll_inbox(box).messages
    assert msg.date_header.in_timezone(TZ).date() == pendulum.date(2027, 1, 5)  # kept, shown beside it
    assert msg.received_at.in_timezone(TZ).date() == pendulum.date(2027, 2, 20)
    states = {st.unit_code: st.status for st in cycle_status(box, 2026).states}
    assert states[unit.code] == "late"


def test_a_sender_the_bureaus_mx_failed_is_held(box, arrive):
    unit = box.config.reporting_units[0]
    raw = authenticated(unit_mail(box, unit, filled(box, unit, 2026, F1_01=99), 1),
                        "dmarc=fail header.from={d}; spf=fail smtp.mailfrom={d}; dkim=fail")
    arrive(raw, box.clock.now())
    (msg,) = poll_inbox(box).messages
    assert msg.attachments[0].status == "held" and "dmarc=fail" in msg.attachments[0].reasons[0]
    assert current_value(box, unit.code, "F1_01") is None


def test_a_pass_written_by_another_server_is_ignored(box, arrive):
    unit = box.config.reporting_units[0]
    raw = authenticated(unit_mail(box, unit, filled(box, unit, 2026), 1), server="mx.forger.example.com")
    arrive(raw, box.clock.now())
    (msg,) = poll_inbox(box).messages
    assert msg.attachments[0].status == "held"


def test_only_the_topmost_header_of_the_bureaus_mx_counts(box, arrive):
    """A forger writes a 'pass' header with the bureau's id below the one the MX really adds."""
    unit = box.config.reporting_units[0]
    forged = authenticated(unit_mail(box, unit, filled(box, unit, 2026), 1))
    raw = authenticated(forged, "dmarc=fail header.from={d}")
    arrive(raw, box.clock.now())
    (msg,) = poll_inbox(box).messages
    assert msg.attachments[0].status == "held"


def test_an_aligned_dkim_pass_is_enough(box, arrive):
    unit = box.config.reporting_units[0]
    raw = authenticated(unit_mail(box, unit, filled(box, unit, 2026), 1),
                        "dmarc=none; spf=softfail smtp.mailfrom=bounce.example.org; dkim=pass header.d=mail.{d}")
    arrive(raw, box.clock.now())
    (msg,) = poll_inbox(box).messages
    assert msg.attachments[0].status == "accepted"


def test_last_years_workbook_is_refused_and_last_year_is_untouched(box, arrive):
    unit = box.config.reporting_units[0]
    from nianbao import repo

    with unit_of_work(box.db) as s:
        repo.ensure_cycle(s, box.config, 2025, OPENED.subtract(years=1))
    old = fill_workbook(build_template(box.config, unit, 2025, {}, box.hmac_key), {"F1_01": 55})
    arrive(authenticated(unit_mail(box, unit, old, 1)), box.clock.now())
    (msg,) = poll_inbox(box).messages
    assert msg.attachments[0].status == "rejected"
    assert any("2026年度下发的模板" in r for r in msg.attachments[0].reasons)


def test_a_closed_cycle_refuses_submissions(box, arrive):
    unit = box.config.reporting_units[0]
    close_cycle(box, 2026)
    arrive(authenticated(unit_mail(box, unit, filled(box, unit, 2026), 1)), box.clock.now())
    (msg,) = poll_inbox(box).messages
    assert msg.attachments[0].status == "rejected" and "填报已于" in msg.attachments[0].reasons[-1]


def test_a_magnitude_word_is_refused_with_its_cell_named(box, arrive):
    unit = box.config.reporting_units[0]
    arrive(authenticated(unit_mail(box, unit, filled(box, unit, 2026, E_JC="12万"), 1)), box.clock.now())
    (msg,) = poll_inbox(box).messages
    (reason,) = [r for r in msg.attachments[0].reasons if "12万" in r]
    assert msg.attachments[0].status == "rejected" and "单元格" in reason and "E_JC" in reason


def test_two_workbooks_of_one_unit_in_one_mail_get_each_their_own_fate(box, arrive):
    unit = box.config.reporting_units[0]
    a, b = filled(box, unit, 2026, F1_01=5), filled(box, unit, 2026, F1_01=6)
    arrive(authenticated(unit_mail(box, unit, a, 1, attachments=[a, b])), box.clock.now())
    (msg,) = poll_inbox(box).messages
    assert [o.status for o in msg.attachments] == ["superseded", "accepted"]
    body = replies(box)[-1].body
    assert "已替代本附件" in body and body.count("已通过校验并入库") == 1
    assert current_value(box, unit.code, "F1_01") == 6


def test_a_confirmed_warning_is_answered_as_confirmed(box, arrive):
    unit = box.config.reporting_units[0]
    blank = build_template(box.config, unit, 2026, {}, box.hmac_key)
    from nianbao.sample_data import unit_values

    values = {k: ("不涉及" if v is None else v) for k, v in unit_values(box.config, unit, 2026).items()}
    values.update(E_ZFRY=1000, E_CZRS=900, E_FZSH=10)  # under 5%: a warning
    book = fill_workbook(blank, values, notes={"E_FZSH": "机构改革后正在招录"})
    arrive(authenticated(unit_mail(box, unit, book, 1)), box.clock.now())
    (msg,) = poll_inbox(box).messages
    assert msg.attachments[0].status == "accepted"
    body = replies(box)[-1].body
    assert "已确认的提示" in body and "机构改革后正在招录" in body and "请在备注栏填写上报说明" not in body


def test_an_ingested_eml_is_dated_by_the_received_line_of_the_bureaus_mx(settings, db_url):
    from nianbao.intake.run import ingest_mail

    mail = {"inbound": {"received_by": MX}, "outbound": {"backend": "folder", "path": "mail/outbox"}}
    res = make_resources(settings.with_(mail=mail, database_url=db_url), clock=FixedClock(OPENED.add(days=40)),
                         cached=False)
    open_cycle(res, 2026)
    unit = res.config.reporting_units[0]
    raw = unit_mail(res, unit, filled(res, unit, 2026), 1, date=pendulum.datetime(2027, 1, 2, 9, tz=TZ))
    raw = (f"Received: from relay.example.cn by {MX.upper()}; Fri, 15 Jan 2027 10:00:00 +0800\r\n"
           "Received: from pc by relay.example.cn; Fri, 15 Jan 2027 09:59:00 +0800\r\n"
           f"Received: from forger by {MX}; Sat, 2 Jan 2027 08:00:00 +0800\r\n").encode() + raw
    report = ingest_mail(res, raw)
    assert report.received_at == pendulum.datetime(2027, 1, 15, 10, tz=TZ)  # the topmost line the MX wrote
    assert report.date_header.in_timezone(TZ).date() == pendulum.date(2027, 1, 2)  # kept beside it, never used
