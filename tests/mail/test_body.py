"""A reply's own words and its Word files, from real clients' shapes (Foxmail, Outlook HTML, Gmail)."""

from __future__ import annotations

from email.message import EmailMessage

from nianbao.mail.body import MAX_DOCX, docx_files, reply_text
from nianbao.mail.message import message_from_raw
from tests.mail import mailkinds


def _parsed(msg: EmailMessage):
    return message_from_raw(msg.as_bytes())


def test_a_foxmail_reply_keeps_the_new_words_and_drops_the_quoted_invitation():
    msg = message_from_raw(mailkinds.colleague_reply())
    assert reply_text(msg) == "您好，表中第12项“行政复议纠错率”是否包含调解结案？\n\n张伟"


def test_an_outlook_html_reply_stops_at_its_original_message_line():
    msg = EmailMessage()
    msg.set_content("<div>同意。</div><div>王市长</div><div>-----Original Message-----</div><div>各位领导：…</div>",
                    subtype="html")
    assert reply_text(_parsed(msg)) == "同意。\n王市长"


def test_a_gmail_reply_stops_at_its_wrote_line_and_drops_quoted_lines():
    msg = EmailMessage()
    msg.set_content("收到，谢谢。\n\nOn Tue, Jan 5, 2027 at 9:30 AM 南通市依法治市办 <nianbao@x.cn> wrote:\n> 各单位：\n")
    assert reply_text(_parsed(msg)) == "收到，谢谢。"


def test_only_real_docx_files_are_kept_and_at_most_three():
    msg = EmailMessage()
    msg.set_content("修改稿见附件")
    for n in range(5):
        msg.add_attachment(b"PK\x03\x04" + bytes([n]), maintype="application", subtype="octet-stream",
                           filename=f"修改稿{n}.docx")
    msg.add_attachment(b"not a zip", maintype="application", subtype="octet-stream", filename="假.docx")
    files = docx_files(_parsed(msg))
    assert [name for name, _ in files] == [f"修改稿{n}.docx" for n in range(MAX_DOCX)]
