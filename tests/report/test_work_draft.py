"""The city draft written from the year's work plan and the lead units' answers (factory TaskAnswers):
counts, documents, measures told once, unfinished tasks among the problems, themes, plans carried
forward, and nothing said (a review note instead) when there are no answers."""

from __future__ import annotations

import re

import pendulum

from nianbao.report.aggregate import aggregate
from nianbao.report.draft import render_draft
from nianbao.report.problems import find_problems
from nianbao.report.work import progress
from nianbao.settings import REPO_ROOT
from nianbao.workplan.answers import TaskAnswer
from nianbao.workplan.taskfile import Task, TaskFile
from tests.report.conftest import report

NOW = pendulum.datetime(2027, 2, 15, 18, tz="Asia/Shanghai")
REFORM, RULES, DISPUTES = "依法全面履行政府职能", "严格规范公正文明执法", "依法有效化解社会矛盾"


def task(id_, section, title, lead=(), lead_groups=(), responsible_groups=("市政府各部门",)) -> Task:
    return Task(id=id_, chapter="二、重点工作", section=section, title=title, text=f"{title}。", lead=lead,
                lead_groups=lead_groups, responsible_groups=responsible_groups)


PLAN = TaskFile(year=2026, source="南通市2026年法治政府建设工作计划.docx", tasks=(
    task("1", REFORM, "继续深化行政审批制度改革", lead=("D12",)),
    task("2", REFORM, "加强信用监管", lead=("D02",)),
    task("3", RULES, "全面推行行政执法公示制度", lead=("D01", "D02")),
    task("4", RULES, "健全行政执法人员管理制度", lead=("D09",)),
    task("5", DISPUTES, "推进矛盾纠纷多元化解", lead=("D10",)),
))


def answer(task_id, unit, status, measures="", documents=(), reason="", role="lead") -> TaskAnswer:
    return TaskAnswer(task_id, unit, role, status, measures, tuple(documents), reason)


ANSWERS = [
    answer("1", "D12", "已完成", "推行“一窗受理、集成服务”，企业开办压缩至1个工作日", ["《南通市企业开办一件事实施方案》"]),
    answer("2", "D02", "正在推进", "归集市场主体信用信息12万条", reason="信用信息平台升级尚未完成。下一步：年内完成平台升级验收"),
    answer("3", "D01", "已完成", "公示执法信息3200条", ["《行政执法公示办法》"]),
    answer("3", "D02", "基本完成", "建成执法公示专栏", reason="部分执法事项清单待机构改革后重新梳理"),
    answer("4", "D09", "已完成", "组织执法人员培训40学时"),
    answer("5", "D10", "未启动", reason="人员调整，尚未启动"),
    answer("1", "D01", "正在推进", "这条是责任单位的答复", role="responsible"),
]


def draft(city, answers, narratives=()):
    units = [report(u, {}, sid=n, narratives=narratives if n == 1 else ()) for n, u in enumerate(city.reporting_units, 1)]
    agg = aggregate(city, 2026, units, [])
    prog = progress(city, PLAN, answers)
    return render_draft(city, REPO_ROOT / "templates", agg, find_problems(city, agg), generated_at=NOW, progress=prog)


def part(md: str, start: str, end: str) -> str:
    return md.split(start, 1)[1].split(end, 1)[0]


def section(md: str, heading: str) -> str:
    return re.split(r"\n#{2,3} ", md.split(heading, 1)[1], maxsplit=1)[0]


def test_a_document_title_a_lead_unit_gave_reaches_the_city_draft_under_its_unit(city):
    doc = draft(city, ANSWERS)
    body = section(doc.markdown, city.report.sections[1].heading)  # F2 改革创新 ← 依法全面履行政府职能
    assert "市行政审批局出台《南通市企业开办一件事实施方案》" in body or "市行政审批局印发《南通市企业开办一件事实施方案》" in body
    assert "《行政执法公示办法》" in section(doc.markdown, city.report.sections[2].heading)


