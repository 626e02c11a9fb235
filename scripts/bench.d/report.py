#!/usr/bin/env python3
"""Tables of scripts/bench's results (one JSON object a line), with each scenario's target.

  report.py results.jsonl   one Markdown table per scenario, targets and "met" beside them
  report.py --one           one result from stdin, as a short progress line
"""
import json
import sys

TARGETS = {
    "S1": "≥ 5,000 req/s and p99 ≤ 15 ms",
    "S2": "within 10% of S1's req/s",
    "P1": "none (a probe)",
    "N1": "S1's p99 ≤ 2× N1's (a total never makes a page wait)",
    "S3": "≥ 50% of S1's req/s",
    "S4": "p50 ≤ 20 ms",
    "S5": "≥ 2,000 req/s; statements per page fixed whatever its size",
    "S6": "≥ 1,000 purchases/s on PostgreSQL; balances exact",
    "S7": "≤ 2 s",
    "S8": "≤ 5 s each; peak RSS ≤ 500 MB",
    "V1": "≥ 3× PostGraphile's req/s and ≤ ⅓ of its p99",
    "V2": "≥ 3× PostGraphile's req/s and ≤ ⅓ of its p99",
    "B1": "≥ 60% of pgbench's pages/s",
}
TITLES = {
    "S1": "S1 GraphQL payer page (20 rows, teacher, student, totalCount), scale 1",
    "N1": "N1 S1 without totalCount, scale 1",
    "P1": "P1 S1 with 9 fields a row (id owner name teacher{id owner} student{id name nickname}), scale 1",
    "S2": "S2 the same page through GET /server/userinfo/payer_list/, scale 1",
    "S3": "S3 S1 at scale 10",
    "S4": "S4 GET /server/userinfo/payer_list/?kw= at scale 10",
    "S5": "S5 GET /api/order page (20 orders, every nested object), scale 1",
    "S6": "S6 purchases by 32 members at once (GET /market/exchange_products/purchase/2/), scale 1",
    "S7": "S7 whitelist import of 10,000 rows (POST /api/report/{id}/excel), scale 1",
    "S8": "S8 exports: merchants (GET /custommanage/list?export=1) and whitelist (GET /api/report/{id}/excel)",
    "V1": "V1 against PostGraphile 4: 20 paid users with teacher and student, no total (bench.d/peer/*-page.json), scale 1",
    "V2": "V2 against PostGraphile 4: V1 with totalCount (bench.d/peer/*-count.json), scale 1",
    "B1": "B1 against pgbench: the statements of V1's page, prepared (-M prepared), scale 1",
}


def rps(r):
    return r["requests"] / (r["duration_us"] / 1e6)


def ms(us, r):
    """A latency, or a dash when no request completed."""
    return f"{us / 1000:.1f} ms" if r["requests"] else "–"


def ok_rps(r):
    """Requests per second that succeeded (2xx/3xx)."""
    return (r["requests"] - r["err_status"]) / (r["duration_us"] / 1e6)


