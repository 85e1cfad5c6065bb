"""config/mail.yaml: where mail comes in and goes out. Passwords never go here (environment or a Prefect
Secret block)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from nianbao.config.base import Int, Model, Num, Text


class MaildirInbound(Model):
    backend: Literal["maildir"] = "maildir"
    path: Text = "mail/inbox"  # relative to $NIANBAO_DATA
    max_mail_mb: Num = Field(default=30, gt=0)
    authserv_id: Text | None = None
    received_by: Text | None = None


class ImapInbound(Model):
    backend: Literal["imap"]
    host: Text = Field(min_length=1)
    port: Int = Field(default=993, ge=1, le=65535)
    user: Text = Field(min_length=1)
    security: Literal["ssl", "starttls", "none"] = "ssl"
    folder: Text = "INBOX"
    processed_folder: Text | None = "已处理"
    failed_folder: Text | None = "处理失败"
    max_mail_mb: Num = Field(default=30, gt=0)
    authserv_id: Text | None = None  # the bureau MX's id in Authentication-Results: senders are verified
    received_by: Text | None = None  # the bureau MX's host in Received: lines


class FolderOutbound(Model):
    backend: Literal["folder"] = "folder"
    path: Text = "mail/outbox"
    alert_after_minutes: Num = Field(default=30, gt=0)  # undelivered this long: the run fails, an alert


class SmtpOutbound(Model):
    backend: Literal["smtp"]
    host: Text = Field(min_length=1)
    port: Int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user: Text | None = None
    timeout: Num = Field(default=30, gt=0)
    run_budget_s: Num = Field(default=300, gt=0)
    uncertain_retries: Int = Field(default=1, ge=0, le=5)  # sends again of a mail the server never acknowledged
    uncertain_retry_minutes: Num = Field(default=120, ge=15)  # before the first of them (then doubling)
    cafile: Text | None = None
    alert_after_minutes: Num = Field(default=30, gt=0)  # undelivered this long: the run fails, an alert


class MailFile(Model):
    inbound: Annotated[MaildirInbound | ImapInbound, Field(discriminator="backend")] = MaildirInbound()
    outbound: Annotated[FolderOutbound | SmtpOutbound, Field(discriminator="backend")] = FolderOutbound()

    @model_validator(mode="before")
    @classmethod
    def _default_backends(cls, data: Any) -> Any:
        """Without ``backend``: the embedded default (a Maildir in, a folder of .eml out)."""
        if isinstance(data, dict):
            data = dict(data)
            for key, default in (("inbound", "maildir"), ("outbound", "folder")):
                if isinstance(data.get(key), dict) and "backend" not in data[key]:
                    data[key] = {**data[key], "backend": default}
        return data
