//! Session 9: fetch many web pages at once, and scrape a title out of each.
//!
//! The course's program asks a course site for 41 pages, ids 6100 to 6140. Done one after
//! another with `requests`, the program spends almost all of its time *waiting*: the request goes
//! out, the server thinks for a few hundred milliseconds, the answer comes back, and only then
//! does the next request leave. The course switches to `aiohttp`, starts one task per page and
//! awaits them in order: now all 41 waits overlap, and the total comes close to the latency of
//! ONE page instead of the sum of all of them.
//!
//! This crate does the same thing in Rust and keeps the parts the Python version skipped, because
//! a real scraper needs them:
//! - one shared client ([`HttpClient`]) with a connect timeout and a total timeout, so a page
//!   that never answers costs a bounded time and not the whole run;
//! - *bounded* concurrency (`--concurrency`, default 10): 41 pages at once is fine, 41,000 at
//!   once would open 41,000 sockets and look like an attack to the site;
//! - a cap on the bytes read from one page ([`Settings::max_body`]), so a site that streams an
//!   endless body costs a few MiB and not all the memory;
//! - a retry with exponential backoff for timeouts and 5xx answers, which are often passing;
//! - every failure as one line, `page 6107: timed out after 5000 ms (3 attempts)`, while the run
//!   goes on.
//!
//! The title comes out of the HTML with a real parser (`scraper`, the Rust counterpart of
//! BeautifulSoup) and the course's CSS selector `.right-side h1`, so entities like `&amp;` and
//! Persian text come out right. Page text is a stranger's text: [`clean_text`] drops the control
//! characters that would drive the reader's terminal, and [`redact`] masks the password of a
//! `user:password@` URL before anything is printed.
//!
//! The course's own program, one file as the course wrote it, is `examples/async_scrap.rs`.
//!
//! [`site`] is the demo course site the program scrapes by default; [`clients`] holds reqwest
//! and surf.

pub mod clients;
pub mod site;

use std::ops::RangeInclusive;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use futures::StreamExt;
use scraper::{Html, Selector};

pub use clients::{ClientKind, FetchError, HttpClient};

/// The course pages the Python program scraped.
pub const COURSE_IDS: RangeInclusive<u32> = 6100..=6140;

/// What the course prints for a page without a title.
pub const NO_COURSE: &str = "There is no course";

/// The course's CSS selector for a course title.
pub const TITLE_SELECTOR: &str = ".right-side h1";

/// Most pages one run may ask for, so a typo in `--ids` cannot hammer a site.
pub const MAX_PAGES: u32 = 10_000;

/// The default cap on one page's body: 4 MiB, about a hundred times a real course page.
pub const DEFAULT_MAX_BODY: usize = 4 * 1024 * 1024;

/// How the client behaves: limits, timeouts and retries.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Most requests in flight at once in concurrent mode.
    pub concurrency: usize,
    /// How many times a timed-out or 5xx page is asked again.
    pub retries: u32,
    /// Longest wait for a connection.
    pub connect_timeout: Duration,
    /// Longest wait for one whole request: connect, answer and body.
    pub timeout: Duration,
    /// Pause before the first retry; it doubles before each next one.
    pub backoff: Duration,
    /// Most bytes read from one page's body; a longer page is an error, not a full memory.
    pub max_body: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            concurrency: 10,
            retries: 2,
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
            backoff: Duration::from_millis(100),
            max_body: DEFAULT_MAX_BODY,
        }
    }
}

/// One page after another, or many at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Sequential,
    Concurrent,
}

impl Mode {
    /// The name used in output and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Sequential => "sequential",
            Mode::Concurrent => "concurrent",
        }
    }
}

/// What became of one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The page has a course; this is its title, entities decoded, whitespace collapsed.
    Title(String),
    /// The site answered, but there is no course there (404, or no `.right-side h1`).
    Missing,
    /// The page could not be fetched, even after retries.
    Failed(FetchError),
}

/// One page's id and outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub id: u32,
    pub outcome: Outcome,
    /// Requests it took: 1, or more when timeouts or 5xx answers were retried.
    pub attempts: u32,
}

