//! The one writer of the server's output stream.
//!
//! tower-lsp-server turns every message it sends into a `serde_json::Value` tree before it
//! writes it: for a publish of diagnostics, building, writing and dropping that tree cost about
//! a quarter of a keystroke's instructions. So diagnostics bypass it: a [`Notifier`] serialises
//! them straight from their types into a frame. The framework's own messages (responses, log
//! messages, requests to the client) still go through it, written into a [`FrameSplitter`].
//! Both hand whole frames to [`write_frames`], the only code that writes to the output, which
//! writes them in the order they were handed over.
//!
//! Invariants: a frame is never interleaved with another; every publish of diagnostics goes
//! through the [`Notifier`], so publishes for a document reach the client in the order they
//! were made; frames handed over before [`Closer::close`] are all written. At most
//! [`QUEUED_FRAMES`] frames wait for the writer: when a client stops reading, handing over
//! waits and the framework stops reading input, as it did over a full pipe.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};

use serde::Serialize;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc::{Receiver, Sender, channel as bounded_channel};
use tokio_util::sync::PollSender;
use tower_lsp_server::ls_types::{Diagnostic, PublishDiagnosticsParams, Uri};

/// How many frames may wait for the writer before handing over waits.
pub const QUEUED_FRAMES: usize = 16;

/// What the writer is handed.
#[derive(Debug)]
enum Output {
    /// A whole message with its header.
    Frame(Vec<u8>),
    /// Write what came before and stop.
    Close,
}

/// A frame's header and body for a JSON body.
fn frame(body: &[u8]) -> Vec<u8> {
    let header = format!("Content-Length: {}\r\n\r\n", body.len());
    let mut frame = Vec::with_capacity(header.len() + body.len());
    frame.extend_from_slice(header.as_bytes());
    frame.extend_from_slice(body);
    frame
}

/// Sends notifications to the client, serialised from their types.
#[derive(Debug, Clone)]
pub struct Notifier {
    frames: Sender<Output>,
    /// Set once the client asked the server to shut down: nothing more is published.
    stopped: Arc<AtomicBool>,
}

#[derive(Serialize)]
struct Notification<'a, P> {
    jsonrpc: &'static str,
    method: &'static str,
    params: &'a P,
}

impl Notifier {
    /// Sends `textDocument/publishDiagnostics`, waiting while the writer's queue is full.
    /// Nothing is sent after [`Notifier::stop`] or once the output has closed.
    pub async fn publish_diagnostics(
        &self,
        uri: Uri,
        diagnostics: Vec<Diagnostic>,
        version: Option<i32>,
    ) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.notify("textDocument/publishDiagnostics", &params)
            .await;
    }

    /// Publishes nothing more: the client has asked the server to shut down (and after its
    /// `exit` the framework would send nothing either).
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }

    async fn notify(&self, method: &'static str, params: &impl Serialize) {
        if self.stopped.load(Ordering::Relaxed) {
            return;
        }
        let message = Notification {
            jsonrpc: "2.0",
            method,
            params,
        };
        match serde_json::to_vec(&message) {
            Ok(body) => {
                // The writer is gone only after the session ended; there is no one to tell.
                let _ = self.frames.send(Output::Frame(frame(&body))).await;
            }
            Err(e) => tracing::error!("cannot serialise {method}: {e}"),
        }
    }
}

/// Ends the output once the framework has stopped: what was handed over is still written.
#[derive(Debug)]
pub struct Closer {
    frames: Sender<Output>,
}

impl Closer {
    /// Tells the writer to write what it was handed and stop.
    pub async fn close(self) {
        let _ = self.frames.send(Output::Close).await;
    }
}

/// The framework's output stream: takes its bytes and hands each whole message on as a frame.
#[derive(Debug)]
pub struct FrameSplitter {
    frames: PollSender<Output>,
    /// Bytes of a message not yet whole.
    pending: Vec<u8>,
    /// Whole messages not yet handed over.
    whole: VecDeque<Vec<u8>>,
}

