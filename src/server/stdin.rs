//! The client's messages from standard input, read by a thread of our own that starts with
//! the process.
//!
//! Tokio reads stdin on its blocking pool, which starts a thread at the first read: on the
//! server's cold start that first read came about 2.5 ms after the client had written its
//! `initialize`. A thread started before anything else is already waiting in `read` when the
//! message arrives.
//!
//! Invariants: bytes reach the reader in the order they were read, none twice; the end of
//! input (or a read error) ends the stream; a reader dropped stops the thread at its next
//! chunk.

use std::io::Read;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;

/// The most bytes one read of stdin takes.
const CHUNK_BYTES: usize = 64 * 1024;

/// How many chunks may wait for the server before the thread stops reading (backpressure).
const QUEUED_CHUNKS: usize = 16;

/// Standard input as an [`AsyncRead`], fed by a thread of its own.
#[derive(Debug)]
pub struct StdinReader {
    chunks: mpsc::Receiver<Vec<u8>>,
    /// The chunk being handed out, and how much of it has been.
    current: Vec<u8>,
    offset: usize,
}

impl StdinReader {
    /// Starts the thread that reads `input` (stdin, or a test's bytes); `None` when the
    /// thread cannot start.
    pub fn spawn(mut input: impl Read + Send + 'static) -> Option<StdinReader> {
        let (sender, chunks) = mpsc::channel(QUEUED_CHUNKS);
        std::thread::Builder::new()
            .name("stdin".to_string())
            .spawn(move || {
                let mut buffer = vec![0u8; CHUNK_BYTES];
                loop {
                    let read = match input.read(&mut buffer) {
                        Ok(0) => break,
                        Ok(read) => read,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => {
                            tracing::error!("cannot read from the client: {e}");
                            break;
                        }
                    };
                    let chunk = buffer.get(..read).unwrap_or_default().to_vec();
                    if sender.blocking_send(chunk).is_err() {
                        break; // the server has stopped reading
                    }
                }
            })
            .ok()?;
        Some(StdinReader {
            chunks,
            current: Vec::new(),
            offset: 0,
        })
    }
}

impl AsyncRead for StdinReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        while this.offset >= this.current.len() {
            match this.chunks.poll_recv(context) {
                Poll::Ready(Some(chunk)) => {
                    this.current = chunk;
                    this.offset = 0;
                }
                // The end of input: a read of nothing.
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
        let rest = this.current.get(this.offset..).unwrap_or_default();
        let taken = rest.len().min(buf.remaining());
        buf.put_slice(rest.get(..taken).unwrap_or_default());
        this.offset += taken;
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    /// Reads the whole stream in reads of at most `step` bytes.
    async fn read_all(mut reader: StdinReader, step: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buffer = vec![0u8; step];
        loop {
            let read = reader.read(&mut buffer).await.expect("reads");
            if read == 0 {
                return out;
            }
            out.extend_from_slice(&buffer[..read]);
        }
    }

    /// A source that hands out its bytes in reads of at most `step`.
    struct Trickle {
        bytes: Vec<u8>,
        at: usize,
        step: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let rest = &self.bytes[self.at..];
            let taken = rest.len().min(buf.len()).min(self.step);
            buf[..taken].copy_from_slice(&rest[..taken]);
            self.at += taken;
            Ok(taken)
        }
    }

    #[tokio::test]
    async fn every_byte_arrives_once_in_order_then_the_end() {
        let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        for (source_step, reader_step) in [(7, 3), (1 << 20, 10), (5, 1 << 17), (CHUNK_BYTES, 1)] {
            let source = Trickle {
                bytes: bytes.clone(),
                at: 0,
                step: source_step,
            };
            let reader = StdinReader::spawn(source).expect("thread starts");
            let read = read_all(reader, reader_step).await;
            assert_eq!(read.len(), bytes.len(), "{source_step}/{reader_step}");
            assert!(read == bytes, "{source_step}/{reader_step}");
        }
    }

    #[tokio::test]
    async fn an_empty_input_is_an_immediate_end() {
        let reader = StdinReader::spawn(std::io::empty()).expect("thread starts");
        assert!(read_all(reader, 16).await.is_empty());
    }
}
