//! Test-only crash points: `CLAIMWATCH_FAILPOINT=<number or name>` makes the process kill itself (SIGKILL) when it reaches that point.
//!
//! Crash consistency is tested by dying at the worst moments and checking that the next run
//! loses nothing and sends nothing twice (`tests/crash.rs`, `tests/soak.rs`). The numbers are
//! stable; tests and docs/crash-safety.md refer to them.
//!
//! | # | name                  | where the process dies                                                        |
//! |---|-----------------------|-------------------------------------------------------------------------------|
//! | 1 | `after-commit`        | the run record is committed, after every vendor's pages, findings and outbox entries (one sled transaction per vendor, so a vendor's "findings recorded" and "outbox written" are the same instant); nothing sent |
//! | 2 | `before-send`         | digests rendered, the SMTP transport built, before the first digest is sent    |
//! | 3 | `after-outbox-delete` | the first digest was accepted and its entries deleted, before the second is sent |
//! | 4 | `after-smtp-accept`   | the server accepted a digest (250 after DATA), before its entries are deleted  |
//! | 5 | `store-commit`        | inside the first vendor's commit transaction: its pages and findings staged, its outbox entries not yet; nothing of it applied |
//! | 6 | `evidence-unlogged`   | a page's WARC records are written and synced, its evidence-log entry is not    |
//! | 7 | `before-run-record`   | the crawl is over, every vendor's changes committed (evidence archived and logged), the run record not yet |
//!
//! A point that is reached several times in a run (2, 3, 4, 6) kills at its first passage.

use std::sync::OnceLock;

/// The numbered crash points, in the order of the table above.
pub const POINTS: [&str; 7] = [
    "after-commit",
    "before-send",
    "after-outbox-delete",
    "after-smtp-accept",
    "store-commit",
    "evidence-unlogged",
    "before-run-record",
];

static ARMED: OnceLock<Option<&'static str>> = OnceLock::new();

/// The name of crash point `n` (1-based), or of the point named `s`.
pub fn resolve(s: &str) -> Option<&'static str> {
    match s.parse::<usize>() {
        Ok(n) => n.checked_sub(1).and_then(|i| POINTS.get(i)).copied(),
        Err(_) => POINTS.iter().find(|p| **p == s).copied(),
    }
}

/// Arms the failpoint given by `CLAIMWATCH_FAILPOINT`, if any (called once, by `main`).
///
/// An unknown point stops the process (exit 2): a typo would otherwise make a crash test pass
/// without ever crashing.
pub fn arm_from_env() {
    let wanted = std::env::var("CLAIMWATCH_FAILPOINT").ok().filter(|s| !s.is_empty());
    let armed = wanted.as_deref().map(|w| {
        resolve(w).unwrap_or_else(|| {
            eprintln!("claimwatch: unknown failpoint {w:?} (known: 1-{} or {})", POINTS.len(), POINTS.join(", "));
            std::process::exit(2);
        })
    });
    let _ = ARMED.set(armed);
}

/// Dies here, at once and without cleanup, if this failpoint is armed.
pub fn hit(name: &str) {
    if ARMED.get().copied().flatten() == Some(name) {
        eprintln!("claimwatch: failpoint {name} reached, killing the process");
        // SAFETY: raise() only sends a signal to this very process.
        unsafe {
            libc::raise(libc::SIGKILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_resolve_to_the_same_point() {
        for (i, name) in POINTS.iter().enumerate() {
            assert_eq!(resolve(&(i + 1).to_string()), Some(*name));
            assert_eq!(resolve(name), Some(*name));
        }
        assert_eq!(resolve("0"), None);
        assert_eq!(resolve("8"), None);
        assert_eq!(resolve("nowhere"), None);
    }
}
