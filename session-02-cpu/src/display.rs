//! Everything the learner sees while the loop runs, and the summary after it.
//!
//! On a terminal the bars are redrawn in place, like a task manager: after the first frame,
//! each new frame moves the cursor back up over the old one (`ESC [ n F`) and clears every
//! line before writing it (`ESC [ 2K`). When stdout is a pipe or a file (tests, CI,
//! `| tee log.txt`) those codes would be garbage, so it prints one plain line a second
//! instead. Colours go through `anstream`, which drops them when `NO_COLOR` is set.

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use anstyle::{AnsiColor, Style};

use crate::cpu::{Phase, Report, SAMPLE_EVERY};
use crate::usage::{BUSY_THRESHOLD, bar, human};

/// Frames per second; the plain display prints one line in this many.
const TICKS_PER_SECOND: u64 = (1000 / SAMPLE_EVERY.as_millis()) as u64;

/// Width of one bar, in characters.
const BAR_WIDTH: usize = 40;

/// How a phase shows its progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Display {
    /// Bars redrawn in place: stdout is a terminal. `color` says whether to use colour.
    Bars { color: bool },
    /// A plain line about once a second: stdout is a pipe or a file (tests, CI, `| tee`).
    Lines,
    /// Nothing while running (`--json`, or `--print` where the numbers are the display).
    Quiet,
}

impl Display {
    /// Bars on a terminal, plain lines otherwise; colour follows `anstream`'s rules
    /// (off when `NO_COLOR` is set or the terminal cannot show it).
    pub fn for_stdout() -> Self {
        let stdout = io::stdout();
        if stdout.is_terminal() {
            let choice = anstream::AutoStream::choice(&stdout);
            Display::Bars {
                color: choice != anstream::ColorChoice::Never,
            }
        } else {
            Display::Lines
        }
    }
}

/// The escape codes that switch a style on and off, or nothing when colour is off.
fn style(color: bool, style: Style) -> (String, String) {
    if color {
        (style.render().to_string(), style.render_reset().to_string())
    } else {
        (String::new(), String::new())
    }
}

/// The heading of a phase: what runs, on how many threads, for how long.
pub(crate) fn announce(display: Display, name: &str, threads: usize, limit: Option<Duration>) {
    if display == Display::Quiet {
        return;
    }
    let how_long = match limit {
        Some(l) => format!("for {} s", l.as_secs()),
        None => "until Ctrl-C".to_string(),
    };
    let what = if threads == 1 {
        "the loop on 1 thread".to_string()
    } else {
        format!("the loop on {threads} threads (one per core)")
    };
    let bold = Style::new().bold();
    anstream::println!("{bold}{name}{bold:#}: {what} {how_long}");
}

/// The line under a finished phase: increments, time, busy cores.
pub(crate) fn finish_line(display: Display, name: &str, phase: &Phase) {
    if display == Display::Quiet {
        return;
    }
    anstream::println!(
        "{name}: {} increments in {:.2} s, busy cores: {} of {}",
        human(phase.increments as f64),
        phase.wall.as_secs_f64(),
        phase.busy_cores,
        phase.per_core.len()
    );
}

/// What one frame shows: the usage just sampled and how far the phase has got.
pub(crate) struct Frame<'a> {
    /// Usage of every core since the previous sample, in percent.
    pub usage: &'a [f32],
    /// Time since the phase started.
    pub elapsed: Duration,
    /// How long the phase runs (`None`: until Ctrl-C).
    pub limit: Option<Duration>,
    /// Increments so far, all threads together.
    pub done: u64,
    /// Which sample this is: 1, 2, 3...
    pub tick: u64,
}

