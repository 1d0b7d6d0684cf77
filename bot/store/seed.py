"""`bot db seed`: a deterministic demo data set for the eligibility store.

`write_demo_csv(dir)` writes the eight CSV exchange files the importer reads (same names and
columns as `bot.store.importer.FILES`), from `random.Random(seed)` only, so the same arguments
always give byte-identical files. Every ID number passes GB 11643 and every credit code GB 32100.

Two kinds of rows:

* Hand-placed subjects (`EXAMPLES`, plus the firms and recruits they need) are always written,
  whatever `people`/`firms` say; their ID numbers and credit codes never change, so the README and
  tests can name them. Each example says which decision each benefit must get.
* Generated people and firms fill the rest, with every case mixed in: non-local and local
  households, jobs that ended before the festival or started after it, couriers and riders,
  missing or elsewhere-paid social insurance, no festival record, already-paid claims, bus trips
  inside and outside the window, agencies and their recruits. Generated rows never touch the
  hand-placed firms' charters, placements or claims, so the examples' decisions stay fixed.

People are streamed straight to the files, so memory grows with `firms`, not with `people`:
`write_demo_csv(dir, people=1_000_000, firms=2000)` is a scale benchmark for the importer.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import random
import tempfile
from dataclasses import dataclass, field
from math import gcd
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from sqlalchemy import select

from bot.identifiers import CREDIT_CODE_CHARS, credit_code_check_char, id_number_check_char
from bot.store.db import get_engine, migrate
from bot.store.importer import FILES, ImportReport, import_directory
from bot.store.models import Person

SHENGSI = "330922"
DINGHAI = "330902"  # 舟山市定海区
PUTUO = "330903"  # 舟山市普陀区

# Household registrations (GB/T 2260 county codes) of generated people, with weights.
OTHER_COUNTIES: Tuple[Tuple[str, int], ...] = (
    ("520101", 9),  # 贵州 贵阳市
    ("520102", 5),  # 贵州 贵阳市南明区
    ("522422", 4),  # 贵州 大方县
    ("510104", 8),  # 四川 成都市锦江区
    ("511321", 4),  # 四川 南部县
    ("341202", 7),  # 安徽 阜阳市颍州区
    ("341221", 4),  # 安徽 临泉县
    ("410102", 7),  # 河南 郑州市中原区
    ("411721", 3),  # 河南 西平县
    ("430102", 4),  # 湖南 长沙市芙蓉区
    ("360102", 4),  # 江西 南昌市东湖区
    ("500101", 4),  # 重庆 万州区
    ("420102", 3),  # 湖北 武汉市江岸区
    ("450102", 2),  # 广西 南宁市兴宁区
    ("530102", 2),  # 云南 昆明市五华区
    ("620102", 2),  # 甘肃 兰州市城关区
    (DINGHAI, 3),  # 浙江 舟山市定海区: same province, still not a Shengsi household
)
LOCAL_SHARE = 0.12  # generated people with a Shengsi (330922) household

# Where chartered buses come from: canonical and full names (the importer accepts both).
ORIGIN_PROVINCES = (
    "贵州",
    "贵州省",
    "四川",
    "四川省",
    "安徽",
    "安徽省",
    "河南",
    "河南省",
    "湖南",
    "江西",
    "重庆",
    "重庆市",
    "湖北",
    "广西",
    "广西壮族自治区",
    "云南",
    "甘肃",
)
SAME_PROVINCE = ("浙江", "浙江省")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501  (one table row / one list)
GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "文",
    "华",
    "红",
    "玉兰",
    "建国",
    "志强",
    "小红",
    "海燕",
    "春梅",
    "国庆",
    "德明",
    "玉梅",
    "大勇",
    "小龙",
    "金凤",
    "永红",
    "海波",
    "俊",
    "鹏",
    "辉",
    "婷",
    "雪",
    "浩",
    "宇",
    "欣怡",
    "子涵",
    "梓萱",
    "晨",
    "龙",
    "飞",
    "琴",
    "云",
    "燕",
    "兵",
    "斌",
    "新民",
    "秋菊",
)
TRADE_NAMES = (
    "东海",
    "绿华",
    "花鸟",
    "洋山",
    "黄龙",
    "枸杞",
    "嵊山",
    "菜园",
    "五龙",
    "泗礁",
    "金平",
    "蓝海",
    "鑫源",
    "恒达",
    "宏远",
    "丰盛",
    "海韵",
    "渔港",
    "海星",
    "远洋",
    "金鹰",
    "海悦",
    "浪岗",
    "海联",
    "华达",
    "永兴",
)
INDUSTRY = {
    "ind_above": (
        "水产食品有限公司",
        "海洋渔业有限公司",
        "船舶修造有限公司",
        "冷冻食品有限公司",
        "机械制造有限公司",
        "新型建材有限公司",
        "海产品加工有限公司",
    ),
    "ind_small": ("渔具厂", "海产品加工厂", "网具有限公司", "五金加工厂", "包装材料厂"),
    "delivery": ("快递服务有限公司", "同城配送有限公司", "外卖配送服务部", "速递服务部"),
    "key": ("港区建设工程项目部", "海岛供水工程项目部", "海上风电项目部", "渔港改造工程项目部"),
    "service": (
        "大酒店有限公司",
        "超市有限公司",
        "民宿管理有限公司",
        "旅游开发有限公司",
        "餐饮管理有限公司",
        "物业服务有限公司",
    ),
    "agency": ("人力资源服务有限公司", "劳务派遣有限公司", "人力资源开发有限公司"),
    "outside": ("机械有限公司", "水产有限公司", "船舶修造有限公司", "物流有限公司"),
}

HEADERS: Dict[str, Tuple[str, ...]] = {spec.name: spec.columns for spec in FILES}
BIRTH_FIRST, BIRTH_LAST = dt.date(1960, 1, 1), dt.date(2004, 12, 31)
BIRTH_DAYS = (BIRTH_LAST - BIRTH_FIRST).days + 1
GENERATED_SEQ = 900  # generated ID numbers use sequence 000-899; hand-placed ones 9xx


def id_number(county: str, birth: str, seq: int) -> str:
    """A GB 11643 ID number: county code, birth date YYYYMMDD, 3-digit sequence, check character."""
    first17 = f"{county}{birth}{seq:03d}"
    return first17 + id_number_check_char(first17)


def credit_code(region: str, org: str, prefix: str = "91") -> str:
    """A GB 32100 credit code: 91 (enterprise), region code, 9-character organisation code, check."""
    first17 = f"{prefix}{region}{org}"
    if len(first17) != 17 or any(c not in CREDIT_CODE_CHARS for c in first17):
        raise ValueError(f"not the first 17 characters of a credit code: {first17!r}")
    return first17 + credit_code_check_char(first17)


# ---- the hand-placed subjects -----------------------------------------------------------------


@dataclass(frozen=True)
class FixedFirm:
    code: str
    name: str
    region: str
    category: str  # one of INDUSTRY's keys
    above_scale: bool = False
    industrial: bool = False
    state_owned: bool = False
    key_project: bool = False
    festival_production: bool = False

    def row(self) -> List[str]:
        return [
            self.code,
            self.name,
            self.region,
            *(
                _b(v)
                for v in (
                    self.above_scale,
                    self.industrial,
                    self.state_owned,
                    self.key_project,
                    self.festival_production,
                )
            ),
        ]


SEAFOOD = FixedFirm(
    credit_code(SHENGSI, "MA28H0011"),
    "嵊泗县东海水产食品有限公司",
    SHENGSI,
    "ind_above",
    above_scale=True,
    industrial=True,
    festival_production=True,
)
SHIPYARD = FixedFirm(
    credit_code(SHENGSI, "MA28H0029"),
    "嵊泗县绿华船舶修造有限公司",
    SHENGSI,
    "ind_above",
    above_scale=True,
    industrial=True,
    festival_production=True,
)
NETS = FixedFirm(credit_code(SHENGSI, "MA28H0037"), "嵊泗县枸杞渔具厂", SHENGSI, "ind_small", industrial=True)
STATE = FixedFirm(
    credit_code(SHENGSI, "MA28H0045"),
    "嵊泗县海洋交通投资集团有限公司",
    SHENGSI,
    "service",
    state_owned=True,
    festival_production=True,
)
DELIVERY = FixedFirm(credit_code(SHENGSI, "MA28H0053"), "嵊泗县泗礁同城配送有限公司", SHENGSI, "delivery")
PORT = FixedFirm(
    credit_code(SHENGSI, "MA28H0061"),
    "嵊泗县小洋山港区建设工程项目部",
    SHENGSI,
    "key",
    key_project=True,
    festival_production=True,
)
HOTEL = FixedFirm(credit_code(SHENGSI, "MA28H0078"), "嵊泗县花鸟海景大酒店有限公司", SHENGSI, "service")
DINGHAI_WORKS = FixedFirm(
    credit_code(DINGHAI, "MA28H0086"),
    "舟山市定海区海通机械有限公司",
    DINGHAI,
    "outside",
    above_scale=True,
    industrial=True,
    festival_production=True,
)
AGENCY5 = FixedFirm(credit_code(SHENGSI, "MA28H0094"), "嵊泗县海峡人力资源服务有限公司", SHENGSI, "agency")
AGENCY4 = FixedFirm(credit_code(SHENGSI, "MA28H0107"), "嵊泗县新港劳务派遣有限公司", SHENGSI, "agency")
FIXED_FIRMS: Tuple[FixedFirm, ...] = (
    SEAFOOD,
    SHIPYARD,
    NETS,
    STATE,
    DELIVERY,
    PORT,
    HOTEL,
    DINGHAI_WORKS,
    AGENCY5,
    AGENCY4,
)


@dataclass(frozen=True)
class FixedPerson:
    id: str
    name: str
    phone: str
    household: str
    jobs: Tuple[Tuple[FixedFirm, str, str, str], ...] = ()  # (firm, role, start, end or "")
    insurance: Tuple[Tuple[str, str], ...] = ()  # (month, region)
    attendance: Optional[Tuple[int, int]] = None  # 2023 (stayed, worked); None: no row
    claims: Tuple[Tuple[str, str, str], ...] = ()  # (benefit, amount, paid_date)


FULL_INSURANCE = (("2022-10", SHENGSI), ("2022-11", SHENGSI), ("2022-12", SHENGSI))

WANG = FixedPerson(
    id_number("520101", "19900315", 901),
    "王大力",
    "13885012345",
    "520101",
    ((SEAFOOD, "frontline", "2021-03-01", ""),),
    FULL_INSURANCE,
    (1, 1),
)
RIDER = FixedPerson(
    id_number("510104", "19970708", 903),
    "李小风",
    "15982016688",
    "510104",
    ((DELIVERY, "food_delivery", "2022-05-01", ""),),
    FULL_INSURANCE,
    (1, 1),
)
LOCAL = FixedPerson(
    id_number(SHENGSI, "19850620", 905),
    "张海生",
    "13957201234",
    SHENGSI,
    ((SEAFOOD, "frontline", "2019-07-01", ""),),
    FULL_INSURANCE,
    (1, 1),
)
NO_DECEMBER = FixedPerson(
    id_number("341202", "19920211", 902),
    "陈春梅",
    "18655812345",
    "341202",
    ((SEAFOOD, "frontline", "2022-06-01", ""),),
    (("2022-10", SHENGSI), ("2022-11", SHENGSI)),
    (1, 1),
)
ELSEWHERE = FixedPerson(
    id_number("410102", "19880909", 907),
    "刘建国",
    "13703711234",
    "410102",
    ((SEAFOOD, "frontline", "2022-11-15", ""),),
    (("2022-11", "410102"), ("2022-12", "410102")),
    (1, 1),
)
NO_RECORD = FixedPerson(
    id_number("430102", "19950101", 909),
    "杨明",
    "15874112345",
    "430102",
    ((SEAFOOD, "frontline", "2020-09-01", ""),),
    FULL_INSURANCE,
    None,
)
LEFT = FixedPerson(
    id_number("360102", "19930418", 904),
    "赵小红",
    "18179112345",
    "360102",
    ((SEAFOOD, "frontline", "2021-05-01", "2023-01-10"),),
    FULL_INSURANCE,
    (1, 1),
)
PAID = FixedPerson(
    id_number("520101", "19870512", 911),
    "孙志强",
    "13985112345",
    "520101",
    ((SEAFOOD, "frontline", "2020-04-01", ""),),
    FULL_INSURANCE,
    (1, 1),
    (("retention_bonus", "500.00", "2023-01-18"),),
)


def _recruit(
    county: str, birth: str, seq: int, name: str, phone: str, *employers: Tuple[FixedFirm, str]
) -> FixedPerson:
    """A worker an agency brought in after the festival: jobs from the start dates, insured since."""
    return FixedPerson(
        id_number(county, birth, seq),
        name,
        phone,
        county,
        tuple((firm, "frontline", start, "") for firm, start in employers),
        (("2023-02", employers[0][0].region),),
        (0, 0),
    )


# Recruits of the two agencies. (agency, person, employer, start_date, insured_months, first_job_in_region)
_R = (
    _recruit("520102", "19980321", 913, "吴建军", "13885110001", (SEAFOOD, "2023-01-22")),
    _recruit("510104", "20000105", 915, "周磊", "15982010002", (SEAFOOD, "2023-01-30")),
    _recruit("341221", "19960812", 917, "黄勇", "18655810003", (SHIPYARD, "2023-02-08")),
    _recruit("410102", "19991111", 906, "马丽", "13703710004", (SHIPYARD, "2023-02-15")),
    _recruit("430102", "20010630", 919, "朱杰", "15874110005", (NETS, "2023-02-21")),
    _recruit("360102", "19971203", 921, "胡涛", "18179110006", (SEAFOOD, "2023-02-22")),
    _recruit("500101", "19940417", 908, "郭娟", "13883510007", (SHIPYARD, "2023-02-01")),
    _recruit("420102", "19950923", 923, "何超", "15927110008", (NETS, "2023-02-03")),
    _recruit("450102", "19930228", 925, "高鹏", "18677110009", (DINGHAI_WORKS, "2023-02-06")),
    _recruit("530102", "19980716", 927, "林浩", "13708710010", (SEAFOOD, "2023-01-21")),
    _recruit("620102", "19990505", 929, "罗飞", "15909310011", (SEAFOOD, "2023-01-25")),
    _recruit("520101", "20000909", 931, "郑宇", "18685110012", (SHIPYARD, "2023-02-02"), (NETS, "2023-02-20")),
    _recruit("511321", "19971018", 910, "梁婷", "13890810013", (NETS, "2023-02-10")),
    _recruit("411721", "19961225", 933, "谢斌", "15938610014", (SEAFOOD, "2023-02-14")),
    _recruit("341202", "20020314", 935, "宋龙", "18655810015", (SHIPYARD, "2023-02-16")),
)
PLACEMENTS: Tuple[Tuple[FixedFirm, FixedPerson, FixedFirm, str, int, int], ...] = (
    # 海峡: five qualifying recruits (window ends included, exactly 3 insured months) …
    (AGENCY5, _R[0], SEAFOOD, "2023-01-22", 3, 1),
    (AGENCY5, _R[1], SEAFOOD, "2023-01-30", 4, 1),
    (AGENCY5, _R[2], SHIPYARD, "2023-02-08", 5, 1),
    (AGENCY5, _R[3], SHIPYARD, "2023-02-15", 6, 1),
    (AGENCY5, _R[4], NETS, "2023-02-21", 3, 1),
    # … and four that do not count: after the window, 2 insured months, not a first job in
    # Shengsi, an employer in 定海.
    (AGENCY5, _R[5], SEAFOOD, "2023-02-22", 4, 1),
    (AGENCY5, _R[6], SHIPYARD, "2023-02-01", 2, 1),
    (AGENCY5, _R[7], NETS, "2023-02-03", 5, 0),
    (AGENCY5, _R[8], DINGHAI_WORKS, "2023-02-06", 4, 1),
    # 新港: four qualifying people in five qualifying placements (郑宇 placed twice), one a day early.
    (AGENCY4, _R[9], SEAFOOD, "2023-01-21", 4, 1),
    (AGENCY4, _R[10], SEAFOOD, "2023-01-25", 3, 1),
    (AGENCY4, _R[11], SHIPYARD, "2023-02-02", 4, 1),
    (AGENCY4, _R[11], NETS, "2023-02-20", 4, 1),
    (AGENCY4, _R[12], NETS, "2023-02-10", 5, 1),
    (AGENCY4, _R[13], SEAFOOD, "2023-02-14", 6, 1),
)

FIXED_PEOPLE: Tuple[FixedPerson, ...] = (WANG, RIDER, LOCAL, NO_DECEMBER, ELSEWHERE, NO_RECORD, LEFT, PAID, *_R)

# Bus trips of the hand-placed firms: (firm, trip_date, origin_province, passengers, cost_yuan)
CHARTERS: Tuple[Tuple[FixedFirm, str, str, int, str], ...] = (
    # 东海水产: two qualifying trips (the window's first and last day; 10 passengers) = 42000 元,
    # 50% = 21000 元, 6000 元 already paid → 15000 元 left. The other four each fail one test.
    (SEAFOOD, "2023-01-22", "贵州省", 35, "30000.00"),
    (SEAFOOD, "2023-02-05", "四川", 10, "12000.00"),
    (SEAFOOD, "2023-01-30", "贵州", 9, "8000.00"),
    (SEAFOOD, "2023-01-21", "四川", 30, "20000.00"),
    (SEAFOOD, "2023-02-06", "安徽", 30, "20000.00"),
    (SEAFOOD, "2023-01-25", "浙江", 30, "10000.00"),
    # 绿华船舶: 270000 元 of qualifying trips, 50% = 135000 元 → the 100000 元 cap.
    (SHIPYARD, "2023-01-26", "贵州", 45, "48000.00"),
    (SHIPYARD, "2023-01-26", "贵州", 44, "48000.00"),
    (SHIPYARD, "2023-01-28", "四川", 40, "45000.00"),
    (SHIPYARD, "2023-01-29", "河南", 38, "42000.00"),
    (SHIPYARD, "2023-01-31", "安徽", 42, "44500.00"),
    (SHIPYARD, "2023-02-02", "重庆", 36, "42500.00"),
    # 海洋交通投资集团: trips that would qualify, but the firm is state-owned.
    (STATE, "2023-01-27", "贵州", 40, "36000.00"),
    (STATE, "2023-02-01", "四川", 30, "28000.00"),
)
FIRM_CLAIMS: Tuple[Tuple[str, FixedFirm, str, str], ...] = (("bus_subsidy", SEAFOOD, "6000.00", "2023-02-10"),)


@dataclass(frozen=True)
class Example:
    """A hand-placed subject and the decision each benefit must get (and the amount, where fixed)."""

    id: str
    kind: str  # person | firm
    who: str
    expect: Dict[str, str]
    amounts: Dict[str, float] = field(default_factory=dict)

    def __getitem__(self, key: str):  # also usable as a dict: example["id"]
        return getattr(self, key)


_E, _N, _U = "eligible", "not_eligible", "unknown"
EXAMPLES: List[Example] = [
    Example(
        WANG.id,
        "person",
        "王大力，贵州户籍，东海水产（规上工业、春节不停产）一线工人，12月在嵊缴社保，留嵊过年坚持工作",
        {"retention_bonus": _E, "delivery_subsidy": _N, "consumption_voucher": _E, "data_gift": _E},
        {"retention_bonus": 500, "consumption_voucher": 1000},
    ),
    Example(
        RIDER.id,
        "person",
        "李小风，四川户籍外卖骑手（嵊泗同城配送），春节坚持送餐、留嵊过年",
        {"retention_bonus": _N, "delivery_subsidy": _E, "consumption_voucher": _N, "data_gift": _E},
        {"delivery_subsidy": 500},
    ),
    Example(
        LOCAL.id,
        "person",
        "张海生，嵊泗本地户籍，东海水产一线工人：各项都只面向非本县户籍",
        {"retention_bonus": _N, "delivery_subsidy": _N, "consumption_voucher": _N, "data_gift": _N},
    ),
    Example(
        NO_DECEMBER.id,
        "person",
        "陈春梅，安徽户籍，东海水产一线工人，社保只缴到2022年11月（缺12月）",
        {"retention_bonus": _N, "delivery_subsidy": _N, "consumption_voucher": _E, "data_gift": _E},
        {"consumption_voucher": 1000},
    ),
    Example(
        ELSEWHERE.id,
        "person",
        "刘建国，河南户籍，东海水产一线工人，2022年12月社保在河南老家缴纳",
        {"retention_bonus": _N, "delivery_subsidy": _N, "consumption_voucher": _E, "data_gift": _E},
        {"consumption_voucher": 1000},
    ),
    Example(
        NO_RECORD.id,
        "person",
        "杨明，湖南户籍，东海水产一线工人，没有2023年春节出勤/留嵊记录",
        {"retention_bonus": _U, "delivery_subsidy": _N, "consumption_voucher": _U, "data_gift": _U},
    ),
    Example(
        LEFT.id,
        "person",
        "赵小红，江西户籍，2023年1月10日已从东海水产离职（春节不在岗）",
        {"retention_bonus": _N, "delivery_subsidy": _N, "consumption_voucher": _N, "data_gift": _N},
    ),
    Example(
        PAID.id,
        "person",
        "孙志强，贵州户籍，东海水产一线工人，留工补助已于2023-01-18发放",
        {"retention_bonus": _N, "delivery_subsidy": _N, "consumption_voucher": _E, "data_gift": _E},
        {"consumption_voucher": 1000},
    ),
    Example(
        SEAFOOD.code,
        "firm",
        "嵊泗县东海水产食品有限公司：2趟包车合格（42000元×50%），已发放6000元，另4趟分别为9人、"
        "1月21日、2月6日、浙江省内出发",
        {"bus_subsidy": _E, "recruitment_reward": _N},
        {"bus_subsidy": 15000},
    ),
    Example(
        SHIPYARD.code,
        "firm",
        "嵊泗县绿华船舶修造有限公司：合格包车费27万元，50%为13.5万元，按每家10万元封顶",
        {"bus_subsidy": _E, "recruitment_reward": _N},
        {"bus_subsidy": 100000},
    ),
    Example(
        STATE.code,
        "firm",
        "嵊泗县海洋交通投资集团有限公司：国有企业，包车不予补贴",
        {"bus_subsidy": _N, "recruitment_reward": _N},
    ),
    Example(
        AGENCY5.code,
        "firm",
        "嵊泗县海峡人力资源服务有限公司：5人符合条件（另4人：窗口外、社保2个月、非首次就业、定海企业）",
        {"bus_subsidy": _N, "recruitment_reward": _E},
        {"recruitment_reward": 2500},
    ),
    Example(
        AGENCY4.code,
        "firm",
        "嵊泗县新港劳务派遣有限公司：5条合格记录但只有4人（一人引进两次），另1人1月21日引进",
        {"bus_subsidy": _N, "recruitment_reward": _N},
    ),
]


# ---- generation ---------------------------------------------------------------------------------


def _b(value: bool) -> str:
    return "1" if value else "0"


def _day(first: dt.date, last: dt.date, rng: random.Random) -> dt.date:
    return dt.date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng: random.Random) -> str:
    return rng.choice(("13", "15", "18")) + f"{rng.randrange(10**9):09d}"


@dataclass
class _GenFirm:
    code: str
    region: str
    category: str
    above_scale: bool
    industrial: bool
    festival_production: bool


_FIRM_MIX = (
    ("ind_above", 34),
    ("ind_small", 12),
    ("delivery", 10),
    ("key", 6),
    ("service", 22),
    ("agency", 6),
    ("outside", 10),
)
# Categories a generated person works in, with weights.
_JOB_MIX = (("ind_above", 42), ("ind_small", 10), ("delivery", 15), ("key", 8), ("service", 17), ("outside", 8))


def _generate_firms(rng: random.Random, count: int, writer, charters, claims) -> Dict[str, List[_GenFirm]]:
    """Write `count` generated firms (and their charters and bus claims); firms by category."""
    used = {f.code for f in FIXED_FIRMS}
    by_category: Dict[str, List] = {c: [] for c, _ in _FIRM_MIX}
    for firm in FIXED_FIRMS:  # generated people may work at the hand-placed employers too
        if firm.category != "agency":
            by_category[firm.category].append(
                _GenFirm(
                    firm.code, firm.region, firm.category, firm.above_scale, firm.industrial, firm.festival_production
                )
            )
    names, weights = zip(*_FIRM_MIX)
    categories = rng.choices(names, weights, k=count)
    if count and "agency" not in categories:  # recruits need at least one generated agency
        categories[-1] = "agency"
    generated_agencies = []
    for category in categories:
        region = SHENGSI if category != "outside" else rng.choice((DINGHAI, DINGHAI, PUTUO))
        while True:
            code = credit_code(region, "MA" + "".join(rng.choice(CREDIT_CODE_CHARS) for _ in range(7)))
            if code not in used:
                used.add(code)
                break
        prefix = {SHENGSI: "嵊泗县", DINGHAI: "舟山市定海区", PUTUO: "舟山市普陀区"}[region]
        name = prefix + rng.choice(TRADE_NAMES) + rng.choice(INDUSTRY[category])
        above = industrial = state = key = production = False
        if category == "ind_above":
            above, industrial = True, True
            production, state, key = rng.random() < 0.85, rng.random() < 0.05, rng.random() < 0.05
        elif category == "ind_small":
            industrial, production = True, rng.random() < 0.6
        elif category == "key":
            key, production, state = True, rng.random() < 0.8, rng.random() < 0.4
        elif category == "service":
            state, production = rng.random() < 0.1, rng.random() < 0.5
        elif category == "outside":
            above, industrial = rng.random() < 0.5, rng.random() < 0.6
            production = rng.random() < 0.7
        writer.writerow([code, name, region, _b(above), _b(industrial), _b(state), _b(key), _b(production)])
        firm = _GenFirm(code, region, category, above, industrial, production)
        if category == "agency":
            generated_agencies.append(firm)
        else:
            by_category[category].append(firm)
        # Bus charters: mostly Shengsi firms that take on workers from other provinces.
        if category != "agency" and rng.random() < (0.3 if region == SHENGSI else 0.1):
            for _ in range(rng.randint(1, 5)):
                trip = _day(dt.date(2023, 1, 18), dt.date(2023, 2, 9), rng)
                origin = rng.choice(SAME_PROVINCE) if rng.random() < 0.12 else rng.choice(ORIGIN_PROVINCES)
                cost = f"{rng.randint(30, 180) * 100}.00"
                charters.writerow([code, trip.isoformat(), origin, rng.randint(6, 45), cost])
            if rng.random() < 0.15:
                claims.writerow(["bus_subsidy", code, f"{rng.randint(5, 30) * 100}.00", "2023-02-25"])
    by_category["agency"] = generated_agencies
    return by_category


def _write_fixed(writers) -> None:
    firms, persons, jobs, insurance, attendance, charters, placements, claims = writers
    for firm in FIXED_FIRMS:
        firms.writerow(firm.row())
    for person in FIXED_PEOPLE:
        persons.writerow([person.id, person.name, person.phone, person.household])
        for firm, role, start, end in person.jobs:
            jobs.writerow([person.id, firm.code, role, start, end])
        for month, region in person.insurance:
            insurance.writerow([person.id, month, region])
        if person.attendance is not None:
            attendance.writerow([person.id, 2023, *person.attendance])
        for benefit, amount, paid in person.claims:
            claims.writerow([benefit, person.id, amount, paid])
    for firm, trip, origin, passengers, cost in CHARTERS:
        charters.writerow([firm.code, trip, origin, passengers, cost])
    for agency, person, employer, start, months, first in PLACEMENTS:
        placements.writerow([agency.code, person.id, employer.code, start, months, first])
    for benefit, firm, amount, paid in FIRM_CLAIMS:
        claims.writerow([benefit, firm.code, amount, paid])


_ROLES = {
    "ind_above": (("frontline", 8), ("other", 2)),
    "ind_small": (("frontline", 9), ("other", 1)),
    "delivery": (("courier", 5), ("food_delivery", 5)),
    "key": (("frontline", 7), ("other", 3)),
    "service": (("other", 1),),
    "outside": (("frontline", 7), ("other", 3)),
}


def _generate_people(rng: random.Random, count: int, firms: Dict[str, List[_GenFirm]], writers) -> None:
    _, persons, jobs, insurance, attendance, _, placements, claims = writers
    counties, county_weights = zip(*OTHER_COUNTIES)
    job_categories, job_weights = zip(*_JOB_MIX)
    roles = {c: tuple(zip(*r)) for c, r in _ROLES.items()}
    agencies = firms["agency"]
    # ID numbers: a permutation of (birth day, sequence 000-899) pairs, so they never repeat
    # without remembering them (and never meet the hand-placed 9xx ones).
    space = BIRTH_DAYS * GENERATED_SEQ
    if count > space:
        raise ValueError(f"at most {space} generated people")
    step = 1_000_003
    assert gcd(step, space) == 1
    offset = rng.randrange(space)
    first_birth = BIRTH_FIRST.toordinal()
    window_start, window_end = dt.date(2023, 1, 22), dt.date(2023, 2, 21)
    for i in range(count):
        k = (offset + i * step) % space
        birth = dt.date.fromordinal(first_birth + k // GENERATED_SEQ).strftime("%Y%m%d")
        household = SHENGSI if rng.random() < LOCAL_SHARE else rng.choices(counties, county_weights)[0]
        person = id_number(household, birth, k % GENERATED_SEQ)
        persons.writerow([person, _name(rng), _phone(rng) if rng.random() < 0.95 else "", household])

        has_job = rng.random() >= 0.03  # a few have no job record at all (→ unknown)
        firm = None
        start = end = None
        if has_job:
            category = rng.choices(job_categories, job_weights)[0]
            firm = rng.choice(firms[category])
            names, weights = roles[category]
            role = rng.choices(names, weights)[0]
            shape = rng.random()
            if shape < 0.08:  # recruited after the festival, in the agencies' window
                start = _day(window_start, window_end, rng)
            elif shape < 0.15:  # left before the festival
                start = _day(dt.date(2018, 1, 1), dt.date(2022, 6, 30), rng)
                end = _day(dt.date(2022, 7, 1), dt.date(2023, 1, 21), rng)
            else:
                start = _day(dt.date(2015, 1, 1), dt.date(2022, 12, 31), rng)
            if rng.random() < 0.05 and start > dt.date(2016, 1, 1):  # an earlier job elsewhere
                before = rng.choice(firms[rng.choices(job_categories, job_weights)[0]])
                if before.code != firm.code:
                    previous_start = _day(dt.date(2012, 1, 1), dt.date(2015, 12, 31), rng)
                    previous_end = max(previous_start, start - dt.timedelta(days=rng.randint(1, 60)))
                    jobs.writerow([person, before.code, "other", previous_start.isoformat(), previous_end.isoformat()])
            jobs.writerow([person, firm.code, role, start.isoformat(), end.isoformat() if end else ""])

        # Social insurance: the job's region, Oct–Dec 2022; some miss December, some pay at home.
        shape = rng.random()
        if not has_job:
            months, region = (("2022-12",), household) if shape < 0.5 else ((), household)
        elif start > dt.date(2022, 12, 31):
            months, region = ("2023-02",), firm.region
        elif shape < 0.78:
            months, region = ("2022-10", "2022-11", "2022-12"), firm.region
        elif shape < 0.86:
            months, region = ("2022-10", "2022-11"), firm.region
        elif shape < 0.93:
            months, region = ("2022-11", "2022-12"), household
        else:
            months, region = (), household
        for month in months:
            insurance.writerow([person, month, region])

        # The 2023 festival: most have a record; stayed/worked are not always both true.
        worked = False
        if rng.random() < 0.9:
            stayed = rng.random() < 0.8
            worked = has_job and rng.random() < 0.85
            attendance.writerow([person, 2023, _b(stayed), _b(worked)])

        # Recruits of the generated agencies.
        if has_job and agencies and window_start <= start <= window_end and rng.random() < 0.6:
            agency = rng.choice(agencies)
            placements.writerow(
                [agency.code, person, firm.code, start.isoformat(), rng.randint(1, 8), _b(rng.random() < 0.85)]
            )

        # A few personal benefits already paid out.
        if has_job and worked and household != SHENGSI and end is None and rng.random() < 0.05:
            if role == "frontline" and firm.above_scale and firm.industrial and months[-1:] == ("2022-12",):
                claims.writerow(["retention_bonus", person, "500.00", "2023-02-20"])
            elif role in ("courier", "food_delivery"):
                claims.writerow(["delivery_subsidy", person, "500.00", "2023-02-20"])


_ORDER = (
    "firms.csv",
    "persons.csv",
    "jobs.csv",
    "social_insurance.csv",
    "festival_attendance.csv",
    "bus_charters.csv",
    "agency_placements.csv",
    "claims.csv",
)


def write_demo_csv(directory: Path, people: int = 3000, firms: int = 100, seed: int = 2023) -> None:
    """Write the eight CSV files into `directory`: the hand-placed subjects, then generated ones
    up to `people` persons and `firms` firms in all (never fewer than the hand-placed ones)."""
    assert set(_ORDER) == set(HEADERS)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with contextlib.ExitStack() as stack:
        writers = []
        for name in _ORDER:
            handle = stack.enter_context((directory / name).open("w", encoding="utf-8", newline=""))
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(HEADERS[name])
            writers.append(writer)
        _write_fixed(writers)
        by_category = _generate_firms(rng, max(firms - len(FIXED_FIRMS), 0), writers[0], writers[5], writers[7])
        _generate_people(rng, max(people - len(FIXED_PEOPLE), 0), by_category, writers)


def seed_store(
    url: Optional[str] = None, people: int = 3000, firms: int = 100, progress: Optional[bool] = None
) -> ImportReport:
    """Write the demo CSV files to a temporary directory and import them into the store."""
    with tempfile.TemporaryDirectory(prefix="bot-seed-") as tmp:
        write_demo_csv(Path(tmp), people=people, firms=firms)
        return import_directory(Path(tmp), url, progress=progress)


def store_is_empty(url: Optional[str] = None) -> bool:
    """True when the store (migrated first) has no people yet."""
    migrate(url)
    with get_engine(url).connect() as connection:
        return connection.execute(select(Person.id).limit(1)).first() is None
