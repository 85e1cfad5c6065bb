"""Outgoing mail: Chinese names survive, replies are threaded, dates are Shanghai time."""

from __future__ import annotations

from email import message_from_bytes, policy

import pendulum

from nianbao.mail.message import compose, message_id_for, parse_mail

NAME = "南通市2026年度法治政府建设统计表(崇川区人民政府办公室法制科).xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AT = pendulum.datetime(2027, 1, 5, 9, 30, tz="Asia/Shanghai")


def reply(**kw):
    return compose(sender=("南通市依法治市办", "nianbao@sfj.example.cn"), to=["fzk@cc.example.cn"],
                   subject="回执:已收到《2026年度统计表》", text="您好,已收到。", **{"date": AT, **kw})


def test_chinese_attachment_name_goes_out_as_rfc2231_and_reads_back(xlsx):
    raw = reply(attachments=[(NAME, xlsx, XLSX)]).as_bytes()
    back = parse_mail(raw)
    assert b"filename*0*=utf-8''" in raw and [(a.filename, a.data) for a in back.attachments] == [(NAME, xlsx)]


def test_subject_and_sender_name_read_back(xlsx):
    back = parse_mail(reply().as_bytes())
    assert (back.subject, back.sender_name, back.sender) == ("回执:已收到《2026年度统计表》", "南通市依法治市办",
                                                             "nianbao@sfj.example.cn")


def test_reply_is_threaded_with_in_reply_to_and_references():
    msg = message_from_bytes(reply(in_reply_to="<b@unit>", references=["<a@unit>", "<b@unit>"]).as_bytes(),
                             policy=policy.default)
    assert (msg["In-Reply-To"], msg["References"]) == ("<b@unit>", "<a@unit> <b@unit>")


def test_date_is_written_in_the_zone_it_is_given():
    msg = reply(date=pendulum.datetime(2027, 1, 5, 9, 30, tz="Asia/Shanghai"))
    assert str(msg["Date"]) == "Tue, 05 Jan 2027 09:30:00 +0800"


def test_message_id_for_a_key_is_stable_and_distinct():
    a = message_id_for("reply/2026/320602/1", "sfj.example.cn")
    assert a == message_id_for("reply/2026/320602/1", "sfj.example.cn") != message_id_for("reply/2026/320602/2",
                                                                                         "sfj.example.cn")
    assert a.startswith("<") and a.endswith("@sfj.example.cn>")


def test_body_is_utf8_text():
    msg = message_from_bytes(reply().as_bytes(), policy=policy.default)
    assert msg.get_body(("plain",)).get_content().strip() == "您好,已收到。"
