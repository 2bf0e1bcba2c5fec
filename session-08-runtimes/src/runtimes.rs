//! The only module that names a runtime. [`run_on`] is the lab's
//! `asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())`: one arm per runtime, running the
//! same [`Workload`]. Below it, each runtime's spawner implements [`Spawn`], and each family of
//! socket types implements [`Net`].

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::thread;
use std::time::Duration;

use anyhow::Context as _;
use futures::executor::{LocalPool, LocalSpawner};
use futures::task::LocalSpawnExt as _;

use crate::echo::Net;
use crate::{Outcome, Workload};

/// Every runtime this crate can run a workload on (`--runtime`), in the order the table lists
/// them (`Runtime::value_variants()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Runtime {
    /// tokio's current-thread runtime: everything on the calling thread.
    TokioCt,
    /// tokio's multi-thread runtime: one worker thread per core, with work stealing.
    TokioMt,
    /// smol's `Executor` inside `smol::block_on`: one thread.
    Smol,
    /// smol's `Executor` run by one thread per core.
    SmolMt,
    /// async-std's global runtime (discontinued upstream in 2025; smol is its successor).
    AsyncStd,
    /// `futures::executor::LocalPool`: a bare executor with no reactor of its own.
    Futures,
}

impl Runtime {
    /// The name used on the command line and in the output.
    pub fn name(self) -> String {
        let value = clap::ValueEnum::to_possible_value(&self).expect("no runtime is skipped");
        value.get_name().to_owned()
    }
}

/// The result of a spawned task, awaited later (asyncio's `Task` object). Every runtime has its
/// own join-handle type, so each is boxed into this one; the workloads spawn only a handful.
pub type JoinHandle<T> = Pin<Box<dyn Future<Output = anyhow::Result<T>>>>;

/// A future any runtime here can spawn: `Send + 'static`, because a multi-threaded runtime may
/// move it to another thread (single-threaded ones accept such tasks too).
pub trait Task<T>: Future<Output = T> + Send + 'static {}
impl<T, F: Future<Output = T> + Send + 'static> Task<T> for F {}

/// What a workload needs from a runtime: start a task (`asyncio.create_task`), and the
/// runtime's sockets and timer.
pub trait Spawn {
    /// The sockets and timer that work on this runtime.
    type Net: Net;

    /// Start `task` and return a handle to await its output.
    fn spawn<T: Send + 'static>(&self, task: impl Task<T>) -> JoinHandle<T>;
}

/// Run `workload` once on `runtime`: the one-line swap.
// ANCHOR: swap
pub fn run_on(runtime: Runtime, workload: Workload) -> anyhow::Result<Outcome> {
    match runtime {
        Runtime::TokioCt => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("could not start tokio's current-thread runtime")?
            .block_on(workload.run(&TokioSpawner)),
        Runtime::TokioMt => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("could not start tokio's multi-thread runtime")?
            .block_on(workload.run(&TokioSpawner)),
        Runtime::Smol => {
            let executor = smol::Executor::new();
            smol::block_on(executor.run(workload.run(&executor)))
        }
        Runtime::SmolMt => {
            let cores = thread::available_parallelism().map_or(1, |n| n.get());
            on_smol_threads(workload, cores)
        }
        Runtime::AsyncStd => async_std::task::block_on(workload.run(&AsyncStdSpawner)),
        Runtime::Futures => {
            let mut pool = LocalPool::new();
            let spawner = pool.spawner();
            pool.run_until(workload.run(&spawner))
        }
    }
}
// ANCHOR_END: swap

/// smol leaves threading to the program: run one `Executor` from `threads` threads.
///
/// The calling thread runs the workload; the others only help run its tasks until it is done.
fn on_smol_threads(workload: Workload, threads: usize) -> anyhow::Result<Outcome> {
    let executor = smol::Executor::new();
    let (stop, stopped) = async_channel::bounded::<()>(1);
    thread::scope(|scope| {
        for n in 1..threads {
            let (executor, stopped) = (&executor, stopped.clone());
            thread::Builder::new()
                .name(format!("smol-{n}"))
                .spawn_scoped(scope, move || {
                    // Run tasks until `stop` is dropped: then `recv` fails and `run` returns.
                    smol::block_on(executor.run(stopped.recv()))
                })
                .context("could not start a smol worker thread")?;
        }
        // Dropped on return *and* on panic, so the helpers always stop and the scope can end.
        let _stop = stop;
        smol::block_on(executor.run(workload.run(&executor)))
    })
}

// ---- Spawn: how each runtime starts a task ------------------------------------------------