impl Page {
    /// The line the course prints for this page: the title or `There is no course`.
    /// `None` for a failed page, whose line is [`Page::error_line`].
    pub fn title_line(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Title(title) => Some(title),
            Outcome::Missing => Some(NO_COURSE),
            Outcome::Failed(_) => None,
        }
    }

    /// `page 6107: timed out after 5000 ms (3 attempts)` for a failed page.
    pub fn error_line(&self) -> Option<String> {
        let error = clean_text(&self.error_text()?);
        Some(match self.attempts {
            1 => format!("page {}: {error}", self.id),
            attempts => format!("page {}: {error} ({attempts} attempts)", self.id),
        })
    }

    /// The failure alone, without the page id or the attempts (`could not connect: ...`), so
    /// that many pages failing the same way can be counted as one kind.
    pub fn error_text(&self) -> Option<String> {
        match &self.outcome {
            Outcome::Failed(error) => Some(clean_text(&error.to_string())),
            _ => None,
        }
    }
}

/// One scrape of the whole id range in one mode.
#[derive(Debug, Clone)]
pub struct Run {
    pub mode: Mode,
    pub total: Duration,
    /// In id order, whatever order the answers arrived in.
    pub pages: Vec<Page>,
}

impl Run {
    /// Pages with a title.
    pub fn ok(&self) -> usize {
        self.count(|outcome| matches!(outcome, Outcome::Title(_)))
    }

    /// Pages the site answered without a course.
    pub fn missing(&self) -> usize {
        self.count(|outcome| matches!(outcome, Outcome::Missing))
    }

    /// Pages that failed.
    pub fn errors(&self) -> usize {
        self.count(|outcome| matches!(outcome, Outcome::Failed(_)))
    }

    fn count(&self, matches: impl Fn(&Outcome) -> bool) -> usize {
        self.pages
            .iter()
            .filter(|page| matches(&page.outcome))
            .count()
    }
}

/// The URL of course page `id`: `{base_url}/{id}`.
pub fn course_url(base_url: &str, id: u32) -> String {
    format!("{}/{id}", base_url.trim_end_matches('/'))
}

/// The title in a course page, or `None` if it has none.
// BeautifulSoup(html, "html.parser").select_one(".right-side h1").text -> scraper
pub fn extract_title(html: &str) -> Option<String> {
    // Parsed once: the selector is a constant of this program, so a parse error is a bug here.
    static SELECTOR: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse(TITLE_SELECTOR).expect("the title selector is valid CSS"));
    let document = Html::parse_document(html);
    let heading = document.select(&SELECTOR).next()?;
    // Text nodes arrive with entities already decoded; join them and collapse the whitespace
    // the page's indentation puts around the title.
    let text: String = heading.text().collect();
    let title = clean_text(&text.split_whitespace().collect::<Vec<_>>().join(" "));
    (!title.is_empty()).then_some(title)
}

