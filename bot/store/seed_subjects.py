"""The hand-placed subjects of the demo data set: firms, people, their jobs, insurance, festival
attendance, bus trips, agency placements and claims, with ID numbers and credit codes that never
change (the README, the tests and `EXAMPLES` in bot/store/seed_examples.py name them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

from bot.identifiers import CREDIT_CODE_CHARS, credit_code_check_char, id_number_check_char
from bot.store.seed_data import DINGHAI, SHENGSI


def bool_cell(value: bool) -> str:
    """A boolean as the CSV files write it."""
    return "1" if value else "0"


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
                bool_cell(v)
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
