"""`nianbao serve`: every deployment of prefect.yaml served from one process, on their schedules.

Schedules never fire on Prefect's ephemeral server. With an API URL configured — PREFECT_API_URL in
the environment or in the active Prefect profile (`prefect config set`) — the deployments are served
there. Otherwise a local `prefect server start` is started on 127.0.0.1 (NIANBAO_PREFECT_PORT, 4200)
and stopped on exit — even when serve is killed outright (the server gets SIGTERM when serve dies), so
the port is free for the next serve; a port that is already taken is refused, never shared.

Serving leaves the schedules as the administrator last set them: a deployment paused in the UI stays
paused, a schedule switched off stays off, and stopping serve (SIGTERM from a service manager) pauses
nothing — upstream's serve pauses every deployment on exit (prefect#16363) and the next serve could not
tell that pause from an administrator's. prefect.yaml (or NIANBAO_PREFECT_YAML) stays the single source
of the schedules (`prefect deploy --all` reads the same file)."""

from __future__ import annotations

import ctypes
import importlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from nianbao.access import connect_host, local_server_problem, remote_server_problem
from flows.missed import cancel_missed
from nianbao.cityconfig import load_city_config
from nianbao.errors import NianbaoError
from nianbao.settings import REPO_ROOT, load_settings


def deployments_file() -> Path:
    """prefect.yaml of the checkout, or the file NIANBAO_PREFECT_YAML names (a city's own schedules)."""
    return Path(os.environ.get("NIANBAO_PREFECT_YAML") or REPO_ROOT / "prefect.yaml")


def load_deployments(path: Path | None = None) -> list[dict]:
    return yaml.safe_load((path or deployments_file()).read_text(encoding="utf-8"))["deployments"]


def flow_of(entrypoint: str):
    module, _, name = entrypoint.partition(":")
    return getattr(importlib.import_module(module.removesuffix(".py").replace("/", ".")), name)


def to_runner_deployments(specs: list[dict], tz: str, existing: dict | None = None) -> list:
    """prefect.yaml's deployments as runner deployments; a schedule without a time zone is in the
    city's (city.yaml). ``existing`` (full name → the server's deployment) keeps what an administrator
    set: the deployment's pause, and each unchanged schedule's on/off switch."""
    from prefect.client.schemas.actions import DeploymentScheduleCreate
    from prefect.client.schemas.schedules import CronSchedule

    existing = existing or {}
    out = []
    for spec in specs:
        flow = flow_of(spec["entrypoint"])
        before = existing.get(f"{flow.name}/{spec['name']}")
        active = {(s.schedule.cron, s.schedule.timezone): s.active for s in (before.schedules if before else [])
                  if isinstance(s.schedule, CronSchedule)}
        schedules = []
        for s in spec.get("schedules") or []:
            cron = CronSchedule(cron=s["cron"], timezone=s.get("timezone", tz))
            schedules.append(DeploymentScheduleCreate(schedule=cron, active=active.get((cron.cron, cron.timezone), True)))
        out.append(flow.to_deployment(
            name=spec["name"], schedules=schedules, parameters=spec.get("parameters") or {},
            description=spec.get("description"), tags=spec.get("tags") or [],
            paused=before.paused if before else None,
            concurrency_limit=_concurrency(spec.get("concurrency_limit"))))
    return out


def _concurrency(spec: int | dict | None):
    """prefect.yaml's concurrency_limit (a number, or limit and collision_strategy) as `to_deployment` takes it."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig

    return ConcurrencyLimitConfig(**spec) if isinstance(spec, dict) else spec


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def port_taken(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        return s.connect_ex((host, port)) == 0


PR_SET_PDEATHSIG = 1


def _dies_with(parent: int) -> Callable[[], None] | None:
    """What the server's process runs before it starts (Linux): SIGTERM when serve dies, even when serve
    is SIGKILLed, which no `finally` sees. Looked up here, not in the forked child (no loader call there)."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux: a killed serve leaves its server to the administrator
        return None

    def arm() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # serve died before the signal was armed
            os._exit(1)
    return arm


