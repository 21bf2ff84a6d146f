//! `claimwatch scan`: saved pages or URLs through extract, detect and judge.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use url::Url;

use super::{Format, exit, fetcher, is_url, load, text_style, today, unknown_vendor};
use std::sync::Arc;

use claimwatch::config::{RenderMode, Setup, Vendor};
use claimwatch::extract::Page;
use claimwatch::fetch::{Exchange, Fetcher, Outcome, Rate};
use claimwatch::pipeline::PageStatus;
use claimwatch::pipeline::document::{is_pdf_document, read_pdf};
use claimwatch::render::{After, PageToRender, Renderer};
use claimwatch::report::{ClaimRecord, PageLine, Tally, page_text};
use claimwatch::scan::scan_page;

pub async fn scan(
    config: &Path,
    vendor: Option<&str>,
    at: Option<NaiveDate>,
    format: Format,
    sources: &[String],
) -> Result<u8> {
    let setup = load(config)?;
    let at = today(at);
    let fixed: Option<&Vendor> = match vendor {
        None | Some("auto") => None,
        Some(id) => Some(setup.config.vendor(id).with_context(|| unknown_vendor(&setup, config, id))?),
    };
    let auto = vendor == Some("auto");
    let fetcher = if sources.iter().any(|s| is_url(s)) { Some(fetcher(&setup.config.crawl)?) } else { None };
    let style = text_style(format);
    let mut out = std::io::stdout().lock();
    let mut tally = Tally::default();
    let mut attention = false;
    // The browser, started for the first URL that needs it.
    let mut renderer: Option<Result<Renderer, String>> = None;
    for source in sources {
        let loaded = if is_url(source) {
            let fetcher = fetcher.as_ref().expect("a fetcher exists when a URL is given");
            fetch_for_scan(fetcher, &setup, source, fixed, auto).await.map(|(b, ex)| {
                let ct = ex.header("content-type").map(str::to_string);
                (b, ct, Some(ex))
            })
        } else {
            std::fs::read(source).map(|b| (b, None, None)).map_err(|e| format!("cannot read: {e}"))
        };
        let (bytes, content_type, exchange) = match loaded {
            Ok(l) => l,
            Err(why) => {
                fail(&mut out, format, &mut tally, source, &why)?;
                continue;
            }
        };
        let source_url = if is_url(source) { Some(Url::parse(source)?) } else { None };
        let pdf = is_pdf_document(content_type.as_deref(), source_url.as_ref(), &bytes);
        if pdf && auto && !is_url(source) {
            let why = "a PDF file has no canonical URL to tell its vendor: name it with --vendor";
            fail(&mut out, format, &mut tally, source, why)?;
            continue;
        }
        let page = if pdf {
            match read_pdf(&bytes) {
                Ok(page) => page,
                Err(why) => {
                    fail(&mut out, format, &mut tally, source, &format!("not checked: {why}"))?;
                    continue;
                }
            }
        } else {
            claimwatch::extract::extract(&bytes, content_type.as_deref())
        };
        if let Some(why) = &page.parse_limit {
            fail(&mut out, format, &mut tally, source, why)?;
            continue;
        }
        let vendor = if auto {
            let url = if is_url(source) {
                Url::parse(source).ok()
            } else {
                page.canonical_url.as_deref().and_then(|u| Url::parse(u).ok())
            };
            match url.as_ref().and_then(|u| setup.config.vendor_for_url(u)) {
                Some(v) => Some(v),
                None => {
                    let why = "cannot tell which vendor this page belongs to (its URL is on no configured \
                               vendor's hosts); name it with --vendor";
                    fail(&mut out, format, &mut tally, source, why)?;
                    continue;
                }
            }
        } else {
            fixed
        };
        let source_url = if is_url(source) { Url::parse(source).ok() } else { None };
        let mode = if setup.config.render.enabled {
            vendor.map_or(RenderMode::Shell, |v| v.render)
        } else {
            RenderMode::Never
        };
        let render = !pdf
            && match mode {
                RenderMode::Always => true,
                RenderMode::Shell => page.needs_javascript(),
                RenderMode::Never => false,
            };
        let page = match (render, exchange, &source_url, fetcher.as_ref()) {
            (true, Some(exchange), Some(url), Some(fetcher)) => {
                let renderer = match renderer.get_or_insert(
                    Renderer::start(&setup.config.render, fetcher.clone()).await.map_err(|e| e.to_string()),
                ) {
                    Ok(r) => r,
                    Err(why) => {
                        fail(&mut out, format, &mut tally, source, &format!("not checked: not rendered: {why}"))?;
                        continue;
                    }
                };
                match rendered(renderer, url, exchange, bytes, vendor, setup.config.render.page_timeout).await {
                    Ok(page) => page,
                    Err(why) => {
                        fail(&mut out, format, &mut tally, source, &format!("not checked: not rendered: {why}"))?;
                        continue;
                    }
                }
            }
            _ if page.needs_javascript() => {
                let how = if is_url(source) {
                    "set [render] enabled = true to render it"
                } else {
                    "scan its URL with [render] enabled"
                };
                let why = format!("not checked: needs JavaScript: the page is an empty application shell ({how})");
                fail(&mut out, format, &mut tally, source, &why)?;
                continue;
            }
            _ => page,
        };
        let result = scan_page(page, &setup.knowledge(), vendor, source_url.as_ref(), at);
        tally.add(&result);
        attention |= result.worst().needs_attention();
        let vendor_id = vendor.map(|v| v.id.as_str());
        match format {
            Format::Json => {
                for c in &result.claims {
                    writeln!(
                        out,
                        "{}",
                        serde_json::to_string(&ClaimRecord::new(source, vendor_id, c, at, &setup.registry))?
                    )?;
                }
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string(&PageLine::checked(source, vendor_id, &result.page, result.claims.len()))?
                )?;
            }
            Format::Text => writeln!(out, "{}", page_text(source, vendor_id, &result, style))?,
        }
    }
    if format == Format::Text {
        writeln!(
            out,
            "{} (judged as of {at} against {}, registry as of {})",
            tally.text(),
            setup.registry.path.display(),
            setup.registry.as_of
        )?;
    }
    if let Some(Ok(r)) = &renderer {
        r.close().await;
    }
    Ok(if tally.failed > 0 {
        exit::ERROR
    } else if attention {
        exit::FOUND
    } else {
        exit::OK
    })
}

