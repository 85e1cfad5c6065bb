"""Every error an administrator sees is one Chinese sentence with what to do (nianbao.explain)."""

from __future__ import annotations

import socket

from nianbao.errors import BadInput, MailError, MissingSecret
from nianbao.explain import describe, mail_problem, run_failure


def _mail_error(cause: BaseException, where: str = "IMAP imap.example.cn:993") -> MailError:
    try:
        try:
            raise cause
        except OSError as exc:
            raise MailError(f"{where}: {exc}") from exc
    except MailError as err:
        return err


def test_an_unreachable_mail_server_is_named_with_the_reason_and_what_to_do():
    text = mail_problem(_mail_error(ConnectionRefusedError(111, "Connection refused")))
    assert text.startswith("无法连接邮件服务器 imap.example.cn:993（连接被拒绝") and "config/mail.yaml" in text
    assert "找不到这个主机名" in mail_problem(_mail_error(socket.gaierror(-2, "Name or service not known")))
    assert "连接超时" in mail_problem(_mail_error(TimeoutError("timed out"), "SMTP smtp.example.cn:465"))


def test_a_missing_password_is_one_chinese_sentence_naming_the_setting(settings):
    from nianbao.mail.inbox import open_inbox

    imap = settings.mail.inbound.model_copy(update={"backend": "imap", "host": "127.0.0.1", "port": 1, "user": "u"})
    settings = settings.with_(mail=settings.mail.model_copy(update={"inbound": imap}))
    try:
        open_inbox(settings)
    except MissingSecret as exc:
        text = describe(exc)
    assert text.startswith("未设置收件邮箱的密码") and "NIANBAO_IMAP_PASSWORD" in text and text.endswith("。")


def test_the_alert_gives_our_sentence_without_prefects_english_prefix(settings):
    from nianbao.cityconfig import load_city_config

    cfg = load_city_config(settings.config_dir)
    said = describe(BadInput("日期“2027-13-01”无效，应为 YYYY-MM-DD（例如 2027-01-08）"))
    assert run_failure(cfg, "Failed", f"Flow run encountered an exception: BadInput: {said}") == said
    assert run_failure(cfg, "Crashed", "Execution was aborted by an interrupt signal.").startswith("运行进程意外中止")
    assert run_failure(cfg, "Failed", "boom").startswith("运行出错（boom）")


def test_why_a_sending_run_stopped_is_said_in_chinese():
    from nianbao.explain import why_stopped

    assert why_stopped("SMTP 127.0.0.1:25: [Errno 111] Connection refused").startswith("发件服务器连接被拒绝")
    assert why_stopped("本次发送已用时超过 300 秒，其余邮件留待下次发送") == "本次发送已用时超过 300 秒，其余邮件留待下次发送"
