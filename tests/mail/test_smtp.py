"""SMTP delivery with STARTTLS and AUTH to a real server whose mail lands in the IMAP intake box."""

from __future__ import annotations

import pytest

from nianbao.errors import MailError
from nianbao.mail.inbox import ImapInbox
from nianbao.mail.message import compose, parse_mail
from nianbao.mail.transport import SmtpTransport, open_transport
from tests.mail.conftest import USER, clear_imap

NAME = "南通市2026年度法治政府建设统计表(崇川区).xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def unit_mail(xlsx: bytes) -> bytes:
    return compose(sender=("崇川区司法局", "fzk@cc.example.cn"), to=[f"{USER}@sfj.example.cn"],
                   subject="2026年度统计表", text="请查收", attachments=[(NAME, xlsx, XLSX)]).as_bytes()


def starttls(server, **kw) -> SmtpTransport:
    return SmtpTransport(server["host"], server["port"], "starttls", kw.pop("user", server["user"]),
                         kw.pop("password", server["password"]), timeout=5, **kw)


def test_mail_sent_with_starttls_and_auth_arrives_in_the_imap_inbox_intact(smtp_starttls, dovecot, xlsx):
    clear_imap(dovecot, "INBOX")
    raw = unit_mail(xlsx)
    starttls(smtp_starttls, cafile=smtp_starttls["cafile"]).send(raw, "fzk@cc.example.cn", [f"{USER}@sfj.example.cn"])
    inbox = ImapInbox(dovecot["host"], dovecot["port"], dovecot["user"], dovecot["password"])
    (got,) = inbox.fetch()
    inbox.close()
    parsed = parse_mail(got.data)
    assert got.data == raw and [(a.filename, a.data) for a in parsed.attachments] == [(NAME, xlsx)]


def test_an_untrusted_certificate_is_a_mail_error(smtp_starttls, xlsx):
    with pytest.raises(MailError, match="CERTIFICATE"):
        starttls(smtp_starttls).send(unit_mail(xlsx), "a@b.cn", ["c@d.cn"])


def test_a_wrong_smtp_password_is_a_mail_error(smtp_starttls, xlsx):
    with pytest.raises(MailError, match="535"):
        starttls(smtp_starttls, password="wrong", cafile=smtp_starttls["cafile"]).send(
            unit_mail(xlsx), "a@b.cn", ["c@d.cn"])


def test_a_server_that_is_down_is_a_mail_error(xlsx):
    with pytest.raises(MailError):
        SmtpTransport("127.0.0.1", 1, "none", timeout=2).send(unit_mail(xlsx), "a@b.cn", ["c@d.cn"])


def test_an_unknown_security_mode_is_refused():
    with pytest.raises(MailError, match="starttls"):
        SmtpTransport("127.0.0.1", 25, "tls")


def test_open_transport_takes_server_from_config_and_password_from_environment(settings, smtp_starttls, xlsx):
    conf = {"outbound": {"backend": "smtp", "host": smtp_starttls["host"], "port": smtp_starttls["port"],
                         "security": "starttls", "user": USER, "cafile": smtp_starttls["cafile"]}}
    env = {**settings.env, "NIANBAO_SMTP_PASSWORD": smtp_starttls["password"]}
    transport = open_transport(settings.with_(mail=conf, env=env))
    before = len(smtp_starttls["handler"].received)
    transport.send(unit_mail(xlsx), "a@b.cn", ["leader@example.cn"])
    assert len(smtp_starttls["handler"].received) == before + 1