/// Fetches a URL for `scan` through the polite fetcher; redirects stay on the vendor's hosts
/// when a vendor is named, anywhere otherwise.
async fn fetch_for_scan(
    fetcher: &Fetcher,
    setup: &Setup,
    source: &str,
    vendor: Option<&Vendor>,
    auto: bool,
) -> Result<(Vec<u8>, Exchange), String> {
    let url = Url::parse(source).map_err(|e| format!("not a URL: {e}"))?;
    let vendor = vendor.or_else(|| if auto { setup.config.vendor_for_url(&url) } else { None });
    let (per_second, burst) = vendor
        .map_or((setup.config.crawl.requests_per_second, setup.config.crawl.burst), |v| setup.config.crawl.rate_for(v));
    let rate = Rate { per_second, burst };
    let in_scope = |u: &Url| vendor.is_none_or(|v| u.host_str().is_some_and(|h| v.allows_host(h)));
    let fetched = fetcher.fetch_page(&url, rate, &in_scope).await;
    match fetched.outcome {
        Outcome::Page { exchange, body } => Ok((body, exchange)),
        Outcome::NotModified { .. } => Err("not modified".into()),
        Outcome::Skipped(s) => Err(PageStatus::Skipped(s).why_not_checked().unwrap_or_default()),
        Outcome::Failed { failure, .. } => Err(failure.to_string()),
    }
}

/// Renders a fetched page and reads its DOM. Without a vendor, its scripts and data may come
/// from its own host only.
async fn rendered(
    renderer: &Renderer,
    url: &Url,
    document: Exchange,
    body: Vec<u8>,
    vendor: Option<&Vendor>,
    timeout: std::time::Duration,
) -> Result<Page, String> {
    let vendor = Arc::new(vendor.cloned().unwrap_or_else(|| {
        let mut v = Vendor::new("scan", "scan");
        v.allowed_hosts = url.host_str().map(|h| vec![h.to_ascii_lowercase()]).unwrap_or_default();
        v
    }));
    let page = PageToRender { url: document.url.clone(), document, body, vendor, after: After::Dom };
    let rendered = renderer.render(page).await.map_err(|e| e.to_string())?;
    if !rendered.settled {
        return Err(format!("still loading after {} s", timeout.as_secs_f64()));
    }
    let mut page = claimwatch::extract::extract(rendered.html.as_bytes(), Some("text/html; charset=utf-8"));
    if page.text_chars() < 20 {
        return Err("the rendered page is still an empty shell".into());
    }
    page.notes.insert(0, rendered.note());
    Ok(page)
}

fn fail(out: &mut impl Write, format: Format, tally: &mut Tally, source: &str, why: &str) -> Result<()> {
    tally.failed += 1;
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string(&PageLine::failed(source, None, why))?)?,
        Format::Text => writeln!(out, "{source}: not checked: {why}\n")?,
    }
    Ok(())
}
