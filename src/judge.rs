//! Claim kind × what the registry says the vendor holds → a verdict with its reason.
//!
//! Pure and total: every (kind, standing) pair has exactly one verdict. The date and the
//! registry are already folded into the [`Standing`], so the same inputs always give the same
//! verdict.

use std::fmt;

use serde::Serialize;

use crate::patterns::ClaimKind;
use crate::registry::Standing;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    /// The registry cannot say: reported, never alerted as a violation.
    Unverified,
    Warning,
    Violation,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Unverified => "unverified",
            Level::Warning => "warning",
            Level::Violation => "violation",
        }
    }

    /// Warnings and violations need someone's attention.
    pub fn needs_attention(self) -> bool {
        matches!(self, Level::Warning | Level::Violation)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub level: Level,
    pub reason: String,
}

fn verdict(level: Level, reason: impl Into<String>) -> Verdict {
    Verdict { level, reason: reason.into() }
}

/// The verdict on a claim of `kind` by a vendor whose registry standing is `standing`.
pub fn judge(kind: ClaimKind, standing: &Standing) -> Verdict {
    use ClaimKind::*;
    use Level::*;
    match kind {
        Mention => return verdict(Ok, "a mention of the label, not a claim"),
        Negation => return verdict(Ok, "says the label is not held"),
        Assertion | InProgress | Adjacent => {}
    }
    let held = match standing {
        Standing::NotCovered { scheme } => {
            return verdict(Unverified, format!("the registry does not cover the {scheme} scheme"));
        }
        Standing::Holds { provider, offers, until } => {
            let until = until.map_or(String::new(), |d| format!(", valid until {d}"));
            return verdict(Ok, format!("{provider} holds it for {}{until}", quote_list(offers)));
        }
        Standing::InProgress { provider, offers, since } => {
            let since = since.map_or(String::new(), |d| format!(" since {d}"));
            let what = format!("{provider} is only in progress{since} ({})", quote_list(offers));
            return match kind {
                Assertion => verdict(Violation, format!("{what}: it claims a qualification it does not hold")),
                InProgress => verdict(Ok, what),
                _ => verdict(Warning, format!("{what}; the wording borrows the label")),
            };
        }
        Standing::NoVendor => "no vendor given: judged as holding nothing".to_string(),
        Standing::NoProvider { vendor } => format!("vendor {vendor} has no registry provider: it holds nothing"),
        Standing::NoEntry { provider } => format!("no registry entry for provider {provider}"),
        Standing::Lapsed { why, .. } => why.clone(),
    };
    match kind {
        Assertion | InProgress => verdict(Violation, held),
        _ => verdict(Warning, format!("{held}; the wording borrows the label")),
    }
}

fn quote_list(items: &[String]) -> String {
    items.iter().map(|o| format!("«{o}»")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn holds() -> Standing {
        Standing::Holds { provider: "OVH".into(), offers: vec!["Bare Metal Pod".into()], until: Some(d("2028-03-24")) }
    }
    fn in_progress() -> Standing {
        Standing::InProgress {
            provider: "Bleu".into(),
            offers: vec!["IaaS/PaaS/CaaS".into()],
            since: Some(d("2025-04-17")),
        }
    }
    fn nothing() -> Vec<Standing> {
        vec![
            Standing::NoVendor,
            Standing::NoProvider { vendor: "clever".into() },
            Standing::NoEntry { provider: "Foo".into() },
            Standing::Lapsed { provider: "X".into(), why: "qualification of «Y» expired on 2024-01-31".into() },
        ]
    }

    #[test]
    fn the_verdict_table_of_the_issue_holds_cell_by_cell() {
        use ClaimKind::*;
        use Level::*;
        let table = [
            (Assertion, Ok, Violation, Violation),
            (InProgress, Ok, Ok, Violation),
            (Adjacent, Ok, Warning, Warning),
            (Mention, Ok, Ok, Ok),
            (Negation, Ok, Ok, Ok),
        ];
        for (kind, when_held, when_in_progress, when_nothing) in table {
            assert_eq!(judge(kind, &holds()).level, when_held, "{kind} held");
            assert_eq!(judge(kind, &in_progress()).level, when_in_progress, "{kind} in progress");
            for s in nothing() {
                assert_eq!(judge(kind, &s).level, when_nothing, "{kind} {s:?}");
            }
        }
    }

    #[test]
    fn uncovered_schemes_are_unverified_never_violations() {
        let s = Standing::NotCovered { scheme: "hds".into() };
        for kind in [ClaimKind::Assertion, ClaimKind::InProgress, ClaimKind::Adjacent] {
            let v = judge(kind, &s);
            assert_eq!(v.level, Level::Unverified);
            assert!(v.reason.contains("hds"));
        }
        assert_eq!(judge(ClaimKind::Mention, &s).level, Level::Ok);
    }

    #[test]
    fn reasons_say_which_case_applied() {
        let lapsed =
            Standing::Lapsed { provider: "X".into(), why: "qualification of «Y» expired on 2024-01-31".into() };
        assert_eq!(judge(ClaimKind::Assertion, &lapsed).reason, "qualification of «Y» expired on 2024-01-31");
        let none = Standing::NoEntry { provider: "Foo".into() };
        assert_eq!(judge(ClaimKind::Assertion, &none).reason, "no registry entry for provider Foo");
        assert!(judge(ClaimKind::Assertion, &in_progress()).reason.contains("only in progress since 2025-04-17"));
        assert!(judge(ClaimKind::Assertion, &holds()).reason.contains("valid until 2028-03-24"));
    }
}
