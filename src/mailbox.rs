//! A small SMTP server on a loopback address that keeps what it receives: the demo's mail server, and the tests'.
//!
//! Built on mailin-embedded. It can be told to refuse mail for good (5xx) or for now (4xx), to
//! show how claimwatch keeps alerts that could not be delivered.

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mailin_embedded::{Handler, Response, Server, response};

/// One message as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent (headers and body), CRLF line ends.
    pub data: Vec<u8>,
}

impl Received {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// How the server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mood {
    Accept,
    /// 451: try again later.
    RefuseForNow,
    /// 550: this mailbox will never take it.
    RefuseForGood,
}

struct Keeper {
    received: Arc<Mutex<Vec<Received>>>,
    mood: Arc<Mutex<Mood>>,
    current: Option<Received>,
    /// SMTP sessions open now: the server clones the handler for each connection it accepts and
    /// drops that clone when the session ends (a client killed mid-session included).
    sessions: Arc<AtomicUsize>,
    in_session: bool,
}

impl Clone for Keeper {
    fn clone(&self) -> Keeper {
        self.sessions.fetch_add(1, Ordering::SeqCst);
        Keeper {
            received: self.received.clone(),
            mood: self.mood.clone(),
            current: None,
            sessions: self.sessions.clone(),
            in_session: true,
        }
    }
}

impl Drop for Keeper {
    fn drop(&mut self) {
        if self.in_session {
            self.sessions.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Handler for Keeper {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        match *self.mood.lock().expect("mood lock") {
            Mood::Accept => {
                self.current = Some(Received { from: from.to_string(), to: to.to_vec(), data: Vec::new() });
                response::OK
            }
            Mood::RefuseForNow => response::INTERNAL_ERROR,
            Mood::RefuseForGood => response::NO_MAILBOX,
        }
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(m) = &mut self.current {
            m.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(m) = self.current.take() {
            self.received.lock().expect("received lock").push(m);
        }
        response::OK
    }
}

/// A running SMTP server. It serves until the process ends.
pub struct Mailbox {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    mood: Arc<Mutex<Mood>>,
    sessions: Arc<AtomicUsize>,
}

impl Mailbox {
    /// Starts a server on `ip` (a loopback address) on a free port.
    pub fn start(ip: IpAddr) -> std::io::Result<Mailbox> {
        Self::start_on(TcpListener::bind((ip, 0))?)
    }

    /// Starts a server on an already bound listener (to come back on a known port).
    pub fn start_on(listener: TcpListener) -> std::io::Result<Mailbox> {
        Self::serve(listener, None)
    }

    /// Starts a server that offers STARTTLS with the certificate and key (PEM files) given.
    pub fn start_tls(ip: IpAddr, cert_path: &std::path::Path, key_path: &std::path::Path) -> std::io::Result<Mailbox> {
        let tls = mailin_embedded::SslConfig::SelfSigned {
            cert_path: cert_path.display().to_string(),
            key_path: key_path.display().to_string(),
        };
        Self::serve(TcpListener::bind((ip, 0))?, Some(tls))
    }

    fn serve(listener: TcpListener, tls: Option<mailin_embedded::SslConfig>) -> std::io::Result<Mailbox> {
        let addr = listener.local_addr()?;
        let received = Arc::new(Mutex::new(Vec::new()));
        let mood = Arc::new(Mutex::new(Mood::Accept));
        let sessions = Arc::new(AtomicUsize::new(0));
        let keeper = Keeper {
            received: received.clone(),
            mood: mood.clone(),
            current: None,
            sessions: sessions.clone(),
            in_session: false,
        };
        let mut server = Server::new(keeper);
        server.with_name("claimwatch.localhost").with_tcp_listener(listener).with_num_threads(2);
        if let Some(tls) = tls {
            server.with_ssl(tls).map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        // serve() never returns, and its error type is not Send: it stays on its own thread.
        std::thread::Builder::new().name("mailbox".into()).spawn(move || {
            if let Err(e) = server.serve() {
                eprintln!("mailbox: {e}");
            }
        })?;
        Ok(Mailbox { addr, received, mood, sessions })
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("received lock").clone()
    }

    /// Waits until no SMTP session is open, so that `received()` holds everything a client that
    /// has exited sent (a message whose DATA arrived just before the client was killed is only
    /// kept once the server has read it). False if sessions are still open after `timeout`.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let started = Instant::now();
        while self.sessions.load(Ordering::SeqCst) > 0 {
            if started.elapsed() >= timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        true
    }

    pub fn set_mood(&self, mood: Mood) {
        *self.mood.lock().expect("mood lock") = mood;
    }
}
