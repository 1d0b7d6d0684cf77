"""The policy notices as typed, immutable data (see docs/policy-format.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

# The question topics; each `ask_*` intent answers one. Order = order in menus.
TOPICS: Dict[str, str] = {
    "retention_bonus": "一次性留工补助",
    "delivery_subsidy": "快递外卖稳岗补贴",
    "consumption_voucher": "消费券",
    "data_gift": "流量大礼包/通讯补贴",
    "culture_tourism": "文旅惠民季",
    "bus_subsidy": "点对点包车与交通补助",
    "recruitment_reward": "人力资源服务机构招工奖励",
    "insurance_relief": "社保减负与稳岗返还",
    "job_services": "招聘与就业服务",
    "living_assistance": "困难救助与关爱",
    "holiday_work_rights": "春节加班与休假权益",
    "wage_arrears": "欠薪维权",
    "epidemic_prevention": "返乡返岗防疫",
    "policy_overview": "通知概况",
}


@dataclass(frozen=True)
class Clause:
    id: str
    cite: str
    section: str
    heading: str
    text: str


@dataclass(frozen=True)
class Condition:
    key: str
    text: str
    clause: str
    # How the eligibility engine tests it against the store: {"rule": name, **params}
    # (see bot/eligibility/rules.py). None: the condition is shown but not checked.
    check: Optional[Mapping[str, Any]] = field(default=None, compare=False, hash=False)
    # The yes/no question the self-check asks for this condition ("您是非嵊泗县户籍吗？").
    question: Optional[str] = None


@dataclass(frozen=True)
class Window:
    label: str
    text: str
    clause: str
    start: Optional[dt.date] = None
    end: Optional[dt.date] = None

    @property
    def has_dates(self) -> bool:
        return self.start is not None or self.end is not None


@dataclass(frozen=True)
class Channel:
    name: str
    contact: str


@dataclass(frozen=True)
class Region:
    key: str
    name: str
    short_name: str
    code: str
    aliases: Tuple[str, ...]
    # Names of a larger area this region lies in (a city with several counties: 舟山, 舟山市).
    # Several notices may declare the same one: a message naming only it is then asked "which county".
    shared_aliases: Tuple[str, ...] = ()

    @property
    def names(self) -> Tuple[str, ...]:
        """Every name that means this region alone (name, short name, aliases)."""
        return tuple(dict.fromkeys((self.name, self.short_name, *self.aliases)))


@dataclass(frozen=True)
class Group:
    """A group of people or firms the notice addresses (快递员, 规上工业企业 …)."""

    key: str
    name: str
    terms: Tuple[str, ...]


@dataclass(frozen=True)
class Benefit:
    key: str
    name: str
    topics: Tuple[str, ...]
    terms: Tuple[str, ...]
    summary: str
    who: Optional[str]
    amount: Optional[str]
    amount_yuan: Optional[float]
    cap: Optional[str]
    cap_yuan: Optional[float]
    conditions: Tuple[Condition, ...]
    windows: Tuple[Window, ...]
    how_to_claim: Optional[str]
    clauses: Tuple[str, ...]
    silent_on: Tuple[str, ...]
    notice_key: str = ""
    # Eligibility checks against the store: {"subject": "person"|"firm", "amount": rule, ...}
    eligibility: Optional[Mapping[str, Any]] = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class Notice:
    key: str
    number: str
    title: str
    issuers: Tuple[str, ...]
    issued: dt.date
    source: str
    scope: str
    region: Region
    channels: Tuple[Channel, ...]
    clauses: Tuple[Clause, ...]
    benefits: Tuple[Benefit, ...]
    period: Optional[Window] = None
    groups: Tuple[Group, ...] = ()
    path: str = ""

    def clause(self, clause_id: str) -> Clause:
        for clause in self.clauses:
            if clause.id == clause_id:
                return clause
        raise KeyError(f"{self.number} has no clause {clause_id!r}")

    def cite(self, clause_ids: Iterable[str]) -> str:
        """ "（依据：嵊人社发〔2022〕35号 第1条、第3条）", clauses in the notice's order."""
        wanted = set(clause_ids)
        cites = [c.cite for c in self.clauses if c.id in wanted]
        return f"（依据：{self.number} {'、'.join(cites)}）"

    def benefits_for(self, topic: str) -> List[Benefit]:
        return [b for b in self.benefits if topic in b.topics]


@dataclass(frozen=True)
class PolicyBook:
    """All notices, with lookups across them."""

    notices: Tuple[Notice, ...]
    _by_region: Dict[str, Notice] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_region.update({n.region.key: n for n in self.notices})

    @property
    def regions(self) -> List[Region]:
        return [n.region for n in self.notices]

    def notice(self, key: str) -> Optional[Notice]:
        """The notice whose file key is `key` (e.g. "shengsi_2022_35")."""
        return next((n for n in self.notices if n.key == key), None)

    def notice_for_region(self, region_key: str) -> Optional[Notice]:
        return self._by_region.get(region_key)

    def benefit(self, key: str) -> Benefit:
        for notice in self.notices:
            for benefit in notice.benefits:
                if benefit.key == key:
                    return benefit
        raise KeyError(key)

    def notice_of(self, benefit: Benefit) -> Notice:
        for notice in self.notices:
            if notice.key == benefit.notice_key:
                return notice
        raise KeyError(benefit.notice_key)

    def regions_covering(self, topic: str) -> List[Region]:
        """Regions whose notice answers `topic`; every notice has an overview (built from its
        benefits), so every region covers "policy_overview"."""
        if topic == "policy_overview":
            return self.regions
        return [n.region for n in self.notices if n.benefits_for(topic)]

    def region_by_alias(self, text: str) -> Optional[Region]:
        """The region whose key, name or alias equals `text`; a shared name (舟山) only while one
        notice claims it (several: None, see `regions_sharing`)."""
        for region in self.regions:
            if text in (region.key, *region.names):
                return region
        sharing = self.regions_sharing(text)
        return sharing[0] if len(sharing) == 1 else None

    def regions_sharing(self, name: str) -> List[Region]:
        """The regions that declare `name` among their `shared_aliases`."""
        return [r for r in self.regions if name in r.shared_aliases]

    def regions_in_text(self, text: str) -> List[Region]:
        """Regions named anywhere in `text` by a name of their own (longest first); when none is,
        the regions a shared name in the text stands for ("舟山" → every county that declares it)."""
        found = []
        for region in self.regions:
            names = sorted(region.names, key=len, reverse=True)
            if any(len(name) >= 2 and name in text for name in names):
                found.append(region)
        if found:
            return found
        name = self.shared_name_in_text(text)
        return self.regions_sharing(name) if name else []

    def shared_name_in_text(self, text: str) -> Optional[str]:
        """The longest shared name (舟山市, 舟山) the text contains, if any."""
        shared = sorted({n for r in self.regions for n in r.shared_aliases if len(n) >= 2}, key=len, reverse=True)
        return next((n for n in shared if n in text), None)

    def all_region_names(self) -> Dict[str, List[str]]:
        """{name: [region keys]} for every own and shared name of every region."""
        names: Dict[str, List[str]] = {}
        for region in self.regions:
            for name in (*region.names, *region.shared_aliases):
                names.setdefault(name, [])
                if region.key not in names[name]:
                    names[name].append(region.key)
        return names
