"""Hostile and broken inputs, built for real: the poisons found when the intake was attacked (a
crafted identity sheet, broken zips, a moved sheet with a far cell, a lying zip bomb, a cell flood that
aborts calamine, NULs and line breaks where headers and cells should have none)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from nianbao.mail.message import compose

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2"')


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None,
          drop: tuple[str, ...] = ()) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            if info.filename not in drop:
                zf.writestr(info.filename, (replace or {}).get(info.filename, src.read(info)))
        for name, body in (add or {}).items():
            zf.writestr(name, body)
    return out.getvalue()


def member(data: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)


def identity_cell(workbook: bytes, ref: str, xml_value: bytes) -> bytes:
    """Replace one cell of the hidden identity sheet (sheet of the last data part) by raw XML."""
    zf = zipfile.ZipFile(io.BytesIO(workbook))
    name = next(n for n in zf.namelist() if n.startswith("xl/worksheets/") and b"@@" not in zf.read(n)
                and b'<c r="D1"' in zf.read(n) and b'<c r="A4"' not in zf.read(n))
    sheet = zf.read(name)
    start = sheet.index(b'<c r="%s"' % ref.encode())
    end = sheet.index(b"</c>", start) + 4
    return rezip(workbook, {name: sheet[:start] + xml_value + sheet[end:]})


def _patch_local_header(data: bytes, name: str, *, method: int | None = None, flags: int | None = None,
                        body: bytes | None = None) -> bytes:
    """Change one member's compression method or flag bits in both of its headers (a real zip says
    the same in the local header and the central directory), or its compressed bytes in place."""
    out = bytearray(data)
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = zf.getinfo(name)
    local = info.header_offset
    central = data.rindex(b"PK\x01\x02" + data[data.index(b"PK\x01\x02") + 4:][:0], 0) if False else None
    for sig, off_flags, off_method in ((b"PK\x03\x04", 6, 8),):
        assert out[local:local + 4] == sig
        if flags is not None:
            out[local + off_flags:local + off_flags + 2] = struct.pack("<H", flags)
        if method is not None:
            out[local + off_method:local + off_method + 2] = struct.pack("<H", method)
    pos = 0
    encoded = name.encode()
    while (pos := bytes(out).find(b"PK\x01\x02", pos)) >= 0:
        name_len = struct.unpack("<H", out[pos + 28:pos + 30])[0]
        if bytes(out[pos + 46:pos + 46 + name_len]) == encoded:
            if flags is not None:
                out[pos + 8:pos + 10] = struct.pack("<H", flags)
            if method is not None:
                out[pos + 10:pos + 12] = struct.pack("<H", method)
        pos += 4
    if body is not None:
        n_len, x_len = struct.unpack("<HH", out[local + 26:local + 30])
        at = local + 30 + n_len + x_len
        out[at:at + len(body)] = body
    del central
    return bytes(out)


def corrupt_deflate(workbook: bytes, name: str = "xl/workbook.xml") -> bytes:
    """A member whose deflate stream is garbage (zlib.error when inflated)."""
    size = zipfile.ZipFile(io.BytesIO(workbook)).getinfo(name).compress_size
    return _patch_local_header(workbook, name, body=b"\xff" * min(size, 64))


def compression_method(workbook: bytes, method: int = 9, name: str = "xl/workbook.xml") -> bytes:
    """A member compressed with a method zipfile does not implement (9 = Deflate64)."""
    return _patch_local_header(workbook, name, method=method)


def encrypted_flag(workbook: bytes, name: str = "xl/workbook.xml") -> bytes:
    """A member that says it is encrypted (zipfile raises RuntimeError without a password)."""
    return _patch_local_header(workbook, name, flags=0x1)


def moved_sheet_with_far_cell(workbook: bytes) -> bytes:
    """A data sheet moved out of xl/worksheets/ (re-pointed in workbook.xml.rels) with a cell at
    XFD1048576: calamine reads it from its new place and would allocate the whole rectangle."""
    old = "xl/worksheets/sheet2.xml"
    rels = member(workbook, "xl/_rels/workbook.xml.rels").replace(b"worksheets/sheet2.xml", b"sheet2.xml")
    sheet = member(workbook, old).replace(b"</sheetData>",
                                          b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    types = member(workbook, "[Content_Types].xml").replace(b"/xl/worksheets/sheet2.xml", b"/xl/sheet2.xml")
    return rezip(workbook, {"xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types},
                 add={"xl/sheet2.xml": sheet}, drop=(old,))


def lying_bomb(workbook: bytes, inflated_mb: int = 1024, declared: int = 60_000) -> bytes:
    """A sheet whose deflate stream inflates to ``inflated_mb`` MB of spaces while its headers declare
    ``declared`` bytes (and a CRC of those): what zipfile stops at, and what a native reader may not."""
    name = "xl/worksheets/sheet2.xml"
    head = member(workbook, name)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunks = [comp.compress(head[:-len(b"</worksheet>")])]
    block = b" " * (1 << 20)
    chunks += [comp.compress(block) for _ in range(inflated_mb)]
    chunks.append(comp.compress(b"</worksheet>") + comp.flush())
    body = b"".join(chunks)
    out = io.BytesIO()
    src = zipfile.ZipFile(io.BytesIO(workbook))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            if info.filename != name:
                zf.writestr(info.filename, src.read(info))
    data = bytearray(out.getvalue())
    # Append the lying member by hand: a local header, the stream, then a rebuilt central directory.
    crc = zlib.crc32(head[:declared])
    end = data.rindex(b"PK\x05\x06")
    cd_offset = struct.unpack("<I", data[end + 16:end + 20])[0]
    central, entries = bytes(data[cd_offset:end]), struct.unpack("<H", data[end + 10:end + 12])[0]
    encoded = name.encode()
    local = struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(body), declared, len(encoded), 0)
    offset = cd_offset
    record = local + encoded + body
    cd_entry = struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(body), declared,
                           len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    new_cd = central + cd_entry
    eocd = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, entries + 1, entries + 1, len(new_cd),
                       offset + len(record), 0)
    return bytes(data[:cd_offset]) + record + new_cd + eocd


def ods_cell_flood(rows: int = 6000, cols: int = 16383) -> bytes:
    """A 1 KB .ods asking for rows × cols cells (~100 million): calamine allocates them all and aborts
    its process when a memory limit is in force."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS}><office:body>'
               f'<office:spreadsheet><table:table table:name="S"><table:table-row table:number-rows-repeated="{rows}">'
               f'<table:table-cell table:number-columns-repeated="{cols}" office:value-type="float" office:value="1"/>'
               '</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest xmlns:manifest='
                    '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
                    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>')
    return out.getvalue()


