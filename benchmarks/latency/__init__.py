"""Benchmark: REST latency of the full stack against a stock Rasa 3.6 server, under load.

    python -m benchmarks.latency [--quick] [--seconds S] [--out FILE] [--plot FILE]

In one run, with every server started here and stopped at the end:

* Our stack: the action server (`python -m bot.action_server`) and the Rasa server with the model
  `make train` built, in one worker process per core (at most 4) sharing the SQLLockStore, as
  `make run` starts it (`--workers`); for the back-to-back levels also a second Rasa server in a
  single process (`--no-one-worker` skips it), the MaskingTrackerStore on a fresh SQLite file and
  a freshly seeded SQLite store (300 people, 20 firms; BOT_TODAY=2023-01-20), as tests/test_live_server.py starts them.
* Stock Rasa: `rasa init --no-prompt` (the moodbot project, its own model trained; the
  training is timed), served by `rasa run --model DIR/models` with no endpoints.
* Cold start (process start → first answered REST message) of both.
* A load generator (aiohttp) replaying conversations over REST at 1, 10 and 50 concurrent
  virtual users for a fixed time per level, the two stacks interleaved level by level. Each
  virtual user talks sequentially; every conversation it starts is a new sender id. Ours mixes
  policy questions, an eligibility check with consent and an ID number, and a wage-arrears
  complaint filed to the end; stock sends the moodbot messages. p50 / p95 / p99 (ms),
  messages per second, errors (non-200 or exceptions) and answers missing the expected text.
* Latency against conversation length: one sender per repeat sends 100 policy questions in a
  row; p50 / p95 of the last 10 turns up to turn 1, 20 and 100.
* Peak memory (VmHWM) of the three servers after the load.

Writes a Markdown report and a PNG plot of the percentiles against concurrency.
Targets: p95 ≤ 150 ms at 10 concurrent users; zero errors at 50; our p50 ≤ 1.5 × stock.
"""
