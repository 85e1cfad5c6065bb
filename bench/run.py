"""Province-scale benchmark: a synthetic cycle for N units (templates, N mailed workbooks through the
whole intake, aggregation, draft), each stage timed, against baselines measured in the same run on the
same files: bare python-calamine and openpyxl (read_only) reads, bare xlsxwriter writing the same cells.

    python bench/run.py --units 4000            # prints a table per size, then one JSON line
    NIANBAO_INTAKE_PROCESSES=1 python bench/run.py --units 4000   # the intake without worker processes
    python bench/run.py --units 4000 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Sizes 40 and 400 are always run too, to show how cost grows. Ratios, not absolute times, are the result:
they hold across machines."""

from __future__ import annotations

import argparse
import atexit
import io
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pendulum
import yaml

ROOT = Path(__file__).resolve().parents[1]
# Before anything imports Prefect: its logging and telemetry are configured at import.
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
if not os.environ.get("PREFECT_API_URL"):  # the embedded server in a home of its own, whatever ~/.prefect holds
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="nianbao-bench-prefect-")
    atexit.register(shutil.rmtree, os.environ["PREFECT_HOME"], True)
sys.path.insert(0, str(ROOT))
from tests.procs import TreePeak  # noqa: E402 - the same sampler the memory tests use

INTAKE_GUARD = 6.0  # the intake's time over a bare calamine read of the same files, at most (issue 26)
KINDS = ["district", "county_city", "county", "zone", "department"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable, *args, **kw) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - t, out


def province_config(n: int, dst: Path) -> Path:
    """config/ with N synthetic units under one province government."""
    shutil.copytree(ROOT / "config", dst)
    units = [{"code": "P00", "name": "省人民政府", "kind": "city", "parent": None,
              "contacts": ["gov@prov.example.cn"], "leaders": ["leader@prov.example.cn"], "reports": False}]
    for i in range(n):
        units.append({"code": f"U{i:05d}", "name": f"单位{i:05d}", "kind": KINDS[i % len(KINDS)], "parent": "P00",
                      "contacts": [f"u{i}@units.example.cn"], "leaders": [f"l{i}@units.example.cn"]})
    (dst / "units.yaml").write_text(yaml.safe_dump({"units": units}, allow_unicode=True), encoding="utf-8")
    # Rules that name the city's own units (plausibility per unit) have no meaning for synthetic ones
    rules = yaml.safe_load((dst / "rules.yaml").read_text(encoding="utf-8"))
    rules["rules"] = [r for r in rules["rules"] if "units" not in r]
    (dst / "rules.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    # The units' drafts are timed as .docx; their PDFs (one LibreOffice run) are timed apart on a sample
    report = yaml.safe_load((dst / "report.yaml").read_text(encoding="utf-8"))
    report["unit_drafts"]["pdf"] = False
    (dst / "report.yaml").write_text(yaml.safe_dump(report, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dst


_CONFIGS: dict = {}


def _fill_one(args: tuple) -> bytes:
    """Worker: a clerk fills one unit's workbook (openpyxl round trip, like Excel would save it)."""
    config_dir, code, year, key = args
    from nianbao.cityconfig import load_city_config
    from nianbao.demo import confirm_notes
    from nianbao.sample_data import unit_values
    from nianbao.workbook.fill import fill_workbook
    from nianbao.workbook.template import build_template

    if config_dir not in _CONFIGS:  # once per worker process
        _CONFIGS[config_dir] = load_city_config(config_dir)
    cfg = _CONFIGS[config_dir]
    unit = cfg.unit(code)
    values = unit_values(cfg, unit, year)
    typed = {k: ("不涉及" if v is None else v) for k, v in values.items()}
    return fill_workbook(build_template(cfg, unit, year, {}, key), typed, notes=confirm_notes(cfg, values))


def bare_calamine(files: list[bytes]) -> None:
    from python_calamine import CalamineWorkbook

    for data in files:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()


def bare_openpyxl(files: list[bytes]) -> None:
    import openpyxl

    for data in files:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for ws in wb.worksheets:
            for _ in ws.iter_rows(values_only=True):
                pass
        wb.close()


def bare_xlsxwriter(cfg, units, year: int) -> None:
    """The same cells a template holds (identity, code/name/unit/values per indicator), nothing else."""
    import xlsxwriter

    for unit in units:
        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True})
        for sec in cfg.report.sections:
            ws = wb.add_worksheet(sec.sheet)
            for r, ind in enumerate(i for i in cfg.input_indicators(unit) if i.section == sec.code):
                ws.write_row(r + 1, 0, [ind.code, ind.name, ind.unit, None, None, ""])
        ident = wb.add_worksheet("_id")
        ident.write_row(0, 0, [unit.code, year, "v", "sig"])
        wb.close()


@contextmanager
def smtp_sink() -> Iterator[int]:
    """A local SMTP server in its own process (aiosmtpd's Sink: accepts and drops every message), so the
    server does not share the measured process's GIL. Yields its port."""
    import socket
    import subprocess

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("aiosmtpd did not start")
            time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def bare_smtplib(port: int, messages: list[tuple[bytes, str, list[str]]]) -> None:
    """The same messages over one connection with nothing around them: the floor for the outbox."""
    import smtplib

    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for data, sender, to in messages:
            smtp.sendmail(sender, to, data)


def open_and_send(res, year: int) -> dict:
    """`nianbao open` as an administrator runs it: templates and invitations queued, then sent to a local
    SMTP server over the outbox; then bare smtplib sending the same messages to the same server."""
    from email import message_from_bytes, policy
    from email.utils import parseaddr

    from sqlalchemy import select

    from nianbao.db.models import OutboxMessage
    from nianbao.db.session import unit_of_work
    from nianbao.mail.outbox import message_bytes
    from nianbao.mail.transport import SmtpTransport
    from nianbao.stages.open_cycle import open_cycle
    from nianbao.stages.send import send_outbox

    with smtp_sink() as port:
        smtp_res = res.with_(transport=SmtpTransport("127.0.0.1", port, security="none"))
        queue_s, _ = timed(open_cycle, smtp_res, year)
        send_s, sent = timed(send_outbox, smtp_res)
        with unit_of_work(res.db) as s:
            rows = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "invitation")).all()
            messages = []
            for row in rows:
                data = message_bytes(row, res.store)
                sender = parseaddr(message_from_bytes(data, policy=policy.compat32)["From"])[1]
                messages.append((data, sender, list(row.recipients)))
        smtplib_s, _ = timed(bare_smtplib, port, messages)
    return {"open_s": round(queue_s + send_s, 2), "open_queue_s": round(queue_s, 2), "send_s": round(send_s, 2),
            "sent": sent.sent, "bare_smtplib_s": round(smtplib_s, 2), "send_vs_smtplib": round(send_s / smtplib_s, 2)}


