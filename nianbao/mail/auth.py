"""Who really sent a mail, as far as the bureau's own mail server could tell (RFC 8601).

The receiving MX checks SPF, DKIM and DMARC and writes its verdict in an ``Authentication-Results:``
header carrying its own authserv-id. Only the topmost such header counts: a sender can write any
header it likes below it (or one with another server's id), so those are ignored. A From address is
verified when that header says dmarc=pass, or dkim=pass for a domain aligned with the From domain, or
spf=pass for an aligned envelope sender (aligned: the same organisational domain, as DMARC's relaxed
mode has it, from the Public Suffix List)."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import authres
import pendulum
from publicsuffixlist import PublicSuffixList

_PSL: PublicSuffixList | None = None


@dataclass(frozen=True)
class Trust:
    """What config/mail.yaml says about the bureau's own mail server (inbound)."""

    authserv_id: str | None = None  # the MX's id in Authentication-Results: verify senders when set
    received_by: str | None = None  # the MX's host name in its Received: lines: the bureau's receipt time


@dataclass(frozen=True)
class Verdict:
    verified: bool
    detail: str  # e.g. "dmarc=fail, spf=fail, dkim=fail" or "no Authentication-Results from mx…"


def _org(domain: str) -> str:
    global _PSL
    if _PSL is None:
        _PSL = PublicSuffixList()
    domain = domain.strip().strip(".").lower()
    return _PSL.privatesuffix(domain) or domain


def aligned(domain: str | None, from_domain: str) -> bool:
    return bool(domain) and _org(domain) == _org(from_domain)


def verdict(headers: list[str], authserv_id: str, from_address: str) -> Verdict:
    """``headers``: the mail's Authentication-Results values, top first."""
    from_domain = from_address.rpartition("@")[2]
    for value in headers:
        try:
            parsed = authres.AuthenticationResultsHeader.parse(f"Authentication-Results: {value}")
        except Exception:  # noqa: BLE001 - authres raises its own SyntaxError and others: not ours
            continue
        if (parsed.authserv_id or "").lower() != authserv_id.lower():
            continue
        results = {}
        for r in parsed.results:
            props = {f"{p.type}.{p.name}".lower(): p.value for p in r.properties}
            results.setdefault(r.method.lower(), (r.result.lower(), props))
        summary = ", ".join(f"{m}={res}" for m, (res, _) in results.items()) or "no results"
        dmarc, dkim, spf = (results.get(m, ("none", {})) for m in ("dmarc", "dkim", "spf"))
        ok = (dmarc[0] == "pass"
              or (dkim[0] == "pass" and aligned(dkim[1].get("header.d"), from_domain))
              or (spf[0] == "pass" and aligned(spf[1].get("smtp.mailfrom", "").rpartition("@")[2], from_domain)))
        return Verdict(ok, summary)
    return Verdict(False, f"no Authentication-Results from {authserv_id}")


def received_by(headers: list[str], host: str) -> pendulum.DateTime | None:
    """When the bureau's MX took the mail: the date of the topmost ``Received:`` line it wrote
    ("… by mx.example.cn …; Tue, 15 Jan 2027 10:00:00 +0800")."""
    needle = f"by {host.lower()}"
    for value in headers:
        flat = " ".join(value.split())
        if needle not in flat.lower():
            continue
        _, _, date = flat.rpartition(";")
        try:
            when = parsedate_to_datetime(date.strip())
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        return pendulum.instance(when) if when and when.tzinfo else None
    return None
