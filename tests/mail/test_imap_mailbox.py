"""ImapInbox against a real dovecot: exact bytes, nothing marked before the intake says so, new mail
seen by an open session, moving by MOVE / COPY + UID EXPUNGE / keyword without touching other mail."""

from __future__ import annotations

import imaplib

import pytest
from imap_tools.utils import encode_folder

from nianbao.errors import MailError, MissingSecret
from nianbao.mail.inbox import ImapInbox, open_inbox
from tests.mail import clients
from tests.mail.conftest import clear_imap, deliver

PROCESSED = "已处理"
NAME = "南通市2026年度法治政府建设统计表(崇川区).xlsx"


@pytest.fixture
def imap(dovecot):
    clear_imap(dovecot, "INBOX", PROCESSED)
    boxes: list[ImapInbox] = []

    def make(**kw) -> ImapInbox:
        box = ImapInbox(dovecot["host"], dovecot["port"], dovecot["user"], dovecot["password"],
                        processed_folder=kw.pop("processed_folder", PROCESSED), **kw)
        boxes.append(box)
        return box

    yield make
    for box in boxes:
        box.close()


def arrive(dovecot, raw: bytes) -> None:
    deliver(dovecot["maildir"], raw, dovecot["owner"])


def uids(dovecot, folder: str, criteria: str = "ALL") -> list[bytes]:
    c = imaplib.IMAP4("127.0.0.1", dovecot["port"])
    c.login(dovecot["user"], dovecot["password"])
    c.select(encode_folder(folder))
    found = c.uid("SEARCH", None, criteria)[1][0].split()
    c.logout()
    return found


def test_fetch_gives_the_exact_bytes_and_leaves_the_mail_unread(imap, dovecot, xlsx):
    raw = clients.outlook(NAME, xlsx)
    arrive(dovecot, raw)
    (got,) = imap().fetch()
    assert got.data == raw and uids(dovecot, "INBOX", "UNSEEN") != []


def test_source_key_names_folder_uidvalidity_and_uid(imap, dovecot, xlsx):
    arrive(dovecot, clients.foxmail(NAME, xlsx))
    (got,) = imap().fetch()
    folder, validity, uid = got.source_key.removeprefix("imap:").rsplit("/", 2)
    assert (folder, validity.isdigit(), [uid.encode()]) == ("INBOX", True, uids(dovecot, "INBOX"))


def test_the_same_mail_delivered_twice_is_fetched_twice(imap, dovecot, xlsx):
    raw = clients.qq_mail(NAME, xlsx)
    arrive(dovecot, raw)
    arrive(dovecot, raw)
    got = list(imap().fetch())
    assert [m.data for m in got] == [raw, raw] and got[0].source_key != got[1].source_key


def test_unmarked_mail_is_fetched_again_on_the_next_poll(imap, dovecot, xlsx):
    arrive(dovecot, clients.foxmail(NAME, xlsx))
    box = imap()
    assert len(list(box.fetch())) == len(list(box.fetch())) == 1


def test_an_open_session_sees_mail_that_arrived_after_its_first_poll(imap, dovecot, xlsx):
    box = imap()
    assert list(box.fetch()) == []
    arrive(dovecot, clients.netease(NAME, xlsx))
    assert len(list(box.fetch())) == 1


def test_processed_mail_moves_to_a_chinese_named_folder(imap, dovecot, xlsx):
    arrive(dovecot, clients.foxmail(NAME, xlsx))
    box = imap()
    (got,) = box.fetch()
    box.mark_processed(got.source_key)
    box.mark_processed(got.source_key)  # a retried intake marks again: harmless
    assert (list(box.fetch()), len(uids(dovecot, PROCESSED)), uids(dovecot, "INBOX")) == ([], 1, [])


def test_moving_with_uidplus_only_does_not_expunge_other_deleted_mail(imap, dovecot, xlsx):
    arrive(dovecot, clients.foxmail(NAME, xlsx))
    arrive(dovecot, clients.qq_mail(NAME, xlsx))
    box = imap()
    first, second = box.fetch()
    other = second.source_key.rsplit("/", 1)[1]
    box.box.client.uid("STORE", other, "+FLAGS.SILENT", r"(\Deleted)")  # a person deleted it, not expunged
    box.caps.discard("MOVE")  # as on servers offering UIDPLUS but not MOVE
    box.mark_processed(first.source_key)
    assert (uids(dovecot, "INBOX"), len(uids(dovecot, PROCESSED))) == ([other.encode()], 1)


def test_without_move_or_uidplus_the_mail_is_flagged_and_stays(imap, dovecot, xlsx):
    arrive(dovecot, clients.foxmail(NAME, xlsx))
    arrive(dovecot, clients.qq_mail(NAME, xlsx))
    box = imap()
    first, second = box.fetch()
    box.caps -= {"MOVE", "UIDPLUS"}
    box.mark_processed(first.source_key)
    assert [m.source_key for m in box.fetch()] == [second.source_key]
    assert len(uids(dovecot, "INBOX")) == 2 and uids(dovecot, PROCESSED) == []


def test_without_a_processed_folder_the_mail_is_flagged(imap, dovecot, xlsx):
    arrive(dovecot, clients.foxmail(NAME, xlsx))
    box = imap(processed_folder=None)
    (got,) = box.fetch()
    box.mark_processed(got.source_key)
    assert list(box.fetch()) == [] and len(uids(dovecot, "INBOX", f"KEYWORD {ImapInbox.KEYWORD}")) == 1


def test_a_key_from_an_older_uidvalidity_moves_nothing(imap, dovecot, xlsx):
    arrive(dovecot, clients.foxmail(NAME, xlsx))
    box = imap()
    (got,) = box.fetch()
    folder, validity, uid = got.source_key.removeprefix("imap:").rsplit("/", 2)
    box.mark_processed(f"imap:{folder}/{int(validity) + 1}/{uid}")
    assert len(list(box.fetch())) == 1


def test_the_client_identifies_itself_with_id_when_the_server_offers_it(imap, dovecot):
    box = imap()
    list(box.fetch())
    assert "ID" in box.caps and "ID sent: name=nianbao" in dovecot["log"].read_text(errors="replace")


def test_a_dropped_connection_is_reopened_once(imap, dovecot, xlsx):
    arrive(dovecot, clients.foxmail(NAME, xlsx))
    box = imap()
    list(box.fetch())
    box.box.client.sock.close()  # the server or a NAT box hung up between polls
    assert len(list(box.fetch())) == 1


def test_a_wrong_password_is_a_mail_error(dovecot):
    with pytest.raises(MailError):
        list(ImapInbox(dovecot["host"], dovecot["port"], dovecot["user"], "wrong").fetch())


def test_open_inbox_takes_the_password_from_the_environment(imap, settings, dovecot):
    conf = {"inbound": {"backend": "imap", "host": dovecot["host"], "port": dovecot["port"],
                        "user": dovecot["user"], "security": "none"}}
    box = open_inbox(settings.with_(mail=conf, env={**settings.env, "NIANBAO_IMAP_PASSWORD": dovecot["password"]}))
    assert isinstance(box, ImapInbox) and box.processed_folder == PROCESSED and list(box.fetch()) == []
    box.close()


def test_open_inbox_without_a_password_is_a_missing_secret(settings, dovecot):
    conf = {"inbound": {"backend": "imap", "host": dovecot["host"], "port": dovecot["port"], "user": "x"}}
    with pytest.raises(MissingSecret, match="NIANBAO_IMAP_PASSWORD"):
        open_inbox(settings.with_(mail=conf, env={k: v for k, v in settings.env.items() if "IMAP" not in k}))
