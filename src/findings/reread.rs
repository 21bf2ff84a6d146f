//! Re-reading: which of a vendor's finding changes come from new reading rules alone (the same bytes read again), so they are announced once as such instead of as resolutions and openings.
//!
//! Pure. A finding's change is the reading's doing only when nothing else can explain it: every
//! page whose stored claims carried it was fetched again with a byte-identical body, and the old
//! claims of those pages, judged against today's registry, still give the finding. A registry
//! change or an edited page keeps the ordinary lifecycle.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::config::Vendor;
use crate::detect::Claim;
use crate::i18n::{NBSP, NNBSP};
use crate::judge::Verdict;
use crate::patterns::ClaimKind;
use crate::scan::verdict;
use crate::store::{Finding, NowRead, PageState};

use super::{Context, id_of, quote_of};

/// The pages of one vendor read again this run under another reading version.
#[derive(Default)]
pub(super) struct Rereads {
    /// Pages fetched in full whose stored claims had been read with another version.
    pub pages: usize,
    /// Of those, the pages whose body is byte-identical to the stored one: the version and the
    /// claims of their old reading.
    same_bytes: HashMap<String, (Option<String>, Vec<Claim>)>,
    /// The stored claims of the other pages replaced this run (edited, gone, or read with the
    /// same version): a finding they carried did not leave through the reading alone.
    others: Vec<Claim>,
}

/// Why a finding that no longer needs attention is the reading's doing.
pub(super) struct Explained {
    pub from: Option<String>,
    pub now: Option<NowRead>,
}

impl Rereads {
    /// Notes a page fetched in full this run, given what the store had of it and the hash of
    /// its new body (`None`: no text to compare, an empty JavaScript shell).
    pub fn fetched(&mut self, reading: &str, previous: Option<PageState>, content_sha256: Option<&str>) {
        let Some(previous) = previous else { return };
        let read_otherwise = previous.reading.as_deref() != Some(reading);
        self.pages += usize::from(read_otherwise);
        if read_otherwise && previous.content_sha256.is_some() && previous.content_sha256.as_deref() == content_sha256 {
            self.same_bytes.insert(previous.url, (previous.reading, previous.claims));
        } else {
            self.others.extend(previous.claims);
        }
    }

    /// Notes a page found gone (404, 410) this run.
    pub fn gone(&mut self, previous: Option<PageState>) {
        self.others.extend(previous.into_iter().flat_map(|p| p.claims));
    }

    /// What the old and new readings of the unchanged pages say, judged with today's registry.
    pub fn judge(self, vendor: &Vendor, pages: &BTreeMap<String, PageState>, ctx: &Context<'_>) -> Judged {
        if self.same_bytes.is_empty() {
            return Judged::default();
        }
        let judge = |c: &Claim| verdict(c, ctx.registry, ctx.gazetteer, Some(vendor), ctx.at);
        let mut before = HashSet::new();
        let mut now: HashMap<(String, String), Vec<NewReading>> = HashMap::new();
        let mut from = HashMap::new();
        for (url, (reading, old_claims)) in self.same_bytes {
            for c in &old_claims {
                if judge(c).level.needs_attention() {
                    before.insert(id_of(&vendor.id, c));
                }
            }
            for c in pages.get(&url).map(|p| p.claims.as_slice()).unwrap_or_default() {
                let reading =
                    NewReading { url: url.clone(), kind: c.kind, verdict: judge(c), id: id_of(&vendor.id, c) };
                now.entry((c.label.clone(), quote_of(c))).or_default().push(reading);
            }
            from.insert(url, reading);
        }
        let elsewhere = self.others.iter().map(|c| id_of(&vendor.id, c)).collect();
        Judged { from, before, now, elsewhere }
    }
}

/// How the new reading reads some words on one page.
struct NewReading {
    url: String,
    kind: ClaimKind,
    verdict: Verdict,
    /// The finding they would be.
    id: String,
}

/// The old and new readings of the pages read again with the same bytes.
#[derive(Default)]
pub(super) struct Judged {
    /// Page → the version of its old reading.
    from: HashMap<String, Option<String>>,
    /// Findings the old reading gave on those pages, as judged today.
    before: HashSet<String>,
    /// (label, quote) → how the new reading reads it on those pages.
    now: HashMap<(String, String), Vec<NewReading>>,
    /// Findings the stored claims of the other replaced pages carried.
    elsewhere: HashSet<String>,
}

impl Judged {
    /// Whether `f`, open and no longer needing attention, is so because of the reading alone.
    pub fn explains(&self, f: &Finding) -> Option<Explained> {
        if !self.before.contains(&f.id) || self.elsewhere.contains(&f.id) {
            return None;
        }
        let on_its_pages = self.now.get(&(f.label.clone(), f.quote.clone())).into_iter().flatten();
        // The most severe reading of the same words on the same pages is what they now say.
        let now =
            on_its_pages.filter(|r| f.pages.contains_key(&r.url)).max_by_key(|r| (r.verdict.level, r.kind)).map(|r| {
                NowRead {
                    kind: r.kind,
                    level: r.verdict.level,
                    reason: r.verdict.reason.clone(),
                    reason_fr: r.verdict.reason_fr.clone(),
                    finding: r.verdict.level.needs_attention().then(|| r.id.clone()),
                }
            });
        let from = f.pages.keys().find_map(|u| self.from.get(u).cloned()).flatten();
        Some(Explained { from, now })
    }
}

/// The resolution of a finding the re-reading changed, in English and French.
pub(super) fn resolution(now: Option<&NowRead>, to: &str) -> (String, String) {
    let unchanged = format!("reading version {to}; the page did not change");
    let inchangee = format!("version de lecture {to}{NNBSP}; la page n'a pas changé");
    match now {
        None => (
            format!("no longer read as a claim under the new reading rules ({unchanged})"),
            format!("n'est plus lu comme une allégation selon les nouvelles règles de lecture ({inchangee})"),
        ),
        Some(n) => {
            let (level, kind) = (n.level.as_str(), n.kind.as_str());
            let (finding, constat) = match &n.finding {
                Some(id) => (format!(", finding {id}"), format!(", constat {id}")),
                None => (String::new(), String::new()),
            };
            (
                format!("read again under the new reading rules ({unchanged}): now read as {kind} ({level}){finding}"),
                format!(
                    "relu selon les nouvelles règles de lecture ({inchangee}){NBSP}: désormais lu comme {kind} ({level}){constat}"
                ),
            )
        }
    }
}
