//! One WARC record through claimwatch's reading: response records only, HTTP parsed, body decoded, the byte prefilter first, then extract → detect → judge for HTML and PDF; each claim a row that points back at its record (file, member offset and length), its host, registrable domain and vendor.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use url::Url;

use super::reader::{RawRecord, decoded_body, parse_http_response};
use crate::config::{Setup, Vendor};
use crate::extract::{Location, mime};
use crate::judge::Level;
use crate::patterns::ClaimKind;
use crate::prefilter::Prefilter;
use crate::scan::{JudgedClaim, scan_page};

/// What `scan-warc` needs for every record.
pub struct ScanContext<'a> {
    pub setup: &'a Setup,
    pub prefilter: &'a Prefilter,
    /// Judge as of this date; each record's `WARC-Date` when `None`.
    pub at: Option<NaiveDate>,
    /// A body decoded past this is not read.
    pub max_body: u64,
}

/// Where a record is.
#[derive(Debug, Clone)]
pub struct Pointer<'a> {
    /// The file name (what Common Crawl's index calls `filename`, last path segment).
    pub file: &'a str,
    /// The path or URL as given.
    pub source: &'a str,
    pub offset: u64,
    pub length: u64,
}

/// What became of one record.
#[derive(Debug)]
pub enum Outcome {
    /// Not a `response` record (`request`, `metadata`, `revisit`, `warcinfo`…): its type.
    NotResponse(String),
    /// A response to something other than an http(s) URL (`dns:`, `ftp:`…).
    NotHttp,
    /// Not HTML nor PDF (its content type).
    OtherType(String),
    /// The prefilter showed it cannot hold a label.
    Prefiltered,
    /// Read: whether it was a PDF, its claims.
    Read { pdf: bool, claims: Vec<ClaimRow> },
    /// Broken: said, and the rest of the file is read.
    Broken(String),
}

/// One claim, as `scan-warc --format json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimRow {
    #[serde(rename = "type")]
    pub kind_of_record: &'static str,
    pub url: String,
    pub warc_file: String,
    pub warc_source: String,
    pub warc_offset: u64,
    pub warc_length: u64,
    pub warc_date: Option<DateTime<Utc>>,
    /// The record says the body was cut short (`WARC-Truncated`): the claim was read on what is there.
    pub truncated: bool,
    pub host: String,
    /// The registrable domain (public-suffix list), or the host when it has none.
    pub domain: String,
    /// A configured vendor whose hosts hold the page.
    pub vendor: Option<String>,
    /// The registry provider the vendor names, or whose `domains` hold the page.
    pub provider: Option<String>,
    pub label: String,
    pub label_name: String,
    pub scheme: String,
    pub kind: ClaimKind,
    pub subject: &'static str,
    pub level: Level,
    pub reason: String,
    pub matched: String,
    pub context: String,
    pub location: Location,
    pub detail: String,
    pub at: NaiveDate,
}

/// What a whole `scan-warc` invocation saw, printed last.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    #[serde(rename = "type")]
    pub kind_of_record: &'static str,
    pub files: u64,
    /// Files that could not be opened or read to the end.
    pub files_failed: u64,
    pub records: u64,
    pub responses: u64,
    pub html_parsed: u64,
    pub pdf_read: u64,
    pub prefilter_skipped: u64,
    /// Records left out, by why (`request`, `revisit`, `not http`, `type image/png`…).
    pub skipped: BTreeMap<String, u64>,
    pub truncated: u64,
    pub claims: BTreeMap<String, u64>,
    /// Claims by verdict.
    pub verdicts: BTreeMap<String, u64>,
    pub errors: u64,
    /// Uncompressed bytes of the records read (headers and blocks).
    pub bytes: u64,
}

impl Summary {
    pub fn new() -> Summary {
        Summary { kind_of_record: "summary", ..Summary::default() }
    }

    /// Counts what became of a record.
    pub fn add(&mut self, outcome: &Outcome) {
        self.records += 1;
        let mut skip = |why: String| *self.skipped.entry(why).or_insert(0) += 1;
        match outcome {
            Outcome::NotResponse(t) => skip(t.clone()),
            Outcome::NotHttp => {
                self.responses += 1;
                skip("not http".into());
            }
            Outcome::OtherType(t) => {
                self.responses += 1;
                skip(format!("type {t}"));
            }
            Outcome::Prefiltered => {
                self.responses += 1;
                self.prefilter_skipped += 1;
            }
            Outcome::Read { pdf, claims } => {
                self.responses += 1;
                if *pdf {
                    self.pdf_read += 1;
                } else {
                    self.html_parsed += 1;
                }
                if claims.first().is_some_and(|c| c.truncated) {
                    self.truncated += 1;
                }
                for c in claims {
                    *self.claims.entry(c.kind.as_str().to_string()).or_insert(0) += 1;
                    *self.verdicts.entry(c.level.as_str().to_string()).or_insert(0) += 1;
                }
            }
            Outcome::Broken(_) => self.errors += 1,
        }
    }

    /// Whether a claim needs attention (a warning or a violation).
    pub fn attention(&self) -> bool {
        self.verdicts.keys().any(|v| v == "warning" || v == "violation")
    }
}

