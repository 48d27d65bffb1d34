//! Helpers of the client and CLI tests: a scripted HTTP server for answers our
//! own server never gives (5xx, 429 with Retry-After, non-JSON bodies), which
//! counts the requests it got.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::Response;

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Answer {
    pub fn json(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.to_string(),
        }
    }
    pub fn error(status: u16, message: &str) -> Self {
        Self::json(status, &serde_json::json!({ "error": message }).to_string())
    }
    pub fn text(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type", "text/html".into())],
            body: body.to_string(),
        }
    }
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_string()));
        self
    }
}

/// Answers request n with `script[n]` (the last one once the script runs out).
pub struct ScriptedServer {
    pub addr: SocketAddr,
    hits: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl ScriptedServer {
    pub async fn start(script: Vec<Answer>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, script)
    }

    /// Serve on an already bound listener (e.g. a port reserved earlier).
    pub fn serve(listener: tokio::net::TcpListener, script: Vec<Answer>) -> Self {
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let script = Arc::new(script);
        let counter = hits.clone();
        let app = axum::Router::new().fallback(move || {
            let (script, counter) = (script.clone(), counter.clone());
            async move {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let a = &script[n.min(script.len() - 1)];
                let mut resp = Response::builder().status(a.status);
                for (k, v) in &a.headers {
                    resp = resp.header(*k, v);
                }
                resp.body(Body::from(a.body.clone())).unwrap()
            }
        });
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { addr, hits, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests received so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A local port with nothing listening on it (connections are refused).
pub fn closed_port() -> SocketAddr {
    let (socket, addr) = reserved_port();
    // Held for the rest of the test run: the port is never released, so
    // nothing else can start listening on it meanwhile.
    std::mem::forget(socket);
    addr
}

/// A socket bound to a free loopback port but not listening: connecting to
/// it is refused (as to a closed port) until `listen` is called on it, and
/// no other process or test can take the port in between.
pub fn reserved_port() -> (socket2::Socket, SocketAddr) {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    let any: SocketAddr = "127.0.0.1:0".parse().expect("address");
    socket.bind(&any.into()).expect("bind");
    let addr = socket
        .local_addr()
        .expect("local address")
        .as_socket()
        .expect("an IP address");
    (socket, addr)
}

/// Start listening on a socket from [`reserved_port`].
pub fn listen(socket: socket2::Socket) -> tokio::net::TcpListener {
    socket.listen(128).expect("listen");
    socket.set_nonblocking(true).expect("non-blocking");
    tokio::net::TcpListener::from_std(socket.into()).expect("tokio listener")
}

/// A valid AE query answer with `n` rows of one String column `x`.
pub fn query_answer(n: usize) -> String {
    let data: Vec<_> = (0..n)
        .map(|i| serde_json::json!({ "x": i.to_string() }))
        .collect();
    serde_json::json!({
        "meta": [{ "name": "x", "type": "String" }],
        "data": data,
        "rows": n,
    })
    .to_string()
}

/// A TCP proxy in front of `target`, on a loopback port it holds for its
/// whole life. `set_down(true)` is an outage without releasing the port:
/// open connections are cut and new ones are accepted and closed at once.
pub struct Proxy {
    pub addr: SocketAddr,
    down: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    pub async fn start(target: SocketAddr) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        let (down, watch) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    continue;
                };
                if *watch.borrow() {
                    continue; // dropped: closed at once
                }
                let mut watch = watch.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = watch.wait_for(|down| *down) => {}
                    }
                });
            }
        });
        Self { addr, down, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set_down(&self, down: bool) {
        self.down.send_replace(down);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A child process whose stdout and stderr are read line by line as they
/// come, so a test can wait for what it prints instead of sleeping.
pub struct Watched {
    child: std::process::Child,
    stdout: Arc<std::sync::Mutex<Vec<String>>>,
    stderr: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Watched {
    pub fn spawn(mut cmd: std::process::Command) -> Self {
        use std::io::BufRead;
        use std::process::Stdio;
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let collect = |pipe: Box<dyn std::io::Read + Send>| {
            let lines: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
            let sink = lines.clone();
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    sink.lock().expect("lines").push(line);
                }
            });
            lines
        };
        let stdout = collect(Box::new(child.stdout.take().expect("stdout")));
        let stderr = collect(Box::new(child.stderr.take().expect("stderr")));
        Self {
            child,
            stdout,
            stderr,
        }
    }

    pub fn stdout(&self) -> Vec<String> {
        self.stdout.lock().expect("lines").clone()
    }

    pub fn stderr(&self) -> Vec<String> {
        self.stderr.lock().expect("lines").clone()
    }

    /// Wait until `done(stdout, stderr)` holds; panics after `timeout` with
    /// what was printed.
    pub async fn until(
        &self,
        what: &str,
        timeout: std::time::Duration,
        done: impl Fn(&[String], &[String]) -> bool,
    ) {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if done(&self.stdout(), &self.stderr()) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {what}\nstdout: {:?}\nstderr: {:?}",
                self.stdout(),
                self.stderr()
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
