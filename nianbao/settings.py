"""Settings factory: built at run time from the environment, never at import.

``load_settings()`` is the production factory; tests call it with an explicit ``env`` and paths,
as Flask's tutorial passes a test config to its app factory.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nianbao.cityconfig import load_mail
from nianbao.config.mail import MailFile
from nianbao.errors import MissingSecret, SettingsError
from nianbao.mail.auth import Trust

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    config_dir: Path
    templates_dir: Path
    mail: MailFile = field(default_factory=MailFile)
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    intake_batch: int = 200  # mails per transaction (NIANBAO_INTAKE_BATCH)
    intake_batch_bytes: int = 32 * 1024 * 1024  # ... and at most about this many bytes of raw mail
    intake_processes: int = 2  # sandbox processes that parse mail and workbooks (NIANBAO_INTAKE_PROCESSES)
    intake_max_attempts: int = 3  # a mail that keeps failing to store is set aside after this many polls
    sandbox_memory_mb: int = 640  # largest address space of each sandbox process (NIANBAO_SANDBOX_MEMORY_MB)
    seconds_per_mail: float = 30.0  # each way of reading one mail in the sandbox (NIANBAO_SECONDS_PER_MAIL)
    intake_run_seconds: float = 600.0  # an intake run's wall clock; the rest waits (NIANBAO_INTAKE_RUN_SECONDS)
    sandbox_reader: Any = None  # tests only: what a sandbox child runs on a mail instead of prepare_safely

    @property
    def trust(self) -> Trust:
        """How far the bureau's own mail server vouches for senders and times (mail.yaml inbound)."""
        return Trust(self.mail.inbound.authserv_id, self.mail.inbound.received_by)

    @property
    def max_mail_mb(self) -> float:
        """Mails larger than this are answered "too large" without being read (mail.yaml inbound.max_mail_mb)."""
        return self.mail.inbound.max_mail_mb

    @property
    def store_url(self) -> str:
        """Where the archive and the outputs live: NIANBAO_STORE_URL (a shared folder, s3://…) or the
        data folder."""
        return self.env.get("NIANBAO_STORE_URL") or str(self.data_dir)

    @property
    def archive_url(self) -> str:
        return f"{self.store_url.rstrip('/')}/archive"

    @property
    def outputs_url(self) -> str:
        return f"{self.store_url.rstrip('/')}/outputs"

    @property
    def outputs_dir(self) -> Path:
        """This machine's copy of the outputs (the outputs themselves when the store is local)."""
        return self.data_dir / "outputs"

    def with_(self, **changes: Any) -> Settings:
        """A copy with some settings changed (``mail`` may be given as mail.yaml's mapping)."""
        if isinstance(changes.get("mail"), dict):
            changes["mail"] = MailFile.model_validate(changes["mail"])
        return replace(self, **changes)

    def secret(self, name: str) -> str | None:
        """A secret from the environment (NIANBAO_<NAME>) or, failing that, a Prefect Secret block."""
        value = self.env.get(f"NIANBAO_{name.upper()}")
        if value:
            return value
        block = self.env.get(f"NIANBAO_{name.upper()}_BLOCK")
        if block:
            from prefect.blocks.system import Secret  # only when an administrator chose a block

            try:
                return Secret.load(block).get()
            except Exception as exc:  # noqa: BLE001 - Prefect raises ValueError, HTTP and connection errors
                raise MissingSecret(f"Prefect Secret 块 “{block}”（NIANBAO_{name.upper()}_BLOCK）无法读取："
                                    f"{type(exc).__name__}: {exc}") from None
        return None

    @property
    def key_file(self) -> Path:
        return self.data_dir / "hmac.key"

    def hmac_key(self) -> bytes:
        """Workbook signing key: NIANBAO_HMAC_SECRET, a Prefect Secret block, or the key file written by
        `nianbao init`. Never generated silently: a new key would make every workbook already mailed
        out fail its check, and every clerk be told their template was modified."""
        value = self.secret("hmac_secret")
        if value:
            return value.encode()
        if self.key_file.exists():
            return self.key_file.read_text(encoding="ascii").strip().encode()
        raise MissingSecret("未配置工作簿签名密钥：首次部署请运行 nianbao init 生成（或设置 NIANBAO_HMAC_SECRET / "
                            "NIANBAO_HMAC_SECRET_BLOCK）；已有密钥的，请在本机配置同一密钥"
                            f"（NIANBAO_HMAC_SECRET，或放在 {self.key_file}）")

    def write_key_file(self) -> Path:
        """`nianbao init`: a new random signing key in the data folder (never over an existing one)."""
        path = self.key_file
        path.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32))
        return path


def _whole(env: Mapping[str, str], name: str, default: int, least: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"环境变量 {name} 应为整数，实为 “{raw}”") from None
    if value < least:
        raise SettingsError(f"环境变量 {name} 应不小于 {least}，实为 {value}")
    return value


def load_settings(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("NIANBAO_DATA", "var")).resolve()
    config_dir = Path(env.get("NIANBAO_CONFIG", REPO_ROOT / "config")).resolve()
    templates_dir = Path(env.get("NIANBAO_TEMPLATES", REPO_ROOT / "templates")).resolve()
    database_url = env.get("NIANBAO_DATABASE_URL") or f"sqlite:///{data_dir / 'nianbao.db'}"
    mail = load_mail(config_dir / "mail.yaml")
    settings = Settings(data_dir=data_dir, database_url=database_url, config_dir=config_dir,
                        templates_dir=templates_dir, mail=mail, env=env,
                        intake_batch=_whole(env, "NIANBAO_INTAKE_BATCH", 200),
                        intake_processes=_whole(env, "NIANBAO_INTAKE_PROCESSES", min(2, os.cpu_count() or 1)),
                        sandbox_memory_mb=_whole(env, "NIANBAO_SANDBOX_MEMORY_MB", 640, least=320),
                        seconds_per_mail=_whole(env, "NIANBAO_SECONDS_PER_MAIL", 30),
                        intake_run_seconds=_whole(env, "NIANBAO_INTAKE_RUN_SECONDS", 600, least=10))
    return settings.with_(**overrides) if overrides else settings
