"""The forms a plan's text takes: units on a line of their own after the task, full- or half-width
punctuation, GB18030 files, prose chapters that number their paragraphs, numbering that starts again
in each section, deadlines, Markdown."""

from __future__ import annotations

import datetime as dt

from nianbao.workplan import import_plan
from tests.workplan.conftest import text_plan

SEPARATE_LINES = """南通市2026年法治政府建设工作计划
一、重点任务
（一）严格规范公正文明执法
1．全面推行行政执法三项制度，2026年6月底前完成。
牵头单位：市公安局
责任单位：市市场监管局、市城管局
2、开展行政执法案卷评查。
责任单位：市城管局
"""


def test_units_on_their_own_lines_after_the_task_belong_to_it(tmp_path, city):
    plan = import_plan(text_plan(tmp_path, SEPARATE_LINES), 2026, city)
    one, two = plan.tasks
    assert (one.id, one.lead, one.responsible) == ("1", ("D01",), ("D02", "D05"))
    assert one.text == "全面推行行政执法三项制度，2026年6月底前完成。" and one.source == "第4行"
    assert (two.lead, two.responsible, two.source) == ((), ("D05",), "第7行")
    assert any("第7行：任务 2" in w and "未写明牵头单位" in w for w in plan.warnings)


def test_a_deadline_in_the_task_text_is_kept_as_text_and_as_the_months_last_day(tmp_path, city):
    one = import_plan(text_plan(tmp_path, SEPARATE_LINES), 2026, city).tasks[0]
    assert (one.deadline_text, one.deadline) == ("2026年6月底前完成", dt.date(2026, 6, 30))


def test_half_width_punctuation_reads_as_full_width_does(tmp_path, city):
    half = SEPARATE_LINES.translate(str.maketrans("，；：（）．、", ",;:().、"))
    full = import_plan(text_plan(tmp_path, SEPARATE_LINES), 2026, city).tasks
    same = import_plan(text_plan(tmp_path, half, "half.txt"), 2026, city).tasks
    assert [(t.id, t.section, t.lead, t.responsible, t.deadline) for t in same] == \
        [(t.id, t.section, t.lead, t.responsible, t.deadline) for t in full]


def test_a_gb18030_text_file_is_read(tmp_path, city):
    plan = import_plan(text_plan(tmp_path, SEPARATE_LINES, encoding="gb18030"), 2026, city)
    assert [t.lead for t in plan.tasks] == [("D01",), ()]


def test_a_bracketed_clause_may_give_a_deadline(tmp_path, city):
    text = "二、重点工作\n（一）执法\n1.推行执法公示。（牵头单位：市公安局；责任单位：各有关部门；完成时限：2026年第三季度）\n"
    (task,) = import_plan(text_plan(tmp_path, text), 2026, city).tasks
    assert (task.lead, task.responsible_groups) == (("D01",), ("各有关部门",))
    assert (task.deadline_text, task.deadline) == ("2026年第三季度", dt.date(2026, 9, 30))


def test_numbered_paragraphs_of_a_prose_chapter_are_not_tasks(tmp_path, city):
    text = ("一、指导思想\n1.坚持党的全面领导。\n2.坚持以人民为中心。\n"
            "二、重点任务\n1.推进甲项工作。（牵头单位：市公安局）\n2.推进乙项工作。（牵头单位：市交通局）\n")
    plan = import_plan(text_plan(tmp_path, text), 2026, city)
    assert [(t.id, t.chapter, t.lead) for t in plan.tasks] == [("1", "重点任务", ("D01",)), ("2", "重点任务", ("D04",))]


def test_numbers_starting_again_in_each_section_get_the_sections_number(tmp_path, city):
    text = ("一、重点任务\n（一）依法行政\n1.做甲。（牵头单位：市公安局）\n2.做乙。（牵头单位：市公安局）\n"
            "（二）严格执法\n1.做丙。（牵头单位：市公安局）\n")
    plan = import_plan(text_plan(tmp_path, text), 2026, city)
    assert [t.id for t in plan.tasks] == ["1-1", "1-2", "2-1"]
    again = import_plan(text_plan(tmp_path, text, "again.txt"), 2026, city)
    assert [t.id for t in again.tasks] == ["1-1", "1-2", "2-1"]  # stable across imports


def test_a_number_inside_a_sentence_is_not_a_task(tmp_path, city):
    text = ("一、重点任务\n1.审查时间不少于5个工作日。整合热线（110、120、119等）。选择1~2 部规章评估。"
            "（牵头单位：市公安局）\n2.做乙。（牵头单位：市公安局）\n")
    plan = import_plan(text_plan(tmp_path, text), 2026, city)
    assert [t.id for t in plan.tasks] == ["1", "2"] and "选择1~2 部规章评估。" in plan.tasks[0].text


def test_a_markdown_plan_with_headings_and_a_pipe_table(tmp_path, city):
    text = ("# 2026年工作计划\n\n## 一、重点任务\n\n| 序号 | 重点任务 | 牵头单位 | 责任单位 | 完成时限 |\n"
            "|---|---|---|---|---|\n| 1 | **推进**证照分离改革。 | 市市场监管局 | 各县（市、区）人民政府 | 2026年12月 |\n")
    (task,) = import_plan(text_plan(tmp_path, text, "plan.md"), 2026, city).tasks
    assert (task.chapter, task.text, task.lead) == ("重点任务", "推进证照分离改革。", ("D02",))
    assert (task.responsible_groups, task.deadline, task.source) == (("各县（市）区人民政府",), dt.date(2026, 12, 31), "第7行")


def test_tasks_numbered_in_brackets_keep_their_dotted_points_inside(tmp_path, city):
    text = ("一、重点工作\n（1）推进综合执法。1.整合队伍。2.下放事项。\n牵头单位：市城管局\n"
            "（2）规范执法行为。\n牵头单位：市公安局\n")
    plan = import_plan(text_plan(tmp_path, text), 2026, city)
    assert [(t.id, t.lead) for t in plan.tasks] == [("1", ("D05",)), ("2", ("D01",))]
    assert plan.tasks[0].text == "推进综合执法。1.整合队伍。2.下放事项。"


def test_text_after_a_tasks_units_belongs_to_no_task_and_is_reported(tmp_path, city):
    text = ("一、重点工作\n1.做甲。（牵头单位：市公安局）。\n以上工作纳入年度考核。\n"
            "2.做乙。（牵头单位：市交通局）；\n")
    plan = import_plan(text_plan(tmp_path, text), 2026, city)
    assert [t.text for t in plan.tasks] == ["做甲。", "做乙。"]
    assert [w for w in plan.warnings if "不属于任何任务" in w] == [
        "第3行：“以上工作纳入年度考核”在上一项任务的单位之后、又没有单位，不属于任何任务，未导入"]
