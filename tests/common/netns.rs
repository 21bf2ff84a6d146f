//! Tests of the private-address guard that must see private addresses: the test binary re-executed inside a user, network and mount namespace of its own, where only `lo` exists.
//!
//! Inside, 1.2.3.4 (public to the guard), 10.0.0.1 and 169.254.169.254 are on `lo`, and an
//! /etc/hosts names `intranet.test` and `metadata.test`. There is no other interface, so even a
//! broken guard cannot send a packet out.

use std::process::Command;

use super::Scratch;

/// Set in the environment of the re-executed test binary inside the namespace.
pub const IN_NETNS: &str = "CLAIMWATCH_TEST_IN_NETNS";

/// Runs the ignored test `inner` of this binary inside the namespace and asserts that it passed.
/// Returns false when `unshare -rnm` does not work here (no user namespaces): skipped, which
/// `CI=true` refuses.
pub fn run_inside(inner: &str) -> bool {
    if !Command::new("unshare").args(["-rnm", "true"]).status().is_ok_and(|s| s.success()) {
        let msg = format!("skipped: {inner} (needs unshare -rnm: user namespaces)");
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}, and CI=true requires it");
        eprintln!("{msg}");
        return false;
    }
    let scratch = Scratch::new();
    let hosts = scratch.write("hosts", "127.0.0.1 localhost\n10.0.0.1 intranet.test\n169.254.169.254 metadata.test\n");
    let setup = format!(
        "set -e; ip link set lo up; ip addr add 1.2.3.4/32 dev lo; ip addr add 10.0.0.1/32 dev lo; \
         ip addr add 169.254.169.254/32 dev lo; mount --bind {} /etc/hosts; exec \"$0\" \"$@\"",
        hosts.display()
    );
    let out = Command::new("unshare")
        .args(["-rnm", "sh", "-c", &setup])
        .arg(std::env::current_exe().unwrap())
        .args(["--exact", inner, "--ignored", "--nocapture", "--test-threads=1"])
        .env(IN_NETNS, "1")
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&format!("test {inner} ... ok")), "the inner test ran: {text}");
    true
}

/// Asserts that the calling test runs inside the namespace, never on the host's network.
pub fn assert_inside() {
    assert!(std::env::var(IN_NETNS).is_ok(), "started by netns::run_inside, never on the host's network");
}
