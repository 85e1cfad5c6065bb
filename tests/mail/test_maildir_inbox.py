"""The embedded default mailbox: a Maildir read without marking, processed mail moved aside."""

from __future__ import annotations

from nianbao.mail.inbox import MaildirInbox, deliver_to_maildir, open_inbox
from nianbao.mail.transport import FolderTransport, open_transport
from tests.mail import clients

NAME = "统计表.xlsx"


def test_fetch_returns_the_exact_bytes_without_marking(tmp_path, xlsx):
    raw = clients.foxmail(NAME, xlsx)
    deliver_to_maildir(tmp_path / "inbox", raw)
    box = MaildirInbox(tmp_path / "inbox")
    first, second = list(box.fetch()), list(box.fetch())
    assert [m.data for m in first] == [raw] and first == second


def test_the_same_mail_delivered_twice_is_fetched_twice(tmp_path, xlsx):
    raw = clients.foxmail(NAME, xlsx)
    for _ in range(2):
        deliver_to_maildir(tmp_path / "inbox", raw)
    got = list(MaildirInbox(tmp_path / "inbox").fetch())
    assert len(got) == 2 and got[0].data == got[1].data and got[0].source_key != got[1].source_key


def test_processed_mail_is_not_fetched_again_and_is_kept(tmp_path, xlsx):
    deliver_to_maildir(tmp_path / "inbox", clients.foxmail(NAME, xlsx))
    box = MaildirInbox(tmp_path / "inbox")
    (mail,) = box.fetch()
    box.mark_processed(mail.source_key)
    box.mark_processed(mail.source_key)  # a retried intake marks again: harmless
    kept = [box.done.get_bytes(k) for k in box.done.iterkeys()]
    assert list(box.fetch()) == [] and kept == [mail.data]


def test_an_open_inbox_sees_mail_that_arrived_after_its_first_fetch(tmp_path, xlsx):
    box = MaildirInbox(tmp_path / "inbox")
    assert list(box.fetch()) == []
    deliver_to_maildir(tmp_path / "inbox", clients.qq_mail(NAME, xlsx))
    assert len(list(box.fetch())) == 1


def test_embedded_default_backends_live_under_the_data_folder(settings):
    inbox, transport = open_inbox(settings.with_(mail={})), open_transport(settings.with_(mail={}))
    assert isinstance(inbox, MaildirInbox) and isinstance(transport, FolderTransport)
    assert (settings.data_dir / "mail" / "inbox" / "new").is_dir()
    assert transport.path == settings.data_dir / "mail" / "outbox"


def test_folder_transport_writes_each_mail_once(tmp_path, xlsx):
    raw = clients.foxmail(NAME, xlsx)
    t = FolderTransport(tmp_path / "outbox")
    t.send(raw, "a@b.cn", ["c@d.cn"])
    t.send(raw, "a@b.cn", ["c@d.cn"])
    assert [p.read_bytes() for p in (tmp_path / "outbox").iterdir()] == [raw]
