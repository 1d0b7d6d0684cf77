"""Load and validate `policies/*.yml` (format: docs/policy-format.md).

Every problem is reported with the file and the field, e.g.
`policies/x.yml: benefits[2].windows[0].end: 2023-02-30 is not a date (YYYY-MM-DD)`.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from bot.policy.checks import AMOUNT_RULES, RULE_NAMES, RULE_PARAMS, SUBJECTS, param_problem
from bot.policy.model import (
    TOPICS,
    Benefit,
    Channel,
    Clause,
    Condition,
    Group,
    Notice,
    PolicyBook,
    Region,
    Window,
)
from bot.policy.paths import policy_dirs, policy_files
from bot.policy.reader import FieldReader, PolicyError, check_no_personal_contacts
from bot.regions import region_code_problem


def _window(r: FieldReader, data: Any, where: str, clause_ids: set, default_label: str = "时间") -> Optional[Window]:
    if not isinstance(data, dict):
        r.problem(where, "应为映射 (mapping)")
        return None
    start = r.date(data, "start", where)
    end = r.date(data, "end", where)
    if start and end and start > end:
        r.problem(where, f"开始日期 {start} 晚于结束日期 {end}")
    clause = r.text(data, "clause", where) or ""
    if clause and clause not in clause_ids:
        r.problem(f"{where}.clause", f"条款 {clause!r} 在本文件中不存在")
    text = r.text(data, "text", where, required=False) or ""
    label = r.text(data, "label", where, required=False) or default_label
    return Window(label=label, text=text, clause=clause, start=start, end=end)


def _benefit(r: FieldReader, data: Any, where: str, clause_ids: set, notice_key: str) -> Benefit:
    topics = r.strings(data, "topics", where, required=True)
    for topic in topics:
        if topic not in TOPICS:
            r.problem(f"{where}.topics", f"未知主题 {topic!r}（可选: {', '.join(TOPICS)}）")
    clauses = r.strings(data, "clauses", where, required=True)
    for clause in clauses:
        if clause not in clause_ids:
            r.problem(f"{where}.clauses", f"条款 {clause!r} 在本文件中不存在")
    conditions = []
    for i, item in enumerate(r.items(data, "conditions", where, required=False)):
        cw = f"{where}.conditions[{i}]"
        clause = r.text(item, "clause", cw) or ""
        if clause and clause not in clause_ids:
            r.problem(f"{cw}.clause", f"条款 {clause!r} 在本文件中不存在")
        conditions.append(
            Condition(
                key=r.key(item, "key", cw),
                text=r.text(item, "text", cw) or "",
                clause=clause,
                check=_check(r, item, cw),
                question=r.text(item, "question", cw, required=False),
            )
        )
    windows = [
        w
        for i, item in enumerate(r.items(data, "windows", where, required=False))
        if (w := _window(r, item, f"{where}.windows[{i}]", clause_ids))
    ]
    return Benefit(
        key=r.key(data, "key", where),
        name=r.text(data, "name", where) or "",
        topics=topics,
        terms=r.strings(data, "terms", where),
        summary=r.text(data, "summary", where) or "",
        who=r.text(data, "who", where, required=False),
        amount=r.text(data, "amount", where, required=False),
        amount_yuan=r.get(data, "amount_yuan", where, float, required=False),
        cap=r.text(data, "cap", where, required=False),
        cap_yuan=r.get(data, "cap_yuan", where, float, required=False),
        conditions=tuple(conditions),
        windows=tuple(windows),
        how_to_claim=r.text(data, "how_to_claim", where, required=False),
        clauses=clauses,
        silent_on=r.strings(data, "silent_on", where),
        notice_key=notice_key,
        eligibility=_eligibility(r, data, where),
    )


def _check(r: FieldReader, item: Any, where: str) -> Optional[Dict[str, Any]]:
    check = r.get(item, "check", where, dict, required=False)
    if check is None:
        return None
    rule = check.get("rule")
    if rule not in RULE_NAMES:
        r.problem(f"{where}.check.rule", f"未知规则 {rule!r}（可选: {', '.join(sorted(RULE_NAMES))}）")
        return None
    for param in RULE_PARAMS.get(rule, ()):
        if check.get(param) is None:
            r.problem(f"{where}.check.{param}", f"规则 {rule} 需要参数 {param}")
    for param, value in check.items():
        problem = param_problem(param, value)
        if problem:
            r.problem(f"{where}.check.{param}", f"{value!r} {problem}")
    return dict(check)


def _check_benefit_rules(r: FieldReader, benefit: Benefit, where: str) -> None:
    """A check's window names one of the benefit's dated windows; a rule that shares the cost says
    what share the benefit's eligibility pays."""
    dated = {w.label for w in benefit.windows if w.start and w.end}
    for i, condition in enumerate(benefit.conditions):
        window = (condition.check or {}).get("window")
        if window is not None and window not in dated:
            r.problem(
                f"{where}.conditions[{i}].check.window",
                f"{window!r} 不是本措施带起止日期的 windows[].label（可选: {', '.join(sorted(dated)) or '无'}）",
            )
    spec = benefit.eligibility or {}
    if spec.get("amount") == "cost_share" and spec.get("share") is None:
        r.problem(f"{where}.eligibility.share", "amount: cost_share 需要 share（如 0.5）")


