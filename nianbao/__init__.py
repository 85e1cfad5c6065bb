"""nianbao: the yearly 法治政府建设 reporting cycle of a Chinese city.

The package is the pure domain layer plus its I/O adapters; it never imports Prefect.
The Prefect layer lives in the top-level ``tasks`` and ``flows`` packages.
"""

__version__ = "0.1.0"
