//! The crawl frontier of one vendor: scope (hosts, include/exclude), depth and page budgets, canonical URLs so that each page is fetched once.
//!
//! Pure: URLs in, URLs out; fetching is the pipeline's job.

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

use regex::Regex;
use url::Url;

use crate::canon::{canonical, dedupe_key};
use crate::config::{Vendor, host_allowed};

/// Which URLs belong to a vendor's crawl.
#[derive(Debug, Clone)]
pub struct Scope {
    hosts: Vec<String>,
    include: Vec<Regex>,
    exclude: Vec<Regex>,
}

impl Scope {
    pub fn of(vendor: &Vendor) -> Scope {
        Scope {
            hosts: vendor.allowed_hosts.clone(),
            include: vendor.crawl.include.clone(),
            exclude: vendor.crawl.exclude.clone(),
        }
    }

    /// On one of the vendor's hosts (redirects may go anywhere there).
    pub fn on_site(&self, url: &Url) -> bool {
        matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| host_allowed(&self.hosts, h))
    }

    /// On the site and let through by the include/exclude patterns.
    pub fn wants(&self, url: &Url) -> bool {
        let s = url.as_str();
        self.on_site(url)
            && !self.exclude.iter().any(|r| r.is_match(s))
            && (self.include.is_empty() || self.include.iter().any(|r| r.is_match(s)))
    }
}

/// Links refused for the page budget are remembered (as hashes) up to this many, to count each
/// once; past it they are no longer counted.
const OVER_BUDGET_COUNTED: usize = 100_000;

/// What happened to a URL offered to the frontier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    Queued,
    AlreadySeen,
    OutOfScope,
    TooDeep,
    /// The queue already holds every page the page budget can still take.
    OverBudget,
}

/// Breadth-first frontier with budgets.
///
/// The queue never holds more than the page budget can still take: a link found once it is
/// full could never be fetched, and queueing it anyway would let a page of 100,000 links (or
/// a site of many such pages) fill memory and, when the run budget ends, the report.
#[derive(Debug)]
pub struct Frontier {
    scope: Scope,
    max_depth: u32,
    max_pages: usize,
    queue: VecDeque<(Url, u32)>,
    /// Pages fetched whatever the page budget (those that carry open findings).
    priority: VecDeque<(Url, u32)>,
    seen: HashSet<String>,
    /// Hashes of the distinct links refused for the page budget (see [`OVER_BUDGET_COUNTED`]).
    over_budget: HashSet<u64>,
    taken: usize,
    /// Links not followed because they left the scope.
    pub out_of_scope: usize,
    /// Links not followed because they were deeper than `max_depth`.
    pub too_deep: usize,
}