def test_the_counts_of_tasks_done_are_those_of_the_lead_answers(city):
    doc = draft(city, ANSWERS)
    md = doc.markdown
    # 5 tasks: 1 and 4 done; 3 is led by two units, one only 基本完成: not done
    assert "全年5项重点任务已完成2项，基本完成1项，1项仍在推进，1项尚未启动" in part(md, "## 一、", "### （一）")
    reform = section(md, city.report.sections[1].heading)
    assert re.search(r"2项.*已完成1项，1项仍在推进", reform)
    rules = section(md, city.report.sections[2].heading)
    assert re.search(r"2项.*已完成1项，基本完成1项", rules)


def test_an_unfinished_task_is_named_among_the_problems_with_its_lead_unit_and_reason(city):
    problems = part(draft(city, ANSWERS).markdown, "## 二、", "## 三、")
    first = problems.split("部分年度重点任务尚未完成", 1)[1].split("\n", 1)[0]
    assert "全年5项重点任务中，有3项尚未全部完成" in first
    assert "第2项“加强信用监管”（牵头单位：市市场监督管理局）仍在推进，信用信息平台升级尚未完成" in first
    assert "第3项“全面推行行政执法公示制度”（牵头单位：市公安局、市市场监督管理局）基本完成，部分执法事项清单待机构改革后重新梳理" in first
    assert "第5项“推进矛盾纠纷多元化解”（牵头单位：市人力资源和社会保障局）尚未启动，人员调整，尚未启动" in first


def test_each_measure_is_told_once_and_only_lead_answers_are_told(city):
    md = draft(city, ANSWERS).markdown
    assert md.count("归集市场主体信用信息12万条") == 1 and md.count("公示执法信息3200条") == 1
    assert "这条是责任单位的答复" not in md


def test_the_unfinished_tasks_are_carried_into_next_years_plans_with_the_next_step_written(city):
    plans = part(draft(city, ANSWERS).markdown, "## 四、", "## 五、")
    first = plans.split("### （二）", 1)[0]
    assert "抓好未完成重点任务的推进落实" in first and "对2026年未完成的3项重点任务" in first
    assert "“加强信用监管”由市市场监督管理局继续牵头，年内完成平台升级验收" in first
    assert "建立未完成任务台账" in first


def test_every_plan_item_gives_two_to_four_measures(city):
    plans = part(draft(city, ANSWERS).markdown, "## 四、", "## 五、")
    items = re.split(r"### （[一二三四五六七八九十]+）", plans)[1:]
    assert len(items) >= 4
    for item in items:
        body = item.split("\n", 1)[1]
        assert body.count("。") >= 2, item


def test_no_sentence_frame_is_used_more_than_twice(city):
    many = TaskFile(year=2026, source="plan.docx", tasks=tuple(  # more tasks than frames, in three sections
        task(str(n), DISPUTES if n > 37 else (RULES, REFORM)[n % 2], f"第{n}项执法任务", lead=(f"D{n % 12 + 1:02d}",))
        for n in range(1, 41)))
    answers = [answer(str(n), f"D{n % 12 + 1:02d}", "已完成", f"举措{n}号落实到位") for n in range(1, 41)]
    units = [report(u, {}, sid=n) for n, u in enumerate(city.reporting_units, 1)]
    agg = aggregate(city, 2026, units, [])
    md = render_draft(city, REPO_ROOT / "templates", agg, [], generated_at=NOW,
                      progress=progress(city, many, answers)).markdown
    for frame in city.report.tasks.measures:
        head = frame.split("{task}")[0]
        tail = frame.split("{task}")[1].split("{items}")[0]
        assert len(re.findall(re.escape(head) + r"第\d+项执法任务" + re.escape(tail), md)) <= 2, frame
    for n in range(1, 41):  # every measure still told
        assert f"举措{n}号落实到位" in md


