//! The security pass, tested: no secret in output, logs or records; TLS verified by default; HTML escaped in emails and reports; no header injection; bad credentials settings refused.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use claimwatch::mailbox::Mailbox;
use common::server::{TestServer, response};
use common::*;

const CRAWL: &str = "allow_private_networks = true\nrequests_per_second = 50\nretries = 0\ntimeout_secs = 5";
const SECRET: &str = "hunter2-s3cr3t";

/// Runs the binary with debug logging, so that logs are searched too.
async fn run_logged(config: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_claimwatch"));
    cmd.args(args).arg("--config").arg(config).env("RUST_LOG", "debug").env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap()
}

fn all_output(o: &Output) -> String {
    stdout(o) + &stderr(o)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_in_links_and_redirects_are_never_sent_logged_or_kept() {
    let s = TestServer::start("127.0.0.1").await;
    let port = s.addr.port();
    s.page(
        "/",
        &format!(
            "<html><body><p>Offre qualifiée SecNumCloud.</p><a href=\"http://admin:{SECRET}@127.0.0.1:{port}/private\">p</a>\
             <a href=\"/redir\">r</a></body></html>"
        ),
    );
    s.route("/redir", move |_, _| {
        response(302, &[("location", &format!("http://admin:{SECRET}@127.0.0.1:{port}/target"))], "")
    });
    s.page("/private", "<html><body><p>Qualifié SecNumCloud, page privée.</p></body></html>");
    s.page("/target", "<html><body><p>Cible.</p></body></html>");
    let scratch = Scratch::new();
    let config =
        write_config(&scratch, CRAWL, &(vendor_toml("v", &s.url("/"), "") + "\n[evidence]\narchive_all = true\n"));
    let out = run_logged(&config, &["check", "--format", "json"], &[]).await;
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert_eq!(s.hits_on("/private").len(), 1, "the link is followed, without its credentials");
    assert_eq!(s.hits_on("/target").len(), 1, "the redirect too");
    for h in s.hits() {
        assert!(!h.headers.contains_key("authorization"), "credentials sent to {}", h.target);
    }
    assert!(stderr(&out).contains("DEBUG"), "debug logs were on");
    let mut seen = vec![("check output and logs", all_output(&out))];
    for args in [
        &["findings", "--format", "json"][..],
        &["report", "--format", "json"],
        &["report"],
        &["status", "--format", "json"],
    ] {
        let o = run_logged(&config, args, &[]).await;
        seen.push((args[0], all_output(&o)));
    }
    // Evidence: WARC headers and request records, and the log (the archived body itself is kept as received).
    let dir = scratch.path().join("evidence");
    seen.push(("evidence log", std::fs::read_to_string(dir.join("evidence.log")).unwrap()));
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.to_string_lossy().ends_with(".warc.gz") {
            for (_, r) in claimwatch::evidence::warc::read_all(&p).unwrap() {
                seen.push(("WARC headers", format!("{:?}", r.headers)));
                if r.header("WARC-Type") == Some("request") {
                    seen.push(("WARC request", String::from_utf8_lossy(&r.block).into_owned()));
                }
            }
        }
    }
    for (place, text) in &seen {
        assert!(!text.contains(SECRET), "the secret is in the {place}: {text}");
    }
    assert!(seen.iter().any(|(_, t)| t.contains(&s.url("/private"))), "the page is reported under its clean URL");
}

#[test]
fn config_refuses_credentials_in_urls_and_clear_text_smtp_auth_without_echoing_them() {
    let scratch = Scratch::new();
    let vendors = vendor_toml("v", &format!("https://admin:{SECRET}@cloud.example/"), "");
    let config = write_config(&scratch, CRAWL, &vendors);
    let out = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let text = all_output(&out);
    assert!(text.contains("claimwatch.toml:") && text.contains("must not carry credentials"), "{text}");
    assert!(!text.contains(SECRET), "{text}");

    let smtp = "[smtp]\nhost = \"mail.example\"\nsecurity = \"none\"\nusername = \"alerts\"\npassword_env = \"CW_PASS\"\n\
                from = \"alerts@claimwatch.example\"\n";
    let config = write_config(&scratch, CRAWL, &format!("{smtp}\n{}", vendor_toml("v", "https://cloud.example/", "")));
    let out = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(all_output(&out).contains("would send the password in clear"), "{}", all_output(&out));
}

