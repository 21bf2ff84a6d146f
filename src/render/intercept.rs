//! What claimwatch does with each request a rendering page makes: answer it with its own fetcher, answer it from the page it already fetched, or refuse it, and why.
//!
//! Pure: a paused request in, a decision out. The browser never fetches anything itself.

use url::Url;

/// Resource types never fetched for a page: they carry no text to read, and would cost the
/// site requests (images, fonts, media), hold connections open (WebSockets, event streams) or
/// send data (pings, reports).
const REFUSED_TYPES: &[&str] = &[
    "Image",
    "Media",
    "Font",
    "TextTrack",
    "WebSocket",
    "EventSource",
    "Ping",
    "CSPViolationReport",
    "Manifest",
    "SignedExchange",
    "Prefetch",
    "FedCM",
];

/// A request Chromium paused, as far as the decision needs it.
#[derive(Debug, Clone)]
pub struct Paused<'a> {
    pub url: &'a str,
    pub method: &'a str,
    pub resource_type: &'a str,
    /// Whether it comes from the tab's top frame (not an iframe, not a worker).
    pub top_frame: bool,
    /// The `Service-Worker: script` header: the browser fetching a service worker's script.
    pub service_worker: bool,
}

/// Why a request was refused (shown in the page's notes, counted per reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Kind(String),
    Method(String),
    ServiceWorker,
    OutOfScope,
    NotHttp,
    /// The top frame navigating away from the page being rendered: the target is offered to
    /// the crawl as a link instead.
    Navigation,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Kind(t) => write!(f, "{} not loaded", t.to_lowercase()),
            Refusal::Method(m) => write!(f, "{m} request refused: claimwatch only reads"),
            Refusal::ServiceWorker => write!(f, "service worker refused"),
            Refusal::OutOfScope => write!(f, "outside the vendor's hosts and render_hosts"),
            Refusal::NotHttp => write!(f, "not http(s)"),
            Refusal::Navigation => write!(f, "navigation away from the page, followed as a link"),
        }
    }
}

/// What to do with a paused request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The page itself: answered with the response the crawl already fetched.
    Document,
    /// A CORS preflight: answered here, since the request it clears is a GET that claimwatch
    /// fetches itself and whose real response headers the browser then checks.
    Preflight,
    /// Fetched by claimwatch's fetcher (robots, rates, the guard and caps apply there).
    Fetch(Url),
    Refuse(Refusal),
}

/// Decides one request of a tab rendering `page` (the URL the crawl fetched), whose document
/// was not yet served (`document_served`); `in_scope` says whether a URL is on the vendor's
/// hosts or its `render_hosts`.
pub fn decide(request: &Paused<'_>, page: &Url, document_served: bool, in_scope: &dyn Fn(&Url) -> bool) -> Decision {
    let Ok(url) = Url::parse(request.url) else { return Decision::Refuse(Refusal::NotHttp) };
    if !matches!(url.scheme(), "http" | "https") {
        return Decision::Refuse(Refusal::NotHttp);
    }
    if request.resource_type == "Preflight" || request.method == "OPTIONS" {
        return if in_scope(&url) { Decision::Preflight } else { Decision::Refuse(Refusal::OutOfScope) };
    }
    if request.method != "GET" && request.method != "HEAD" {
        return Decision::Refuse(Refusal::Method(request.method.to_string()));
    }
    if request.top_frame && request.resource_type == "Document" {
        let same = without_fragment(&url) == without_fragment(page);
        return if same && !document_served { Decision::Document } else { Decision::Refuse(Refusal::Navigation) };
    }
    if request.service_worker {
        return Decision::Refuse(Refusal::ServiceWorker);
    }
    if REFUSED_TYPES.contains(&request.resource_type) {
        return Decision::Refuse(Refusal::Kind(request.resource_type.to_string()));
    }
    if !in_scope(&url) {
        return Decision::Refuse(Refusal::OutOfScope);
    }
    Decision::Fetch(url)
}

fn without_fragment(url: &Url) -> Url {
    let mut u = url.clone();
    u.set_fragment(None);
    u
}

