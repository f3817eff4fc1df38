//! A guard around the LSP service: every request gets exactly one answer.
//!
//! - A panic inside one handler becomes an error answer. tower-lsp-server polls every
//!   handler's future inside its serve loop, so a panic there would unwind through the loop and
//!   end the process. The guard catches it at the future's `poll`, logs it, answers a request
//!   with `InternalError` (-32603) naming the method, and drops a notification. The server
//!   keeps serving; the state it shares stays usable because the backend takes poisoned locks
//!   as they are.
//! - A request the framework would leave unanswered (an unknown method starting with `$/`,
//!   which it treats like a notification) is answered with `MethodNotFound` (-32601), as the
//!   specification requires. Found by the protocol fuzzer: the client waited forever.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use tower::Service;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response};

/// Wraps a service so that every request is answered once, even when its handler panics.
#[derive(Debug, Clone)]
pub struct AnswerGuard<S> {
    inner: S,
}

impl<S> AnswerGuard<S> {
    /// Guards `inner`.
    pub fn new(inner: S) -> AnswerGuard<S> {
        AnswerGuard { inner }
    }
}

/// The text of a panic's payload, when it has one.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message")
}

impl<S> Service<Request> for AnswerGuard<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = Guarded<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let id = request.id().cloned();
        let method = request.method().to_string();
        let inner = catch_unwind(AssertUnwindSafe(|| self.inner.call(request)));
        match inner {
            Ok(future) => Guarded {
                inner: Some(Box::pin(future)),
                id,
                method,
            },
            Err(payload) => {
                tracing::error!(
                    "handler for {method} panicked: {}",
                    panic_message(payload.as_ref())
                );
                Guarded {
                    inner: None,
                    id,
                    method,
                }
            }
        }
    }
}

/// The future of a guarded call.
pub struct Guarded<F> {
    /// `None` once the handler has panicked (it is never polled again).
    inner: Option<Pin<Box<F>>>,
    id: Option<Id>,
    method: String,
}

impl<F> Guarded<F> {
    fn method_not_found(&self) -> Option<Response> {
        let id = self.id.clone()?;
        Some(Response::from_error(id, Error::method_not_found()))
    }

    fn internal_error(&self) -> Option<Response> {
        let id = self.id.clone()?;
        Some(Response::from_error(
            id,
            Error {
                code: ErrorCode::InternalError,
                message: format!(
                    "privacy-lsp failed while handling {}; the server keeps running (details in its log)",
                    self.method
                )
                .into(),
                data: None,
            },
        ))
    }
}

impl<F, E> Future for Guarded<F>
where
    F: Future<Output = Result<Option<Response>, E>>,
{
    type Output = Result<Option<Response>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let Some(inner) = this.inner.as_mut() else {
            return Poll::Ready(Ok(this.internal_error()));
        };
        match catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll(cx))) {
            Ok(Poll::Ready(Ok(None))) if this.id.is_some() => {
                tracing::warn!("{} is not a method this server knows", this.method);
                Poll::Ready(Ok(this.method_not_found()))
            }
            Ok(poll) => poll,
            Err(payload) => {
                this.inner = None;
                tracing::error!(
                    "handler for {} panicked: {}",
                    this.method,
                    panic_message(payload.as_ref())
                );
                Poll::Ready(Ok(this.internal_error()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;
    use tower::ServiceExt;

    /// A service whose "boom" handler panics while being polled and whose "setup" handler
    /// panics while being called; everything else answers null.
    #[derive(Clone)]
    struct Fragile;

    impl Service<Request> for Fragile {
        type Response = Option<Response>;
        type Error = Infallible;
        type Future = Pin<Box<dyn Future<Output = Result<Option<Response>, Infallible>> + Send>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, request: Request) -> Self::Future {
            if request.method() == "$/silent" {
                return Box::pin(async { Ok(None) });
            }
            if request.method() == "setup" {
                panic!("broken before the future");
            }
            Box::pin(async move {
                tokio::task::yield_now().await;
                if request.method() == "boom" {
                    panic!("broken inside the handler");
                }
                Ok(request
                    .id()
                    .cloned()
                    .map(|id| Response::from_ok(id, serde_json::Value::Null)))
            })
        }
    }

    fn request(method: &'static str, id: i64) -> Request {
        Request::build(method).id(id).finish()
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_an_error_and_the_next_call_works() {
        let mut service = AnswerGuard::new(Fragile);
        for (method, id) in [("boom", 1), ("setup", 2)] {
            let answer = service
                .ready()
                .await
                .unwrap()
                .call(request(method, id))
                .await;
            let Ok(Some(response)) = answer else {
                panic!("expected an answer to {method}");
            };
            let (answered, body) = response.into_parts();
            assert_eq!(answered, Id::Number(id));
            let error = body.expect_err("an error");
            assert_eq!(error.code, ErrorCode::InternalError);
            assert!(error.message.contains(method), "{}", error.message);
        }
        let fine = service
            .ready()
            .await
            .unwrap()
            .call(request("fine", 3))
            .await;
        assert_eq!(
            fine.ok().flatten(),
            Some(Response::from_ok(Id::Number(3), serde_json::Value::Null))
        );
    }

    #[tokio::test]
    async fn a_request_the_service_leaves_unanswered_gets_method_not_found() {
        let mut service = AnswerGuard::new(Fragile);
        let answer = service
            .ready()
            .await
            .unwrap()
            .call(request("$/silent", 4))
            .await;
        assert_eq!(
            answer.ok().flatten(),
            Some(Response::from_error(
                Id::Number(4),
                Error::method_not_found()
            ))
        );
        let notification = Request::build("$/silent").finish();
        let answer = service.ready().await.unwrap().call(notification).await;
        assert_eq!(answer.ok().flatten(), None);
    }

    #[tokio::test]
    async fn a_panicking_notification_is_dropped() {
        let mut service = AnswerGuard::new(Fragile);
        let notification = Request::build("boom").finish();
        let answer = service.ready().await.unwrap().call(notification).await;
        assert_eq!(answer.ok().flatten(), None);
    }
}
