//! The only module that names a runtime.
//!
//! [`run_on`] is the lab's `asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())`: one arm
//! per runtime, each a line or two, running the same [`Workload`]. Below it, each runtime's
//! spawner implements [`Spawn`] and each family of socket types implements [`Net`].
//!
//! | runtime     | executor                               | reactor (sockets, timers)        |
//! |-------------|----------------------------------------|----------------------------------|
//! | `tokio-ct`  | tokio, on the calling thread only      | tokio's, on the same thread      |
//! | `tokio-mt`  | tokio, one worker per core, stealing   | tokio's, shared by the workers   |
//! | `smol`      | `LocalExecutor` on the calling thread  | async-io, driven by `block_on`   |
//! | `smol-mt`   | `Executor` on one thread per core      | async-io, driven by `block_on`   |
//! | `async-std` | a global executor, one thread per core | async-io                         |
//! | `futures`   | `LocalPool` on the calling thread      | none: borrows async-io's thread  |
//!
//! `futures::executor::LocalPool` is an executor *without* a reactor. It can still serve sockets
//! because smol's socket types bring their own: when no thread is inside `smol::block_on`,
//! async-io drives its reactor from a background thread. tokio's sockets cannot do that; they
//! fail outside a tokio runtime, which is why tokio code calls `tokio::spawn`, never another
//! executor.

use std::io;
use std::net::SocketAddr;
use std::thread;
use std::time::Duration;

use anyhow::Context as _;
use futures::executor::{LocalPool, LocalSpawner};
use futures::task::LocalSpawnExt as _;

use crate::echo::Net;
use crate::{JoinHandle, Outcome, Spawn, Workload};

/// Every runtime this crate can run a workload on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Runtime {
    /// tokio's current-thread runtime: everything on the calling thread.
    TokioCt,
    /// tokio's multi-thread runtime: one worker thread per core, with work stealing.
    TokioMt,
    /// smol's `LocalExecutor` inside `smol::block_on`: one thread.
    Smol,
    /// smol's `Executor` run by one thread per core.
    SmolMt,
    /// async-std's global runtime (discontinued upstream in 2025; smol is its successor).
    AsyncStd,
    /// `futures::executor::LocalPool`: a bare single-threaded executor.
    Futures,
}

impl Runtime {
    /// All runtimes, in the order the table lists them.
    pub const ALL: [Runtime; 6] = [
        Runtime::TokioCt,
        Runtime::TokioMt,
        Runtime::Smol,
        Runtime::SmolMt,
        Runtime::AsyncStd,
        Runtime::Futures,
    ];

    /// The name used on the command line and in the output.
    pub fn name(self) -> &'static str {
        match self {
            Runtime::TokioCt => "tokio-ct",
            Runtime::TokioMt => "tokio-mt",
            Runtime::Smol => "smol",
            Runtime::SmolMt => "smol-mt",
            Runtime::AsyncStd => "async-std",
            Runtime::Futures => "futures",
        }
    }
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
            let executor = smol::LocalExecutor::new();
            smol::block_on(executor.run(workload.run(&executor)))
        }
        Runtime::SmolMt => on_smol_threads(workload, cores()),
        Runtime::AsyncStd => async_std::task::block_on(workload.run(&AsyncStdSpawner)),
        Runtime::Futures => {
            let mut pool = LocalPool::new();
            let spawner = pool.spawner();
            pool.run_until(workload.run(&spawner))
        }
    }
}
// ANCHOR_END: swap

/// The number of cores, which multi-threaded runtimes use as their thread count.
fn cores() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
}

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

    fn spawn<F>(&self, task: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let handle = tokio::spawn(task);
        // A tokio task that panics reports it through the handle instead of unwinding here.
        Box::pin(async move { handle.await.context("a tokio task panicked") })
    }
}

impl Spawn for smol::LocalExecutor<'_> {
    type Net = SmolNet;

    fn spawn<F>(&self, task: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let handle = smol::LocalExecutor::spawn(self, task);
        Box::pin(async move { Ok(handle.await) })
    }
}

impl Spawn for smol::Executor<'_> {
    type Net = SmolNet;

    fn spawn<F>(&self, task: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let handle = smol::Executor::spawn(self, task);
        Box::pin(async move { Ok(handle.await) })
    }
}

/// `async_std::task::spawn` onto async-std's global executor.
#[derive(Debug, Clone, Copy)]
pub struct AsyncStdSpawner;

impl Spawn for AsyncStdSpawner {
    type Net = AsyncStdNet;

    fn spawn<F>(&self, task: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let handle = async_std::task::spawn(task);
        Box::pin(async move { Ok(handle.await) })
    }
}

impl Spawn for LocalSpawner {
    // LocalPool has no sockets of its own; smol's bring their reactor along.
    type Net = SmolNet;

    fn spawn<F>(&self, task: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self.spawn_local_with_handle(task) {
            Ok(handle) => Box::pin(async move { Ok(handle.await) }),
            Err(err) => Box::pin(async move { Err(err).context("the LocalPool has shut down") }),
        }
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

    async fn bind(addr: SocketAddr) -> io::Result<Self::Listener> {
        tokio::net::TcpListener::bind(addr).await
    }
    fn local_addr(listener: &Self::Listener) -> io::Result<SocketAddr> {
        listener.local_addr()
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
    fn read<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        tokio::io::AsyncReadExt::read(stream, buf)
    }
    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        tokio::io::AsyncWriteExt::write_all(stream, buf)
    }
    async fn sleep(duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// smol's sockets and timer (the async-net and async-io crates). Also used by `LocalPool`,
/// which has no sockets of its own.
#[derive(Debug)]
pub struct SmolNet;

impl Net for SmolNet {
    type Listener = smol::net::TcpListener;
    type Stream = smol::net::TcpStream;

    async fn bind(addr: SocketAddr) -> io::Result<Self::Listener> {
        smol::net::TcpListener::bind(addr).await
    }
    fn local_addr(listener: &Self::Listener) -> io::Result<SocketAddr> {
        listener.local_addr()
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
    fn read<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        smol::io::AsyncReadExt::read(stream, buf)
    }
    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        smol::io::AsyncWriteExt::write_all(stream, buf)
    }
    async fn sleep(duration: Duration) {
        smol::Timer::after(duration).await;
    }
}

/// async-std's sockets and timer.
#[derive(Debug)]
pub struct AsyncStdNet;

impl Net for AsyncStdNet {
    type Listener = async_std::net::TcpListener;
    type Stream = async_std::net::TcpStream;

    async fn bind(addr: SocketAddr) -> io::Result<Self::Listener> {
        async_std::net::TcpListener::bind(addr).await
    }
    fn local_addr(listener: &Self::Listener) -> io::Result<SocketAddr> {
        listener.local_addr()
    }
    async fn accept(listener: &Self::Listener) -> io::Result<Self::Stream> {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }
    async fn connect(addr: SocketAddr) -> io::Result<Self::Stream> {
        let stream = async_std::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }
    fn read<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        async_std::io::ReadExt::read(stream, buf)
    }
    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        async_std::io::WriteExt::write_all(stream, buf)
    }
    async fn sleep(duration: Duration) {
        async_std::task::sleep(duration).await;
    }
}