/// Response headers to hand the browser with a body claimwatch already decoded: the length and
/// codings of the wire no longer describe it.
pub fn forwarded_header(name: &str) -> bool {
    !matches!(
        name.to_ascii_lowercase().as_str(),
        "content-encoding" | "content-length" | "transfer-encoding" | "connection" | "keep-alive"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("https://www.nuvexa.example/offres").unwrap()
    }

    fn scope(u: &Url) -> bool {
        u.host_str().is_some_and(|h| h.ends_with("nuvexa.example") || h == "cdn.brumaire.example")
    }

    fn paused<'a>(url: &'a str, kind: &'a str) -> Paused<'a> {
        Paused { url, method: "GET", resource_type: kind, top_frame: false, service_worker: false }
    }

    #[test]
    fn the_page_is_served_from_the_crawl_once_and_other_navigations_become_links() {
        let doc = Paused { top_frame: true, ..paused("https://www.nuvexa.example/offres#top", "Document") };
        assert_eq!(decide(&doc, &page(), false, &scope), Decision::Document);
        assert_eq!(decide(&doc, &page(), true, &scope), Decision::Refuse(Refusal::Navigation));
        let away = Paused { top_frame: true, ..paused("https://www.nuvexa.example/fr/", "Document") };
        assert_eq!(decide(&away, &page(), false, &scope), Decision::Refuse(Refusal::Navigation));
        // An iframe's document is a subresource like any other.
        let frame = paused("https://www.nuvexa.example/widget", "Document");
        assert!(matches!(decide(&frame, &page(), true, &scope), Decision::Fetch(_)));
    }

    #[test]
    fn scripts_and_data_in_scope_are_fetched_and_the_rest_refused() {
        for (url, kind) in [
            ("https://www.nuvexa.example/app.js", "Script"),
            ("https://api.nuvexa.example/offers.json", "Fetch"),
            ("https://cdn.brumaire.example/lib.js", "Script"),
            ("https://www.nuvexa.example/site.css", "Stylesheet"),
        ] {
            assert!(matches!(decide(&paused(url, kind), &page(), true, &scope), Decision::Fetch(_)), "{url}");
        }
        let refused = |url, kind| decide(&paused(url, kind), &page(), true, &scope);
        assert_eq!(refused("https://tracker.example/t.js", "Script"), Decision::Refuse(Refusal::OutOfScope));
        assert_eq!(
            refused("https://www.nuvexa.example/logo.png", "Image"),
            Decision::Refuse(Refusal::Kind("Image".into()))
        );
        assert_eq!(
            refused("https://www.nuvexa.example/f.woff2", "Font"),
            Decision::Refuse(Refusal::Kind("Font".into()))
        );
        assert_eq!(refused("wss://www.nuvexa.example/live", "WebSocket"), Decision::Refuse(Refusal::NotHttp));
        assert_eq!(
            refused("https://www.nuvexa.example/live", "EventSource"),
            Decision::Refuse(Refusal::Kind("EventSource".into()))
        );
    }

    #[test]
    fn nothing_is_sent_but_reads() {
        let post = Paused { method: "POST", ..paused("https://api.nuvexa.example/graphql", "Fetch") };
        assert_eq!(decide(&post, &page(), true, &scope), Decision::Refuse(Refusal::Method("POST".into())));
        let sw = Paused { service_worker: true, ..paused("https://www.nuvexa.example/sw.js", "Other") };
        assert_eq!(decide(&sw, &page(), true, &scope), Decision::Refuse(Refusal::ServiceWorker));
        let preflight = Paused { method: "OPTIONS", ..paused("https://api.nuvexa.example/offers", "Preflight") };
        assert_eq!(decide(&preflight, &page(), true, &scope), Decision::Preflight);
        let far = Paused { method: "OPTIONS", ..paused("https://api.elsewhere.example/x", "Preflight") };
        assert_eq!(decide(&far, &page(), true, &scope), Decision::Refuse(Refusal::OutOfScope));
    }

    #[test]
    fn decoded_bodies_lose_their_wire_headers() {
        assert!(!forwarded_header("Content-Encoding"));
        assert!(!forwarded_header("content-length"));
        assert!(forwarded_header("Content-Type"));
        assert!(forwarded_header("Access-Control-Allow-Origin"));
    }
}
