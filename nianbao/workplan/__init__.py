"""The city's yearly work plan (工作计划, 分工方案) read into config/tasks/<year>.yaml: each task with its
section, text, deadline and its lead and responsible units resolved to the roster or to a group.

Pure: reads a file and the city config, writes one YAML file; no database, no Prefect. Modules, in the
order a plan passes through them: `reading` (+ `docx_reading`) → `lines` → `scanner` / `tables` (into `raw`)
(driven by `structure`; `clauses`, `textnorm`, `deadline`) → `resolve` → `importer` → `taskfile`."""

from nianbao.workplan.errors import PlanFormatError, UnresolvedUnitsError
from nianbao.workplan.importer import PlanImport, Unresolved, import_plan, write_task_file
from nianbao.workplan.taskfile import Task, TaskFile, UnresolvedName, load_task_file, task_file_problems

__all__ = ["PlanFormatError", "PlanImport", "Task", "TaskFile", "Unresolved", "UnresolvedName", "UnresolvedUnitsError",
           "import_plan", "load_task_file", "task_file_problems", "write_task_file"]
