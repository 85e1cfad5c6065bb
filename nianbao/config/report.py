"""config/report.yaml: the annual report's shape and every sentence of it that is not data."""

from __future__ import annotations

import zlib
from typing import Literal

from pydantic import Field, model_validator

from nianbao.config.base import Flag, Int, Model, Num, Text, raise_problems
from nianbao.config.report_appendix import SHEET_FORBIDDEN, Appendix
from nianbao.config.report_tasks import NextPlan, TaskWriting
from nianbao.config.units import UnitKind
from nianbao.errors import ConfigError, ConfigProblem

PROBLEM_KINDS = ("missed_target", "late_missing", "imbalance", "weak_capacity", "yoy_decline")


def uncovered_year(year: int) -> ConfigProblem:
    return ConfigProblem("report.yaml", "frameworks",
                         f"没有覆盖{year}年度的条目：报告无从引用当年的依据，请在 frameworks 中增加（from/to）")


class Section(Model):
    code: Text
    heading: Text = Field(min_length=1)
    sheet: Text = Field(min_length=1, max_length=31)  # the workbook sheet (Excel: at most 31 characters)
    sentences: dict[Text, str] = {}  # openers of the section's sentences, by the indicators' `sentence` key

    @model_validator(mode="after")
    def _sheet(self) -> Section:
        if SHEET_FORBIDDEN.search(self.sheet):
            raise ValueError(f"工作表名称不能含有 []:*?/\\ ，实为 “{self.sheet}”")
        return self


class ProblemWeights(Model):
    missed_target: Num = Field(ge=0)
    late_missing: Num = Field(ge=0)
    imbalance: Num = Field(ge=0)
    weak_capacity: Num = Field(ge=0)
    yoy_decline: Num = Field(ge=0)


class ProblemTexts(Model):
    """One text per kind of problem."""

    missed_target: Text
    late_missing: Text
    imbalance: Text
    weak_capacity: Text
    yoy_decline: Text


class ProblemRules(Model):
    max: Int = Field(default=5, ge=1, le=10)
    imbalance_spread_pp: Num = Field(default=20, gt=0)  # a rate whose spread across units exceeds this
    imbalance_indicators: tuple[Text, ...] = ()
    weak_capacity: tuple[Text, ...] = ()  # units below target on these are named
    yoy_decline_pct: Num = Field(default=5, ge=0)  # a watched figure falling more than this (like for like)
    names_max: Int = Field(default=4, ge=1)  # units named when at most this many, else counted
    weights: ProblemWeights
    leads: ProblemTexts
    causes: ProblemTexts
    none: Text = ""


class Framework(Model):
    from_: Int = Field(alias="from")
    to: Int | None = None
    cite: Text = Field(min_length=1)


class Claim(Model):
    """A highlight containing ``phrase`` claims something of the unit's own ``indicator``: that it meets
    its target (no ``op``), or ``op value``. A unit whose figure says otherwise (or 不涉及) does not get it."""
    phrase: Text = Field(min_length=1)
    indicator: Text
    op: Literal[">=", "<=", ">", "<", "="] | None = None
    value: Num | None = None


class Highlights(Model):
    per_section: Int = Field(default=3, ge=0)
    openers: tuple[Text, ...] = Field(min_length=1)
    claims: tuple[Claim, ...] = ()
    # the review note beside the draft for a highlight left out: {unit} {text} {name} {value} {expected}
    left_out: Text = "未采用{unit}的亮点“{text}”：其{name}为{value}，与“{expected}”不符"
    expected_target: Text = "达到{target}的目标"
    expected_value: Text = "{op}{value}"
    op_words: dict[Text, Text] = {">=": "不少于", "<=": "不超过", ">": "大于", "<": "小于", "=": "等于"}


class BasisNote(Model):
    """The 说明 at the end of the draft: coverage and the comparable basis (not the opening's business)."""
    text: Text = "说明：本报告数据依据全市应报的{expected}家单位中{reported}家报送的统计数据汇总形成{missing}{comparable}。各项数据的分单位明细、来源和同比计算见数据附表。"
    missing: Text = "（{units}未报送）"
    comparable: Text = "；同比数据按两年均有报送的{n}家单位可比口径计算"
    appendix: Text = "“{sheet}”表中，同比（%）=（{year}年可比口径−{last}年可比口径）÷{last}年可比口径×100，同比（百分点）={year}年可比口径−{last}年可比口径，均按表中所列两位小数的数值计算；可比口径为两年均报送该项数据的单位。"


class ReviewNotes(Model):
    """The notes beside a draft for its writer (never part of the text)."""
    title: Text = "《{title}》审阅说明（供起草人参考，不属于正文）"
    none: Text = "本稿各单位报送的亮点均与其自身数据相符，无需说明的事项。"


class Wording(Model):
    change_up: Text
    change_down: Text
    change_flat: Text
    change_up_pp: Text
    change_down_pp: Text
    comparable: Text


class Materiality(Model):
    """When a year-on-year change is news: below these it reads 基本持平, on a small base it is not said."""
    min_base: Num = Field(default=10, ge=0)  # last year's figure (like for like) below this: no change said
    min_pct: Num = Field(default=1, ge=0)  # a change smaller than this many % reads 基本持平
    min_abs: Num = Field(default=0, ge=0)  # ... and so does one of fewer than this many (件, 人 …): 96 → 97
    min_pp: Num = Field(default=0.1, ge=0)  # a rate's change smaller than this many 百分点 reads 基本持平


class Duty(Model):
    text: Text
    figures: dict[Text, Text] = {}  # indicator code → phrase ({value}, {number})


