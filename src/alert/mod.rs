//! Alert delivery: each recipient's pending outbox entries become one digest, sent over SMTP with lettre, removed only once the server accepted it.
//!
//! A server that is down or answers 4xx leaves the entries where they are, to go out on the
//! next pass, once; a 5xx refusal moves them to the dead letters, which `findings` and the logs
//! show. A crash after the server accepted and before the entries are removed resends that one
//! digest, with the same Message-ID.

pub mod render;

use std::collections::BTreeMap;
use std::path::Path;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{Security, SmtpSettings};
use crate::store::{OutboxEntry, Store, StoreError};
pub use render::{Attachment, Digest, DigestContext, digest};

#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error("invalid mail address {0}")]
    Address(String),
    #[error("cannot build the message: {0}")]
    Build(String),
    #[error("cannot set up the SMTP transport: {0}")]
    Transport(String),
    #[error("the SMTP password variable {0} is not set")]
    MissingPassword(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An SMTP client for the configured server.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The password and the forms AUTH sends it in, to strip from anything the server says back.
    secrets: Vec<String>,
}

impl Mailer {
    /// `password` is the value of the variable named by `password_env`, read by the caller.
    pub fn new(settings: &SmtpSettings, password: Option<String>) -> Result<Mailer, AlertError> {
        let from: Mailbox = settings.from.parse().map_err(|_| AlertError::Address(settings.from.clone()))?;
        let tls = |host: &str| {
            if settings.danger_accept_invalid_certs {
                tracing::warn!(host, "SMTP certificate verification is OFF (danger_accept_invalid_certs)");
            }
            TlsParameters::builder(host.to_string())
                .dangerous_accept_invalid_certs(settings.danger_accept_invalid_certs)
                .build_rustls()
                .map_err(|e| AlertError::Transport(e.to_string()))
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
            .port(settings.port)
            .timeout(Some(settings.timeout));
        builder = match settings.security {
            Security::None => builder.tls(Tls::None),
            Security::Starttls => builder.tls(Tls::Required(tls(&settings.host)?)),
            Security::Tls => builder.tls(Tls::Wrapper(tls(&settings.host)?)),
        };
        let mut secrets = Vec::new();
        if let Some(user) = &settings.username {
            let pass = match (&settings.password_env, password) {
                (_, Some(p)) => p,
                (Some(var), None) => return Err(AlertError::MissingPassword(var.clone())),
                (None, None) => String::new(),
            };
            secrets = secret_forms(user, &pass);
            builder = builder.credentials(Credentials::new(user.clone(), pass));
        }
        Ok(Mailer { transport: builder.build(), from, secrets })
    }

    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// An SMTP error as text, with the password removed: a hostile or broken server may echo
    /// what it was sent, and these texts reach logs, the store's dead letters and `status`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            out = out.replace(s.as_str(), "[redacted]");
        }
        out
    }
}