def mail_with(res, filename: str, data: bytes, *, sender: str = "someone@example.cn", subject: str = "报表",
              n: int = 0) -> bytes:
    """A plain mail carrying one attachment (any bytes, any name)."""
    return compose(sender=("某单位", sender), to=[res.config.intake_address], subject=subject, text="见附件",
                   attachments=[(filename, data, XLSX)], date=res.clock.now(),
                   message_id=f"<hostile-{n}-{abs(hash(filename)) % 10**8}@example.cn>").as_bytes()


def raw_mail(headers: dict[str, bytes], body: bytes = b"hello\r\n") -> bytes:
    """A mail written byte by byte, for headers no composer would write (NUL, bare CR, U+2028)."""
    return b"".join(k.encode() + b": " + v + b"\r\n" for k, v in headers.items()) + b"\r\n" + body


def nested_multipart(depth: int) -> bytes:
    """A mail nested ``depth`` multiparts deep (each part a multipart of one)."""
    head = [b"From: deep@example.cn\r\nSubject: deep\r\nMessage-ID: <deep@example.cn>\r\nMIME-Version: 1.0\r\n"]
    body = []
    for i in range(depth):
        head.append(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i))
    body.append(b"Content-Type: text/plain\r\n\r\nx\r\n")
    for i in reversed(range(depth)):
        body.append(b"--b%d--\r\n" % i)
    return b"".join(head) + b"".join(body)


