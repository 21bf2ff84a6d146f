//! Unit tests of digest rendering: the re-read section, its wording in both languages, and escaping.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};

use super::*;
use crate::extract::Location;
use crate::store::{FindingState, NowRead, Sighting};

fn finding(matched: &str) -> Finding {
    let t = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
    let sighting = Sighting {
        first_seen: t,
        last_seen: t,
        matched: matched.into(),
        context: format!("Notre offre {matched}."),
        location: Location::Text,
        detail: "body".into(),
        evidence: None,
    };
    Finding {
        id: "aaaaaaaaaaaa".into(),
        vendor: "v".into(),
        label: "secnumcloud".into(),
        scheme: "secnumcloud".into(),
        kind: ClaimKind::Assertion,
        quote: "secnumcloud".into(),
        state: FindingState::Resolved,
        level: Level::Violation,
        reason: "r".into(),
        reason_fr: "m".into(),
        first_seen: t,
        last_seen: t,
        resolved_at: Some(t),
        resolution: None,
        resolution_fr: None,
        reopened: 0,
        absent_runs: 0,
        pages: BTreeMap::from([("https://v.example/<a>".to_string(), sighting)]),
        registry_sha256: "x".into(),
        registry_as_of: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        ack: None,
        dossiers: Vec::new(),
    }
}

fn reread(f: Finding, now: Option<NowRead>, lang: Lang) -> OutboxEntry {
    OutboxEntry {
        id: "a-0001".into(),
        recipient: "a@x.example".into(),
        lang,
        change: Change::Reread { now, from: Some("old1".into()), to: "new2".into() },
        finding: f,
        created_at: Utc::now(),
        registry_as_of: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
    }
}

fn render(lang: Lang, entries: &[OutboxEntry]) -> Digest {
    let names = HashMap::from([("v".to_string(), "Nuage & Cie".to_string())]);
    let ctx = DigestContext {
        vendor_names: &names,
        from: "alerts@claimwatch.example",
        today: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        max_registry_age_days: 45,
        evidence_head: None,
    };
    digest("a@x.example", lang, entries, &ctx)
}

fn adjacent() -> NowRead {
    NowRead {
        kind: ClaimKind::Adjacent,
        level: Level::Warning,
        reason: "r".into(),
        reason_fr: "m".into(),
        finding: Some("bbbbbbbbbbbb".into()),
    }
}

#[test]
fn a_re_read_kind_change_is_one_was_now_line_under_its_own_french_heading() {
    let d = render(Lang::Fr, &[reread(finding("SecNumCloud"), Some(adjacent()), Lang::Fr)]);
    assert_eq!(d.subject, "[claimwatch] 1 constat relu — Nuage & Cie");
    assert_eq!(d.text.matches("--- Constats relus selon de nouvelles règles de lecture ---").count(), 1);
    assert!(d.text.contains(&format!("(version de lecture old1 → new2){NBSP}: ces constats")), "{}", d.text);
    assert!(
        d.text.contains(&format!(
            "«{NBSP}SecNumCloud{NBSP}» — Nuage & Cie, secnumcloud{NBSP}: était affirmation (MANQUEMENT), désormais formulation qui emprunte le label (AVERTISSEMENT)"
        )),
        "{}",
        d.text
    );
    assert!(d.text.contains("Constat n° aaaaaaaaaaaa → bbbbbbbbbbbb"), "{}", d.text);
    assert!(!d.text.contains("nouveau") && !d.text.contains("résolu"), "{}", d.text);
}

#[test]
fn a_claim_no_longer_read_says_so_in_english() {
    let d = render(Lang::En, &[reread(finding("SecNumCloud"), None, Lang::En)]);
    assert_eq!(d.subject, "[claimwatch] 1 finding read again — Nuage & Cie");
    assert!(d.text.contains("(reading version old1 → new2): these findings were read again"), "{}", d.text);
    assert!(
        d.text
            .contains("“SecNumCloud” — Nuage & Cie, secnumcloud: was assertion (VIOLATION), no longer read as a claim"),
        "{}",
        d.text
    );
    let ok = NowRead { kind: ClaimKind::Mention, level: Level::Ok, finding: None, ..adjacent() };
    let d = render(Lang::En, &[reread(finding("SecNumCloud"), Some(ok), Lang::En)]);
    assert!(d.text.contains("was assertion (VIOLATION), now mention (acceptable)"), "{}", d.text);
    assert!(d.text.contains("Finding aaaaaaaaaaaa\n"), "no new finding to point at: {}", d.text);
}

#[test]
fn the_re_read_section_escapes_page_text_and_urls_in_html() {
    let d = render(Lang::Fr, &[reread(finding("<script>x()</script>"), Some(adjacent()), Lang::Fr)]);
    assert!(!d.html.contains("<script") && !d.html.contains("/<a>"), "{}", d.html);
    assert!(d.html.contains("&lt;script&gt;x()&lt;/script&gt;"), "{}", d.html);
    assert!(d.html.contains("<a href=\"https://v.example/&lt;a&gt;\">"), "{}", d.html);
    assert!(d.html.contains("Nuage &amp; Cie"), "{}", d.html);
    assert_eq!(d.html.matches("<h2>Constats relus selon de nouvelles règles de lecture</h2>").count(), 1);
}
