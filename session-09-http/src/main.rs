//! Session 9: scrape 41 course pages one after another, then concurrently, and compare.
//!
//! Run it:      cargo run -p session-09-http
//! Measure it:  cargo run --release -p session-09-http -- --latency-ms 200 --concurrency 64
//! Serve only:  cargo run -p session-09-http -- serve --port 8000   (what to watch: LAB.md)

use std::io::{self, Write};
use std::ops::RangeInclusive;
use std::process::ExitCode;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use anyhow::{Context, bail};
use clap::{Args, CommandFactory, Parser, Subcommand};
use reqwest::Url;

use session_09_http::site::{DemoSite, SiteConfig};
use session_09_http::{
    ClientKind, GIVE_UP_AFTER, HttpClient, Mode, NO_COURSE, Outcome, Page, Run, Settings,
    scrape_data,
};

/// Most KiB of page buffers at once: `--max-body-kib` × `--concurrency` (1 GiB).
const MAX_BUFFERS_KIB: u64 = 1024 * 1024;

/// Fetch course pages one after another and then concurrently, print each title, and compare
/// the totals. Without --base-url it scrapes a demo course site it starts on 127.0.0.1.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// HTTP client: reqwest on tokio, or surf on async-std (unmaintained upstream).
    #[arg(long, value_enum, default_value_t = ClientKind::Reqwest)]
    client: ClientKind,

    /// Only this run (default: both, then the speed-up).
    #[arg(long, value_enum)]
    mode: Option<Mode>,

    /// How many course pages to fetch, from id 6100 on (1..=10000; the course's 41 by default).
    #[arg(long, default_value_t = 41, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pages: u32,

    /// Scrape a plain-http site instead of the demo: pages are fetched from {URL}/{id}. Only its
    /// host and port are ever printed; a user name or password in it is refused.
    #[arg(long, value_name = "URL", conflicts_with_all = ["latency_ms", "demo_faults"])]
    base_url: Option<String>,

    /// Most pages in flight at once in the concurrent run (1..=1000).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
    concurrency: u16,

    /// How many times to ask again after a timeout, a cut connection or a 5xx answer (0..=10).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=10))]
    retries: u32,

    /// Longest wait for one whole request (connect, answer, body), in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 5000,
          value_parser = clap::value_parser!(u64).range(1..=60_000))]
    timeout_ms: u64,

    /// Most KiB read from one page (1..=65536; default 4 MiB). Times --concurrency, at most
    /// 1 GiB.
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
    },
}

/// How the demo course site behaves.
#[derive(Args)]
struct SiteArgs {
    /// Demo site: every page answers after exactly this many milliseconds (default: 100-400 ms,
    /// different per page).
    #[arg(long, global = true, value_name = "MS",
          value_parser = clap::value_parser!(u64).range(0..=60_000))]
    latency_ms: Option<u64>,

    /// Demo site: make four pages fail (never answers, 503 once, not UTF-8, 403).
    #[arg(long, global = true)]
    demo_faults: bool,
}

impl Cli {
    /// The course ids to fetch: `--pages` of them from 6100 on.
    fn ids(&self) -> RangeInclusive<u32> {
        6100..=6100 + self.pages - 1
    }
}

impl SiteArgs {
    fn config(&self) -> SiteConfig {
        let config = SiteConfig::new(self.latency_ms.map(Duration::from_millis));
        match self.demo_faults {
            true => config.with_demo_faults(),
            false => config,
        }
    }

    fn describe(&self) -> String {
        match self.latency_ms {
            Some(ms) => format!("latency {ms} ms per page"),
            None => "latency 100-400 ms per page".to_string(),
        }
    }
}

/// Standard output could not be written: a full disk is an error, a reader gone is a quiet end.
#[derive(Debug, thiserror::Error)]
#[error("could not write to standard output: {0}")]
struct StdoutError(io::Error);

/// `writeln!` to stdout, its failure typed as [`StdoutError`] for `?`.
macro_rules! say {
    ($out:expr, $($arg:tt)*) => { writeln!($out, $($arg)*).map_err(StdoutError)? };
}

/// One line on stderr; a failure to write it (`2> /dev/full`) is not worth a panic.
macro_rules! warn {
    ($($arg:tt)*) => { let _ = writeln!(anstream::stderr(), $($arg)*); };
}

fn main() -> ExitCode {
    let (cli, base) = match Cli::try_parse().and_then(|cli| {
        let base = checked(&cli)?;
        Ok((cli, base))
    }) {
        Ok(parsed) => parsed,
        Err(err) => {
            // clap's own message: --help and --version go to stdout, where a full disk is an
            // output error (one line, exit 1); bad usage goes to stderr, and if even that fails
            // (`2>/dev/full`) the exit code still says 2.
            if let Err(e) = err.print()
                && !err.use_stderr()
                && e.kind() != io::ErrorKind::BrokenPipe
            {
                let _ = writeln!(io::stderr(), "error: could not write to stdout: {e}");
                return ExitCode::FAILURE;
            }
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2));
        }
    };
    match run(&cli, base) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => match err.downcast_ref::<StdoutError>() {
            // `| head -3`: the reader has all it wanted.
            Some(StdoutError(io)) if io.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            _ => {
                // `{:#}` prints the whole context chain on one line: "could not X: because Y".
                warn!("error: {err:#}");
                ExitCode::FAILURE
            }
        },
    }
}

