//! Everything the learner sees while the loop runs, and the summary after it.
//!
//! [`crate::cpu`] measures and hands each [`Event`] to a callback; [`Display::show`] is that
//! callback. On a terminal the bars are redrawn in place, like a task manager: after the first
//! frame, each new frame moves the cursor back up over the old one (`ESC [ n F`) and clears
//! every line before writing it (`ESC [ 2K`). When stdout is a pipe or a file (tests, CI,
//! `| tee log.txt`) those codes would be garbage, so it prints one plain line a second
//! instead. Colours go through `anstream`, which drops them when `NO_COLOR` is set.
//!
//! Every write returns its error: a full disk stops the run with one line, and the caller
//! decides that a reader who went away (`| head`) is a quiet end.

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use anstyle::{AnsiColor, Style};

use crate::cpu::{Event, Phase, Report, SAMPLE_EVERY, Sample};
use crate::usage::BUSY_THRESHOLD;

/// Frames per second; the plain display prints one line in this many.
const TICKS_PER_SECOND: u64 = (1000 / SAMPLE_EVERY.as_millis()) as u64;

/// Width of one bar, in characters.
const BAR_WIDTH: usize = 40;

/// How a run shows its progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Bars redrawn in place: stdout is a terminal. `color` says whether to use colour.
    Bars { color: bool },
    /// A plain line about once a second: stdout is a pipe or a file (tests, CI, `| tee`).
    Lines,
    /// Nothing while running (`--json`, or `--print` where the numbers are the display).
    Quiet,
}

/// Draws the events of a run; keeps whether a frame of bars is on screen to draw over.
#[derive(Debug)]
pub struct Display {
    mode: Mode,
    drawn: bool,
    noted_debug: bool,
}

impl Display {
    /// Shows nothing while running.
    pub fn quiet() -> Self {
        Display::new(Mode::Quiet)
    }

    /// Bars on a terminal, plain lines otherwise; colour follows `anstream`'s rules
    /// (off when `NO_COLOR` is set or the terminal cannot show it).
    pub fn for_stdout() -> Self {
        let stdout = io::stdout();
        if stdout.is_terminal() {
            let choice = anstream::AutoStream::choice(&stdout);
            Display::new(Mode::Bars {
                color: choice != anstream::ColorChoice::Never,
            })
        } else {
            Display::new(Mode::Lines)
        }
    }

    fn new(mode: Mode) -> Self {
        Display {
            mode,
            drawn: false,
            noted_debug: false,
        }
    }

    /// The callback for [`crate::cpu::run`]: draws one event.
    pub fn show(&mut self, event: Event<'_>) -> io::Result<()> {
        if self.mode == Mode::Quiet {
            return Ok(());
        }
        match event {
            Event::Started {
                name,
                threads,
                limit,
            } => self.announce(name, threads, limit),
            Event::Sample(sample) => self.frame(sample),
            Event::Finished { name, phase } => finish_line(name, phase),
        }
    }

