//! A guard in front of the framework's message reader.
//!
//! tower-lsp-server stops reading for good after one message it cannot decode (its framed
//! reader ends on the first error). This guard re-frames stdin itself: a well-formed message
//! passes through unchanged, a body that is not JSON is logged and replaced by a notification
//! the server ignores, and a header block without a usable `Content-Length` is skipped. A
//! `Content-Length` header is recognised anywhere in a line, so after a wrong length the
//! stream resynchronises at the next header. So a malformed message costs only that message
//! (and, when its length was too long, the one it ran into).

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// What replaces a body that is not JSON: a notification that every server ignores.
const PLACEHOLDER: &str = r#"{"jsonrpc":"2.0","method":"$/privacy-lsp/malformedMessage"}"#;

/// The largest message accepted (64 MiB); a larger length is treated as malformed.
const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// Whether `body` decodes as the framework's messages do: a request, notification or
/// response. Valid JSON that is none of these (`0`, `[]`) must be replaced too: the framework's
/// reader ends for good on it, just as on a body that is not JSON.
fn is_message(body: &[u8]) -> bool {
    use tower_lsp_server::jsonrpc::{Request, Response};
    serde_json::from_slice::<Request>(body).is_ok()
        || serde_json::from_slice::<Response>(body).is_ok()
}

/// The text after the last `Content-Length:` in a header line (any case), if it has one.
pub(crate) fn content_length_value(line: &str) -> Option<&str> {
    const NAME: &str = "content-length:";
    let at = line.to_ascii_lowercase().rfind(NAME)?;
    Some(&line[at + NAME.len()..])
}

/// Copies LSP messages from `input` to `output`, replacing malformed ones, until `input` ends.
pub async fn guard(input: impl AsyncRead + Unpin, mut output: impl AsyncWrite + Unpin) {
    let mut reader = BufReader::new(input);
    loop {
        let mut length: Option<usize> = None;
        let mut saw_header = false;
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                if saw_header {
                    break;
                }
                continue;
            }
            saw_header = true;
            // Found anywhere in the line: after a wrong length, the rest of a body runs into
            // the next header, and reading from there resynchronises the stream.
            if let Some(value) = content_length_value(trimmed) {
                length = value.trim().parse().ok();
            }
        }
        let Some(length) = length.filter(|l| *l <= MAX_MESSAGE) else {
            tracing::error!("skipped a message without a valid Content-Length header");
            continue;
        };
        let mut body = vec![0u8; length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let body = if is_message(&body) {
            body
        } else {
            tracing::error!("ignored a body that is not a JSON-RPC message ({length} bytes)");
            PLACEHOLDER.as_bytes().to_vec()
        };
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        if output.write_all(header.as_bytes()).await.is_err()
            || output.write_all(&body).await.is_err()
        {
            return;
        }
        if output.flush().await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn malformed_bodies_are_replaced_and_the_rest_passes() {
        let request = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        // Not JSON; JSON that is no message ({}, [], 0); a header block without a length; and
        // a request, which passes unchanged.
        let input = format!(
            "Content-Length: 9\r\n\r\n{{not jsonContent-Length: 2\r\n\r\n{{}}X-Junk: 1\r\n\r\nContent-Length: 2\r\n\r\n[]Content-Length: 1\r\n\r\n0Content-Length: {}\r\n\r\n{request}",
            request.len()
        );
        let mut output = Vec::new();
        guard(input.as_bytes(), &mut output).await;
        let text = String::from_utf8(output).expect("utf-8");
        let placeholder = format!("Content-Length: {}\r\n\r\n{PLACEHOLDER}", PLACEHOLDER.len());
        assert_eq!(
            text,
            format!(
                "{}Content-Length: {}\r\n\r\n{request}",
                placeholder.repeat(4),
                request.len()
            )
        );
    }
}