/// What clap cannot check alone: the base URL, and the memory the flags add up to.
fn checked(cli: &Cli) -> Result<Option<Url>, clap::Error> {
    let invalid =
        |message: String| Cli::command().error(clap::error::ErrorKind::ValueValidation, message);
    let buffers = u64::from(cli.max_body_kib) * u64::from(cli.concurrency);
    if buffers > MAX_BUFFERS_KIB {
        return Err(invalid(format!(
            "--max-body-kib {} x --concurrency {} is {buffers} KiB of page buffers; \
             the product must be at most {MAX_BUFFERS_KIB} KiB (1 GiB)",
            cli.max_body_kib, cli.concurrency
        )));
    }
    cli.base_url
        .as_deref()
        .map(parse_base_url)
        .transpose()
        .map_err(invalid)
}

/// Parses `--base-url`: an absolute `http` URL with a host and no user name or password.
/// No message shows any part of it: it may hold a token.
fn parse_base_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|err| format!("--base-url is not a valid URL ({err})"))?;
    if url.scheme() != "http" {
        return Err("--base-url must start with http:// (this lab has no TLS, so no https)".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("--base-url holds a user name or password: leave them out".into());
    }
    Ok(url)
}

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const RED: Style = AnsiColor::Red.on_default();
const GREEN: Style = AnsiColor::Green.on_default().bold();

fn run(cli: &Cli, base: Option<Url>) -> anyhow::Result<()> {
    // One multi-threaded tokio runtime: it serves the demo site, and drives reqwest. surf runs on
    // async-std's own executor instead, while tokio's worker threads keep serving the site.
    let runtime = tokio::runtime::Runtime::new().context("could not start the tokio runtime")?;
    if let Some(Command::Serve { port }) = cli.command {
        return runtime.block_on(serve(port, &cli.site));
    }
    let settings = Settings {
        concurrency: usize::from(cli.concurrency),
        retries: cli.retries,
        timeout: Duration::from_millis(cli.timeout_ms),
        max_body: cli.max_body_kib as usize * 1024,
    };
    // Keep the site alive (not `_`) until the end of `run`: dropping it stops the server.
    let (site, base) = match base {
        Some(base) => (None, base),
        None => {
            let site = runtime
                .block_on(DemoSite::start(cli.site.config(), 0))
                .context("could not start the demo course site on 127.0.0.1")?;
            let base = site.base_url();
            (Some(site), base)
        }
    };
    // Host and port only: the path or the query may hold a token.
    let host = format!(
        "{}:{}",
        base.host_str().unwrap_or(""),
        base.port_or_known_default().unwrap_or(80)
    );
    let client = {
        let _inside = runtime.enter();
        HttpClient::new(cli.client, &settings).context("could not build the client")?
    };
    let mut out = anstream::stdout();
    if !cli.json {
        match site {
            Some(_) => say!(
                out,
                "{BOLD}Scraping the demo course site at {host}{BOLD:#} ({})",
                cli.site.describe()
            ),
            None => say!(out, "{BOLD}Scraping the site at {host}{BOLD:#}"),
        }
        say!(
            out,
            "{} with one shared client; pages {:?}; concurrency {}, retries {}, timeout {} ms",
            cli.client,
            cli.ids(),
            cli.concurrency,
            cli.retries,
            cli.timeout_ms
        );
        if cfg!(debug_assertions) {
            say!(
                out,
                "{DIM}(debug build: for timings that mean something, add --release){DIM:#}"
            );
        }
    }

    let modes = match cli.mode {
        Some(mode) => vec![mode],
        None => vec![Mode::Sequential, Mode::Concurrent],
    };
    let mut runs = Vec::new();
    for mode in modes {
        let run = scrape_with_progress(&runtime, &client, &base, cli, &settings, mode)?;
        let asked = cli.pages as usize;
        let last = run
            .pages
            .last()
            .and_then(Page::error_line)
            .unwrap_or_default();
        let (done, failed) = (run.pages.len(), run.tally().2);
        if run.gave_up || failed == asked {
            let why = match run.gave_up {
                true => format!(
                    "{GIVE_UP_AFTER} pages in a row could not reach it, so the run stopped after {done} of {asked} pages"
                ),
                false => format!("none of the {asked} pages could be fetched"),
            };
            bail!("gave up on {host}: {why} (the last: {last}): is the site up and the URL right?");
        }
        let (ok, missing, errors) = run.tally();
        if !cli.json {
            let (name, n, total) = (mode.name(), run.pages.len(), run.total.as_secs_f64());
            let s = if n == 1 { "" } else { "s" };
            say!(
                out,
                "{BOLD}{name}: {n} page{s} in {total:.2} s{BOLD:#} ({ok} titles, {missing} without a course, {errors} errors)"
            );
        }
        runs.push(run);
    }

    if cli.json {
        say!(out, "{}", json_report(cli.client, &runs));
    } else if let [sequential, concurrent] = runs.as_slice() {
        let (sequential, concurrent) = (
            sequential.total.as_secs_f64(),
            concurrent.total.as_secs_f64(),
        );
        say!(
            out,
            "\n{GREEN}speed-up: {:.1}x{GREEN:#} (sequential {sequential:.2} s / concurrent {concurrent:.2} s)",
            sequential / concurrent.max(1e-9)
        );
    }
    Ok(())
}

