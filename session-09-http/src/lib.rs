//! Session 9: fetch many web pages at once, and scrape a title out of each.
//!
//! The course's program asks a course site for 41 pages, ids 6100 to 6140, with one aiohttp task
//! per page, and awaits them in order: the 41 waits overlap, and the total comes close to the
//! latency of ONE page instead of the sum of all of them. The course's own program, one file as
//! the course wrote it, is `examples/async_scrap.rs`; this library is the lab that measures it.
//!
//! Read in this order:
//! - [`scrape`]: the lesson, one page after another or many at once ([`scrape_data`]), with
//!   retries and a run that gives up on a site nobody can reach;
//! - [`title`]: the title out of the HTML (`.right-side h1`), and [`clean_text`] for printing a
//!   stranger's text;
//! - [`clients`]: reqwest on tokio and surf on async-std behind one [`HttpClient`], with the
//!   timeouts and the cap on a page's size;
//! - [`site`]: the demo course site the lab scrapes by default (axum, on 127.0.0.1).

pub mod scrape;
pub mod title;

pub mod clients;
pub mod site;

pub use clients::{ClientKind, FetchError, HttpClient};
pub use scrape::{GIVE_UP_AFTER, Mode, Outcome, Page, Run, Settings, scrape_data, scrape_page};
pub use title::{Late, NO_COURSE, clean_text, extract_title};
