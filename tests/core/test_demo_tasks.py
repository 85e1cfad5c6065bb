"""The demo's simulated answers on its sample plan read as units write: two units leading one task do
not hand in the same measure."""

import shutil

from nianbao.cityconfig import load_city_config
from nianbao.demo import demo_content
from nianbao.demo_tasks import import_demo_plan, task_answers_typed
from nianbao.sample_data import unit_values
from nianbao.settings import REPO_ROOT
from nianbao.workplan.assign import year_tasks


def test_the_lead_units_of_one_task_write_different_measures(tmp_path):
    shutil.copytree(REPO_ROOT / "config", tmp_path / "config")
    config = load_city_config(tmp_path / "config")
    assert import_demo_plan(config, 2026) == 20
    content = demo_content(config)
    shared = [t for t in year_tasks(config, 2026).tasks
              if len(t.lead) > 1 and t.id in content.tasks and len(content.tasks[t.id].measures) > 1]
    assert shared
    for task in shared:
        said = [task_answers_typed(config, unit, 2026, unit_values(config, unit, 2026), content.tasks,
                                   content.shared).get(task.id, {}).get("measures", "")
                for unit in map(config.unit, task.lead)]
        said = [s for s in said if s]
        assert len(set(said)) == len(said), (task.id, said)