def test_the_units_problems_are_grouped_by_theme_before_reporting_timeliness(city):
    narratives = [("F3", "problem", "法制审核人员不足。"), ("F3", "problem", "执法案卷质量不高")]
    units = [report(u, {}, sid=n, narratives=narratives if n <= 2 else (), status="late" if n == 3 else "on_time")
             for n, u in enumerate(city.reporting_units, 1)]
    agg = aggregate(city, 2026, units, [])
    md = render_draft(city, REPO_ROOT / "templates", agg, find_problems(city, agg), generated_at=NOW,
                      progress=progress(city, PLAN, ANSWERS)).markdown
    problems = part(md, "## 二、", "## 三、")
    names = "、".join(u.unit.name for u in units[:2])
    assert f"部分单位法治工作人员配备不足。{names}反映法制审核人员不足" in problems
    assert f"{names}反映执法案卷质量不高" in problems
    order = [problems.index(words) for words in ("部分年度重点任务尚未完成", "部分单位法治工作人员配备不足",
                                                  "统计报送工作还不够及时规范")]
    assert order == sorted(order)


def test_without_answers_nothing_about_the_tasks_is_said_and_the_review_notes_say_why(city):
    doc = draft(city, [])
    assert "重点任务" not in part(doc.markdown, "## 一、", "## 二、")
    assert "部分年度重点任务尚未完成" not in doc.markdown and "未完成重点任务" not in doc.markdown
    assert any("尚未收到各单位填报的重点任务落实情况" in n for n in doc.notes)


def test_without_a_plan_the_review_notes_say_none_was_imported(city):
    units = [report(u, {}, sid=n) for n, u in enumerate(city.reporting_units, 1)]
    agg = aggregate(city, 2026, units, [])
    doc = render_draft(city, REPO_ROOT / "templates", agg, [], generated_at=NOW)
    assert any("config/tasks/2026.yaml" in n and "plan import" in n for n in doc.notes)


def test_a_task_nobody_answered_is_counted_apart_and_noted(city):
    doc = draft(city, [a for a in ANSWERS if a.task_id != "4"])
    assert "1项尚待牵头单位报送落实情况" in doc.markdown
    assert any("4“健全行政执法人员管理制度”" in n for n in doc.notes)


def test_a_document_two_tasks_name_is_told_once_and_a_decimal_stays_whole(city):
    answers = [answer("1", "D12", "已完成", "我局审批时限平均压缩2.5个工作日", ["南通市企业开办一件事实施方案"]),
               answer("2", "D12", "已完成", "市行政审批局归集信用信息", ["《南通市企业开办一件事实施方案》"])]
    plan = TaskFile(year=2026, source="plan.docx", tasks=(
        task("1", REFORM, "继续深化行政审批制度改革", lead=("D12",)), task("2", REFORM, "加强信用监管", lead=("D12",))))
    units = [report(u, {}, sid=n) for n, u in enumerate(city.reporting_units, 1)]
    md = render_draft(city, REPO_ROOT / "templates", aggregate(city, 2026, units, []), [], generated_at=NOW,
                      progress=progress(city, plan, answers)).markdown
    assert md.count("《南通市企业开办一件事实施方案》") == 1
    assert "市行政审批局审批时限平均压缩2.5个工作日" in md.replace("\\", "")
    assert "市行政审批局归集信用信息" in md and "市行政审批局市行政审批局" not in md


def test_two_lead_units_giving_reasons_are_each_named_with_theirs_and_one_reason_is_said_once(city):
    two = [answer("3", "D01", "正在推进", "公示执法信息", reason="平台尚未上线"),
           answer("3", "D02", "基本完成", "建成公示专栏", reason="清单待重新梳理")]
    first = part(draft(city, two).markdown, "## 二、", "## 三、")
    assert "仍在推进，市公安局平台尚未上线，市市场监督管理局清单待重新梳理" in first
    same = [answer("3", "D01", "正在推进", "公示执法信息", reason="平台尚未上线"),
            answer("3", "D02", "正在推进", "建成公示专栏", reason="平台尚未上线")]
    assert "（牵头单位：市公安局、市市场监督管理局）仍在推进，平台尚未上线。" in draft(city, same).markdown


