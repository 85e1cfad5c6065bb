"""Who has reported: per unit on time / late / missing / rejected / held, and DHIS2-style rates."""

from __future__ import annotations

from dataclasses import dataclass, field

import pendulum
from sqlalchemy.orm import Session

from nianbao import repo
from nianbao.cityconfig import CityConfig
from nianbao.completeness import Rates, UnitState, reporting_rates, status_label, unit_status
from nianbao.db.models import Cycle
from nianbao.db.session import unit_of_work
from nianbao.intake.undelivered import Returned, returned_mail
from nianbao.mail.outbox_state import OutboxState, outbox_state
from nianbao.plan import CyclePlan, build_plan
from nianbao.resources import Resources


@dataclass
class StatusReport:
    year: int
    states: list[UnitState]
    rates: Rates
    plan: CyclePlan
    returned: list[Returned] = field(default_factory=list)  # dead addresses found by bounces
    returned_label: str = "邀请未送达"  # config messages' unit_label_undelivered
    outbox: OutboxState | None = None

    def rows(self) -> list[dict]:
        """Each unit; one that has not reported and whose invitation came back says so."""
        bounced = {r.unit_code for r in self.returned if r.kind == "invitation"}
        return [{"code": st.unit_code, "name": st.name, "status": st.status,
                 "label": status_label(st.status) + (f"（{self.returned_label}）" if st.unit_code in bounced
                                                     and st.status not in ("on_time", "late") else ""),
                 "received": st.received_at.in_timezone(self.plan.tz).format("YYYY-MM-DD HH:mm")
                 if st.received_at else ""} for st in self.states]

    def returned_rows(self) -> list[dict]:
        return [{"code": r.unit_code or "", "unit": r.unit, "kind": r.kind, "what": r.what,
                 "address": r.address, "status": r.status, "diagnostic": r.diagnostic, "received": r.received,
                 "still_listed": r.still_listed} for r in self.returned]


def deadline_end(plan: CyclePlan) -> pendulum.DateTime:
    """Timeliness is judged against the last deadline's effective day, to its end (the city's time zone)."""
    last = max(plan.deadlines, key=lambda d: d.effective)
    return plan.at(last.effective, 0).add(days=1)


def unit_states(s: Session, config: CityConfig, cycle: Cycle, plan: CyclePlan) -> list[UnitState]:
    return states_of(config, cycle, plan, repo.submission_rows(s, cycle.id))


def states_of(config: CityConfig, cycle: Cycle, plan: CyclePlan, rows: list[repo.SubmissionRow]) -> list[UnitState]:
    """Each expected unit's state from the cycle's submissions (``repo.submission_rows``: oldest first)."""
    end = deadline_end(plan).in_timezone(pendulum.UTC)  # same zone as the rows: compared without tz lookups
    earliest: dict[str, dict[str, pendulum.DateTime]] = {}  # unit → status → its first submission's time
    latest: dict[str, dict[str, pendulum.DateTime]] = {}  # unit → status → its last submission's time
    for _, code, status, at in rows:
        if code is not None:
            earliest.setdefault(code, {}).setdefault(status, at)
            latest.setdefault(code, {})[status] = at
    states = []
    for code in repo.expected_codes(config, cycle):
        seen = earliest.get(code, {})
        first_ok = min((t for st, t in seen.items() if st in ("accepted", "superseded")), default=None)
        current_ok = seen.get("accepted")
        status = unit_status(first_ok if current_ok else None, "rejected" in seen, "held" in seen, end)
        # 收到时间: the current workbook's; for one sent back or held, when the latest such came in.
        received = current_ok if current_ok else latest.get(code, {}).get(status)
        states.append(UnitState(code, config.unit(code).name, status, received))
    return states


def cycle_status(res: Resources, year: int) -> StatusReport:
    plan = build_plan(res.config, year)
    with unit_of_work(res.db) as s:
        cycle = repo.get_cycle(s, year)
        states = unit_states(s, res.config, cycle, plan)
        expected = set(repo.expected_codes(res.config, cycle))
        returned = returned_mail(s, res.config, cycle)
        mail = outbox_state(s, res.config.timezone)
    return StatusReport(year, states, reporting_rates(states, expected), plan, returned,
                        res.config.text("unit_label_undelivered"), mail)
