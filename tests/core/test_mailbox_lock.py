"""One intake run at a time per mailbox; shards are separate mailboxes."""

from __future__ import annotations

from nianbao.intake.mailbox_lock import mailbox_key, mailbox_lock
from nianbao.settings import load_settings
from tasks.common import with_inbound_folder


def settings(tmp_path):
    return load_settings(env={"NIANBAO_DATA": str(tmp_path)})


def test_a_second_run_on_the_same_mailbox_is_told_at_once(tmp_path):
    s = settings(tmp_path)
    with mailbox_lock(s) as first, mailbox_lock(s) as second:
        assert first and not second
    with mailbox_lock(s) as again:  # released with the run
        assert again


def test_shards_of_a_mailbox_are_locked_apart(tmp_path):
    s = settings(tmp_path)
    a, b = with_inbound_folder(s, "A"), with_inbound_folder(s, "B")
    assert mailbox_key(a) != mailbox_key(b)
    with mailbox_lock(a) as first, mailbox_lock(b) as second:
        assert first and second
