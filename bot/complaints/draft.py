"""The complaint draft model: every complaint field once, for the chat and the staff console alike.

`TABLE` holds each field's labels, how much of it is kept, and what either channel says when a value
is unusable. Both ways in write a draft through `merge`: the chat's form (bot/complaints/dialogue.py)
with what bot/complaints/fields.py read from a message, the console's intake page
(bot/console/views/intake.py) with what `read_form` read from its boxes. A firm is matched against the
register, text is cut to its limit and the description masked in one place, and a figure is accepted
or refused by `accepts` on either channel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Dict, List, Mapping, Optional, Tuple

from bot.complaints.parsing import Amount, Months, parse_months, parse_phone, read_amount
from bot.text.mask import mask_text
from bot.text.numbers import AMOUNT_RANGE, HEADCOUNT_MAX, HEADCOUNT_MIN, HEADCOUNT_RANGE, headcount_plausible, read_int

if TYPE_CHECKING:  # the stored draft (bot/complaints/service.py); only its attributes are used here
    from bot.complaints.service import Draft

NOT_GIVEN = "未提供"  # an optional field the complainant chose to skip
MatchFirm = Callable[[str], Optional[Tuple[str, str]]]  # typed name → (registered name, credit code)


@dataclass(frozen=True)
class DraftField:
    key: str  # the chat's name of the field ("employer")
    form_name: str  # the console's box: the Draft attribute it fills, where there is one ("firm_name")
    label: str  # the chat's read-back
    form_label: str  # the console's box and its error messages
    limit: Optional[int] = None  # characters kept in the draft
    form_size: Optional[int] = None  # characters the console's box takes (None: the limit)
    optional: bool = False  # the chat accepts "跳过"
    problem: str = ""  # the chat's re-ask when the answer was not understood
    example: str = ""  # the chat's example of a correction
    out_of_range: Optional[str] = None  # the chat's re-ask for a figure beyond its range
    form_problem: Optional[str] = None  # the console's message for a box it cannot read
    form_out_of_range: Optional[str] = None  # the console's message for a figure beyond its range

    @property
    def box_size(self) -> Optional[int]:
        return self.form_size or self.limit


TABLE: Dict[str, DraftField] = {
    f.key: f
    for f in (
        DraftField(
            "name",
            "name",
            "姓名",
            "姓名",
            limit=64,
            problem="没听清您的姓名，请直接回复姓名，例如“王大力”。",
            example="名字是王大力",
        ),
        DraftField(
            "phone",
            "phone",
            "手机号",
            "电话",
            form_size=20,
            problem="请输入11位手机号。",
            example="电话是13912345678",
            form_problem="请输入11位手机号",
        ),
        DraftField(
            "employer",
            "firm_name",
            "欠薪单位",
            "欠薪单位",
            limit=200,
            problem="请告诉我欠薪单位的名称，例如“某某水产有限公司”；不知道全称，说老板或包工头的名字也可以。",
            example="单位是某某水产公司",
        ),
        DraftField(
            "site",
            "work_site",
            "工作地点/项目",
            "务工地点",
            limit=200,
            optional=True,
            problem="请告诉我干活的工地、项目或地点；不清楚可回复“跳过”。",
            example="地点是某某码头",
        ),
        DraftField(
            "amount",
            "amount",
            "欠薪金额",
            "欠薪金额",
            limit=100,  # the wording typed in the console, as the store's amount_text keeps it
            optional=True,
            problem="没听明白金额，请换个说法，例如“一万二”“12000元”或“每月4000，欠了3个月”；不清楚可回复“跳过”。",
            example="金额是一万二",
            out_of_range=f"这个金额不在合理范围内（{AMOUNT_RANGE}），请核对后再说一遍，"
            "例如“一万二”或“12000元”；不清楚可回复“跳过”。",
            form_problem="没看懂，请写成例如“12000”或“一万二”",
            form_out_of_range=f"不在合理范围内（{AMOUNT_RANGE}）",
        ),
        DraftField(
            "months",
            "months",
            "欠薪月份",
            "欠薪月份",
            form_size=100,
            optional=True,
            problem="没听明白是哪几个月，请说例如“去年10月到12月”或“3个月”；不清楚可回复“跳过”。",
            example="月份是去年10月到12月",
            form_problem="没看懂，请写成例如“2022-10、2022-11”或“3个月”",
        ),
        DraftField(
            "workers",
            "workers",
            "涉及人数",
            "涉及人数",
            form_size=6,
            problem="请回复被欠薪的人数，例如“1”或“12个人”。",
            example="人数是3个人",
            out_of_range=f"这个人数不在合理范围内（{HEADCOUNT_RANGE}），请核对后回复被欠薪的人数，例如“1”或“12个人”。",
            form_problem=f"请填 {HEADCOUNT_MIN} 到 {HEADCOUNT_MAX} 之间的整数",
            form_out_of_range=f"请填 {HEADCOUNT_MIN} 到 {HEADCOUNT_MAX} 之间的整数",
        ),
        DraftField(
            "description",
            "description",
            "情况说明",
            "情况说明",
            limit=2000,
            optional=True,
            problem="请简单说说情况。",
            example="说明是老板已失联",
        ),
        DraftField("callback_time", "callback_time", "回电时间", "方便回电时间", limit=100, optional=True),
    )
}
FIELDS = ("name", "phone", "employer", "site", "amount", "months", "workers", "description")  # the chat asks these
OPTIONAL = {key for key in FIELDS if TABLE[key].optional}
LABELS = {key: TABLE[key].label for key in FIELDS}
BY_FORM_NAME = {f.form_name: f for f in TABLE.values()}


def accepts(key: str, value: object) -> bool:
    """Whether a figure read for a field may be stored: the same verdict on every channel."""
    if key == "workers":
        return isinstance(value, int) and headcount_plausible(value)
    if key == "amount":
        return isinstance(value, Amount) and value.plausible
    return True


def cut(key: str, text: str) -> str:
    limit = TABLE[key].limit
    return text[:limit] if limit else text


def amount_text(amount: Amount) -> str:
    """The chat's wording of an amount read from a message."""
    yuan = f"{amount.yuan.normalize():f}"
    text = f"{yuan}多元" if amount.approximate else f"{yuan}元"
    if amount.per_month is not None and amount.months:
        text += f"（每月{amount.per_month.normalize():f}元×{amount.months}个月）"
    return text


