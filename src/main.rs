use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use mockcloud::core::config::{Cli, Command, LogFormat, ScenarioCommand, ServeArgs};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => serve(cli.serve),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Routes) => mockcloud::cli::routes(cli.serve),
        Some(Command::Health { url }) => mockcloud::cli::health(&url),
        Some(Command::Scenario { command: ScenarioCommand::Check { file } }) => mockcloud::cli::scenario_check(&file),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mockcloud: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Returns the guard that flushes buffered log lines when dropped (at the end of `serve`).
fn init_tracing(format: LogFormat) -> mockcloud::logging::FlushGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MOCKCLOUD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let (writer, guard) = mockcloud::logging::BufferedStdout::start();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_writer(writer);
    match format {
        LogFormat::Pretty => builder.compact().init(),
        LogFormat::Json => builder.json().init(),
    }
    guard
}

fn serve(args: ServeArgs) -> Result<(), String> {
    let _log_guard = init_tracing(args.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let server = mockcloud::start(args).await?;
        tracing::info!(addr = %server.addr, "mockcloud listening");
        shutdown_signal().await;
        tracing::info!("shutting down: finishing in-flight requests");
        server.shutdown().await
    })
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return ctrl_c.await.unwrap_or(()),
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await.unwrap_or(());
}
