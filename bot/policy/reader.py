"""Reading one policy file's fields, collecting every problem with its file and field.

`PolicyError` is what the loader raises; `FieldReader` turns a YAML mapping's values into typed
fields and records "file: field: what" instead of stopping at the first problem.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_KIND_NAMES = {str: "文本", dict: "映射", list: "列表", float: "数字", int: "整数"}


class PolicyError(ValueError):
    """One or more policy files are invalid; `problems` lists each as 'file: field: what'."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("政策数据文件有误:\n" + "\n".join(f"- {p}" for p in self.problems))


class FieldReader:
    """Reads one file's mapping, collecting problems instead of stopping at the first."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: List[str] = []

    def problem(self, where: str, what: str) -> None:
        self.problems.append(f"{self.path.name}: {where}: {what}")

    def get(self, data: Any, key: str, where: str, kind: type, required: bool = True) -> Any:
        if not isinstance(data, dict):
            self.problem(where, "应为映射 (mapping)")
            return None
        value = data.get(key)
        field = f"{where}.{key}" if where else key
        if value is None:
            if required:
                self.problem(field, "缺少必填字段")
            return None
        if kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is str and not value.strip()):
            self.problem(field, f"应为{_KIND_NAMES.get(kind, kind.__name__)}，实为 {value!r}")
            return None
        return value

    def text(self, data: Any, key: str, where: str, required: bool = True) -> Optional[str]:
        value = self.get(data, key, where, str, required)
        return value.strip() if value else None

    def key(self, data: Any, key: str, where: str) -> str:
        value = self.text(data, key, where) or ""
        if value and not _KEY.match(value):
            self.problem(f"{where}.{key}", f"{value!r} 只能用小写字母、数字和下划线")
        return value

    def date(self, data: Any, key: str, where: str, required: bool = False) -> Optional[dt.date]:
        value = data.get(key) if isinstance(data, dict) else None
        field = f"{where}.{key}" if where else key
        if value is None:
            if required:
                self.problem(field, "缺少必填字段")
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.problem(field, f"{value!r} 不是日期 (YYYY-MM-DD)")
            return None

    def strings(self, data: Any, key: str, where: str, required: bool = False) -> Tuple[str, ...]:
        value = data.get(key) if isinstance(data, dict) else None
        field = f"{where}.{key}" if where else key
        if value is None:
            if required:
                self.problem(field, "缺少必填字段")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) and str(v).strip() for v in value):
            self.problem(field, "应为非空字符串列表")
            return ()
        if required and not value:
            self.problem(field, "不能为空列表")
        return tuple(str(v).strip() for v in value)

    def items(self, data: Any, key: str, where: str, required: bool = True) -> List[Any]:
        value = data.get(key) if isinstance(data, dict) else None
        if value is None:
            if required:
                self.problem(key if not where else f"{where}.{key}", "缺少必填字段")
            return []
        if not isinstance(value, list):
            self.problem(key if not where else f"{where}.{key}", "应为列表")
            return []
        return value


def check_no_personal_contacts(r: FieldReader, data: Any, where: str = "") -> None:
    """Every text in the file, at any depth: a phone number or e-mail address is a problem (only
    public channels such as 12333 may be named)."""
    if isinstance(data, dict):
        for key, value in data.items():
            check_no_personal_contacts(r, value, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            check_no_personal_contacts(r, value, f"{where}[{i}]")
    elif isinstance(data, str):
        for pattern, what in ((_MOBILE, "手机号"), (_LANDLINE, "座机号"), (_EMAIL, "电子邮箱")):
            found = pattern.search(data)
            if found:
                r.problem(where, f"含有个人联系方式（{what} {found.group(0)}），只允许公开渠道如 12333")
