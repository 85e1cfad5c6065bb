"""A full disk fails the flow run (so the failure alert fires) and still sends the receipts."""

from __future__ import annotations

from flows.cycle import intake_flow
from nianbao.resources import make_resources
from nianbao.stages.open_cycle import open_cycle
from nianbao.stages.send import send_outbox
from tests.factories import filled, mail_in, sent_mails, unit_mail
from tests.fullfs import full_tmpfs, leftovers


def test_unit_drafts_on_a_full_disk_fail_the_intake_flow_run_and_the_receipt_still_goes(flow_env):
    res = make_resources(today="2027-01-06", cached=False)
    open_cycle(res, 2026)
    send_outbox(res)
    before = {str(m["Message-ID"]) for m in sent_mails(res)}
    unit = res.config.reporting_units[0]
    mail_in(res, unit_mail(res, unit, 2026, filled(res, unit, 2026)))
    units = flow_env / "outputs" / "2026" / "units"
    with full_tmpfs(units):
        state = intake_flow(year=2026, today="2027-01-06", return_state=True)
        assert state.is_failed()
        assert "无法写入" in state.message and str(units) in state.message
        assert leftovers(flow_env) == []
    [receipt] = [m for m in sent_mails(res) if str(m["Message-ID"]) not in before]
    assert receipt["To"].addresses[0].addr_spec == unit.contacts[0]
    assert receipt.get_content_type() == "text/plain"  # the receipt, not the unit's draft (never written)