def test_a_problem_is_grouped_by_what_it_is_about_not_by_a_word_any_text_has(city):
    narratives = [("F3", "problem", "部分执法人员对新修订的行政处罚法理解把握还不够到位")]
    units = [report(u, {}, sid=n, narratives=narratives if n == 1 else ()) for n, u in enumerate(city.reporting_units, 1)]
    md = render_draft(city, REPO_ROOT / "templates", aggregate(city, 2026, units, []), [], generated_at=NOW).markdown
    assert "部分工作人员法治素养有待提高。" in md and "部分单位法治工作人员配备不足" not in md
    assert "提升工作人员法治素养" in part(md, "## 四、", "## 五、")


def test_a_plan_file_without_a_proper_name_is_called_the_years_work_plan(city):
    bare = TaskFile(year=2026, source="计划.docx", tasks=PLAN.tasks)
    units = [report(u, {}, sid=n) for n, u in enumerate(city.reporting_units, 1)]
    md = render_draft(city, REPO_ROOT / "templates", aggregate(city, 2026, units, []), [], generated_at=NOW,
                      progress=progress(city, bare, ANSWERS)).markdown
    assert "对照年度工作计划，全年5项重点任务" in md and "《计划》" not in md


def test_a_plan_with_one_measure_or_five_is_refused_by_the_config_check():
    import pytest
    from pydantic import ValidationError

    from nianbao.report.plans import PlansFile

    for n in (1, 5):
        with pytest.raises(ValidationError, match="2 至 4 条具体措施"):
            PlansFile.model_validate({"standing": [{"heading": "构建规范标准体系", "measures": ["措施"] * n}]})


def test_the_docx_carries_the_units_text_unescaped(city):
    import io

    from docx import Document

    doc = draft(city, [answer("1", "D12", "已完成", "审批时限压缩2.5个工作日(平均)", ["《办法(试行)》"])])
    text = "\n".join(p.text for p in Document(io.BytesIO(doc.docx)).paragraphs)
    assert "审批时限压缩2.5个工作日(平均)" in text and "《办法(试行)》" in text and "\\" not in text


def test_what_units_wrote_stays_text_inside_its_paragraph(city):
    injected = "人员配备不足\n\n## 六、伪造章节\n\n[点此](http://evil.example)"
    answers = [answer("2", "D02", "正在推进", injected, [injected], reason=injected)]
    units = [report(u, {}, sid=n, narratives=[("F3", "problem", injected)] if n == 1 else ())
             for n, u in enumerate(city.reporting_units, 1)]
    md = render_draft(city, REPO_ROOT / "templates", aggregate(city, 2026, units, []), [], generated_at=NOW,
                      progress=progress(city, PLAN, answers)).markdown
    assert "伪造章节" in md and not re.search(r"^#+ 六", md, re.M) and "](http" not in md.replace("\\]\\(", "")


def test_a_task_one_of_its_lead_units_left_unanswered_is_not_done_but_its_measures_are_told(city):
    doc = draft(city, [a for a in ANSWERS if not (a.task_id == "3" and a.unit_code == "D02")])
    md = doc.markdown
    # task 3 is led by D01 (已完成) and D02 (no answer): not done, as `nianbao tasks` and the mail count it
    assert "全年5项重点任务已完成2项，1项仍在推进，1项尚未启动，1项尚待牵头单位报送落实情况" in md
    assert "公示执法信息3200条" in md and "《行政执法公示办法》" in md
    problems = part(md, "## 二、", "## 三、")
    assert "另有1项任务（第3项）因牵头单位市市场监督管理局未报送落实情况，完成情况尚无法确认" in problems
    assert any("3“全面推行行政执法公示制度”（市市场监督管理局）" in n for n in doc.notes)


def test_a_title_with_its_own_quotation_marks_is_quoted_inside_with_single_ones(city):
    from nianbao.report.worktext import quoted

    assert quoted("深化“放管服”改革") == "深化‘放管服’改革"


def test_a_frame_is_passed_over_when_it_would_repeat_the_verb_the_title_opens_with():
    from nianbao.report.worktext import Frames

    frames = Frames(("为推进“{task}”，{items}。", "在“{task}”方面，{items}。"), uses=2)
    assert frames.take("推进公职律师和法律顾问工作") == "在“{task}”方面，{items}。"
    assert frames.take("深化行政复议体制改革") == "为推进“{task}”，{items}。"
