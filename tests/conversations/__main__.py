"""`python -m tests.conversations` (make eval-dialogue): start the stack, run the conversation
suite date by date, print a report. Exit 0 whatever the bot answers (it is a report); 2 when the
suite's files are invalid or the stack does not start.

    python -m tests.conversations [--only ID_OR_FILE_SUBSTRING ...] [--base-url URL] [--workers 4]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable, Dict, List

from tests.conversations.runner import (
    WORKERS,
    ConversationResult,
    SuiteError,
    by_date,
    load_known_gaps,
    load_suite,
    run_by_date,
    run_suite,
    select,
)

REPLY_LIMIT = 300


def percent(n: int, total: int) -> str:
    return f"{n}/{total} ({100.0 * n / total:.1f}%)" if total else "0/0 (-)"


def split(results: List[ConversationResult], key: Callable[[ConversationResult], str]) -> List[str]:
    groups: Dict[str, List[ConversationResult]] = defaultdict(list)
    for result in results:
        groups[key(result)].append(result)
    width = max(len(name) for name in groups)
    lines = []
    for name, group in sorted(groups.items()):
        turns = sum(len(r.turns) for r in group)
        lines.append(
            f"  {name:<{width}}  conversations {percent(sum(r.passed for r in group), len(group)):<18}"
            f"  turns {percent(sum(r.turns_passed for r in group), turns)}"
        )
    return lines


def report(results: List[ConversationResult], gaps: Dict[str, str]) -> str:
    turns = sum(len(r.turns) for r in results)
    errors = sum(1 for r in results for t in r.turns if t.failed_check.startswith("error:"))
    lines = [
        "",
        "== conversation suite report",
        f"Conversation-level success: {percent(sum(r.passed for r in results), len(results))}",
        f"Turn-level success:         {percent(sum(r.turns_passed for r in results), turns)}",
    ]
    if errors:
        lines.append(f"Turns with an HTTP error or empty reply: {errors}")
    lines += [
        "",
        "By who:",
        *split(results, lambda r: r.conversation.who),
        "",
        "By file:",
        *split(results, lambda r: r.conversation.file),
        "",
        "By today:",
        *split(results, lambda r: r.conversation.today),
    ]
    failing = [r for r in results if not r.passed]
    lines += ["", f"Failing conversations ({len(failing)}):"]
    for result in failing:
        text = result.describe_failure(REPLY_LIMIT)
        if result.id in gaps:
            text = text.replace(" failed", f" failed  [known gap: {gaps[result.id]}]", 1)
        lines += ["", text]
    if not failing:
        lines.append("  none")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.conversations", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="ID_OR_FILE_SUBSTRING",
        help="run only conversations whose id or file name contains this (repeatable)",
    )
    parser.add_argument("--base-url", help="talk to an already running Rasa server (today cannot be set)")
    parser.add_argument("--workers", type=int, default=WORKERS, help="conversations at a time (default 4)")
    parser.add_argument("--model", type=Path, help="the model to serve (default: the one make train built)")
    args = parser.parse_args(argv)

    try:
        conversations = load_suite()
    except SuiteError as exc:
        print(exc, file=sys.stderr)
        return 2
    gaps = load_known_gaps()
    chosen = select(conversations, args.only)
    if not chosen:
        print(f"no conversation matches --only {args.only} ({len(conversations)} in the suite)", file=sys.stderr)
        return 2
    dates = by_date(chosen)
    print(
        f"{len(chosen)} conversation(s), {sum(len(c.turns) for c in chosen)} turns"
        + (f" (--only {' '.join(args.only)}; {len(conversations)} in the suite)" if args.only else "")
        + "; by today: "
        + ", ".join(f"{d} {len(g)}" for d, g in dates.items()),
        flush=True,
    )
    started = time.monotonic()
    if args.base_url:
        print(
            f"--base-url {args.base_url}: the server's own date is used, `today` cannot be set; running all "
            f"{len(chosen)} conversation(s) as they are (date-dependent checks may fail)",
            flush=True,
        )
        results = run_suite(chosen, args.base_url, workers=args.workers)
    else:
        from tests.conversations.stack import live_stack

        try:
            with live_stack(model=args.model, today=next(iter(dates))) as stack:
                print(f"stack up: {stack.base_url} (model {stack.model.name}; logs {stack.logs})", flush=True)
                results = run_by_date(
                    chosen, stack, workers=args.workers, progress=lambda line: print(line, flush=True)
                )
        except Exception as exc:  # the stack did not start (or died): no report to give
            print(f"the stack failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 2
    print(report(results, gaps))
    print(f"\n({time.monotonic() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
