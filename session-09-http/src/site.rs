//! The demo course site, so the lab needs no internet: axum on tokio, on 127.0.0.1 only, serving
//! `/c/{id}` as the course's site did, each page after a latency (the client's waiting is what
//! concurrency wins back), some misbehaving on purpose ([`Fault`]).

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use reqwest::Url;

/// Course titles as HTML, entities and all (`&amp;`, `&#8211;`), as a scraper meets them on a
/// real site. Page `id` has `TITLES[id % 8]` and its id; every eighth page has no course.
pub const TITLES: [&str; 8] = [
    "آموزش پایتون",
    "Python &amp; Django",
    "برنامه\u{200c}نویسی ناهمزمان",
    "FastAPI &#8211; a REST API",
    "Templates: from &lt;div&gt; to components",
    "Caf&eacute; &amp; co",
    "&quot;Clean code&quot;",
    "آموزش داکر",
];

/// The title of page `id` as HTML; `None` outside 6100..=6140, at every eighth id (6104, 6112,
/// ...), and at 6119, which answers 200 with a page that has no title.
pub fn title_html(id: u32) -> Option<String> {
    let course = (6100..=6140).contains(&id) && !id.is_multiple_of(8) && id != COMING_SOON;
    course.then(|| format!("{} {id}", TITLES[id as usize % 8]))
}

/// The id without a course that still answers 200 ("coming soon"), instead of 404.
pub const COMING_SOON: u32 = 6119;

/// A way for one page to fail, so each failure the client must survive can be shown and tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Accept the request and never answer: only the client's timeout ends the wait.
    Hang,
    /// Answer `status` to the first `times` requests (`u32::MAX`: always), then the real page.
    FailFirst { times: u32, status: u16 },
    /// Answer 200 `text/html` whose bytes are Windows-1256, not UTF-8.
    NotUtf8,
}

/// Everything that shapes the demo site.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// Every page waits exactly this long (the figures use 200 ms); `None`: each page its own
    /// 100-400 ms, the same on every run, so the sequential and concurrent runs compare fairly.
    pub latency: Option<Duration>,
    pub faults: HashMap<u32, Fault>,
}

impl SiteConfig {
    /// Every page answers after `latency`, none fails.
    pub fn new(latency: Option<Duration>) -> Self {
        let faults = HashMap::new();
        SiteConfig { latency, faults }
    }

    /// Every page answers after exactly `latency`.
    pub fn fixed(latency: Duration) -> Self {
        SiteConfig::new(Some(latency))
    }

    /// Adds a fault to page `id`.
    pub fn with_fault(mut self, id: u32, fault: Fault) -> Self {
        self.faults.insert(id, fault);
        self
    }

    /// One page of each failure kind (`--demo-faults`): a learner sees every error line once.
    pub fn with_demo_faults(self) -> Self {
        let once = Fault::FailFirst {
            times: 1,
            status: 503,
        };
        let forbidden = Fault::FailFirst {
            times: u32::MAX,
            status: 403,
        };
        self.with_fault(6107, Fault::Hang)
            .with_fault(6113, once)
            .with_fault(6126, Fault::NotUtf8)
            .with_fault(6133, forbidden)
    }
}

/// What the request handler shares: the configuration and a count of requests per id.
struct SiteState {
    config: SiteConfig,
    hits: Mutex<HashMap<u32, u32>>,
}

/// A running demo site. Dropping it stops the server.
pub struct DemoSite {
    addr: SocketAddr,
    state: Arc<SiteState>,
    server: tokio::task::JoinHandle<()>,
}

impl DemoSite {
    /// Binds 127.0.0.1:`port` (0 = any free port) and serves in a task on the current tokio
    /// runtime. Returns once the socket is listening, so requests can be sent at once.
    pub async fn start(config: SiteConfig, port: u16) -> std::io::Result<DemoSite> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let addr = listener.local_addr()?;
        let hits = Mutex::new(HashMap::new());
        let state = Arc::new(SiteState { config, hits });
        let app = Router::new()
            .route("/c/{id}", get(course_page))
            .with_state(Arc::clone(&state));
        // The accept loop only ends on an accept error on a loopback socket; nothing to do then.
        let server = tokio::spawn(async move { drop(axum::serve(listener, app).await) });
        Ok(DemoSite {
            addr,
            state,
            server,
        })
    }

    /// The address the site listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base the scraper appends `/{id}` to, e.g. `http://127.0.0.1:40123/c`.
    pub fn base_url(&self) -> Url {
        Url::parse(&format!("http://{}/c", self.addr)).expect("an address makes a valid URL")
    }

    /// How many requests page `id` has received (the retry test checks 500-then-200 took two).
    pub fn hits(&self, id: u32) -> u32 {
        let hits = self.state.hits.lock().unwrap_or_else(|e| e.into_inner());
        hits.get(&id).copied().unwrap_or(0)
    }
}

impl Drop for DemoSite {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// `/c/{id}`: wait the page's latency, then answer (or misbehave, if the page has a fault).
async fn course_page(Path(id): Path<String>, State(state): State<Arc<SiteState>>) -> Response {
    let not_found = (
        StatusCode::NOT_FOUND,
        Html(page("", "<p>No such course.</p>")),
    );
    let Ok(id) = id.parse::<u32>() else {
        return not_found.into_response();
    };
    let hit = {
        let mut hits = state.hits.lock().unwrap_or_else(|e| e.into_inner());
        let count = hits.entry(id).or_insert(0);
        *count += 1;
        *count
    };
    let varied = Duration::from_millis(100 + u64::from(id) * 7919 % 301);
    tokio::time::sleep(state.config.latency.unwrap_or(varied)).await;
    let status = |code| StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match state.config.faults.get(&id).copied() {
        Some(Fault::Hang) => std::future::pending().await,
        Some(Fault::FailFirst {
            times,
            status: code,
        }) if hit <= times => (status(code), "a bad moment; try again\n").into_response(),
        Some(Fault::NotUtf8) => {
            // "دوره" (course) in Windows-1256: bytes a UTF-8 decoder must reject.
            let mut body = b"<html><body><div class=\"right-side\"><h1>".to_vec();
            body.extend_from_slice(&[0xcf, 0xe6, 0xd1, 0xe5]);
            body.extend_from_slice(b"</h1></div></body></html>\n");
            let html = [(header::CONTENT_TYPE, "text/html; charset=windows-1256")];
            (html, body).into_response()
        }
        Some(Fault::FailFirst { .. }) | None => {
            match title_html(id) {
                Some(title) => {
                    // The title is the `h1` inside `.right-side`; the header's `h1` is not.
                    let course =
                        format!("<h1>\n    {title}\n  </h1>\n  <p>Lessons, a certificate.</p>");
                    Html(page(&title, &course)).into_response()
                }
                _ if id == COMING_SOON => {
                    Html(page("Coming soon", "<p>Coming soon.</p>")).into_response()
                }
                _ => not_found.into_response(),
            }
        }
    }
}

/// A page shaped like the original site's: a header with an `h1` of its own (a selector of just
/// `h1` would pick it), then `content` inside `<div class="right-side">`.
fn page(title: &str, content: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"fa\" dir=\"rtl\">\n<head><meta charset=\"utf-8\">\
         <title>{title} | Demo course site</title></head>\n<body>\n\
         <header><h1>Demo course site</h1></header>\n<main>\n\
         <div class=\"right-side\">\n  {content}\n</div>\n</main>\n</body>\n</html>\n"
    )
}