/// The password, and the base64 forms of AUTH PLAIN and AUTH LOGIN that carry it.
fn secret_forms(user: &str, pass: &str) -> Vec<String> {
    use base64::Engine;
    if pass.is_empty() {
        return Vec::new();
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut forms = vec![
        b64.encode(format!("\0{user}\0{pass}")),
        b64.encode(format!("{user}\0{user}\0{pass}")),
        b64.encode(pass),
        pass.to_string(),
    ];
    // Longest first, so that a short form never breaks a longer one before it is replaced.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms
}

/// Builds the MIME message of a digest (multipart text + HTML, and its attachments).
pub fn message(from: &Mailbox, d: &Digest) -> Result<Message, AlertError> {
    let to: Mailbox = d.to.parse().map_err(|_| AlertError::Address(d.to.clone()))?;
    let body = MultiPart::alternative_plain_html(d.text.clone(), d.html.clone());
    let body = if d.attachments.is_empty() {
        body
    } else {
        let mut mixed = MultiPart::mixed().multipart(body);
        for a in &d.attachments {
            let kind = ContentType::parse(&a.content_type).map_err(|e| AlertError::Build(e.to_string()))?;
            mixed = mixed.singlepart(lettre::message::Attachment::new(a.filename.clone()).body(a.bytes.clone(), kind));
        }
        mixed
    };
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(d.subject.clone())
        .message_id(Some(d.message_id.clone()))
        .date_now()
        .multipart(body)
        .map_err(|e| AlertError::Build(e.to_string()))
}

/// Pending entries grouped per recipient, in outbox order.
pub fn by_recipient(entries: Vec<OutboxEntry>) -> BTreeMap<String, Vec<OutboxEntry>> {
    let mut map: BTreeMap<String, Vec<OutboxEntry>> = BTreeMap::new();
    for e in entries {
        map.entry(e.recipient.clone()).or_default().push(e);
    }
    map
}

/// What one delivery pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Recipients and how many entries their digest carried.
    pub sent: Vec<(String, usize)>,
    /// Recipients whose entries wait for the next pass, and why.
    pub deferred: Vec<(String, String)>,
    /// Recipients whose entries went to the dead letters, and why.
    pub dead: Vec<(String, String)>,
}

/// Sends every pending digest once; with `setup`, digests that report new findings carry their
/// dossiers for the recipients who asked for them.
pub async fn deliver(
    store: &Store,
    mailer: &Mailer,
    ctx: &DigestContext<'_>,
    setup: Option<&crate::config::Setup>,
) -> Result<Delivery, AlertError> {
    let mut report = Delivery::default();
    for (recipient, entries) in by_recipient(store.pending()?) {
        let lang = entries[0].lang;
        let mut d = digest(&recipient, lang, &entries, ctx);
        if let Some(setup) = setup {
            crate::dossier::attach::attach(setup, Some(store), &mut d, &entries, lang, chrono::Utc::now()).await;
        }
        let msg = match message(&mailer.from, &d) {
            Ok(m) => m,
            Err(e) => {
                // An address the builder refuses will never be accepted: keep the entries visible.
                store.dead_letter(&entries, &e.to_string(), chrono::Utc::now())?;
                tracing::error!(%recipient, "alert moved to dead letters: {e}");
                report.dead.push((recipient, e.to_string()));
                continue;
            }
        };
        crate::failpoint::hit("before-send");
        match mailer.transport.send(msg).await {
            Ok(_) => {
                crate::failpoint::hit("after-smtp-accept");
                store.delivered(&d.entry_ids)?;
                crate::failpoint::hit("after-outbox-delete");
                tracing::info!(%recipient, entries = entries.len(), "alert digest delivered");
                report.sent.push((recipient, entries.len()));
            }
            Err(e) if e.is_permanent() => {
                let why = mailer.redact(&e.to_string());
                store.dead_letter(&entries, &why, chrono::Utc::now())?;
                tracing::error!(%recipient, "mail server refused the alert permanently, moved to dead letters: {why}");
                report.dead.push((recipient, why));
            }
            Err(e) => {
                let why = mailer.redact(&e.to_string());
                tracing::warn!(%recipient, "alert not delivered, will retry: {why}");
                report.deferred.push((recipient, why));
            }
        }
    }
    Ok(report)
}

/// Writes each digest as an `.eml` file (for `check --dry-run --eml-dir`); returns the paths.
pub fn write_eml(dir: &Path, from: &Mailbox, digests: &[Digest]) -> Result<Vec<std::path::PathBuf>, AlertError> {
    std::fs::create_dir_all(dir).map_err(|e| AlertError::Build(format!("{}: {e}", dir.display())))?;
    let mut paths = Vec::new();
    for (i, d) in digests.iter().enumerate() {
        let safe: String =
            d.to.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
        let path = dir.join(format!("{:02}-{safe}.eml", i + 1));
        let bytes = message(from, d)?.formatted();
        std::fs::write(&path, bytes).map_err(|e| AlertError::Build(format!("{}: {e}", path.display())))?;
        paths.push(path);
    }
    Ok(paths)
}