/// One run, printing each title on stdout and each failure on stderr, in id order.
fn scrape_with_progress(
    runtime: &tokio::runtime::Runtime,
    client: &HttpClient,
    base: &Url,
    cli: &Cli,
    settings: &Settings,
    mode: Mode,
) -> anyhow::Result<Run> {
    let mut out = anstream::stdout();
    if !cli.json {
        match mode {
            Mode::Sequential => say!(out, "\n{BOLD}One page after another:{BOLD:#}"),
            Mode::Concurrent => say!(
                out,
                "\n{BOLD}Up to {} pages at once:{BOLD:#}",
                settings.concurrency
            ),
        }
    }
    // The first failure to write stdout; the run goes on without printing, and reports it after.
    let mut failed: Option<io::Error> = None;
    // Each page's line as soon as it is known, in id order: the run's progress.
    let show = |page: &Page| {
        let (style, title) = match &page.outcome {
            Outcome::Title(title) => (Style::new(), title.as_str()),
            Outcome::Missing => (DIM, NO_COURSE),
            Outcome::Failed(_) => {
                warn!("{RED}{}{RED:#}", page.error_line().unwrap_or_default());
                return;
            }
        };
        let retried = match page.attempts {
            1 => String::new(),
            n => format!("  {DIM}({n} attempts){DIM:#}"),
        };
        if !cli.json && failed.is_none() {
            let line = format!("{:>6}  {style}{title}{style:#}{retried}", page.id);
            failed = writeln!(out, "{line}").err();
        }
    };
    let scrape = scrape_data(client, base, cli.ids(), mode, settings, show);
    let run = match cli.client {
        ClientKind::Reqwest => runtime.block_on(scrape),
        // loop.run_until_complete(...) -> async_std::task::block_on: async-std drives surf.
        ClientKind::Surf => async_std::task::block_on(scrape),
    };
    match failed {
        Some(err) => Err(StdoutError(err).into()),
        None => Ok(run),
    }
}

/// The `--json` report: `{"client":..,"runs":[..],"titles":{"6100":..}}`.
///
/// `titles` comes from the last run: a title, or `null` for a page without a course. Failed
/// pages are left out (their error lines went to stderr).
fn json_report(client: ClientKind, runs: &[Run]) -> serde_json::Value {
    let runs_json: Vec<_> = runs
        .iter()
        .map(|run| {
            let (ok, missing, errors) = run.tally();
            let total_s = (run.total.as_secs_f64() * 1000.0).round() / 1000.0;
            serde_json::json!({ "mode": run.mode.name(), "total_s": total_s,
                                "ok": ok, "missing": missing, "errors": errors })
        })
        .collect();
    let pages = runs
        .last()
        .map(|run| run.pages.as_slice())
        .unwrap_or_default();
    let titles: serde_json::Map<_, _> = (pages.iter())
        .filter_map(|page| match &page.outcome {
            Outcome::Title(title) => Some((page.id.to_string(), title.as_str().into())),
            Outcome::Missing => Some((page.id.to_string(), serde_json::Value::Null)),
            Outcome::Failed(_) => None,
        })
        .collect();
    serde_json::json!({ "client": client.to_string(), "runs": runs_json, "titles": titles })
}

/// `serve`: the demo site alone until Ctrl-C.
async fn serve(port: u16, site: &SiteArgs) -> anyhow::Result<()> {
    let demo = DemoSite::start(site.config(), port)
        .await
        .with_context(|| {
            format!("could not listen on 127.0.0.1:{port}: is the port taken? try another --port")
        })?;
    let banner = writeln!(
        anstream::stdout(),
        "demo course site at {}/{{id}} ({}); Ctrl-C stops it",
        demo.base_url(),
        site.describe()
    );
    // A closed pipe (`serve | head -c 0`) is no reason to stop serving; a full disk is an error.
    if let Err(err) = banner
        && err.kind() != io::ErrorKind::BrokenPipe
    {
        return Err(StdoutError(err).into());
    }
    tokio::signal::ctrl_c()
        .await
        .context("could not wait for Ctrl-C")
}
