"""Every error a command can meet, as the one Chinese line an administrator reads (and what to do)."""

from __future__ import annotations

from nianbao.errors import OS_REASONS, ConfigError, MailError, MissingSecret, NianbaoError, UnknownYearError


def _os(exc: OSError) -> str:
    where = exc.filename or "文件"
    reason = OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))
    return f"无法访问 {where}：{reason}"


def describe(exc: BaseException) -> str | None:
    """The message for an expected error; None for a bug (then the traceback matters)."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    if isinstance(exc, ConfigError):
        return "配置有误，请逐项修改：\n" + "\n".join(f"  - {p}" for p in exc.problems)
    if isinstance(exc, MissingSecret):
        if "Secret 块" in str(exc):
            return f"{exc}。请确认块名正确，且 PREFECT_API_URL 指向保存它的 Prefect 服务器。"
        if "signing key" in str(exc):
            return ("未配置工作簿签名密钥。首次部署请运行 nianbao init 生成（或设置 NIANBAO_HMAC_SECRET / "
                    "NIANBAO_HMAC_SECRET_BLOCK）；已有密钥的，请确认本机使用的是同一密钥。")
        return f"缺少密码或密钥：{exc}"
    if isinstance(exc, UnknownYearError):
        return f"{exc.year}年度的填报尚未开启。如需开启，请运行：nianbao open --year {exc.year}"
    if isinstance(exc, MailError):
        return f"邮件服务器连接失败：{exc}。未处理的邮件仍保留在队列中，稍后会重试。"
    if isinstance(exc, NianbaoError):
        return str(exc) if _chinese(str(exc)) else f"操作失败：{exc}"
    if isinstance(exc, (OperationalError, InterfaceError)) and _disk_full(exc):
        return f"无法写入数据库 {_database()}：磁盘空间已满。请清理或扩容后重新运行（本次未写完的内容已回滚）。"
    if isinstance(exc, (OperationalError, InterfaceError)):
        return ("无法连接数据库，请检查 NIANBAO_DATABASE_URL 和数据库服务是否正常"
                f"（{str(exc.orig).splitlines()[0] if exc.orig else exc}）")
    if isinstance(exc, OSError):
        return _os(exc)
    if type(exc).__name__ == "FileCreateError" and exc.args and isinstance(exc.args[0], OSError):  # xlsxwriter's
        return _os(exc.args[0])
    if isinstance(exc, RuntimeError) and "ephemeral Prefect API server" in str(exc):
        return ("本地 Prefect 服务没能在规定时间内启动（机器繁忙时较慢）。请稍后重试，或设置更长的 "
                "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS，或先运行 prefect server start 再设置 PREFECT_API_URL。")
    return None


def _disk_full(exc) -> bool:
    """SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100) or any 'No space left on device'."""
    text = str(exc.orig or exc)
    return (getattr(exc.orig, "sqlstate", None) == "53100" or "database or disk is full" in text
            or "No space left on device" in text)


def _database() -> str:
    """The database in use, without its password (a file path for SQLite)."""
    try:
        from sqlalchemy.engine import make_url

        from nianbao.settings import load_settings

        url = make_url(load_settings().database_url)
        return url.database if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - the message is still useful without it
        return "（见 NIANBAO_DATABASE_URL）"


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
