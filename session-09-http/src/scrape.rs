//! The lesson: fetch many course pages, one after another or many at once, and take each title.
//!
//! One after another, the program spends almost all of its time *waiting* for the server; many
//! at once, the waits overlap. [`scrape_data`] adds what a real scraper needs: retries with
//! backoff for what may pass, and a run that stops once [`GIVE_UP_AFTER`] pages in a row could
//! not reach the site.

use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

use futures::StreamExt;
use reqwest::Url;

use crate::clients::{FetchError, HttpClient};
use crate::title::{Late, clean_text, extract_title};

/// Pages in a row that could not reach the site (refused, or timed out) before a run stops:
/// the rest would only wait for the same timeouts, one after another.
pub const GIVE_UP_AFTER: usize = 3;

/// Pause before the first retry; it doubles before each next one.
pub const BACKOFF: Duration = Duration::from_millis(100);

/// How the client behaves: limits, timeouts and retries.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Most requests in flight at once in concurrent mode.
    pub concurrency: usize,
    /// How many times a timed-out, cut or 5xx page is asked again.
    pub retries: u32,
    /// Longest wait for one page: connect, answer, body and reading the title.
    pub timeout: Duration,
    /// Most bytes read from one page's body; a longer page is an error, not a full memory.
    pub max_body: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            concurrency: 10,
            retries: 2,
            timeout: Duration::from_secs(5),
            max_body: 4 * 1024 * 1024,
        }
    }
}

/// One page after another, or up to `concurrency` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// One page after another (like `requests` in a loop).
    Sequential,
    /// Up to --concurrency pages at once (like aiohttp tasks).
    Concurrent,
}

impl Mode {
    /// The name used in output and JSON.
    pub fn name(self) -> &'static str {
        ["sequential", "concurrent"][self as usize]
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
    /// Requests it took: 1, or more when a failure was retried.
    pub attempts: u32,
}

impl Page {
    /// `page 6107: timed out after 5000 ms (3 attempts)` for a failed page, safe to print.
    pub fn error_line(&self) -> Option<String> {
        let Outcome::Failed(error) = &self.outcome else {
            return None;
        };
        let error = clean_text(&error.to_string());
        Some(match self.attempts {
            1 => format!("page {}: {error}", self.id),
            attempts => format!("page {}: {error} ({attempts} attempts)", self.id),
        })
    }
}

/// One scrape of an id range in one mode.
#[derive(Debug, Clone)]
pub struct Run {
    pub mode: Mode,
    pub total: Duration,
    /// In id order, whatever order the answers arrived in.
    pub pages: Vec<Page>,
    /// The run stopped after [`GIVE_UP_AFTER`] pages in a row could not reach the site.
    pub gave_up: bool,
}

impl Run {
    /// Pages with a title, pages without a course, and pages that failed.
    pub fn tally(&self) -> (usize, usize, usize) {
        let count = |f: fn(&Outcome) -> bool| self.pages.iter().filter(|p| f(&p.outcome)).count();
        (
            count(|o| matches!(o, Outcome::Title(_))),
            count(|o| matches!(o, Outcome::Missing)),
            count(|o| matches!(o, Outcome::Failed(_))),
        )
    }
}

/// Fetches page `id` and takes its title, retrying what may pass with exponential backoff.
pub async fn scrape_page(client: &HttpClient, base: &Url, id: u32, settings: &Settings) -> Page {
    // {base}/{id}, the base's query (if any) kept. Only a URL like `mailto:x` has no path to
    // push to; `--base-url` accepts http only.
    let mut url = base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().push(&id.to_string());
    }
    let mut attempts = 0;
    let outcome = loop {
        attempts += 1;
        // The timeout covers the fetch and the reading of the page.
        let deadline = Instant::now() + settings.timeout;
        match client.fetch_html(&url, settings).await {
            Ok(Some(html)) => match extract_title(&html, Some(deadline)) {
                Ok(Some(title)) => break Outcome::Title(title),
                Ok(None) => break Outcome::Missing,
                Err(Late) => break Outcome::Failed(FetchError::SlowPage(settings.timeout)),
            },
            Ok(None) => break Outcome::Missing,
            Err(error) if error.is_retryable() && attempts <= settings.retries => {
                // 100 ms, 200 ms, 400 ms...: a struggling server gets more room each time.
                let pause = BACKOFF.saturating_mul(1 << (attempts - 1).min(16));
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
/// it is known, and returns the run with its total time.
///
/// It never spawns: the futures are polled by whatever runtime awaits this one (tokio for
/// reqwest, async-std for surf), which is why the same function serves both clients.
pub async fn scrape_data(
    client: &HttpClient,
    base: &Url,
    ids: RangeInclusive<u32>,
    mode: Mode,
    settings: &Settings,
    mut on_page: impl FnMut(&Page),
) -> Run {
    let started = Instant::now();
    let in_flight = match mode {
        // for id in ids: requests.get(url) -> one await after another
        Mode::Sequential => 1,
        // The course: tasks.append((n, asyncio.create_task(get_html_text(n)))) for each id,
        // then `await t` for each in order. Here: a stream of futures, at most `concurrency`
        // in flight, yielded in id order, with no task spawned (see examples/ for spawn).
        Mode::Concurrent => settings.concurrency.max(1),
    };
    let mut in_order = futures::stream::iter(ids)
        .map(|id| scrape_page(client, base, id, settings))
        .buffered(in_flight);
    let mut pages: Vec<Page> = Vec::new();
    let mut gave_up = false;
    while let Some(page) = in_order.next().await {
        on_page(&page);
        pages.push(page);
        // A site nobody can reach: stop, and drop the requests still in flight.
        let unreachable = |p: &Page| matches!(&p.outcome, Outcome::Failed(e) if e.is_unreachable());
        if pages.len() >= GIVE_UP_AFTER && pages.iter().rev().take(GIVE_UP_AFTER).all(unreachable) {
            gave_up = true;
            break;
        }
    }
    Run {
        mode,
        total: started.elapsed(),
        pages,
        gave_up,
    }
}
