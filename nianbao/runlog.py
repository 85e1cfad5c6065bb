"""What a run says it did, line by line, for its log in the Prefect UI: a line per mail taken in, per
unit reminded, per mail sent, per draft made. Plain functions over the stages' reports, worded by
config/messages.yaml (the log_* keys); the tasks of tasks/ log the lines at INFO."""

from __future__ import annotations

from nianbao.cityconfig import CityConfig
from nianbao.intake.report import IntakeReport, MessageReport
from nianbao.mail.outbox import DeliveryReport
from nianbao.output import STATUS_ZH
from nianbao.stages.open_cycle import OpenResult
from nianbao.stages.remind import RemindReport
from nianbao.stages.unit_drafts import UnitDraftsReport


def _status(status: str) -> str:
    return STATUS_ZH.get(status, status)


def _who(addresses) -> str:
    return "、".join(addresses)


def intake_mail(cfg: CityConfig, m: MessageReport) -> str:
    books = "；".join(cfg.text("log_intake_book", unit=a.unit.name if a.unit else cfg.text("log_unit_unknown"),
                               status=_status(a.status), file=a.filename) for a in m.attachments)
    return cfg.text("log_intake_mail", sender=m.sender or m.source, subject=m.subject or "",
                    books=books or cfg.text("log_intake_no_books"), status=_status(m.status))


def intake_summary(cfg: CityConfig, report: IntakeReport) -> str:
    if not report.messages:
        return cfg.text("log_intake_none")
    return cfg.text("log_intake_done", mails=len(report.messages), accepted=report.count("accepted"),
                    held=report.count("held"), rejected=report.count("rejected"))


def opened(cfg: CityConfig, result: OpenResult) -> list[str]:
    names = [cfg.unit(code).name for code in result.invited]
    return [cfg.text("log_open", year=result.year, count=len(names), already=len(result.already),
                     units=_who(names) or cfg.text("log_none"))]


def reminded(cfg: CityConfig, report: RemindReport) -> list[str]:
    if not report.workday:
        return [report.note]
    lines = [cfg.text("log_remind_digest", to=_who(m.recipients)) if m.kind == "digest" else
             cfg.text("log_remind_mail", unit=m.unit_name, what=cfg.text(f"log_remind_kind_{m.kind}"),
                      deadline=m.deadline_name, to=_who(m.recipients))
             for m in report.mails]
    if report.dry_run:
        lines = [cfg.text("log_remind_dry", line=line) for line in lines]
    return lines or [cfg.text("log_remind_none", year=report.year)]


def delivered(cfg: CityConfig, report: DeliveryReport) -> list[str]:
    lines = [cfg.text("log_sent", subject=subject, to=_who(to)) for _, subject, to in report.delivered]
    if report.failed or report.broken:
        lines.append(cfg.text("log_send_failed", failed=report.failed, broken=report.broken,
                              stopped=report.stopped or ""))
    return lines


def unit_drafts(cfg: CityConfig, report: UnitDraftsReport) -> list[str]:
    return [cfg.text("log_unit_draft", unit=name, file=path.name) for name, path in report.made]
