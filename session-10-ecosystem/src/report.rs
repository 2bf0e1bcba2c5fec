//! # What the lab prints, and the few rules for printing it
//!
//! The pipelining figures, headings, the typed "server out of reach" error, and [`clean`]
//! for any text that came from outside.

use std::io::{self, Write};
use std::time::Duration;

/// How long a server may take to accept a connection (a server that is down refuses at once).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A server part could not start (a URL that does not parse, a server out of reach): the full
/// run skips that part in one line; `main` finds it by type.
#[derive(Debug)]
pub struct Unreachable(pub String);

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unreachable {}

/// `text` without control characters (ESC, BEL, newlines...) and without the invisible
/// bidirectional controls, so that a hostile server's error message cannot move the cursor,
/// retitle the terminal or reverse the line it is printed on.
pub fn clean(text: &str) -> String {
    let bidi = |c: char| {
        matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
            || matches!(c, '\u{061C}' | '\u{FEFF}')
    };
    let kept: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    kept.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|&c| !bidi(c))
        .collect()
}

/// An error and its causes on one line, cleaned: "could not X: because Y". Libraries often
/// repeat their cause in their own message; a part already said is not said again.
pub fn error_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = clean(&cause.to_string());
        if !text.is_empty() && !parts.iter().any(|seen| seen.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

/// `ops` operations awaited one by one (`sequential_s` seconds), then the same number all in
/// flight at once (`pipelined_s`); `--json` prints it as `{"ops":N,"sequential_s":..,..}`.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct PipelineFigures {
    pub ops: usize,
    pub sequential_s: f64,
    pub pipelined_s: f64,
}

impl PipelineFigures {
    /// Writes the two times and the ratio, in the same words for both server parts.
    pub fn write_to(&self, out: &mut impl Write, what: &str) -> io::Result<()> {
        let bold = anstyle::Style::new().bold();
        for (how, seconds) in [
            ("one by one:", self.sequential_s),
            ("pipelined:", self.pipelined_s),
        ] {
            writeln!(
                out,
                "  {} {what} {how:<12} {:>9.1} ms ({:.1} µs per op)",
                self.ops,
                seconds * 1e3,
                seconds * 1e6 / self.ops as f64
            )?;
        }
        let speedup = self.sequential_s / self.pipelined_s.max(f64::MIN_POSITIVE);
        writeln!(
            out,
            "  pipelining was {bold}{speedup:.1}x{bold:#} faster{}",
            build_note()
        )
    }
}

/// Said beside every timing of a build without optimisations.
pub fn build_note() -> &'static str {
    if cfg!(debug_assertions) {
        " (debug build: timings are not representative, use --release)"
    } else {
        ""
    }
}

/// A part's heading, in bold cyan on a terminal (anstream drops it otherwise).
pub fn heading(out: &mut impl Write, title: &str) -> io::Result<()> {
    let style = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Cyan.into()));
    writeln!(out, "{style}== {title} =={style:#}")
}