/// `tokio::spawn` onto whichever tokio runtime is running the caller.
#[derive(Debug, Clone, Copy)]
pub struct TokioSpawner;

impl Spawn for TokioSpawner {
    type Net = TokioNet;

    fn spawn<T: Send + 'static>(&self, task: impl Task<T>) -> JoinHandle<T> {
        let handle = tokio::spawn(task);
        // A tokio task that panics reports it through the handle instead of unwinding here.
        Box::pin(async move { handle.await.context("a tokio task panicked") })
    }
}

impl Spawn for smol::Executor<'_> {
    type Net = SmolNet;

    fn spawn<T: Send + 'static>(&self, task: impl Task<T>) -> JoinHandle<T> {
        let handle = smol::Executor::spawn(self, task);
        Box::pin(async move { Ok(handle.await) })
    }
}

/// `async_std::task::spawn` onto async-std's global executor.
#[derive(Debug, Clone, Copy)]
pub struct AsyncStdSpawner;

impl Spawn for AsyncStdSpawner {
    // async-std's sockets are async-io's, the same as smol's, and so is its reactor.
    type Net = SmolNet;

    fn spawn<T: Send + 'static>(&self, task: impl Task<T>) -> JoinHandle<T> {
        let handle = async_std::task::spawn(task);
        Box::pin(async move { Ok(handle.await) })
    }
}

impl Spawn for LocalSpawner {
    // LocalPool has no reactor, but smol's sockets bring their own: with no thread inside
    // `smol::block_on`, async-io drives it from a background thread. (tokio's would panic.)
    type Net = SmolNet;

    fn spawn<T: Send + 'static>(&self, task: impl Task<T>) -> JoinHandle<T> {
        // It fails only once the pool has shut down, and the pool runs the caller.
        let handle = self
            .spawn_local_with_handle(task)
            .expect("the pool is running");
        Box::pin(async move { Ok(handle.await) })
    }
}

// ---- Net: each runtime's sockets and timer ------------------------------------------------
// Small messages must not wait for Nagle's algorithm, so every stream sets TCP_NODELAY.

/// tokio's sockets and timer.
#[derive(Debug)]
pub struct TokioNet;

impl Net for TokioNet {
    type Listener = tokio::net::TcpListener;
    type Stream = tokio::net::TcpStream;

    async fn bind(addr: SocketAddr) -> io::Result<(Self::Listener, SocketAddr)> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        Ok((listener, addr))
    }
    async fn accept(listener: &Self::Listener) -> io::Result<Self::Stream> {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }
    async fn connect(addr: SocketAddr) -> io::Result<Self::Stream> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }
    async fn read(stream: &mut Self::Stream, buf: &mut [u8]) -> io::Result<usize> {
        tokio::io::AsyncReadExt::read(stream, buf).await
    }
    async fn read_exact(stream: &mut Self::Stream, buf: &mut [u8]) -> io::Result<()> {
        tokio::io::AsyncReadExt::read_exact(stream, buf)
            .await
            .map(drop)
    }
    async fn write_all(stream: &mut Self::Stream, buf: &[u8]) -> io::Result<()> {
        tokio::io::AsyncWriteExt::write_all(stream, buf).await
    }
    async fn sleep(duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// smol's sockets and timer (the async-net and async-io crates), also used by async-std, whose
/// sockets are the same, and by `LocalPool`, which has none of its own.
#[derive(Debug)]
pub struct SmolNet;

impl Net for SmolNet {
    type Listener = smol::net::TcpListener;
    type Stream = smol::net::TcpStream;

    async fn bind(addr: SocketAddr) -> io::Result<(Self::Listener, SocketAddr)> {
        let listener = smol::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        Ok((listener, addr))
    }
    async fn accept(listener: &Self::Listener) -> io::Result<Self::Stream> {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }
    async fn connect(addr: SocketAddr) -> io::Result<Self::Stream> {
        let stream = smol::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }
    async fn read(stream: &mut Self::Stream, buf: &mut [u8]) -> io::Result<usize> {
        smol::io::AsyncReadExt::read(stream, buf).await
    }
    async fn read_exact(stream: &mut Self::Stream, buf: &mut [u8]) -> io::Result<()> {
        smol::io::AsyncReadExt::read_exact(stream, buf)
            .await
            .map(drop)
    }
    async fn write_all(stream: &mut Self::Stream, buf: &[u8]) -> io::Result<()> {
        smol::io::AsyncWriteExt::write_all(stream, buf).await
    }
    async fn sleep(duration: Duration) {
        smol::Timer::after(duration).await;
    }
}
