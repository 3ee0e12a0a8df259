#!/usr/bin/env python3
"""Brings each package's PublicAPI.Unshipped.txt in line with its code.

Builds src/ once, adds every public symbol the analyzer reports as undeclared (RS0016) to the project's
PublicAPI.Unshipped.txt and drops every declared symbol that no longer exists (RS0017). Review the diff: every
line added is a promise to keep.

    python3 tools/public-api/update.py
"""
import collections
import pathlib
import re
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parents[2]
projects = sorted((root / "src").glob("*/*.csproj"))
pattern = re.compile(r"warning (RS0016|RS0017): Symbol '(.*)' is (?:not part of|part of) .*\[(.*\.csproj)\]")
found = collections.defaultdict(lambda: {"RS0016": set(), "RS0017": set()})
for project in projects:
    build = subprocess.run(
        ["dotnet", "build", str(project), "--no-incremental", "-p:TreatWarningsAsErrors=false", "-p:WarningsAsErrors=", "-clp:NoSummary"],
        capture_output=True, text=True, cwd=root)
    for match in pattern.finditer(build.stdout):
        code, symbol, csproj = match.groups()
        if pathlib.Path(csproj) == project:
            found[project][code].add(symbol)

for project in projects:
    unshipped = project.parent / "PublicAPI.Unshipped.txt"
    lines = unshipped.read_text().splitlines() if unshipped.exists() else ["#nullable enable"]
    header = [line for line in lines if line.startswith("#")] or ["#nullable enable"]
    entries = {line for line in lines if line and not line.startswith("#")}
    entries |= found[project]["RS0016"]
    entries -= {s.removeprefix("*REMOVED*") for s in found[project]["RS0017"]}
    unshipped.write_text("\n".join(header + sorted(entries, key=str.casefold)) + "\n")
    print(f"{project.parent.name}: +{len(found[project]['RS0016'])} -{len(found[project]['RS0017'])}")
sys.exit(0)
