"""Two intake processes on one real IMAP mailbox at once (dovecot, PostgreSQL): both finish cleanly,
every mail is stored and answered once. The loser of a race for a message finds it moved already
(MOVE answers NO [EXPUNGEISSUED] or the UID is gone): that is the other worker's success."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pendulum
import yaml
from sqlalchemy import func, select

from nianbao.clock import FixedClock
from nianbao.db.models import InboundMessage, OutboxMessage
from nianbao.db.session import unit_of_work
from nianbao.mail.inbox import ImapInbox
from nianbao.resources import make_resources
from nianbao.settings import REPO_ROOT, load_settings
from nianbao.stages.open_cycle import open_cycle
from tests.factories import filled, unit_mail
from tests.mail.conftest import clear_imap, deliver

MESSAGES = 60


def test_two_intakes_on_one_imap_mailbox_store_each_mail_once(tmp_path, dovecot, pg_url):
    clear_imap(dovecot, "INBOX", "processed", "failed")
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    (config / "mail.yaml").write_text(yaml.safe_dump({
        "inbound": {"backend": "imap", "host": "127.0.0.1", "port": dovecot["port"], "user": dovecot["user"],
                    "security": "none", "folder": "INBOX", "processed_folder": "processed",
                    "failed_folder": "failed"},
        "outbound": {"backend": "folder", "path": "mail/outbox"}}, allow_unicode=True), encoding="utf-8")
    env = {**__import__("os").environ, "NIANBAO_DATA": str(tmp_path / "var"), "NIANBAO_CONFIG": str(config),
           "NIANBAO_HMAC_SECRET": "imap-race", "NIANBAO_DATABASE_URL": pg_url,
           "NIANBAO_IMAP_PASSWORD": dovecot["password"], "NIANBAO_INTAKE_BATCH": "7"}
    res = make_resources(load_settings(env), clock=FixedClock(pendulum.datetime(2027, 1, 6, 9, tz="Asia/Shanghai")),
                         cached=False)
    open_cycle(res, 2026)
    units = list(res.config.reporting_units)
    for n in range(MESSAGES):
        unit = units[n % len(units)]
        deliver(dovecot["maildir"], unit_mail(res, unit, 2026, filled(res, unit, 2026), n=n), dovecot["owner"])
    cmd = [sys.executable, "-m", "nianbao.cli", "intake", "--json"]
    workers = [subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
    assert [w.wait(timeout=300) for w in workers] == [0, 0], [w.stderr.read()[-2000:] for w in workers]
    with unit_of_work(res.db) as s:
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == MESSAGES
        replies = s.scalars(select(OutboxMessage.key).where(OutboxMessage.key.like("reply/%"))).all()
    assert len(replies) == len(set(replies)) == MESSAGES
    inbox = ImapInbox(dovecot["host"], dovecot["port"], dovecot["user"], dovecot["password"],
                      processed_folder="processed", failed_folder="failed")
    assert list(inbox.fetch()) == []
    inbox.close()
