"""The fuzz run (tests/fuzz/): its generator and checks on their own, and the short run (200
requests) against the live stack, where every count must be zero. `make fuzz` sends 1,000."""

import json
import random
import re

import pytest

from bot.identifiers import id_number_is_valid
from tests.fuzz.check import PiiFinder, check_slots, digits_only, scan_logs, scan_tracker, unsafe
from tests.fuzz.generate import (
    AUTH_KINDS,
    HOSTILE,
    MALFORMED,
    SHORTCUTS,
    Request,
    generate,
    id_number,
    mobile,
    spellings,
)
from tests.fuzz.run import DEFAULT_SEED, fuzz

SHORT_RUN = 200


@pytest.fixture(scope="module")
def plan():
    return generate(SHORT_RUN, DEFAULT_SEED)


# ---- the generator --------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_requests_and_another_seed_others():
    first, again, other = generate(300, 7), generate(300, 7), generate(300, 8)
    assert [r.body() for r in first.requests] == [r.body() for r in again.requests]
    assert first.pii == again.pii
    assert [r.body() for r in first.requests] != [r.body() for r in other.requests]


@pytest.mark.parametrize("count", [1, 50, SHORT_RUN, 1000])
def test_exactly_count_requests_with_distinct_senders_per_conversation(count):
    requests = generate(count, DEFAULT_SEED).requests
    assert len(requests) == count
    senders = {}
    for request in requests:
        if isinstance(request.sender, str):
            assert senders.setdefault(request.sender, request.conversation) == request.conversation


def test_id_numbers_and_phones_are_valid_looking():
    rng = random.Random(3)
    for _ in range(500):
        assert id_number_is_valid(id_number(rng))
        assert re.fullmatch(r"1[3-9]\d{9}", mobile(rng))
    assert id_number(rng, "X").endswith("X") and id_number_is_valid(id_number(rng, "X"))


def test_every_recorded_value_is_valid_and_in_its_message(plan):
    for value in plan.pii:
        assert re.fullmatch(r"1[3-9]\d{9}", value) or id_number_is_valid(value), value
    for request in plan.requests:
        for value in request.pii:
            assert PiiFinder([value]).find(request.message), (value, request.message)


def test_the_short_run_has_every_category(plan):
    categories = plan.categories
    assert {f"malformed:{kind}" for kind in MALFORMED} <= set(categories)
    assert {f"auth:{kind}" for kind in AUTH_KINDS} <= set(categories)
    hostile = {c.split(":")[2].split("+")[0] for c in categories if c.startswith("message:hostile:")}
    assert hostile == set(HOSTILE)
    sent = {r.message for r in plan.requests if isinstance(r.message, str)}
    assert set(SHORTCUTS) <= sent
    assert any(r.stream and r.well_formed for r in plan.requests)
    for kind in ("phone", "id"):
        used = {r.spelling for r in plan.requests for v in r.pii if (len(v) == 11) == (kind == "phone")}
        assert set(spellings(kind)) <= used, set(spellings(kind)) - used
    assert len(spellings("phone")) >= 15 and len(spellings("id")) >= 15
    assert {"message:complaint", "message:eligibility", "message:status", "message:policy"} <= set(categories)


def test_lone_surrogates_go_as_json_escapes(plan):
    request = next(r for r in plan.requests if r.category == "message:hostile:surrogate")
    assert re.search(rb"\\ud[89a-f][0-9a-f]{2}", request.body())
    assert json.loads(request.body())["message"] == request.message
    assert (
        Request(0, 0, "message:x", {"sender": "s", "message": "你好"}).body("p-")
        == '{"sender": "p-s", "message": "你好"}'.encode()
    )


