#!/usr/bin/env python3
"""Rewrites the `rules = [...]` list of the first `[[secrets.allow]]` entry of palisade.toml
(the entry for the rule examples and test fixtures) with every rule id under rules/*.toml.

Every built-in rule's examples are fake secrets in the real format, so each new rule fails the
dogfood gate until its id is in that list; run this after adding rules. The entry's paths,
reason and ticket are left as they are.
"""
import pathlib
import re
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def rule_ids():
    """Every rule id of rules/*.toml, sorted."""
    ids = set()
    for path in sorted((ROOT / "rules").glob("*.toml")):
        for rule in tomllib.loads(path.read_text(encoding="utf-8"))["rules"]:
            ids.add(rule["id"])
    return sorted(ids)


def main():
    config = ROOT / "palisade.toml"
    text = config.read_text(encoding="utf-8")
    start = text.index("[[secrets.allow]]")
    match = re.compile(r"rules = \[.*?\]\n", re.S).search(text, start)
    if not match:
        sys.exit("palisade.toml: no `rules = [...]` after the first [[secrets.allow]]")
    ids = [f'"{i}"' for i in rule_ids()]
    lines, line = [], "   "
    for item in ids:
        if len(line) + len(item) + 2 > 100:
            lines.append(line.rstrip())
            line = "   "
        line += f" {item},"
    lines.append(line.rstrip())
    block = "rules = [\n" + "\n".join(lines) + "\n]\n"
    config.write_text(text[: match.start()] + block + text[match.end():], encoding="utf-8")
    print(f"palisade.toml: {len(ids)} rule ids in the fixtures' allow entry")


if __name__ == "__main__":
    main()