def _eligibility(r: FieldReader, data: Any, where: str) -> Optional[Dict[str, Any]]:
    spec = r.get(data, "eligibility", where, dict, required=False)
    if spec is None:
        return None
    if spec.get("subject") not in SUBJECTS:
        r.problem(f"{where}.eligibility.subject", f"应为 {' / '.join(SUBJECTS)} 之一")
    if spec.get("amount") not in AMOUNT_RULES:
        r.problem(f"{where}.eligibility.amount", f"应为 {' / '.join(AMOUNT_RULES)} 之一")
    return dict(spec)


def load_notice(path: Path) -> Notice:
    """Parse and validate one notice file; raises PolicyError listing every problem."""
    path = Path(path)
    r = FieldReader(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError([f"{path.name}: 无法读取: {exc}"]) from exc
    except yaml.YAMLError as exc:
        raise PolicyError([f"{path.name}: YAML 语法错误: {exc}"]) from exc
    if not isinstance(data, dict):
        raise PolicyError([f"{path.name}: 文件应为映射 (mapping)，含 notice/region/clauses/benefits"])

    check_no_personal_contacts(r, data)
    meta = r.get(data, "notice", "", dict) or {}
    region_data = r.get(data, "region", "", dict) or {}

    clauses: List[Clause] = []
    seen_clauses: set = set()
    for i, item in enumerate(r.items(data, "clauses", "")):
        where = f"clauses[{i}]"
        clause_id = r.text(item, "id", where) or ""
        if clause_id in seen_clauses:
            r.problem(f"{where}.id", f"条款编号 {clause_id!r} 重复")
        seen_clauses.add(clause_id)
        clauses.append(
            Clause(
                id=clause_id,
                cite=r.text(item, "cite", where) or "",
                section=r.text(item, "section", where, required=False) or "",
                heading=r.text(item, "heading", where) or "",
                text=r.text(item, "text", where) or "",
            )
        )

    notice_key = r.key(meta, "key", "notice")
    period = None
    if isinstance(meta, dict) and meta.get("period") is not None:
        period = _window(r, meta["period"], "notice.period", seen_clauses, "行动时间")

    benefits = [
        _benefit(r, item, f"benefits[{i}]", seen_clauses, notice_key)
        for i, item in enumerate(r.items(data, "benefits", ""))
    ]
    for i, benefit in enumerate(benefits):
        _check_benefit_rules(r, benefit, f"benefits[{i}]")
    seen_benefits: set = set()
    for i, benefit in enumerate(benefits):
        if benefit.key in seen_benefits:
            r.problem(f"benefits[{i}].key", f"{benefit.key!r} 重复")
        seen_benefits.add(benefit.key)

    channels = [
        Channel(
            name=r.text(item, "name", f"channels[{i}]") or "",
            contact=r.text(item, "contact", f"channels[{i}]") or "",
        )
        for i, item in enumerate(r.items(data, "channels", "", required=False))
    ]
    groups = [
        Group(
            key=r.key(item, "key", f"groups[{i}]"),
            name=r.text(item, "name", f"groups[{i}]") or "",
            terms=r.strings(item, "terms", f"groups[{i}]", required=True),
        )
        for i, item in enumerate(r.items(data, "groups", "", required=False))
    ]
    notice = Notice(
        key=notice_key,
        number=r.text(meta, "number", "notice") or "",
        title=r.text(meta, "title", "notice") or "",
        issuers=r.strings(meta, "issuers", "notice", required=True),
        issued=r.date(meta, "issued", "notice", required=True) or dt.date.min,
        source=r.text(meta, "source", "notice", required=False) or "",
        scope=r.text(meta, "scope", "notice", required=False) or "",
        region=Region(
            key=r.key(region_data, "key", "region"),
            name=r.text(region_data, "name", "region") or "",
            short_name=r.text(region_data, "short_name", "region") or "",
            code=r.text(region_data, "code", "region") or "",
            aliases=r.strings(region_data, "aliases", "region"),
            shared_aliases=r.strings(region_data, "shared_aliases", "region"),
        ),
        channels=tuple(channels),
        clauses=tuple(clauses),
        benefits=tuple(benefits),
        period=period,
        groups=tuple(groups),
        path=str(path),
    )
    _check_region(r, notice.region)
    if r.problems:
        raise PolicyError(r.problems)
    return notice


def _region_fields(region: Region) -> List[Tuple[str, str]]:
    """(field, name) for every name a region claims, own names first."""
    fields = [("region.name", region.name), ("region.short_name", region.short_name)]
    fields += [(f"region.aliases[{i}]", a) for i, a in enumerate(region.aliases)]
    fields += [(f"region.shared_aliases[{i}]", a) for i, a in enumerate(region.shared_aliases)]
    return [(f, n) for f, n in fields if n]


def _check_region(r: FieldReader, region: Region) -> None:
    if region.code:
        problem = region_code_problem(region.code)
        if problem:
            r.problem("region.code", problem)
    own = set(region.names)
    for i, name in enumerate(region.shared_aliases):
        if name in own:
            r.problem(
                f"region.shared_aliases[{i}]",
                f"{name!r} 同时写在 region.aliases（或 name/short_name）中；"
                "只属于本地区的名称写 aliases，包含多个地区的上级地名写 shared_aliases",
            )


def _check_across(notices: Sequence[Notice]) -> List[str]:
    """Keys, region codes and region names that must be unique across files. A name that stands for
    several regions (a city with several counties) is allowed only where every file that uses it
    declares it in `region.shared_aliases`."""
    problems: List[str] = []
    owners: Dict[Tuple[str, str], str] = {}
    for notice in notices:
        name = Path(notice.path).name
        for kind, key in (
            ("notice.key", notice.key),
            ("region.key", notice.region.key),
            ("region.code", notice.region.code),
            *(("benefits.key", b.key) for b in notice.benefits),
        ):
            if not key:
                continue
            other = owners.setdefault((kind, key), name)
            if other != name:
                problems.append(f"{name}: {kind}: {key!r} 已在 {other} 中使用")
    claimed: Dict[str, Tuple[str, str, bool]] = {}  # region name → (file, field, shared)
    for notice in notices:
        name = Path(notice.path).name
        for field, region_name in _region_fields(notice.region):
            shared = field.startswith("region.shared_aliases")
            if region_name == notice.region.key:
                continue
            first = claimed.setdefault(region_name, (name, field, shared))
            if first[0] == name:
                continue
            if not (shared and first[2]):
                problems.append(
                    f"{name}: {field}: {region_name!r} 已在 {first[0]} 的 {first[1]} 中使用。"
                    "一个地名只能指一个地区；若它是包含多个地区的上级地名（如同时包含两个县的市），"
                    "请在两个文件中都写到 region.shared_aliases，助手会反问用户是哪个地区"
                )
    return problems


def check_gazetteer(book: PolicyBook, places: Sequence[str]) -> List[str]:
    """The entries of the "other regions" gazetteer that name a covered region (own or shared name)."""
    covered = book.all_region_names()
    return [p for p in places if p in covered]


def load_policies(directory: Optional[Path] = None, extra: Optional[Sequence[Path]] = None) -> PolicyBook:
    """Load every `*.yml` in the folder(s); checks what must be unique across files (keys, region
    codes, region names)."""
    directories = policy_dirs(directory, extra)
    problems: List[str] = []
    for d in directories:
        if not any(True for _ in policy_files([d])):
            problems.append(f"{d}: 没有政策数据文件 (*.yml)")
    if problems:
        raise PolicyError(problems)
    notices: List[Notice] = []
    for path in policy_files(directories):
        try:
            notices.append(load_notice(path))
        except PolicyError as exc:
            problems.extend(exc.problems)
    problems += _check_across(notices)
    if problems:
        raise PolicyError(problems)
    return PolicyBook(notices=tuple(notices))


@functools.lru_cache(maxsize=4)
def _cached_book(directories: Tuple[str, ...], stamp: Tuple[Tuple[str, float], ...]) -> PolicyBook:
    paths = [Path(d) for d in directories]
    return load_policies(paths[0], paths[1:])


def policy_book(directory: Optional[Path] = None) -> PolicyBook:
    """The loaded policies, reloaded only when a file changes (for long-running servers)."""
    directories = policy_dirs(directory)
    stamp = tuple(sorted((str(p), p.stat().st_mtime) for p in policy_files(directories)))
    return _cached_book(tuple(str(d) for d in directories), stamp)
