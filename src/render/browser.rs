//! Starting and stopping the run's one Chromium: a fresh profile in a temporary directory, no network of its own, driven over the debugging pipe.

use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio::net::unix::pipe;
use tokio::sync::mpsc;

use super::RenderError;
use super::cdp::{Connection, Event};

/// How long Chromium may take to answer its first command.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The switches of every launch. The browser never reaches the network by itself: every request
/// is paused and answered by claimwatch's fetcher (see `intercept`), and, as a backstop, its
/// resolver resolves nothing and its proxy is a closed loopback port, so a request that escaped
/// interception (a bug, a WebSocket) fails instead of connecting past the address guard.
const SWITCHES: &[&str] = &[
    "--headless",
    "--remote-debugging-pipe",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-quic",
    "--disable-breakpad",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,InterestFeedContentSuggestions,AutofillServerCommunication,CertificateTransparencyComponentUpdater",
    "--disable-dev-shm-usage",
    "--mute-audio",
    "--no-pings",
    "--password-store=basic",
    "--use-mock-keychain",
    "--blink-settings=imagesEnabled=false",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "about:blank",
];

/// A running Chromium. Dropping it kills the browser and its helpers (its process group).
pub struct Browser {
    pub connection: Arc<Connection>,
    pub product: String,
    child: tokio::process::Child,
    pgid: i32,
    // Removed when the browser is gone: the profile lives only for the run.
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts `chromium` (a path or a command on PATH) and waits until it answers. Images stay
    /// off unless `images` (a dossier's own `data:` pictures); from the network they are refused
    /// whatever this says.
    pub async fn launch(
        chromium: &str,
        images: bool,
    ) -> Result<(Browser, mpsc::UnboundedReceiver<Event>), RenderError> {
        let profile = tempfile::Builder::new()
            .prefix("claimwatch-chromium-")
            .tempdir()
            .map_err(|e| RenderError::Start(format!("cannot make a profile directory: {e}")))?;
        let (commands_read, commands_write) = cloexec_pipe()?;
        let (events_read, events_write) = cloexec_pipe()?;
        let mut command = tokio::process::Command::new(chromium);
        command
            .args(SWITCHES.iter().filter(|s| !images || !s.contains("imagesEnabled")))
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        // The setuid/namespace sandbox cannot start as root (CI, containers); as any other user
        // it stays on.
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            command.arg("--no-sandbox");
        }
        let (child_in, child_out) = (raw(&commands_read), raw(&events_write));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(move || {
                // Its own process group, killed whole at the end; and it dies with claimwatch.
                if libc::setpgid(0, 0) != 0 || libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::dup2(child_in, 3) < 0 || libc::dup2(child_out, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = command.spawn().map_err(|e| RenderError::Start(format!("cannot run {chromium}: {e}")))?;
        drop((commands_read, events_write));
        let pgid = child.id().map_or(0, |p| p as i32);
        let mut stderr = child.stderr.take();
        let to_browser = pipe::Sender::from_owned_fd(commands_write)
            .map_err(|e| RenderError::Start(format!("cannot use the DevTools pipe: {e}")))?;
        let from_browser = pipe::Receiver::from_owned_fd(events_read)
            .map_err(|e| RenderError::Start(format!("cannot use the DevTools pipe: {e}")))?;
        let (connection, events) = Connection::start(to_browser, from_browser);
        // Chromium's stderr is drained (a full pipe would block it); its last lines say why it
        // could not start.
        let (tail_tx, tail_rx) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let mut tail = Vec::new();
            if let Some(stderr) = stderr.as_mut() {
                let mut chunk = [0u8; 4096];
                while let Ok(n) = stderr.read(&mut chunk).await {
                    if n == 0 {
                        break;
                    }
                    tail.extend_from_slice(&chunk[..n]);
                    if tail.len() > 16 * 1024 {
                        tail.drain(..tail.len() - 8 * 1024);
                    }
                }
            }
            let _ = tail_tx.send(tail);
        });
        let version = match connection.call(None, "Browser.getVersion", json!({}), START_TIMEOUT).await {
            Ok(v) => v,
            Err(e) => {
                let _ = child.start_kill();
                let tail = tokio::time::timeout(Duration::from_secs(2), tail_rx).await.ok().and_then(Result::ok);
                return Err(RenderError::Start(format!("{chromium} did not start ({e}){}", explain(tail))));
            }
        };
        let product = version.get("product").and_then(Value::as_str).unwrap_or("Chromium").to_string();
        let browser = Browser { connection, product, child, pgid, _profile: profile };
        let c = &browser.connection;
        let setup: [(&str, Value); 2] = [
            ("Browser.setDownloadBehavior", json!({ "behavior": "deny" })),
            // Every new target (the tabs claimwatch opens, and any page, shared or service worker a
            // page starts) is held until claimwatch has made its requests interceptable.
            ("Target.setAutoAttach", json!({ "autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true })),
        ];
        for (method, params) in setup {
            c.call(None, method, params, START_TIMEOUT).await.map_err(|e| RenderError::Start(e.to_string()))?;
        }
        Ok((browser, events))
    }

    /// Closes the browser (it is killed if it does not quit within a few seconds).
    pub async fn close(mut self) {
        self.connection.post(None, "Browser.close", json!({}));
        if tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await.is_err() {
            let _ = self.child.start_kill();
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if self.pgid > 0 {
            // SAFETY: kill has no memory-safety preconditions; the group is the browser's own.
            unsafe {
                libc::kill(-self.pgid, libc::SIGKILL);
            }
        }
    }
}

fn explain(tail: Option<Vec<u8>>) -> String {
    let Some(tail) = tail else { return String::new() };
    let text = String::from_utf8_lossy(&tail);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let last = lines[lines.len().saturating_sub(3)..].join(" | ");
    if last.is_empty() { String::new() } else { format!(": {last}") }
}

fn raw(fd: &OwnedFd) -> i32 {
    use std::os::fd::AsRawFd;
    fd.as_raw_fd()
}

fn cloexec_pipe() -> Result<(OwnedFd, OwnedFd), RenderError> {
    let mut fds = [0i32; 2];
    // SAFETY: pipe2 writes two descriptors into the array it is given.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(RenderError::Start(format!("cannot make a pipe: {}", std::io::Error::last_os_error())));
    }
    // SAFETY: both descriptors were just opened and are owned by nobody else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    Ok((above_four(read)?, above_four(write)?))
}

/// The descriptor moved above 4, so that putting the two ends on 3 and 4 in the child can
/// neither overwrite one with the other nor leave one close-on-exec (dup2 onto itself does).
fn above_four(fd: OwnedFd) -> Result<OwnedFd, RenderError> {
    // SAFETY: fcntl(F_DUPFD_CLOEXEC) returns a new descriptor that nobody else owns.
    let moved = unsafe { libc::fcntl(raw(&fd), libc::F_DUPFD_CLOEXEC, 10) };
    if moved < 0 {
        return Err(RenderError::Start(format!("cannot move a pipe: {}", std::io::Error::last_os_error())));
    }
    // SAFETY: as above.
    Ok(unsafe { OwnedFd::from_raw_fd(moved) })
}
