"""Plans as .docx: the 分工方案 table (merged section rows, a 序号 that is a heading), headings and tasks
as paragraphs, and files that are not what they claim (damaged, old Word, too large)."""

from __future__ import annotations

import datetime as dt

import pytest

from nianbao.workplan import PlanFormatError, docx_reading, import_plan
from nianbao.workplan.reading import OLE_MAGIC
from tests.workplan.conftest import docx_plan, text_plan

HEADER = ["序号", "重点任务", "牵头单位", "责任单位", "完成时限"]
TABLE = [HEADER,
         ["一、依法全面履行政府职能"] * 5,
         ["1", "推进“证照分离”改革全覆盖。", "市市场监管局", "各县（市）区人民政府", "2026年6月底前"],
         ["2", "深化“放管服”改革。", "市行政审批局、市市场监督管理局", "市政府各部门", "2026年12月"],
         ["二、严格规范公正文明执法"] * 5,
         ["3", "推行行政执法三项制度。", "市公安局", "各相关执法部门", "长期坚持"]]


def test_a_table_plan_reads_tasks_under_its_merged_section_rows(tmp_path, city):
    plan = import_plan(docx_plan(tmp_path, ["南通市2026年法治政府建设工作任务分工方案"], TABLE, merged=(1, 4)), 2026, city)
    one, two, three = plan.tasks
    assert [t.id for t in plan.tasks] == ["1", "2", "3"] and not plan.unresolved
    assert (one.chapter, one.lead, one.responsible_groups) == ("依法全面履行政府职能", ("D02",), ("各县（市）区人民政府",))
    assert (one.deadline, one.deadline_text, one.source) == (dt.date(2026, 6, 30), "2026年6月底前", "表1第3行")
    assert (two.lead, two.responsible_groups, two.deadline) == (("D12", "D02"), ("市政府各部门",), dt.date(2026, 12, 31))
    assert (three.chapter, three.responsible_groups) == ("严格规范公正文明执法", ("市政府各相关执法部门",))
    assert (three.deadline, three.deadline_text) == (None, "长期坚持")


def test_a_table_row_whose_number_is_a_heading_opens_a_section(tmp_path, city):
    rows = [["序号", "工作任务", "牵头部门", "配合单位", "时间节点"],
            ["（一）", "完善依法行政制度体系", "", "", ""],
            ["1", "加强规范性文件合法性审查。", "市法制办", "市政府各部门", "6月底前"]]
    plan = import_plan(docx_plan(tmp_path, table=rows), 2026, city, keep_unresolved=True)
    (task,) = plan.tasks
    assert (task.section, task.responsible_groups, task.deadline) == ("完善依法行政制度体系", ("市政府各部门",), dt.date(2026, 6, 30))
    assert [(u.name, u.where) for u in plan.unresolved] == [("市法制办", "表1第3行")]


def test_a_docx_with_headings_and_tasks_as_paragraphs(tmp_path, city):
    paragraphs = ["南通市2026年法治政府建设工作计划", "一、指导思想", "以习近平新时代中国特色社会主义思想为指导。",
                  "二、重点工作", "（一）依法全面履行政府职能",
                  "1．深化行政审批制度改革。（牵头单位：市行政审批局，责任单位：市政府各部门）",
                  "2．加强信用监管。（牵头单位：市市场监管局，责任单位：市政府各部门）",
                  "（二）严格规范公正文明执法", "3．推进综合行政执法。", "牵头单位：市城管局", "责任单位：各县（市、区）人民政府"]
    plan = import_plan(docx_plan(tmp_path, paragraphs), 2026, city)
    assert [(t.id, t.section, t.lead) for t in plan.tasks] == [
        ("1", "依法全面履行政府职能", ("D12",)), ("2", "依法全面履行政府职能", ("D02",)), ("3", "严格规范公正文明执法", ("D05",))]
    assert plan.tasks[2].responsible_groups == ("各县（市）区人民政府",) and plan.tasks[2].source == "第9段"
    assert plan.tasks[0].chapter == "重点工作"


def test_a_damaged_docx_is_refused_in_chinese(tmp_path, city):
    path = tmp_path / "plan.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(PlanFormatError, match="不是有效的 Word 文档"):
        import_plan(path, 2026, city)


def test_a_zip_that_is_no_word_document_is_refused(tmp_path, city):
    import zipfile

    path = tmp_path / "plan.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(PlanFormatError, match="无法读取 Word 文档"):
        import_plan(path, 2026, city)


def test_a_docx_inflating_past_the_limits_is_refused_before_it_is_parsed(tmp_path, city, monkeypatch):
    path = docx_plan(tmp_path, ["一、重点工作", "1.做甲。（牵头单位：市公安局）"])
    monkeypatch.setattr(docx_reading, "MAX_MEMBER_BYTES", 1000)
    with pytest.raises(PlanFormatError, match="解压后过大"):
        import_plan(path, 2026, city)


def test_an_old_binary_word_file_is_refused_with_advice(tmp_path, city):
    path = tmp_path / "plan.docx"
    path.write_bytes(OLE_MAGIC + b"\x00" * 512)
    with pytest.raises(PlanFormatError, match="另存为 .docx"):
        import_plan(path, 2026, city)


def test_a_file_over_20_mb_is_refused_unread(tmp_path, city):
    path = tmp_path / "plan.txt"
    with path.open("wb") as fh:
        fh.truncate(21 * 1024 * 1024)
    with pytest.raises(PlanFormatError, match="超过 20 MB"):
        import_plan(path, 2026, city)


def test_a_plan_without_tasks_says_what_it_looked_for(tmp_path, city):
    with pytest.raises(PlanFormatError, match="没有找到任务"):
        import_plan(text_plan(tmp_path, "一、指导思想\n以人民为中心。\n"), 2026, city)


def test_a_lead_cell_merged_down_over_several_rows_leads_each_of_them(tmp_path, city):
    import docx

    document = docx.Document()
    rows = [HEADER, ["1", "推行执法公示。", "市公安局", "各有关部门", ""], ["2", "推行执法全过程记录。", "", "各有关部门", ""]]
    table = document.add_table(rows=3, cols=5)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(1, 2).merge(table.cell(2, 2))
    document.save(str(tmp_path / "plan.docx"))
    plan = import_plan(tmp_path / "plan.docx", 2026, city)
    assert [(t.id, t.lead, t.responsible_groups) for t in plan.tasks] == [
        ("1", ("D01",), ("各有关部门",)), ("2", ("D01",), ("各有关部门",))]
