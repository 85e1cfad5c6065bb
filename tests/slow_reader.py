"""A sandbox reader for tests (`Settings.sandbox_reader`): a mail carrying the SLOW header takes more
than any budget each time it is read whole, so only its header block can answer it. A mail carrying
``X-Test-Reads: <path>`` has each read logged to that file (one line: the way and the Message-ID); the
path travels in the mail because the children come from a fork server that does not see the test's
environment."""

from __future__ import annotations

import re
import time

from nianbao.intake.prepare import prepare_safely
from nianbao.mail.inbox_types import HEAD_BYTES

SLOW = b"X-Test-Slow: yes"


def logged(raw: bytes, path) -> bytes:
    return b"X-Test-Reads: " + str(path).encode() + b"\r\n" + raw


def slow_reader(config, key, item, careful, trust):
    head = item[2][:HEAD_BYTES]
    log = re.search(rb"^X-Test-Reads: (\S+)", head, re.M)
    if log:
        mid = re.search(rb"^Message-ID: (\S+)", head, re.M | re.I)
        with open(log[1], "ab") as fh:
            fh.write(b"%s %s\n" % (b"careful" if careful else b"fast", mid[1] if mid else b"-"))
    if SLOW in head:
        time.sleep(3600)
    return prepare_safely(config, key, item, careful, trust)
