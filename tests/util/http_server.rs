//! A tiny HTTP/1.1 server on 127.0.0.1 standing in for ntfy, Gotify and a
//! webhook receiver: one request per connection, every request recorded
//! (method, path, headers, body), answered from a script of statuses, then
//! 200. Included with `#[path = "util/http_server.rs"] mod http_server;`.
#![allow(dead_code, clippy::unwrap_used)]

use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Names lower-cased.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    /// What the server answered.
    pub status: u16,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Default)]
struct ServerState {
    /// Statuses (and bodies) for the next requests, then 200.
    script: VecDeque<(u16, String)>,
    requests: Vec<Request>,
}

pub struct HttpServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<ServerState>>,
}

impl HttpServer {
    pub fn start() -> HttpServer {
        Self::start_on(TcpListener::bind("127.0.0.1:0").unwrap())
    }

    pub fn start_on(listener: TcpListener) -> HttpServer {
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(ServerState::default()));
        let shared = state.clone();
        // Serves until the test process ends.
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let _ = serve_one(stream, &shared);
            }
        });
        HttpServer { addr, state }
    }

    /// Answer the next requests with these statuses, then 200 again.
    pub fn fail_next(&self, answers: &[(u16, &str)]) {
        let mut state = self.state.lock().unwrap();
        for (status, body) in answers {
            state.script.push_back((*status, body.to_string()));
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The requests once there are `n`, waiting up to `deadline` for them
    /// (a daemon sends on its own time); what came by then otherwise.
    pub fn await_requests(&self, n: usize, deadline: Duration) -> Vec<Request> {
        let until = std::time::Instant::now() + deadline;
        let mut got = self.requests();
        while got.len() < n && std::time::Instant::now() < until {
            std::thread::sleep(Duration::from_millis(50));
            got = self.requests();
        }
        got
    }
}

fn serve_one(stream: TcpStream, state: &Mutex<ServerState>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let (status, answer) = {
        let mut state = state.lock().unwrap();
        let (status, answer) = state.script.pop_front().unwrap_or((200, String::new()));
        state.requests.push(Request {
            method,
            path,
            headers,
            body,
            status,
        });
        (status, answer)
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status} Scripted\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
        answer.len()
    )?;
    stream.flush()
}

/// A loopback port nothing listens on (bound, then closed): connecting is
/// refused until a server is started on it.
pub fn refused_port() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").unwrap()
}