/// The length of the first whole frame at the start of `bytes`, if there is one. A header
/// block without a `Content-Length` (which the framework never writes) counts as a frame of
/// its own, so that nothing is held back for good.
fn whole_frame_len(bytes: &[u8]) -> Option<usize> {
    let header_end = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let header = String::from_utf8_lossy(&bytes[..header_end]);
    let length = header
        .split("\r\n")
        .find_map(super::transport::content_length_value)
        .and_then(|value| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let total = header_end.checked_add(length)?;
    (bytes.len() >= total).then_some(total)
}

impl FrameSplitter {
    /// Hands over the whole messages, or says to wait while the writer's queue is full.
    fn poll_hand_over(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        while !self.whole.is_empty() {
            if ready!(self.frames.poll_reserve(cx)).is_err() {
                return Poll::Ready(Err(std::io::ErrorKind::BrokenPipe.into()));
            }
            let Some(frame) = self.whole.pop_front() else {
                break;
            };
            if self.frames.send_item(Output::Frame(frame)).is_err() {
                return Poll::Ready(Err(std::io::ErrorKind::BrokenPipe.into()));
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for FrameSplitter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_hand_over(cx))?;
        this.pending.extend_from_slice(bytes);
        while let Some(len) = whole_frame_len(&this.pending) {
            let rest = this.pending.split_off(len);
            this.whole
                .push_back(std::mem::replace(&mut this.pending, rest));
        }
        Poll::Ready(Ok(bytes.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.get_mut().poll_hand_over(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.get_mut().poll_hand_over(cx)
    }
}

/// The frames to write, in the order they were handed over.
#[derive(Debug)]
pub struct Frames {
    receiver: Receiver<Output>,
}

/// A new output: the framework's stream, the notifier, the closer and the frames to write.
pub fn channel() -> (FrameSplitter, Notifier, Closer, Frames) {
    let (sender, receiver) = bounded_channel(QUEUED_FRAMES);
    (
        FrameSplitter {
            frames: PollSender::new(sender.clone()),
            pending: Vec::new(),
            whole: VecDeque::new(),
        },
        Notifier {
            frames: sender.clone(),
            stopped: Arc::new(AtomicBool::new(false)),
        },
        Closer { frames: sender },
        Frames { receiver },
    )
}

/// Writes frames to `output` until closed, flushing whenever no frame is waiting. Stops early
/// if the output fails (the client has gone).
pub async fn write_frames(mut output: impl AsyncWrite + Unpin, mut frames: Frames) {
    while let Some(message) = frames.receiver.recv().await {
        let mut next = Some(message);
        while let Some(message) = next.take() {
            match message {
                Output::Frame(frame) => {
                    if let Err(e) = output.write_all(&frame).await {
                        tracing::error!("cannot write to the client: {e}");
                        return;
                    }
                }
                Output::Close => {
                    let _ = output.flush().await;
                    return;
                }
            }
            next = frames.receiver.try_recv().ok();
        }
        if let Err(e) = output.flush().await {
            tracing::error!("cannot write to the client: {e}");
            return;
        }
    }
    let _ = output.flush().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frames_split_anywhere_come_out_whole_and_in_order() {
        let (mut splitter, notifier, closer, frames) = channel();
        let first = frame(br#"{"jsonrpc":"2.0","id":1,"result":null}"#);
        let second = frame("{\"jsonrpc\":\"2.0\",\"method\":\"window/logMessage\",\"params\":{\"type\":3,\"message\":\"æøå\"}}".as_bytes());
        let both: Vec<u8> = [first.clone(), second.clone()].concat();
        // The framework's bytes arrive cut at awkward places: inside the header, inside the body.
        for piece in [
            &both[..7],
            &both[7..30],
            &both[30..first.len() + 3],
            &both[first.len() + 3..],
        ] {
            splitter.write_all(piece).await.unwrap();
        }
        splitter.flush().await.unwrap();
        let uri: Uri = "file:///tmp/p.md".parse().unwrap();
        notifier.publish_diagnostics(uri, Vec::new(), Some(4)).await;
        closer.close().await;
        let mut written = Vec::new();
        write_frames(&mut written, frames).await;
        let published = frame(
            br#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"file:///tmp/p.md","diagnostics":[],"version":4}}"#,
        );
        assert_eq!(written, [first, second, published].concat());
    }

    #[tokio::test]
    async fn a_header_without_a_length_is_passed_on_not_held_back() {
        let (mut splitter, _notifier, closer, frames) = channel();
        splitter.write_all(b"X-Other: 1\r\n\r\n").await.unwrap();
        splitter.flush().await.unwrap();
        closer.close().await;
        let mut written = Vec::new();
        write_frames(&mut written, frames).await;
        assert_eq!(written, b"X-Other: 1\r\n\r\n");
    }

    #[tokio::test]
    async fn nothing_is_published_after_stop_or_written_after_close() {
        let (mut splitter, notifier, closer, frames) = channel();
        notifier.stop();
        notifier
            .publish_diagnostics("file:///a.md".parse().unwrap(), Vec::new(), None)
            .await;
        closer.close().await;
        splitter.write_all(&frame(b"{}")).await.unwrap();
        let _ = splitter.flush().await;
        let mut written = Vec::new();
        write_frames(&mut written, frames).await;
        assert!(written.is_empty());
    }

    #[tokio::test]
    async fn a_full_queue_makes_handing_over_wait_for_the_writer() {
        let (mut splitter, notifier, closer, frames) = channel();
        let message = frame(br#"{"jsonrpc":"2.0","id":1,"result":null}"#);
        let rounds = 2 * QUEUED_FRAMES;
        let mut handed_over = 0;
        // No writer runs yet: after the queue fills, handing over must wait, not grow.
        for _ in 0..rounds {
            let attempt = tokio::time::timeout(std::time::Duration::from_millis(20), async {
                splitter.write_all(&message).await?;
                splitter.flush().await
            });
            if attempt.await.is_err() {
                break;
            }
            handed_over += 1;
        }
        assert!(
            (QUEUED_FRAMES..rounds).contains(&handed_over),
            "{handed_over} frames handed over to a queue of {QUEUED_FRAMES}"
        );
        // Once the writer runs, the rest goes through.
        let framework = async {
            splitter.flush().await.unwrap();
            notifier
                .publish_diagnostics("file:///a.md".parse().unwrap(), Vec::new(), None)
                .await;
            closer.close().await;
        };
        let mut written = Vec::new();
        tokio::join!(framework, write_frames(&mut written, frames));
        let text = String::from_utf8(written).unwrap();
        assert_eq!(
            text.matches("Content-Length").count(),
            handed_over + 2,
            "every frame handed over, the waiting one and the publish"
        );
        assert!(text.ends_with(r#""diagnostics":[]}}"#) || text.contains("publishDiagnostics"));
    }
}
