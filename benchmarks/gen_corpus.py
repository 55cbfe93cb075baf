"""A deterministic (seeded) generator of valid logbooks for benchmarks and scale tests.

    python benchmarks/gen_corpus.py --cases 1000 --per-case 10 --out /tmp/corpus-M [--seed 1]

Sizes used by the benchmark: S = 100 × 10, M = 1,000 × 10, L = 10,000 × 10 (interaction
files plus one case.md each).  Bodies are 1.5–3 KB of Markdown: paragraphs, quotes, lists
and links.  Every generated logbook passes `logbook check` with no diagnostics.
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta
from pathlib import Path

COMPANIES = ["GadgetTown", "Northbank Telecom", "Skyways Air", "Hearthvale Furniture", "Cloudpress", "Flatline Broadband",
             "Brightwatt Energy", "Parcelpoint", "Medora Insurance", "Quickcart"]
PEOPLE = ["Maria", "Jonas", "Petra", "Sam", "Priya", "Dev", "Aisha", "Ben", "Kim", "Lopez", "Arjun", "Lena"]
PRODUCTS = ["blender", "router", "sofa", "phone contract", "annual plan", "suitcase", "kettle", "monitor", "meter reading"]
PROBLEMS = ["arrived broken", "was charged twice", "never arrived", "stopped working after a week",
            "was cancelled without notice", "shows the wrong amount", "was refunded only in part"]
CHANNELS = ["email", "chat", "phone", "social", "sms", "letter", "in-person", "portal", "note"]
ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]
SENTENCES = [
    "I am writing about order {order}, which {problem}.",
    "Your colleague {agent} told me on the phone that this would be sorted within five working days.",
    "Please confirm in writing what will happen next and by when.",
    "I have attached the photos and the delivery note to my earlier email.",
    "We have escalated your case to the team responsible, who will contact you shortly.",
    "Thank you for your patience while we look into the {product}.",
    "The refund of {amount} has not reached my account, although it was promised for last week.",
    "As discussed, I am keeping a record of every contact in this matter.",
]


def paragraph(rng: random.Random, facts: dict[str, str]) -> str:
    return " ".join(rng.choice(SENTENCES).format(**facts) for _ in range(rng.randint(3, 6)))


def body(rng: random.Random, facts: dict[str, str]) -> str:
    parts: list[str] = []
    while sum(len(p) for p in parts) < rng.randint(1500, 3000):
        kind = rng.random()
        if kind < 0.55:
            parts.append(paragraph(rng, facts))
        elif kind < 0.7:
            parts.append("> " + paragraph(rng, facts))
        elif kind < 0.85:
            parts.append("\n".join(f"- {rng.choice(SENTENCES).format(**facts)}" for _ in range(rng.randint(2, 4))))
        else:
            parts.append(f"See the [help page](https://support.example.com/{facts['order'].lower()}) and **reference "
                         f"{facts['order']}**.")
    return "\n\n".join(parts) + "\n"


def generate(out: Path, cases: int, per_case: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    (out / "cases").mkdir(parents=True, exist_ok=True)
    (out / "logbook.toml").write_text('[site]\ntitle = "Benchmark logbook"\ntimezone = "Europe/Berlin"\n')
    start = datetime(2024, 1, 1, 9, 0)
    files = 1
    for n in range(cases):
        case_id = f"C-{n:05d}"
        company = rng.choice(COMPANIES)
        order = f"{company[:2].upper()}-{rng.randint(100000, 999999)}"
        facts = {"order": order, "problem": rng.choice(PROBLEMS), "agent": rng.choice(PEOPLE),
                 "product": rng.choice(PRODUCTS), "amount": f"{rng.randint(10, 900)}.{rng.randint(0, 99):02d} EUR"}
        folder = out / "cases" / case_id
        folder.mkdir(exist_ok=True)
        opened = start + timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 600))
        status = rng.choice(["open", "waiting", "escalated", "resolved"])
        (folder / "case.md").write_text(
            f"---\ntitle: The {facts['product']} {facts['problem']}\nstatus: {status}\n"
            f"opened: {opened:%Y-%m-%d}\ncounterparty: {company}\nrefs:\n  order: {order}\n"
            f"amount: {facts['amount']}\ntimezone: {rng.choice(ZONES)}\n---\n{paragraph(rng, facts)}\n")
        moment = opened
        for k in range(per_case):
            moment += timedelta(hours=rng.randint(1, 120), minutes=rng.randint(0, 59))
            channel = rng.choice(CHANNELS)
            direction = "internal" if channel == "note" else rng.choice(["in", "out"])
            agent = f"agent: {rng.choice(PEOPLE)} (A-{rng.randint(1, 40)})\n" if direction == "in" else ""
            promise = ""
            if rng.random() < 0.2:
                due = moment + timedelta(days=rng.randint(1, 14))
                promise = f"promises:\n  - what: Reply within {rng.randint(1, 10)} days\n    due: {due:%Y-%m-%d}\n"
            (folder / f"{k:03d}-{channel}-{direction}.md").write_text(
                f"---\nat: {moment:%Y-%m-%dT%H:%M}:00Z\ntitle: {channel.title()} about {order}\nchannel: {channel}\n"
                f"direction: {direction}\n{agent}{promise}---\n{body(rng, facts)}")
            files += 1
        files += 1
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--per-case", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    files = generate(args.out, args.cases, args.per_case, args.seed)
    print(f"wrote {files:,} files to {args.out}")


if __name__ == "__main__":
    main()
