"""Builds benchmarks/README.md from the tables each benchmark wrote (nlu.md, latency.md,
eligibility.md), so the README always shows the latest run of each. `make bench*` calls it."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = [
    ("nlu.md", "make bench-nlu", "Accuracy: our NLU against stock Rasa and a TF-IDF matcher"),
    ("latency.md", "make bench-latency", "Speed: our full stack against stock Rasa over REST"),
    ("eligibility.md", "make bench-store", "Scale: the eligibility store at 10k, 100k and 1M people"),
]
INTRO = """# Benchmarks

Reports, not tests: CI does not run them. Each section is the latest run of its own command;
`make bench` runs all three. Every figure quoted in the project's README comes from here.
"""


def build() -> str:
    sections = [INTRO]
    for name, command, title in PARTS:
        path = HERE / name
        body = path.read_text(encoding="utf-8") if path.exists() else "Not run yet.\n"
        lines = body.splitlines()
        if lines and lines[0].startswith("# "):
            lines = lines[1:]  # the part's own title becomes a section heading
        sections.append(f"## {title} (`{command}`)\n" + "\n".join(lines).rstrip() + "\n")
    return "\n".join(sections)


def main() -> int:
    (HERE / "README.md").write_text(build(), encoding="utf-8")
    print(f"wrote {HERE / 'README.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
