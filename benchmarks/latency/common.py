"""The benchmark's settings and conversations, shared by its modules."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parents[1]  # benchmarks/: the report and the plot go there
LEVELS = (1, 10, 50)
LENGTHS = (1, 20, 100)
TODAY = "2023-01-20"

# (message, a fragment the answer must contain; None: anything non-empty)
Conversation = Sequence[Tuple[str, Optional[str]]]
OURS: Tuple[Conversation, ...] = (
    (
        ("嵊泗的留工补助怎么领？", "500元"),
        ("消费券现在还能用吗", "消费券"),
        ("那江苏呢", "苏人社函"),
        ("外卖小哥过年留在嵊泗有补贴吗", "500元"),
    ),
    (("帮我查查我能不能领留工补助", "同意"), ("同意", "身份证号"), ("520101199003159012", "符合条件")),
    (
        ("我叫王大力，电话13912345678，嵊泗某水产公司欠我三个月工资一共一万二", "工地、项目或地点"),
        ("在船上干活", "多少人"),
        ("就我1个", "请核对"),
        ("确认提交", "工单号"),
    ),
)
STOCK: Tuple[Conversation, ...] = (
    (("hello", "How are you"), ("I am sad", "Did that help you?"), ("yes", "Great, carry on"), ("bye", "Bye")),
    (("hello", "How are you"), ("great", "Great, carry on"), ("bye", "Bye")),
)
LENGTH_QUESTIONS = ("嵊泗的留工补助怎么领？", "消费券现在还能用吗", "那江苏呢", "外卖小哥过年留在嵊泗有补贴吗")
ONE_WORKER = "ours, 1 worker"
MAKE_RUN = "make run"  # the supervised default layout: HAProxy, 2 Rasa processes, 1 action server
CLUSTER = "cluster"  # make run-cluster: HAProxy, 2 Rasa, 2 action servers, PostgreSQL, Redis
SUPERVISED = {MAKE_RUN: "default", CLUSTER: "cluster"}


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)
