//! # Session 10: the async ecosystem
//!
//! The Python course ends its tour of asyncio with the packages people actually use:
//! `aiofiles` for files, `umongo` for MongoDB documents, `asyncpg` for PostgreSQL and
//! `asyncio-redis` for Redis. Its rule of thumb is short:
//!
//! > If an async package exists for the job, use it with asyncio.
//! > If the only package blocks, run it on threads.
//!
//! This crate shows the same ecosystem in Rust, one module per part, each talking to the
//! real thing (real files, a real embedded store, real PostgreSQL and Redis servers):
//!
//! | part       | Python            | Rust                                          | module       |
//! |------------|-------------------|-----------------------------------------------|--------------|
//! | `files`    | `aiofiles`        | `tokio::fs` (a blocking pool underneath)      | [`files`]    |
//! | `docs`     | `umongo`          | `polodb_core` (blocking) in `spawn_blocking`  | [`docs`]     |
//! | `postgres` | `asyncpg`         | `tokio-postgres`                              | [`postgres`] |
//! | `redis`    | `asyncio-redis`   | `redis` with its tokio feature                | [`redis`]    |
//! | `blocking` | "use threads"     | inline blocking vs `spawn_blocking`, measured | [`blocking`] |
//!
//! Nothing needs cleaning up, by design: files and the store live in a fresh folder that the
//! binary makes and removes, the PostgreSQL table is `TEMPORARY` (it dies with its
//! connection), and every Redis key is written with a 60 s expiry in the same command.
//!
//! The module for the Redis part is called `redis`, like the crate it uses. Inside this crate
//! a path starting `redis::` would mean the module, so the crate is written `::redis::`.

pub mod blocking;
pub mod docs;
pub mod files;
pub mod postgres;
pub mod redis;
pub mod report;

pub use report::{PipelineFigures, Unreachable, build_note, clean, error_line, heading};
