//! The two HTTP clients, behind one small enum: reqwest on tokio, and surf on async-std.
//!
//! The course swaps `requests` (blocking) for `aiohttp` (async) and opens an
//! `aiohttp.ClientSession` with `async with`. The Rust counterpart of that session is
//! `reqwest::Client`: it holds a pool of open connections, so it is built ONCE and shared by every
//! request. Building a client per request (a session per request) throws the pool away and pays
//! a new TCP (and TLS) handshake for every page.
//!
//! surf is the other client the lesson shows. It runs on async-std, and both are no longer
//! maintained upstream: async-std was discontinued in favour of smol, and surf has had no
//! release since 2021. It is here to show that the scraping code does not care which runtime
//! drives it; new code should use reqwest (async, on tokio) or ureq (blocking, no runtime).
//!
//! Everything a page fetch can go wrong with becomes a [`FetchError`], one line of text for the
//! `page 6107: ...` error line. Timeouts and 5xx answers are worth asking again; the rest is not.

use std::fmt;
use std::time::Duration;

use anyhow::{Context, bail};
use futures::AsyncReadExt;

use crate::Settings;

/// Which HTTP client fetches the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClientKind {
    /// reqwest on tokio (the one to use in new code).
    Reqwest,
    /// surf on async-std (both unmaintained upstream; shown for comparison, plain HTTP only).
    Surf,
}

impl fmt::Display for ClientKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClientKind::Reqwest => "reqwest",
            ClientKind::Surf => "surf",
        })
    }
}

/// Why one page could not be fetched. `Display` is the text after `page 6107: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Nobody listens at that address (or the host does not exist).
    Connect(String),
    /// No connection within the connect timeout.
    ConnectTimeout(Duration),
    /// No complete answer within the total timeout.
    Timeout(Duration),
    /// An HTTP status that is neither success nor "no such course" (404).
    Status(u16),
    /// The answer is not an HTML page; holds the content type.
    NotHtml(String),
    /// The body is not valid UTF-8; holds the byte offset of the first bad byte.
    NotUtf8(usize),
    /// The body is longer than `Settings::max_body` (held here, in bytes); reading stopped there.
    TooBig(usize),
    /// The connection closed before the `Content-Length` the server announced had arrived.
    Truncated { got: usize, announced: u64 },
    /// Anything else the client reported.
    Other(String),
}

impl FetchError {
    /// Timeouts and server errors can go away on their own; a refused connection, a 403 or a
    /// page that is not HTML will not, so asking again would only waste time.
    pub fn is_retryable(&self) -> bool {
        match self {
            // A cut connection is as likely to be passing as a timeout.
            FetchError::ConnectTimeout(_)
            | FetchError::Timeout(_)
            | FetchError::Truncated { .. } => true,
            FetchError::Status(status) => (500..600).contains(status),
            _ => false,
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Connect(why) => write!(f, "could not connect: {why}"),
            FetchError::ConnectTimeout(after) => {
                write!(f, "could not connect within {} ms", after.as_millis())
            }
            FetchError::Timeout(after) => write!(f, "timed out after {} ms", after.as_millis()),
            FetchError::Status(status) => write!(f, "HTTP {status} {}", reason(*status)),
            FetchError::NotHtml(content_type) => {
                write!(f, "not an HTML page (content type {content_type})")
            }
            FetchError::NotUtf8(offset) => {
                write!(f, "page is not UTF-8 (invalid byte at offset {offset})")
            }
            FetchError::TooBig(limit) => write!(
                f,
                "page is larger than {} KiB; stopped reading there (see --max-body-kib)",
                limit / 1024
            ),
            FetchError::Truncated { got, announced } => write!(
                f,
                "the connection closed after {got} of the {announced} bytes the server announced"
            ),
            FetchError::Other(why) => f.write_str(why),
        }
    }
}

/// The reason phrase of a status code, e.g. "Internal Server Error" for 500.
fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|status| status.canonical_reason())
        .unwrap_or("")
}

/// What came back for one request, before we judge it.
struct Answer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

