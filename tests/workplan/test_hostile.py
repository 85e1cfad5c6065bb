"""Whatever a file holds, the import gives tasks or one PlanFormatError in Chinese — never another
exception, and never slowly: the markers, labels and brackets a plan uses, in any order and amount."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings, strategies as st

from nianbao.workplan import PlanFormatError, import_plan

PIECES = ["一、", "二、", "（一）", "(二)", "(-)", "1.", "2、", "3 .", "（1）", "牵头单位：", "责任单位:", "参加单位：",
          "完成时限：", "（牵头单位：", "）", "(", "、", "，", "。", "\n", "市公安局", "各有关部门", "市各委、办、局",
          "和", "等", "2026年6月底前完成", "第三季度", "各县（市、区）人民政府", "推进工作", " ", "１．", "\u3000"]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(pieces=st.lists(st.sampled_from(PIECES) | st.text(max_size=5), max_size=80))
def test_any_text_gives_tasks_or_a_plan_format_error(tmp_path_factory, city, pieces):
    path = tmp_path_factory.mktemp("plan") / "plan.txt"
    path.write_text("".join(pieces), encoding="utf-8")
    try:
        plan = import_plan(path, 2026, city, keep_unresolved=True)
    except PlanFormatError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))
        return
    assert plan.tasks and len({t.id for t in plan.tasks}) == len(plan.tasks)


def test_a_long_run_of_labels_and_brackets_is_read_in_linear_time(tmp_path, city):
    line = ("一、重点工作1.推进。（牵头单位：市公安局）" + " " * 100000 + "9. " * 50000 + "2.推进。"
            + "牵头单位：市公安局、" * 20000 + "（牵头单位：" * 20000 + "和" * 20000)
    path = tmp_path / "plan.txt"
    path.write_text(line, encoding="utf-8")
    started = time.monotonic()
    plan = import_plan(path, 2026, city, keep_unresolved=True)
    assert time.monotonic() - started < 20 and plan.tasks[0].lead == ("D01",)
