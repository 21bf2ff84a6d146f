//! `claimwatch registry check`: what in a registry is likely out of date or mistyped — qualified past its end, in progress for too long, overlapping entries, entries without a source, an old snapshot.
//!
//! Pure: a registry and today's date in, problems out.

use chrono::NaiveDate;

use super::{Qualification, Registry, Status, provider_key};

/// One problem, at an entry's line (or a file's `as_of`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// 0: the file as a whole.
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

/// The limits a check goes by.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub today: NaiveDate,
    /// An in-progress entry older than this with no later entry is flagged.
    pub stale_in_progress_days: u32,
    /// A snapshot older than this is flagged.
    pub max_registry_age_days: u32,
}

/// Every problem of `registry`, in file and line order.
pub fn check(registry: &Registry, limits: Limits) -> Vec<Problem> {
    let mut out = Vec::new();
    let at = |q: &Qualification, message: String| Problem {
        file: registry
            .files
            .get(q.file)
            .map_or_else(|| registry.path.display().to_string(), |f| f.path.display().to_string()),
        line: q.line,
        message,
    };
    for file in &registry.files {
        let age = (limits.today - file.as_of).num_days();
        if age > i64::from(limits.max_registry_age_days) {
            out.push(Problem {
                file: file.path.display().to_string(),
                line: 0,
                message: format!(
                    "as_of {} is {age} days old, more than max_registry_age_days ({}): update it",
                    file.as_of, limits.max_registry_age_days
                ),
            });
        }
    }
    let same_service = |a: &Qualification, b: &Qualification| {
        provider_key(&a.provider) == provider_key(&b.provider)
            && provider_key(&a.offer) == provider_key(&b.offer)
            && a.scheme == b.scheme
    };
    for (i, q) in registry.qualifications.iter().enumerate() {
        if q.status.grants()
            && let Some(until) = q.until
            && until < limits.today
        {
            out.push(at(
                q,
                format!(
                    "still `{}` after its `until` ({until}): expired, or renewed without a new entry?",
                    q.status.as_str()
                ),
            ));
        }
        if q.status == Status::InProgress
            && let Some(since) = q.since
        {
            let days = (limits.today - since).num_days();
            let later =
                registry.qualifications.iter().any(|o| same_service(q, o) && o.since.is_some_and(|s| s > since));
            if days > i64::from(limits.stale_in_progress_days) && !later {
                out.push(at(
                    q,
                    format!(
                        "in progress since {since} ({days} days, more than stale_in_progress_days = {}) with no later entry",
                        limits.stale_in_progress_days
                    ),
                ));
            }
        }
        for other in &registry.qualifications[..i] {
            if same_service(q, other) && overlap(q, other) {
                out.push(at(
                    q,
                    format!(
                        "overlaps the entry at line {} ({} {} {}): same provider, offer and scheme",
                        other.line, other.provider, other.offer, other.scheme
                    ),
                ));
            }
        }
        if q.source.as_deref().is_none_or(|s| s.trim().is_empty()) {
            out.push(at(q, format!("no `source` for {} {}: say where this entry was read", q.provider, q.offer)));
        }
    }
    out.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    out
}

/// Whether two entries' periods share a day (a missing bound is open).
fn overlap(a: &Qualification, b: &Qualification) -> bool {
    let starts = a.since.unwrap_or(NaiveDate::MIN).max(b.since.unwrap_or(NaiveDate::MIN));
    let ends = a.until.unwrap_or(NaiveDate::MAX).min(b.until.unwrap_or(NaiveDate::MAX));
    starts <= ends
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn registry(entries: &str) -> Registry {
        let text = format!("as_of = 2026-01-01\nsource = \"test\"\nschemes = [\"secnumcloud\"]\n{entries}");
        Registry::from_bytes(Path::new("r.toml"), text.as_bytes()).unwrap()
    }

    fn limits() -> Limits {
        Limits {
            today: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            stale_in_progress_days: 540,
            max_registry_age_days: 45,
        }
    }

    #[test]
    fn each_kind_of_problem_is_found_at_its_line() {
        let r = registry(
            "[[qualification]]\nprovider = \"Nuvexa\"\noffer = \"IaaS\"\nscheme = \"secnumcloud\"\nstatus = \"qualified\"\nsince = 2023-01-01\nuntil = 2026-06-30\nsource = \"s\"\n\n\
             [[qualification]]\nprovider = \"Nuvexa\"\noffer = \"IaaS\"\nscheme = \"secnumcloud\"\nstatus = \"qualified\"\nsince = 2026-06-01\nsource = \"s\"\n\n\
             [[qualification]]\nprovider = \"Brumaire\"\noffer = \"PaaS\"\nscheme = \"secnumcloud\"\nstatus = \"in_progress\"\nsince = 2024-01-10\n",
        );
        let problems: Vec<String> = check(&r, limits()).iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 5, "{problems:#?}");
        assert!(problems[0].starts_with("r.toml: as_of 2026-01-01 is 333 days old"), "{problems:#?}");
        assert!(problems[1].starts_with("r.toml:4: still `qualified` after its `until` (2026-06-30)"), "{problems:#?}");
        assert!(problems[2].starts_with("r.toml:13: overlaps the entry at line 4"), "{problems:#?}");
        assert!(problems[3].starts_with("r.toml:21: in progress since 2024-01-10 (1055 days"), "{problems:#?}");
        assert!(problems[4].starts_with("r.toml:21: no `source` for Brumaire PaaS"), "{problems:#?}");
    }

    #[test]
    fn a_tidy_registry_has_no_problem() {
        let r = registry(
            "[[qualification]]\nprovider = \"Nuvexa\"\noffer = \"IaaS\"\nscheme = \"secnumcloud\"\nstatus = \"qualified\"\nsince = 2023-01-01\nuntil = 2027-06-30\nsource = \"s\"\n\n\
             [[qualification]]\nprovider = \"Brumaire\"\noffer = \"PaaS\"\nscheme = \"secnumcloud\"\nstatus = \"in_progress\"\nsince = 2026-01-10\nsource = \"s\"\n",
        );
        let l = Limits { today: NaiveDate::from_ymd_opt(2026, 1, 20).unwrap(), ..limits() };
        assert!(check(&r, l).is_empty(), "{:?}", check(&r, l));
    }
}
