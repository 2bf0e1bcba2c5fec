//! Session 9: scrape 41 course pages one after another, then concurrently, and compare.
//!
//! Run it:      cargo run -p session-09-http
//! Measure it:  cargo run --release -p session-09-http -- --latency-ms 200 --concurrency 64
//! Serve only:  cargo run -p session-09-http -- serve --port 8000   (then open http://127.0.0.1:8000/)
//!
//! What to watch: the sequential total is the SUM of the pages' latencies; the concurrent total
//! is close to the latency of the slowest group of `--concurrency` pages. Add `--demo-faults` to
//! see each kind of failure become one `page N: ...` line while the run carries on.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, IsTerminal, Write};
use std::ops::RangeInclusive;
use std::process::ExitCode;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use session_09_http::site::{DemoSite, Latency, SiteConfig};
use session_09_http::{
    ClientKind, FetchError, HttpClient, Mode, Outcome, Page, Run, Settings, json_report,
    parse_base_url, parse_ids, redact, scrape_data,
};

/// How many pages failing the same way get a line of their own; the rest are counted.
const SHOWN_PER_ERROR: usize = 3;

/// Fetch course pages one after another and then concurrently, print each title, and compare
/// the totals. Without --base-url it scrapes a demo course site it starts on 127.0.0.1.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// HTTP client: reqwest on tokio, or surf on async-std (unmaintained; plain http only).
    #[arg(long, value_enum, default_value_t = ClientKind::Reqwest)]
    client: ClientKind,

    /// Which runs to do: one page after another, many at once, or both to compare.
    #[arg(long, value_enum, default_value_t = ModeArg::Both)]
    mode: ModeArg,

    /// Course ids to fetch, as A..=B (or a single id).
    #[arg(long, value_parser = parse_ids, default_value = "6100..=6140")]
    ids: RangeInclusive<u32>,

    /// Scrape a real site instead of the demo: pages are fetched from {URL}/{id}.
    #[arg(long, value_name = "URL", value_parser = parse_base_url,
          conflicts_with_all = ["latency_ms", "seed", "demo_faults"])]
    base_url: Option<String>,

    /// Most pages in flight at once in the concurrent run (1..=1000).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
    concurrency: u16,

    /// How many times to ask again after a timeout or a 5xx answer (0..=10).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=10))]
    retries: u32,

    /// Longest wait for one whole request (connect, answer, body), in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 5000,
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    timeout_ms: u64,

    /// Longest wait for a connection, in milliseconds (reqwest; surf has only the total timeout).
    #[arg(long, value_name = "MS", default_value_t = 2000,
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    connect_timeout_ms: u64,

    /// Pause before the first retry, in milliseconds; it doubles before each next retry.
    #[arg(long, value_name = "MS", default_value_t = 100,
          value_parser = clap::value_parser!(u64).range(0..=60_000))]
    backoff_ms: u64,

    /// Most KiB read from one page; a longer page is one error line (1..=65536; default 4 MiB).
    #[arg(long, value_name = "KIB", default_value_t = 4096,
          value_parser = clap::value_parser!(u32).range(1..=65_536))]
    max_body_kib: u32,

    /// Print one JSON object on stdout instead of the titles and totals.
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    site: SiteArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Run only the demo course site on 127.0.0.1 until Ctrl-C (for a browser or the Python script).
    Serve {
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 8000)]
        port: u16,

        #[command(flatten)]
        site: SiteArgs,
    },
}

/// How the demo course site behaves.
#[derive(Args)]
struct SiteArgs {
    /// Demo site: every page answers after exactly this many milliseconds (default: 100-400 ms,
    /// different per page).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(0..=60_000))]
    latency_ms: Option<u64>,

    /// Demo site: seed for the per-page latencies.
    #[arg(long, default_value_t = 9)]
    seed: u64,

    /// Demo site: make five pages fail (never answers, 503 once, JSON, not UTF-8, 403).
    #[arg(long)]
    demo_faults: bool,
}

impl SiteArgs {
    fn config(&self) -> SiteConfig {
        let mut config = match self.latency_ms {
            Some(ms) => SiteConfig::fixed(Duration::from_millis(ms)),
            None => SiteConfig::default(),
        };
        if let Latency::Seeded { seed, .. } = &mut config.latency {
            *seed = self.seed;
        }
        if self.demo_faults {
            config.with_demo_faults()
        } else {
            config
        }
    }