/// One client, built once and shared by every request of a run.
// aiohttp.ClientSession -> reqwest::Client (or surf::Client)
pub enum HttpClient {
    Reqwest(reqwest::Client),
    Surf(surf::Client),
}

impl HttpClient {
    /// Builds the client with the timeouts from `settings` (and, for surf, its connection limit).
    ///
    /// `base_url` decides two things: surf here has no TLS, so it refuses `https`; and for a
    /// loopback address proxies are switched off, so the demo site is always reached directly.
    pub fn new(kind: ClientKind, settings: &Settings, base_url: &str) -> anyhow::Result<Self> {
        let url =
            reqwest::Url::parse(base_url).with_context(|| format!("bad base URL {base_url}"))?;
        let host = url
            .host_str()
            .unwrap_or("")
            .trim_start_matches('[')
            .trim_end_matches(']');
        let loopback = host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        match kind {
            ClientKind::Reqwest => {
                // rustls needs a crypto provider; `ring` builds with only a C compiler. Installing
                // twice (a second client in the same process) is harmless, so the error is ignored.
                let _ = rustls::crypto::ring::default_provider().install_default();
                let mut builder = reqwest::Client::builder()
                    .connect_timeout(settings.connect_timeout)
                    .timeout(settings.timeout)
                    .user_agent(concat!("session-09-http/", env!("CARGO_PKG_VERSION")));
                if loopback {
                    builder = builder.no_proxy();
                }
                let client = builder
                    .build()
                    .context("could not build the reqwest client")?;
                Ok(HttpClient::Reqwest(client))
            }
            ClientKind::Surf => {
                if url.scheme() != "http" {
                    bail!(
                        "surf is built here without TLS, so it cannot fetch {base_url}: \
                         use --client reqwest for https"
                    );
                }
                // surf has a single timeout (connect plus exchange); the total timeout is also
                // enforced around the whole fetch in `get_surf`.
                //
                // Keep-alive is off: surf's HTTP/1 pool puts a connection whose request timed out
                // back into the pool, and the next request sent on it waits forever behind the
                // answer that never came. A fresh connection per request avoids that, at the
                // price of a TCP handshake per page (cheap on loopback, not free on the internet).
                let client: surf::Client = surf::Config::new()
                    .set_http_keep_alive(false)
                    .set_timeout(Some(settings.timeout))
                    .set_max_connections_per_host(settings.concurrency.max(1))
                    .try_into()
                    .map_err(|err| anyhow::anyhow!("could not build the surf client: {err}"))?;
                Ok(HttpClient::Surf(client))
            }
        }
    }

    /// Which client this is.
    pub fn kind(&self) -> ClientKind {
        match self {
            HttpClient::Reqwest(_) => ClientKind::Reqwest,
            HttpClient::Surf(_) => ClientKind::Surf,
        }
    }

    /// Waits before a retry, on the timer of the client's own runtime.
    // asyncio.sleep -> tokio::time::sleep / async_std::task::sleep
    pub async fn sleep(&self, pause: Duration) {
        match self {
            HttpClient::Reqwest(_) => tokio::time::sleep(pause).await,
            HttpClient::Surf(_) => async_std::task::sleep(pause).await,
        }
    }

    /// One GET, judged: `Ok(Some(html))` for a page, `Ok(None)` for 404 (no such course),
    /// `Err` for everything else. No retries here; see [`crate::scrape_page`].
    pub async fn fetch_html(
        &self,
        url: &str,
        settings: &Settings,
    ) -> Result<Option<String>, FetchError> {
        let answer = match self {
            // reqwest's own total timeout covers the body too; this one makes sure of it.
            HttpClient::Reqwest(client) => {
                tokio::time::timeout(settings.timeout, get_reqwest(client, url, settings))
                    .await
                    .unwrap_or(Err(FetchError::Timeout(settings.timeout)))?
            }
            HttpClient::Surf(client) => get_surf(client, url, settings).await?,
        };
        match answer.status {
            200..=299 => {}
            404 => return Ok(None),
            status => return Err(FetchError::Status(status)),
        }
        let essence = answer
            .content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if essence != "text/html" && essence != "application/xhtml+xml" {
            let shown = if answer.content_type.is_empty() {
                "missing"
            } else {
                &answer.content_type
            };
            return Err(FetchError::NotHtml(shown.to_string()));
        }
        // Python's response.text() would guess an encoding; we insist on UTF-8 and say so.
        String::from_utf8(answer.body)
            .map(Some)
            .map_err(|err| FetchError::NotUtf8(err.utf8_error().valid_up_to()))
    }
}

