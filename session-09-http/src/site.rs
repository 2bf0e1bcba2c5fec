//! The demo course site: a small web server inside the program, so the lesson needs no internet.
//!
//! The Python course scraped a real course site, one page per course id. A lesson that depends on
//! somebody else's site breaks when that site changes, is slow, or blocks scrapers, and it makes
//! every run of every learner hit a stranger's server. So the program brings its own site: axum on
//! tokio, bound to 127.0.0.1 only, serving `/c/{id}` the way the original did. Each page answers
//! after a latency (seeded, so every run sees the same delays, or fixed with `--latency-ms`),
//! which is what makes concurrency pay off: the client spends nearly all its time waiting.
//!
//! The site can also misbehave on purpose ([`Fault`]): a page that never answers, one that
//! answers 500 and then 200, one that is not HTML, one that is not UTF-8. The tests use these to
//! check that each failure becomes one clear line and the run goes on.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

/// The course pages of the demo site: `(id, title as it appears in the HTML)`.
///
/// Titles are stored *as HTML*, entities and all (`&amp;`, `&#8211;`, `&eacute;`), because
/// that is what a scraper meets on a real site; the parser must decode them. `None` means the
/// id has no course: most of those answer 404, one answers 200 with a page that has no title.
pub const CATALOGUE: [(u32, Option<&str>); 41] = [
    (6100, Some("آموزش پایتون مقدماتی")),
    (6101, Some("Python &amp; Django: build a shop")),
    (6102, Some("برنامه\u{200c}نویسی ناهمزمان در پایتون")),
    (6103, Some("Async Python: asyncio from the ground up")),
    (6104, None),
    (6105, Some("FastAPI &#8211; a REST API in a weekend")),
    (6106, Some("آموزش جنگو")),
    (6107, Some("Templates: from &lt;div&gt; to components")),
    (6108, Some("Web scraping with BeautifulSoup")),
    (6109, Some("Git &amp; GitHub for teams")),
    (6110, Some("آموزش داکر (Docker)")),
    (6111, None),
    (6112, Some("PostgreSQL for Python developers")),
    (6113, Some("Redis &#x2014; caching and queues")),
    (6114, Some("لینوکس برای برنامه\u{200c}نویسان")),
    (6115, Some("Testing with pytest")),
    (6116, Some("Celery &amp; background jobs")),
    (6117, Some("&quot;Clean code&quot; in Python")),
    (6118, Some("آموزش جاوااسکریپت")),
    (6119, None),
    (6120, Some("React from scratch")),
    (6121, Some("TypeScript &amp; Node.js")),
    (6122, Some("الگوریتم\u{200c}ها و ساختمان داده")),
    (6123, Some("Machine learning with scikit-learn")),
    (6124, Some("NumPy &amp; pandas")),
    (6125, Some("Rust for Python programmers")),
    (6126, Some("آموزش گو (Go)")),
    (6127, None),
    (6128, Some("Regular expressions")),
    (6129, Some("Linux shell scripting")),
    (6130, Some("HTML &amp; CSS basics")),
    (6131, Some("امنیت وب")),
    (6132, Some("Design patterns")),
    (6133, Some("Flask in practice")),
    (6134, Some("MongoDB &amp; motor")),
    (6135, None),
    (6136, Some("Kubernetes basics")),
    (6137, Some("آموزش SQL")),
    (6138, Some("Networking for developers")),
    (6139, Some("Caf&eacute; &amp; co: a project course")),
    (6140, Some("مصاحبه\u{200c}های برنامه\u{200c}نویسی")),
];

/// The id without a course that still answers 200 ("coming soon"), instead of 404.
const COMING_SOON: u32 = 6119;

