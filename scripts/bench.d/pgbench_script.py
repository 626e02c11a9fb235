#!/usr/bin/env python3
"""A pgbench script of the statements in a slice of PostgreSQL's log (log_statement = all).

  pgbench_script.py LOG SCRIPT ARGS

Each statement becomes a line of SCRIPT, its $n parameters pgbench variables :s<i>p<n>, so that
`pgbench -M prepared` binds them as parameters, as the server's driver does; ARGS gets one
`s<i>p<n>=value` a line for pgbench's -D. A NULL parameter is written into the statement.
"""
import re
import sys


def main():
    log, script, args = sys.argv[1:]
    statements = []  # (sql, {n: value})
    for line in open(log, encoding="utf-8", errors="replace"):
        m = re.search(r"LOG:  (?:execute [^:]+|statement): (.*)$", line)
        if m:
            statements.append((m.group(1).rstrip(), {}))
            continue
        m = re.search(r"DETAIL:  parameters: (.*)$", line, re.IGNORECASE)
        if m and statements:
            for n, v in re.findall(r"\$(\d+) = (NULL|'(?:[^']|'')*')", m.group(1)):
                statements[-1][1][n] = None if v == "NULL" else v[1:-1].replace("''", "'")
    if not statements:
        sys.exit("no statement in PostgreSQL's log for the captured request")
    with open(script, "w") as out, open(args, "w") as argv:
        for i, (sql, params) in enumerate(statements, 1):
            def var(m, i=i, params=params):
                return "NULL" if params.get(m.group(1)) is None else f":s{i}p{m.group(1)}"

            out.write(re.sub(r"\$(\d+)\b", var, sql) + ";\n")
            for n, v in params.items():
                if v is not None:
                    argv.write(f"s{i}p{n}={v}\n")


if __name__ == "__main__":
    main()
