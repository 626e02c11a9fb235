"""Checks compose.yaml without a container engine: it parses, every service it depends on and
every file it mounts exists, two opsgraph instances share one PostgreSQL, and one port fronts
them. `docker compose config` checks the rest where an engine runs."""
import os
import sys

import yaml

root = sys.argv[1]
with open(os.path.join(root, "compose.yaml"), encoding="utf-8") as f:
    compose = yaml.safe_load(f)
services = compose["services"]
problems = []
for name, service in services.items():
    for dependency in service.get("depends_on", {}):
        if dependency not in services:
            problems.append(f"{name} depends on unknown service {dependency}")
    for volume in service.get("volumes", []):
        source = volume.split(":")[0]
        if source.startswith("."):
            if not os.path.exists(os.path.join(root, source)):
                problems.append(f"{name} mounts missing {source}")
        elif source not in (compose.get("volumes") or {}):
            problems.append(f"{name} mounts undeclared volume {source}")
opsgraph = [n for n, s in services.items() if s.get("image") == "opsgraph:local"]
urls = {services[n]["environment"]["DATABASE_URL"] for n in opsgraph}
if len(opsgraph) != 2 or len(urls) != 1 or "@postgres:" not in next(iter(urls), ""):
    problems.append(f"expected two opsgraph instances on the postgres service, got {opsgraph} on {urls}")
published = [n for n, s in services.items() if s.get("ports")]
if published != ["proxy"]:
    problems.append(f"only the proxy should publish a port, not {published}")
# A service waited for as healthy needs a health check: its own, or the image's HEALTHCHECK.
for name, service in services.items():
    for dependency, how in (service.get("depends_on") or {}).items():
        waited = isinstance(how, dict) and how.get("condition") == "service_healthy"
        checked = "healthcheck" in services.get(dependency, {}) or dependency in opsgraph
        if waited and not checked:
            problems.append(f"{name} waits for {dependency} to be healthy, which has no health check")
if problems:
    sys.exit("compose.yaml: " + "; ".join(problems))
print(f"compose.yaml: {len(services)} services, {' and '.join(opsgraph)} on one PostgreSQL behind {published[0]}")
