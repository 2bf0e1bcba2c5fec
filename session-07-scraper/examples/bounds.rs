//! How much can async win, over many random draws? No sleeping: this only computes bounds.
//!
//!     cargo run --release -p session-07-scraper --example bounds [ITEMS] [SEEDS]
//!
//! For each seed it draws the delays exactly as the scraper does and divides the sync bound (sum
//! of all delays) by the async bound (the critical path). The course's "24 s vs 13 s" came from
//! two different draws; with the same draw for both, this is the best async can do.

use session_07_scraper::Plan;

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<u64>());
    let items = match args.next() {
        Some(Ok(n)) if n > 0 => n as usize,
        None => 20,
        _ => return eprintln!("usage: bounds [ITEMS > 0] [SEEDS > 0]"),
    };
    let seeds = match args.next() {
        Some(Ok(n)) if n > 0 => n,
        None => 10_000,
        _ => return eprintln!("usage: bounds [ITEMS > 0] [SEEDS > 0]"),
    };

    let mut gains: Vec<f64> = (0..seeds)
        .map(|seed| {
            let plan = Plan::draw(items, seed, 1.0);
            plan.sync_bound().as_secs_f64() / plan.async_bound().as_secs_f64()
        })
        .collect();
    gains.sort_by(f64::total_cmp);
    let at = |q: f64| gains[((gains.len() - 1) as f64 * q).round() as usize];
    let share = |x: f64| gains.iter().filter(|&&g| g >= x).count() as f64 / gains.len() as f64;
    println!("{items} items, {seeds} seeds: best possible speed-up of async over sync");
    println!(
        "  min {:.2}x   median {:.2}x   max {:.2}x",
        gains[0],
        at(0.5),
        gains[gains.len() - 1]
    );
    println!("  seeds where it reaches 1.6x: {:.1} %", share(1.6) * 100.0);
}
