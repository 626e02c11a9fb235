//! `opsgraph-seed`: the benchmark's data generator, apart from the server. It seeds a database
//! with the benchmark data (`--bench --scale N`, the demo data first when missing) or writes the
//! whitelist sheet the benchmark imports (`--import-sheet FILE`). Database and other settings are
//! the server's own (`--database-url` or `DATABASE_URL`, …), read by the same [`Config`].

mod bench;
mod words;

use clap::Parser;
use opsgraph::config::Config;

/// Seeding allocates many small values (rows, strings), as the server does: the same allocator
/// keeps seeding times comparable with those BENCHMARKS.md recorded under `opsgraph seed`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "opsgraph-seed", version, about)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(flatten)]
    args: bench::SeedArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // As the server logs: JSON lines under `OPSGRAPH_LOG_FORMAT=json`, else text.
    opsgraph::ops::init_logging(&cli.config.log_format);
    bench::run(&cli.config, cli.args).await
}
