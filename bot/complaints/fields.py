"""Find complaint details in what a complainant types: name, phone, employer, work site, amount,
months, number of workers, and whether they can get home for the festival.

`extract(text, today, asked=None)` reads a whole message. Unasked, it takes only what is clearly
marked ("我叫王大力", "电话139…", "…公司欠我…", "一共一万二"), so one message can fill several
fields. When a field was asked for, the whole answer is read as that field ("跳过" skips the
optional ones).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from bot.complaints.draft import FIELDS, LABELS, NOT_GIVEN, OPTIONAL, TABLE, accepts
from bot.complaints.parsing import Months, parse_months, parse_phone, read_amount
from bot.text.normalize import normalize
from bot.text.numbers import read_int

MAX_READ = 500  # characters of a message read for details (a description keeps 500): more only costs time

SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢"
    "安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游"
    "辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟"
    "应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_NAME_WORDS = re.compile(r"工|公司|老板|师傅|员工|农民|投诉|欠|工资|电话|手机|我|你|他|这|那|不|没|要|想")
_NAME_CUE = re.compile(
    r"(?:我叫|俺叫|我的名字是|我的名字叫|名字是|名字叫|姓名是|姓名[:：]?|本人是?|我是|叫)\s*"
    r"([\u4e00-\u9fa5][\u4e00-\u9fa5·]{1,4}?)(?=$|[，,。.\s；;！!、]|电话|手机|联系|号码|在|的|今年|家)"
)
_EMPLOYER_SUFFIX = (
    r"(?:有限责任公司|股份有限公司|有限公司|集团|公司|加工厂|工厂|厂|建筑队|施工队|劳务队|装修队|"
    r"合作社|商行|超市|酒店|饭店|餐馆|饭馆|门店|店)"
)
_EMPLOYER = re.compile(r"([\u4e00-\u9fa5A-Za-z0-9（）()·]{1,30}?" + _EMPLOYER_SUFFIX + r")")
_EMPLOYER_BAD = re.compile(r"我|投诉|举报|要|欠|工资|老板|什么|哪|怎么|这家|那家|电话|手机")
_LEAD = re.compile(
    r"^(?:我们?(?:是|在|给)?|俺们?(?:在|给)?|在|给|帮|替|是|被|就是|原来在|之前在|老板是|单位是|单位叫|"
    r"公司叫|公司是|公司名字?是?|欠薪的是|欠钱的是|欠我工资的是|雇主是|用人单位是?|欠薪单位是?|单位名称是?)"
)
_SITE_SUFFIX = re.compile(
    r"([\u4e00-\u9fa5A-Za-z0-9#（）()]{1,30}?(?:工地|项目部|项目|工程|码头|渔场|养殖场|基地|小区|大楼|车间|船上|"
    r"镇|乡|村|岛|船厂|冷库|厂区|仓库|港区|渔港))$"
)
_SITE_AT = re.compile(
    r"^在([\u4e00-\u9fa5A-Za-z0-9#]{0,20}?(?:工地|码头|渔场|车间|镇|乡|村|岛|船厂|冷库|厂区|仓库|港区|渔港|"
    r"船上|工厂|厂里))(?:的[\u4e00-\u9fa5]{1,8})?(?:干活|上班|打工|工作|做工|施工|做事)?$"
)
_SITE_LEAD = re.compile(r"^(?:(?:工地|项目|地点|地址|工作地点)(?:在|是|名称是?)|在|是)")
_SITE_SAID = re.compile(
    r"(?:干活的?地点|干活的地方|工作地点|工地|项目|地点|地址)(?:在|是|叫)\s*"
    r"([\u4e00-\u9fa5A-Za-z0-9#（）()]{2,30}?)(?=$|[，,。；;！!、\s])"
)
_SITE_CUE = re.compile(
    r"(?:工地在|项目在|地点在|地址在|工作地点是?|干活的地方是?|在)\s*"
    r"([\u4e00-\u9fa5A-Za-z0-9#（）()]{2,30}?)\s*(?:干活|上班|打工|工作|做工|施工|做事|干了|干)"
)
_WORKERS = re.compile(r"(\d+)\s*(多|几)?\s*(?:个|名|位)?\s*(?:人|工友|工人|兄弟|老乡|同事|农民工|伙计|员工)")
_WORKERS_CN = re.compile(
    r"([一二两三四五六七八九十百]+)\s*(多|几)?\s*(?:个|名|位)\s*(?:人|工友|工人|兄弟|老乡|同事|农民工|伙计|员工)"
)
_ALONE = re.compile(r"就我(?:自己|1个|一个)?|只有我|我自己|我1个人|我一个人|本人1人|就1个")
_CANNOT_GO_HOME = re.compile(
    r"回不了家|回不去|没钱回家|没法回家|不能回家|回家的路费|买不起车票|没钱买票|过不了年|"
    r"回家过年都没钱|没钱过年|没钱回老家|回不了老家"
)
_SKIP = re.compile(
    r"^(?:跳过|不知道|不清楚|不记得|记不清|忘了|说不清|没有|没了|无|暂无|不晓得|不好说|算了吧不填|略)[。.!！]?$"
)
_MONEY_CUE = re.compile(r"欠|工资|工钱|薪|元|块|钱|万|千|共|总")
_PHONE_CUE = re.compile(r"电话|手机|号码|联系方式|打我")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> Optional[int]:
    """一 … 九百九十九 (what normalize() leaves alone: "十几", "二十多") → int."""
    total, digit = 0, 0
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char == "十":
            total += (digit or 1) * 10
            digit = 0
        elif char == "百":
            total += (digit or 1) * 100
            digit = 0
        else:
            return None
    return total + digit or None


@dataclass
class Extracted:
    """The fields found in one message, and what was wrong with the asked one."""

    values: Dict[str, object] = field(default_factory=dict)
    problem: Optional[str] = None
    cannot_go_home: bool = False

    def __bool__(self) -> bool:
        return bool(self.values)


def _clauses(text: str) -> List[str]:
    return [c for c in re.split(r"[，,。；;！!？?\s、]+", text) if c]


def find_name(text: str, asked: bool = False) -> Optional[str]:
    for match in _NAME_CUE.finditer(text):
        name = match.group(1)
        if name[0] in SURNAMES and not _NAME_WORDS.search(name):
            return name
    if asked:
        bare = re.sub(r"^(?:我叫|俺叫|叫|姓名|名字|我是|是)[:：]?", "", text.strip(" 。.!！"))
        if re.fullmatch(r"[\u4e00-\u9fa5][\u4e00-\u9fa5·]{1,5}", bare) and not _NAME_WORDS.search(bare):
            return bare
        if re.fullmatch(r"[A-Za-z][A-Za-z .'-]{1,40}", bare):
            return bare.strip()
    return None


def find_employer(text: str, asked: bool = False) -> Optional[str]:
    clauses = _clauses(text)
    # The clause that says who owes comes first ("是劳务公司的，…某建筑公司欠了我们…").
    clauses.sort(key=lambda c: not re.search(r"欠|拖欠|不给|没发|不发", c))
    for clause in clauses:
        clause = re.sub(r"^.*?(?:我们|俺们|\d+个\S{0,3}?)在(?=[\u4e00-\u9fa5]{4,})", "", _LEAD.sub("", clause))
        match = _EMPLOYER.match(clause)
        if match and not _EMPLOYER_BAD.search(match.group(1)) and len(match.group(1)) >= 3:
            return match.group(1)
    if asked:
        bare = _LEAD.sub("", text.strip(" 。.!！"))
        bare = re.sub(r"(?:欠|拖欠|不给|不发).*$", "", bare).strip()
        if 2 <= len(bare) <= 60:
            return bare
    return None


def find_site(text: str, asked: bool = False) -> Optional[str]:
    said = _SITE_SAID.search(text)
    if said and not _EMPLOYER_BAD.search(said.group(1)):
        return said.group(1)
    match = _SITE_CUE.search(text)
    if match and not _EMPLOYER_BAD.search(match.group(1)):
        return match.group(1)
    for clause in _clauses(text):
        at = _SITE_AT.match(clause)
        if at and not _EMPLOYER_BAD.search(at.group(0)):
            return clause[1:].rstrip("干活上班打工工作做工施工做事") or at.group(1)
        found = _SITE_SUFFIX.match(_SITE_LEAD.sub("", _LEAD.sub("", clause)))
        if found and not _EMPLOYER_BAD.search(found.group(1)) and len(found.group(1)) >= 3:
            return found.group(1)
    if asked:
        bare = _SITE_LEAD.sub("", text.strip(" 。.!！"))
        bare = re.sub(r"(?:干活|上班|打工|工作|做工|施工|做事)$", "", bare)
        if 2 <= len(bare) <= 100:
            return bare
    return None


def find_workers(text: str, asked: bool = False) -> Optional[int]:
    match = _WORKERS.search(text)
    if match:
        return read_int(match.group(1))
    match = _WORKERS_CN.search(text)
    if match:
        return chinese_number(match.group(1))
    if _ALONE.search(text):
        return 1
    if asked:
        bare = re.fullmatch(
            r"\s*(?:一共|总共|共)?\s*(\d+|[一二两三四五六七八九十百]+)\s*(?:多|几)?\s*(?:个|名|位)?\s*(?:人)?\s*", text
        )
        if bare:
            value = bare.group(1)
            return read_int(value) if value.isdigit() else chinese_number(value)
    return None


_NOT_A_VALUE = re.compile(
    r"[?？]|吗|呢|怎么|咋|什么|啥|能不能|可不可以|是不是|有没有|问一下|请问|想问|能领不|能拿不|行不|"
    r"[能会要可]\S{0,4}不$|^(?:对|对的|是的|好的?|行|嗯|确认|提交|"
    r"没问题|可以)(?:的|了|吧|啊)?[，,。.!！]*(?:确认)?(?:提交)?(?:吧)?[。.!！]*$"
)


def extract(text: str, today: dt.date, asked: Optional[str] = None) -> Extracted:
    """Every detail in `text`; `asked` is the field the bot just asked for (or None).

    A field's whole answer is read as that field only when the message has no marked detail of
    another field and is neither a question nor a confirmation: those are never stored."""
    flat = normalize((text or "")[:MAX_READ]).strip()
    if asked and asked not in ("phone", "description"):
        marked = _extract(flat, today, None)
        if marked.values and asked not in marked.values:
            marked.problem = PROBLEMS[asked]
            return marked
        if _NOT_A_VALUE.search(flat) and not marked.values:
            return Extracted(problem=PROBLEMS[asked])
    if asked == "description" and _NOT_A_VALUE.search(flat) and len(flat) <= 12:
        return Extracted(problem=PROBLEMS[asked])
    return _extract(flat, today, asked)


def _extract(flat: str, today: dt.date, asked: Optional[str]) -> Extracted:
    out = Extracted(cannot_go_home=bool(_CANNOT_GO_HOME.search(flat)))
    if asked and _SKIP.match(flat):
        if asked in OPTIONAL:
            out.values[asked] = NOT_GIVEN
        else:
            out.problem = f"{LABELS[asked]}需要填写，工作人员才能跟进。" + PROBLEMS[asked]
        return out

    phone, phone_problem = parse_phone(flat)
    if phone:
        out.values["phone"] = phone
    elif asked == "phone" or (_PHONE_CUE.search(flat) and re.search(r"\d{6,}", flat)):
        out.problem = phone_problem

    name = find_name(flat, asked == "name")
    if name:
        out.values["name"] = name
    employer = find_employer(flat, asked == "employer")
    if employer:
        out.values["employer"] = employer
    site = find_site(flat, asked == "site")
    if site and site != employer:
        out.values["site"] = site

    money_text = re.sub(
        r"\d+\s*(?:多|几)?\s*(?:个|名|位)?\s*(?:人|工友|工人|兄弟|老乡|同事|农民工|伙计|员工)", " ", flat
    )
    amount = read_amount(money_text) if (asked == "amount" or _MONEY_CUE.search(flat)) else None
    if amount and not accepts("amount", amount):
        if asked == "amount":
            out.problem = OUT_OF_RANGE["amount"]
    elif amount and (asked == "amount" or amount.yuan >= 100):
        out.values["amount"] = amount
    months = parse_months(flat, today)
    if months and (months.months or asked == "months" or "工资" in flat or "欠" in flat):
        out.values["months"] = months
    elif amount and amount.months and "months" not in out.values:
        out.values["months"] = Months((), amount.months)

    workers = find_workers(flat, asked == "workers")
    if accepts("workers", workers):
        out.values["workers"] = workers
    elif workers is not None and asked == "workers":
        out.problem = OUT_OF_RANGE["workers"]

    if asked == "description":
        out.values["description"] = flat[:500]

    if asked and asked not in out.values and out.problem is None and asked != "phone":
        out.problem = PROBLEMS[asked]
    return out


PROBLEMS = {key: TABLE[key].problem for key in FIELDS}
# A figure beyond bot.text.numbers' ranges ("欠我9999…9元", "0个人"): re-asked with the range.
OUT_OF_RANGE = {key: TABLE[key].out_of_range for key in FIELDS if TABLE[key].out_of_range}

# Words that name a field in a correction: "电话写错了，是…", "金额改成一万五".
FIELD_LABELS = [
    ("phone", re.compile(r"电话|手机|号码")),
    ("name", re.compile(r"名字|姓名|称呼")),
    ("employer", re.compile(r"单位|公司|老板|企业|雇主|厂")),
    ("site", re.compile(r"地点|工地|项目|地址")),
    ("amount", re.compile(r"金额|钱数|多少钱|欠款|总数|数目")),
    ("months", re.compile(r"月份|哪几个月|时间段")),
    ("workers", re.compile(r"人数|几个人|多少人")),
    ("description", re.compile(r"说明|描述|情况")),
]
_CORRECTION_MARK = re.compile(r"(?:应该是|应为|改成|改为|换成|写成|更正为|是|叫|为|[:：])")


def extract_correction(text: str, today: dt.date) -> Extracted:
    """A correction at the read-back: the field it names (if any) is read from what follows."""
    flat = normalize((text or "")[:MAX_READ]).strip()
    for name, label in FIELD_LABELS:
        found = label.search(flat)
        if not found:
            continue
        rest = flat[found.end() :]
        marks = list(_CORRECTION_MARK.finditer(rest))
        value = rest[marks[-1].end() :] if marks else rest
        value = re.sub(r"^(?:错了|不对|有误|写错了|搞错了)[，,。]?", "", value).strip(" ，,。")
        if value:
            result = extract(value, today, asked=name)
            if name in result.values:
                return result
            if result.problem == OUT_OF_RANGE.get(name):
                return Extracted(problem=result.problem)
        return Extracted(problem=f"请直接说正确的{LABELS[name]}，例如“{EXAMPLES[name]}”。")
    return extract(flat, today)


EXAMPLES = {key: TABLE[key].example for key in FIELDS}
