//! /healthz and /metrics (Prometheus text format) for the daemon.

use std::fmt::Write as _;
use std::net::SocketAddr;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;

use super::state::{DaemonState, SharedState};

/// Starts serving on `addr` (the bind happens now, so a busy port is an error at start).
pub(super) async fn serve(addr: SocketAddr, state: SharedState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let health = state.clone();
    let app = axum::Router::new()
        .route(
            "/healthz",
            get(move || {
                let healthy = health.lock().expect("state lock").healthy();
                async move {
                    if healthy {
                        (StatusCode::OK, "ok\n")
                    } else {
                        (StatusCode::SERVICE_UNAVAILABLE, "last run failed\n")
                    }
                }
            }),
        )
        .route(
            "/metrics",
            get(move || {
                let text = metrics(&state.lock().expect("state lock"));
                async move { ([("content-type", "text/plain; version=0.0.4; charset=utf-8")], text).into_response() }
            }),
        );
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("health and metrics server stopped: {e}");
        }
    });
    Ok(())
}

/// A Prometheus label value: backslash, double quote and newline escaped.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn family(out: &mut String, name: &str, help: &str, kind: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// The metrics in the Prometheus text exposition format (written by hand: a dozen gauges do
/// not need a metrics registry).
pub fn metrics(s: &DaemonState) -> String {
    let m = &s.metrics;
    let mut out = String::new();
    family(&mut out, "claimwatch_up", "1 while the daemon runs.", "gauge");
    let _ = writeln!(out, "claimwatch_up 1");
    family(&mut out, "claimwatch_run_in_progress", "1 while a run is going.", "gauge");
    let _ = writeln!(out, "claimwatch_run_in_progress {}", u8::from(s.running));
    family(
        &mut out,
        "claimwatch_pages_fetched",
        "Pages fetched (or not modified) in the last run, by vendor.",
        "gauge",
    );
    for (v, n) in &m.pages_fetched {
        let _ = writeln!(out, "claimwatch_pages_fetched{{vendor=\"{}\"}} {n}", label(v));
    }
    family(&mut out, "claimwatch_pages_failed", "Pages that failed in the last run, by vendor.", "gauge");
    for (v, n) in &m.pages_failed {
        let _ = writeln!(out, "claimwatch_pages_failed{{vendor=\"{}\"}} {n}", label(v));
    }
    family(&mut out, "claimwatch_claims", "Claims found in the last run, by label and kind.", "gauge");
    for ((l, k), n) in &m.claims {
        let _ = writeln!(out, "claimwatch_claims{{label=\"{}\",kind=\"{}\"}} {n}", label(l), label(k));
    }
    family(&mut out, "claimwatch_open_findings", "Open findings, by verdict level.", "gauge");
    for level in ["warning", "violation"] {
        let _ = writeln!(
            out,
            "claimwatch_open_findings{{level=\"{level}\"}} {}",
            m.open_findings.get(level).copied().unwrap_or(0)
        );
    }
    family(&mut out, "claimwatch_outbox_size", "Alerts waiting to be delivered.", "gauge");
    let _ = writeln!(out, "claimwatch_outbox_size {}", m.outbox_size);
    family(&mut out, "claimwatch_dead_letters", "Alerts the mail server refused for good.", "gauge");
    let _ = writeln!(out, "claimwatch_dead_letters {}", m.dead_letters);
    family(&mut out, "claimwatch_runs_total", "Runs since the daemon started, by outcome.", "counter");
    for (o, n) in &m.runs {
        let _ = writeln!(out, "claimwatch_runs_total{{outcome=\"{}\"}} {n}", label(o));
    }
    family(
        &mut out,
        "claimwatch_skipped_ticks_total",
        "Scheduled runs skipped because a run was still going.",
        "counter",
    );
    let _ = writeln!(out, "claimwatch_skipped_ticks_total {}", m.skipped_ticks);
    family(
        &mut out,
        "claimwatch_last_success_timestamp_seconds",
        "End of the last completed run (Unix time).",
        "gauge",
    );
    if let Some(t) = s.last_success {
        let _ = writeln!(out, "claimwatch_last_success_timestamp_seconds {}", t.timestamp());
    }
    family(&mut out, "claimwatch_run_duration_seconds", "Duration of the last run.", "gauge");
    if let Some(d) = m.last_run_seconds {
        let _ = writeln!(out, "claimwatch_run_duration_seconds {d}");
    }
    out
}
