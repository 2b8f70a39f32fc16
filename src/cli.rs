//! The subcommands other than `serve`: `routes`, `health`, `scenario check`.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::core::config::ServeArgs;
use crate::core::Core;

/// `mockcloud routes`: every emulated route as `METHOD  PATTERN  OPERATION`.
pub fn routes(args: ServeArgs) -> Result<(), String> {
    let core = Core::build(args, crate::providers::all)?;
    for row in crate::core::admin::route_rows(&core) {
        println!(
            "{:<7} {:<80} {}",
            row["method"].as_str().unwrap_or(""),
            row["path"].as_str().unwrap_or(""),
            row["operation"].as_str().unwrap_or("")
        );
    }
    Ok(())
}

/// `mockcloud health --url URL`: exit 0 when the server at URL answers `GET /_mockcloud/health` with 200.
/// A plain blocking HTTP/1.1 exchange is enough for a health probe and keeps the binary free of an HTTP client.
pub fn health(url: &str) -> Result<(), String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url}: only http:// URLs are supported"))?;
    let (hostport, _) = rest.split_once('/').unwrap_or((rest, ""));
    let with_port = if hostport.contains(':') { hostport.to_string() } else { format!("{hostport}:80") };
    let addr = with_port
        .to_socket_addrs()
        .map_err(|e| format!("{hostport}: {e}"))?
        .next()
        .ok_or_else(|| format!("{hostport}: no address"))?;
    let timeout = Duration::from_secs(3);
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("{url}: {e}"))?;
    stream.set_read_timeout(Some(timeout)).ok();
    let req = format!("GET /_mockcloud/health HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    let mut resp = String::new();
    stream.read_to_string(&mut resp).map_err(|e| e.to_string())?;
    let status_ok = resp.starts_with("HTTP/1.1 200");
    if status_ok && resp.contains("\"status\":\"ok\"") {
        Ok(())
    } else {
        Err(format!("{url}: unhealthy answer: {}", resp.lines().next().unwrap_or("(nothing)")))
    }
}

/// `mockcloud scenario check FILE`: prints every problem with its JSON path; exit 1 when there is one.
pub fn scenario_check(file: &std::path::Path) -> Result<(), String> {
    let core =
        Core::build(ServeArgs::parse_args(["--clock", "virtual"]).map_err(|e| e.to_string())?, crate::providers::all)?;
    crate::core::scenario::Scenarios::check_file(&core, file)?;
    println!("{}: ok", file.display());
    Ok(())
}
