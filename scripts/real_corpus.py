"""Keep the real labelled corpus in data/real/ (docs/labelling.md, "The real corpus").

Commands (run with the project's Python, from the repository root):

  add BATCH.jsonl     append the sessions of a batch file to train.jsonl or heldout.jsonl. Each batch line has
                      title, description, minutes, time, source, label, reason, subject_area,
                      area_given_by_source, borderline. The script gives the next free id, derives the site from
                      the source address, trims the description to 150 words and puts the line on the side of
                      the split its site belongs to. A site seen for the first time is assigned once, for good,
                      in sites.json (by a hash of the site group, unless the batch line names a split).
  blind               print the borderline sessions that have no second read yet, without their labels
  second ID LABEL     record the second, cold read of a borderline session; where it disagrees with the first
                      read the session moves to disputed.jsonl
  stats               counts by label, split and site (for README.md)
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1] / "data" / "real"
FILES = {"train": ROOT / "train.jsonl", "heldout": ROOT / "heldout.jsonl", "disputed": ROOT / "disputed.jsonl"}
SITES = ROOT / "sites.json"
LABELS = (
    "writing",
    "communication",
    "self_management",
    "information_technology",
    "organizational_development",
    "none",
)
AREAS = ("HR", "FM", "OM", "LI", "CM", None)
MAX_WORDS = 150
HELDOUT_PERCENT = 0  # 35 for r-0001…r-0061, 50 to r-0207, 65 to r-0327, 30 to r-0398, 50 to r-0437, 80 to r-0446,
# 35 to r-0799; 0 from r-0800 (the third round grows the training side; the held-out side stays as measured)
# Hosting platforms where the first label of the host names the site, not the platform.
PLATFORMS = (
    "sched.com",
    "sched.org",
    "wordpress.com",
    "socious.com",
    "blogspot.com",
    "eventbrite.com",
    "libguides.com",
    "eventscribe.net",
    "regfox.com",
    "memberclicks.net",
    "wildapricot.org",
    "squarespace.com",
    "substack.com",
)
# Hosts that belong to one organisation although their domains differ: the organisation decides the split.
OWNERS = {
    "sched:aall": "aallnet.org",
    "alanet.net": "alanet.org",
    # the American Library Association's conference sites
    "eventscribe.net:alaannual": "ala.org",
    "alaannual.org": "ala.org",
    "alamidwinter.org": "ala.org",
    "mladlacon.com": "sched:mladlacon",
    "arsl.info": "arsl.org",
    "coloradovirtuallibrary.org": "librarieslearn.org",
    "abanet.org": "americanbar.org",
    "placonference.org": "ala.org",  # the Public Library Association is an ALA division
    "goeshow.com": "ala.org",  # s4.goeshow.com/pla: the PLA conference site
    "regfox.com:senylrc": "senylrc.org",  # the Southeastern NY Library Resources Council's registration pages
    "wacities.org": "awcnet.org",  # the Association of Washington Cities moved its site
    "programminglibrarian.org": "ala.org",  # the American Library Association's Public Programs Office
}
SECOND_LEVEL = ("co", "com", "org", "gov", "ac", "net", "edu", "gc")

Row = dict[str, Any]


def site_of(source: str) -> str:
    host = (urlsplit(source).hostname or "").lower()
    if not host:
        raise SystemExit(f"source {source!r} has no host name")
    return host.rstrip(".").removeprefix("www.")


def group_of(site: str) -> str:
    """The owner of a site: its registrable domain, or its account on a hosting platform (outer digits dropped)."""
    labels = site.split(".")
    for platform in PLATFORMS:
        if site.endswith("." + platform):
            account = "sched:" if platform.startswith("sched.") else platform + ":"
            owner = account + labels[0].strip("0123456789")
            return OWNERS.get(owner, owner)
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL:
        domain = ".".join(labels[-3:])
    else:
        domain = ".".join(labels[-2:])
    return OWNERS.get(domain, domain)


def load(path: Path) -> list[Row]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def save(path: Path, rows: list[Row]) -> None:
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    path.write_text(text, encoding="utf-8")


def trim(text: str) -> tuple[str, bool]:
    words = " ".join(text.split()).split(" ")
    if len(words) <= MAX_WORDS:
        return " ".join(words), False
    return " ".join(words[:MAX_WORDS]), True


def split_of(group: str, sites: dict[str, str], wanted: str | None) -> str:
    if group in sites:
        if wanted and wanted != sites[group]:
            raise SystemExit(f"site group {group} is already on the {sites[group]} side")
        return sites[group]
    digest = int(hashlib.sha256(group.encode()).hexdigest(), 16)
    side = wanted or ("heldout" if digest % 100 < HELDOUT_PERCENT else "train")
    sites[group] = side
    return side


def add(batch: Path) -> None:
    sites: dict[str, str] = json.loads(SITES.read_text()) if SITES.exists() else {}
    rows = {name: load(path) for name, path in FILES.items()}
    every = [row for side in rows.values() for row in side]
    numbers = [int(row["id"].split("-")[1]) for row in every]
    next_number = max(numbers, default=0) + 1
    titles = {(row["title"].lower(), row["source"]) for row in every}
    added: Counter[str] = Counter()
    for number, line in enumerate(batch.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise SystemExit(f"{batch}:{number}: {error}") from error
        where = f"{batch}:{number}"
        if item["label"] not in LABELS:
            raise SystemExit(f"{where}: label {item['label']!r}")
        if item.get("subject_area") not in AREAS:
            raise SystemExit(f"{where}: subject_area {item.get('subject_area')!r}")
        key = (item["title"].lower(), item["source"])
        if key in titles:
            print(f"{where}: already kept, skipped: {item['title']}")
            continue
        titles.add(key)
        site = site_of(item["source"])
        side = split_of(group_of(site), sites, item.pop("split", None))
        description, trimmed = trim(item["description"])
        row: Row = {
            "id": f"r-{next_number:04d}",
            "title": " ".join(item["title"].split()),
            "description": description,
            "minutes": item.get("minutes"),
            "time": item.get("time"),
            "source": item["source"],
            "site": site,
            "label": item["label"],
            "reason": item["reason"],
            "subject_area": item.get("subject_area"),
            "area_given_by_source": bool(item.get("area_given_by_source", False)),
            "borderline": bool(item.get("borderline", False)),
        }
        if trimmed:
            row["trimmed"] = True
        next_number += 1
        rows[side].append(row)
        added[side] += 1
    for name, path in FILES.items():
        if name != "disputed" or rows[name]:
            save(path, rows[name])
    SITES.write_text(json.dumps(dict(sorted(sites.items())), indent=1) + "\n")
    print(dict(added))


def blind() -> None:
    for side in ("train", "heldout"):
        for row in load(FILES[side]):
            if row["borderline"] and "second_read" not in row:
                print(f"{row['id']} | {row['title']} | {row['minutes'] or row['time']}\n    {row['description']}\n")


def second(identifier: str, label: str) -> None:
    if label not in LABELS:
        raise SystemExit(f"label {label!r}")
    disputed = load(FILES["disputed"])
    for side in ("train", "heldout"):
        rows = load(FILES[side])
        for row in rows:
            if row["id"] == identifier:
                row["second_read"] = label
                if label != row["label"]:
                    rows.remove(row)
                    row["split"] = side
                    disputed.append(row)
                    save(FILES["disputed"], disputed)
                    print(f"{identifier}: {row['label']} then {label}: disputed")
                save(FILES[side], rows)
                return
    raise SystemExit(f"no session {identifier}")


def stats() -> None:
    for side in ("train", "heldout", "disputed"):
        rows = load(FILES[side])
        print(f"## {side}: {len(rows)}")
        print("labels:", dict(Counter(row["label"] for row in rows).most_common()))
        print("areas given:", sum(row["area_given_by_source"] for row in rows))
        print("borderline:", sum(row["borderline"] for row in rows))
        print("sites:", dict(Counter(row["site"] for row in rows).most_common()))


def main(argv: list[str]) -> None:
    if argv[:1] == ["add"] and len(argv) == 2:
        add(Path(argv[1]))
    elif argv == ["blind"]:
        blind()
    elif argv[:1] == ["second"] and len(argv) == 3:
        second(argv[1], argv[2])
    elif argv == ["stats"]:
        stats()
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
