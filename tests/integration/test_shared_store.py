"""Several machines share one state: the archive and the outputs behind an fsspec URL (here a local S3
server, moto in server mode), two workers on two different NIANBAO_DATA folders and one PostgreSQL.
A workbook held by the intake on one is released from the other; a draft made on one is found on the
store by the other."""

from __future__ import annotations

import os
import subprocess
import sys

import fsspec
import pendulum
import pytest

from nianbao.clock import FixedClock
from nianbao.resources import make_resources
from nianbao.settings import load_settings
from nianbao.stages.open_cycle import open_cycle
from tests.conftest import _free_port
from tests.factories import filled, mail_in, unit_mail

pytestmark = pytest.mark.slow
BUCKET = "nianbao-shared"


@pytest.fixture
def s3(monkeypatch):
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
           "FSSPEC_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    # fsspec reads FSSPEC_* when it is imported: this process, unlike the workers, needs telling.
    monkeypatch.setitem(fsspec.config.conf, "s3", {"endpoint_url": env["FSSPEC_S3_ENDPOINT_URL"]})
    fs = fsspec.filesystem("s3", skip_instance_cache=True)
    if not fs.exists(BUCKET):  # moto keeps its buckets for the whole process, across servers
        fs.mkdir(BUCKET)
    yield env
    server.stop()


def worker(tmp_path, name: str, pg_url: str, s3: dict) -> dict:
    return {**os.environ, **s3, "NIANBAO_DATA": str(tmp_path / name), "NIANBAO_DATABASE_URL": pg_url,
            "NIANBAO_STORE_URL": f"s3://{BUCKET}/city", "NIANBAO_HMAC_SECRET": "shared"}


def nianbao(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nianbao.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def test_a_workbook_held_on_one_machine_is_released_from_another(tmp_path, pg_url, s3):
    a, b = worker(tmp_path, "machine-a", pg_url, s3), worker(tmp_path, "machine-b", pg_url, s3)
    res_a = make_resources(load_settings(a), clock=FixedClock(pendulum.datetime(2027, 1, 6, 9, tz="Asia/Shanghai")),
                           cached=False)
    open_cycle(res_a, 2026)
    unit = res_a.config.reporting_units[0]
    mail_in(res_a, unit_mail(res_a, unit, 2026, filled(res_a, unit, 2026), sender="clerk@personal.example.cn"))
    intake = nianbao(a, "intake", "--json", "--today", "2027-01-06")
    assert intake.returncode == 0, intake.stderr
    import json

    (held,) = [x for m in json.loads(intake.stdout) for x in m["attachments"]]
    assert held["status"] == "held"
    assert not (tmp_path / "machine-b" / "archive").exists()  # machine B has no copy of anything

    released = nianbao(b, "review", "--year", "2026", "--release", str(held["submission_id"]))
    assert released.returncode == 0, released.stderr
    assert "已接收" in released.stdout

    drafted = nianbao(b, "draft", "--year", "2026", "--today", "2027-02-20")
    assert drafted.returncode == 0, drafted.stderr
    shared = fsspec.filesystem("s3", skip_instance_cache=True).ls(f"{BUCKET}/city/outputs/2026/draft")
    assert any(p.endswith(".docx") for p in shared)
    assert any(p.endswith(".eml") for p in fsspec.filesystem("s3", skip_instance_cache=True).find(f"{BUCKET}/city/archive"))


def test_the_draft_shown_for_approval_names_where_other_desks_find_it(tmp_path, pg_url, s3):
    from nianbao.stages.draft import make_draft
    from tasks.decisions import draft_summary

    env = worker(tmp_path, "machine-a", pg_url, s3)
    res = make_resources(load_settings(env), clock=FixedClock(pendulum.datetime(2027, 2, 20, 9, tz="Asia/Shanghai")),
                         cached=False)
    open_cycle(res, 2026)
    result = make_draft(res, 2026)
    summary = draft_summary(result)
    assert f"s3://{BUCKET}/city/outputs/2026/draft/" in summary and "共享存储" in summary
    (docx,) = [url for name, url in result.links.items() if name.endswith(".docx")]
    assert f"]({docx})" in summary  # a link a browser downloads the draft from
    import urllib.request

    with urllib.request.urlopen(docx, timeout=30) as r:
        assert r.read() == result.doc.docx


def test_a_held_workbook_on_s3_comes_with_a_download_link_that_serves_the_original(s3, tmp_path):
    import urllib.request

    from nianbao.store import BlobStore

    store = BlobStore(f"s3://{BUCKET}/links")
    digest, _ = store.put(b"the archived mail", ".eml")
    url = store.download_url(digest, ".eml", seconds=600)
    assert url.startswith("http://127.0.0.1:") and "Signature" in url
    with urllib.request.urlopen(url, timeout=30) as r:
        assert r.read() == b"the archived mail"
    assert BlobStore(tmp_path).download_url(digest) is None  # a folder: no link, never a server path
