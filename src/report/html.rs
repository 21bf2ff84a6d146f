//! The findings report as one self-contained HTML file (inline CSS and SVG, no external asset), in French or English.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};

use super::dossier::{Dossier, FindingView, VendorSection};
use crate::alert::render::esc;
use crate::config::Lang;
use crate::i18n::{date_en, date_fr};
use crate::judge::Level;

struct T {
    title: &'static str,
    generated: &'static str,
    summary: &'static str,
    vendors: &'static str,
    pages_checked: &'static str,
    pages_not_checked: &'static str,
    open_violations: &'static str,
    open_warnings: &'static str,
    registry: &'static str,
    stale: &'static str,
    evidence: &'static str,
    timeline: &'static str,
    opened: &'static str,
    resolved: &'static str,
    coverage: &'static str,
    vendor: &'static str,
    why: &'static str,
    registry_status: &'static str,
    open_findings: &'static str,
    resolved_findings: &'static str,
    none: &'static str,
    pdf: &'static str,
    /// Singular, plural.
    rendered: (&'static str, &'static str),
    first_seen: &'static str,
    last_seen: &'static str,
    reason: &'static str,
    pages: &'static str,
    acknowledged: &'static str,
    dossier: &'static str,
    dossier_pdf: &'static str,
    no_data: &'static str,
    snapshot: &'static str,
    other_lang: (&'static str, &'static str),
}

const FR: T = T {
    title: "claimwatch — rapport des constats",
    generated: "Rapport établi le",
    summary: "Synthèse",
    vendors: "Fournisseurs surveillés",
    pages_checked: "Pages vérifiées",
    pages_not_checked: "Pages non vérifiées",
    open_violations: "Manquements ouverts",
    open_warnings: "Avertissements ouverts",
    registry: "Registre",
    stale: "ancien : à mettre à jour",
    evidence: "Empreinte du journal des preuves",
    timeline: "Constats ouverts et résolus dans le temps",
    opened: "ouverts",
    resolved: "résolus",
    coverage: "Couverture",
    vendor: "Fournisseur",
    why: "Pages non vérifiées et pourquoi",
    registry_status: "Au registre",
    open_findings: "Constats ouverts",
    resolved_findings: "Constats résolus",
    none: "aucun",
    pdf: "PDF",
    rendered: ("rendue par Chromium", "rendues par Chromium"),
    first_seen: "vu pour la première fois le",
    last_seen: "dernière fois le",
    reason: "Motif",
    pages: "Pages",
    acknowledged: "Examiné par",
    dossier: "Dossier à transmettre",
    dossier_pdf: "dossier PDF",
    no_data: "Aucun constat sur la période.",
    snapshot: "Données lues dans la base le",
    other_lang: ("en", "English"),
};

const EN: T = T {
    title: "claimwatch — findings report",
    generated: "Report generated on",
    summary: "Summary",
    vendors: "Vendors watched",
    pages_checked: "Pages checked",
    pages_not_checked: "Pages not checked",
    open_violations: "Open violations",
    open_warnings: "Open warnings",
    registry: "Registry",
    stale: "old: update it",
    evidence: "Evidence log head",
    timeline: "Findings opened and resolved over time",
    opened: "opened",
    resolved: "resolved",
    coverage: "Coverage",
    vendor: "Vendor",
    why: "Pages not checked, and why",
    registry_status: "In the registry",
    open_findings: "Open findings",
    resolved_findings: "Resolved findings",
    none: "none",
    pdf: "PDF",
    rendered: ("rendered by Chromium", "rendered by Chromium"),
    first_seen: "first seen on",
    last_seen: "last seen on",
    reason: "Reason",
    pages: "Pages",
    acknowledged: "Reviewed by",
    dossier: "Dossier to send on",
    dossier_pdf: "PDF dossier",
    no_data: "No finding in the period.",
    snapshot: "Data read from the store on",
    other_lang: ("fr", "Français"),
};

pub(crate) fn date(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Fr => date_fr(d),
        Lang::En => date_en(d),
    }
}

pub(crate) fn when(lang: Lang, t: DateTime<Utc>) -> String {
    date(lang, t.date_naive())
}

/// A moment to the second, for people (`28 novembre 2026, 10:00:01 UTC`) and, in its
/// `datetime` attribute, for machines.
pub(crate) fn moment(lang: Lang, t: DateTime<Utc>) -> String {
    format!(
        "<time datetime=\"{}\">{}, {} UTC</time>",
        t.format("%Y-%m-%dT%H:%M:%SZ"),
        esc(&when(lang, t)),
        t.format("%H:%M:%S")
    )
}