def months_text(months: List[str], count: Optional[int]) -> str:
    if months:

        def label(value: str) -> str:
            year, month = value.split("-")
            return f"{year}年{int(month)}月"

        if len(months) == 1:
            return label(months[0])
        values = [int(m[:4]) * 12 + int(m[5:]) for m in months]
        contiguous = values == list(range(values[0], values[0] + len(values)))
        return (
            f"{label(months[0])}至{label(months[-1])}（共{len(months)}个月）"
            if contiguous
            else "、".join(label(m) for m in months)
        )
    return f"{count}个月（具体月份未说明）" if count else NOT_GIVEN


def note_skipped(draft: Draft, values: Mapping[str, object]) -> Dict[str, object]:
    """The fields answered NOT_GIVEN are noted as skipped, the others no longer; returns the others."""
    skipped = set(draft.skipped)
    given = {}
    for key, value in values.items():
        if value == NOT_GIVEN:
            skipped.add(key)
        else:
            skipped.discard(key)
            given[key] = value
    draft.skipped = sorted(skipped)
    return given


def merge(
    draft: Draft,
    values: Mapping[str, object],
    match_firm: MatchFirm,
    said: Optional[Mapping[str, str]] = None,
    cannot_go_home: bool = False,
) -> None:
    """Write read values (str, or Amount, Months, int) into the draft. `said`: the text typed for a
    field, kept as the draft's wording instead of the chat's (the console's amount)."""
    said = said or {}
    for key, value in values.items():
        if key == "employer":
            match = match_firm(str(value))
            draft.firm_name, draft.firm_credit_code = match if match else (cut(key, str(value)), None)
        elif key == "amount" and isinstance(value, Amount):
            draft.amount_yuan = str(value.yuan)
            draft.amount_text = cut(key, said[key]) if key in said else amount_text(value)
        elif key == "months" and isinstance(value, Months):
            draft.months, draft.months_count = list(value.months), value.count or (len(value.months) or None)
        elif key == "workers":
            draft.workers = int(value)  # type: ignore[arg-type]
        elif key == "description":  # a correction's too: the draft keeps only the masked text
            draft.description = cut(key, mask_text(str(value)))
        elif key == "site":
            draft.work_site = cut(key, str(value))
        elif key in ("name", "phone", "callback_time"):
            setattr(draft, key, cut(key, str(value)))
    draft.cannot_go_home = draft.cannot_go_home or cannot_go_home


@dataclass
class FormReading:
    """The console's boxes read: values for `merge`, and what was wrong, by field, in Chinese."""

    values: Dict[str, object] = field(default_factory=dict)
    said: Dict[str, str] = field(default_factory=dict)
    problems: Dict[str, str] = field(default_factory=dict)


def read_form(form: Mapping[str, str], today: dt.date) -> FormReading:
    """Each box (by form_name, its text stripped) read as its own field; an empty box is not given."""
    out = FormReading()
    for key, spec in TABLE.items():
        text = form.get(spec.form_name, "")
        if not text:
            continue
        if key == "phone":
            phone, problem = parse_phone(text)
            if phone:
                out.values[key] = phone
            else:
                out.problems[key] = problem or spec.form_problem or ""
        elif key == "amount":
            amount = read_amount(text)
            if accepts(key, amount):
                out.values[key], out.said[key] = amount, text
            else:
                out.problems[key] = (spec.form_out_of_range if amount else spec.form_problem) or ""
        elif key == "months":
            months = parse_months(text, today)
            if months:
                out.values[key] = months
            else:
                out.problems[key] = spec.form_problem or ""
        elif key == "workers":
            workers = read_int(text)  # never int(): 5,000 digits would raise
            if accepts(key, workers):
                out.values[key] = workers
            else:
                out.problems[key] = (spec.form_out_of_range if workers is not None else spec.form_problem) or ""
        else:
            out.values[key] = text
    return out


def form_errors(problems: Mapping[str, str], missing: List[str]) -> List[str]:
    """The console's error lines: each problem, then each required box still empty (Draft.missing)."""
    lines = [f"{TABLE[key].form_label}：{message}" for key, message in problems.items()]
    return lines + [f"{BY_FORM_NAME[name].form_label}：必填" for name in missing]


def form_values(draft: Draft) -> Dict[str, str]:
    """A draft as the console's boxes show it."""
    return {
        "name": draft.name or "",
        "firm_name": draft.firm_name or "",
        "work_site": draft.work_site or "",
        "amount": draft.amount_text or (draft.amount_yuan or ""),
        "months": "、".join(draft.months) or (f"{draft.months_count}个月" if draft.months_count else ""),
        "workers": str(draft.workers or ""),
        "description": draft.description or "",
        "callback_time": draft.callback_time or "",
        "cannot_go_home": "1" if draft.cannot_go_home else "",
    }