    fn describe(&self) -> String {
        match self.latency_ms {
            Some(ms) => format!("latency {ms} ms per page"),
            None => format!("latency 100-400 ms per page, seed {}", self.seed),
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    /// One page after another (like `requests` in a loop).
    Sequential,
    /// Up to --concurrency pages at once (like aiohttp tasks).
    Concurrent,
    /// Sequential, then concurrent, then the speed-up.
    Both,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version are not errors: print them and exit 0 (1 if stdout is full).
        Err(err) if !err.use_stderr() => {
            return match err.print().and_then(|()| io::stdout().flush()) {
                Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
                    warn(format_args!(
                        "error: could not write to standard output: {err}"
                    ));
                    ExitCode::FAILURE
                }
                _ => ExitCode::SUCCESS,
            };
        }
        Err(err) => {
            warn(format_args!("{}", one_line(&err.render().to_string())));
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line: "could not X: because Y".
            warn(format_args!("error: {err:#}"));
            ExitCode::FAILURE
        }
    }
}

/// One line on stderr, password masked. std's `eprintln!` panics when stderr cannot be written
/// (`2> /dev/full`); a failed warning is not worth a panic, so it is dropped.
fn warn(line: fmt::Arguments) {
    let _ = writeln!(anstream::stderr(), "{}", redact(&line.to_string()));
}

/// Standard output that remembers its first failure instead of panicking on it.
///
/// `println!` panics when stdout fails: into a full disk (`> /dev/full`) or a closed pipe
/// (`| head -1`). Here the first failure stops the writing, and [`Out::finish`] turns it into
/// one error line (full disk) or a quiet end (the reader went away).
struct Out {
    stdout: anstream::AutoStream<io::Stdout>,
    failed: Option<io::Error>,
}

impl Out {
    fn new() -> Self {
        Out {
            stdout: anstream::stdout(),
            failed: None,
        }
    }

    fn line(&mut self, line: fmt::Arguments) {
        if self.failed.is_none()
            && let Err(err) = writeln!(self.stdout, "{line}")
        {
            self.failed = Some(err);
        }
    }

    /// `true` once stdout has failed because its reader went away (nothing more to show).
    fn reader_gone(&self) -> bool {
        self.failed
            .as_ref()
            .is_some_and(|err| err.kind() == io::ErrorKind::BrokenPipe)
    }

    /// Flushes; a full disk is an error, a closed pipe is a quiet end.
    fn finish(&mut self) -> anyhow::Result<()> {
        let result = match self.failed.take() {
            Some(err) => Err(err),
            None => self.stdout.flush(),
        };
        match result {
            Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
                Err(err).context("could not write to standard output")
            }
            _ => Ok(()),
        }
    }
}

/// clap's messages span several lines (usage, tips); a learner gets the gist on one line.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const RED: Style = AnsiColor::Red.on_default();
const GREEN: Style = AnsiColor::Green.on_default().bold();

