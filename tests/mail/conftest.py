"""Real mail servers on 127.0.0.1 for the session: dovecot (IMAP, run unprivileged from a temporary
config, keeps message bytes intact) and aiosmtpd (SMTP with AUTH) delivering into dovecot's Maildir."""

from __future__ import annotations

import mailbox
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

USER, PASSWORD = "nianbao", "secret-pw"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc=None, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.02)
    raise RuntimeError(f"port {port} did not open")


DOVECOT_CONF = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
imap_id_log = *
auth_failure_delay = 0
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
first_valid_gid = 1
default_login_user = {login_user}
default_internal_user = {internal_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service auth {{
  user = {me}
}}
service auth-worker {{
  user = {me}
}}
service imap-login {{
  chroot =
}}
"""


@pytest.fixture(scope="session")
def dovecot(tmp_path_factory):
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not os.path.exists(binary):
        if os.environ.get("CI"):
            pytest.fail("dovecot-imapd is required in CI (scripts/setup.sh --test installs it)")
        pytest.skip("dovecot not installed")
    import pwd
    import tempfile

    # Dovecot never accesses mail as uid 0: as root, mail belongs to an unprivileged system user, in a
    # folder that user can reach (pytest's own temp root is private to root).
    mail_user = pwd.getpwnam("dovecot" if _user_exists("dovecot") else "nobody") if os.getuid() == 0 \
        else pwd.getpwuid(os.getuid())
    root = Path(tempfile.mkdtemp(prefix="nianbao-dovecot-"))
    root.chmod(0o755)
    for d in ("run", "state", "mail", "home"):
        (root / d).mkdir()
    for d in ("mail", "home"):
        os.chown(root / d, mail_user.pw_uid, mail_user.pw_gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = free_port()
    me = pwd.getpwuid(os.getuid()).pw_name
    login_user = "dovenull" if _user_exists("dovenull") else me
    internal = "dovecot" if _user_exists("dovecot") else me
    conf = root / "dovecot.conf"
    conf.write_text(DOVECOT_CONF.format(root=root, port=port, uid=mail_user.pw_uid, gid=mail_user.pw_gid,
                                        login_user=login_user, internal_user=internal, me=me))
    proc = subprocess.Popen([binary, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_port(port, proc)
    except RuntimeError:
        proc.kill()
        log = (root / "dovecot.log").read_text(errors="replace") if (root / "dovecot.log").exists() else ""
        raise RuntimeError(proc.stdout.read().decode(errors="replace") + log) from None
    yield {"host": "127.0.0.1", "port": port, "user": USER, "password": PASSWORD,
           "maildir": root / "mail" / USER, "owner": (mail_user.pw_uid, mail_user.pw_gid),
           "log": root / "dovecot.log"}
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    if not os.environ.get("NIANBAO_KEEP_DOVECOT"):
        shutil.rmtree(root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


class MaildirDelivery:
    """aiosmtpd handler: mail for the intake mailbox lands, byte for byte, in dovecot's INBOX; all mail
    is recorded in ``received`` (what the units and leaders would get)."""

    def __init__(self, maildir: Path, owner: tuple[int, int]):
        self.maildir, self.owner = maildir, owner
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.original_content)
        if any(r.split("@")[0].lower() == USER for r in envelope.rcpt_tos):  # the intake mailbox's own mail
            deliver(self.maildir, envelope.original_content, self.owner)
        return "250 OK"


def deliver(maildir: Path, raw: bytes, owner: tuple[int, int], at=None) -> None:
    """What the MTA's local delivery does: the exact bytes into new/, owned by the mail user, stamped
    with the delivery time (``at``: a pendulum time; dovecot reports the file's mtime as INTERNALDATE)."""
    box = mailbox.Maildir(maildir, factory=None, create=True)
    key = box.add(raw)
    if at is not None:
        os.utime(maildir / "new" / key, (at.timestamp(), at.timestamp()))
    if os.getuid() == 0:
        for path in [maildir, *(maildir / d for d in ("new", "cur", "tmp")), maildir / "new" / key]:
            if path.exists():
                os.chown(path, *owner)


@pytest.fixture(scope="session")
def smtp_server(dovecot):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)  # False: the server answers 535 itself

    handler = MaildirDelivery(dovecot["maildir"], dovecot["owner"])
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=False, auth_required=True)
    controller.start()
    yield {"host": "127.0.0.1", "port": port, "user": USER, "password": PASSWORD, "handler": handler}
    controller.stop()


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory) -> dict:
    """A self-signed certificate for 127.0.0.1 (the CA file a city would configure as ``cafile``)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return {"cert": str(cert), "key": str(key)}


@pytest.fixture(scope="session")
def smtp_starttls(dovecot, tls_cert):
    """SMTP that offers STARTTLS and accepts AUTH only after it, as a city's mail server does."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)  # False: the server answers 535 itself

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls_cert["cert"], tls_cert["key"])
    handler = MaildirDelivery(dovecot["maildir"], dovecot["owner"])
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            tls_context=context, require_starttls=True, auth_required=True)
    controller.start()
    yield {"host": "127.0.0.1", "port": port, "user": USER, "password": PASSWORD, "handler": handler,
           "cafile": tls_cert["cert"]}
    controller.stop()


def clear_imap(dovecot, *folders: str) -> None:
    """Empty the test mailbox's folders (tests share one dovecot)."""
    from imap_tools.utils import encode_folder
    import imaplib

    c = imaplib.IMAP4("127.0.0.1", dovecot["port"])
    c.login(dovecot["user"], dovecot["password"])
    for folder in folders or ("INBOX",):
        if c.select(encode_folder(folder))[0] == "OK" and c.search(None, "ALL")[1][0]:
            c.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
            c.expunge()
    c.logout()


@pytest.fixture(scope="session")
def xlsx() -> bytes:
    """A real, small workbook as units send it."""
    import io

    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    book.add_worksheet("统计表").write_row(0, 0, ["指标", "数值"])
    book.close()
    return buf.getvalue()
