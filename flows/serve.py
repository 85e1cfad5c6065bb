"""`nianbao serve`: every deployment of prefect.yaml served from one process, on their schedules.

Schedules never fire on Prefect's ephemeral server. With an API URL configured — PREFECT_API_URL in
the environment or in the active Prefect profile (`prefect config set`) — the deployments are served
there. Otherwise a local `prefect server start` is started on 127.0.0.1 (NIANBAO_PREFECT_PORT, 4200)
and stopped on exit; a port that is already taken is refused, never shared. On exit only the
deployments this process created are paused: ones that existed before keep their state.
prefect.yaml stays the single source of the schedules (`prefect deploy --all` reads the same file)."""

from __future__ import annotations

import importlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from nianbao.cityconfig import load_city_config
from nianbao.errors import NianbaoError
from nianbao.settings import REPO_ROOT, load_settings


def load_deployments(path: Path = REPO_ROOT / "prefect.yaml") -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["deployments"]


def flow_of(entrypoint: str):
    module, _, name = entrypoint.partition(":")
    return getattr(importlib.import_module(module.removesuffix(".py").replace("/", ".")), name)


def to_runner_deployments(specs: list[dict], tz: str) -> list:
    """prefect.yaml's deployments as runner deployments; a schedule without a time zone is in the
    city's (city.yaml)."""
    from prefect.client.schemas.schedules import CronSchedule

    out = []
    for spec in specs:
        schedules = [CronSchedule(cron=s["cron"], timezone=s.get("timezone", tz))
                     for s in spec.get("schedules") or []]
        out.append(flow_of(spec["entrypoint"]).to_deployment(
            name=spec["name"], schedules=schedules, parameters=spec.get("parameters") or {},
            description=spec.get("description"), tags=spec.get("tags") or [],
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


def port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def local_server(port: int) -> Iterator[str]:
    """A `prefect server start` on loopback for as long as the block runs; a taken port is refused."""
    if port_taken(port):
        raise NianbaoError(f"端口 {port} 已被占用（可能已有 Prefect 服务器在运行）。如要使用那台服务器，请设置 "
                           f"PREFECT_API_URL=http://127.0.0.1:{port}/api；否则请用 NIANBAO_PREFECT_PORT 另选端口。")
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_API_URL": url}
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
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


def _existing(names: list[str]) -> dict[str, bool]:
    """Deployment full name → paused, for those already on the server."""
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    out = {}
    with get_client(sync_client=True) as client:
        for name in names:
            try:
                out[name] = client.read_deployment_by_name(name).paused
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


def _serve(specs: list[dict], tz: str, stop: StopOnTerm) -> None:
    from prefect import get_client
    from prefect import serve as prefect_serve
    from prefect.exceptions import ObjectNotFound

    deployments = to_runner_deployments(specs, tz)
    names = [f"{d.flow_name}/{d.name}" for d in deployments]
    before = _existing(names)
    for d, name in zip(deployments, names):
        if name in before:
            d.paused = before[name]  # serving would otherwise un-pause what an administrator paused
    try:
        prefect_serve(*deployments, pause_on_shutdown=False)
    finally:
        stop.landed.set()
        with get_client(sync_client=True) as client:
            for name in names:
                if name not in before:
                    try:
                        client.pause_deployment(client.read_deployment_by_name(name).id)
                    except ObjectNotFound:  # stopped before it was registered
                        pass


def serve() -> int:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    stop = StopOnTerm()
    stop.install()
    specs = load_deployments()
    tz = load_city_config(load_settings().config_dir).timezone
    configured = PREFECT_API_URL.value()  # the environment or the active profile
    try:
        if configured:
            print(f"使用已配置的 Prefect 服务器：{configured}", flush=True)
            _serve(specs, tz, stop)
            return 0
        port = int(os.environ.get("NIANBAO_PREFECT_PORT", "4200"))
        with local_server(port) as url, temporary_settings({PREFECT_API_URL: url}):
            print(f"已启动本地 Prefect 服务器：{url.removesuffix('/api')}（界面地址）", flush=True)
            _serve(specs, tz, stop)
    except KeyboardInterrupt:
        stop.landed.set()
    return 0
