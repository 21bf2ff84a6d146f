//! The daemon's HTTP listener: /healthz and /metrics (Prometheus text format), open; the dashboard (`/`, `/findings.json`, `/findings.csv`, `/findings/<id>`, `/findings/<id>/dossier.pdf`), read-only, from the snapshot in memory, behind the bearer token when one is set.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::dashboard::{Dashboard, Snapshot};
use super::state::{DaemonState, SharedState};
use crate::config::Lang;
use crate::report::listing::Which;

/// Who may see the findings pages: anyone, or the holders of the bearer token (kept as its
/// SHA-256, compared in constant time).
#[derive(Clone)]
pub(super) struct Access {
    token_sha256: Option<[u8; 32]>,
}

impl Access {
    pub(super) fn new(token: Option<&str>) -> Access {
        Access { token_sha256: token.map(|t| Sha256::digest(t.as_bytes()).into()) }
    }

    /// `None` when the request may go on; the 401 answer otherwise.
    fn refuse(&self, headers: &HeaderMap) -> Option<Response> {
        let expected = self.token_sha256.as_ref()?;
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        let challenge = match presented {
            Some(token) if same_digest(&Sha256::digest(token.as_bytes()).into(), expected) => return None,
            Some(_) => {
                tracing::warn!("dashboard request refused: wrong bearer token");
                "Bearer realm=\"claimwatch\", error=\"invalid_token\""
            }
            None => "Bearer realm=\"claimwatch\"",
        };
        Some(
            (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, challenge), (header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "this page needs the dashboard's token: Authorization: Bearer <token>\n",
            )
                .into_response(),
        )
    }
}

