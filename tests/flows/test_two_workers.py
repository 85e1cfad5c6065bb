"""Beyond one machine: two process workers on one work pool of a real local Prefect server share the
intake, each flow run polling its own shard of the mailbox, over one PostgreSQL database."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from prefect.client.orchestration import get_client
from sqlalchemy import func, select

from nianbao.db.models import InboundMessage
from nianbao.db.session import unit_of_work
from nianbao.mail.inbox import deliver_to_maildir
from nianbao.settings import REPO_ROOT
from tests.factories import cycle_with_mails

pytestmark = pytest.mark.slow
POOL = "nianbao"


def prefect(env, *args):
    return subprocess.run([sys.executable, "-m", "prefect", *args], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=180)


def test_two_workers_run_sharded_intake_flows_against_one_database(prefect_server, tmp_path, pg_url):
    res, nianbao_env = cycle_with_mails(tmp_path / "var", pg_url, 0)
    _, mails_env = cycle_with_mails(tmp_path / "seed", f"sqlite:///{tmp_path}/seed.db", 24)  # 24 unit mails
    seeded = sorted((tmp_path / "seed" / "mail" / "inbox" / "new").iterdir())
    for n, path in enumerate(seeded):  # sort them into two shards, as server-side rules would
        deliver_to_maildir(tmp_path / "var" / "mail" / "inbox" / ("A" if n % 2 else "B"), path.read_bytes())
    env = {**prefect_server["env"], **{k: v for k, v in nianbao_env.items() if k.startswith("NIANBAO_")},
           "NIANBAO_HOME": str(REPO_ROOT), "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_WORKER_PREFETCH_SECONDS": "5"}
    assert prefect(env, "work-pool", "create", POOL, "--type", "process", "--overwrite").returncode == 0
    deployed = prefect(env, "--no-prompt", "deploy", "--all")
    assert deployed.returncode == 0, deployed.stdout[-2000:] + deployed.stderr[-2000:]
    logs = [open(tmp_path / f"worker{i}.log", "wb") for i in range(2)]
    workers = [subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL,
                                 "--name", f"worker-{i}"], cwd=REPO_ROOT, env=env, stdout=logs[i],
                                stderr=subprocess.STDOUT) for i in range(2)]
    try:
        with get_client(sync_client=True) as client:
            dep = client.read_deployment_by_name("intake/intake")
            runs = [client.create_flow_run_from_deployment(dep.id, parameters={"year": 2026, "folder": f})
                    for f in ("A", "B")]
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                states = [client.read_flow_run(r.id).state for r in runs]
                if all(s.is_final() for s in states):
                    break
                time.sleep(1)
            assert all(s.is_completed() for s in states), [s.name for s in states]
            online = client.read_workers_for_work_pool(POOL)
        assert {w.name for w in online} >= {"worker-0", "worker-1"}
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            try:
                w.wait(timeout=30)
            except subprocess.TimeoutExpired:  # Prefect 3.8's worker can hang in its cancellation observer
                w.kill()                       # on SIGTERM (NoEventLoopError in a callback): not ours to test
                w.wait(timeout=30)
        for f in logs:
            f.close()
    with unit_of_work(res.db) as s:
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == len(seeded) == 24
