//! جلسه 10 (session 10): aiofiles, the course's first async package, in Rust: `tokio::fs`.
//! Original: https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/README.md (session 10 names the
//!           packages; it has no code file of its own)
//! Run:      cargo run -p session-10-ecosystem --example files
//!
//! Watch: ten tasks each write a note and read it back at the same time; the lines come out in
//! the order the tasks finish, which can change from run to run. The total is always 55.
//!
//! Where Rust differs: nothing here is faster than plain `std::fs`. Operating systems give no
//! portable non-blocking file calls, so aiofiles runs each call on a thread pool, and
//! `tokio::fs` does exactly the same (`spawn_blocking` inside). It keeps the runtime free for
//! other tasks while the disk works; that is the point.

use tokio::task::JoinSet;

// ANCHOR: write_and_count
/// Writes note `n` (n lines) into `folder`, reads it back and counts its lines.
async fn write_and_count(folder: std::path::PathBuf, n: usize) -> std::io::Result<usize> {
    let path = folder.join(format!("note-{n}.txt"));
    let text: String = (1..=n)
        .map(|line| format!("note {n}, line {line}\n"))
        .collect();
    // async with aiofiles.open(path, "w") as f: await f.write(text)
    tokio::fs::write(&path, text).await?;
    // async with aiofiles.open(path) as f: text = await f.read()
    let back = tokio::fs::read_to_string(&path).await?;
    Ok(back.lines().count())
}
// ANCHOR_END: write_and_count

#[tokio::main]
async fn main() -> std::io::Result<()> {
    // A new, empty folder of our own: we never write over a file we did not make. It is
    // removed, with everything in it, when `folder` goes out of scope at the end of main.
    let folder = tempfile::tempdir()?;

    // asyncio.gather(*(write_and_count(n) for n in range(1, 11))) -> a JoinSet of tasks
    let mut tasks = JoinSet::new();
    for n in 1..=10 {
        let folder = folder.path().to_path_buf();
        tasks.spawn(async move { (n, write_and_count(folder, n).await) });
    }

    let mut total = 0;
    while let Some(finished) = tasks.join_next().await {
        let (n, lines) = finished.expect("a task panicked");
        let lines = lines?;
        let unit = if lines == 1 { "line" } else { "lines" };
        println!("note-{n}.txt: {lines} {unit}");
        total += lines;
    }
    println!("{total} lines in 10 files, all written and read at the same time");
    Ok(())
}