fn run(cli: Cli) -> anyhow::Result<()> {
    // One multi-threaded tokio runtime: it serves the demo site, and drives reqwest. surf runs on
    // async-std's own executor instead, while tokio's worker threads keep serving the site.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the tokio runtime")?;

    if let Some(Command::Serve { port, site }) = &cli.command {
        return runtime.block_on(serve(*port, site));
    }

    // Ctrl-C during a scrape: one line and exit code 130, the shell's code for an interrupted
    // program. Nothing to clean up: the demo site lives and dies with this process.
    ctrlc::set_handler(|| {
        let newline = if io::stderr().is_terminal() { "\n" } else { "" }; // after the progress bar
        warn(format_args!("{newline}interrupted: stopped at Ctrl-C"));
        std::process::exit(130);
    })
    .context("could not set up the Ctrl-C handler")?;

    let settings = Settings {
        concurrency: usize::from(cli.concurrency),
        retries: cli.retries,
        connect_timeout: Duration::from_millis(cli.connect_timeout_ms),
        timeout: Duration::from_millis(cli.timeout_ms),
        backoff: Duration::from_millis(cli.backoff_ms),
        max_body: cli.max_body_kib as usize * 1024,
    };

    // Keep the site alive (not `_`) until the end of `run`: dropping it stops the server.
    let (_site, base_url, where_from) = match &cli.base_url {
        Some(url) => (None, url.clone(), url.clone()),
        None => {
            let site = runtime
                .block_on(DemoSite::start(cli.site.config(), 0))
                .context("could not start the demo course site on 127.0.0.1")?;
            let url = site.base_url();
            let described = format!("demo course site at {url} ({})", cli.site.describe());
            (Some(site), url, described)
        }
    };
    // The password of a `user:secret@` base URL is sent, never shown.
    let shown_url = redact(&base_url);
    let where_from = redact(&where_from);
    let mut out = Out::new();
    let client = {
        let _inside = runtime.enter();
        HttpClient::new(cli.client, &settings, &base_url)?
    };

    if !cli.json {
        out.line(format_args!("{BOLD}Scraping {where_from}{BOLD:#}"));
        out.line(format_args!(
            "{} with one shared client; pages {}..={}; concurrency {}, retries {}, timeout {} ms",
            cli.client,
            cli.ids.start(),
            cli.ids.end(),
            cli.concurrency,
            cli.retries,
            cli.timeout_ms
        ));
        if cfg!(debug_assertions) {
            out.line(format_args!(
                "{DIM}(debug build: for timings that mean something, add --release){DIM:#}"
            ));
        }
    }

    let modes: &[Mode] = match cli.mode {
        ModeArg::Sequential => &[Mode::Sequential],
        ModeArg::Concurrent => &[Mode::Concurrent],
        ModeArg::Both => &[Mode::Sequential, Mode::Concurrent],
    };
    let mut runs = Vec::new();
    for &mode in modes {
        let run = scrape_with_progress(
            &runtime, &client, &base_url, &cli, &settings, mode, &mut out,
        );
        if run.errors() == run.pages.len() {
            // Nothing came back at all (a dead site, a wrong URL): one summary line, and no
            // second run to fail the same way.
            out.finish()?;
            let asked = cli.ids.clone().count();
            let kinds = error_kinds(&run);
            if run.pages.len() < asked {
                bail!(
                    "could not reach {shown_url}: the first {} of {asked} pages failed ({kinds}), \
                     so the run stopped there: is the site up and the URL right?",
                    run.pages.len()
                );
            }
            bail!(
                "none of the {asked} pages could be fetched from {shown_url} ({kinds}): is the \
                 site up and the URL right?"
            );
        }
        if !cli.json {
            out.line(format_args!(
                "{BOLD}{}: {} in {:.2} s{BOLD:#} ({} titles, {} without a course, {} errors)",
                mode.name(),
                if run.pages.len() == 1 {
                    "1 page".to_string()
                } else {
                    format!("{} pages", run.pages.len())
                },
                run.total.as_secs_f64(),
                run.ok(),
                run.missing(),
                run.errors()
            ));
        }
        runs.push(run);
        if out.reader_gone() {
            // `| head -3`: nobody reads the rest, so do not scrape it.
            return Ok(());
        }
    }

    if let [sequential, concurrent] = runs.as_slice()
        && !cli.json
    {
        let speedup = sequential.total.as_secs_f64() / concurrent.total.as_secs_f64().max(1e-9);
        out.line(format_args!(
            "\n{GREEN}speed-up: {speedup:.1}x{GREEN:#} (sequential {:.2} s / concurrent {:.2} s)",
            sequential.total.as_secs_f64(),
            concurrent.total.as_secs_f64()
        ));
    }
    if cli.json {
        out.line(format_args!("{}", json_report(cli.client, &runs)));
    }
    out.finish()
}

/// A page that failed before any HTTP was spoken: nobody listens, or nobody answers the connect.
fn could_not_connect(page: &Page) -> bool {
    matches!(
        page.outcome,
        Outcome::Failed(FetchError::Connect(_) | FetchError::ConnectTimeout(_))
    )
}

