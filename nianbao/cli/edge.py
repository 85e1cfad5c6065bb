"""The CLI's error handler speaks the sentences of `nianbao.explain` (the flows and the alert mail do too)."""

from nianbao.explain import describe

__all__ = ["describe"]
