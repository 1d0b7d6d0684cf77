"""The hand-placed subjects of the demo data set and the decision each benefit must get for them
(the amount too, where it is fixed): tests/bot/store/test_seed.py checks every one against the
eligibility engine, and the README names them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List

from bot.store.seed_subjects import (
    AGENCY4,
    AGENCY5,
    ELSEWHERE,
    LEFT,
    LOCAL,
    NO_DECEMBER,
    NO_RECORD,
    PAID,
    RIDER,
    SEAFOOD,
    SHIPYARD,
    STATE,
    WANG,
)


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