/// `async with session.get(url) as response: await response.read()` with reqwest.
async fn get_reqwest(
    client: &reqwest::Client,
    url: &str,
    settings: &Settings,
) -> Result<Answer, FetchError> {
    let classify = |err: reqwest::Error| {
        if err.is_connect() && err.is_timeout() {
            FetchError::ConnectTimeout(settings.connect_timeout)
        } else if err.is_timeout() {
            FetchError::Timeout(settings.timeout)
        } else if err.is_connect() {
            FetchError::Connect(root_cause(&err))
        } else {
            FetchError::Other(root_cause(&err))
        }
    };
    let mut response = client.get(url).send().await.map_err(classify)?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_string();
    // Read the body chunk by chunk and stop at the cap: `response.bytes()` would keep whatever
    // an endless body sends until memory runs out. The total timeout set on the client also
    // covers reading the body.
    let too_big = FetchError::TooBig(settings.max_body);
    if response
        .content_length()
        .is_some_and(|announced| announced > settings.max_body as u64)
    {
        return Err(too_big);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(classify)? {
        if body.len() + chunk.len() > settings.max_body {
            return Err(too_big);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer {
        status,
        content_type,
        body,
    })
}

/// The same GET with surf. surf reports every failure as one error type, so only the total
/// timeout (our own, around the whole fetch) is told apart from the rest.
async fn get_surf(
    client: &surf::Client,
    url: &str,
    settings: &Settings,
) -> Result<Answer, FetchError> {
    let fetch = async {
        let mut response = client
            .get(url)
            .await
            .map_err(|err| surf_error(err, settings))?;
        let status = u16::from(response.status());
        let content_type = response
            .header("content-type")
            .map(|values| values.last().as_str().to_string())
            .unwrap_or_default();
        // Read at most one byte past the cap, so an endless body costs `max_body` bytes of memory.
        let announced = response.len();
        let mut body = Vec::new();
        response
            .take_body()
            .take(settings.max_body as u64 + 1)
            .read_to_end(&mut body)
            .await
            .map_err(|err| surf_error(err.into(), settings))?;
        if body.len() > settings.max_body {
            return Err(FetchError::TooBig(settings.max_body));
        }
        // surf's HTTP/1 client ends the body quietly when the connection closes early, so a page
        // cut short would look complete; reqwest reports it. Compare with Content-Length.
        if let Some(announced) = announced
            && body.len() < announced
        {
            return Err(FetchError::Truncated {
                got: body.len(),
                announced: announced as u64,
            });
        }
        Ok(Answer {
            status,
            content_type,
            body,
        })
    };
    async_std::future::timeout(settings.timeout, fetch)
        .await
        .unwrap_or(Err(FetchError::Timeout(settings.timeout)))
}

/// surf's errors carry only a message; a refused connection is still worth naming as such.
fn surf_error(err: surf::Error, settings: &Settings) -> FetchError {
    let message = err.to_string();
    if message.contains("refused") {
        FetchError::Connect("connection refused".to_string())
    } else if message.contains("os error") {
        FetchError::Connect(message)
    } else if message.contains("timed out") {
        // surf's own timeout (the one set on its Config) fired before ours.
        FetchError::Timeout(settings.timeout)
    } else {
        FetchError::Other(message)
    }
}

/// The innermost cause of an error ("Connection refused (os error 111)"), which says more than
/// reqwest's outer "error sending request for url (...)".
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    let text = cause.to_string();
    if text.to_ascii_lowercase().contains("refused") {
        "connection refused".to_string()
    } else {
        text
    }
}
