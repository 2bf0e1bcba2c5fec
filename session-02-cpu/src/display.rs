//! Everything the learner sees while the loop runs, and the summary after it.
//!
//! [`Display::show`] is the callback that [`crate::cpu::run`] hands each [`Sample`] to. On a
//! terminal that may show colour, the bars are redrawn in place like a task manager: each frame
//! moves the cursor back up over the last one (`ESC [ n F`) and clears every line before
//! writing it (`ESC [ 2K`). Anywhere else (a pipe, a file, `TERM=dumb`, `NO_COLOR=1`) it prints
//! one plain line a second with no escape codes at all. Every write returns its error.

use std::io::{self, IsTerminal, Write};

use anstream::ColorChoice;
use anstyle::{AnsiColor, Style};

use crate::cpu::{Phase, Report, SAMPLE_EVERY, Sample};
use crate::usage::BUSY_THRESHOLD;

/// How a run shows its progress; [`Display::show`] draws each sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Display {
    /// Bars redrawn in place, in colour: stdout is a terminal that may show escape codes.
    Bars,
    /// A plain line about once a second.
    Lines,
    /// Nothing while running (`--json`, or `--print` where the numbers are the display).
    Quiet,
}

impl Display {
    /// Bars where anstream would allow colour (a terminal, `NO_COLOR` unset) and `TERM` is not
    /// `dumb` (anstream allows colour there when `CI` is set), plain lines with no escape code
    /// otherwise: cursor movement follows the same rule as colour.
    pub fn for_stdout() -> Self {
        if std::env::var_os("TERM").is_some_and(|term| term == "dumb") {
            ColorChoice::Never.write_global();
        }
        let stdout = io::stdout();
        let escapes = anstream::AutoStream::choice(&stdout) != ColorChoice::Never;
        match stdout.is_terminal() && escapes {
            true => Display::Bars,
            false => Display::Lines,
        }
    }

    /// The callback for [`crate::cpu::run`]: a heading when a phase starts, then the sample.
    pub fn show(self, s: &Sample) -> io::Result<()> {
        if self == Display::Quiet {
            return Ok(()); // without taking stdout's lock, which a printing thread may hold
        }
        let mut out = anstream::stdout().lock();
        if s.tick == 1 {
            let how_long = match s.limit {
                Some(l) => format!("for {} s", l.as_secs()),
                None => "until Ctrl-C".to_string(),
            };
            let what = match s.threads {
                1 => "the loop on 1 thread".to_string(),
                n => format!("the loop on {n} threads (one per core)"),
            };
            let bold = Style::new().bold();
            writeln!(out, "{bold}{}{bold:#}: {what} {how_long}", s.phase)?;
        }
        let (progress, done) = (progress(s), human(s.done as f64));
        match self {
            Display::Quiet => Ok(()),
            Display::Lines
                if !s
                    .tick
                    .is_multiple_of(1000 / SAMPLE_EVERY.as_millis() as u64) =>
            {
                Ok(())
            }
            Display::Lines => {
                let cores: Vec<String> = (s.usage.iter().enumerate())
                    .map(|(i, u)| format!("cpu{i} {u:5.1}%"))
                    .collect();
                writeln!(out, "  {progress}  {}  {done} increments", cores.join("  "))
            }
            Display::Bars => {
                let mut text = String::new();
                if s.tick > 1 {
                    // Move the cursor back up over the previous frame: ESC [ n F.
                    text.push_str(&format!("\x1b[{}F", s.usage.len() + 1));
                }
                // ESC [ 2K clears the line before it is written again.
                text.push_str(&format!("\x1b[2K  {progress}, {done} increments\n"));
                for (i, u) in s.usage.iter().enumerate() {
                    let hot = [AnsiColor::Green, AnsiColor::Red][usize::from(*u > BUSY_THRESHOLD)];
                    let (on, bar) = (Style::new().fg_color(Some(hot.into())), bar(*u, 40));
                    text.push_str(&format!("\x1b[2K  cpu{i:<2} {on}{bar}{on:#} {u:5.1}%\n"));
                }
                out.write_all(text.as_bytes())?;
                out.flush()
            }
        }
    }
}

/// `1.5 s of 5 s`, or `1.5 s (Ctrl-C stops)` for the endless loop.
fn progress(s: &Sample) -> String {
    let at = s.elapsed.as_secs_f64();
    match s.limit {
        Some(l) => format!("{at:.1} s of {} s", l.as_secs()),
        None => format!("{at:.1} s (Ctrl-C stops)"),
    }
}

/// Prints the summary: cores, busy cores and increments per second of each phase, the ratio.
pub fn print_summary(report: &Report) -> io::Result<()> {
    let mut out = anstream::stdout().lock();
    let bold = Style::new().bold();
    let build = match cfg!(debug_assertions) {
        true => "debug build: numbers are far lower than with --release",
        false => "release build",
    };
    writeln!(
        out,
        "\n{bold}summary{bold:#} ({build}; {} cores)",
        report.cores
    )?;
    for (i, phase) in report.phases.iter().enumerate() {
        writeln!(
            out,
            "  phase {}: {}",
            i + 1,
            phase_line(phase, report.cores)
        )?;
    }
    if let Some(ratio) = report.ratio() {
        writeln!(
            out,
            "  {bold}phase 2 / phase 1: {ratio:.2}x{bold:#} the increments per second"
        )?;
        if report.phases[0].printed {
            writeln!(
                out,
                "  (phase 1 printed every number and phase 2 did not: that is what printing costs)"
            )?;
        }
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

/// `1 thread, busy cores 1 of 2 (cpu0 99%, cpu1 3%), this program used 1.00 cores, 3.2 G increments/s`.
fn phase_line(phase: &Phase, cores: usize) -> String {
    let usage: Vec<String> = (phase.per_core.iter().enumerate())
        .map(|(c, u)| format!("cpu{c} {u:.0}%"))
        .collect();
    let own = (phase.own_cores)
        .map(|c| format!(", this program used {c:.2} cores"))
        .unwrap_or_default();
    let threads = match phase.threads {
        1 => "1 thread".to_string(),
        n => format!("{n} threads"),
    };
    let printing = if phase.printed { " printing" } else { "" };
    format!(
        "{threads}{printing}, busy cores {} of {cores} ({}){own}, {} increments/s",
        phase.busy_cores,
        usage.join(", "),
        human(phase.increments_per_sec()),
    )
}

/// A bar of `width` cells for a percentage, `#` for used and `.` for idle: `[#####.....]`.
pub fn bar(percent: f32, width: usize) -> String {
    let filled = ((percent.clamp(0.0, 100.0) / 100.0) * width as f32).round() as usize;
    format!("[{}{}]", "#".repeat(filled), ".".repeat(width - filled))
}

/// A large number with a metric prefix and 3 significant digits: `1.02 G`, `850 M`, `12.3 k`.
pub fn human(x: f64) -> String {
    let (value, prefix) = match x {
        x if x >= 1e9 => (x / 1e9, "G"),
        x if x >= 1e6 => (x / 1e6, "M"),
        x if x >= 1e3 => (x / 1e3, "k"),
        x => (x, ""),
    };
    let digits = match value {
        v if v >= 100.0 => 0,
        v if v >= 10.0 => 1,
        _ => 2,
    };
    format!("{value:.digits$} {prefix}").trim_end().to_string()
}
