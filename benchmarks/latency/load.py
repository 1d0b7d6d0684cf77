"""The load generator: virtual users replaying conversations over REST, and what they measured."""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import aiohttp

from benchmarks.latency.common import LENGTH_QUESTIONS, LENGTHS, Conversation, log, percentile
from benchmarks.latency.procfs import CpuMeter


@dataclass
class LevelResult:
    stack: str
    users: int
    seconds: float = 0.0
    latencies: List[float] = field(default_factory=list)  # ms, successful replies
    errors: int = 0
    unexpected: int = 0
    error_samples: List[str] = field(default_factory=list)
    unexpected_samples: List[str] = field(default_factory=list)
    server_cores: float = 0.0
    loadgen_cores: float = 0.0
    other_cores: float = 0.0
    load_before: float = 0.0
    think: float = 0.0  # mean pause between a user's turns (0: back-to-back)

    @property
    def pacing(self) -> str:
        return f"paced (~{self.think:g} s between turns)" if self.think else "back-to-back"

    @property
    def messages(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def throughput(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)


async def send(
    session: aiohttp.ClientSession, url: str, sender: str, message: str, expect: Optional[str], result: LevelResult
) -> Optional[float]:
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": message}) as response:
            body = await response.read()
            ms = (time.perf_counter() - started) * 1000
            if response.status != 200:
                result.errors += 1
                if len(result.error_samples) < 5:
                    result.error_samples.append(f"HTTP {response.status} for {message!r}: {body[:200]!r}")
                return None
    except Exception as error:  # timeouts, refused or reset connections
        result.errors += 1
        if len(result.error_samples) < 5:
            result.error_samples.append(f"{type(error).__name__} for {message!r}: {error}")
        return None
    result.latencies.append(ms)
    try:
        text = "\n".join(m.get("text") or "" for m in json.loads(body))
    except (ValueError, AttributeError):
        text = ""
    if not text.strip() or (expect is not None and expect not in text):
        result.unexpected += 1
        if len(result.unexpected_samples) < 5:
            result.unexpected_samples.append(f"{message!r} → {text[:120]!r}")
    return ms


async def virtual_user(
    session,
    url: str,
    tag: str,
    user: int,
    conversations: Sequence[Conversation],
    deadline: float,
    result: LevelResult,
    think: float = 0.0,
) -> None:
    # Do not start every user in the same millisecond; paced users arrive over one think time, as
    # people who do not all press send at once (else the first turn is a burst of `users` messages).
    await asyncio.sleep(random.random() * (think or 0.5))
    k = 0
    while time.monotonic() < deadline:
        sender = f"{tag}-u{user}-c{k}"
        for message, expect in conversations[(user + k) % len(conversations)]:
            if time.monotonic() >= deadline:
                return
            await send(session, url, sender, message, expect, result)
            if think:  # a person reads the answer and types the next message
                await asyncio.sleep(min(random.uniform(0.5, 1.5) * think, max(0.0, deadline - time.monotonic())))
        k += 1


async def run_level(
    stack: str,
    url: str,
    users: int,
    seconds: float,
    conversations,
    pids: Sequence[int],
    tag: str,
    think: float = 0.0,
    headers: Optional[Dict[str, str]] = None,
) -> LevelResult:
    result = LevelResult(stack, users, load_before=os.getloadavg()[0], think=think)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(
        timeout=timeout, connector=aiohttp.TCPConnector(limit=0), headers=headers
    ) as session:
        with CpuMeter(pids) as meter:
            started = time.perf_counter()
            deadline = time.monotonic() + seconds
            await asyncio.gather(
                *(virtual_user(session, url, tag, u, conversations, deadline, result, think) for u in range(users))
            )
            result.seconds = time.perf_counter() - started
    result.server_cores, result.loadgen_cores, result.other_cores = (
        meter.server_cores,
        meter.loadgen_cores,
        meter.other_cores,
    )
    return result


async def warm_up(
    url: str, conversations, stack: str, rounds: int = 2, headers: Optional[Dict[str, str]] = None
) -> List[str]:
    problems = LevelResult(stack, 1)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120), headers=headers) as session:
        for r in range(rounds):
            for i, conversation in enumerate(conversations):
                for message, expect in conversation:
                    await send(session, url, f"warmup-{r}-{i}", message, expect, problems)
    return problems.error_samples + problems.unexpected_samples


async def conversation_length(url: str, repeats: int) -> Tuple[Dict[int, List[float]], int]:
    """Latency (ms) of the last 10 turns up to each length in LENGTHS, over `repeats` senders."""
    by_turn: List[List[float]] = []
    errors = LevelResult("length", 1)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        for r in range(repeats):
            turns = []
            for turn in range(max(LENGTHS)):
                ms = await send(session, url, f"long-{r}", LENGTH_QUESTIONS[turn % len(LENGTH_QUESTIONS)], None, errors)
                turns.append(ms)
            by_turn.append(turns)
            log(
                f"  sender long-{r}: turn 1 {turns[0] or float('nan'):.0f} ms, "
                f"turn {max(LENGTHS)} {turns[-1] or float('nan'):.0f} ms"
            )
    windows = {}
    for length in LENGTHS:
        windows[length] = [ms for turns in by_turn for ms in turns[max(0, length - 10) : length] if ms is not None]
    return windows, errors.errors
