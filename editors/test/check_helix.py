#!/usr/bin/env python3
"""Checks editors/helix/languages.toml: valid TOML in Helix's shape, the augur server defined as Docs/Editors.md
says, added to every language listed, and only initializationOptions keys Docs/Configuration.md documents.
(Helix itself is not packaged for Debian, so it is not run here.)"""
import re
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python < 3.11
    print("check_helix: SKIPPED: needs Python 3.11 (tomllib)", file=sys.stderr)
    sys.exit(0)

path = Path(sys.argv[1])
repo = path.resolve().parents[2]
config = tomllib.loads(path.read_text())

server = config["language-server"]["augur"]
assert server["command"] == "augur", server
assert server["args"][0] == "serve", server
documented = set(re.findall(r"^\| `(\w+)` \|", (repo / "Docs/Configuration.md").read_text(), re.M))
unknown = set(server.get("config", {})) - documented
assert not unknown, f"config keys not in Docs/Configuration.md: {unknown}"

languages = config["language"]
assert languages, "no [[language]] entries"
for language in languages:
    servers = language["language-servers"]
    assert "augur" in servers, language
    assert servers[0] != "augur", f"{language['name']}: keep the language's own server first"

print(f"check_helix: {path} ok ({len(languages)} languages; config keys {sorted(server.get('config', {}))})",
      file=sys.stderr)