/// Reads one record.
pub fn read_record(ctx: &ScanContext<'_>, at: &Pointer<'_>, rec: &RawRecord) -> Outcome {
    let kind = rec.warc_type().unwrap_or("(no type)").to_ascii_lowercase();
    if kind != "response" {
        return Outcome::NotResponse(kind);
    }
    let target = rec.header("WARC-Target-URI").unwrap_or("").trim().trim_matches(|c| c == '<' || c == '>');
    let Ok(url) = Url::parse(target) else { return Outcome::NotHttp };
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Outcome::NotHttp;
    }
    if rec.oversized {
        return Outcome::Broken(format!("record of {target} is larger than the block cap: not read"));
    }
    let response = match parse_http_response(&rec.block) {
        Ok(r) => r,
        Err(why) => return Outcome::Broken(format!("{target}: {why}")),
    };
    if !(200..300).contains(&response.status) {
        return Outcome::OtherType(format!("status {}", response.status));
    }
    let header = |n: &str| response.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.as_str());
    let content_type = header("content-type").map(str::to_string);
    let body = match decoded_body(&response, ctx.max_body) {
        Ok(b) => b,
        Err(why) => return Outcome::Broken(format!("{target}: {why}")),
    };
    let pdf = crate::pipeline::document::is_pdf_document(content_type.as_deref(), Some(&url), &body);
    if !pdf && !is_html(content_type.as_deref(), &body) {
        return Outcome::OtherType(content_type.as_deref().and_then(mime::essence).unwrap_or_else(|| "unknown".into()));
    }
    if !pdf && !ctx.prefilter.may_hold(&body, content_type.as_deref()) {
        return Outcome::Prefiltered;
    }
    let page = if pdf {
        match crate::pipeline::document::read_pdf(&body) {
            Ok(p) => p,
            Err(why) => return Outcome::Broken(format!("{target}: PDF not read: {why}")),
        }
    } else {
        crate::extract::extract(&body, content_type.as_deref())
    };
    let date = rec
        .header("WARC-Date")
        .and_then(|d| DateTime::parse_from_rfc3339(d.trim()).ok())
        .map(|d| d.with_timezone(&Utc));
    let judged_at = ctx.at.or(date.map(|d| d.date_naive())).unwrap_or(ctx.setup.registry.as_of);
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let domain = registrable_domain(&host);
    let configured = ctx.setup.config.vendor_for_url(&url);
    let provider = match configured {
        Some(v) => v.provider.clone(),
        None => ctx.setup.registry.provider_for_host(&host).map(str::to_string),
    };
    // A provider known only by its domains is judged as itself; a host nobody knows holds nothing.
    let stand_in = match (configured, &provider) {
        (None, Some(p)) => {
            Some(Vendor { provider: Some(p.clone()), ..Vendor::new(&crate::registry::provider_key(p), p) })
        }
        _ => None,
    };
    let vendor = configured.or(stand_in.as_ref());
    let truncated = rec.header("WARC-Truncated").is_some();
    let result = scan_page(page, &ctx.setup.knowledge(), vendor, Some(&url), judged_at);
    let claims = result
        .claims
        .iter()
        .map(|c| row(ctx, at, c, &url, date, truncated, &host, &domain, configured, provider.as_deref(), judged_at))
        .collect();
    Outcome::Read { pdf, claims }
}

#[allow(clippy::too_many_arguments)]
fn row(
    ctx: &ScanContext<'_>,
    at: &Pointer<'_>,
    c: &JudgedClaim,
    url: &Url,
    date: Option<DateTime<Utc>>,
    truncated: bool,
    host: &str,
    domain: &str,
    vendor: Option<&Vendor>,
    provider: Option<&str>,
    judged_at: NaiveDate,
) -> ClaimRow {
    let label_name = ctx.setup.patterns.label(&c.claim.label).map_or_else(|| c.claim.label.clone(), |l| l.name.clone());
    ClaimRow {
        kind_of_record: "claim",
        url: url.to_string(),
        warc_file: at.file.to_string(),
        warc_source: at.source.to_string(),
        warc_offset: at.offset,
        warc_length: at.length,
        warc_date: date,
        truncated,
        host: host.to_string(),
        domain: domain.to_string(),
        vendor: vendor.map(|v| v.id.clone()),
        provider: provider.map(str::to_string),
        label: c.claim.label.clone(),
        label_name,
        scheme: c.claim.scheme.clone(),
        kind: c.claim.kind,
        subject: c.claim.subject.as_str(),
        level: c.verdict.level,
        reason: c.verdict.reason.clone(),
        matched: c.claim.matched.clone(),
        context: c.claim.context.clone(),
        location: c.claim.location,
        detail: c.claim.detail.clone(),
        at: judged_at,
    }
}

/// Whether a body is HTML, as the crawler decides it; a generic type is sniffed as if there were
/// none, since archives keep what servers mislabel.
fn is_html(content_type: Option<&str>, body: &[u8]) -> bool {
    match content_type.and_then(mime::essence).as_deref() {
        Some("application/octet-stream" | "text/plain" | "unknown/unknown") => crate::fetch::is_html(None, body),
        _ => crate::fetch::is_html(content_type, body),
    }
}

/// The registrable domain of `host` by the public-suffix list; the host itself for an IP
/// address or a name under no known suffix.
pub fn registrable_domain(host: &str) -> String {
    if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
        return host.to_string();
    }
    psl::domain_str(host).unwrap_or(host).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable_domains_follow_the_public_suffix_list() {
        assert_eq!(registrable_domain("www.nuvexa.example.co.uk"), "example.co.uk");
        assert_eq!(registrable_domain("cloud.brumaire.fr"), "brumaire.fr");
        assert_eq!(registrable_domain("a.b.gouv.fr"), "b.gouv.fr");
        assert_eq!(registrable_domain("127.0.0.1"), "127.0.0.1");
    }

    #[test]
    fn html_is_told_by_type_or_by_sniffing_a_generic_type() {
        assert!(is_html(Some("text/html; charset=utf-8"), b""));
        assert!(is_html(None, b"<!DOCTYPE html><html>"));
        assert!(is_html(Some("application/octet-stream"), b"  <html lang=fr>"));
        assert!(!is_html(Some("image/png"), b"<html>"));
        assert!(!is_html(None, b"\x89PNG"));
    }
}
