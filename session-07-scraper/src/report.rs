//! After the runs: a summary against the bounds, a timeline chart, or one JSON object.
//!
//! The chart gives each task of each run one row on a shared time axis. A cell is shaded by how
//! much of its slice of time the task was busy, so the sync rows take turns (one long stretch of
//! scraping, then one of processing) while the async rows are busy at the same time and end
//! sooner.

use std::io::{self, Write};
use std::time::Duration;

use anstyle::{AnsiColor, Style};

use crate::{Run, Span, Task, Version};

const HEADING: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const GOOD: Style = AnsiColor::Green.on_default().bold();

/// How wide the timeline chart is, in terminal columns, for the longest run.
pub const CHART_WIDTH: usize = 60;

/// Prints each run's total next to its bound, then the speed-up over sync.
pub fn summary(out: &mut impl Write, runs: &[Run]) -> io::Result<()> {
    writeln!(out, "{HEADING}Summary{HEADING:#}")?;
    writeln!(
        out,
        "  {:<16}{:>10}{:>16}{:>10}",
        "version", "total", "best possible", "over it"
    )?;
    for run in runs {
        writeln!(
            out,
            "  {:<16}{:>8.2} s{:>14.2} s{:>+8.1} %",
            run.version.name(),
            run.total.as_secs_f64(),
            run.bound.as_secs_f64(),
            (run.total.as_secs_f64() / run.bound.as_secs_f64() - 1.0) * 100.0
        )?;
    }
    let Some(sync) = runs.iter().find(|r| r.version == Version::Sync) else {
        return writeln!(out, "  (run with --mode both to compare against sync)");
    };
    for run in runs.iter().filter(|r| r.version != Version::Sync) {
        let measured = sync.total.as_secs_f64() / run.total.as_secs_f64();
        let best = sync.bound.as_secs_f64() / run.bound.as_secs_f64();
        writeln!(
            out,
            "  {GOOD}{} is {measured:.2}x as fast as sync{GOOD:#} \
             (best possible with these delays: {best:.2}x; overlap can never give more than 2x)",
            run.version.name(),
        )?;
    }
    Ok(())
}

/// One row of the chart: how busy `task` was in each column of `column` seconds, up to `total`.
pub fn timeline_row(spans: &[Span], task: Task, total: Duration, column: Duration) -> String {
    let columns = total.as_secs_f64() / column.as_secs_f64();
    let columns = (columns - 1e-9).ceil().max(1.0) as u32;
    (0..columns)
        .map(|c| {
            let (from, to) = (column * c, column * (c + 1));
            let busy: Duration = spans
                .iter()
                .filter(|s| s.task == task)
                .map(|s| s.end.min(to).saturating_sub(s.start.max(from)))
                .sum();
            shade(busy.as_secs_f64() / column.as_secs_f64())
        })
        .collect()
}

/// The glyph for a cell that is busy `fraction` (0..=1) of its time.
pub fn shade(fraction: f64) -> char {
    match fraction {
        f if f <= 0.0 => '·',
        f if f <= 0.25 => '░',
        f if f <= 0.5 => '▒',
        f if f <= 0.75 => '▓',
        _ => '█',
    }
}

/// Prints the chart: one row per task per run, every row on the same time axis.
pub fn timeline(out: &mut impl Write, runs: &[Run]) -> io::Result<()> {
    let Some(longest) = runs.iter().map(|r| r.total).max() else {
        return Ok(());
    };
    // Round the column up, so the longest run fits in CHART_WIDTH columns exactly.
    let column =
        Duration::from_nanos((longest.as_nanos().div_ceil(CHART_WIDTH as u128) as u64).max(1));
    let column_text = if column < Duration::from_millis(100) {
        format!("{:.1} ms", column.as_secs_f64() * 1e3)
    } else {
        format!("{:.2} s", column.as_secs_f64())
    };
    writeln!(
        out,
        "{HEADING}Timeline{HEADING:#} {DIM}(one column = {column_text}; \
         █ busy, ▓ up to ¾ busy, ▒ up to ½, ░ up to ¼, · idle){DIM:#}",
    )?;
    for run in runs {
        for (i, task) in [Task::Scrape, Task::Process].into_iter().enumerate() {
            let label = if i == 0 { run.version.name() } else { "" };
            let row = timeline_row(&run.spans, task, run.total, column);
            let colour = match task {
                Task::Scrape => AnsiColor::Yellow.on_default(),
                Task::Process => AnsiColor::Cyan.on_default(),
            };
            let name = match task {
                Task::Scrape => "scrap_data",
                Task::Process => "process_data",
            };
            write!(out, "  {label:<15}{name:<13} ")?;
            for glyph in row.chars() {
                let style = if glyph == '·' { DIM } else { colour };
                write!(out, "{style}{glyph}{style:#}")?;
            }
            writeln!(out)?;
        }
    }
    let end = format!("{:.1} s", longest.as_secs_f64());
    writeln!(out, "  {:<29}0 s{end:>width$}", "", width = CHART_WIDTH - 3)?;
    Ok(())
}

/// Prints the spread of [`best_speedups`](crate::plan::best_speedups): `bounds` on the command line.
pub fn speedups(out: &mut impl Write, items: usize, gains: &[f64]) -> io::Result<()> {
    let (Some(&min), Some(&max)) = (gains.first(), gains.last()) else {
        return Ok(());
    };
    let at = |q: f64| gains[((gains.len() - 1) as f64 * q).round() as usize];
    let share = gains.iter().filter(|&&g| g >= 1.6).count() as f64 / gains.len() as f64;
    writeln!(
        out,
        "{items} items, {} seeds: best possible speed-up of async over sync",
        gains.len()
    )?;
    writeln!(
        out,
        "  min {min:.2}x   median {:.2}x   max {max:.2}x",
        at(0.5)
    )?;
    writeln!(out, "  seeds where it reaches 1.6x: {:.1} %", share * 100.0)
}

/// The `--json` output: an object with `items`, `seed`, `speed` and `runs`, each run with `mode`,
/// `total_s` and `bound_s` (seconds, rounded to the microsecond). Keys may come out in alphabetical
/// order: that depends on a serde_json feature, and JSON readers do not care.
pub fn json(items: usize, seed: u64, speed: f64, runs: &[Run]) -> serde_json::Value {
    let runs: Vec<_> = runs
        .iter()
        .map(|run| {
            serde_json::json!({
                "mode": run.version.name(),
                "total_s": micros(run.total),
                "bound_s": micros(run.bound),
            })
        })
        .collect();
    serde_json::json!({ "items": items, "seed": seed, "speed": speed, "runs": runs })
}

/// Seconds rounded to the microsecond: finer digits would be noise in a timing.
fn micros(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e6
}