/// `?lang=en` for English pages, nothing for French ones (the default): kept on the links
/// between dashboard pages.
pub(super) fn lang_query(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "",
        Lang::En => "?lang=en",
    }
}

/// A finding id as a URL path segment (ids are hex; anything else is percent-encoded).
pub(super) fn path_segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(super) const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#222}\
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}table{border-collapse:collapse}\
td,th{padding:.3em .8em;border-bottom:1px solid #eee;text-align:left;vertical-align:top}\
.kpi{display:inline-block;margin:0 1.5em 1em 0}.kpi b{display:block;font-size:1.8em}\
.finding{margin:1em 0;padding:.6em 1em;border-left:5px solid #c60;background:#fafafa}\
.finding.violation{border-color:#b00}.level{font-weight:bold}.violation .level{color:#b00}.warning .level{color:#a60}\
blockquote{margin:.5em 0;padding:.3em .8em;background:#fff;border:1px solid #eee}mark{background:#ffe066}\
.muted{color:#666;font-size:.9em}.stale{color:#a40;font-weight:bold}code{font-size:.9em}";

/// How the daemon's dashboard frames the report: when its data was read from the store, links
/// to the findings lists and the other language, and from each finding to its own page.
#[derive(Debug, Clone, Copy)]
pub struct Live {
    pub snapshot_at: DateTime<Utc>,
}

/// Renders the report.
pub fn render(d: &Dossier) -> String {
    render_framed(d, None)
}

/// Renders the report as the dashboard's front page.
pub fn render_live(d: &Dossier, live: &Live) -> String {
    render_framed(d, Some(live))
}

fn render_framed(d: &Dossier, live: Option<&Live>) -> String {
    let t = match d.lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    };
    let lang = d.lang;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        if lang == Lang::Fr { "fr" } else { "en" },
        esc(t.title)
    );
    let _ = write!(
        h,
        "<h1>{}</h1><p class=\"muted\">{} {}</p>",
        esc(t.title),
        esc(t.generated),
        esc(&when(lang, d.generated_at))
    );
    if let Some(live) = live {
        let (code, name) = t.other_lang;
        let _ = write!(
            h,
            "<p class=\"muted\" id=\"snapshot\">{} {} · <a href=\"findings.json\">findings.json</a> · \
             <a href=\"findings.csv\">findings.csv</a> · <a href=\"?lang={code}\" hreflang=\"{code}\">{}</a></p>",
            esc(t.snapshot),
            moment(lang, live.snapshot_at),
            esc(name),
        );
    }

    let s = &d.summary;
    let _ = write!(h, "<h2>{}</h2>", esc(t.summary));
    for (label, n) in [
        (t.vendors, s.vendors),
        (t.pages_checked, s.pages_checked),
        (t.pages_not_checked, s.pages_not_checked),
        (t.open_violations, s.open_violations),
        (t.open_warnings, s.open_warnings),
    ] {
        let _ = write!(h, "<div class=\"kpi\"><b>{n}</b>{}</div>", esc(label));
    }
    let stale =
        if d.registry.stale { format!(" <span class=\"stale\">({})</span>", esc(t.stale)) } else { String::new() };
    let _ = write!(
        h,
        "<p>{}&nbsp;: <code>{}</code>, {}{stale} <span class=\"muted\">sha256 {}</span></p>",
        esc(t.registry),
        esc(&d.registry.path),
        esc(&date(lang, d.registry.as_of)),
        esc(&d.registry.sha256)
    );
    if let Some(head) = &d.evidence_head {
        let _ = write!(h, "<p class=\"muted\">{}&nbsp;: <code>{}</code></p>", esc(t.evidence), esc(head));
    }

    let _ = write!(h, "<h2>{}</h2>", esc(t.timeline));
    h.push_str(&timeline_svg(d, t));

    let _ = write!(
        h,
        "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        esc(t.coverage),
        esc(t.vendor),
        esc(t.pages_checked),
        esc(t.why)
    );
    for v in &d.vendors {
        let why: Vec<String> =
            v.not_checked.iter().map(|u| format!("<code>{}</code> — {}", esc(&u.url), esc(&u.why))).collect();
        let rendered = if v.rendered_checked == 1 { t.rendered.0 } else { t.rendered.1 };
        let apart: Vec<String> = [(v.pdfs_checked, t.pdf), (v.rendered_checked, rendered)]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        let pdfs = if apart.is_empty() { String::new() } else { format!(" ({})", apart.join(", ")) };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}{pdfs}</td><td>{}</td></tr>",
            esc(&v.name),
            v.pages_checked,
            if why.is_empty() { esc(t.none) } else { why.join("<br>") }
        );
    }
    h.push_str("</table>");

    for v in &d.vendors {
        vendor_section(&mut h, v, t, lang, live.is_some());
    }
    h.push_str("</body></html>\n");
    h
}

fn vendor_section(h: &mut String, v: &VendorSection, t: &T, lang: Lang, linked: bool) {
    let _ = write!(h, "<h2 id=\"vendor-{}\">{}</h2>", esc(&v.id), esc(&v.name));
    let _ = write!(h, "<p><b>{}</b>&nbsp;: {}</p>", esc(t.registry_status), esc(&v.registry_status));
    let _ = write!(h, "<h3>{} ({})</h3>", esc(t.open_findings), v.open.len());
    if v.open.is_empty() {
        let _ = write!(h, "<p class=\"muted\">{}</p>", esc(t.none));
    }
    for f in &v.open {
        finding(h, f, t, lang, linked);
    }
    if !v.resolved.is_empty() {
        let _ = write!(h, "<h3>{} ({})</h3>", esc(t.resolved_findings), v.resolved.len());
        for f in &v.resolved {
            finding(h, f, t, lang, linked);
        }
    }
}

/// The words of [`finding_life`], from the page's own table.
pub(super) struct LifeWords<'a> {
    pub reason: &'a str,
    pub first_seen: &'a str,
    pub last_seen: &'a str,
    pub acknowledged: &'a str,
}

