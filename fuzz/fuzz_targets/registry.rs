//! Fuzz target: arbitrary bytes as a registry file; a registry that loads is queried for standings.
#![no_main]

use std::path::Path;

use chrono::NaiveDate;
use claimwatch::registry::{ProviderRef, Registry};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match Registry::from_bytes(Path::new("/fuzz/registry.toml"), data) {
        Ok(registry) => {
            let dates = [registry.as_of, NaiveDate::MIN, NaiveDate::MAX];
            for q in &registry.qualifications {
                let who = ProviderRef { name: q.provider.clone(), siren: q.siren.clone() };
                for at in dates {
                    let standing = registry.standing(&who, &q.scheme, at);
                    let _ = claimwatch::judge::judge(claimwatch::patterns::ClaimKind::Assertion, &standing);
                }
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
