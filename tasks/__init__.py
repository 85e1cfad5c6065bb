"""Thin Prefect tasks: one I/O step each, retries on the decorator, the work in nianbao.stages."""
