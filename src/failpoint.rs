//! Test-only crash points: `CLAIMWATCH_FAILPOINT=<name>` makes the process kill itself (SIGKILL) when it reaches that point.
//!
//! Crash consistency is tested by dying at the worst moments (after a commit, between an
//! outbox write and the send, after the mail server accepted and before the delete) and
//! checking that the next run loses nothing and sends nothing twice.

use std::sync::OnceLock;

static ARMED: OnceLock<Option<String>> = OnceLock::new();

/// Arms the failpoint named by `CLAIMWATCH_FAILPOINT`, if any (called once, by `main`).
pub fn arm_from_env() {
    let _ = ARMED.set(std::env::var("CLAIMWATCH_FAILPOINT").ok().filter(|s| !s.is_empty()));
}

/// Dies here, at once and without cleanup, if this failpoint is armed.
pub fn hit(name: &str) {
    if ARMED.get().and_then(|a| a.as_deref()) == Some(name) {
        eprintln!("claimwatch: failpoint {name} reached, killing the process");
        // SAFETY: raise() only sends a signal to this very process.
        unsafe {
            libc::raise(libc::SIGKILL);
        }
    }
}
