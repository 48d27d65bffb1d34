//! hyper answers a request it cannot parse (a raw 0xFF byte in the URL
//! path, a malformed header) by itself, before axum sees it, with a 400 and
//! an empty body; every error body of this server is `{"error": …}`. Each
//! connection's writes go through [`JsonErrors`], which gives that one
//! answer our body. Responses of the application always have a body or a
//! success status, so an empty-bodied error head can only be hyper's.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// A TCP listener whose connections are [`JsonErrors`].
pub struct Listener(pub TcpListener);

impl axum::serve::Listener for Listener {
    type Io = JsonErrors;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (io, addr) = axum::serve::Listener::accept(&mut self.0).await;
        (
            JsonErrors {
                io,
                out: Vec::new(),
                sent: 0,
            },
            addr,
        )
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// A connection whose empty-bodied error answers get a JSON body.
pub struct JsonErrors {
    io: TcpStream,
    /// A rewritten answer still being sent, and how much of it went.
    out: Vec<u8>,
    sent: usize,
}

impl JsonErrors {
    /// Send what is left of a rewritten answer.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.out.len() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &self.out[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        self.out.clear();
        self.sent = 0;
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for JsonErrors {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl AsyncWrite for JsonErrors {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        if let Some(answer) = with_json_body(buf) {
            // hyper's bytes count as written; ours go out now or on flush.
            this.out = answer;
            if let Poll::Ready(Err(e)) = this.drain(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

/// `buf` with a JSON error body when it is a whole response head of an error
/// status with `content-length: 0` and no content type; else None. (Writes
/// are not vectored, so hyper hands a head over in one piece.)
fn with_json_body(buf: &[u8]) -> Option<Vec<u8>> {
    let head = std::str::from_utf8(buf).ok()?;
    if !head.ends_with("\r\n\r\n") || head.matches("\r\n\r\n").count() != 1 {
        return None;
    }
    let status = head.split("\r\n").next()?.strip_prefix("HTTP/1.1 ")?;
    if !(status.starts_with('4') || status.starts_with('5')) {
        return None;
    }
    let lower = head.to_ascii_lowercase();
    if !lower.contains("\r\ncontent-length: 0\r\n") || lower.contains("\r\ncontent-type:") {
        return None;
    }
    let at = lower.find("\r\ncontent-length: 0\r\n")?;
    let body = serde_json::json!({
        "error": format!("{status}: the request could not be parsed (is the path valid UTF-8?)")
    })
    .to_string();
    let mut out = String::with_capacity(head.len() + body.len() + 40);
    out.push_str(&head[..at]);
    out.push_str(&format!(
        "\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
        body.len()
    ));
    out.push_str(&head[at + "\r\ncontent-length: 0\r\n".len()..]);
    out.push_str(&body);
    Some(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::with_json_body;

    #[test]
    fn only_empty_error_heads_get_a_body() {
        let hyper = b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let out = with_json_body(hyper).map(String::from_utf8);
        let Some(Ok(out)) = out else {
            panic!("not rewritten")
        };
        let (head, body) = out.split_once("\r\n\r\n").unwrap_or_default();
        assert!(head.contains("content-type: application/json"), "{head}");
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        assert!(head.ends_with("date: x"), "{head}");
        let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        assert!(
            v["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("400 Bad Request")),
            "{body}"
        );
        for other in [
            &b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nleftover",
            b"{\"rows\": 1}",
        ] {
            assert!(with_json_body(other).is_none(), "{other:?}");
        }
    }
}