/// How long a page takes to answer.
#[derive(Debug, Clone, Copy)]
pub enum Latency {
    /// Every page waits exactly this long (the benchmark figures use 200 ms).
    Fixed(Duration),
    /// Each id gets its own latency between `min` and `max`, drawn from `seed`: the same on every
    /// run and for both modes, so sequential and concurrent runs are compared fairly.
    Seeded {
        seed: u64,
        min: Duration,
        max: Duration,
    },
}

impl Latency {
    /// The latency of page `id`.
    pub fn for_page(self, id: u32) -> Duration {
        match self {
            Latency::Fixed(latency) => latency,
            Latency::Seeded { seed, min, max } => {
                let mut rng =
                    fastrand::Rng::with_seed(seed ^ u64::from(id).wrapping_mul(0x9E37_79B9));
                let span = max.saturating_sub(min).as_millis() as u64;
                min + Duration::from_millis(rng.u64(0..=span))
            }
        }
    }
}

/// A way for one page to fail, so each failure the client must survive can be shown and tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Accept the request and never answer: only the client's timeout ends the wait.
    Hang,
    /// Answer `status` (a 5xx) to the first `times` requests, then the real page.
    FailFirst { times: u32, status: u16 },
    /// Answer 200 with JSON instead of HTML.
    NotHtml,
    /// Answer 200 `text/html` whose bytes are Windows-1256, not UTF-8.
    NotUtf8,
    /// Always answer this status (e.g. 403).
    Status(u16),
}

/// Everything that shapes the demo site.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub latency: Latency,
    pub faults: HashMap<u32, Fault>,
}

impl Default for SiteConfig {
    /// The site `cargo run` scrapes: seeded latency of 100-400 ms per page, no faults.
    fn default() -> Self {
        SiteConfig {
            latency: Latency::Seeded {
                seed: 9,
                min: Duration::from_millis(100),
                max: Duration::from_millis(400),
            },
            faults: HashMap::new(),
        }
    }
}

impl SiteConfig {
    /// The default site with every page answering after exactly `latency`.
    pub fn fixed(latency: Duration) -> Self {
        SiteConfig {
            latency: Latency::Fixed(latency),
            ..SiteConfig::default()
        }
    }

    /// Adds a fault to page `id`.
    pub fn with_fault(mut self, id: u32, fault: Fault) -> Self {
        self.faults.insert(id, fault);
        self
    }

    /// One page of each failure kind (`--demo-faults`): a learner sees every error line once.
    pub fn with_demo_faults(self) -> Self {
        self.with_fault(6107, Fault::Hang)
            .with_fault(
                6113,
                Fault::FailFirst {
                    times: 1,
                    status: 503,
                },
            )
            .with_fault(6121, Fault::NotHtml)
            .with_fault(6126, Fault::NotUtf8)
            .with_fault(6133, Fault::Status(403))
    }
}

/// What the request handler shares: the configuration and a count of requests per id.
struct SiteState {
    config: SiteConfig,
    hits: Mutex<HashMap<u32, u32>>,
}

/// A running demo site. Dropping it stops accepting new connections.
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
        let state = Arc::new(SiteState {
            config,
            hits: Mutex::new(HashMap::new()),
        });
        let app = Router::new()
            .route("/", get(index))
            .route("/c/{id}", get(course_page))
            .with_state(Arc::clone(&state));
        let server = tokio::spawn(async move {
            // The accept loop only ends on an accept error on a loopback socket; nothing to do then.
            let _ = axum::serve(listener, app).await;
        });
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
    pub fn base_url(&self) -> String {
        format!("http://{}/c", self.addr)
    }

    /// How many requests page `id` has received (the retry test checks 500-then-200 took two).
    pub fn hits(&self, id: u32) -> u32 {
        let hits = self
            .state
            .hits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        hits.get(&id).copied().unwrap_or(0)
    }
}

