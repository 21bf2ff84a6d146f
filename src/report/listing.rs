//! The findings list for machines, as `claimwatch findings --format json|csv` prints it and the daemon's dashboard serves it: selection, NDJSON records and CSV rows.

use serde::Serialize;

use crate::store::{DeadLetter, Finding, FindingState};

/// Which findings a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Open,
    Resolved,
    All,
}

impl Which {
    /// `open`, `resolved` or `all`, as `--state` spells them.
    pub fn parse(s: &str) -> Option<Which> {
        match s {
            "open" => Some(Which::Open),
            "resolved" => Some(Which::Resolved),
            "all" => Some(Which::All),
            _ => None,
        }
    }

    fn admits(self, state: FindingState) -> bool {
        match self {
            Which::Open => state == FindingState::Open,
            Which::Resolved => state == FindingState::Resolved,
            Which::All => true,
        }
    }
}

/// The findings in `which` state (of `vendor`, if given), by vendor, then violations first,
/// then oldest first.
pub fn select<'a>(findings: &'a [Finding], which: Which, vendor: Option<&str>) -> Vec<&'a Finding> {
    let mut out: Vec<&Finding> =
        findings.iter().filter(|f| which.admits(f.state) && vendor.is_none_or(|v| f.vendor == v)).collect();
    out.sort_by(|a, b| (&a.vendor, b.level, a.first_seen).cmp(&(&b.vendor, a.level, b.first_seen)));
    out
}

#[derive(Serialize)]
struct FindingLine<'a> {
    #[serde(rename = "type")]
    kind_of_record: &'static str,
    #[serde(flatten)]
    finding: &'a Finding,
}

#[derive(Serialize)]
struct DeadLine<'a> {
    #[serde(rename = "type")]
    kind_of_record: &'static str,
    #[serde(flatten)]
    letter: &'a DeadLetter,
}

/// One JSON object a line: each finding (`"type": "finding"`), then each alert the mail server
/// refused for good (`"type": "dead_letter"`).
pub fn to_ndjson(findings: &[&Finding], dead: &[DeadLetter]) -> Result<String, serde_json::Error> {
    let mut out = String::new();
    for f in findings {
        out.push_str(&serde_json::to_string(&FindingLine { kind_of_record: "finding", finding: f })?);
        out.push('\n');
    }
    for d in dead {
        out.push_str(&serde_json::to_string(&DeadLine { kind_of_record: "dead_letter", letter: d })?);
        out.push('\n');
    }
    Ok(out)
}

/// The quote and context of a finding's latest sighting (the folded quote when it has none).
pub fn latest_quote(f: &Finding) -> (String, String) {
    f.pages
        .values()
        .max_by_key(|s| s.last_seen)
        .map_or_else(|| (f.quote.clone(), String::new()), |s| (s.matched.replace('\n', " "), s.context.clone()))
}

/// One row per finding, for spreadsheets.
pub fn to_csv(findings: &[&Finding]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "vendor",
        "state",
        "level",
        "label",
        "scheme",
        "kind",
        "quote",
        "context",
        "reason",
        "first_seen",
        "last_seen",
        "resolved_at",
        "resolution",
        "reopened",
        "pages",
        "page_urls",
        "acknowledged_by",
        "ack_reason",
        "ack_until",
    ])?;
    for f in findings {
        let state = match f.state {
            FindingState::Open => "open",
            FindingState::Resolved => "resolved",
        };
        let (quote, context) = latest_quote(f);
        let urls: Vec<&str> = f.pages.keys().map(String::as_str).collect();
        w.write_record([
            f.id.as_str(),
            &f.vendor,
            state,
            f.level.as_str(),
            &f.label,
            &f.scheme,
            f.kind.as_str(),
            &quote,
            &context,
            &f.reason,
            &f.first_seen.to_rfc3339(),
            &f.last_seen.to_rfc3339(),
            &f.resolved_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            f.resolution.as_deref().unwrap_or(""),
            &f.reopened.to_string(),
            &f.pages.len().to_string(),
            &urls.join(" "),
            f.ack.as_ref().map_or("", |a| a.by.as_str()),
            f.ack.as_ref().map_or("", |a| a.reason.as_str()),
            &f.ack.as_ref().and_then(|a| a.until).map(|d| d.to_string()).unwrap_or_default(),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("csv of strings is UTF-8"))
}
