"""Failure alerts: an automation on the Prefect server runs the `alert` deployment whenever a flow run
tagged nianbao fails or crashes; the alert flow mails the administrators through the outbox.

`nianbao alerts` (or `install_alert()`) creates the automation — deleting any of the same name first,
since the server allows several and each would fire. The alert deployment itself carries no nianbao tag,
so an alert that fails cannot alert about itself."""

from __future__ import annotations

from prefect import flow

from nianbao.explain import run_failure
from sqlalchemy import select

from nianbao.db.models import OutboxMessage
from nianbao.mail.message import compose
from nianbao.mail.outbox import enqueue
from nianbao.db.session import unit_of_work
from nianbao.texts import fmt_time, render_mail
from tasks.common import explained, flow_resources, log
from tasks.cycle import send_outbox_task
from tasks.params import labelled, text

AUTOMATION = "nianbao-failure-alert"
ALERT_DEPLOYMENT = "alert/alert"


def alert_run_name() -> str:
    """`告警：intake（收件 2027-01-08 09:15）Failed`: which run failed, not a random name."""
    from prefect.runtime import flow_run

    p = flow_run.parameters or {}
    return text("run_alert").format(flow=p.get("flow_name") or "", run=p.get("failed_run_name") or "",
                                    state=p.get("state") or "")


@flow(name="alert", flow_run_name=alert_run_name, description=text("flow_alert"))
@explained
def alert_flow(failed_run_id: labelled(str, "failed_run_id") = "",
               failed_run_name: labelled(str, "failed_run_name") = "",
               flow_name: labelled(str, "flow_name") = "", state: labelled(str, "state") = "",
               message: labelled(str, "message") = "") -> bool:
    """Mail the administrators that a flow run failed, with where to look."""
    res = flow_resources()
    cfg, now = res.config, res.clock.now()
    subject, body = render_mail(res.settings.templates_dir, "alert", city=cfg, run_id=failed_run_id,
                                run_name=failed_run_name, flow_name=flow_name, state=state,
                                message=run_failure(cfg, state, message),
                                when=fmt_time(now, cfg.timezone))
    msg = compose(sender=(cfg.sender_name, cfg.intake_address), to=list(cfg.admin_emails), subject=subject,
                  text=body, date=now, auto="auto-generated")
    with unit_of_work(res.db) as s:
        # While mail is down every run fails alike: one alert about a flow waits in the outbox, not one per run.
        waiting = s.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "alert", OutboxMessage.subject == subject,
                                                          OutboxMessage.status.in_(("queued", "sending"))).limit(1))
        created = False
        if waiting is None:
            _, created = enqueue(s, res.store, key=f"alert/{failed_run_id or now.isoformat()}", kind="alert",
                                 msg=msg, now=now)
    send_outbox_task(res)
    said = "已通知管理员：流程 %s（%s）%s" if created else "流程 %s（%s）%s：同一流程的告警仍在发件箱中等待发送，不再重复"
    log().info(said, flow_name, failed_run_name, state)
    return created


def automation(alert_deployment_id):
    from prefect.automations import AutomationCore, EventTrigger, Posture, RunDeployment

    return AutomationCore(
        name=AUTOMATION, description="nianbao 的流程失败或崩溃时，给管理员发邮件", enabled=True,
        trigger=EventTrigger(
            expect={"prefect.flow-run.Failed", "prefect.flow-run.Crashed"},
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related={"prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.nianbao"},
            for_each={"prefect.resource.id"}, posture=Posture.Reactive, threshold=1, within=0),
        actions=[RunDeployment(source="selected", deployment_id=alert_deployment_id, parameters={
            # A bare "{{ x }}" is rendered as JSON and a UUID is not JSON: "| string" keeps it a string.
            "failed_run_id": "{{ flow_run.id | string }}", "failed_run_name": "{{ flow_run.name }}",
            "flow_name": "{{ flow.name }}", "state": "{{ flow_run.state.name }}",
            "message": "{{ flow_run.state.message }}"})])


def install_alert() -> str:
    """Create (or re-create) the automation on the server PREFECT_API_URL names."""
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    from nianbao.errors import NianbaoError

    with get_client(sync_client=True) as client:
        try:
            deployment = client.read_deployment_by_name(ALERT_DEPLOYMENT)
        except ObjectNotFound:
            raise NianbaoError("Prefect 服务器上没有 alert 部署：请先运行 nianbao serve 或 prefect deploy --all") from None
        for old in client.read_automations_by_name(AUTOMATION):
            client.delete_automation(old.id)
        client.create_automation(automation(deployment.id))
    return AUTOMATION
