"""Supervisors' labels for chat turns that fell back or had low confidence, and their export as
NLU training examples (`bot nlu export-reviewed`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.clock import utcnow
from bot.console.traffic import ReviewTurn
from bot.store.db import ensure_migrated, session_scope
from bot.store.models import AuditEntry, NluReview

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_EXPORT = REPO_ROOT / "nlu_data" / "reviewed.yml"


class ReviewError(ValueError):
    """A label that cannot be stored; the message is Chinese, for people."""


@lru_cache(maxsize=4)
def domain_intents(domain: Path = REPO_ROOT / "domain.yml") -> Tuple[str, ...]:
    data = yaml.safe_load(domain.read_text(encoding="utf-8")) or {}
    return tuple(i if isinstance(i, str) else next(iter(i)) for i in data.get("intents") or [])


@dataclass(frozen=True)
class Label:
    event_id: int
    text: str
    predicted_intent: Optional[str]
    label: str
    staff: str


class ReviewStore:
    def __init__(self, url: Optional[str] = None, auto_migrate: bool = True):
        self.url = url
        if auto_migrate:
            ensure_migrated(url)

    def label(self, turn: ReviewTurn, label: str, staff: str) -> None:
        if label not in domain_intents():
            raise ReviewError(f"未知意图：{label}")
        try:
            with session_scope(self.url) as session:
                session.add(
                    NluReview(
                        event_id=turn.event_id,
                        text=turn.text[:2000],
                        predicted_intent=turn.intent,
                        confidence=f"{turn.confidence:.3f}",
                        label=label,
                        staff=staff[:64],
                        at=utcnow(),
                    )
                )
                session.add(
                    AuditEntry(
                        at=utcnow(),
                        staff=staff[:64],
                        action="nlu_label",
                        subject=str(turn.event_id),
                        detail=f"{turn.intent} → {label}",
                    )
                )
        except IntegrityError:
            raise ReviewError("这条对话已经标注过了") from None

    def labelled_ids(self) -> Set[int]:
        with session_scope(self.url) as session:
            return set(session.execute(select(NluReview.event_id)).scalars())

    def labels(self) -> List[Label]:
        with session_scope(self.url) as session:
            rows = session.execute(select(NluReview).order_by(NluReview.id)).scalars().all()
            return [Label(r.event_id, r.text, r.predicted_intent, r.label, r.staff) for r in rows]


def _examples(path: Path) -> List[Tuple[str, str]]:
    """(text, intent) of every example in one Rasa NLU file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found = []
    for item in data.get("nlu") or []:
        if "intent" in item and isinstance(item.get("examples"), str):
            for line in item["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found.append((line[2:].strip(), item["intent"]))
    return found


@dataclass
class ExportReport:
    written: int
    already_in_data: int
    conflicting: List[str]
    path: Path


def export_reviewed(
    labels: List[Label], out: Path = DEFAULT_EXPORT, nlu_dir: Path = REPO_ROOT / "nlu_data"
) -> ExportReport:
    """Writes the labels as a Rasa NLU file (replacing the previous export). Texts the training
    data already has are left out; a text already there under another intent is reported."""
    existing: Dict[str, str] = {}
    for path in sorted(nlu_dir.rglob("*.yml")) if nlu_dir.exists() else []:
        if path.resolve() != out.resolve():  # the previous export is replaced, not counted
            existing.update(_examples(path))
    by_intent: Dict[str, List[str]] = {}
    already, conflicting = 0, []
    for label in labels:
        text = " ".join(label.text.split())
        if not text:
            continue
        if text in existing:
            if existing[text] != label.label:
                conflicting.append(f"{text}（训练数据中为 {existing[text]}，标注为 {label.label}）")
            already += 1
            continue
        if text not in by_intent.setdefault(label.label, []):
            by_intent[label.label].append(text)
    lines = [
        'version: "3.1"',
        "# Written by `bot nlu export-reviewed` from supervisors' labels in the console.",
        "# Review, then commit; the next `make train` learns from it.",
        "nlu:",
    ]
    for intent in sorted(by_intent):
        lines += [f"  - intent: {intent}", "    examples: |"]
        lines += [f"      - {text}" for text in by_intent[intent]]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ExportReport(sum(len(v) for v in by_intent.values()), already, conflicting, out)
