from nianbao.mail.inbox import ImapInbox
from nianbao.mail.message import compose
from nianbao.mail.transport import SmtpTransport


def test_mail_sent_by_smtp_lands_in_the_imap_inbox(dovecot, smtp_server):
    msg = compose(sender=("测试", "a@example.cn"), to=["nianbao@example.cn"], subject="冒烟测试", text="你好")
    SmtpTransport(smtp_server["host"], smtp_server["port"], "none", smtp_server["user"], smtp_server["password"]).send(
        msg.as_bytes(), "a@example.cn", ["nianbao@example.cn"])
    inbox = ImapInbox(dovecot["host"], dovecot["port"], dovecot["user"], dovecot["password"])
    got = list(inbox.fetch())
    inbox.close()
    assert any(b"Message-ID" in m.data or b"Message-Id" in m.data for m in got)
