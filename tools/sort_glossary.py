"""Sort the glossary's entries alphabetically, one blank line between entries.

    python tools/sort_glossary.py      # rewrites glossary.md in place

An entry is one or more term lines (synonyms, not indented) followed by its indented
definition. Entries whose first term appears twice are reported, not merged.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

GLOSSARY = Path(__file__).resolve().parent.parent / "glossary.md"


def main() -> int:
    text = GLOSSARY.read_text(encoding="utf-8")
    match = re.search(r"(```\{glossary\}\n)(.*?)(\n```)", text, re.S)
    if not match:
        print("no glossary block found")
        return 1
    entries: list[list[str]] = []
    in_definition = False
    for line in match.group(2).split("\n"):
        if not line.strip():
            continue
        if line.startswith(" "):
            entries[-1].append(line)
            in_definition = True
        else:
            if in_definition or not entries:
                entries.append([])
            entries[-1].append(line)
            in_definition = False
    seen: dict[str, int] = {}
    for entry in entries:
        key = entry[0].strip().lower()
        seen[key] = seen.get(key, 0) + 1
    duplicates = [k for k, n in seen.items() if n > 1]
    if duplicates:
        print("duplicate glossary terms:", ", ".join(duplicates))
        return 1
    entries.sort(key=lambda e: e[0].strip().lower())
    body = "\n\n".join("\n".join(e) for e in entries)
    GLOSSARY.write_text(text[: match.start(2)] + body + text[match.end(2) :], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
