"""report.yaml `tasks:`: how the draft tells the year's work plan (config/tasks/<year>.yaml) from the
units' answers on it — which focus section each task of the plan belongs to, the wording of the
sentences that carry the answers, the themes the units' 存在问题 are grouped by, and what the
administrators' review notes say when something could not be written."""

from __future__ import annotations

from pydantic import Field

from nianbao.config.base import Int, Model, Text

Texts = tuple[Text, ...]


class TaskPlace(Model):
    """Tasks placed in one focus section: by id, by a word of their title, or by their plan heading
    (the 一、 or （一） title containing one of ``headings``) — in that order of precedence."""

    section: Text  # a section code of report.yaml
    tasks: Texts = ()
    words: Texts = ()
    headings: Texts = ()


class Theme(Model):
    """A theme the units' own 存在问题 are grouped by: a text naming one of ``words`` belongs here;
    a theme without words takes what no other theme took."""

    name: Text = Field(min_length=1)
    lead: Text = Field(min_length=1)  # the point's opening, e.g. 基层法治工作力量仍显薄弱
    words: Texts = ()


class TaskNotes(Model):
    """The administrators' review notes: why a part of the draft says less than it could."""

    no_plan: Text  # {year}
    no_answers: Text  # {year} {n}
    unanswered: Text  # {tasks}: tasks with no lead answer
    partly_answered: Text  # {tasks}: tasks some lead units answered, each with those that did not
    unplaced: Text  # {tasks}: tasks no focus section takes
    section_silent: Text  # {section}: a section whose tasks nobody answered


class TaskWriting(Model):
    places: tuple[TaskPlace, ...] = ()
    overall: Text  # {plan} {n} {done} {rest}: the year's plan in the results' opening
    status: Texts = Field(min_length=1)  # a section's count, in turn: {n} {done} {rest}
    rest_basic: Text  # {n}
    rest_behind: Text  # {n}
    rest_not_started: Text  # {n}
    rest_unanswered: Text  # {n}
    documents: Texts = Field(min_length=1)  # a section's documents, in turn: {items}
    document_verbs: Texts = Field(min_length=1)  # 出台 / 印发 / 制定, in turn
    measures: Texts = Field(min_length=1)  # a task's measures, in turn: {task} {items}
    measure_joined: Text  # a task's measures joined to the sentence before, all frames used up: {task} {items}
    frame_uses: Int = Field(default=2, ge=1)  # a sentence frame used at most this many times
    problem_lead: Text  # the point on unfinished tasks
    problem_intro: Text  # {n} {k}
    problem_task: Text  # {number} {task} {leads} {status} {reason}
    problem_no_reason: Text  # what stands for a reason a lead unit did not give
    problem_unanswered: Text  # {k} {tasks} {units}: tasks still awaiting a lead unit's answer
    status_words: dict[Text, Text] = {}  # 正在推进 → 仍在推进…
    themes: tuple[Theme, ...] = ()
    theme_item: Text  # {units} {text}
    theme_more: Text  # {n}: units beyond those named
    themes_max: Int = Field(default=3, ge=0)
    points_max: Int = Field(default=6, ge=1)  # numbered problems in all (tasks, themes, figures)
    notes: TaskNotes


class StandingTask(Model):
    """A task every year's plan carries (年度报告, 考核评价…), its units named as a plan names them."""

    section: Text = Field(min_length=1)  # the （一） heading it goes under
    text: Text = Field(min_length=1)
    lead: Texts = Field(min_length=1)
    responsible: Texts = ()


class NextPlanNotes(Model):
    """What `plan draft` tells the administrator about what it could not draw on."""

    no_plan: Text  # {year}: no tasks imported for the year before
    no_answers: Text  # {year}: tasks, but no answers (nothing carried forward)
    no_cycle: Text  # {year}: no cycle, so no draft's plans (the standing plans are used)
    awaiting: Text  # {year} {tasks}: tasks not carried forward because a lead unit never answered
    unresolved: Text  # {names}: names the roster does not know (import with --keep-unresolved or add them)


class NextPlan(Model):
    """`nianbao plan draft`: next year's work plan in the shape of the city's own (seed 000): 一、 parts,
    （一） sections, numbered tasks each closing with （牵头单位：…，责任单位：…）."""

    title: Text  # {city} {year}
    intro: Text  # {city} {year}
    guiding_heading: Text = "指导思想"
    guiding: Text = ""  # {city} {year}
    tasks_heading: Text = "重点工作"
    requirements_heading: Text = "工作要求"
    requirements: Texts = ()
    issuer: Text  # {city} {office}
    sections: Texts = ()  # the （一） sections in this order; sections met elsewhere follow
    plans_section: Text = Field(min_length=1)  # where the draft's plans go unless a plan names its own
    plans_lead: Texts = Field(min_length=1)  # names, as a plan writes them
    plans_responsible: Texts = ()
    standing: tuple[StandingTask, ...] = ()
    notes: NextPlanNotes