def _autocommit(url: str, *statements: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        for sql in statements:
            c.execute(text(sql))
    engine.dispose()


def postgres_url(admin_url: str, n: int) -> str:
    """A fresh database for one size on the PostgreSQL server of ``admin_url``."""
    name = f"nianbao_bench_n{n}"
    _autocommit(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def analyze(url: str) -> None:
    """What autovacuum has long done by the time a real cycle is drafted, weeks after its intake."""
    _autocommit(url, "ANALYZE")


def run_size(n: int, workdir: Path, year: int = 2026, database_url: str | None = None) -> dict:
    from nianbao.clock import FixedClock
    from nianbao.mail.inbox import deliver_to_maildir
    from nianbao.mail.message import compose
    from nianbao.resources import make_resources
    from nianbao.settings import load_settings
    from nianbao.stages.draft import make_draft
    from nianbao.intake.run import poll_inbox
    from nianbao.repo import ensure_cycle
    from nianbao.db.session import unit_of_work
    from nianbao.workbook.template import build_template, template_filename

    base = workdir / f"n{n}"
    config_dir = province_config(n, base / "config")
    tuning = {k: v for k, v in os.environ.items() if k.startswith("NIANBAO_INTAKE_")}  # batch, processes
    env = {**tuning, "NIANBAO_DATA": str(base / "var"), "NIANBAO_CONFIG": str(config_dir), "NIANBAO_HMAC_SECRET": "bench",
           **({"NIANBAO_DATABASE_URL": database_url} if database_url else {})}
    at = pendulum.datetime(year + 1, 1, 20, 10, tz="Asia/Shanghai")
    res = make_resources(load_settings(env), clock=FixedClock(at), cached=False)
    cfg, units = res.config, list(res.config.reporting_units)
    with unit_of_work(res.db) as s:
        ensure_cycle(s, cfg, year, at)
    out: dict = {"units": n}

    out["templates_s"], _ = timed(lambda: [build_template(cfg, u, year, {}, res.hmac_key) for u in units])
    out["bare_xlsxwriter_s"], _ = timed(bare_xlsxwriter, cfg, units, year)
    out.update(open_and_send(res, year))

    with ProcessPoolExecutor(max_workers=2) as pool:  # simulation of the clerks; not a measured stage
        files = list(pool.map(_fill_one, [(config_dir, u.code, year, res.hmac_key) for u in units], chunksize=20))
    inbox = res.settings.data_dir / "mail" / "inbox"
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    for u, data in zip(units, files):
        deliver_to_maildir(inbox, compose(
            sender=(u.name, u.contacts[0]), to=[cfg.intake_address], subject=f"{u.name}报表", text="见附件",
            attachments=[(template_filename(cfg, u, year), data, xlsx)], date=at).as_bytes())

    os.sync()  # the mails just delivered reach the disk before the clock starts, as on a mail server
    # Best of three: the machine's speed drifts, and a slow moment must not flatter the intake's ratio.
    out["bare_calamine_s"] = min(timed(bare_calamine, files)[0] for _ in range(3))
    out["bare_openpyxl_s"], _ = timed(bare_openpyxl, files)
    with TreePeak(os.getpid()) as tree:  # this process and the sandbox's workers
        out["intake_s"], report = timed(poll_inbox, res)
    out["accepted"] = report.count("accepted")
    if database_url:
        analyze(database_url)
    # Best of five at every size: the first draft in a process also pays one-off imports and template
    # compiling, which would flatter the 4000-vs-40 ratio (40 units run first).
    out["draft_s"] = min(timed(make_draft, res, year, base / "draft")[0] for _ in range(5))
    out.update(unit_drafts_and_disclosure(res, year))
    out["peak_mb"] = round(peak_mb(), 1)
    out["intake_peak_with_workers_mb"] = round(tree.peak, 1)
    out["intake_processes"] = res.settings.intake_processes
    out["intake_vs_calamine"] = round(out["intake_s"] / out["bare_calamine_s"], 2)
    out["templates_vs_xlsxwriter"] = round(out["templates_s"] / out["bare_xlsxwriter_s"], 2)
    return out


PDF_SAMPLE = 20  # unit drafts converted to PDF to time LibreOffice per draft


def unit_drafts_and_disclosure(res, year: int) -> dict:
    """Every unit's own draft (.docx and its mail queued), then the 31 January disclosure (all files,
    forced past nothing: the bench's data are consistent); and PDFs of a sample of the unit drafts."""
    from nianbao.report.pdf import pdf_versions
    from nianbao.stages.disclose import disclose
    from nianbao.stages.unit_drafts import make_unit_drafts

    units_s, made = timed(make_unit_drafts, res, year)
    disclose_s, disclosed = timed(disclose, res, year)
    sample = {p.name: p.read_bytes() for _, p in made.made[:PDF_SAMPLE]}
    pdf_s, pdfs = timed(pdf_versions, sample, config_dir=res.settings.config_dir)
    return {"unit_drafts_s": round(units_s, 2), "unit_drafts": len(made.made), "unit_drafts_failed": len(made.failed),
            "unit_draft_ms": round(1000 * units_s / max(1, len(made.made)), 1), "disclose_s": round(disclose_s, 2),
            "disclosed_rows": len(disclosed.reported),
            "unit_pdf_ms": round(1000 * pdf_s / len(pdfs), 1) if pdfs else None}


def task_runs_per_intake(workdir: Path, database_url: str | None) -> int:
    """Task runs of one intake flow run, counted on Prefect's API (independent of the unit count)."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    os.environ.update({"PREFECT_LOGGING_LEVEL": "WARNING", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    os.environ.update({"NIANBAO_DATA": str(workdir / "n40" / "var"), "NIANBAO_CONFIG": str(workdir / "n40" / "config"),
                       "NIANBAO_HMAC_SECRET": "bench"})
    if database_url:
        os.environ["NIANBAO_DATABASE_URL"] = database_url
    from flows.cycle import intake_flow

    state = intake_flow(year=2026, return_state=True)

    async def count() -> int:
        async with get_client() as client:
            runs = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
            return len(runs)

    return asyncio.run(count())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=4000)
    ap.add_argument("--skip-prefect", action="store_true", help="do not count task runs (saves ~10 s)")
    ap.add_argument("--postgres", metavar="ADMIN_URL", help="run on PostgreSQL: a fresh database per size on "
                    "this server (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres), dropped afterwards")
    args = ap.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    try:
        results, urls = {}, {}
        for n in sorted({40, 400, args.units}):
            urls[n] = postgres_url(args.postgres, n) if args.postgres else None
            results[n] = run_size(n, workdir, database_url=urls[n])
            r = results[n]
            print(f"{n:>5} units | templates {r['templates_s']:.2f}s (xlsxwriter {r['bare_xlsxwriter_s']:.2f}s, "
                  f"×{r['templates_vs_xlsxwriter']}) | intake {r['intake_s']:.2f}s (calamine {r['bare_calamine_s']:.2f}s, "
                  f"×{r['intake_vs_calamine']}; openpyxl {r['bare_openpyxl_s']:.2f}s) | draft {r['draft_s']:.2f}s | "
                  f"unit drafts {r['unit_drafts_s']:.2f}s ({r['unit_drafts']}, {r['unit_draft_ms']} ms each; PDF "
                  f"{r['unit_pdf_ms']} ms each) | disclose {r['disclose_s']:.2f}s ({r['disclosed_rows']} rows) | "
                  f"peak {r['peak_mb']} MB (intake with its workers {r['intake_peak_with_workers_mb']} MB) | accepted {r['accepted']}/{n} | "
                  f"open {r['open_s']:.2f}s (queue {r['open_queue_s']:.2f}s, send {r['send_s']:.2f}s; smtplib {r['bare_smtplib_s']:.2f}s, "
                  f"×{r['send_vs_smtplib']})", flush=True)
        big = results[args.units]
        summary = {k: big[k] for k in ("units", "intake_s", "bare_calamine_s", "bare_openpyxl_s", "intake_vs_calamine",
                                       "templates_s", "bare_xlsxwriter_s", "templates_vs_xlsxwriter", "peak_mb",
                                       "intake_peak_with_workers_mb", "intake_processes", "open_s", "send_s",
                                       "bare_smtplib_s", "send_vs_smtplib")}
        summary["draft_s_4000_vs_40"] = round(big["draft_s"] / results[40]["draft_s"], 2)
        summary.update({k: big[k] for k in ("unit_drafts_s", "unit_drafts", "unit_draft_ms", "unit_pdf_ms", "disclose_s")})
        # Per unit, so linear growth reads 1.0
        summary["unit_draft_ms_4000_vs_40"] = round(big["unit_draft_ms"] / results[40]["unit_draft_ms"], 2)
        summary["disclose_per_unit_4000_vs_40"] = round(big["disclose_s"] / results[40]["disclose_s"] * 40 / args.units, 2)
        summary["database"] = "postgresql" if args.postgres else "sqlite"
        summary["task_runs_per_intake"] = None if args.skip_prefect else task_runs_per_intake(workdir, urls[40])
        summary["intake_guard_ok"] = big["intake_vs_calamine"] <= INTAKE_GUARD
        print(json.dumps(summary))
        if not summary["intake_guard_ok"]:
            print(f"intake is {big['intake_vs_calamine']}× a bare calamine read, over the guard of {INTAKE_GUARD}×",
                  file=sys.stderr)
            raise SystemExit(1)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if args.postgres:
            _drop_bench_databases(args.postgres, [40, 400, args.units])


def _drop_bench_databases(admin_url: str, sizes: list[int]) -> None:
    _autocommit(admin_url, *(f'DROP DATABASE IF EXISTS "nianbao_bench_n{n}" WITH (FORCE)' for n in set(sizes)))


if __name__ == "__main__":
    main()
