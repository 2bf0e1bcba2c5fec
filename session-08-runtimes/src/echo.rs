//! uvloop's own benchmark: an echo server on loopback and clients waiting for every reply.
//!
//! The queue workload measures only task switching. Real servers spend their time waiting on
//! sockets, so this workload brings in the runtime's other half, the **reactor**: every round trip
//! is a write, a wake-up when the reply is readable, and a read, on both sides of the connection.
//!
//! Sockets, unlike channels, belong to a runtime's reactor: tokio's `TcpStream` only works inside
//! a tokio runtime. So the workload asks for them through the small [`Net`] trait, implemented
//! per reactor in [`crate::runtimes`] and named by each spawner ([`Spawn::Net`]). A run is
//! bounded in time by [`EchoConfig::time_limit`], measured with the runtime's own timer.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::pin;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use futures::future::{Either, select, try_join, try_join_all};

use crate::{Outcome, Spawn};

/// Sockets and a timer, as one runtime provides them. The futures are `Send`, so that a
/// multi-threaded runtime may move the workload's tasks between threads.
pub trait Net: 'static {
    /// A bound TCP listener.
    type Listener;
    /// A connected TCP stream.
    type Stream: Send + 'static;

    /// Bind a listener to `addr` and return it with its address (port 0 lets the OS choose).
    fn bind(
        addr: SocketAddr,
    ) -> impl Future<Output = io::Result<(Self::Listener, SocketAddr)>> + Send;
    /// Accept one connection.
    fn accept(listener: &Self::Listener) -> impl Future<Output = io::Result<Self::Stream>>;
    /// Connect to `addr`.
    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send;
    /// Read what is available into `buf`; 0 means the peer closed the connection.
    fn read(
        stream: &mut Self::Stream,
        buf: &mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send;
    /// Fill all of `buf`; a connection closed early is an error.
    fn read_exact(
        stream: &mut Self::Stream,
        buf: &mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send;
    /// Write all of `buf`.
    fn write_all(
        stream: &mut Self::Stream,
        buf: &[u8],
    ) -> impl Future<Output = io::Result<()>> + Send;
    /// Wait for `duration` without blocking the thread: `asyncio.sleep(duration)`.
    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send;
}

/// How much echo traffic one run makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EchoConfig {
    /// Clients connected at the same time.
    pub clients: u64,
    /// Messages each client sends, one at a time, waiting for each reply.
    pub messages: u64,
    /// Bytes per message.
    pub message_size: usize,
    /// Give up, with an error, when a run takes longer than this.
    pub time_limit: Duration,
}

/// Run the echo workload once, within `config.time_limit`; `processed` is the round trips.
///
/// Every reply is checked byte for byte against its message, or the run is an error.
pub async fn echo_workload<S: Spawn>(spawner: &S, config: EchoConfig) -> anyhow::Result<Outcome> {
    let work = pin!(echo_round(spawner, config));
    let deadline = pin!(S::Net::sleep(config.time_limit));
    // asyncio.wait_for(work, timeout) -> race the work against the runtime's timer
    match select(work, deadline).await {
        Either::Left((outcome, _)) => outcome,
        Either::Right(((), _)) => bail!(
            "the echo run was still going at its {} s time limit, so it was stopped: \
             lower --clients or --messages",
            config.time_limit.as_secs_f64()
        ),
    }
}

/// Start the server and the clients, and check what they did.
async fn echo_round<S: Spawn>(spawner: &S, config: EchoConfig) -> anyhow::Result<Outcome> {
    let start = Instant::now();
    let (listener, addr) = S::Net::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .context("could not listen on 127.0.0.1")?;

    // asyncio.gather(*clients): the first client to fail ends the wait with its error.
    let clients = try_join_all((0..config.clients).map(|id| {
        let client = spawner.spawn(echo_client::<S::Net>(addr, id, config));
        async move { client.await? }
    }));
    // The server accepts one connection per client and serves each in its own task. It runs
    // alongside the clients, so `try_join` stops it as soon as a client fails.
    let server = async {
        let mut connections = Vec::new();
        for _ in 0..config.clients {
            let stream = S::Net::accept(&listener)
                .await
                .map_err(too_many_files_hint)
                .context("the echo server could not accept a connection")?;
            connections.push(spawner.spawn(echo_connection::<S::Net>(stream)));
        }
        anyhow::Ok(connections)
    };
    let (clients, connections) = try_join(clients, server).await?;
    // Every client has closed its stream, so every connection task sees end-of-file and returns.
    for connection in connections {
        connection.await??;
    }
    Ok(Outcome {
        processed: clients.iter().sum(),
        elapsed: start.elapsed(),
    })
}

/// Serve one connection: send back whatever arrives until the client closes.
async fn echo_connection<N: Net>(mut stream: N::Stream) -> anyhow::Result<()> {
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = N::read(&mut stream, &mut buf)
            .await
            .context("the echo server could not read")?;
        if n == 0 {
            return Ok(());
        }
        N::write_all(&mut stream, &buf[..n])
            .await
            .context("the echo server could not write")?;
    }
}

/// One client: send `messages` messages, wait for each reply and check it byte for byte.
/// Returns the round trips made.
async fn echo_client<N: Net>(addr: SocketAddr, id: u64, config: EchoConfig) -> anyhow::Result<u64> {
    let mut stream = N::connect(addr)
        .await
        .map_err(too_many_files_hint)
        .with_context(|| format!("client {id} could not connect to {addr}"))?;
    let mut message = vec![0; config.message_size];
    let mut reply = vec![0; config.message_size];
    for number in 0..config.messages {
        // Bytes that differ per client and per message, so a misrouted reply fails the check.
        for (i, byte) in message.iter_mut().enumerate() {
            *byte = (id as usize * 31 + number as usize * 7 + i) as u8;
        }
        N::write_all(&mut stream, &message)
            .await
            .with_context(|| format!("client {id} could not send"))?;
        N::read_exact(&mut stream, &mut reply)
            .await
            .with_context(|| format!("client {id} did not get reply {number}"))?;
        ensure!(
            reply == message,
            "client {id}: reply {number} differs from its message"
        );
    }
    Ok(config.messages)
}

/// Every connection costs two file descriptors, one per side; a large `--clients` can pass the
/// process's limit. Say how to get past it instead of only "Too many open files".
fn too_many_files_hint(err: io::Error) -> anyhow::Error {
    // EMFILE is 24 on Linux and macOS.
    if cfg!(unix) && err.raw_os_error() == Some(24) {
        anyhow::Error::new(err).context(
            "each client needs two open files: lower --clients or raise the limit (ulimit -n)",
        )
    } else {
        err.into()
    }
}