Texts = Text | tuple[Text, ...]  # one wording, or several a unit's draft picks from (so drafts differ)


def one(value: Texts, key: str) -> str:
    """The wording for ``key`` (a unit and a place in its draft): always the same for the same key."""
    if isinstance(value, str):
        return value
    return value[zlib.crc32(key.encode("utf-8")) % len(value)] if value else ""


class UnitProblemTexts(Model):
    """A unit's own draft names only its own shortfalls."""

    missed_target: Texts
    late_missing: Texts
    yoy_decline: Texts


class UnitSummary(Model):
    """A section's one sentence on its targets and its place among the units, instead of a clause after
    every figure. {names} the figures, {targets} their targets, {each} 分别 when there are several."""

    opener: Texts  # before a sentence on both
    opener_targets: Texts  # before a sentence on targets only
    opener_place: Texts  # before a sentence on the unit's place only
    met: Text  # {names} {each} {targets}: floors reached
    kept: Text  # {names} {each} {targets}: ceilings kept to
    above: Text  # {names}
    below: Text
    level: Text
    place_max: Int = Field(default=2, ge=0)  # clauses a draft sets the unit against the others (全市平均水平)


class UnitDrafts(Model):
    """Each unit's own annual report draft, from its own accepted figures, mailed to it for reference."""

    kinds: tuple[UnitKind, ...] = ()  # unit kinds that get one (none: the feature is off)
    title: Text = Field(min_length=1)  # {unit} {year}
    template: Text = "unit_report.md.j2"
    plans_file: Text = "unit_plans.yaml"
    plans_count: Int = Field(default=4, ge=1, le=10)
    intro: Texts  # {unit} {year} {framework}
    compare: tuple[Text, ...] = ()  # figures set against the median of the units that report them
    compare_min_units: Int = Field(default=3, ge=2)  # fewer units reporting a figure: no comparison
    summary: UnitSummary
    # How a unit calls itself ({self} in the texts below): by kind, else by how a department's name ends.
    self_names: dict[UnitKind, Text] = {"district": "本区", "county": "本县", "county_city": "本市", "zone": "本区"}
    self_by_ending: dict[Text, Text] = {"委员会": "本委", "局": "本局", "委": "本委", "办公室": "本办"}
    self_default: Text = "本单位"
    not_applicable: Text  # {names}: the section's figures the unit answered 不涉及
    no_figures: Text  # a section in which the unit has no figure at all
    highlights_opener: Text
    leads: UnitProblemTexts
    causes: UnitProblemTexts
    no_problems: Texts
    duty: Texts
    plans_intro: Texts  # {next_year}
    other: Text = "无。"
    pdf: Flag = True  # a PDF beside each unit's .docx (all the drafts of a run in one LibreOffice run)


class ReportFile(Model):
    title: Text = Field(min_length=1)
    title_lines: tuple[Text, ...] = ()  # where the title breaks in the .docx (joined, they make the title)
    issuer: Text = "{city}人民政府"
    template: Text = "report.md.j2"
    docx_template: Text | None = None
    latin_font: Text = "Times New Roman"
    pdf: Flag = True  # a PDF beside the .docx, fonts embedded (LibreOffice; a note instead where it is missing)
    frameworks: tuple[Framework, ...] = Field(min_length=1)
    # The opening paragraph ({year} {city} {framework} and the slogans' names) and the first lines of
    # part one; the city's own slogans (never another city's) are named in ``slogans``.
    opening: Text = "{year}年，我市法治政府建设工作坚持以习近平新时代中国特色社会主义思想为指导，严格对标{framework}，综合施策、多措并举，推动各项建设任务落地落实。"
    slogans: dict[Text, Text] = {}
    intro_focus: Text = ""
    basis_note: BasisNote = BasisNote()
    sections: tuple[Section, ...] = Field(min_length=1)
    highlights: Highlights
    wording: Wording
    materiality: Materiality = Materiality()
    review_notes: ReviewNotes = ReviewNotes()
    appendix: Appendix = Appendix()  # the data appendix's sheet names and column headers
    problems: ProblemRules
    duty: Duty
    plans_intro: Text = ""
    plans_file: Text = "plans.yaml"
    plans_count: Int = Field(default=6, ge=1, le=10)
    other: Text = ""
    leaders_figures: tuple[Text, ...] = ()
    unit_table_max: Int = Field(default=500, ge=0)
    close_on_approval: Flag = False
    approval_required: Flag = True  # the draft flow waits for an administrator's approval before mailing
    approval_timeout_hours: Num = Field(default=72, gt=0)
    unit_drafts: UnitDrafts | None = None
    tasks: TaskWriting | None = None  # the year's work plan and the units' answers on it
    next_plan: NextPlan | None = None  # nianbao plan draft: next year's work plan

    def covering(self, year: int) -> list[Framework]:
        return [f for f in self.frameworks if f.from_ <= year and (f.to is None or year <= f.to)]

    def framework(self, year: int) -> str:
        """What the report cites as its framework for ``year`` (the newest entry covering it). A year no
        entry covers is a ConfigError (`nianbao check` names it), never another year's citation."""
        found = self.covering(year)
        if not found:
            raise ConfigError([uncovered_year(year)])
        return found[-1].cite

    @model_validator(mode="after")
    def _unique(self) -> ReportFile:
        problems = []
        for key in ("code", "sheet"):
            values = [getattr(s, key) for s in self.sections]
            for n, v in enumerate(values):
                if values.index(v) != n:
                    problems.append((f"sections[{n}].{key}", f"“{v}” 与 sections[{values.index(v)}] 重复"))
        raise_problems(problems)
        return self
