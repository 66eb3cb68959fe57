"""Run axe-core (node_modules/axe-core/axe.min.js, installed by `make browser-deps`) in a page.

The site's CSP (``script-src 'self'``) forbids inline scripts, so the page must be opened in a
context made with ``bypass_csp=True`` before axe can be added to it.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT

AXE_JS = Path(os.environ.get("EARLYHELP_AXE_JS") or PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js")
BLOCKING_IMPACTS = ("serious", "critical")

# Every rule axe-core enables by default (WCAG 2.0-2.2 A/AA and best practices); none are turned off.
RUN_OPTIONS = {"resultTypes": ["violations"]}


@functools.cache
def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core is not installed at {AXE_JS}: run `make browser-deps` (`make test` does), "
                    "which runs `npm ci` for the version pinned in package.json.", pytrace=False)
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page, impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[dict]:
    """axe-core's violations on the page as it is now, keeping only the given impacts."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source())
    results = page.evaluate("options => window.axe.run(document, options)", RUN_OPTIONS)
    return [violation for violation in results["violations"] if violation["impact"] in impacts]


def axe_version(page) -> str:
    return page.evaluate("() => window.axe && window.axe.version")


def describe_violations(where: str, violations: list[dict], max_nodes: int = 5) -> str:
    """A readable report: rule id, impact, help and link, then each failing element's selector and why."""
    lines = [f"{len(violations)} serious/critical axe-core violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}  "
                     f"[{violation['helpUrl'].split('?')[0]}]")
        for node in violation["nodes"][:max_nodes]:
            target = " ".join(" >>> ".join(part) if isinstance(part, list) else part
                              for part in node["target"])
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {target}: {summary[:300]}")
            lines.append(f"      {node['html'][:200]}")
        if len(violation["nodes"]) > max_nodes:
            lines.append(f"    ... and {len(violation['nodes']) - max_nodes} more element(s)")
    return "\n".join(lines)
