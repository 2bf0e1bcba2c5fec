//! What every part shares: the `--speed` factor, printing one line, colours, numbers.

use std::fmt::Display;
use std::io::Write;

use anyhow::Context;
use std::time::Duration;

/// `--speed F`: every delay in the lab is divided by `F` (0.1 to 100), so a test runs the
/// course's one-second greeter with `--speed 20` and the order of events stays the same.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speed(f64);

impl Speed {
    /// The range `--speed` accepts.
    pub const RANGE: std::ops::RangeInclusive<f64> = 0.1..=100.0;

    /// A speed factor; `None` outside [`Speed::RANGE`].
    pub fn new(factor: f64) -> Option<Speed> {
        Speed::RANGE.contains(&factor).then_some(Speed(factor))
    }

    /// A delay of `ms` milliseconds at this speed.
    pub fn ms(self, ms: u64) -> Duration {
        Duration::from_millis(ms).div_f64(self.0)
    }
}

/// Print one line on stdout. Threads print at the same time in these lessons: the line is
/// written under stdout's lock, so lines never mix. `anstream` drops the colour codes when
/// stdout is not a terminal or `NO_COLOR` is set. An error (a closed pipe, a full disk) goes
/// back to the caller, and up to `main`.
pub fn say(line: impl Display) -> anyhow::Result<()> {
    writeln!(anstream::stdout().lock(), "{line}").context("could not write to stdout")
}

/// `text` wrapped in a style, for [`say`].
pub fn paint(style: anstyle::Style, text: impl Display) -> String {
    format!("{style}{text}{style:#}")
}

/// Green: the line the lesson is about (`Task Done !`, a correct result).
pub const GOOD: anstyle::Style = anstyle::AnsiColor::Green.on_default();
/// Red: a wrong result the lesson wants you to notice (an oversold cinema).
pub const BAD: anstyle::Style = anstyle::AnsiColor::Red.on_default().bold();

/// Say, in red, that a debug build's timings are not representative.
pub fn warn_if_debug_build() -> anyhow::Result<()> {
    match cfg!(debug_assertions) {
        true => say(paint(
            BAD,
            "debug build: timings are not representative; use --release",
        )),
        false => Ok(()),
    }
}

/// A part heading: a blank line, then the title in bold.
pub fn heading(title: &str) -> anyhow::Result<()> {
    say(format_args!(
        "\n{}",
        paint(anstyle::Style::new().bold(), format!("== {title} =="))
    ))
}

/// An explanation line, dimmed.
pub fn note(text: impl Display) -> anyhow::Result<()> {
    say(paint(anstyle::Style::new().dimmed(), text))
}

/// `text` without control characters and bidi controls: a `--name` is printed, and must not
/// move the cursor, change colours or reverse the line on someone's terminal.
pub fn clean(text: &str) -> String {
    let bidi = |c: char| {
        matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
            || c == '\u{061C}'
            || c == '\u{FEFF}'
    };
    text.chars()
        .filter(|&c| !c.is_control() && !bidi(c))
        .collect()
}

/// `50000000` -> `"50,000,000"`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A duration for people: `850.0 ms`, `1.25 s`.
pub fn human(d: Duration) -> String {
    match d.as_secs_f64() {
        s if s < 1.0 => format!("{:.1} ms", s * 1000.0),
        s => format!("{s:.2} s"),
    }
}