    /// The heading of a phase: what runs, on how many threads, for how long.
    fn announce(&mut self, name: &str, threads: usize, limit: Option<Duration>) -> io::Result<()> {
        let mut out = anstream::stdout().lock();
        if cfg!(debug_assertions) && !self.noted_debug {
            writeln!(out, "note: debug build; for figures run with --release")?;
            self.noted_debug = true;
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
        self.drawn = false;
        writeln!(out, "{bold}{name}{bold:#}: {what} {how_long}")
    }

    /// Draws one sample: bars redrawn in place on a terminal, or a plain line once a second.
    fn frame(&mut self, sample: &Sample) -> io::Result<()> {
        let progress = match sample.limit {
            Some(l) => format!("{:.1} s of {} s", sample.elapsed.as_secs_f64(), l.as_secs()),
            None => format!("{:.1} s (Ctrl-C stops)", sample.elapsed.as_secs_f64()),
        };
        let done = human(sample.done as f64);
        match self.mode {
            Mode::Quiet => Ok(()),
            Mode::Lines if !sample.tick.is_multiple_of(TICKS_PER_SECOND) => Ok(()),
            Mode::Lines => {
                // Once a second: a line a learner can read in a log, no escape codes.
                let cores: Vec<String> = (sample.usage.iter().enumerate())
                    .map(|(i, u)| format!("cpu{i} {u:5.1}%"))
                    .collect();
                let line = cores.join("  ");
                writeln!(
                    io::stdout().lock(),
                    "  {progress}  {line}  {done} increments"
                )
            }
            Mode::Bars { color } => {
                let mut text = String::new();
                if self.drawn {
                    // Move the cursor back up over the previous frame: ESC [ n F.
                    text.push_str(&format!("\x1b[{}F", sample.usage.len() + 1));
                }
                // ESC [ 2K clears the line before it is written again.
                text.push_str(&format!("\x1b[2K  {progress}, {done} increments\n"));
                for (i, u) in sample.usage.iter().enumerate() {
                    let hot = if *u > BUSY_THRESHOLD {
                        AnsiColor::Red
                    } else {
                        AnsiColor::Green
                    };
                    let style = Style::new().fg_color(Some(hot.into()));
                    let (on, off) = if color {
                        (style.render().to_string(), style.render_reset().to_string())
                    } else {
                        (String::new(), String::new())
                    };
                    let bar = bar(*u, BAR_WIDTH);
                    text.push_str(&format!("\x1b[2K  cpu{i:<2} {on}{bar}{off} {u:5.1}%\n"));
                }
                // Raw stdout, not anstream: with NO_COLOR anstream would strip the cursor codes.
                let mut out = io::stdout().lock();
                out.write_all(text.as_bytes())?;
                out.flush()?;
                self.drawn = true;
                Ok(())
            }
        }
    }
}

/// The line under a finished phase: increments, time, busy cores.
fn finish_line(name: &str, phase: &Phase) -> io::Result<()> {
    writeln!(
        anstream::stdout().lock(),
        "{name}: {} increments in {:.2} s, busy cores: {} of {}",
        human(phase.increments as f64),
        phase.wall.as_secs_f64(),
        phase.busy_cores,
        phase.per_core.len()
    )
}

/// Prints the summary: cores, busy cores and increments per second of each phase, the ratio.
pub fn print_summary(report: &Report) -> io::Result<()> {
    let mut out = anstream::stdout().lock();
    let bold = Style::new().bold();
    let build = if cfg!(debug_assertions) {
        "debug build: numbers are far lower than with --release"
    } else {
        "release build"
    };
    writeln!(out)?;
    writeln!(
        out,
        "{bold}summary{bold:#} ({build}; {} cores)",
        report.cores
    )?;
    for (i, phase) in report.phases.iter().enumerate() {
        let usage: Vec<String> = (phase.per_core.iter().enumerate())
            .map(|(c, u)| format!("cpu{c} {u:.0}%"))
            .collect();
        let own = phase
            .own_cores
            .map(|c| format!(", this program used {c:.2} cores"))
            .unwrap_or_default();
        writeln!(
            out,
            "  phase {}: {} thread{}, busy cores {} of {} ({}){own}, {} increments/s",
            i + 1,
            phase.threads,
            if phase.threads == 1 { "" } else { "s" },
            phase.busy_cores,
            report.cores,
            usage.join(", "),
            human(phase.increments_per_sec()),
        )?;
    }
    if let Some(ratio) = report.ratio() {
        writeln!(
            out,
            "  {bold}phase 2 / phase 1: {ratio:.2}x{bold:#} the increments per second"
        )?;
    }
    if let (true, Some(reference), Some(first)) =
        (report.printed, &report.reference, report.phases.first())
    {
        let slower = reference.increments_per_sec() / first.increments_per_sec().max(1.0);
        writeln!(
            out,
            "  printing costs: 1 thread without printing did {} increments/s, {slower:.0}x more",
            human(reference.increments_per_sec()),
        )?;
    }
    if report.interrupted {
        writeln!(out, "  stopped by Ctrl-C")?;
    }
    writeln!(
        out,
        "  busy = a core's average usage above 50%; usage counts every program on the machine,"
    )?;
    writeln!(
        out,
        "  like a task manager, so other busy programs show up too."
    )?;
    out.flush()
}

/// A bar of `width` cells for a percentage, `#` for used and `.` for idle: `[#####.....]`.
/// Percentages outside 0..=100 are clamped (sysinfo caps at 100 already, but be safe).
pub fn bar(percent: f32, width: usize) -> String {
    let filled = ((percent.clamp(0.0, 100.0) / 100.0) * width as f32).round() as usize;
    format!("[{}{}]", "#".repeat(filled), ".".repeat(width - filled))
}

/// A large number with a metric prefix and 3 significant digits: `1.02 G`, `850 M`, `12.3 k`.
pub fn human(x: f64) -> String {
    let (value, prefix) = if x >= 1e9 {
        (x / 1e9, "G")
    } else if x >= 1e6 {
        (x / 1e6, "M")
    } else if x >= 1e3 {
        (x / 1e3, "k")
    } else {
        (x, "")
    };
    let digits = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{value:.digits$} {prefix}").trim_end().to_string()
}
