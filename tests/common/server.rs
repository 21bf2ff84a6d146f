//! A real HTTP server on a loopback address for crawl tests: programmable routes, and a log of every request it received (path, time, headers).
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::http::{HeaderMap, Request, Response, StatusCode};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Path and query, as requested.
    pub target: String,
    pub at: Instant,
    pub headers: HeaderMap,
}

type Handler = Arc<dyn Fn(&Hit, usize) -> Response<Body> + Send + Sync>;

#[derive(Clone, Default)]
struct State {
    hits: Arc<Mutex<Vec<Hit>>>,
    routes: Arc<Mutex<HashMap<String, Handler>>>,
}

pub struct TestServer {
    pub addr: SocketAddr,
    state: State,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A response with a status, headers and a body.
pub fn response(status: u16, headers: &[(&str, &str)], body: impl Into<Body>) -> Response<Body> {
    let mut r = Response::builder().status(StatusCode::from_u16(status).unwrap());
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.body(body.into()).unwrap()
}

pub fn html(body: &str) -> Response<Body> {
    response(200, &[("content-type", "text/html; charset=utf-8")], body.to_string())
}

impl TestServer {
    /// Starts a server on `ip` (any 127.0.0.0/8 address), on a free port.
    pub async fn start(ip: &str) -> TestServer {
        let listener = tokio::net::TcpListener::bind((ip, 0)).await.expect("bind a loopback port");
        let addr = listener.local_addr().unwrap();
        let state = State::default();
        let served = state.clone();
        let app = axum::Router::new().fallback(move |req: Request<Body>| {
            let state = served.clone();
            async move { serve(state, req) }
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        TestServer { addr, state, task }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Serves `body` as HTML at `path`.
    pub fn page(&self, path: &str, body: &str) {
        let body = body.to_string();
        self.route(path, move |_, _| html(&body));
    }

    /// Serves whatever `f` answers at `path`; `f` gets the request and how many came before it on this path.
    pub fn route(&self, path: &str, f: impl Fn(&Hit, usize) -> Response<Body> + Send + Sync + 'static) {
        self.state.routes.lock().unwrap().insert(path.to_string(), Arc::new(f));
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.state.hits.lock().unwrap().clone()
    }

    pub fn hits_on(&self, target: &str) -> Vec<Hit> {
        self.hits().into_iter().filter(|h| h.target == target).collect()
    }

    /// Requests for pages, robots.txt left out.
    pub fn page_hits(&self) -> Vec<Hit> {
        self.hits().into_iter().filter(|h| h.target != "/robots.txt").collect()
    }
}

fn serve(state: State, req: Request<Body>) -> Response<Body> {
    let target = req.uri().path_and_query().map_or_else(|| req.uri().path().to_string(), |p| p.as_str().to_string());
    let hit = Hit { target: target.clone(), at: Instant::now(), headers: req.headers().clone() };
    let n = {
        let mut hits = state.hits.lock().unwrap();
        let n = hits.iter().filter(|h| h.target == target).count();
        hits.push(hit.clone());
        n
    };
    let handler = {
        let routes = state.routes.lock().unwrap();
        routes.get(&target).or_else(|| routes.get(req.uri().path())).cloned()
    };
    match handler {
        Some(h) => h(&hit, n),
        None => response(404, &[("content-type", "text/html")], "<h1>Not found</h1>"),
    }
}
