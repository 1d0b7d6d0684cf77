"""`bot db import DIR`: the bureau's CSV exchange files into the store.

Every row is validated (bot/store/csv_format.py: ID checksum GB 11643, credit-code checksum
GB 32100, dates, booleans) and its references checked against the store. Bad rows go to a reject
report with file, line and reason; good rows are imported.
Rows are upserted on their natural keys, so importing the same files again changes nothing.
The format is documented in docs/data-format.md.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.store.csv_format import FILES, FileSpec, RowError
from bot.store.db import get_engine, migrate
from bot.store.models import BusCharter, Firm, Person
from bot.text.mask import mask_text


@dataclass(frozen=True)
class Reject:
    file: str
    line: int
    reason: str


@dataclass
class FileResult:
    file: str
    read: int = 0
    imported: int = 0
    rejected: int = 0
    skipped: bool = False  # the file was not there


@dataclass
class ImportReport:
    files: List[FileResult] = field(default_factory=list)
    rejects: List[Reject] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return sum(f.imported for f in self.files)

    def write_rejects(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["file", "line", "reason"])
            for reject in self.rejects:
                writer.writerow([reject.file, reject.line, reject.reason])


# ---- the import ------------------------------------------------------------------------------


def _upsert(connection: Connection, spec: FileSpec, rows: Sequence[Dict[str, object]]) -> None:
    if not rows:
        return
    table = spec.table.__table__
    dialect = connection.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - other databases: plain insert of the rows not there yet
        raise NotImplementedError(f"import into {dialect} is not supported")
    stmt = insert(table)
    updates = {c: stmt.excluded[c] for c in rows[0] if c not in spec.key}
    stmt = (
        stmt.on_conflict_do_update(index_elements=list(spec.key), set_=updates)
        if updates
        else stmt.on_conflict_do_nothing(index_elements=list(spec.key))
    )
    connection.execute(stmt, list(rows))


class _References:
    """Which ID numbers and credit codes exist, checked a batch at a time."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def existing(self, kind: str, values: Set[str]) -> Set[str]:
        if not values:
            return set()
        found: Set[str] = set()
        if kind in ("person", "subject"):
            found |= set(
                self.connection.execute(select(Person.id_number).where(Person.id_number.in_(values))).scalars()
            )
        if kind in ("firm", "subject"):
            found |= set(
                self.connection.execute(select(Firm.credit_code).where(Firm.credit_code.in_(values))).scalars()
            )
        return found


_KIND_NAMES = {"person": "人员（persons.csv）", "firm": "单位（firms.csv）", "subject": "人员或单位"}


def _read_rows(path: Path) -> Iterator[Tuple[int, Dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            yield reader.line_num, row


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return max(sum(buf.count(b"\n") for buf in iter(lambda: handle.read(1 << 20), b"")) - 1, 0)


def import_directory(
    directory: Path | str, url: Optional[str] = None, *, batch_size: int = 5000, progress: Optional[bool] = None
) -> ImportReport:
    """Import every known CSV file in `directory`; a missing file is skipped."""
    from tqdm import tqdm

    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"目录不存在：{directory}")
    migrate(url)
    engine = get_engine(url)
    report = ImportReport()
    for spec in FILES:
        result = FileResult(spec.name)
        report.files.append(result)
        path = directory / spec.name
        if not path.exists():
            result.skipped = True
            continue
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
        missing = [c for c in spec.columns if c not in [h.strip() for h in header]]
        if missing:
            report.rejects.append(Reject(spec.name, 1, f"缺少列：{', '.join(missing)}；整个文件未导入"))
            result.rejected = _count_lines(path)
            continue
        bar = tqdm(
            total=_count_lines(path),
            desc=spec.name,
            unit="行",
            disable=(None if progress is None else not progress),
            leave=False,
        )
        seq: Counter = Counter()
        try:
            batch: List[Tuple[int, Dict[str, object]]] = []
            for line, raw in _read_rows(path):
                result.read += 1
                bar.update(1)
                raw = {(k or "").strip(): v for k, v in raw.items() if k is not None}
                try:
                    values = spec.parse(raw)
                except RowError as exc:
                    report.rejects.append(Reject(spec.name, line, mask_text(str(exc))))
                    result.rejected += 1
                    continue
                if spec.table is BusCharter:
                    trip = (values["credit_code"], values["trip_date"], values["origin_province"])
                    seq[trip] += 1
                    values["trip_seq"] = seq[trip]
                batch.append((line, values))
                if len(batch) >= batch_size:
                    _flush(engine, spec, batch, report, result)
                    batch = []
            _flush(engine, spec, batch, report, result)
        finally:
            bar.close()
    return report


def _flush(
    engine, spec: FileSpec, batch: List[Tuple[int, Dict[str, object]]], report: ImportReport, result: FileResult
) -> None:
    if not batch:
        return
    with engine.begin() as connection:
        refs = _References(connection)
        good: Dict[Tuple, Dict[str, object]] = {}
        for reference in spec.references:
            wanted = {values[reference.column] for _, values in batch}
            found = refs.existing(reference.kind, wanted)
            kept = []
            for line, values in batch:
                if values[reference.column] in found:
                    kept.append((line, values))
                else:
                    report.rejects.append(
                        Reject(
                            spec.name,
                            line,
                            mask_text(
                                f"{reference.column} {values[reference.column]} 不在{_KIND_NAMES[reference.kind]}中"
                            ),
                        )
                    )
                    result.rejected += 1
            batch = kept
        for _, values in batch:  # the same key twice in a batch: the later row wins
            good[tuple(values[k] for k in spec.key)] = values
        _upsert(connection, spec, list(good.values()))
        result.imported += len(good)
