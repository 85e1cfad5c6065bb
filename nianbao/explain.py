"""Every error an administrator can meet, as the one Chinese sentence they read and what to do: in the
CLI, in a Prefect run's state message, and in the failure alert's mail. No Prefect import."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from nianbao.errors import OS_REASONS, ConfigError, MailError, MissingSecret, NianbaoError, UnknownYearError

if TYPE_CHECKING:
    from nianbao.cityconfig import CityConfig

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
        return _sentence(str(exc))
    if isinstance(exc, UnknownYearError):
        return f"{exc.year}年度的填报尚未开启。如需开启，请运行：nianbao open --year {exc.year}"
    if isinstance(exc, MailError):
        return mail_problem(exc)
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


MAIL_REASONS = (  # (exception type name, or words of its message; what it means), most specific first
    (("SMTPAuthenticationError", "AUTHENTICATIONFAILED", "authentication failed", "LOGIN failed"), "用户名或密码不正确"),
    (("ConnectionRefusedError", "Connection refused"), "连接被拒绝（服务未运行或端口不对）"),
    (("gaierror", "Name or service not known", "nodename nor servname"), "找不到这个主机名（地址写错，或本机无法解析域名）"),
    (("TimeoutError", "timeout", "timed out"), "连接超时（网络不通或被防火墙拦截）"),
    (("SSLCertVerificationError", "CERTIFICATE_VERIFY_FAILED"), "服务器证书无法验证（可在 mail.yaml 中配置 cafile）"),
    (("SSLError", "WRONG_VERSION_NUMBER"), "加密连接失败（mail.yaml 的 security 与服务器不符）"),
    (("SMTPServerDisconnected", "ConnectionResetError", "Connection reset", "unexpectedly closed"), "服务器中途断开了连接"),
    (("Network is unreachable", "No route to host"), "网络不通"),
)


def mail_reason(text: str, exc: BaseException | None = None) -> str:
    """Why a mail server failed, in Chinese, from the error's text (and its cause's type, when known)."""
    cause = exc.__cause__ or exc.__context__ if exc is not None else None
    seen = " ".join([text, *((c.__name__ for c in type(cause).__mro__) if cause is not None else ())])
    return next((meaning for marks, meaning in MAIL_REASONS if any(m in seen for m in marks)), None) \
        or (text.split(": ", 1)[1] if ": " in text else text) or "原因不明"


def mail_problem(exc: BaseException) -> str:
    """An unreachable or refusing mail server, in one sentence: which server, why, what to do."""
    text = str(exc)
    where = text.split(": ", 1)[0] if text.startswith(("IMAP ", "SMTP ")) else "邮件服务器"
    detail = mail_reason(text, exc)
    return (f"无法连接邮件服务器 {where.removeprefix('IMAP ').removeprefix('SMTP ')}（{detail}），"
            "请检查 config/mail.yaml 中的地址、端口和账号以及服务器是否正常；未处理的邮件都已保留，恢复后会自动重试。")


def _sentence(text: str) -> str:
    return text if text.endswith(("。", "！", "？")) else text + "。"


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


PREFECT_PREFIX = re.compile(r"^(?:Flow|Task) run encountered an exception:\s*(?:[\w.]+:\s*)?")


def run_failure(cfg: CityConfig, state: str, message: str) -> str:
    """Why a run failed, for the alert mail: our own sentence when the run ended through `explained`
    (or any Chinese message), else a Chinese sentence for what Prefect reported."""
    text = PREFECT_PREFIX.sub("", (message or "").strip()).strip()
    if text and _chinese(text):
        return text
    if state == "Crashed":
        return cfg.text("alert_crashed")
    return cfg.text("alert_unexplained", detail=text) if text else cfg.text("alert_no_reason")


def why_stopped(text: str | None) -> str:
    """Why a sending run stopped early, in Chinese (a mail server's error is explained; ours already is)."""
    if not text:
        return ""
    return text if _chinese(text) else f"发件服务器{mail_reason(text)}"