/// Page text made safe to print: control characters removed.
///
/// A title is text from a stranger's server. Printed raw, `ESC [2J` clears the reader's screen,
/// `ESC ]0;...BEL` renames their terminal window, and a bidi override (U+202E) reverses what
/// follows it on the line. So every control character (Unicode category Cc: C0, DEL, C1) and
/// the bidi embedding, override and isolate marks are dropped. The zero-width non-joiner that
/// Persian words need (U+200C) is kept.
pub fn clean_text(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            !c.is_control() && !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

/// `text` with the password of every `user:password@` in it replaced by `***`.
///
/// `--base-url http://user:secret@host/c` must work (reqwest sends the credentials), but the
/// password must not reach a terminal, a log or a screenshot. Any run of characters without
/// spaces, quotes or `/` that holds a `:` before an `@` is treated as `user:password@`; an
/// e-mail address (no `:`) is left alone.
pub fn redact(text: &str) -> String {
    let is_break = |c: char| c.is_whitespace() || "/'\"`<>(),;".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.find(is_break).unwrap_or(rest.len());
        let (token, tail) = rest.split_at(end);
        match token
            .rfind('@')
            .and_then(|at| Some((token[..at].find(':')?, at)))
        {
            Some((colon, at)) => {
                out.push_str(&token[..=colon]);
                out.push_str("***");
                out.push_str(&token[at..]);
            }
            None => out.push_str(token),
        }
        // Copy the break character itself, then go on with the next token.
        let mut chars = tail.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

/// Fetches page `id` and takes its title, retrying timeouts and 5xx with exponential backoff.
pub async fn scrape_page(
    client: &HttpClient,
    base_url: &str,
    id: u32,
    settings: &Settings,
) -> Page {
    let url = course_url(base_url, id);
    let mut attempts = 0;
    let outcome = loop {
        attempts += 1;
        match client.fetch_html(&url, settings).await {
            Ok(Some(html)) => match extract_title(&html) {
                Some(title) => break Outcome::Title(title),
                None => break Outcome::Missing,
            },
            Ok(None) => break Outcome::Missing,
            Err(error) if error.is_retryable() && attempts <= settings.retries => {
                // 100 ms, 200 ms, 400 ms...: a struggling server gets more room each time.
                let pause = settings.backoff.saturating_mul(1 << (attempts - 1).min(16));
                client.sleep(pause).await;
            }
            Err(error) => break Outcome::Failed(error),
        }
    };
    Page {
        id,
        outcome,
        attempts,
    }
}

/// Scrapes every id in `ids` in `mode`, calling `on_page` for each page in id order as soon as
/// it is known (to print it and move the progress bar), and returns the run with its total time.
///
/// It never spawns: the futures are polled by whatever runtime awaits this one (tokio for
/// reqwest, async-std for surf), which is why the same function serves both clients.
pub async fn scrape_data(
    client: &HttpClient,
    base_url: &str,
    ids: RangeInclusive<u32>,
    mode: Mode,
    settings: &Settings,
    mut on_page: impl FnMut(&Page),
) -> Run {
    let started = Instant::now();
    let mut pages = Vec::with_capacity(ids.clone().count());
    match mode {
        Mode::Sequential => {
            // for id in ids: requests.get(url) -> one await after another
            for id in ids {
                let page = scrape_page(client, base_url, id, settings).await;
                on_page(&page);
                pages.push(page);
            }
        }
        Mode::Concurrent => {
            // The course: tasks.append((n, asyncio.create_task(get_html_text(n)))) for each id,
            // then `await t` for each in order. Here: a stream of futures, at most `concurrency`
            // in flight, yielded in id order, with no task spawned (see examples/ for spawn).
            let mut in_order = futures::stream::iter(ids)
                .map(|id| scrape_page(client, base_url, id, settings))
                .buffered(settings.concurrency.max(1));
            while let Some(page) = in_order.next().await {
                on_page(&page);
                pages.push(page);
            }
        }
    }
    Run {
        mode,
        total: started.elapsed(),
        pages,
    }
}

/// The `--json` report: `{"client":..,"runs":[..],"titles":{"6100":..}}`.
///
/// `titles` comes from the last run: a title, or `null` for a page without a course. Failed
/// pages are left out (their error lines went to stderr).
pub fn json_report(client: ClientKind, runs: &[Run]) -> serde_json::Value {
    let runs_json: Vec<_> = runs
        .iter()
        .map(|run| {
            serde_json::json!({
                "mode": run.mode.name(),
                "total_s": (run.total.as_secs_f64() * 1000.0).round() / 1000.0,
                "ok": run.ok(),
                "missing": run.missing(),
                "errors": run.errors(),
            })
        })
        .collect();
    let mut titles = serde_json::Map::new();
    for page in runs
        .last()
        .map(|run| run.pages.as_slice())
        .unwrap_or_default()
    {
        match &page.outcome {
            Outcome::Title(title) => titles.insert(page.id.to_string(), title.as_str().into()),
            Outcome::Missing => titles.insert(page.id.to_string(), serde_json::Value::Null),
            Outcome::Failed(_) => None,
        };
    }
    serde_json::json!({ "client": client.to_string(), "runs": runs_json, "titles": titles })
}

/// Parses `--ids`: `A..=B` (or one id `A`), first not above last, at most [`MAX_PAGES`] pages.
pub fn parse_ids(text: &str) -> Result<RangeInclusive<u32>, String> {
    let number = |part: &str| {
        part.trim()
            .parse::<u32>()
            .map_err(|_| format!("`{text}` is not an id range: expected A..=B, e.g. 6100..=6140"))
    };
    let (first, last) = match text.split_once("..=") {
        Some((first, last)) => (number(first)?, number(last)?),
        None => {
            let id = number(text)?;
            (id, id)
        }
    };
    if first > last {
        return Err(format!(
            "the range {first}..={last} is reversed: write the smaller id first ({last}..={first})"
        ));
    }
    if last - first >= MAX_PAGES {
        return Err(format!("{first}..={last} is more than {MAX_PAGES} pages"));
    }
    Ok(first..=last)
}

/// Parses `--base-url`: an absolute `http` or `https` URL with a host; returned without a
/// trailing `/`, ready for [`course_url`].
///
/// The error messages show the URL with its password masked ([`redact`]).
pub fn parse_base_url(text: &str) -> Result<String, String> {
    let shown = redact(text);
    let url = reqwest::Url::parse(text).map_err(|err| format!("`{shown}` is not a URL ({err})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`{shown}` is not an http:// or https:// URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{shown}` has no host"));
    }
    Ok(text.trim_end_matches('/').to_string())
}