/// Equality of two digests in time independent of where they differ.
fn same_digest(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// What the dashboard's handlers share.
#[derive(Clone)]
struct Dash {
    dashboard: Dashboard,
    access: Access,
    /// Dossiers made on request, by finding and language, with the snapshot they were made
    /// from; the lock also makes them one at a time (each takes a browser).
    dossiers: Arc<tokio::sync::Mutex<MadeDossiers>>,
}

/// PDF dossiers by finding and language slot, with the snapshot time they were made from.
type MadeDossiers = HashMap<(String, usize), (DateTime<Utc>, Arc<Vec<u8>>)>;

/// Starts serving on `addr` (the bind happens now, so a busy port is an error at start).
pub(super) async fn serve(
    addr: SocketAddr,
    state: SharedState,
    dashboard: Dashboard,
    access: Access,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let health = state.clone();
    // `get` answers GET and HEAD (without the body); any other method on these paths is 405.
    let app = axum::Router::new()
        .route(
            "/healthz",
            get(move || {
                let why = health.lock().expect("state lock").unhealthy_because();
                async move {
                    match why {
                        None => (StatusCode::OK, "ok\n".to_string()),
                        Some(why) => (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")),
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
        )
        .route("/", get(|d: State<Dash>, uri: Uri, h: HeaderMap| async move { d.answer(&h, &uri, Page::Report) }))
        .route(
            "/findings.json",
            get(|d: State<Dash>, uri: Uri, h: HeaderMap| async move { d.answer(&h, &uri, Page::Json) }),
        )
        .route(
            "/findings.csv",
            get(|d: State<Dash>, uri: Uri, h: HeaderMap| async move { d.answer(&h, &uri, Page::Csv) }),
        )
        .route(
            "/findings/{id}",
            get(|d: State<Dash>, Path(id): Path<String>, uri: Uri, h: HeaderMap| async move {
                d.answer(&h, &uri, Page::Finding(id))
            }),
        )
        .route(
            "/findings/{id}/dossier.pdf",
            get(|d: State<Dash>, Path(id): Path<String>, uri: Uri, h: HeaderMap| async move {
                d.dossier(&h, &uri, &id).await
            }),
        )
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found\n") })
        .with_state(Dash { dashboard, access, dossiers: Arc::default() });
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("HTTP server stopped: {e}");
        }
    });
    Ok(())
}

/// A dashboard page.
enum Page {
    Report,
    Json,
    Csv,
    Finding(String),
}

/// What the query string asks for: `lang=fr|en`, and for the lists `state=open|resolved|all`
/// (default open, as `claimwatch findings`) and `vendor=<id>`.
struct Query {
    lang: Lang,
    which: Which,
    vendor: Option<String>,
}

impl Query {
    fn parse(query: Option<&str>) -> Result<Query, String> {
        let mut q = Query { lang: Lang::Fr, which: Which::Open, vendor: None };
        for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "lang" => {
                    q.lang = match v.as_ref() {
                        "fr" => Lang::Fr,
                        "en" => Lang::En,
                        _ => return Err("lang must be fr or en".into()),
                    }
                }
                "state" => q.which = Which::parse(&v).ok_or("state must be open, resolved or all")?,
                "vendor" => q.vendor = Some(v.into_owned()),
                _ => {}
            }
        }
        Ok(q)
    }
}

/// The headers every dashboard answer carries: when its data is from, and no caching, framing,
/// sniffing, script or referrer.
fn page_response(snapshot_at: DateTime<Utc>, content_type: &'static str, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    let h = r.headers_mut();
    let stamp = snapshot_at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    for (name, value) in [
        (header::CONTENT_TYPE, content_type.to_string()),
        (header::LAST_MODIFIED, stamp),
        (header::CACHE_CONTROL, "no-store".into()),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
        (header::REFERRER_POLICY, "no-referrer".into()),
        (header::X_FRAME_OPTIONS, "DENY".into()),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
                .into(),
        ),
    ] {
        if let Ok(v) = header::HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    r
}

fn plain(status: StatusCode, text: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{text}\n")).into_response()
}

impl Dash {
    /// What every findings page checks first: the token, the query, a snapshot to answer from.
    fn admit(&self, headers: &HeaderMap, uri: &Uri) -> Result<(Query, std::sync::Arc<Snapshot>), Box<Response>> {
        if let Some(refused) = self.access.refuse(headers) {
            return Err(Box::new(refused));
        }
        let q = Query::parse(uri.query()).map_err(|why| Box::new(plain(StatusCode::BAD_REQUEST, &why)))?;
        let Some(snap) = self.dashboard.current() else {
            let mut r = plain(StatusCode::SERVICE_UNAVAILABLE, "the dashboard is being prepared: try again shortly");
            r.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("30"));
            return Err(Box::new(r));
        };
        Ok((q, snap))
    }

    fn answer(&self, headers: &HeaderMap, uri: &Uri, page: Page) -> Response {
        match self.admit(headers, uri) {
            Ok((q, snap)) => render(&snap, &q, page),
            Err(refused) => *refused,
        }
    }

    /// A finding's dossier as a PDF, made from the snapshot's finding and the evidence archive
    /// by headless Chromium (503 when the browser is not available), kept until the next snapshot.
    async fn dossier(&self, headers: &HeaderMap, uri: &Uri, id: &str) -> Response {
        let (q, snap) = match self.admit(headers, uri) {
            Ok(admitted) => admitted,
            Err(refused) => return *refused,
        };
        let (Some(f), Some(setup)) = (snap.finding(id), snap.setup.as_ref()) else {
            return plain(StatusCode::NOT_FOUND, "no such finding");
        };
        let key = (f.id.clone(), usize::from(q.lang == Lang::En));
        let mut made = self.dossiers.lock().await;
        let pdf = match made.get(&key) {
            Some((at, pdf)) if *at == snap.taken_at => pdf.clone(),
            _ => {
                match crate::dossier::make::make(setup, f, q.lang, crate::dossier::make::Format::Pdf, Utc::now()).await
                {
                    Ok(m) => {
                        tracing::info!(finding = %f.id, sha256 = %m.sha256, "dossier made for the dashboard");
                        let pdf = Arc::new(m.bytes);
                        made.insert(key, (snap.taken_at, pdf.clone()));
                        pdf
                    }
                    Err(e) => return plain(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()),
                }
            }
        };
        let mut r = Response::new(Body::from(pdf.as_ref().clone()));
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/pdf"));
        h.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
        h.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
        if let Ok(v) = header::HeaderValue::from_str(&format!("inline; filename=\"dossier-{}.pdf\"", f.id)) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        r
    }
}

