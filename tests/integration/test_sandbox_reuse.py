"""The sandbox's processes are started once per configuration and kept between intake runs: the same
configuration (the same object, or an equal one loaded again) reuses them, a changed one replaces them."""

from __future__ import annotations

import dataclasses

from nianbao.cityconfig import load_city_config
from nianbao.intake.sandbox import Limits, close_all, sandbox_for
from nianbao.settings import REPO_ROOT


def test_the_same_or_an_equal_configuration_reuses_the_sandbox_and_a_changed_one_replaces_it():
    limits = Limits(processes=1)
    first = load_city_config(REPO_ROOT / "config")
    try:
        box = sandbox_for(first, limits)
        assert sandbox_for(first, limits) is box
        assert sandbox_for(load_city_config(REPO_ROOT / "config"), limits) is box  # equal, loaded again
        changed = sandbox_for(dataclasses.replace(first, city=first.city + "新区"), limits)
        assert changed is not box
        assert sandbox_for(first, limits) is not changed  # back to the first: replaced again, not stale
    finally:
        close_all()
