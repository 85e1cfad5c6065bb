"""The 31 January enforcement disclosure (行政执法数据公开): the city's public table of the six
categories per unit and in total, and each unit's own one-page table, from accepted data.

Pure: `config` reads config/disclosure.yaml, `table` builds the rows, `render_html` / `render_xlsx`
write them, `changes` says what changed since the last disclosure. The stage that reads the database
and writes the files is `nianbao.stages.disclose`; nothing here imports Prefect."""

from nianbao.disclosure.config import DisclosureFile, disclosure_problems, load_disclosure

__all__ = ["DisclosureFile", "disclosure_problems", "load_disclosure"]
