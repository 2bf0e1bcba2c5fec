//! The two HTTP clients, behind one small enum: reqwest on tokio, and surf on async-std.
//!
//! `aiohttp.ClientSession` -> `reqwest::Client`: a pool of open connections, built ONCE and
//! shared by every request. Both clients speak plain HTTP only: the lesson's site is local.
//!
//! surf and async-std are no longer maintained upstream (async-std's successor is smol; surf has
//! had no release since 2021). surf is here to show that the scraping code does not care which
//! runtime drives it; new code should use reqwest (on tokio) or ureq (blocking, no runtime).
//!
//! Every failure becomes a [`FetchError`], whose text never holds the URL.

use std::error::Error;
use std::io::{self, ErrorKind::*};
use std::time::Duration;

use futures::AsyncReadExt;
use reqwest::Url;
use reqwest::header::{CONTENT_LENGTH, TRANSFER_ENCODING};

use crate::Settings;

/// Which HTTP client fetches the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClientKind {
    /// reqwest on tokio (the one to use in new code).
    Reqwest,
    /// surf on async-std (both unmaintained upstream; shown for comparison).
    Surf,
}

impl std::fmt::Display for ClientKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ClientKind::Reqwest => "reqwest",
            ClientKind::Surf => "surf",
        })
    }
}

/// Why one page could not be fetched. `Display` is the text after `page 6107: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// Nobody listens at that address (or the host does not exist).
    #[error("could not connect: {0}")]
    Connect(String),
    /// No complete answer within the total timeout.
    #[error("timed out after {} ms", .0.as_millis())]
    Timeout(Duration),
    /// The connection broke (reset, or closed) in the middle of the answer.
    #[error("the connection broke during the answer: {0}")]
    Broken(String),
    /// An HTTP status that is neither success nor "no such course" (404).
    #[error("HTTP {0}")]
    Status(reqwest::StatusCode),
    /// The body is not valid UTF-8; holds the byte offset of the first bad byte.
    #[error("page is not UTF-8 (invalid byte at offset {0})")]
    NotUtf8(usize),
    /// The body is longer than `Settings::max_body` (held here, in bytes); reading stopped there.
    #[error("page is larger than {} KiB; stopped reading there (see --max-body-kib)", .0 / 1024)]
    TooBig(usize),
    /// The connection closed before the `Content-Length` the server announced had arrived.
    #[error("the connection closed after {got} of the {announced} bytes the server announced")]
    Truncated { got: usize, announced: u64 },
    /// The body has no length and is not chunked: it ends when the connection closes, which
    /// surf's HTTP/1 client does not read (it sees an empty body).
    #[error("the answer has no length and is not chunked, which surf cannot read: try reqwest")]
    CloseDelimited,
    /// The page arrived, but reading its title did not end within the timeout.
    #[error("the page took longer than {} ms to fetch and read", .0.as_millis())]
    SlowPage(Duration),
    /// Anything else the client reported.
    #[error("{0}")]
    Other(String),
}

impl FetchError {
    /// Timeouts, cut connections and server errors can go away on their own; a refused
    /// connection, a 403 or a page that is not HTML will not: asking again would waste time.
    pub fn is_retryable(&self) -> bool {
        match self {
            FetchError::Timeout(_) | FetchError::Broken(_) | FetchError::Truncated { .. } => true,
            FetchError::Status(status) => status.is_server_error(),
            _ => false,
        }
    }

    /// The site could not be reached: refused, or no answer in time.
    pub fn is_unreachable(&self) -> bool {
        use FetchError::*;
        matches!(self, Connect(_) | Timeout(_))
    }
}

/// One client, built once and shared by every request of a run.
// aiohttp.ClientSession -> reqwest::Client (or surf::Client)
pub enum HttpClient {
    Reqwest(reqwest::Client),
    Surf(surf::Client),
}