/// A mail server that offers AUTH and, on any AUTH, refuses permanently while echoing what it received.
fn echoing_smtp_server() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let auths = Arc::new(AtomicUsize::new(0));
    let counter = auths.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().take(10) {
            let Ok(mut conn) = conn else { continue };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let _ = conn.write_all(b"220 evil.example ESMTP\r\n");
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                let cmd = line.trim_end().to_string();
                line.clear();
                let reply = if cmd.starts_with("EHLO") {
                    "250-evil.example\r\n250 AUTH PLAIN LOGIN\r\n".to_string()
                } else if cmd.starts_with("AUTH") {
                    counter.fetch_add(1, Ordering::SeqCst);
                    format!("535 5.7.8 you sent {cmd}, rejected\r\n")
                } else if cmd.starts_with("QUIT") {
                    let _ = conn.write_all(b"221 bye\r\n");
                    break;
                } else {
                    "250 ok\r\n".to_string()
                };
                if conn.write_all(reply.as_bytes()).is_err() {
                    break;
                }
            }
        }
    });
    (port, auths)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_server_that_echoes_the_credentials_does_not_get_them_into_logs_or_the_store() {
    use base64::Engine;
    let (port, auths) = echoing_smtp_server();
    let s = TestServer::start("127.0.0.1").await;
    s.page("/", "<html><body><p>Offre qualifiée SecNumCloud.</p></body></html>");
    let scratch = Scratch::new();
    let smtp = format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nusername = \"alerts\"\npassword_env = \"CW_TEST_PASS\"\n\
         from = \"alerts@claimwatch.example\"\ntimeout_secs = 5\n\n[[recipient]]\nemail = \"regulateur@dgccrf.example\"\n"
    );
    let config = write_config(&scratch, CRAWL, &format!("{smtp}\n{}", vendor_toml("v", &s.url("/"), "")));
    let out = run_logged(&config, &["check"], &[("CW_TEST_PASS", SECRET)]).await;
    assert!(auths.load(Ordering::SeqCst) >= 1, "the client did authenticate: {}", all_output(&out));
    let status = run_logged(&config, &["status", "--format", "json"], &[]).await;
    let b64 = base64::engine::general_purpose::STANDARD;
    let forms = [SECRET.to_string(), b64.encode(format!("\0alerts\0{SECRET}")), b64.encode(SECRET)];
    for text in [all_output(&out), all_output(&status)] {
        for f in &forms {
            assert!(!text.contains(f.as_str()), "{f} leaked: {text}");
        }
    }
    assert!(
        all_output(&out).contains("you sent AUTH PLAIN [redacted]"),
        "the server's words, redacted: {}",
        all_output(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_certificates_are_verified_by_default() {
    use tokio_rustls::rustls;
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let key = rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der()).unwrap();
    let tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (connections, handshakes) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (c, h) = (connections.clone(), handshakes.clone());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            c.fetch_add(1, Ordering::SeqCst);
            if acceptor.accept(tcp).await.is_ok() {
                h.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    let scratch = Scratch::new();
    let config = write_config(&scratch, CRAWL, &vendor_toml("v", &format!("https://localhost:{port}/"), ""));
    let out = run_logged(&config, &["check"], &[]).await;
    assert!(connections.load(Ordering::SeqCst) >= 1, "claimwatch did try: {}", all_output(&out));
    assert_eq!(handshakes.load(Ordering::SeqCst), 0, "a self-signed certificate is refused: {}", all_output(&out));
    assert_eq!(out.status.code(), Some(2), "no page of the vendor could be checked: {}", all_output(&out));
    assert!(
        all_output(&out).to_lowercase().contains("certificate"),
        "the reason names the certificate: {}",
        all_output(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_text_is_escaped_in_emails_and_reports_and_cannot_inject_headers() {
    let mailbox = Mailbox::start(IpAddr::V4(Ipv4Addr::LOCALHOST)).unwrap();
    let s = TestServer::start("127.0.0.1").await;
    s.page(
        "/",
        "<html><body><p>&lt;script&gt;alert(1)&lt;/script&gt; Notre offre est qualifiée SecNumCloud &lt;img src=x onerror=alert(2)&gt;.</p></body></html>",
    );
    let scratch = Scratch::new();
    let smtp = format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"alerts@claimwatch.example\"\ntimeout_secs = 5\n\n\
         [[recipient]]\nemail = \"regulateur@dgccrf.example\"\n",
        mailbox.addr.port()
    );
    let vendor = vendor_toml("v", &s.url("/"), "")
        .replace("name = \"v\"", "name = \"Evil <b>Cloud</b>\\r\\nBcc: spy@evil.example\"");
    let config = write_config(&scratch, CRAWL, &format!("{smtp}\n{vendor}"));
    let out = run_logged(&config, &["check"], &[]).await;
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let mail = mailbox.received();
    assert_eq!(mail.len(), 1, "only the configured recipient");
    assert_eq!(mail[0].to, vec!["regulateur@dgccrf.example".to_string()]);
    let raw = String::from_utf8_lossy(&mail[0].data).into_owned();
    let head = &raw[..raw.find("\r\n\r\n").unwrap()];
    assert!(!head.to_lowercase().contains("\nbcc:"), "no injected header: {head}");
    let parsed = mail_parser::MessageParser::default().parse(&mail[0].data).unwrap();
    let html = parsed.body_html(0).unwrap().into_owned();
    for raw_tag in ["<script>", "<img src=x", "<b>Cloud</b>"] {
        assert!(!html.contains(raw_tag), "{raw_tag} unescaped in the email: {html}");
    }
    assert!(html.contains("&lt;script&gt;") || html.contains("&lt;img"), "the context is shown, escaped: {html}");
    let report = all_output(&run_logged(&config, &["report"], &[]).await);
    for raw_tag in ["<script>", "<img src=x", "<b>Cloud</b>"] {
        assert!(!report.contains(raw_tag), "{raw_tag} unescaped in the report");
    }
    assert!(report.contains("Evil &lt;b&gt;Cloud&lt;/b&gt;"), "the vendor name escaped");
}
