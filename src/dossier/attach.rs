//! Dossiers attached to digests: the first digest that reports a new finding to a recipient with `attach_dossier = true` carries its dossier as a PDF; above the size cap, or when it cannot be made, a note says how to produce it. The alert itself never waits on it.

use chrono::{DateTime, Utc};

use super::make::{Format, make};
use crate::alert::{Attachment, Digest};
use crate::config::{Lang, Setup};
use crate::store::{Change, DossierStamp, OutboxEntry, Store};

/// The largest dossier attached to a digest.
pub const MAX_ATTACHMENT_BYTES: usize = 10 << 20;
/// Dossiers attached to one digest at most (each takes a browser a few seconds).
pub const MAX_PER_DIGEST: usize = 5;

/// Attaches to `d` the dossier of each finding it reports as new, if its recipient asked for
/// them. The stamp of each attached dossier goes to `store` when there is one (not in a dry run).
pub async fn attach(
    setup: &Setup,
    store: Option<&Store>,
    d: &mut Digest,
    entries: &[OutboxEntry],
    lang: Lang,
    now: DateTime<Utc>,
) {
    if !setup.config.recipients.iter().any(|r| r.email == d.to && r.attach_dossier) {
        return;
    }
    let config = setup.config.path.display().to_string();
    let mut attached = 0;
    for e in entries.iter().filter(|e| e.change == Change::Opened) {
        let f = &e.finding;
        let command = format!("claimwatch dossier {} --config {config} --lang {}", f.id, lang_code(lang));
        if attached == MAX_PER_DIGEST {
            d.append(&note(lang, Note::TooMany, &f.id, &command));
            continue;
        }
        match make(setup, f, lang, Format::Pdf, now).await {
            Ok(made) if made.bytes.len() <= MAX_ATTACHMENT_BYTES => {
                if let Some(store) = store {
                    let stamp = DossierStamp {
                        sha256: made.sha256.clone(),
                        at: now,
                        format: "pdf".into(),
                        lang: lang_code(lang).into(),
                    };
                    if let Err(why) = store.stamp_dossier(&f.id, stamp) {
                        tracing::warn!(finding = %f.id, "the attached dossier's SHA-256 was not stored: {why}");
                    }
                }
                d.append(&note(lang, Note::Attached(&made.sha256), &f.id, &command));
                d.attachments.push(Attachment {
                    filename: format!("dossier-{}.pdf", f.id),
                    content_type: "application/pdf".into(),
                    bytes: made.bytes,
                });
                attached += 1;
            }
            Ok(made) => d.append(&note(lang, Note::TooLarge(made.bytes.len()), &f.id, &command)),
            Err(why) => {
                tracing::warn!(finding = %f.id, "no dossier attached: {why}");
                d.append(&note(lang, Note::Failed(&why.to_string()), &f.id, &command));
            }
        }
    }
}

enum Note<'a> {
    Attached(&'a str),
    TooLarge(usize),
    TooMany,
    Failed(&'a str),
}

fn note(lang: Lang, n: Note<'_>, id: &str, command: &str) -> String {
    let mib = |b: usize| format!("{:.1}", b as f64 / (1024.0 * 1024.0));
    match (lang, n) {
        (Lang::Fr, Note::Attached(sha)) => format!("Dossier du constat {id} joint (SHA-256\u{a0}: {sha})."),
        (Lang::En, Note::Attached(sha)) => format!("The dossier of finding {id} is attached (SHA-256: {sha})."),
        (Lang::Fr, Note::TooLarge(b)) => format!(
            "Le dossier du constat {id} ({}\u{a0}Mio) dépasse la taille admise en pièce jointe\u{a0}; pour le produire\u{a0}: {command}",
            mib(b)
        ),
        (Lang::En, Note::TooLarge(b)) => {
            format!("The dossier of finding {id} ({} MiB) is too large to attach; to produce it: {command}", mib(b))
        }
        (Lang::Fr, Note::TooMany) => {
            format!(
                "Dossier du constat {id} non joint (au plus {MAX_PER_DIGEST} par message)\u{a0}; pour le produire\u{a0}: {command}"
            )
        }
        (Lang::En, Note::TooMany) => {
            format!(
                "The dossier of finding {id} is not attached (at most {MAX_PER_DIGEST} a message); to produce it: {command}"
            )
        }
        (Lang::Fr, Note::Failed(why)) => {
            format!("Le dossier du constat {id} n’a pu être produit ({why})\u{a0}; pour le produire\u{a0}: {command}")
        }
        (Lang::En, Note::Failed(why)) => {
            format!("The dossier of finding {id} could not be made ({why}); to produce it: {command}")
        }
    }
}

fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "fr",
        Lang::En => "en",
    }
}
