//! جلسه 2: the course's online shop, in Rust on tokio. The course tells it in words, with no
//! code and no times (see "جلسه 2" in the course's README:
//! https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/README.md);
//! the steps are the course's, the seconds are ours.
//!
//!     cargo run -p session-02-cpu --example shop_sequential
//!
//! This is `shop.rs` with every step awaited one after another (diff the two files: only the
//! last three steps change). Watch: no step starts before the previous one is done, and the
//! total is 8.0 s, the sum of every wait, against 5.5 s for `--example shop`.

use std::time::{Duration, Instant};

use anstyle::{AnsiColor, Style};

// anstream::println! drops the colours when stdout is not a terminal or NO_COLOR is set.
const YELLOW: Style = AnsiColor::Yellow.on_default();
const GREEN: Style = AnsiColor::Green.on_default();

/// One step of the order. The sleep stands in for a payment gateway, a database, a mail server.
async fn step(t0: Instant, name: &str, seconds: f64) {
    let at = t0.elapsed().as_secs_f64();
    anstream::println!("{at:6.3} s  {YELLOW}start{YELLOW:#}  {name}");
    // asyncio.sleep -> tokio::time::sleep: this step waits, and the thread is free for others.
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    let at = t0.elapsed().as_secs_f64();
    anstream::println!("{at:6.3} s  {GREEN}done{GREEN:#}   {name}");
}

// asyncio.run(main()) -> #[tokio::main]; "current_thread": one thread, like asyncio's event loop.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let t0 = Instant::now();
    // The seconds each step waits.
    let (view, cart, pay) = (1.0, 0.5, 2.0);
    let (register, email, sms) = (1.0, 2.0, 1.5);

    // ANCHOR: order
    // These depend on each other: you pay for what is in the cart.
    step(t0, "view the product", view).await;
    step(t0, "add it to the cart", cart).await;
    step(t0, "pay", pay).await;

    // These do not, but here they wait in line anyway: each starts when the previous is done.
    step(t0, "register the order", register).await;
    step(t0, "send the confirmation e-mail", email).await;
    step(t0, "send the SMS", sms).await;
    // ANCHOR_END: order

    let total = t0.elapsed().as_secs_f64();
    let one_by_one = view + cart + pay + register + email + sms;
    let longest_path = view + cart + pay + register.max(email).max(sms);
    println!(
        "total: {total:.3} s (one after another: {one_by_one:.1} s; the longest path: {longest_path:.1} s)"
    );
}
