//! Human and machine renderings: judged claims as NDJSON and readable text (here), the findings report (`dossier`, `html`), the findings list (`listing`), and a finding's archived sightings and page (`sightings`, `finding_page`).

pub mod dossier;
pub mod finding_page;
pub mod html;
pub mod listing;
pub mod sightings;

use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::Serialize;

use crate::extract::Page;
use crate::fetch::Skip;
use crate::judge::Level;
use crate::patterns::ClaimKind;
use crate::pipeline::{PageStatus, Summary, VendorReport};
use crate::registry::Registry;
use crate::scan::{JudgedClaim, PageResult};

/// One claim as a JSON object (`"type": "claim"`), one per line in `--format json`.
#[derive(Debug, Serialize)]
pub struct ClaimRecord<'a> {
    #[serde(rename = "type")]
    pub kind_of_record: &'static str,
    pub source: &'a str,
    pub vendor: Option<&'a str>,
    pub label: &'a str,
    pub scheme: &'a str,
    pub kind: ClaimKind,
    /// Whose offer the claim is about: `own`, `third_party` or `generic`.
    pub subject: &'static str,
    /// The organisation a third-party or borrowed claim names.
    pub subject_name: Option<&'a str>,
    pub verdict: Level,
    pub reason: &'a str,
    pub matched: &'a str,
    pub context: &'a str,
    pub location: &'static str,
    pub detail: &'a str,
    pub rule: Option<&'a str>,
    /// What the sentence showed about who it is about and how it is said.
    pub cues: &'a crate::detect::Cues,
    pub at: NaiveDate,
    pub registry_as_of: NaiveDate,
    pub registry_sha256: &'a str,
}

impl<'a> ClaimRecord<'a> {
    pub fn new(
        source: &'a str,
        vendor: Option<&'a str>,
        c: &'a JudgedClaim,
        at: NaiveDate,
        registry: &'a Registry,
    ) -> Self {
        ClaimRecord {
            kind_of_record: "claim",
            source,
            vendor,
            label: &c.claim.label,
            scheme: &c.claim.scheme,
            kind: c.claim.kind,
            subject: c.claim.subject.as_str(),
            subject_name: c.claim.subject_name.as_deref(),
            verdict: c.verdict.level,
            reason: &c.verdict.reason,
            matched: &c.claim.matched,
            context: &c.claim.context,
            location: c.claim.location.as_str(),
            detail: &c.claim.detail,
            rule: c.claim.rule.as_deref(),
            cues: &c.claim.cues,
            at,
            registry_as_of: registry.as_of,
            registry_sha256: &registry.sha256,
        }
    }
}

/// One scanned page as a JSON object (`"type": "page"`): whether it could be checked, and how it was read.
#[derive(Debug, Serialize)]
pub struct PageLine<'a> {
    #[serde(rename = "type")]
    pub kind_of_record: &'static str,
    pub source: &'a str,
    pub vendor: Option<&'a str>,
    /// `checked` or `failed`.
    pub status: &'static str,
    pub encoding: Option<&'static str>,
    pub claims: usize,
    pub error: Option<&'a str>,
    /// How a checked page had to be read (deep markup flattened…).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub notes: &'a [String],
}

impl<'a> PageLine<'a> {
    pub fn checked(source: &'a str, vendor: Option<&'a str>, page: &'a Page, claims: usize) -> Self {
        PageLine {
            kind_of_record: "page",
            source,
            vendor,
            status: "checked",
            encoding: Some(page.encoding),
            claims,
            error: None,
            notes: &page.notes,
        }
    }
    pub fn failed(source: &'a str, vendor: Option<&'a str>, error: &'a str) -> Self {
        PageLine {
            kind_of_record: "page",
            source,
            vendor,
            status: "failed",
            encoding: None,
            claims: 0,
            error: Some(error),
            notes: &[],
        }
    }
}

/// ANSI styling, only when writing to a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn paint(self, code: &str, s: &str) -> String {
        if self.color { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() }
    }
    fn level(self, level: Level) -> String {
        let label = format!("{:<10}", level.as_str().to_uppercase());
        let code = match level {
            Level::Violation => "1;31",
            Level::Warning => "1;33",
            Level::Unverified => "1;36",
            Level::Ok => "32",
        };
        self.paint(code, &label)
    }
}