/// `41 x could not connect: connection refused`, one entry per kind of failure in `run`.
fn error_kinds(run: &Run) -> String {
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for text in run.pages.iter().filter_map(Page::error_text) {
        *kinds.entry(text).or_default() += 1;
    }
    kinds
        .iter()
        .map(|(text, count)| format!("{count} x {text}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// One run with a progress bar on stderr (only when stderr is a terminal), printing each
/// title on stdout and each failure on stderr, in id order.
fn scrape_with_progress(
    runtime: &tokio::runtime::Runtime,
    client: &HttpClient,
    base_url: &str,
    cli: &Cli,
    settings: &Settings,
    mode: Mode,
    out: &mut Out,
) -> Run {
    let pages = u64::from(cli.ids.end() - cli.ids.start()) + 1;
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(pages), target);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} pages, {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(mode.name());
    if !cli.json {
        out.line(format_args!(
            "\n{BOLD}{}{BOLD:#}",
            match mode {
                Mode::Sequential => "One page after another:".to_string(),
                Mode::Concurrent => format!("Up to {} pages at once:", settings.concurrency),
            }
        ));
    }

    // Failures of one kind (the same text) get SHOWN_PER_ERROR lines, then are only counted:
    // a dead site is a few example lines and a summary, not one line per page.
    let mut seen_errors: BTreeMap<String, usize> = BTreeMap::new();
    // A site nobody can reach: once the first SHOWN_PER_ERROR pages all failed to connect, the
    // rest would only wait for the same connect timeouts (minutes, one after another), so the
    // run gives up. `seen` keeps the pages for the summary.
    let (give_up, gave_up) = futures::channel::oneshot::channel::<()>();
    let mut give_up = Some(give_up);
    let mut seen: Vec<Page> = Vec::new();
    let started = std::time::Instant::now();
    let show = |page: &Page| {
        if give_up.is_none() {
            return; // given up: pages that were already on their way are not shown
        }
        seen.push(page.clone());
        if seen.len() == SHOWN_PER_ERROR
            && seen.iter().all(could_not_connect)
            && let Some(give_up) = give_up.take()
        {
            let _ = give_up.send(());
        }
        // Printing while the bar is drawn would tear it: suspend it for the line.
        bar.suspend(|| match (page.title_line(), page.error_line()) {
            (Some(title), _) if !cli.json => {
                let style = if title == session_09_http::NO_COURSE {
                    DIM
                } else {
                    Style::new()
                };
                let retried = if page.attempts > 1 {
                    format!("  {DIM}({} attempts){DIM:#}", page.attempts)
                } else {
                    String::new()
                };
                out.line(format_args!(
                    "{:>6}  {style}{title}{style:#}{retried}",
                    page.id
                ));
            }
            (_, Some(error)) => {
                let seen = seen_errors
                    .entry(page.error_text().unwrap_or_default())
                    .or_default();
                *seen += 1;
                if *seen <= SHOWN_PER_ERROR {
                    warn(format_args!("{RED}{error}{RED:#}"));
                }
            }
            _ => {}
        });
        bar.inc(1);
    };
    let finished = {
        let scrape = std::pin::pin!(scrape_data(
            client,
            base_url,
            cli.ids.clone(),
            mode,
            settings,
            show
        ));
        let scrape_or_give_up = futures::future::select(scrape, gave_up);
        let either = match client.kind() {
            ClientKind::Reqwest => runtime.block_on(scrape_or_give_up),
            // loop.run_until_complete(...) -> async_std::task::block_on: async-std drives surf.
            ClientKind::Surf => async_std::task::block_on(scrape_or_give_up),
        };
        match either {
            futures::future::Either::Left((run, _)) => Some(run),
            // Gave up: the scrape and its requests in flight are dropped here.
            futures::future::Either::Right(_) => None,
        }
    };
    // Gave up, even if the scrape happened to finish in the same breath: report what was seen.
    let run = match finished {
        Some(run) if give_up.is_some() => run,
        _ => Run {
            mode,
            total: started.elapsed(),
            pages: seen,
        },
    };
    bar.finish_and_clear();
    // The count of what was not shown, unless the whole run failed (then the caller's summary
    // line says it all).
    if run.errors() < run.pages.len() {
        for (text, count) in seen_errors {
            if count > SHOWN_PER_ERROR {
                warn(format_args!(
                    "{RED}... and {} more pages: {text}{RED:#}",
                    count - SHOWN_PER_ERROR
                ));
            }
        }
    }
    run
}

/// `serve`: the demo site alone until Ctrl-C.
async fn serve(port: u16, site: &SiteArgs) -> anyhow::Result<()> {
    let demo = DemoSite::start(site.config(), port)
        .await
        .with_context(|| {
            format!("could not listen on 127.0.0.1:{port}: is the port taken? try another --port")
        })?;
    let mut out = Out::new();
    out.line(format_args!(
        "demo course site at http://{}/ ({}); pages at {}/{{id}}; Ctrl-C stops it",
        demo.addr(),
        site.describe(),
        demo.base_url()
    ));
    // A closed pipe (`serve | head -c 0`) is no reason to stop serving; a full disk is an error.
    out.finish()?;
    tokio::signal::ctrl_c()
        .await
        .context("could not wait for Ctrl-C")?;
    out.line(format_args!("stopped"));
    out.finish()
}