impl HttpClient {
    /// Builds the client with the timeouts from `settings` (and, for surf, its connection limit).
    pub fn new(kind: ClientKind, settings: &Settings) -> anyhow::Result<Self> {
        Ok(match kind {
            ClientKind::Reqwest => {
                // No HTTP_PROXY: the lab talks to the site itself, as surf does.
                let builder = reqwest::Client::builder().no_proxy();
                HttpClient::Reqwest(builder.timeout(settings.timeout).build()?)
            }
            // Keep-alive is off: surf's HTTP/1 pool puts a connection whose request timed out
            // back into the pool, and the next request sent on it waits forever behind the
            // answer that never came. Its timeout is ours, around the whole fetch (`get_surf`).
            ClientKind::Surf => HttpClient::Surf(
                surf::Config::new()
                    .set_http_keep_alive(false)
                    .set_timeout(None)
                    .set_max_connections_per_host(settings.concurrency.max(1))
                    .try_into()?,
            ),
        })
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
        url: &Url,
        settings: &Settings,
    ) -> Result<Option<String>, FetchError> {
        // The total timeout covers connect, answer and body: reqwest's own, and ours for surf.
        let answer = match self {
            HttpClient::Reqwest(client) => get_reqwest(client, url, settings).await?,
            HttpClient::Surf(client) => {
                let get = get_surf(client, url, settings);
                let timeout = async_std::future::timeout(settings.timeout, get).await;
                timeout.map_err(|_| FetchError::Timeout(settings.timeout))??
            }
        };
        let (status, body) = answer;
        match status.as_u16() {
            200..=299 => {}
            404 => return Ok(None),
            _ => return Err(FetchError::Status(status)),
        }
        // Python's response.text() would guess an encoding; we insist on UTF-8 and say so.
        String::from_utf8(body)
            .map(Some)
            .map_err(|err| FetchError::NotUtf8(err.utf8_error().valid_up_to()))
    }
}

/// `async with session.get(url) as response: await response.read()` with reqwest.
async fn get_reqwest(
    client: &reqwest::Client,
    url: &Url,
    settings: &Settings,
) -> Result<(reqwest::StatusCode, Vec<u8>), FetchError> {
    let classify = |err: reqwest::Error| {
        // reqwest's own message names the URL, which may carry a token: only its causes count.
        let err = err.without_url();
        if err.is_timeout() {
            FetchError::Timeout(settings.timeout)
        } else if err.is_connect() {
            FetchError::Connect(cause(&err))
        } else if err.is_body() || err.is_decode() || err.is_request() {
            FetchError::Broken(cause(&err))
        } else {
            FetchError::Other(cause(&err))
        }
    };
    let mut response = client.get(url.clone()).send().await.map_err(classify)?;
    let too_big = FetchError::TooBig(settings.max_body);
    if response
        .content_length()
        .is_some_and(|announced| announced > settings.max_body as u64)
    {
        return Err(too_big);
    }
    let status = response.status();
    // Read the body chunk by chunk and stop at the cap: `response.bytes()` would keep whatever
    // an endless body sends until memory runs out.
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(classify)? {
        if body.len() + chunk.len() > settings.max_body {
            return Err(too_big);
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, body))
}

/// The same GET with surf.
async fn get_surf(
    client: &surf::Client,
    url: &Url,
    settings: &Settings,
) -> Result<(reqwest::StatusCode, Vec<u8>), FetchError> {
    let mut response =
        client
            .get(url.as_str())
            .await
            .map_err(|err| match err.downcast_ref::<io::Error>() {
                // A connection that broke after it was made.
                Some(err) if matches!(err.kind(), ConnectionReset | ConnectionAborted) => {
                    FetchError::Broken(err.to_string())
                }
                Some(err) => FetchError::Connect(err.to_string()),
                None => FetchError::Other(err.to_string()),
            })?;
    let announced = response.len();
    // async-h1 reads a body without a length as empty, so a page would look like no course.
    let chunked = response
        .header(TRANSFER_ENCODING.as_str())
        .is_some_and(|values| values.last().as_str().eq_ignore_ascii_case("chunked"));
    if response.header(CONTENT_LENGTH.as_str()).is_none() && !chunked {
        return Err(FetchError::CloseDelimited);
    }
    let status = reqwest::StatusCode::from_u16(response.status().into())
        .map_err(|_| FetchError::Other("an invalid HTTP status".into()))?;
    // Read at most one byte past the cap, so an endless body costs `max_body` bytes of memory.
    let mut body = Vec::new();
    response
        .take_body()
        .take(settings.max_body as u64 + 1)
        .read_to_end(&mut body)
        .await
        .map_err(|err| FetchError::Broken(err.to_string()))?;
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
    Ok((status, body))
}

/// What went wrong underneath reqwest's "error sending request": the innermost cause, such as
/// "Connection refused (os error 111)".
fn cause(err: &(dyn Error + 'static)) -> String {
    let mut inner = err;
    while let Some(source) = inner.source() {
        inner = source;
    }
    inner.to_string()
}
