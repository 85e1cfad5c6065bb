"""Mail bytes written the way real clients write them (header layouts taken from messages sent by
Foxmail 7, QQ Mail, NetEase 163/126 webmail, Outlook (Chinese Windows), iOS/Android mail and old
clients that put raw 8-bit bytes into headers)."""

from __future__ import annotations

import base64
import quopri
import urllib.parse

XLSX_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INTAKE = b"nianbao@sfj.nantong.example.cn"


def bword(text: str | bytes, charset: str) -> str:
    raw = text if isinstance(text, bytes) else text.encode(charset)
    return f"=?{charset}?B?{base64.b64encode(raw).decode()}?="


def qword(text: str, charset: str) -> str:
    encoded = quopri.encodestring(text.encode(charset), header=True).decode()
    return f"=?{charset}?Q?{encoded}?="


def b64_lines(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def part(headers: list[bytes], data: bytes) -> bytes:
    return b"\r\n".join(headers) + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64_lines(data)


def message(headers: list[bytes], parts: list[bytes], *, boundary: bytes = b"----=_NextPart_5F3A") -> bytes:
    head = b"\r\n".join(headers) + (
        b"\r\nTo: " + INTAKE + b"\r\nMIME-Version: 1.0\r\nDate: Mon, 18 Jan 2027 10:00:00 +0800\r\n"
        b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n')
    body = b"".join(b"--" + boundary + b"\r\n" + p for p in parts)
    return head + b"This is a multi-part message in MIME format.\r\n\r\n" + body + b"--" + boundary + b"--\r\n"


def text_part(text: str, charset: str) -> bytes:
    return part([f"Content-Type: text/plain; charset={charset}".encode()], text.encode(charset))


def foxmail(name: str, data: bytes, *, sender_name: str = "崇川区司法局", subject: str = "2026年度统计表") -> bytes:
    """Foxmail 7: GBK base64 encoded-words everywhere, the name in both name= and filename=."""
    word = bword(name, "GBK")
    return message([f'From: "{bword(sender_name, "GBK")}" <fzk@chongchuan.example.cn>'.encode(),
                    f"Subject: {bword(subject, 'GBK')}".encode(), b"X-Mailer: Foxmail 7.2.25.228[cn]",
                    b"Message-ID: <202701181000001234567@chongchuan.example.cn>"],
                   [text_part("请查收", "GBK"),
                    part([f'Content-Type: application/octet-stream;\r\n\tname="{word}"'.encode(),
                          f'Content-Disposition: attachment;\r\n\tfilename="{word}"'.encode()], data)])


def qq_mail(name: str, data: bytes, *, sender_name: str = "海门区司法局") -> bytes:
    """QQ Mail: gb18030 encoded-words (its own charset label), X-QQ headers."""
    word = bword(name, "gb18030")
    return message([f"From: {bword(sender_name, 'gb18030')} <123456789@qq.com>".encode(),
                    f"Subject: {bword('报送材料', 'gb18030')}".encode(), b"X-QQ-mid: zzbgweb1t1674006000",
                    b"Message-ID: <tencent_ABCDEF0123456789@qq.com>"],
                   [text_part("见附件", "gb18030"),
                    part([f'Content-Type: application/octet-stream; charset="gb18030"; name="{word}"'.encode(),
                          f'Content-Disposition: attachment; filename="{word}"'.encode()], data)],
                   boundary=b"----=_NextPart_63C7B1F0_0B0C5A28_6E1F3D2A")


def netease(name: str, data: bytes, *, split_at: int = 7) -> bytes:
    """163/126 webmail: a long GBK name as several encoded-words on folded lines, cut at a byte count
    (so a character can be split between words), Q-encoded subject."""
    raw = name.encode("gbk")
    words = "\r\n\t".join(bword(raw[i:i + split_at], "GBK") for i in range(0, len(raw), split_at))
    return message([f"From: {bword('如东县司法局', 'GBK')} <rdsfj@163.com>".encode(),
                    f"Subject: {qword('关于报送统计表', 'GBK')}".encode(), b"X-Mailer: Coremail Webmail Server",
                    b"Message-ID: <4a1b2c3d.5e6f.17a8b9c0d1e.Coremail.rdsfj@163.com>"],
                   [text_part("您好,附件为报表。", "GBK"),
                    part([f'Content-Type: application/octet-stream; name="{words}"'.encode(),
                          f'Content-Disposition: attachment; filename="{words}"'.encode()], data)],
                   boundary=b"----=_Part_12345_67890.1674006000000")


def outlook(name: str, data: bytes, *, charset: str = "gb2312", chunk: int = 24) -> bytes:
    """Outlook on Chinese Windows: RFC 2231 with continuations in the system charset, labelled gb2312
    even for GBK-only characters, and an RFC 2047 name= for old readers."""
    quoted = urllib.parse.quote(name.encode("gbk"))
    pieces = [quoted[i:i + chunk] for i in range(0, len(quoted), chunk)]
    while any(p.endswith("%") or p[-2:-1] == "%" for p in pieces[:-1]):  # never cut inside %XX
        chunk += 1
        pieces = [quoted[i:i + chunk] for i in range(0, len(quoted), chunk)]
    old_name = bword(name.encode("gbk"), charset)
    params = ";\r\n\t".join(f"filename*{i}*={charset}''{p}" if i == 0 else f"filename*{i}*={p}"
                            for i, p in enumerate(pieces))
    return message([f'From: "{bword("通州区司法局", charset)}" <tz@tongzhou.example.cn>'.encode(),
                    f"Subject: {bword('统计表', charset)}".encode(),
                    b"X-Mailer: Microsoft Outlook 16.0", b"Message-ID: <000001d92b1c$aa$bb@tongzhou.example.cn>"],
                   [text_part("请查收", charset),
                    part([b"Content-Type: " + XLSX_TYPE + f';\r\n\tname="{old_name}"'.encode(),
                          f"Content-Disposition: attachment;\r\n\t{params}".encode()], data)])


def phone_utf8(name: str, data: bytes, *, placeholder: str = "attachment.xlsx") -> bytes:
    """iOS/Android: a placeholder (or a cut encoded-word) in filename=, the real name in filename*."""
    star = "utf-8''" + urllib.parse.quote(name.encode("utf-8"))
    return message([b"From: =?utf-8?B?" + base64.b64encode("启东市司法局".encode()) + b"?= <qd@139.com>",
                    b"Subject: =?utf-8?B?" + base64.b64encode("报表".encode()) + b"?=",
                    b"Message-ID: <ABCDEF-1234@qd-iphone>"],
                   [text_part("发自我的iPhone", "utf-8"),
                    part([b"Content-Type: " + XLSX_TYPE,
                          f'Content-Disposition: attachment; filename="{placeholder}"; filename*={star}'.encode()],
                         data)], boundary=b"Apple-Mail-1A2B")


def raw_8bit(name: str, data: bytes, charset: str) -> bytes:
    """Old or misconfigured clients: unencoded header bytes in the system charset."""
    return message([b"From: " + "海安市司法局".encode(charset) + b" <ha@haian.example.cn>",
                    b"Subject: " + "报送材料".encode(charset), b"Message-ID: <8bit-1@haian.example.cn>"],
                   [text_part("见附件", charset),
                    part([b"Content-Type: application/vnd.ms-excel; name=\"" + name.encode(charset) + b'"',
                          b'Content-Disposition: attachment; filename="' + name.encode(charset) + b'"'], data)])


def forwarded(inner: bytes, *, as_eml: bool = False, encode_inner: bool = False) -> bytes:
    """A mail forwarded as an attachment: message/rfc822 inline (some clients base64 it) or an .eml file."""
    headers = [b"From: =?GBK?B?" + base64.b64encode("市司法局办公室".encode("gbk")) + b"?= <bgs@sfj.example.cn>",
               b"Subject: =?GBK?B?" + base64.b64encode("转发: 统计表".encode("gbk")) + b"?=",
               b"Message-ID: <fwd-1@sfj.example.cn>"]
    if as_eml:
        attached = part([b'Content-Type: application/octet-stream; name="=?GBK?B?'
                         + base64.b64encode("原邮件.eml".encode("gbk")) + b'?="',
                         b"Content-Disposition: attachment"], inner)
    elif encode_inner:
        attached = part([b"Content-Type: message/rfc822"], inner)
    else:
        attached = b"Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n" + inner + b"\r\n"
    return message(headers, [text_part("转发给你", "GBK"), attached], boundary=b"==OUTER==")