@contextmanager
def local_server(port: int, host: str = "127.0.0.1") -> Iterator[str]:
    """A `prefect server start` bound to ``host`` for as long as the block runs; a taken port is refused.
    Yields the API URL this machine reaches it at."""
    near = connect_host(host)
    if port_taken(port, near):
        raise NianbaoError(f"端口 {port} 已被占用（可能已有 Prefect 服务器在运行）。如要使用那台服务器，请设置 "
                           f"PREFECT_API_URL=http://127.0.0.1:{port}/api；否则请用 NIANBAO_PREFECT_PORT 另选端口。")
    url = f"http://{near}:{port}/api"
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_API_URL": url}
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", host,
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                            preexec_fn=_dies_with(os.getpid()))
    try:
        deadline = time.monotonic() + 120
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise NianbaoError(f"本地 Prefect 服务器未能在端口 {port} 启动")
            time.sleep(0.5)
        if proc.poll() is not None:  # another server answered on our port: it is not ours to use
            raise NianbaoError(f"端口 {port} 上回应的不是本进程启动的 Prefect 服务器")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _existing(specs: list[dict]) -> dict:
    """Deployment full name → the server's deployment, for those of ``specs`` already there."""
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    out = {}
    with get_client(sync_client=True) as client:
        for spec in specs:
            name = f"{flow_of(spec['entrypoint']).name}/{spec['name']}"
            try:
                out[name] = client.read_deployment_by_name(name)
            except ObjectNotFound:
                pass
    return out


class StopOnTerm:
    """SIGTERM (systemd, a test) becomes a KeyboardInterrupt in the main thread, so the context managers
    run and a server we started stops. It is repeated until it lands: Python drops an exception a
    signal handler raises while a finaliser runs, and registering deployments makes plenty of garbage.
    Once prefect's runner has started it replaces this handler with its own graceful one."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.landed = threading.Event()

    def install(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: self.requested.set())
        threading.Thread(target=self._deliver, name="stop-on-term", daemon=True).start()

    def _deliver(self) -> None:
        import _thread

        self.requested.wait()
        while not self.landed.is_set():
            _thread.interrupt_main()
            self.landed.wait(5)


def _serve(specs: list[dict], cfg, stop: StopOnTerm) -> None:
    from prefect import serve as prefect_serve

    existing = _existing(specs)
    deployments = to_runner_deployments(specs, cfg.timezone, existing)
    missed = cancel_missed(cfg, {d.name: d.id for d in existing.values()})
    if missed:
        print(cfg.text("serve_missed", runs="、".join(f"{name} {n} 次" for name, n in missed.items())), flush=True)
    try:
        prefect_serve(*deployments, pause_on_shutdown=False)
    finally:
        stop.landed.set()


def serve(host: str | None = None) -> int:
    """Serve on the configured Prefect server, or on a local one bound to ``host`` (NIANBAO_PREFECT_HOST,
    127.0.0.1). Refused before anything starts where others could decide without a password."""
    from prefect.settings import (
        PREFECT_API_AUTH_STRING, PREFECT_API_URL, PREFECT_SERVER_API_AUTH_STRING, temporary_settings,
    )

    stop = StopOnTerm()
    stop.install()
    specs = load_deployments()
    cfg = load_city_config(load_settings().config_dir)
    host = host or os.environ.get("NIANBAO_PREFECT_HOST") or "127.0.0.1"
    configured = PREFECT_API_URL.value()  # the environment or the active profile
    server_auth, client_auth = PREFECT_SERVER_API_AUTH_STRING.value(), PREFECT_API_AUTH_STRING.value()
    problem = (remote_server_problem(cfg, configured, client_auth) if configured
               else local_server_problem(cfg, host, server_auth))
    if problem:
        raise NianbaoError(problem)
    try:
        if configured:
            print(f"使用已配置的 Prefect 服务器：{configured}", flush=True)
            _serve(specs, cfg, stop)
            return 0
        port = int(os.environ.get("NIANBAO_PREFECT_PORT", "4200"))
        client = {PREFECT_API_AUTH_STRING: client_auth or server_auth} if server_auth else {}
        with local_server(port, host) as url, temporary_settings({PREFECT_API_URL: url, **client}):
            os.environ["PREFECT_API_URL"] = url  # the flow runs serve starts talk to the same server
            if server_auth and not client_auth:
                os.environ["PREFECT_API_AUTH_STRING"] = server_auth
            print(f"已启动本地 Prefect 服务器：{url.removesuffix('/api')}（界面地址）", flush=True)
            _serve(specs, cfg, stop)
    except KeyboardInterrupt:
        stop.landed.set()
    return 0
