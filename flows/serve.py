"""`nianbao serve`: every deployment of prefect.yaml served from one process, on their schedules.

Schedules never fire on Prefect's ephemeral server, so when no PREFECT_API_URL is configured this starts
a local `prefect server start` on 127.0.0.1 first and stops it on exit. prefect.yaml stays the single
source of the schedules: `prefect deploy --all` (work pools) and `serve` (one process) read the same file.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path

import yaml

from nianbao.cityconfig import load_city_config
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
            description=spec.get("description"), tags=spec.get("tags") or []))
    return out


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@contextmanager
def local_server(port: int = 4200) -> Iterator[str]:
    """A `prefect server start` on loopback for as long as the block runs."""
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_API_URL": url}
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("本地 Prefect 服务器未能启动")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def serve() -> int:
    import signal

    from prefect import serve as prefect_serve

    # SIGTERM (systemd, docker, a test) leaves through the context managers, so the server we started stops.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))

    deployments_spec = load_deployments()
    tz = load_city_config(load_settings().config_dir).timezone
    if os.environ.get("PREFECT_API_URL"):
        prefect_serve(*to_runner_deployments(deployments_spec, tz))
        return 0
    from prefect.settings import PREFECT_API_URL, temporary_settings

    port = int(os.environ.get("NIANBAO_PREFECT_PORT", "4200"))
    with local_server(port) as url, temporary_settings({PREFECT_API_URL: url}):
        print(f"已启动本地 Prefect 服务器:{url.removesuffix('/api')}(界面地址)", flush=True)
        try:
            prefect_serve(*to_runner_deployments(deployments_spec, tz))
        except KeyboardInterrupt:
            pass
    return 0