def _word(text: str) -> bytes:
    import base64

    return b"=?utf-8?b?" + base64.b64encode(text.encode("utf-8")) + b"?="


def poison_mails(res, unit, year: int, good_workbook: bytes) -> dict[str, bytes]:
    """Every poison the attack on the intake found, each as a whole mail from ``unit``'s contact."""
    from tests.factories import unit_mail

    def book(data: bytes, n: int) -> bytes:
        return unit_mail(res, unit, year, data, n=100 + n)

    inline = b'<c r="%s" t="inlineStr"><is><t>%s</t></is></c>'
    books = {
        "identity_year_1e999": identity_cell(good_workbook, "B1", b'<c r="B1"><v>1e999</v></c>'),
        "identity_year_1e300": identity_cell(good_workbook, "B1", b'<c r="B1"><v>1e300</v></c>'),
        "identity_year_3e9": identity_cell(good_workbook, "B1", b'<c r="B1"><v>3000000000</v></c>'),
        "identity_version_too_long": identity_cell(good_workbook, "C1", inline % (b"C1", b"v" * 60)),
        "identity_code_too_long": identity_cell(good_workbook, "A1", inline % (b"A1", b"9" * 80)),
        "corrupt_deflate": corrupt_deflate(good_workbook),
        "compression_method_9": compression_method(good_workbook),
        "encrypted_member": encrypted_flag(good_workbook),
        "moved_sheet_far_cell": moved_sheet_with_far_cell(good_workbook),
        "ods_cell_flood": ods_cell_flood(),
    }
    mails = {name: book(data, n) for n, (name, data) in enumerate(books.items())}
    sender = unit.contacts[0].encode()
    mails["nul_in_subject"] = raw_mail({"From": sender, "To": res.config.intake_address.encode(),
                                        "Message-ID": b"<nul-subject@example.cn>",
                                        "Subject": b"=?utf-8?q?bad=00subject?="})
    mails["cr_in_subject"] = raw_mail({"From": sender, "To": res.config.intake_address.encode(),
                                       "Message-ID": b"<cr-subject@example.cn>",
                                       "Subject": b"=?utf-8?q?line=0Dbreak?="})
    mails["line_separator_in_subject"] = raw_mail({"From": sender, "To": res.config.intake_address.encode(),
                                                   "Message-ID": b"<u2028-subject@example.cn>",
                                                   "Subject": _word("报送\u2028第二行")})
    mails["nul_in_filename"] = (
        b"From: " + sender + b"\r\nTo: " + res.config.intake_address.encode() + b"\r\nSubject: file\r\n"
        b"Message-ID: <nul-filename@example.cn>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n'
        b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''bad%00name.xlsx\r\n\r\n"
        + __import__("base64").encodebytes(good_workbook).replace(b"\n", b"\r\n") + b"--b--\r\n")
    mails["deep_nesting"] = nested_multipart(3000)
    return mails


def add_attachment(raw: bytes, filename: str, data: bytes) -> bytes:
    """The same mail with one more attachment (parsed and written back by the standard library)."""
    from email import message_from_bytes, policy

    msg = message_from_bytes(raw, policy=policy.SMTP)
    msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    return msg.as_bytes()


def read_in_child(config, data: bytes, filename: str, careful: bool):
    """`read_workbook` as a sandbox child runs it (`Sandbox.call`): the workbook, or the WorkbookError
    it raised (returned, so the parent sees which)."""
    from nianbao.errors import WorkbookError
    from nianbao.workbook.reader import read_workbook

    try:
        return read_workbook(data, filename, b"k", config, careful)
    except WorkbookError as exc:
        return exc


def read_as_intake(box, data: bytes, filename: str = "x.xlsx"):
    """What the intake makes of a file: read in a child; if the child dies or overruns, read carefully in
    another; if that fails too, None."""
    from nianbao.intake.sandbox import SandboxFailed

    for careful in (False, True):
        try:
            return box.call(read_in_child, data, filename, careful)
        except SandboxFailed:
            continue
    return None