/// Draws one frame: bars redrawn in place on a terminal, or a plain line once a second.
pub(crate) fn show(display: Display, frame: &Frame, drawn: &mut bool) {
    let Frame {
        usage,
        elapsed,
        limit,
        done,
        tick,
    } = *frame;
    let progress = match limit {
        Some(l) => format!("{:.1} s of {} s", elapsed.as_secs_f64(), l.as_secs()),
        None => format!("{:.1} s (Ctrl-C stops)", elapsed.as_secs_f64()),
    };
    match display {
        Display::Quiet => {}
        Display::Lines => {
            // Once a second: a few lines a learner can read in a log, no escape codes.
            if tick.is_multiple_of(TICKS_PER_SECOND) {
                let cores: Vec<String> = usage
                    .iter()
                    .enumerate()
                    .map(|(i, u)| format!("cpu{i} {u:5.1}%"))
                    .collect();
                // A closed pipe (`| head -3`) only costs us the rest of the lines.
                let _ = writeln!(
                    io::stdout().lock(),
                    "  {progress}  {}  {} increments",
                    cores.join("  "),
                    human(done as f64)
                );
            }
        }
        Display::Bars { color } => {
            let mut text = String::new();
            if *drawn {
                // Move the cursor back up over the previous frame: ESC [ n F.
                text.push_str(&format!("\x1b[{}F", usage.len() + 1));
            }
            // ESC [ 2K clears the line before it is written again.
            text.push_str(&format!(
                "\x1b[2K  {progress}, {} increments\n",
                human(done as f64)
            ));
            for (i, u) in usage.iter().enumerate() {
                let hot = if *u > BUSY_THRESHOLD {
                    AnsiColor::Red
                } else {
                    AnsiColor::Green
                };
                let (on, off) = style(color, Style::new().fg_color(Some(hot.into())));
                text.push_str(&format!(
                    "\x1b[2K  cpu{i:<2} {on}{}{off} {u:5.1}%\n",
                    bar(*u, BAR_WIDTH)
                ));
            }
            let mut out = io::stdout().lock();
            // A failed write to the terminal only costs us a frame; the summary still prints.
            let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
            *drawn = true;
        }
    }
}

/// Prints the summary: cores, busy cores and increments per second of each phase, the ratio.
pub fn print_summary(report: &Report) {
    let bold = Style::new().bold();
    let build = if cfg!(debug_assertions) {
        "debug build: numbers are far lower than with --release"
    } else {
        "release build"
    };
    anstream::println!();
    anstream::println!("{bold}summary{bold:#} ({build}; {} cores)", report.cores);
    for (i, phase) in report.phases.iter().enumerate() {
        let usage: Vec<String> = phase
            .per_core
            .iter()
            .enumerate()
            .map(|(c, u)| format!("cpu{c} {u:.0}%"))
            .collect();
        let own = phase
            .own_cores
            .map(|c| format!(", this program used {c:.2} cores"))
            .unwrap_or_default();
        anstream::println!(
            "  phase {}: {} thread{}, busy cores {} of {} ({}){own}, {} increments/s",
            i + 1,
            phase.threads,
            if phase.threads == 1 { "" } else { "s" },
            phase.busy_cores,
            report.cores,
            usage.join(", "),
            human(phase.increments_per_sec()),
        );
    }
    if let Some(ratio) = report.ratio() {
        anstream::println!(
            "  {bold}phase 2 / phase 1: {ratio:.2}x{bold:#} the increments per second"
        );
    }
    if let (true, Some(reference), Some(first)) =
        (report.printed, &report.reference, report.phases.first())
    {
        let slower = reference.increments_per_sec() / first.increments_per_sec().max(1.0);
        anstream::println!(
            "  printing costs: 1 thread without printing did {} increments/s, {slower:.0}x more",
            human(reference.increments_per_sec()),
        );
    }
    if report.interrupted {
        anstream::println!("  stopped by Ctrl-C");
    }
    anstream::println!(
        "  busy = a core's average usage above 50%; usage counts every program on the machine,"
    );
    anstream::println!("  like a task manager, so other busy programs show up too.");
}