def errors(r):
    return sum(r[k] for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout"))


def met(r, s1):
    """(met?, why) of a result against its scenario's target; s1 is the same engine's S1."""
    sc = r["scenario"]
    if sc in ("S7", "S8"):
        ok = r["median_s"] <= (2 if sc == "S7" else 5)
        if sc == "S8":
            ok = ok and r["rss_kb"] <= 500 * 1024
        return ok
    if errors(r) or r["requests"] == 0:
        return False
    p50, p99 = r["p50_us"] / 1000, r["p99_us"] / 1000
    if sc == "S1":
        return rps(r) >= 5000 and p99 <= 15
    if sc == "N1":
        if s1 is None or not s1["requests"]:
            return None
        return s1["p99_us"] <= 2 * r["p99_us"]
    if sc in ("S2", "S3"):
        if s1 is None:
            return None
        return rps(r) >= (0.9 if sc == "S2" else 0.5) * rps(s1)
    if sc == "S4":
        return p50 <= 20
    if sc == "S5":
        sizes = [int(x.split(":")[1]) for x in r["notes"].split("page: ")[1].split(";")[0].split(", ")]
        return rps(r) >= 2000 and len(set(sizes)) == 1
    if sc == "S6":
        exact = "balances exact" in r.get("check", "")
        if r["engine"] == "postgres":
            return exact and ok_rps(r) >= 1000
        return exact
    return None


def verdict(m):
    return {True: "met", False: "**not met**", None: "n/a"}[m]


def size(b):
    return f"{b / 1e6:.1f} MB" if b >= 1e6 else f"{b / 1e3:.1f} kB"


def mb(kb):
    return f"{kb / 1024:.0f} MB"


def load_row(r, s1):
    n = r["requests"]
    stmts = f"{r['statements'] / n:.2f}" if n else "–"
    cpu_ms = f"{r['server_cpu_s'] * 1000 / n:.2f} ms" if n else "–"
    rate = rps(r)
    rate = f"{rate:,.0f}" if rate >= 100 else f"{rate:.1f}"
    extra = ""
    if s1 is not None and r["scenario"] in ("S2", "S3", "P1"):
        extra = f" ({rps(r) / rps(s1) * 100:.0f}% of S1)"
    return (
        f"| {r['engine']} | {rate}{extra} | {ms(r['p50_us'], r)} | "
        f"{ms(r['p99_us'], r)} | {stmts} | {mb(r['rss_kb'])} | {cpu_ms} | "
        f"{r['machine_busy'] * 100:.0f}% | {r['nproc']} | {r['pool']} | {errors(r)} | "
        f"{TARGETS[r['scenario']]} | {verdict(met(r, s1))} |"
    )


def timed_row(r):
    times = ", ".join(f"{t:.2f}" for t in r["times_s"])
    return (
        f"| {r['engine']} | {r['label']} | {r['median_s']:.2f} s ({times}) | "
        f"{size(r['bytes'])} | {r['statements'] / r['runs']:.0f} | {mb(r['rss_kb'])} | "
        f"{r['nproc']} | {r['pool']} | {TARGETS[r['scenario']]} | {verdict(met(r, None))} |"
    )


LOAD_HEAD = (
    "| database | req/s | p50 | p99 | SQL statements/req | server peak RSS | server CPU/req "
    "| machine CPU busy | cores | pool | errors | target | met |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
)
TIMED_HEAD = (
    "| database | request | median (3 runs) | answer | SQL statements/req | server peak RSS "
    "| cores | pool | target | met |\n"
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
)


PEER_HEAD = (
    "| round | opsgraph req/s | p50 | p99 | statements/req | CPU/req | PostGraphile req/s | p50 "
    "| p99 | CPU/req | req/s ratio | p99 ratio (theirs / ours) | target | met |\n"
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
)
PGBENCH_HEAD = (
    "| round | opsgraph req/s | p50 | p99 | statements/req | pgbench pages/s | statements/page "
    "| pgbench latency (mean) | share | target | met |\n"
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
)


def cpu_per_req(r):
    return f"{r['server_cpu_s'] * 1000 / r['requests']:.2f} ms" if r["requests"] else "–"


def rounds(rows, other):
    """Pairs (ours, theirs) of each round of a side-by-side scenario."""
    ours = {r["round"]: r for r in rows if r["server"] == "opsgraph"}
    theirs = {r["round"]: r for r in rows if r["server"] == other}
    return [(n, ours[n], theirs[n]) for n in sorted(ours) if n in theirs]


def peer_rows(rows):
    out = []
    for n, o, p in rounds(rows, "postgraphile"):
        ratio = rps(o) / rps(p) if p["requests"] else float("inf")
        p99 = p["p99_us"] / o["p99_us"] if o["p99_us"] else float("inf")
        ok = not errors(o) and not errors(p) and ratio >= 3 and p99 >= 3
        out.append(
            f"| {n} | {rps(o):,.0f} | {ms(o['p50_us'], o)} | {ms(o['p99_us'], o)} | "
            f"{o['statements'] / max(o['requests'], 1):.2f} | {cpu_per_req(o)} | {rps(p):,.0f} | "
            f"{ms(p['p50_us'], p)} | {ms(p['p99_us'], p)} | {cpu_per_req(p)} | {ratio:.2f}× | "
            f"{p99:.2f}× | {TARGETS[o['scenario']]} | {verdict(ok)} |"
        )
    return out


def pgbench_rows(rows):
    out = []
    for n, o, b in rounds(rows, "pgbench"):
        share = rps(o) / b["tps"]
        ok = not errors(o) and share >= 0.6
        out.append(
            f"| {n} | {rps(o):,.0f} | {ms(o['p50_us'], o)} | {ms(o['p99_us'], o)} | "
            f"{o['statements'] / max(o['requests'], 1):.2f} | {b['tps']:,.0f} | {b['statements']} | "
            f"{b['latency_avg_ms']:.1f} ms | {share * 100:.0f}% | {TARGETS['B1']} | {verdict(ok)} |"
        )
    return out


def table(results):
    out = []
    s1 = {r["engine"]: r for r in results if r["scenario"] == "S1"}
    for sc in sorted({r["scenario"] for r in results}):
        rows = [r for r in results if r["scenario"] == sc]
        out.append(f"### {TITLES[sc]}\n")
        if sc in ("V1", "V2"):
            out.append(PEER_HEAD)
            out.extend(peer_rows(rows))
        elif sc == "B1":
            out.append(PGBENCH_HEAD)
            out.extend(pgbench_rows(rows))
            rows = [r for r in rows if r["server"] == "opsgraph"][:1]
        elif sc in ("S7", "S8"):
            out.append(TIMED_HEAD)
            out.extend(timed_row(r) for r in rows)
        else:
            out.append(LOAD_HEAD)
            out.extend(load_row(r, s1.get(r["engine"])) for r in rows)
        if sc in ("V1", "V2"):
            rows = [r for r in rows if r["round"] == 1]
        notes = [f"- {r.get('server') if r.get('round') else r['engine']}: {r['notes']}" for r in rows if r.get("notes")]
        notes += [f"- {r['engine']}: {r['check']}" for r in rows if r.get("check")]
        if notes:
            out.append("")
            out.extend(notes)
        out.append("")
    return "\n".join(out)


def main():
    if sys.argv[1:] == ["--one"]:
        r = json.loads(sys.stdin.read())
        if "median_s" in r:
            print(f"   {r['engine']} {r['scenario']} {r['label']}: median {r['median_s']:.2f} s, "
                  f"peak RSS {mb(r['rss_kb'])}")
        else:
            server = f" {r['server']}" if r.get("round") else ""
            print(f"   {r['engine']} {r['scenario']}{server}: {rps(r):,.0f} req/s, p50 "
                  f"{r['p50_us'] / 1000:.1f} ms, p99 {r['p99_us'] / 1000:.1f} ms, "
                  f"{r['statements'] / max(r['requests'], 1):.2f} statements/req, "
                  f"{errors(r)} errors, peak RSS {mb(r['rss_kb'])}")
        return
    results = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    print(table(results))


if __name__ == "__main__":
    main()
