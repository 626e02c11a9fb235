//! The process's own gauges for `/metrics`, under the names Prometheus's client libraries give
//! them (`process_cpu_seconds_total`, `process_resident_memory_bytes`, `process_open_fds`, …), so
//! stock dashboards read them; and what was built (`opsgraph_build_info`). Read from `/proc` on
//! each scrape: on a system without it the process lines are left out.

use std::fmt::Write;

/// Kernel clock ticks per second in `/proc/self/stat`: `USER_HZ`, 100 on every Linux ABI.
const TICKS_PER_SECOND: f64 = 100.0;

/// The commit built, when the build said (`OPSGRAPH_GIT_COMMIT`, as the Dockerfile passes it).
const COMMIT: &str = match option_env!("OPSGRAPH_GIT_COMMIT") {
    Some(commit) => commit,
    None => "unknown",
};

/// Appends the process gauges and the build info to `out`, in the Prometheus text format.
pub fn render(out: &mut String) {
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let _ = writeln!(out, "# TYPE opsgraph_build_info gauge");
    let _ = writeln!(
        out,
        "opsgraph_build_info{{version=\"{}\",commit=\"{COMMIT}\",profile=\"{profile}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    for (name, kind, value) in gauges() {
        let _ = writeln!(out, "# TYPE {name} {kind}");
        let _ = writeln!(out, "{name} {value}");
    }
}

/// (name, type, value) of each process gauge that could be read.
fn gauges() -> Vec<(&'static str, &'static str, f64)> {
    let mut all = Vec::new();
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // Numbered as in proc(5), whose field 3 is the first after the name.
    let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<f64>().ok());
    if let (Some(user), Some(system)) = (field(14), field(15)) {
        all.push((
            "process_cpu_seconds_total",
            "counter",
            (user + system) / TICKS_PER_SECOND,
        ));
    }
    if let Some(threads) = field(20) {
        all.push(("process_threads", "gauge", threads));
    }
    let boot = std::fs::read_to_string("/proc/stat").ok().and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("btime "))
            .and_then(|v| v.trim().parse::<f64>().ok())
    });
    if let (Some(boot), Some(start)) = (boot, field(22)) {
        all.push((
            "process_start_time_seconds",
            "gauge",
            boot + start / TICKS_PER_SECOND,
        ));
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kib| kib * 1024.0)
    };
    if let Some(rss) = kib("VmRSS:") {
        all.push(("process_resident_memory_bytes", "gauge", rss));
    }
    if let Some(size) = kib("VmSize:") {
        all.push(("process_virtual_memory_bytes", "gauge", size));
    }
    if let Ok(fds) = std::fs::read_dir("/proc/self/fd") {
        // The directory handle reading it is one of the entries.
        all.push((
            "process_open_fds",
            "gauge",
            fds.count().saturating_sub(1) as f64,
        ));
    }
    let max_fds = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            limits
                .lines()
                .find_map(|l| l.strip_prefix("Max open files"))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|soft| soft.parse::<f64>().ok())
        });
    if let Some(max) = max_fds {
        all.push(("process_max_fds", "gauge", max));
    }
    all
}