impl Frontier {
    pub fn new(vendor: &Vendor, max_depth: u32, max_pages: usize) -> Frontier {
        Frontier {
            scope: Scope::of(vendor),
            max_depth,
            max_pages,
            queue: VecDeque::new(),
            priority: VecDeque::new(),
            seen: HashSet::new(),
            over_budget: HashSet::new(),
            taken: 0,
            out_of_scope: 0,
            too_deep: 0,
        }
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Offers a URL found at `depth` (start URLs are depth 0; include patterns do not apply to
    /// them, since the user named them).
    pub fn offer(&mut self, url: &Url, depth: u32) -> Offer {
        let Some(url) = canonical(url) else {
            self.out_of_scope += 1;
            return Offer::OutOfScope;
        };
        let in_scope = if depth == 0 { self.scope.on_site(&url) } else { self.scope.wants(&url) };
        if !in_scope {
            self.out_of_scope += 1;
            return Offer::OutOfScope;
        }
        if depth > self.max_depth {
            self.too_deep += 1;
            return Offer::TooDeep;
        }
        let Some(key) = dedupe_key(&url) else { return Offer::OutOfScope };
        if self.seen.contains(&key) {
            return Offer::AlreadySeen;
        }
        if self.queue.len() + self.taken >= self.max_pages {
            if self.over_budget.len() < OVER_BUDGET_COUNTED {
                // A fixed hasher: the count must not depend on a random seed.
                self.over_budget.insert(BuildHasherDefault::<DefaultHasher>::default().hash_one(&key));
            }
            return Offer::OverBudget;
        }
        self.seen.insert(key);
        self.queue.push_back((url, depth));
        Offer::Queued
    }

    /// Queues a page to fetch whatever the page budget: a page that carries an open finding
    /// must be seen again for the finding to be kept or resolved.
    pub fn must_fetch(&mut self, url: &Url) {
        let Some(url) = canonical(url) else { return };
        if !self.scope.on_site(&url) {
            return;
        }
        let Some(key) = dedupe_key(&url) else { return };
        if self.seen.insert(key) {
            self.priority.push_back((url, 0));
        } else if let Some(i) = self.queue.iter().position(|(u, _)| dedupe_key(u) == dedupe_key(&url)) {
            // Already queued as an ordinary page: move it out of the budget's reach.
            if let Some(item) = self.queue.remove(i) {
                self.priority.push_back(item);
            }
        }
    }

    /// Marks a URL as seen without queueing it (a redirect target, fetched as part of another).
    pub fn mark_seen(&mut self, url: &Url) {
        if let Some(key) = canonical(url).and_then(|u| dedupe_key(&u)) {
            self.seen.insert(key);
        }
    }

    /// The next URL to fetch, while the page budget lasts.
    pub fn take_next(&mut self) -> Option<(Url, u32)> {
        if let Some(next) = self.priority.pop_front() {
            return Some(next);
        }
        if self.taken >= self.max_pages {
            return None;
        }
        let next = self.queue.pop_front()?;
        self.taken += 1;
        Some(next)
    }

    /// Pages found but not fetched because of the page budget: those still queued and the
    /// distinct links refused once the queue was full (counted up to 100,000).
    pub fn pending(&self) -> usize {
        self.queue.len() + self.over_budget.len()
    }

    pub fn taken(&self) -> usize {
        self.taken
    }

    /// Everything still queued, emptied (when the run budget ends the crawl).
    pub fn drain(&mut self) -> Vec<(Url, u32)> {
        self.priority.drain(..).chain(self.queue.drain(..)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vendor() -> Vendor {
        let mut v = Vendor::new("v", "V");
        v.allowed_hosts = vec!["www.example.fr".into(), "*.docs.example.fr".into()];
        v.crawl.exclude = vec![Regex::new(r"/private/").unwrap()];
        v
    }

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn a_page_is_queued_once_whatever_its_spelling() {
        let mut f = Frontier::new(&vendor(), 3, 100);
        assert_eq!(f.offer(&u("https://www.example.fr/offres/"), 1), Offer::Queued);
        assert_eq!(f.offer(&u("https://WWW.example.fr:443/offres#haut"), 1), Offer::AlreadySeen);
        assert_eq!(f.offer(&u("https://www.example.fr/offres?utm_source=x"), 1), Offer::AlreadySeen);
        assert_eq!(f.pending(), 1);
    }

    #[test]
    fn scope_follows_hosts_wildcards_and_excludes() {
        let mut f = Frontier::new(&vendor(), 3, 100);
        assert_eq!(f.offer(&u("https://api.docs.example.fr/x"), 1), Offer::Queued);
        assert_eq!(f.offer(&u("https://docs.example.fr/y"), 1), Offer::Queued);
        assert_eq!(f.offer(&u("https://example.fr/"), 1), Offer::OutOfScope);
        assert_eq!(f.offer(&u("https://www.example.fr/private/a"), 1), Offer::OutOfScope);
        assert_eq!(f.offer(&u("mailto:x@example.fr"), 1), Offer::OutOfScope);
        assert_eq!(f.out_of_scope, 3);
    }

    #[test]
    fn pages_that_must_be_fetched_are_outside_the_budget() {
        let mut f = Frontier::new(&vendor(), 3, 1);
        f.offer(&u("https://www.example.fr/a"), 1);
        f.offer(&u("https://www.example.fr/b"), 1);
        f.must_fetch(&u("https://www.example.fr/b"));
        f.must_fetch(&u("https://www.example.fr/old-claim"));
        let taken: Vec<String> = std::iter::from_fn(|| f.take_next()).map(|(u, _)| u.path().to_string()).collect();
        assert_eq!(taken, vec!["/b", "/old-claim", "/a"]);
    }

    #[test]
    fn depth_and_page_budgets_stop_the_crawl() {
        let mut f = Frontier::new(&vendor(), 1, 2);
        assert_eq!(f.offer(&u("https://www.example.fr/deep"), 2), Offer::TooDeep);
        for p in ["a", "b", "c"] {
            f.offer(&u(&format!("https://www.example.fr/{p}")), 1);
        }
        assert!(f.take_next().is_some());
        assert!(f.take_next().is_some());
        assert!(f.take_next().is_none(), "page budget of 2");
        assert_eq!(f.pending(), 1);
    }

    #[test]
    fn the_queue_never_outgrows_the_page_budget() {
        let mut f = Frontier::new(&vendor(), 3, 10);
        for i in 0..100_000 {
            f.offer(&u(&format!("https://www.example.fr/l{i}")), 1);
        }
        assert_eq!(f.queue.len(), 10);
        assert_eq!(f.seen.len(), 10, "refused links are not kept whole");
        assert_eq!(f.offer(&u("https://www.example.fr/l5"), 1), Offer::AlreadySeen);
        assert_eq!(f.offer(&u("https://www.example.fr/l50"), 1), Offer::OverBudget);
        assert_eq!(f.pending(), 100_000, "each link is counted once, the queued and the refused");
        // A page that carries an open finding is fetched even so.
        f.must_fetch(&u("https://www.example.fr/l99999"));
        assert_eq!(f.take_next().unwrap().0.path(), "/l99999");
        let taken = std::iter::from_fn(|| f.take_next()).count();
        assert_eq!(taken, 10);
    }
}