impl Drop for DemoSite {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// `/`: a list of links, for a learner who opens the site in a browser.
async fn index() -> Html<String> {
    let links: String = CATALOGUE
        .iter()
        .map(|(id, _)| format!("<li><a href=\"/c/{id}\">/c/{id}</a></li>\n"))
        .collect();
    Html(format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Demo course site</title></head>\n\
         <body><h1>Demo course site</h1><ul>\n{links}</ul></body></html>\n"
    ))
}

/// `/c/{id}`: wait the page's latency, then answer (or misbehave, if the page has a fault).
async fn course_page(Path(id): Path<String>, State(state): State<Arc<SiteState>>) -> Response {
    let Ok(id) = id.parse::<u32>() else {
        return (StatusCode::NOT_FOUND, Html(no_course_page())).into_response();
    };
    let hit = {
        let mut hits = state
            .hits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = hits.entry(id).or_insert(0);
        *count += 1;
        *count
    };
    tokio::time::sleep(state.config.latency.for_page(id)).await;

    match state.config.faults.get(&id).copied() {
        Some(Fault::Hang) => std::future::pending::<Response>().await,
        Some(Fault::FailFirst { times, status }) if hit <= times => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, "the server is having a bad moment; try again\n").into_response()
        }
        Some(Fault::NotHtml) => (
            [(header::CONTENT_TYPE, "application/json")],
            format!("{{\"id\":{id},\"title\":\"not a web page\"}}\n"),
        )
            .into_response(),
        Some(Fault::NotUtf8) => {
            // "دوره" (course) in Windows-1256: bytes a UTF-8 decoder must reject.
            let mut body = b"<html><body><div class=\"right-side\"><h1>".to_vec();
            body.extend_from_slice(&[0xcf, 0xe6, 0xd1, 0xe5]);
            body.extend_from_slice(b"</h1></div></body></html>\n");
            (
                [(header::CONTENT_TYPE, "text/html; charset=windows-1256")],
                body,
            )
                .into_response()
        }
        Some(Fault::Status(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN);
            (status, Html(no_course_page())).into_response()
        }
        Some(Fault::FailFirst { .. }) | None => match catalogue_title(id) {
            Some(title) => Html(course_html(title)).into_response(),
            None if id == COMING_SOON => Html(coming_soon_page()).into_response(),
            None => (StatusCode::NOT_FOUND, Html(no_course_page())).into_response(),
        },
    }
}

/// The title of `id` as HTML, if the catalogue has a course there.
fn catalogue_title(id: u32) -> Option<&'static str> {
    CATALOGUE
        .iter()
        .find(|(page, _)| *page == id)
        .and_then(|(_, title)| *title)
}

/// A course page shaped like the original site's: the title is the `h1` inside `.right-side`.
/// The header has an `h1` of its own, so a selector of just `h1` would pick the wrong one.
fn course_html(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"fa\" dir=\"rtl\">\n<head><meta charset=\"utf-8\">\
         <title>{title} | Demo course site</title></head>\n<body>\n\
         <header><h1>Demo course site</h1></header>\n<main>\n\
         <div class=\"right-side\">\n  <h1>\n    {title}\n  </h1>\n  <p>Lessons, exercises, a certificate.</p>\n</div>\n\
         <aside class=\"left-side\"><h2>Price</h2><p>Free</p></aside>\n</main>\n</body>\n</html>\n"
    )
}

/// A page with a `.right-side` but no `h1`: the course is announced but not there.
fn coming_soon_page() -> String {
    "<!DOCTYPE html>\n<html lang=\"fa\" dir=\"rtl\">\n<head><meta charset=\"utf-8\"><title>Coming soon</title></head>\n\
     <body><header><h1>Demo course site</h1></header>\n\
     <main><div class=\"right-side\"><p>This course is coming soon.</p></div></main></body></html>\n"
        .to_string()
}

/// The 404 page: no `.right-side` at all.
fn no_course_page() -> String {
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Not found</title></head>\n\
     <body><header><h1>Demo course site</h1></header><p>There is no such course.</p></body></html>\n"
        .to_string()
}
