"""What the user says about themselves (or someone else), read as facts the conditions can use.

"我12月的社保是在老家交的，还能领吗", "我们是国企", "从宁波接的", "只招到4个人": the statements are
read from the text (`read_statements`) into `Statements`, remembered across turns (`carried`), and
figures beyond a plausible range are left unstated (`LIMITS`). bot/eligibility/stated_rules.py
tests each condition of the measure against them with the same rules the eligibility check uses.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Dict, List, Optional

from bot.policy.model import Notice
from bot.regions import PROVINCES
from bot.text.numbers import (
    AMOUNT_MAX_YUAN,
    AMOUNT_RANGE,
    HEADCOUNT_MAX,
    HEADCOUNT_RANGE,
    TOO_LARGE,
    read_decimal,
    read_int,
)

FIRM_FLAGS = ("above_scale", "industrial", "state_owned", "key_project", "festival_production")
# Cities people name for where a bus came from, by province (the provinces' own names are read too).
CITIES = {
    "浙江": "杭州 宁波 温州 绍兴 湖州 嘉兴 金华 衢州 台州 丽水 舟山 义乌 慈溪 余姚",
    "安徽": "合肥 阜阳 六安 安庆 亳州 宿州 蚌埠 淮南 芜湖 滁州 黄山",
    "河南": "郑州 信阳 周口 商丘 南阳 驻马店 洛阳 开封 新乡",
    "贵州": "贵阳 遵义 毕节 铜仁 六盘水 安顺",
    "四川": "成都 南充 达州 绵阳 宜宾 广安 巴中",
    "江西": "南昌 上饶 赣州 九江 抚州 宜春",
    "湖北": "武汉 襄阳 黄冈 孝感 荆州",
    "湖南": "长沙 邵阳 衡阳 常德 怀化",
    "云南": "昆明 昭通 曲靖",
    "甘肃": "兰州 天水 定西",
    "江苏": "南京 苏州 徐州 盐城 连云港 宿迁 南通",
    "山东": "济南 青岛 临沂 菏泽",
    "广西": "南宁 桂林 百色",
}
_CITY_PROVINCE = {city: province for province, cities in CITIES.items() for city in cities.split()}
_PLACES = sorted([*PROVINCES.values(), *_CITY_PROVINCE], key=len, reverse=True)
_ORIGIN = re.compile(r"(?:从|去|到|来自|由)(" + "|".join(map(re.escape, _PLACES)) + r")")


@dataclass
class Statements:
    """What the message says; None wherever it says nothing."""

    household_local: Optional[bool] = None
    insured_here: Optional[bool] = None
    role: Optional[str] = None  # frontline | courier | food_delivery | other
    employed_here: Optional[bool] = None
    firm: Dict[str, Optional[bool]] = field(default_factory=lambda: dict.fromkeys(FIRM_FLAGS))
    firm_local: Optional[bool] = None
    worked: Optional[bool] = None
    stayed: Optional[bool] = None
    origin_province: Optional[str] = None
    passengers: Optional[int] = None
    trip_date: Optional[dt.date] = None  # the date of a trip or of a recruit's start
    cost_yuan: Optional[Decimal] = None
    is_agency: Optional[bool] = None
    recruits: Optional[int] = None
    insured_months: Optional[int] = None
    first_job: Optional[bool] = None
    not_first_count: Optional[int] = None  # "其中3个以前就在嵊泗上过班"
    headcount: Optional[int] = None  # "一共有60个符合条件的": people a fixed amount is paid to
    evidence: List[str] = field(default_factory=list)
    out_of_range: List[str] = field(default_factory=list)  # figures said but beyond LIMITS (left unstated)

    def __bool__(self) -> bool:
        return bool(self.evidence)


def _said(st: Statements, text: str, pattern: str, attr: str, value, label: str) -> None:
    if getattr(st, attr) is None and re.search(pattern, text):
        setattr(st, attr, value)
        st.evidence.append(label)


def read_statements(
    text: str, notice: Notice, today: Optional[dt.date] = None, earlier: Optional[Dict[str, object]] = None
) -> Statements:
    """The facts a normalised message states, relative to `notice`'s region; `earlier`: what the
    user said before in this conversation (`carried()`), which the new message overrides."""
    st = _fresh(text, notice, today)
    for name, value in (earlier or {}).items():
        if name == "firm":
            for flag, known in value.items():
                if st.firm.get(flag) is None:
                    st.firm[flag] = known
        elif name in CARRIED and getattr(st, name) is None:
            setattr(
                st,
                name,
                dt.date.fromisoformat(value)
                if name == "trip_date"
                else read_decimal(str(value))
                if name == "cost_yuan"
                else value,
            )
    return st


CARRIED = (
    "household_local",
    "insured_here",
    "role",
    "employed_here",
    "firm_local",
    "worked",
    "stayed",
    "origin_province",
    "passengers",
    "trip_date",
    "cost_yuan",
    "is_agency",
    "recruits",
    "insured_months",
    "first_job",
    "not_first_count",
)


def carried(st: Statements) -> Dict[str, object]:
    """What to remember of the statements for the next turn (JSON-safe, nothing personal)."""
    out: Dict[str, object] = {name: getattr(st, name) for name in CARRIED if getattr(st, name) is not None}
    if "trip_date" in out:
        out["trip_date"] = st.trip_date.isoformat()
    if "cost_yuan" in out:
        out["cost_yuan"] = str(st.cost_yuan)
    flags = {k: v for k, v in st.firm.items() if v is not None}
    if flags:
        out["firm"] = flags
    return out


# Beyond these a figure is a typo or a test, not a fact to calculate with: it is left unstated and
# the reply asks again, naming the range (RANGES). Amounts and head counts: bot.text.numbers.
LIMITS = {
    "cost_yuan": AMOUNT_MAX_YUAN,
    "passengers": 10_000,
    "recruits": HEADCOUNT_MAX,
    "headcount": HEADCOUNT_MAX,
    "insured_months": 600,
    "not_first_count": HEADCOUNT_MAX,
}
RANGES = {
    "cost_yuan": ("费用", AMOUNT_RANGE),
    "passengers": ("乘车人数", "1至1万人"),
    "recruits": ("招工人数", HEADCOUNT_RANGE),
    "headcount": ("人数", HEADCOUNT_RANGE),
    "insured_months": ("社保缴纳月数", "1至600个月"),
    "not_first_count": ("人数", HEADCOUNT_RANGE),
}


def out_of_range_note(st: Statements) -> str:
    """ "您说的费用超出合理范围（1元至1000万元），没有计入…" for figures left unstated; "" when none."""
    said = "、".join(dict.fromkeys(f"{RANGES[n][0]}超出合理范围（{RANGES[n][1]}）" for n in st.out_of_range))
    return f"您说的{said}，没有计入，请核对后再告诉我。" if said else ""


def _fresh(text: str, notice: Notice, today: Optional[dt.date]) -> Statements:
    st = _read(text, notice, today)
    for name, limit in LIMITS.items():
        value = getattr(st, name)
        if value is not None and not (0 <= value <= limit):
            setattr(st, name, None)
            st.evidence = [e for e in st.evidence if str(value) not in e]
            st.out_of_range.append(name)
    return st


def _number(digits: str, decimal: bool = False):
    """A matched figure; one too long (or in other digits) reads as TOO_LARGE, beyond every limit."""
    value = read_decimal(digits) if decimal else read_int(digits)
    return value if value is not None else TOO_LARGE


def _read(text: str, notice: Notice, today: Optional[dt.date]) -> Statements:
    st = Statements()
    here = "|".join(map(re.escape, sorted({notice.region.short_name, *notice.region.aliases}, key=len, reverse=True)))
    place = rf"(?:{here}|这边|这里|本地|本县|当地)"
    _said(
        st,
        text,
        rf"{place}的?(?:户口|户籍|人\b)|本地人|土生土长|户[口籍](?:是|在)?{place}",
        "household_local",
        True,
        "本地户籍",
    )
    _said(
        st,
        text,
        r"外地(?:户口|户籍|人)|非.{0,4}户籍|外省|外来|老家在|户口在老家|户口不在|户口没迁|"
        r"(?:" + "|".join(_PLACES) + r")的?(?:户口|户籍|人(?![员力]))",
        "household_local",
        False,
        "外地户籍",
    )
    _said(
        st,
        text,
        r"社保[^，。,]{0,6}(?:老家|外地|外省|别的地方|原来的地方)|(?:老家|外地)[^，。,]{0,4}(?:交|缴)的?社保|"
        r"没(?:有)?(?:交|缴)社保|社保没(?:交|缴)|社保断",
        "insured_here",
        False,
        "社保不在本地缴纳",
    )
    _said(
        st,
        text,
        rf"社保[^，。,]{{0,4}}在{place}|在{place}(?:交|缴)(?:了)?社保|(?:在这|这边)(?:交|缴)(?:了)?社保",
        "insured_here",
        True,
        "社保在本地缴纳",
    )
    _said(st, text, r"快递", "role", "courier", "快递员")
    _said(st, text, r"外卖|骑手", "role", "food_delivery", "外卖骑手")
    _said(
        st,
        text,
        r"饭店|餐馆|饭馆|酒店|超市|商店|店里|服务员|保姆|保洁|做生意|开店|民宿",
        "role",
        "other",
        "不在工业企业一线",
    )
    _said(st, text, r"一线|车间|流水线|生产线|工厂|厂里|加工厂|厂子|操作工|普工", "role", "frontline", "工厂一线")
    if st.role == "other":
        st.firm["industrial"] = False
    if st.role == "frontline":
        st.firm["industrial"] = True
    if re.search(r"规上|规模以上", text):
        st.firm["above_scale"] = True
        st.evidence.append("规上企业")
    elif re.search(r"小厂|小作坊|个体|小公司|规下", text):
        st.firm["above_scale"] = False
        st.evidence.append("非规上企业")
    if re.search(r"国企|国有", text) and not re.search(r"不是国|非国有|民营|私营|私企", text):
        st.firm["state_owned"] = True
        st.evidence.append("国有企业")
    elif re.search(r"民营|私营|私企|不是国|非国有|个体", text):
        st.firm["state_owned"] = False
        st.evidence.append("民营企业")
    if re.search(r"停工|停产|放假了|歇业", text) and not re.search(r"不停工|不停产|没停", text):
        st.firm["festival_production"] = False
    elif re.search(r"不停工|不停产|没停|连续生产|正常生产|照常开工", text):
        st.firm["festival_production"] = True
    _said(
        st,
        text,
        rf"(?:在|来){place}(?:打工|上班|干活|工作|做事)|{place}(?:的)?(?:厂|公司|企业|饭店|工地)",
        "employed_here",
        True,
        "在本地工作",
    )
    _said(st, text, rf"{place}的?(?:企业|公司|厂)|我们(?:是)?{place}", "firm_local", True, "本地企业")
    went_home = (
        # "过年回老家了", not "过年不回家" / "春节没回去"
        r"(?:过年|春节)(?:(?![不没别])[^，。,]){0,6}回(?:了)?(?:老家|家|去|[\u4e00-\u9fa5]{1,3}?(?:了|过年|去))|"
        r"(?<![不没别])回老家过年|(?<![不没别])回家过年"
    )
    _said(st, text, went_home + r"|辞职|离职|不干了|没上班", "worked", False, "春节期间没有在岗")
    _said(st, text, went_home, "stayed", False, "春节回老家")
    _said(
        st,
        text,
        r"过年不回|不回(?:老家|家|去)过年|留(?:在)?(?:这边|这里|下来)|春节[^，。,]{0,4}(?:在岗|上班|加班)|"
        r"坚持(?:工作|上班)|没回(?:老家|家)",
        "worked",
        True,
        "春节期间在岗",
    )
    _said(
        st,
        text,
        rf"过年不回|不回(?:老家|家|去)过年|留(?:在)?(?:{here}|这边|这里|下来)过年|留{notice.region.short_name[0]}过年|"
        r"没回(?:老家|家)",
        "stayed",
        True,
        "留下过年",
    )
    origin = _ORIGIN.search(text)
    if origin:
        name = origin.group(1)
        st.origin_province = _CITY_PROVINCE.get(name, name)
        st.evidence.append(f"从{name}出发")
    people = [
        _number(m.group(1)) for m in re.finditer(r"(\d+)\s*(?:多)?\s*(?:个|名|位)?\s*(?:人|工人|员工|老乡|师傅)", text)
    ]
    if people and re.search(r"包车|大巴|车|接", text):
        st.passengers = max(people)  # "再凑2个人，一车10个人呢": the busload
        st.evidence.append(f"{st.passengers}人")
    if today and re.search(r"今天|现在|马上|这就", text) and re.search(r"出发|接|包车|走|招|引进", text):
        st.trip_date = today
        st.evidence.append("今天")
    day = re.search(r"(?<!\d)(1|2|01|02|12)月(\d{1,2})[号日]", text)
    if day:
        month, dom = int(day.group(1)), int(day.group(2))
        try:
            st.trip_date = dt.date(2022 if month == 12 else 2023, month, dom)
            st.evidence.append(f"{month}月{dom}日")
        except ValueError:
            pass
    cost = re.search(
        r"(?:车费|包车费|费用|花了|花费|一共|总共|共计|合计|车钱)[^0-9]{0,6}(\d+(?:\.\d+)?(?:[eE]\+?\d+)?)\s*(?:元|块)?",
        text,
    )
    if cost:
        st.cost_yuan = _number(cost.group(1), decimal=True)
        st.evidence.append(f"费用{st.cost_yuan}元")
    _said(
        st, text, r"人力资源(?:服务)?(?:公司|机构)|中介|劳务公司|猎头|人力公司", "is_agency", True, "人力资源服务机构"
    )
    _said(st, text, r"(?:我们|企业|公司|厂里)自己招|自己招的", "is_agency", False, "企业自己招工")
    headcount = re.search(r"(\d+)\s*(?:个|名|位)\s*(?:符合条件的?|员工|工人|人)", text)
    if headcount and re.search(r"代发|一共|总共|多少钱|发多少|要发", text):
        st.headcount = _number(headcount.group(1))
        st.evidence.append(f"{st.headcount}人")
    recruits = re.search(
        r"(?:招|引进|介绍|送|带)(?:了|到|来|进)?[^0-9，。,]{0,4}(\d+)\s*(?:个|名|位)?\s*(?:人|员工|工人)?", text
    )
    enough = re.search(r"凑够\s*(\d+)|一共\s*(\d+)\s*(?:个|名|位)", text)
    if enough and recruits:
        st.recruits = _number(enough.group(1) or enough.group(2))
        st.evidence.append(f"引进{st.recruits}人")
    elif recruits:
        st.recruits = _number(recruits.group(1))
        st.evidence.append(f"引进{st.recruits}人")
    insured = re.search(r"社保[^0-9，。,]{0,6}(\d+)\s*个?月", text)
    if insured:
        st.insured_months = _number(insured.group(1))
        st.evidence.append(f"社保{st.insured_months}个月")
    _said(
        st,
        text,
        r"(?:之前|以前|原来|早就)[^，。,]{0,4}在[^，。,]{0,6}(?:干|工作|上班|打工)过|不是(?:第一次|首次)|老员工",
        "first_job",
        False,
        "此前已在本地就业",
    )
    _said(st, text, r"第一次来|首次(?:来|就业)|头一回来", "first_job", True, "首次在本地就业")
    some = re.search(r"其中\s*(\d+)\s*(?:个|名|位)?(?:人)?[^，。,]{0,4}(?:以前|之前|原来|早就)", text)
    if some and st.recruits:
        st.not_first_count = _number(some.group(1))
        st.first_job = None
        st.evidence.append(f"其中{st.not_first_count}人此前已在本地就业")
    return st
