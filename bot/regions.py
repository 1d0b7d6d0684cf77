"""China's provincial-level divisions by the first two digits of a GB/T 2260 region code.

Used to tell whether a chartered bus crossed a provincial border and to read CSV region codes.
"""

from __future__ import annotations

import re
from typing import Optional

PROVINCES = {
    "11": "北京",
    "12": "天津",
    "13": "河北",
    "14": "山西",
    "15": "内蒙古",
    "21": "辽宁",
    "22": "吉林",
    "23": "黑龙江",
    "31": "上海",
    "32": "江苏",
    "33": "浙江",
    "34": "安徽",
    "35": "福建",
    "36": "江西",
    "37": "山东",
    "41": "河南",
    "42": "湖北",
    "43": "湖南",
    "44": "广东",
    "45": "广西",
    "46": "海南",
    "50": "重庆",
    "51": "四川",
    "52": "贵州",
    "53": "云南",
    "54": "西藏",
    "61": "陕西",
    "62": "甘肃",
    "63": "青海",
    "64": "宁夏",
    "65": "新疆",
    "71": "台湾",
    "81": "香港",
    "82": "澳门",
}
_SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")


def province_of_code(region_code: str) -> Optional[str]:
    return PROVINCES.get((region_code or "")[:2])


def canonical_province(name: str) -> Optional[str]:
    """'贵州省' → '贵州', '广西壮族自治区' → '广西'; None when it is not a province."""
    short = _SUFFIX.sub("", (name or "").strip())
    return short if short in PROVINCES.values() else None


def region_code_problem(code: str) -> Optional[str]:
    if not re.fullmatch(r"[0-9]{6}", code or ""):
        return f"地区代码应为6位数字：{code!r}"
    if code[:2] not in PROVINCES:
        return f"地区代码 {code} 的前两位不是有效的省级代码"
    return None


def region_contains(outer: str, inner: str) -> bool:
    """Whether the region coded `outer` holds the one coded `inner` (GB/T 2260: a province is
    XX0000, a city XXXX00): '320000' holds '320581', '330922' only itself."""
    prefix = outer or ""
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    return bool(prefix) and (inner or "").startswith(prefix)