fn render(snap: &Snapshot, q: &Query, page: Page) -> Response {
    let at = snap.taken_at;
    let vendor = q.vendor.as_deref();
    match page {
        Page::Report => page_response(at, "text/html; charset=utf-8", snap.report(q.lang).to_string()),
        Page::Finding(id) => match snap.finding_page(&id, q.lang) {
            Some(html) => page_response(at, "text/html; charset=utf-8", html.to_string()),
            None => plain(StatusCode::NOT_FOUND, "no such finding"),
        },
        Page::Json => match snap.findings_json(q.which, vendor) {
            Ok(text) => page_response(at, "application/x-ndjson; charset=utf-8", text),
            Err(e) => plain(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        },
        Page::Csv => match snap.findings_csv(q.which, vendor) {
            Ok(text) => page_response(at, "text/csv; charset=utf-8", text),
            Err(e) => plain(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        },
    }
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
    family(&mut out, "claimwatch_canary_missed", "Canaries the last run missed, by canary (1 each).", "gauge");
    for name in m.canaries_missed.keys() {
        let _ = writeln!(out, "claimwatch_canary_missed{{canary=\"{}\"}} 1", label(name));
    }
    family(
        &mut out,
        "claimwatch_degraded_runs_total",
        "Runs that missed a canary, since the daemon started.",
        "counter",
    );
    let _ = writeln!(out, "claimwatch_degraded_runs_total {}", m.degraded_runs);
    family(
        &mut out,
        "claimwatch_provider_unmatched",
        "Vendors whose provider the registry does not list (1 each): a typo, or a provider the registry dropped.",
        "gauge",
    );
    for (vendor, provider) in &m.providers_unmatched {
        let _ = writeln!(
            out,
            "claimwatch_provider_unmatched{{vendor=\"{}\",provider=\"{}\"}} 1",
            label(vendor),
            label(provider)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_auth(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, value.parse().unwrap());
        h
    }

    #[test]
    fn only_the_right_bearer_token_passes() {
        let open = Access::new(None);
        assert!(open.refuse(&HeaderMap::new()).is_none(), "no token set: open");
        let guarded = Access::new(Some("s3cret"));
        assert!(guarded.refuse(&with_auth("Bearer s3cret")).is_none());
        assert!(guarded.refuse(&with_auth("bearer s3cret")).is_none(), "the scheme is case-insensitive");
        for wrong in ["Bearer s3cre", "Bearer s3crett", "Bearer S3CRET", "Basic s3cret", "s3cret", "Bearer"] {
            let r = guarded.refuse(&with_auth(wrong)).unwrap_or_else(|| panic!("{wrong} let through"));
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
            assert!(r.headers()[header::WWW_AUTHENTICATE].to_str().unwrap().starts_with("Bearer"));
        }
        assert!(guarded.refuse(&HeaderMap::new()).is_some());
    }

    #[test]
    fn digests_compare_whole() {
        let a = [7u8; 32];
        let mut b = a;
        assert!(same_digest(&a, &b));
        b[31] ^= 1;
        assert!(!same_digest(&a, &b));
        b = a;
        b[0] ^= 0x80;
        assert!(!same_digest(&a, &b));
    }

    #[test]
    fn the_query_names_a_language_a_state_and_a_vendor() {
        let q = Query::parse(Some("lang=en&state=all&vendor=s3ns&x=1")).unwrap();
        assert_eq!((q.lang, q.which, q.vendor.as_deref()), (Lang::En, Which::All, Some("s3ns")));
        let q = Query::parse(None).unwrap();
        assert_eq!((q.lang, q.which, q.vendor), (Lang::Fr, Which::Open, None), "as `claimwatch findings`");
        assert!(Query::parse(Some("lang=de")).is_err());
        assert!(Query::parse(Some("state=closed")).is_err());
    }
}
