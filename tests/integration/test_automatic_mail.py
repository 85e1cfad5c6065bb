"""RFC 3834 both ways: every mail nianbao sends says it is automatic, and the intake answers no mail no
person wrote (auto-replies, delivery reports, list mail, its own), so an auto-responder and nianbao
never answer each other; such mails are archived and counted, never held for the administrators."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr

import pendulum
from sqlalchemy import select

from nianbao.db.models import InboundMessage, OutboxMessage, Submission
from nianbao.db.session import unit_of_work
from nianbao.intake.run import poll_inbox
from nianbao.stages.send import send_outbox
from tests.factories import filled, mail_in, opened, sent_mails, unit_mail
from tests.mail import mailkinds

YEAR = 2026
OPEN = pendulum.datetime(2027, 1, 4, 9, tz="Asia/Shanghai")


class AutoResponder:
    """A clerk on holiday: a vacation responder that answers mail sent to the clerk, once per mail,
    with RFC 3834's Auto-Submitted: auto-replied. ``careless`` answers even automatic mail (the
    responders that loop); a careful one answers only mail a person could have written."""

    def __init__(self, res, address: str, careless: bool):
        self.res, self.address, self.careless = res, address, careless
        self.seen: set[str] = set()
        self.answered = 0

    def run(self) -> None:
        for msg in sent_mails(self.res):
            to = {parseaddr(a)[1].lower() for a in msg.get_all("To", []) + msg.get_all("Cc", [])}
            mid = str(msg["Message-ID"])
            if self.address not in to or mid in self.seen:
                continue
            self.seen.add(mid)
            if not self.careless and str(msg.get("Auto-Submitted", "no")).strip().lower() != "no":
                continue
            reply = EmailMessage()
            reply["From"], reply["To"] = self.address, str(msg["From"])
            reply["Subject"] = f"自动回复：{msg['Subject']}"
            reply["Message-ID"] = f"<vacation-{len(self.seen)}-{mid.strip('<>')}>"
            reply["In-Reply-To"] = reply["References"] = mid
            reply["Auto-Submitted"] = "auto-replied (vacation)"
            reply.set_content("您好，我1月10日前休假，急事请联系办公室。")
            mail_in(self.res, reply.as_bytes(policy=policy.SMTP))
            self.answered += 1


def _outbox_to(res, address: str) -> list[OutboxMessage]:
    with unit_of_work(res.db) as s:
        return [r for r in s.scalars(select(OutboxMessage)) if address in r.recipients]


def _run(res, responder: AutoResponder) -> None:
    responder.run()
    poll_inbox(res)
    send_outbox(res)


def test_an_autoresponder_that_answers_everything_and_the_intake_do_not_loop(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    unit = list(res.config.reporting_units)[0]
    clerk = unit.contacts[0]
    responder = AutoResponder(res, clerk, careless=True)
    _run(res, responder)  # the invitation is answered by the responder; the answer is not answered
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR)))
    _run(res, responder)  # the workbook gets its receipt; the responder answers the receipt
    _run(res, responder)  # that answer is archived, not answered
    _run(res, responder)
    assert responder.answered == 2  # the invitation and the receipt, once each
    assert sorted(r.kind for r in _outbox_to(res, clerk)) == ["invitation", "receipt"]
    with unit_of_work(res.db) as s:
        auto = s.scalars(select(InboundMessage.automatic).where(InboundMessage.automatic.is_not(None))).all()
    assert auto == ["auto_submitted", "auto_submitted"]


def test_every_mail_nianbao_sends_carries_auto_submitted(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    unit = list(res.config.reporting_units)[0]
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR)))
    poll_inbox(res)
    send_outbox(res)
    sent = sent_mails(res)
    marks = {str(m["Auto-Submitted"]) for m in sent}
    assert marks == {"auto-generated", "auto-replied"}
    receipt = next(m for m in sent if str(m["In-Reply-To"] or "").startswith("<t1-"))
    assert receipt["Auto-Submitted"] == "auto-replied" and receipt["X-Auto-Response-Suppress"] == "All"


def test_a_careful_autoresponder_answers_none_of_nianbaos_mails(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    unit = list(res.config.reporting_units)[0]
    responder = AutoResponder(res, unit.contacts[0], careless=False)
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR)))
    for _ in range(2):
        _run(res, responder)
    assert responder.seen and responder.answered == 0


def test_a_newsletter_with_list_id_is_archived_and_not_answered(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    mail_in(res, mailkinds.list_mail())
    report = poll_inbox(res)
    assert report.automatic() == 1 and report.messages[0].automatic == "list"
    with unit_of_work(res.db) as s:
        assert s.scalars(select(OutboxMessage.key).where(OutboxMessage.key.like("reply/%"))).all() == []
        stored = s.scalars(select(InboundMessage)).one()
    assert stored.automatic == "list" and res.store.exists(stored.sha256, ".eml")


def _returned(res, original: bytes) -> bytes:
    """A mail system's report returning ``original`` whole (its attachment too)."""
    report = EmailMessage()
    report["From"] = "MAILER-DAEMON@mx.example.cn (Mail Delivery System)"
    report["To"] = res.config.intake_address
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Message-ID"] = "<returned.1@mx.example.cn>"
    report.set_content("I'm sorry to have to inform you that your message could not be delivered.")
    report.add_attachment(message_from_bytes(original, policy=policy.default))
    return report.as_bytes(policy=policy.SMTP)


def test_a_returned_invitation_with_its_workbook_is_never_held(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    invitation = next(m for m in sent_mails(res) if m.get_all("Auto-Submitted"))
    mail_in(res, _returned(res, invitation.as_bytes(policy=policy.SMTP)))
    report = poll_inbox(res)
    assert report.messages[0].automatic == "mailer_daemon" and report.messages[0].attachments == []
    with unit_of_work(res.db) as s:
        assert s.scalars(select(Submission.id)).all() == []
        assert s.scalars(select(OutboxMessage.key).where(OutboxMessage.key.like("reply/%"))).all() == []


def test_a_workbook_from_a_units_contact_in_a_bulk_marked_mail_is_stored_but_not_answered(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    unit = list(res.config.reporting_units)[0]
    raw = unit_mail(res, unit, YEAR, filled(res, unit, YEAR))
    mail_in(res, b"Precedence: bulk\r\n" + raw)
    report = poll_inbox(res)
    assert report.messages[0].automatic == "precedence"
    assert [a.status for a in report.messages[0].attachments] == ["accepted"]
    with unit_of_work(res.db) as s:
        assert s.scalars(select(OutboxMessage.key).where(OutboxMessage.key.like("reply/%"))).all() == []