def test_the_finder_sees_every_spelling_and_never_a_masked_number():
    rng = random.Random(5)
    for kind in ("phone", "id"):
        for name, spell in spellings(kind).items():
            value = mobile(rng) if kind == "phone" else id_number(rng, "X" if name == "lowercase_x" else None)
            written = spell(value, rng)
            assert PiiFinder([value]).find(f"电话{written}，好的"), (name, written)
            assert PiiFinder([value]).find(json.dumps({"text": written})), (name, "as JSON")
    finder = PiiFinder(["13912345678", "33092219900101123X"])
    assert finder.find("手机号：139****5678，身份证 330922********123X，工单 QX-20230120-0001 2023-01-20") == []
    assert [f.form for f in finder.find("１３９１２３４５６７８")] == ["normalised"]
    assert [f.form for f in finder.find("幺三九一二三四五六七八")] == ["digits-only"]
    assert digits_only("a\\u200b1") == "1"


def test_unsafe_replies():
    assert unsafe("【消费券】\n1000元\t（依据：第6条）") is None
    assert unsafe("<SCRIPT>x") and unsafe("a\x1b[31m") and unsafe("\ud800") and unsafe("\u202e")


def test_logs_and_the_tracker_db_are_searched(tmp_path):
    import sqlite3

    (tmp_path / "rasa.log").write_text("ok 139****5678\nReceived '139\\u200b1234\\u200b5678'\n", encoding="utf-8")
    (tmp_path / "actions-1-2023-01-20.log").write_text("body: 1 3 9 1 2 3 4 5 6 7 8\n", encoding="utf-8")
    finder = PiiFinder(["13912345678"])
    assert [leak.where for leak in scan_logs(tmp_path, finder)] == ["rasa.log:2", "actions-1-2023-01-20.log:1"]
    db = tmp_path / "tracker.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, data TEXT)")
        rows = [
            ("s", "user", {"event": "user", "text": '/inform{"route":"fuzz_route","status_attempts":0}'}),
            ("s", "slot", {"event": "slot", "name": "status_attempts", "value": 0}),
            ("s", "user", {"event": "user", "text": "电话 139-1234-5678"}),
            ("s", "slot", {"event": "slot", "name": "status_attempts", "value": 0}),
            ("t", "slot", {"event": "slot", "name": "route", "value": "fuzz_route"}),
        ]
        connection.executemany(
            "INSERT INTO events (sender_id, type_name, data) VALUES (?, ?, ?)",
            [(s, t, json.dumps(d)) for s, t, d in rows],
        )
    assert [leak.where for leak in scan_tracker(db, finder)] == ["events.data id=3 (sender s)"]
    found = check_slots(db, {"s": [{"route": "fuzz_route", "status_attempts": 0}]})
    assert [(f.sender, f.slot) for f in found] == [("s", "status_attempts"), ("t", "route")]


def test_a_trickling_answer_is_a_timeout_and_a_stream_is_read_whole():
    """The timeout is for the whole answer, not for each read."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from tests.fuzz.run import post

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            slow = b"slow" in self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.end_headers()
            lines = [b'{"recipient_id": "s", "text": "one"}\n', b'{"recipient_id": "s", "text": "two"}\n']
            try:
                for line in lines * (20 if slow else 1):
                    self.wfile.write(line)
                    self.wfile.flush()
                    time.sleep(0.1 if slow else 0)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"

        def streamed(message):
            return Request(0, 0, "message:stream", {"sender": "s", "message": message}, stream=True)

        outcome = post(base, streamed("hi"), timeout=5)
        assert (outcome.status, outcome.texts, outcome.error) == (200, ["one", "two"], "")
        outcome = post(base, streamed("slow"), timeout=1)
        assert outcome.error == "timeout" and outcome.elapsed < 1.5
    finally:
        server.shutdown()


# ---- the live stack -------------------------------------------------------------------------------


@pytest.mark.server
def test_short_fuzz_run_against_the_live_stack_finds_nothing(tmp_path):
    from tests.conftest import trained_model

    report = fuzz(SHORT_RUN, DEFAULT_SEED, logs=tmp_path / "stack", model=trained_model(), progress=None)
    (tmp_path / "fuzz.json").write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    assert report.count == SHORT_RUN
    assert not report.failing, report.table(examples=5)