/// A finding's reason, first and last sighting, resolution and review, as the report and the
/// finding page both show them.
pub(super) fn finding_life(h: &mut String, f: &FindingView, lang: Lang, t: &LifeWords<'_>) {
    let _ = write!(h, "<p>{}&nbsp;: {}</p>", esc(t.reason), esc(&f.reason));
    let _ = write!(
        h,
        "<p class=\"muted\">{} {}, {} {}</p>",
        esc(t.first_seen),
        esc(&when(lang, f.first_seen)),
        esc(t.last_seen),
        esc(&when(lang, f.last_seen))
    );
    if let Some(r) = &f.resolution {
        let _ = write!(h, "<p class=\"muted\">{}</p>", esc(r));
    }
    if let Some(a) = &f.ack {
        let _ = write!(
            h,
            "<p class=\"muted\">{} {} ({})&nbsp;: {}</p>",
            esc(t.acknowledged),
            esc(&a.by),
            esc(&when(lang, a.at)),
            esc(&a.reason)
        );
    }
}

fn finding(h: &mut String, f: &FindingView, t: &T, lang: Lang, linked: bool) {
    let class = match f.level {
        Level::Violation => "violation",
        _ => "warning",
    };
    let id = if linked {
        format!(
            "<a href=\"findings/{}{}\"><code>{}</code></a>",
            esc(&path_segment(&f.id)),
            lang_query(lang),
            esc(&f.id)
        )
    } else {
        format!("<code>{}</code>", esc(&f.id))
    };
    let _ = write!(
        h,
        "<div class=\"finding {class}\" id=\"finding-{}\"><span class=\"level\">{}</span> {} · {} · {id}",
        esc(&f.id),
        esc(&f.level.as_str().to_uppercase()),
        esc(&f.label),
        esc(f.kind.as_str()),
    );
    let _ = write!(h, "<blockquote>{}</blockquote>", highlight(&f.context, &f.matched));
    let words =
        LifeWords { reason: t.reason, first_seen: t.first_seen, last_seen: t.last_seen, acknowledged: t.acknowledged };
    finding_life(h, f, lang, &words);
    // The file a regulator can be sent: made on demand (it takes a browser), here or live.
    let command = format!(
        "claimwatch dossier {} --lang {}",
        f.id,
        match lang {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    );
    let pdf = if linked {
        format!(
            " · <a href=\"findings/{}/dossier.pdf{}\">{}</a>",
            esc(&path_segment(&f.id)),
            lang_query(lang),
            esc(t.dossier_pdf)
        )
    } else {
        String::new()
    };
    let _ = write!(h, "<p class=\"muted\">{}&nbsp;: <code>{}</code>{pdf}</p>", esc(t.dossier), esc(&command));
    let _ = write!(h, "<details><summary>{} ({})</summary><ul>", esc(t.pages), f.pages.len());
    for url in &f.pages {
        let place = f.places.get(url).map(|p| format!(" ({})", esc(p))).unwrap_or_default();
        if url.starts_with("http://") || url.starts_with("https://") {
            let _ = write!(h, "<li><a href=\"{}\" rel=\"noopener noreferrer\">{}</a>{place}</li>", esc(url), esc(url));
        } else {
            let _ = write!(h, "<li>{}{place}</li>", esc(url));
        }
    }
    h.push_str("</ul></details></div>");
}

pub(crate) fn highlight(context: &str, matched: &str) -> String {
    match context.find(matched) {
        Some(i) if !matched.is_empty() => {
            format!("{}<mark>{}</mark>{}", esc(&context[..i]), esc(matched), esc(&context[i + matched.len()..]))
        }
        _ => esc(context),
    }
}

/// One row per vendor, one column per day: red bars up for findings opened, green bars down for
/// findings resolved.
fn timeline_svg(d: &Dossier, t: &T) -> String {
    if d.timeline.is_empty() {
        return format!("<p class=\"muted\">{}</p>", esc(t.no_data));
    }
    let first = d.timeline.iter().map(|p| p.day).min().expect("not empty");
    let last = d.timeline.iter().map(|p| p.day).max().expect("not empty");
    let days = (last - first).num_days() as usize + 1;
    let mut rows: BTreeMap<&str, Vec<&super::dossier::TimelinePoint>> = BTreeMap::new();
    for p in &d.timeline {
        rows.entry(&p.vendor).or_default().push(p);
    }
    let names: BTreeMap<&str, &str> = d.vendors.iter().map(|v| (v.id.as_str(), v.name.as_str())).collect();
    let max = d.timeline.iter().map(|p| p.opened.max(p.resolved)).max().unwrap_or(1).max(1) as f64;
    let (label_w, plot_w, row_h) = (170.0, 540.0, 56.0);
    let col = plot_w / days as f64;
    let bar = (col * 0.4).clamp(2.0, 14.0);
    let height = rows.len() as f64 * row_h + 40.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"{}\" font-size=\"12\">",
        label_w + plot_w + 20.0,
        esc(t.timeline)
    );
    for (i, (vendor, points)) in rows.iter().enumerate() {
        let mid = 20.0 + i as f64 * row_h + row_h / 2.0;
        let name = names.get(vendor).copied().unwrap_or(vendor);
        let _ = write!(s, "<text x=\"0\" y=\"{:.1}\">{}</text>", mid + 4.0, esc(name));
        let _ = write!(
            s,
            "<line x1=\"{label_w}\" y1=\"{mid:.1}\" x2=\"{:.1}\" y2=\"{mid:.1}\" stroke=\"#999\"/>",
            label_w + plot_w
        );
        for p in points {
            let x = label_w + (p.day - first).num_days() as f64 * col + col / 2.0;
            let up = (row_h / 2.0 - 6.0) * p.opened as f64 / max;
            let down = (row_h / 2.0 - 6.0) * p.resolved as f64 / max;
            if p.opened > 0 {
                let _ = write!(
                    s,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{up:.1}\" fill=\"#c22\"><title>{} {} {}</title></rect>",
                    x - bar,
                    mid - up,
                    p.opened,
                    esc(t.opened),
                    p.day
                );
            }
            if p.resolved > 0 {
                let _ = write!(
                    s,
                    "<rect x=\"{x:.1}\" y=\"{mid:.1}\" width=\"{bar:.1}\" height=\"{down:.1}\" fill=\"#2a2\"><title>{} {} {}</title></rect>",
                    p.resolved,
                    esc(t.resolved),
                    p.day
                );
            }
        }
    }
    let bottom = height - 8.0;
    let _ = write!(s, "<text x=\"{label_w}\" y=\"{bottom}\">{first}</text>");
    if last != first {
        let _ = write!(s, "<text x=\"{:.1}\" y=\"{bottom}\" text-anchor=\"end\">{last}</text>", label_w + plot_w);
    }
    let _ = write!(
        s,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"#c22\"/><text x=\"{:.1}\" y=\"{bottom}\">{}</text>",
        label_w + plot_w / 2.0 - 90.0,
        bottom - 9.0,
        label_w + plot_w / 2.0 - 76.0,
        esc(t.opened)
    );
    let _ = write!(
        s,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"#2a2\"/><text x=\"{:.1}\" y=\"{bottom}\">{}</text>",
        label_w + plot_w / 2.0 + 10.0,
        bottom - 9.0,
        label_w + plot_w / 2.0 + 24.0,
        esc(t.resolved)
    );
    s.push_str("</svg>");
    s
}