/// Invisible and look-alike-prone characters shown as `<U+XXXX>`, so that evidence of an
/// evasion (a soft hyphen inside the word, a Cyrillic letter) is visible in a terminal.
pub fn reveal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let suspicious = matches!(c, '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{202A}'..='\u{202E}')
            || (c.is_alphabetic() && !c.is_ascii() && matches!(c as u32, 0x0370..=0x052F));
        if suspicious {
            let _ = write!(out, "<U+{:04X}>", c as u32);
        } else if c == '\n' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// The readable block for one page: a header line, then each claim with its verdict.
pub fn page_text(source: &str, vendor: Option<&str>, result: &PageResult, style: Style) -> String {
    let mut out = String::new();
    let page = &result.page;
    let vendor = vendor.map_or_else(|| "no vendor".to_string(), |v| format!("vendor {v}"));
    let _ = writeln!(
        out,
        "{} ({vendor}; {}; {} claim{})",
        style.paint("1", source),
        page.encoding,
        result.claims.len(),
        if result.claims.len() == 1 { "" } else { "s" }
    );
    for note in &page.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    for c in &result.claims {
        out.push_str(&claim_text(c, style));
    }
    out
}

/// The readable block for one claim: verdict, label, kind, where; the quote, its context, the
/// reason and the rule that classified it.
pub fn claim_text(c: &JudgedClaim, style: Style) -> String {
    let claim = &c.claim;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  {} {} {} in {} ({})",
        style.level(c.verdict.level),
        claim.label,
        claim.kind,
        claim.location.as_str(),
        claim.detail
    );
    let _ = writeln!(out, "    quote:   «\u{A0}{}\u{A0}»", reveal(&claim.matched));
    let _ = writeln!(out, "    context: {}", highlight(&claim.context, &claim.matched, style));
    let about = match (claim.subject, &claim.subject_name) {
        (crate::judge::Subject::Own, None) => "the vendor's own offer".to_string(),
        (crate::judge::Subject::Own, Some(n)) => format!("the vendor's own offer, borrowing from {n}"),
        (crate::judge::Subject::ThirdParty, Some(n)) => n.clone(),
        (crate::judge::Subject::ThirdParty, None) => "another organisation".to_string(),
        (crate::judge::Subject::Generic, _) => "nobody in particular".to_string(),
    };
    let _ = writeln!(out, "    about:   {about}");
    let _ = writeln!(out, "    reason:  {}", c.verdict.reason);
    if let Some(rule) = &claim.rule {
        let _ = writeln!(out, "    rule:    {rule}");
    }
    out
}

/// One vendor's summary as a JSON object (`"type": "summary"`), after its claims in `check --format json`.
#[derive(Debug, Serialize)]
pub struct SummaryRecord<'a> {
    #[serde(rename = "type")]
    pub kind_of_record: &'static str,
    pub vendor: &'a str,
    pub name: &'a str,
    #[serde(flatten)]
    pub counts: Summary,
    pub sitemaps_read: usize,
    pub links_out_of_scope: usize,
    pub pages_over_budget: usize,
    /// Origins not crawled at all this run, with why.
    pub not_crawled: Vec<NotCrawled<'a>>,
    /// Pages that could not be checked, with why.
    pub not_checked: Vec<NotChecked>,
    /// Pages checked with a note on how they were read.
    pub read_with_notes: Vec<ReadWithNote<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ReadWithNote<'a> {
    pub url: String,
    pub note: &'a str,
}

#[derive(Debug, Serialize)]
pub struct NotCrawled<'a> {
    pub origin: &'a str,
    pub why: &'a str,
}

#[derive(Debug, Serialize)]
pub struct NotChecked {
    pub url: String,
    pub status: &'static str,
    pub why: String,
}

impl<'a> SummaryRecord<'a> {
    pub fn new(r: &'a VendorReport) -> Self {
        SummaryRecord {
            kind_of_record: "summary",
            vendor: &r.vendor_id,
            name: &r.vendor_name,
            counts: r.summary(),
            sitemaps_read: r.sitemaps_read,
            links_out_of_scope: r.links_out_of_scope,
            pages_over_budget: r.pages_over_budget,
            not_crawled: r.not_crawled.iter().map(|(origin, why)| NotCrawled { origin, why }).collect(),
            not_checked: r
                .pages
                .iter()
                .filter_map(|p| {
                    p.status.why_not_checked().map(|why| NotChecked {
                        url: p.url.to_string(),
                        status: p.status.label(),
                        why,
                    })
                })
                .collect(),
            read_with_notes: r
                .pages
                .iter()
                .flat_map(|p| p.notes.iter().map(|note| ReadWithNote { url: p.url.to_string(), note }))
                .collect(),
        }
    }
}

