//! The DevTools protocol over Chromium's debugging pipe: commands out, replies and events in, NUL-separated JSON on file descriptors 3 and 4.
//!
//! The pipe, not a TCP port: no other process on the machine can reach the browser claimwatch
//! drives, and there is no port to allocate or leak. Commands are sent on the browser's own
//! session or on a flat session (`sessionId`), as `Target.setAutoAttach {flatten: true}` makes
//! them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::unix::pipe;
use tokio::sync::{mpsc, oneshot};

/// A protocol message larger than this ends the connection (a serialised DOM is capped well
/// below, by the body cap).
const MAX_MESSAGE: usize = 256 * 1024 * 1024;

/// Why a command got no result.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CdpError {
    #[error("Chromium answered {method} with an error: {message}")]
    Protocol { method: String, message: String },
    #[error("the connection to Chromium is closed")]
    Closed,
    #[error("Chromium did not answer {0} in time")]
    Timeout(String),
}

/// An event Chromium sent: its method, its flat session (none for the browser's own), params.
#[derive(Debug, Clone)]
pub struct Event {
    pub method: String,
    pub session: Option<String>,
    pub params: Value,
}

type Pending = Arc<Mutex<HashMap<u64, (String, oneshot::Sender<Result<Value, CdpError>>)>>>;

/// One connection to a browser. Cheap to share: commands from any task are written in turn.
pub struct Connection {
    out: mpsc::UnboundedSender<Vec<u8>>,
    pending: Pending,
    next_id: AtomicU64,
}

impl Connection {
    /// Starts the reader and writer tasks over the two pipe ends; events arrive on the
    /// returned receiver in the order Chromium sent them.
    pub fn start(
        to_browser: pipe::Sender,
        from_browser: pipe::Receiver,
    ) -> (Arc<Connection>, mpsc::UnboundedReceiver<Event>) {
        let (out, mut outgoing) = mpsc::unbounded_channel::<Vec<u8>>();
        let (events_tx, events) = mpsc::unbounded_channel();
        let pending: Pending = Arc::default();
        let connection = Arc::new(Connection { out, pending: pending.clone(), next_id: AtomicU64::new(1) });
        tokio::spawn(async move {
            let mut to_browser = to_browser;
            while let Some(message) = outgoing.recv().await {
                if to_browser.write_all(&message).await.is_err() {
                    break;
                }
            }
        });
        tokio::spawn(async move {
            read_messages(from_browser, &pending, &events_tx).await;
            // The browser is gone: every command still waiting fails now, not at its timeout.
            for (_, (_, reply)) in pending.lock().expect("pending lock").drain() {
                let _ = reply.send(Err(CdpError::Closed));
            }
        });
        (connection, events)
    }

    /// Sends a command and waits for its result, at most `timeout`.
    pub async fn call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, CdpError> {
        let rx = self.send(session, method, params)?;
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(CdpError::Closed),
            Err(_) => Err(CdpError::Timeout(method.to_string())),
        }
    }

    /// Sends a command whose result nobody waits for (a failure is logged).
    pub fn post(&self, session: Option<&str>, method: &str, params: Value) {
        if let Ok(rx) = self.send(session, method, params) {
            let method = method.to_string();
            tokio::spawn(async move {
                if let Ok(Err(e @ CdpError::Protocol { .. })) = rx.await {
                    tracing::debug!("{method}: {e}");
                }
            });
        }
    }

    fn send(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<oneshot::Receiver<Result<Value, CdpError>>, CdpError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            message["sessionId"] = Value::String(s.to_string());
        }
        let mut bytes = serde_json::to_vec(&message).expect("a JSON value serialises");
        bytes.push(0);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().expect("pending lock").insert(id, (method.to_string(), tx));
        if self.out.send(bytes).is_err() {
            self.pending.lock().expect("pending lock").remove(&id);
            return Err(CdpError::Closed);
        }
        Ok(rx)
    }
}

async fn read_messages(mut from_browser: pipe::Receiver, pending: &Pending, events: &mpsc::UnboundedSender<Event>) {
    let mut buffer: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut scanned = 0;
    loop {
        let n = match from_browser.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        buffer.extend_from_slice(&chunk[..n]);
        while let Some(end) = buffer[scanned..].iter().position(|&b| b == 0).map(|p| p + scanned) {
            dispatch(&buffer[..end], pending, events);
            buffer.drain(..=end);
            scanned = 0;
        }
        scanned = buffer.len();
        if buffer.len() > MAX_MESSAGE {
            tracing::error!("a DevTools message exceeds {MAX_MESSAGE} bytes: connection closed");
            return;
        }
    }
}

fn dispatch(message: &[u8], pending: &Pending, events: &mpsc::UnboundedSender<Event>) {
    let Ok(mut value) = serde_json::from_slice::<Value>(message) else {
        tracing::debug!("unreadable DevTools message ignored");
        return;
    };
    if let Some(id) = value.get("id").and_then(Value::as_u64) {
        let Some((method, reply)) = pending.lock().expect("pending lock").remove(&id) else { return };
        let result = match value.get_mut("error") {
            Some(error) => Err(CdpError::Protocol {
                method,
                message: error.get("message").and_then(Value::as_str).unwrap_or("unknown error").to_string(),
            }),
            None => Ok(value.get_mut("result").map(Value::take).unwrap_or(Value::Null)),
        };
        let _ = reply.send(result);
        return;
    }
    let Some(method) = value.get("method").and_then(Value::as_str).map(str::to_string) else { return };
    let session = value.get("sessionId").and_then(Value::as_str).map(str::to_string);
    let params = value.get_mut("params").map(Value::take).unwrap_or(Value::Null);
    let _ = events.send(Event { method, session, params });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_go_to_their_command_and_events_to_the_stream() {
        let pending: Pending = Arc::default();
        let (tx, rx) = oneshot::channel();
        pending.lock().unwrap().insert(7, ("Browser.getVersion".into(), tx));
        let (events_tx, mut events) = mpsc::unbounded_channel();
        dispatch(br#"{"id":7,"result":{"product":"Chrome/1"}}"#, &pending, &events_tx);
        dispatch(
            br#"{"method":"Fetch.requestPaused","sessionId":"S1","params":{"requestId":"r"}}"#,
            &pending,
            &events_tx,
        );
        dispatch(b"not json", &pending, &events_tx);
        let reply = rx.blocking_recv().unwrap().unwrap();
        assert_eq!(reply["product"], "Chrome/1");
        let event = events.try_recv().unwrap();
        assert_eq!((event.method.as_str(), event.session.as_deref()), ("Fetch.requestPaused", Some("S1")));
        assert!(events.try_recv().is_err(), "garbage is not an event");
    }

    #[test]
    fn an_error_reply_names_the_method() {
        let pending: Pending = Arc::default();
        let (tx, rx) = oneshot::channel();
        pending.lock().unwrap().insert(1, ("Page.navigate".into(), tx));
        let (events_tx, _events) = mpsc::unbounded_channel();
        dispatch(br#"{"id":1,"error":{"code":-32000,"message":"No target"}}"#, &pending, &events_tx);
        let err = rx.blocking_recv().unwrap().unwrap_err();
        assert_eq!(err.to_string(), "Chromium answered Page.navigate with an error: No target");
    }
}
