//! Decoding a 100,000-row × 25-column query answer: time, and memory held by
//! the result against the JSON's size (target: ≤ 300 ms, ≤ 3×).
//!
//! Run: `cargo bench --bench client_decode`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aepipe::client::QueryResult;

/// Counts live heap bytes (and their peak) so the bench can say what a
/// decoded result holds.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
/// Counting is on only while measuring memory, so it does not slow the timings.
static COUNTING: AtomicBool = AtomicBool::new(false);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && COUNTING.load(Ordering::Relaxed) {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() && COUNTING.load(Ordering::Relaxed) {
            if new_size >= layout.size() {
                let now = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                    - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const ROWS: usize = 100_000;

/// An answer shaped like a wide `SELECT` over aepipe: a DateTime, event,
/// level, ref_id, ten user blobs, ten doubles and a UInt64 count (quoted, as
/// AE sends it) — 25 columns.
fn answer() -> Vec<u8> {
    let mut meta = vec![
        ("timestamp".to_string(), "DateTime"),
        ("event".to_string(), "String"),
        ("level".to_string(), "String"),
        ("ref_id".to_string(), "String"),
    ];
    meta.extend((6..16).map(|i| (format!("blob{i}"), "String")));
    meta.extend((1..11).map(|i| (format!("double{i}"), "Float64")));
    meta.push(("cnt".to_string(), "UInt64"));
    assert_eq!(meta.len(), 25);

    let mut s = String::with_capacity(ROWS * 600);
    s.push_str("{\"meta\":[");
    for (i, (name, ty)) in meta.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!("{{\"name\":\"{name}\",\"type\":\"{ty}\"}}"));
    }
    s.push_str("],\"data\":[");
    let events = ["http_request", "db_query", "cache_miss", "job_done"];
    let levels = ["info", "warn", "error", "debug"];
    for r in 0..ROWS {
        if r > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            "{{\"timestamp\":\"2026-11-27 {:02}:{:02}:{:02}\",\"event\":\"{}\",\"level\":\"{}\",\"ref_id\":\"{}\"",
            (r / 3600) % 24,
            (r / 60) % 60,
            r % 60,
            events[r % 4],
            levels[r % 4],
            if r % 3 == 0 {
                format!("6f1c2b9e-0d3a-4c5b-9e8f-{:012x}", r)
            } else {
                String::new()
            }
        ));
        for b in 6..16 {
            s.push_str(&format!(",\"blob{b}\":\"v{b}-{}\"", (r * 7 + b) % 1000));
        }
        for d in 1..11 {
            s.push_str(&format!(
                ",\"double{d}\":{}",
                ((r * d) % 10_000) as f64 / 8.0
            ));
        }
        s.push_str(&format!(",\"cnt\":\"{}\"}}", r * 13));
    }
    s.push_str(&format!(
        "],\"rows\":{ROWS},\"rows_before_limit_at_least\":{ROWS},\"statistics\":{{\"elapsed\":0.1,\"rows_read\":{ROWS},\"bytes_read\":1}}}}"
    ));
    s.into_bytes()
}

/// CPU time of this thread: on a machine shared with other work, wall time
/// also counts the time other processes held the CPU.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write into.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let json = answer();
    let mb = json.len() as f64 / 1e6;
    println!("answer: {ROWS} rows × 25 columns, {mb:.1} MB of JSON");

    // Memory held by one decoded result, and the peak while decoding. Only
    // allocations made while counting are tracked (and all of the result's are).
    COUNTING.store(true, Ordering::SeqCst);
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let result = QueryResult::from_json(&json).expect("decodes");
    let held = LIVE.load(Ordering::SeqCst) - before;
    let peak = PEAK.load(Ordering::SeqCst) - before;
    assert_eq!(result.len(), ROWS);
    assert_eq!(result.get_u64(ROWS - 1, 24), Some((ROWS as u64 - 1) * 13));
    drop(result);
    COUNTING.store(false, Ordering::SeqCst);

    let mut times = Vec::new();
    let mut cpu_times = Vec::new();
    for _ in 0..7 {
        let (t, cpu) = (Instant::now(), thread_cpu());
        let r = QueryResult::from_json(&json).expect("decodes");
        times.push(t.elapsed());
        cpu_times.push(thread_cpu() - cpu);
        std::hint::black_box(&r);
    }
    let fastest = *times.iter().min().unwrap();
    let med = median(times);

    // For scale: the same bytes into serde_json::Value.
    let mut naive_times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        naive_times.push(t.elapsed());
        std::hint::black_box(&v);
    }
    COUNTING.store(true, Ordering::SeqCst);
    let before = LIVE.load(Ordering::SeqCst);
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let naive_held = LIVE.load(Ordering::SeqCst) - before;
    drop(v);
    COUNTING.store(false, Ordering::SeqCst);

    println!(
        "decode: median {:.0} ms wall, fastest {:.0} ms, median {:.0} ms CPU (target ≤ 300 ms); {:.0} MB/s",
        med.as_secs_f64() * 1e3,
        fastest.as_secs_f64() * 1e3,
        median(cpu_times).as_secs_f64() * 1e3,
        mb / med.as_secs_f64()
    );
    println!(
        "memory: result holds {:.1} MB = {:.2}× the JSON (target ≤ 3×); peak while decoding {:.2}×",
        held as f64 / 1e6,
        held as f64 / json.len() as f64,
        peak as f64 / json.len() as f64
    );
    println!(
        "for scale, serde_json::Value: median {:.0} ms, holds {:.2}× the JSON",
        median(naive_times).as_secs_f64() * 1e3,
        naive_held as f64 / json.len() as f64
    );
}
