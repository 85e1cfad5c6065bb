"""Raw mail of every kind the intake mailbox receives besides workbooks, written the way the real senders
write it (headers, wording, MIME shapes): auto-replies (RFC 3834, Exchange, Chinese webmail), list mail,
delivery reports (Postfix, Exchange), plain-text bounces (qmail, Exim, Coremail/NetEase), replies to
nianbao's mails, nianbao's own mails coming back, and hostile reports. Each function returns bytes as
IMAP would hand them over (CRLF line ends), for unit and integration tests alike."""

from __future__ import annotations

import base64
from email.header import Header

from nianbao.mail.message import compose, message_id_for

DOMAIN = "sfj.example.cn"
INTAKE = f"nianbao@{DOMAIN}"  # the bureau's intake address: nianbao sends from it
OWN = (INTAKE,)
CLERK = "fzk@cc.example.cn"
CLERK2 = "zhangwei@cc.example.cn"
INVITE_ID = message_id_for("invite/2026/320602", DOMAIN)
REMIND_ID = message_id_for("remind/2026/320602/2027-01-20/1", DOMAIN)
INVITE_SUBJECT = "【南通市依法治市办】请填报2026年度法治政府建设统计表"
DATE = "Tue, 5 Jan 2027 09:31:02 +0800"
RECEIVED = ("Received: from mx.cc.example.cn (mx.cc.example.cn [10.1.2.3])\n"
            "\tby mx.sfj.example.cn (Postfix) with ESMTPS id 4B1C21A0F3\n"
            f"\tfor <{INTAKE}>; {DATE}\n")


def _crlf(text: str | bytes) -> bytes:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _word(text: str, charset: str = "utf-8") -> str:
    return Header(text, charset).encode()


def _b64(text: str, charset: str) -> str:
    return base64.encodebytes(text.encode(charset)).decode("ascii")


