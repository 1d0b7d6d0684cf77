"""Helpers shared by the tests and the benchmarks: starting and stopping the real servers
(Rasa, the action server, the supervised stack of scripts/run.sh) on free ports."""