/// The readable end-of-run block for one vendor: counts, what could not be checked, and every
/// claim that is not simply ok.
pub fn vendor_text(r: &VendorReport, style: Style) -> String {
    let s = r.summary();
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", style.paint("1", &r.vendor_id), r.vendor_name);
    let rendered = if s.pages_rendered > 0 { format!(", {} rendered", s.pages_rendered) } else { String::new() };
    let not_rendered =
        if s.pages_not_rendered > 0 { format!(", {} not rendered", s.pages_not_rendered) } else { String::new() };
    let _ = writeln!(
        out,
        "  pages: {} fetched ({} PDF{rendered}), {} not modified, {} skipped, {} failed, {} need JavaScript{not_rendered}",
        s.pages_fetched, s.pdfs_read, s.pages_not_modified, s.pages_skipped, s.pages_failed, s.pages_needing_javascript
    );
    let kinds: Vec<String> = s.claims.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let _ = writeln!(
        out,
        "  claims: {}; {} violation{}, {} warning{}, {} unverified",
        if kinds.is_empty() { "none".to_string() } else { kinds.join(", ") },
        s.violations,
        plural(s.violations),
        s.warnings,
        plural(s.warnings),
        s.unverified
    );
    for (origin, why) in &r.not_crawled {
        let _ = writeln!(out, "  not crawled: {origin}: {why}");
    }
    if r.nothing_checked() {
        let _ = writeln!(out, "  {}", style.paint("1;33", "NOT CHECKED: no page of this vendor could be read"));
    }
    for p in &r.pages {
        if let Some(why) = p.status.why_not_checked()
            && !matches!(p.status, PageStatus::Skipped(Skip::Budget))
        {
            let _ = writeln!(out, "  not checked: {} ({why})", p.url);
        }
        for note in &p.notes {
            let _ = writeln!(out, "  read with a note: {} ({note})", p.url);
        }
    }
    for p in &r.pages {
        let loud: Vec<&JudgedClaim> = p.claims.iter().filter(|c| c.verdict.level != Level::Ok).collect();
        if loud.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  {}", p.final_url);
        for c in loud {
            for line in claim_text(c, style).lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
    out
}

/// The context with the quoted text highlighted (on a terminal) or bracketed.
pub fn highlight(context: &str, matched: &str, style: Style) -> String {
    let matched = matched.replace('\n', " ");
    match context.find(&matched) {
        Some(i) => {
            let (a, rest) = context.split_at(i);
            let (m, b) = rest.split_at(matched.len());
            let m = if style.color { style.paint("1;4", &reveal(m)) } else { format!("[{}]", reveal(m)) };
            format!("{}{m}{}", reveal(a), reveal(b))
        }
        None => reveal(context),
    }
}

/// Counts by verdict for the closing summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub pages: usize,
    pub failed: usize,
    pub claims: usize,
    pub violations: usize,
    pub warnings: usize,
    pub unverified: usize,
}

impl Tally {
    pub fn add(&mut self, result: &PageResult) {
        self.pages += 1;
        self.claims += result.claims.len();
        for c in &result.claims {
            match c.verdict.level {
                Level::Violation => self.violations += 1,
                Level::Warning => self.warnings += 1,
                Level::Unverified => self.unverified += 1,
                Level::Ok => {}
            }
        }
    }

    pub fn text(&self) -> String {
        let failed = if self.failed > 0 { format!(", {} could not be read", self.failed) } else { String::new() };
        format!(
            "{} page{}{failed}; {} claim{}: {} violation{}, {} warning{}, {} unverified",
            self.pages,
            plural(self.pages),
            self.claims,
            plural(self.claims),
            self.violations,
            plural(self.violations),
            self.warnings,
            plural(self.warnings),
            self.unverified
        )
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_and_cyrillic_characters_are_revealed() {
        assert_eq!(reveal("Sec\u{AD}Num\u{200B}Cl\u{43E}ud"), "Sec<U+00AD>Num<U+200B>Cl<U+043E>ud");
        assert_eq!(reveal("qualifié « x »"), "qualifié « x »");
    }

    #[test]
    fn highlight_brackets_the_match_without_color() {
        let s = highlight("Offre qualifiée SecNumCloud 3.2.", "SecNumCloud 3.2", Style { color: false });
        assert_eq!(s, "Offre qualifiée [SecNumCloud 3.2].");
    }
}
