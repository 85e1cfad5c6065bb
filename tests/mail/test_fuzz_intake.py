"""Random mail and random zips, built from the pieces real and hostile mail is made of, through the
whole intake (the standard library's parsers, in the sandbox): nothing ever raises out of it, and each
mail ends stored or set aside, never left for a retry."""

from __future__ import annotations

import base64
import io
import zipfile

import pendulum
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from nianbao.intake.run import ingest_mail
from nianbao.stages.open_cycle import open_cycle
from tests.factories import filled, resources

AT = pendulum.datetime(2027, 1, 6, 9, tz="Asia/Shanghai")
NASTY = [b"\x00", b"\r", b"\n", "\u2028".encode(), b"=?", b"?=", b"=?utf-8?q?=0D=00?=", b"=?gbk?b?xxx?=", b'"',
         b"<", b">", b";", b"\\", b"\xff\xfe", "中文".encode("gbk"), "名".encode("utf-8")]
text = st.lists(st.one_of(st.sampled_from(NASTY), st.binary(max_size=12)), max_size=8).map(b"".join)
CTYPES = [b"text/plain", b"application/octet-stream", b"message/rfc822", b"multipart/mixed",
          b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"application/zip", b"bogus"]
NAMES = [b"a.xlsx", b"b.xls", b"c.zip", b"d.eml", b"e.ods", b"=?utf-8?b?5oql6KGoLnhsc3g=?=", b"", b"f.rar"]


@st.composite
def zips(draw, workbook: bytes) -> bytes:
    kind = draw(st.sampled_from(["flip", "members", "truncate"]))
    if kind == "truncate":
        return workbook[:draw(st.integers(0, len(workbook)))]
    if kind == "flip":
        data = bytearray(workbook)
        for _ in range(draw(st.integers(1, 20))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))) as zf:
        for name in draw(st.lists(st.sampled_from(["xl/workbook.xml", "content.xml", "a.xlsx", "x/../y.xml",
                                                   "[Content_Types].xml", "xl/worksheets/sheet1.xml"]),
                                  max_size=4, unique=True)):
            zf.writestr(name, draw(st.binary(max_size=200)))
    return out.getvalue()


@st.composite
def parts(draw, workbook: bytes, depth: int = 0) -> bytes:
    ctype = draw(st.sampled_from(CTYPES))
    head = b"Content-Type: " + ctype
    if ctype == b"multipart/mixed" and depth < 3:
        boundary = draw(st.sampled_from([b"b1", b"b2", b"", b"b1 x", b"--"]))
        head += b'; boundary="' + boundary + b'"'
        inner = draw(st.lists(parts(workbook, depth + 1), max_size=3))
        body = b"".join(b"--" + boundary + b"\r\n" + p for p in inner) + draw(st.sampled_from([b"--" + boundary + b"--\r\n", b""]))
    else:
        payload = draw(st.one_of(st.binary(max_size=200), zips(workbook), st.just(workbook)))
        encoding = draw(st.sampled_from([b"base64", b"quoted-printable", b"8bit", b"x-uuencode"]))
        body = base64.encodebytes(payload) if encoding == b"base64" else payload
        head += b"\r\nContent-Transfer-Encoding: " + encoding
        head += b"\r\nContent-Disposition: attachment; filename=" + draw(st.sampled_from(NAMES)) + draw(text)
    return head + b"\r\n\r\n" + body + b"\r\n"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from nianbao.settings import load_settings

    tmp = tmp_path_factory.mktemp("fuzz")
    settings = load_settings({"NIANBAO_DATA": str(tmp / "var"), "NIANBAO_HMAC_SECRET": "fuzz"})
    res = resources(settings, f"sqlite:///{tmp / 'db.sqlite'}", AT)
    open_cycle(res, 2026)
    return res, filled(res, res.config.reporting_units[0], 2026)


@st.composite
def mails(draw, workbook: bytes) -> bytes:
    headers = {b"From": draw(st.sampled_from([b"fzb@chongchuan.example.cn", b"", b"<>", b"a@b"])) + draw(text),
               b"Subject": draw(text), b"Date": draw(st.sampled_from([b"Tue, 5 Jan 2027 10:00:00 +0800", b"x", b""])),
               b"Message-ID": b"<" + draw(text) + b">", b"MIME-Version": b"1.0"}
    head = b"".join(k + b": " + v + b"\r\n" for k, v in headers.items() if draw(st.booleans()))
    return head + draw(parts(workbook))


@hsettings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_mail_never_raises_out_of_the_intake(world, data):
    res, workbook = world
    raw = data.draw(mails(workbook))
    report = ingest_mail(res, raw)
    assert report.status in ("processed", "duplicate", "failed")
