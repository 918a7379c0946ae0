//! Hostile or odd servers on loopback, for the tests that show a client holds against them: a
//! [`Served`] router that records every request it receives, and a [`proxy`] in front of the
//! sandbox that passes requests and answers through, rewriting what a test asks it to (a query
//! parameter dropped, an id in the feed made odd, a refusal's message replaced).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub use axum::Router;
pub use axum::http::{Method, StatusCode};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

/// One request as a served router received it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// Header names in lower case, with their values.
    pub headers: Vec<(String, String)>,
}

impl Seen {
    /// The value of header `name` (lower case), if it came.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A router served on a free loopback port until dropped.
pub struct Served {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Served {
    /// Serves `router`, recording every request before it is answered.
    pub async fn start(router: Router) -> Served {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let app = router.layer(middleware::from_fn_with_state(seen.clone(), record));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port");
        let addr = listener.local_addr().expect("an address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Served {
            addr,
            seen,
            _stop: stop,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("not poisoned").clone()
    }
}

async fn record(State(seen): State<Arc<Mutex<Vec<Seen>>>>, req: Request, next: Next) -> Response {
    seen.lock().expect("not poisoned").push(Seen {
        method: req.method().to_string(),
        uri: req
            .uri()
            .path_and_query()
            .map_or_else(|| req.uri().path().to_owned(), |p| p.to_string()),
        headers: req
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
    });
    next.run(req).await
}

/// What a [`proxy`] changes on the way: each hook sees the request's method and path.
#[derive(Clone, Default)]
pub struct Rewrite {
    /// May change a request's query parameters before it goes upstream.
    pub query: Option<QueryHook>,
    /// May change an answer's JSON before it goes back (its status too).
    pub answer: Option<AnswerHook>,
}

pub type QueryHook = Arc<dyn Fn(&Method, &str, &mut Vec<(String, String)>) + Send + Sync>;
pub type AnswerHook =
    Arc<dyn Fn(&Method, &str, &mut StatusCode, &mut serde_json::Value) + Send + Sync>;

impl Rewrite {
    pub fn query(
        mut self,
        f: impl Fn(&Method, &str, &mut Vec<(String, String)>) + Send + Sync + 'static,
    ) -> Self {
        self.query = Some(Arc::new(f));
        self
    }

    pub fn answer(
        mut self,
        f: impl Fn(&Method, &str, &mut StatusCode, &mut serde_json::Value) + Send + Sync + 'static,
    ) -> Self {
        self.answer = Some(Arc::new(f));
        self
    }
}

struct Upstream {
    base: String,
    http: reqwest::Client,
    rewrite: Rewrite,
}

/// A router that passes every request to `upstream` (the sandbox's base URL) and its answer
/// back, through `rewrite`. Serve it with [`Served::start`].
pub fn proxy(upstream: impl Into<String>, rewrite: Rewrite) -> Router {
    let state = Arc::new(Upstream {
        base: upstream.into(),
        http: reqwest::Client::new(),
        rewrite,
    });
    Router::new().fallback(forward).with_state(state)
}

async fn forward(
    State(up): State<Arc<Upstream>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let mut query: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    if let Some(hook) = &up.rewrite.query {
        hook(&method, &path, &mut query);
    }
    let mut req = up
        .http
        .request(method.clone(), format!("{}{path}", up.base))
        .query(&query)
        .body(body);
    for name in ["authorization", "x-api-key", "content-type"] {
        if let Some(v) = headers.get(name) {
            req = req.header(name, v);
        }
    }
    let resp = match req.send().await {
        Ok(resp) => resp,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let mut status = resp.status();
    let bytes = resp.bytes().await.unwrap_or_default();
    let Some(hook) = &up.rewrite.answer else {
        return (status, [("content-type", "application/json")], bytes).into_response();
    };
    let mut json: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(_) => return (status, bytes).into_response(),
    };
    hook(&method, &path, &mut status, &mut json);
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(json.to_string()))
        .expect("a response")
}