def _plain(head: str, body: str) -> bytes:
    return _crlf(f"{RECEIVED}{head.strip()}\nMIME-Version: 1.0\n"
                 "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + body)


# --- auto-replies -------------------------------------------------------------------------------------

def rfc3834_autoreply() -> bytes:
    """A vacation responder that follows RFC 3834 (Sieve vacation in dovecot, Gmail)."""
    return _plain(f"""
From: Zhang Wei <{CLERK}>
To: {INTAKE}
Subject: {_word("Auto: " + INVITE_SUBJECT)}
Date: {DATE}
Message-ID: <dovecot-sieve-1767576662-4711-0@mx.cc.example.cn>
In-Reply-To: {INVITE_ID}
References: {INVITE_ID}
Auto-Submitted: auto-replied (vacation)
""", "您好，我1月10日前休假，急事请联系办公室0513-85000000。\n")


def exchange_oof() -> bytes:
    """Exchange 2013+ Out of Office as it really goes out: Auto-Submitted: auto-generated next to its
    own X-Auto-Response-Suppress and inbox-rule loop headers."""
    return _crlf(f"""{RECEIVED}From: =?gb2312?B?1cXOsA==?= <{CLERK}>
To: {INTAKE}
Subject: {_word("自动答复: " + INVITE_SUBJECT)}
Thread-Topic: {_word(INVITE_SUBJECT)}
Thread-Index: AQHTVoX48qQf/rL9R02Db7+QqglAPw==
Date: {DATE}
Message-ID: <b5d66930e76243eb8bddd885ad3fafdd@EX2016.cc.example.cn>
In-Reply-To: {INVITE_ID}
X-MS-Has-Attach:
X-Auto-Response-Suppress: All
X-MS-Exchange-Inbox-Rules-Loop: {CLERK}
X-MS-TNEF-Correlator:
auto-submitted: auto-generated
x-ms-exchange-generated-message-source: Mailbox Rules Agent
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: base64
MIME-Version: 1.0

{_b64("我目前不在办公室，将于1月10日返回。", "utf-8")}""")


def old_exchange_oof() -> bytes:
    """Exchange 2003 and misconfigured servers: no header at all, only the subject says it."""
    return _plain(f"""
From: {CLERK}
To: {INTAKE}
Subject: Out of Office AutoReply: {_word(INVITE_SUBJECT)}
Date: {DATE}
Message-ID: <6B3C9E1F2A0D4C4FA2D1E5@EXCH03.cc.example.cn>
X-Mailer: Microsoft Exchange Server
""", "I am out of the office until 10 January.\n")


def webmail_autoreply(subject: str = "自动回复：" + INVITE_SUBJECT, *, raw_8bit: bool = False) -> bytes:
    """NetEase 163/126, QQ or Coremail: no RFC 3834 header at all, a GBK subject starting 自动回复 —
    as an RFC 2047 word (``raw_8bit=False``) or as raw GBK bytes in the header, as some relays pass it."""
    subject_line = subject.encode("gbk") if raw_8bit else _word(subject, "gbk").encode("ascii")
    head = (f"{RECEIVED}From: \"=?GBK?B?1cXOsA==?=\" <{CLERK}>\nTo: {INTAKE}\n").encode("ascii")
    rest = (f"Date: {DATE}\nMessage-ID: <6f2b3e1a.5c1d.18d2f0a4b21.Coremail.fzk@cc.example.cn>\n"
            "X-Mailer: Coremail Webmail Server Version XT5.0.13 build 20210104(...)\n"
            "X-Coremail-Locale: zh_CN\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=GBK\nContent-Transfer-Encoding: base64\n\n").encode("ascii")
    body = _b64("您好，本人春节休假，2月18日后回复。", "gbk").encode("ascii")
    return _crlf(head + b"Subject: " + subject_line + b"\n" + rest + body)


# --- lists, newsletters, bulk -------------------------------------------------------------------------

def list_mail() -> bytes:
    return _plain(f"""
From: {_word("市法学会")} <news@fxh.example.cn>
To: fzzf-l@lists.example.cn
Subject: {_word("[法治动态] 2027年第1期")}
Date: {DATE}
Message-ID: <20270105093102.1234@lists.example.cn>
List-Id: {_word("法治动态")} <fzzf-l.lists.example.cn>
List-Post: <mailto:fzzf-l@lists.example.cn>
""", "本期要目：……\n")


def newsletter() -> bytes:
    """A newsletter from a mailing service: List-Unsubscribe (RFC 2369, RFC 8058) and nothing else."""
    return _plain(f"""
From: {_word("法治日报电子版")} <service@edm.example.com>
To: {INTAKE}
Subject: {_word("法治日报今日要闻")}
Date: {DATE}
Message-ID: <0100018d2f0a4b21-edm-7@edm.example.com>
List-Unsubscribe: <https://edm.example.com/u/7f3a>, <mailto:unsub-7f3a@edm.example.com>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
""", "今日要闻：……\n")


def bulk_mail() -> bytes:
    return _plain(f"""
From: {_word("OA系统")} <oa@gov.example.cn>
To: {INTAKE}
Subject: {_word("系统维护通知")}
Date: {DATE}
Message-ID: <oa-notice-20270105@gov.example.cn>
Precedence: bulk
""", "OA系统将于今晚维护。\n")


# --- delivery reports (RFC 3464) ----------------------------------------------------------------------

def original_headers(message_id: str = INVITE_ID, to: str = CLERK) -> str:
    """The header block of the invitation as nianbao sent it."""
    return (f"Return-Path: <{INTAKE}>\nReceived: from nianbao.sfj.example.cn (localhost [127.0.0.1])\n"
            f"\tby mx.sfj.example.cn (Postfix) with ESMTPSA id 4B1C21A0F3; {DATE}\n"
            f"From: {_word('南通市依法治市办')} <{INTAKE}>\nTo: {to}\nSubject: {_word(INVITE_SUBJECT)}\n"
            f"Date: Tue, 05 Jan 2027 09:30:00 +0800\nMessage-ID: {message_id}\n"
            "Auto-Submitted: auto-generated\nX-Auto-Response-Suppress: All\nMIME-Version: 1.0\n")


def status_block(address: str, action: str = "failed", status: str = "5.1.1",
                 diagnostic: str = "smtp; 550 5.1.1 <{a}>: Recipient address rejected: User unknown in virtual\n"
                                   "    mailbox table") -> str:
    return (f"Final-Recipient: rfc822; {address}\nOriginal-Recipient: rfc822;{address}\nAction: {action}\n"
            f"Status: {status}\nRemote-MTA: dns; mx.cc.example.cn\n"
            f"Diagnostic-Code: {diagnostic.format(a=address)}\n")


def postfix_dsn(blocks: list[str] | None = None, *, subject: str = "Undelivered Mail Returned to Sender",
                returned: str = "headers", message_id: str = INVITE_ID, status_cte: str = "") -> bytes:
    """Postfix's report for one of nianbao's invitations: text, message/delivery-status, and the
    original's headers (``returned="headers"``) or the whole original (``"message"``)."""
    blocks = [status_block(CLERK)] if blocks is None else blocks
    status = ("Reporting-MTA: dns; mx.sfj.example.cn\nX-Postfix-Queue-ID: 4B1C21A0F3\n"
              f"X-Postfix-Sender: rfc822; {INTAKE}\nArrival-Date: {DATE}\n\n" + "\n".join(blocks))
    if status_cte == "base64":
        status = base64.encodebytes(status.encode()).decode("ascii")
    b = "4B1C21A0F3.1767576662/mx.sfj.example.cn"
    if returned == "message":
        tail = ("Content-Description: Undelivered Message\nContent-Type: message/rfc822\n\n"
                f"{original_headers(message_id)}Content-Type: text/plain; charset=utf-8\n"
                "Content-Transfer-Encoding: 8bit\n\n各单位：请于1月20日前填报。\n")
    else:
        tail = (f"Content-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\n\n"
                f"{original_headers(message_id)}")
    return _crlf(f"""Return-Path: <>
{RECEIVED}Date: {DATE}
From: MAILER-DAEMON@mx.sfj.example.cn (Mail Delivery System)
Subject: {subject}
To: {INTAKE}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{b}"
Content-Transfer-Encoding: 7bit
Message-Id: <20270105013102.4B1C21A0F3@mx.sfj.example.cn>

This is a MIME-encapsulated message.

--{b}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.sfj.example.cn.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

                   The mail system

<{CLERK}>: host mx.cc.example.cn[10.1.2.3] said: 550 5.1.1
    <{CLERK}>: Recipient address rejected: User unknown in virtual mailbox
    table (in reply to RCPT TO command)

--{b}
Content-Description: Delivery report
Content-Type: message/delivery-status{chr(10) + "Content-Transfer-Encoding: base64" if status_cte else ""}

{status}
--{b}
{tail}
--{b}--
""")


def delayed_dsn() -> bytes:
    return postfix_dsn([status_block(CLERK, "delayed", "4.4.1",
                                     "X-Postfix; connect to mx.cc.example.cn[10.1.2.3]:25: Connection timed out")
                        + "Will-Retry-Until: Fri, 8 Jan 2027 09:31:01 +0800\n"],
                       subject="Delayed Mail (still being retried)")


def exchange_ndr() -> bytes:
    """Exchange's non-delivery report: the human part in multipart/alternative, the whole original
    attached as message/rfc822."""
    b, alt = "_000_NDR_cc_example_cn_", "_001_NDR_cc_example_cn_"
    return _crlf(f"""{RECEIVED}From: Microsoft Outlook <postmaster@cc.example.cn>
To: {INTAKE}
Date: {DATE}
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{b}"
Content-Language: zh-CN
Message-ID: <4b9f0c7e-3e8a-4c1d-9d7e-0c2b3a1f5e6d@EX2016.cc.example.cn>
In-Reply-To: {INVITE_ID}
References: {INVITE_ID}
Subject: {_word("无法送达: " + INVITE_SUBJECT)}
Auto-Submitted: auto-replied
MIME-Version: 1.0

--{b}
Content-Type: multipart/alternative; boundary="{alt}"

--{alt}
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: base64

{_b64(f"无法送达以下收件人或组：{CLERK}。找不到该电子邮件地址。", "utf-8")}
--{alt}--

--{b}
Content-Type: message/delivery-status

Reporting-MTA: dns;EX2016.cc.example.cn
Received-From-MTA: dns;mx.sfj.example.cn
Arrival-Date: {DATE}

Final-Recipient: rfc822;{CLERK}
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup

--{b}
Content-Type: message/rfc822

{original_headers()}Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

各单位：请于1月20日前填报。

--{b}--
""")


def read_receipt() -> bytes:
    """A read receipt (RFC 8098 MDN): a report, automatic, but no delivery failure."""
    b = "----=_NextPart_MDN_1"
    return _crlf(f"""{RECEIVED}From: {CLERK}
To: {INTAKE}
Subject: {_word("已读: " + INVITE_SUBJECT)}
Date: {DATE}
Message-ID: <mdn-1767576662@cc.example.cn>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=disposition-notification; boundary="{b}"

--{b}
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

您发送的邮件已被阅读。
--{b}
Content-Type: message/disposition-notification

Reporting-UA: cc.example.cn; Foxmail
Final-Recipient: rfc822;{CLERK}
Original-Message-ID: {INVITE_ID}
Disposition: manual-action/MDN-sent-manually; displayed
--{b}--
""")


# --- plain-text bounces -------------------------------------------------------------------------------

def qmail_bounce() -> bytes:
    return _crlf(f"""Return-Path: <>
{RECEIVED}Date: 5 Jan 2027 01:31:02 -0000
From: MAILER-DAEMON@mail.cc.example.cn
To: {INTAKE}
Subject: failure notice

Hi. This is the qmail-send program at mail.cc.example.cn.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<{CLERK}>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

{original_headers()}Content-Type: text/plain; charset=utf-8

各单位：请于1月20日前填报。
""")


def postfix_plain_bounce() -> bytes:
    """Postfix with DSN reports turned off (or an old relay): the same wording, one text/plain part."""
    return _crlf(f"""Return-Path: <>
{RECEIVED}Date: {DATE}
From: MAILER-DAEMON@mx.gov.example.cn (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: {INTAKE}
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.gov.example.cn.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster@gov.example.cn.

                   The mail system

<{CLERK2}>: host mx.cc.example.cn[10.1.2.3] said: 552 5.2.2
    <{CLERK2}>: Mailbox full (in reply to RCPT TO command)

--- Original message follows.

{original_headers(REMIND_ID, CLERK2)}
各单位：请于1月20日前填报。
""")


def exim_bounce() -> bytes:
    return _crlf(f"""Return-path: <>
{RECEIVED}X-Failed-Recipients: {CLERK}
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@mx.cc.example.cn>
To: {INTAKE}
Content-Type: text/plain; charset=us-ascii
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1pQ2xY-0003aB-Qw@mx.cc.example.cn>
Date: {DATE}

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  {CLERK}
    SMTP error from remote mail server after RCPT TO:<{CLERK}>:
    550 5.1.1 <{CLERK}>: Recipient address rejected: User unknown

------ This is a copy of the message, including all the headers. ------

{original_headers()}Content-Type: text/plain; charset=utf-8

各单位：请于1月20日前填报。
""")


def coremail_bounce(message_id: str = INVITE_ID) -> bytes:
    """A Coremail/NetEase-style 系统退信: GBK text and HTML, the original's Message-ID quoted in the body."""
    text = (f"抱歉，您的邮件被退回来了……\n\n原邮件信息：\n时　间：2027-01-05 09:30:00\n主　题：{INVITE_SUBJECT}\n"
            f"发件人：{INTAKE}\n收件人：{CLERK}\nMessage-ID：{message_id}\n\n"
            f"退信原因：\n收件人不存在或已被禁用（550 5.1.1 User not found: {CLERK}）\n\n此邮件由系统自动发送，请勿回复。\n")
    esc = message_id.replace("<", "&lt;").replace(">", "&gt;")
    page = (f"<html><body><p>抱歉，您的邮件被退回来了……</p><table><tr><td>主　题：</td><td>{INVITE_SUBJECT}</td></tr>"
            f"<tr><td>收件人：</td><td>{CLERK}</td></tr><tr><td>Message-ID：</td><td>{esc}</td></tr></table>"
            "<p>退信原因：收件人不存在或已被禁用</p></body></html>")
    b = "----=_Part_Coremail_20270105093102"
    return _crlf(f"""Return-Path: <>
{RECEIVED}From: "{_word("系统管理员", "gbk")}" <postmaster@cc.example.cn>
To: {INTAKE}
Subject: {_word("系统退信", "gbk")}
Date: {DATE}
Message-ID: <bounce.18d2f0a4b21.postmaster@cc.example.cn>
X-Coremail-Antispam: 1UD129KBjvJXoW7KFy5
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="{b}"

--{b}
Content-Type: text/plain; charset=GBK
Content-Transfer-Encoding: base64

{_b64(text, "gbk")}
--{b}
Content-Type: text/html; charset=GBK
Content-Transfer-Encoding: base64

{_b64(page, "gbk")}
--{b}--
""")


# --- people, and nianbao itself -----------------------------------------------------------------------

def colleague_reply(extra: str = "") -> bytes:
    """A clerk answering the invitation with a question (Foxmail): a person, threaded on our id."""
    return _plain(f"""
From: "{_word("崇川区法制科 张伟")}" <{CLERK}>
To: {INTAKE}
Subject: {_word("回复：" + INVITE_SUBJECT)}
Date: {DATE}
Message-ID: <202701050931021234567@cc.example.cn>
In-Reply-To: {INVITE_ID}
References: <earlier.thread.1@sfj.example.cn>
 {REMIND_ID} {INVITE_ID}
X-Mailer: Foxmail 7.2.25.228[cn]
{extra}""", "您好，表中第12项“行政复议纠错率”是否包含调解结案？\n\n张伟\n")


def own_mail() -> bytes:
    """nianbao's invitation come back to the intake (its own address in Cc, or a forwarding loop)."""
    msg = compose(sender=("南通市依法治市办", INTAKE), to=[CLERK], cc=[INTAKE], subject=INVITE_SUBJECT,
                  text="各单位：请于1月20日前填报。", message_id=INVITE_ID, auto="auto-generated")
    return _crlf(f"Return-Path: <{INTAKE}>\n{RECEIVED}".encode() + msg.as_bytes())


def clerk_workbook(extra: str = "") -> bytes:
    """A clerk's workbook from QQ Mail: a person's mail with an attachment, nothing automatic."""
    b = "----=_NextPart_6597A4F6_0B5C7E30_1A2B3C4D"
    name = "崇川区2026年度法治政府建设统计表.xlsx"
    return _crlf(f"""{RECEIVED}X-QQ-mid: bizesmtp71t1767576662t7k2x9q1
From: "{_word("张伟", "gb18030")}" <{CLERK}>
To: "{_word("南通市依法治市办", "gb18030")}" <{INTAKE}>
Subject: {_word("崇川区2026年度法治政府建设统计表", "gb18030")}
Mime-Version: 1.0
Content-Type: multipart/mixed; boundary="{b}"
Date: {DATE}
Message-ID: <tencent_5B2E9A1C3D4F@qq.com>
X-Priority: 3
X-QQ-MIME: TCMime 1.0 by Tencent
X-Mailer: QQMail 2.x
X-QQ-Mailer: QQMail 2.x
Feedback-ID: webmail:qq.com:bgweb:bgweb5
{extra}
This is a multi-part message in MIME format.

--{b}
Content-Type: text/plain; charset="gb18030"
Content-Transfer-Encoding: base64

{_b64("您好，附件是崇川区的统计表，请查收。", "gb18030")}
--{b}
Content-Type: application/octet-stream; name="{_word(name, "gb18030")}"
Content-Disposition: attachment; filename="{_word(name, "gb18030")}"
Content-Transfer-Encoding: base64

{base64.encodebytes(b"PK" + bytes(range(256)) * 4).decode("ascii")}
--{b}--
""")


# --- hostile reports ----------------------------------------------------------------------------------

def dsn_many_recipients(count: int = 10_000) -> bytes:
    return postfix_dsn([status_block(f"u{i}@cc.example.cn") for i in range(count)])


def dsn_many_fields(count: int = 10_000) -> bytes:
    junk = "".join(f"X-Field-{i}: {i}\n" for i in range(count))
    return postfix_dsn([junk + status_block(CLERK)])


def dsn_huge_diagnostic(size: int = 2_000_000) -> bytes:
    line = "smtp; 550 5.1.1 " + "\n ".join(["用户不存在" * 20] * (size // 60))
    return postfix_dsn([status_block(CLERK, diagnostic=line)])


def dsn_broken() -> bytes:
    """A report whose returned headers are undecodable base64 and whose last part is cut off: the
    delivery-status part before them still tells who failed."""
    raw = postfix_dsn().decode("utf-8")
    head, _, _ = raw.partition("Content-Description: Undelivered Message Headers")
    return (head + "Content-Type: text/rfc822-headers\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            "@@@not base64!!\r\n--4B1C21A0F3.1767576662/mx.sfj").encode("utf-8")
