//! The `opsgraph` command: `serve` (the default), `migrate`, `export-schema`,
//! `export-operations`, `export-openapi`, `healthcheck`, `staff`, `role`, `key` and
//! `create-admin`. The benchmark's data generator is a binary of its own, `opsgraph-seed`
//! (the `seed/` crate).

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use opsgraph::{
    accounts, app,
    auth::{service, sessions::check_new_password},
    config::Config,
    db, demo, graphql,
};

/// A request allocates and frees many small values (field results, JSON); glibc's allocator
/// spent a fifth of the server's time on them under load (BENCHMARKS.md), mimalloc far less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "opsgraph", version, about)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the HTTP server (the default). Migrations run first.
    Serve {
        /// Seeds, once, the demo data every curl example of the seeds uses
        /// (keys `admin123` and the member key, login admin / 123456).
        #[arg(long)]
        demo: bool,
    },
    /// Applies pending migrations and exits.
    Migrate {
        /// Lists every migration as `applied` or `pending` instead, changing nothing.
        #[arg(long)]
        status: bool,
    },
    /// Writes the GraphQL SDL.
    ExportSchema {
        /// Where to write it.
        #[arg(default_value = "schema.graphql")]
        path: PathBuf,
    },
    /// Writes every GraphQL document the REST layer runs, as a JSON array of
    /// `{name, document}` (CI validates them with graphql-js).
    ExportOperations {
        #[arg(default_value = "operations.json")]
        path: PathBuf,
    },
    /// Writes the REST layer's OpenAPI 3.1 document (also served at `/openapi.json`).
    ExportOpenapi {
        #[arg(default_value = "openapi.json")]
        path: PathBuf,
    },
    /// Asks the server at `--bind` for `/healthz`; exits 0 when it answers 200 (a container's
    /// `HEALTHCHECK`).
    Healthcheck,
    /// Staff accounts: create, list, set-role, disable, enable, reset-password.
    Staff {
        #[command(subcommand)]
        command: accounts::cli::StaffCommand,
    },
    /// Roles and their permission codes: create, list, grant, revoke.
    Role {
        #[command(subcommand)]
        command: accounts::cli::RoleCommand,
    },
    /// API keys: create (printed once), list, revoke.
    Key {
        #[command(subcommand)]
        command: accounts::cli::KeyCommand,
    },
    /// Creates a superuser staff account and prints a legacy API key for it: the first-start
    /// shortcut. The password (at least 8 characters, not the username) comes from
    /// `OPSGRAPH_ADMIN_PASSWORD`, else from a prompt or standard input.
    CreateAdmin {
        #[arg(long)]
        username: String,
        #[arg(long)]
        mobile: Option<String>,
        #[arg(long, default_value = "")]
        nickname: String,
    },
}

/// Where `create-admin` finds its password when set (else a prompt or standard input).
const ADMIN_PASSWORD_VAR: &str = "OPSGRAPH_ADMIN_PASSWORD";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    opsgraph::ops::init_logging(&cli.config.log_format);
    log_panics();
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Healthcheck => opsgraph::ops::probe_health(cli.config.bind).await,
        Command::Serve { demo: with_demo } => serve(cli.config, with_demo).await,
        Command::Migrate { status: false } => {
            db::connect(&cli.config).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Migrate { status: true } => {
            let migrations = db::migration_status(&cli.config).await?;
            let pending = migrations.iter().filter(|(_, applied)| !applied).count();
            for (name, applied) in &migrations {
                println!("{}  {name}", if *applied { "applied" } else { "pending" });
            }
            println!("{} applied, {pending} pending", migrations.len() - pending);
            Ok(())
        }
        Command::ExportSchema { path } => {
            std::fs::write(&path, graphql::sdl())?;
            tracing::info!(path = %path.display(), "schema written");
            Ok(())
        }
        Command::ExportOperations { path } => {
            let operations = opsgraph::rest::operation::catalogue()?;
            std::fs::write(&path, serde_json::to_vec_pretty(&operations)?)?;
            tracing::info!(path = %path.display(), "operations written");
            Ok(())
        }
        Command::ExportOpenapi { path } => {
            let document = opsgraph::rest::openapi::document();
            std::fs::write(&path, serde_json::to_vec_pretty(&document)?)?;
            tracing::info!(path = %path.display(), "OpenAPI document written");
            Ok(())
        }
        Command::Staff { command } => {
            accounts::cli::staff(&connect(&cli.config).await?, command).await
        }
        Command::Role { command } => {
            accounts::cli::role(&connect(&cli.config).await?, command).await
        }
        Command::Key { command } => accounts::cli::key(&connect(&cli.config).await?, command).await,
        Command::CreateAdmin {
            username,
            mobile,
            nickname,
        } => {
            // Never an argument: one shows in the process list and the shell's history.
            let password = match std::env::var(ADMIN_PASSWORD_VAR) {
                Ok(p) if !p.is_empty() => p,
                _ => accounts::cli::read_password(&format!("Password for {username}: "), true)?,
            };
            check_new_password("password", &username, &password)?;
            let (db, _) = db::connect(&cli.config).await?;
            let role = service::admin_role(&db).await?;
            let password_hash = opsgraph::auth::password::hash(password).await?;
            let staff = service::create_staff(
                &db,
                &username,
                password_hash,
                mobile.as_deref(),
                &nickname,
                role.id,
            )
            .await?;
            let key = service::create_api_key(&db, Some(staff.id), None).await?;
            println!("created admin {username} (id {}); API key: {key}", staff.id);
            Ok(())
        }
    }
}

/// The database, migrated, for a one-off command.
async fn connect(config: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
    Ok(db::connect(config).await?.0)
}

/// Panics go to the log (a JSON line under `OPSGRAPH_LOG_FORMAT=json`) instead of bare
/// standard error; one in a handler is logged inside its request's span, with its request id.
fn log_panics() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!(%location, panic = %opsgraph::error::redact(&message), "panic");
    }));
}

async fn serve(mut config: Config, with_demo: bool) -> anyhow::Result<()> {
    let bind = config.bind;
    if with_demo && config.qiniu_access_key.is_none() {
        // Signing works offline with any key pair; the demo's make its curls answer.
        tracing::warn!("demo: signing Qiniu tokens with the demo key pair");
        config.qiniu_access_key = Some(demo::QINIU_ACCESS_KEY.into());
        config.qiniu_secret_key = Some(demo::QINIU_SECRET_KEY.into());
    }
    if with_demo && config.cors_origins.is_none() {
        // An admin panel on its own development server (Vite's :5173, say) can call the demo.
        config.cors_origins = Some(opsgraph::config::CorsOrigins::Loopback);
    }
    let metrics_bind = config.metrics_bind;
    let (router, state) = app::build(config).await?;
    if with_demo {
        demo::seed(&state.core.db).await?;
        demo::seed_files(&state.core).await?;
    }
    let listener = tokio::net::TcpListener::bind(bind).await?;
    if let Some(metrics_bind) = metrics_bind {
        let metrics = tokio::net::TcpListener::bind(metrics_bind).await?;
        tracing::info!(%metrics_bind, "metrics served apart at /metrics");
        let router = app::metrics_router(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(metrics, router).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    tracing::info!(%bind, "opsgraph listening; GraphiQL at /graphiql");
    // The peer address feeds login throttling per address.
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM; requests in flight then complete.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
