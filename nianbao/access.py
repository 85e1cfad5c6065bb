"""Who may decide: the Prefect UI releases workbooks and approves drafts, so a Prefect server reachable
from other machines must ask for Prefect's basic auth. `nianbao serve` checks it before starting:
a server it starts on a non-loopback address needs PREFECT_SERVER_API_AUTH_STRING; a configured server
on another machine needs PREFECT_API_AUTH_STRING (this client's copy of the same user:password)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from nianbao.cityconfig import CityConfig

WILDCARDS = {"0.0.0.0", "::", ""}


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: another machine as far as anyone can tell


def _unusable(cfg: CityConfig, *auth: str | None) -> str | None:
    """Prefect compares the strings with hmac.compare_digest, which fails (HTTP 500) on non-ASCII."""
    if any(a and not a.isascii() for a in auth):
        return cfg.text("serve_auth_not_ascii")
    return None


def local_server_problem(cfg: CityConfig, host: str, server_auth: str | None) -> str | None:
    """Why a `prefect server` on ``host`` must not start, or None."""
    if is_loopback(host) or server_auth:
        return _unusable(cfg, server_auth)
    return cfg.text("serve_needs_server_auth", host=host or "0.0.0.0")


def remote_server_problem(cfg: CityConfig, api_url: str, client_auth: str | None) -> str | None:
    """Why serving on the configured server ``api_url`` must not start, or None."""
    host = urlsplit(api_url).hostname or ""
    if is_loopback(host) or client_auth:
        return _unusable(cfg, client_auth)
    return cfg.text("serve_needs_client_auth", url=api_url)


def connect_host(host: str) -> str:
    """Where this machine reaches a server bound to ``host``."""
    return "127.0.0.1" if host in WILDCARDS else host
