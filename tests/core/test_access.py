"""Which addresses count as this machine only (nianbao.access)."""

from __future__ import annotations

import pytest

from nianbao.access import is_loopback, local_server_problem, remote_server_problem


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_addresses_are_this_machine_only(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.2", "prefect.sfj.example.cn", ""])
def test_every_other_address_or_name_is_reachable_by_others(host):
    assert not is_loopback(host)


def test_an_auth_string_lets_a_server_listen_on_every_address(city):
    assert local_server_problem(city, "0.0.0.0", "admin:pw") is None
    assert "PREFECT_SERVER_API_AUTH_STRING" in local_server_problem(city, "0.0.0.0", None)


def test_a_loopback_server_needs_no_client_auth_string(city):
    assert remote_server_problem(city, "http://127.0.0.1:4200/api", None) is None
    assert "PREFECT_API_AUTH_STRING" in remote_server_problem(city, "https://prefect.example.cn/api", None)


def test_a_password_prefect_cannot_compare_is_refused_before_the_server_starts(city):
    assert "只能用英文字母" in local_server_problem(city, "0.0.0.0", "admin:年报")
