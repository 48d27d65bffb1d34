//! The one writer: a thread that owns the write connection. Requests' writes
//! queue up; the thread takes every job waiting and runs them in one
//! transaction, each in its own savepoint (a failing job rolls back alone),
//! commits once, and only then answers each job. Under concurrent ingest this
//! writes shared pages (table and index tails) to the WAL once per group
//! instead of once per request.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::StoreError;

/// Most jobs committed together; bounds the latency one group adds.
const MAX_GROUP: usize = 64;

/// What a grouped job hands back: whether it succeeded (else its savepoint is
/// rolled back) and how to answer once the group's commit is known.
type Finish = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
type GroupedJob = Box<dyn FnOnce(&Connection) -> (bool, Finish) + Send>;
type AloneJob = Box<dyn FnOnce(&mut Connection) + Send>;

enum Job {
    /// Runs inside the shared transaction.
    Grouped(GroupedJob),
    /// Runs with the connection to itself and manages its own transactions
    /// (retention's chunked deletes, the demo seed).
    Alone(AloneJob),
}

/// Handle to the writer thread. Cheap to clone; the thread ends (closing the
/// connection) when the last handle is dropped.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

fn gone() -> StoreError {
    StoreError::Task("the writer stopped".into())
}

impl Writer {
    pub fn spawn(conn: Connection) -> Result<Self, StoreError> {
        let (jobs, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("aepipe-writer".into())
            .spawn(move || run(conn, queue))
            .map_err(|e| StoreError::Task(format!("cannot start the writer thread: {e}")))?;
        Ok(Self { jobs })
    }

    /// Run `f` in the current group's transaction; answered after its commit.
    pub async fn grouped<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel::<Result<T, StoreError>>();
        let job: GroupedJob = Box::new(move |conn| match f(conn) {
            Ok(value) => (
                true,
                Box::new(move |committed: Result<(), StoreError>| {
                    let _ = answer.send(committed.map(|()| value));
                }),
            ),
            Err(e) => (
                false,
                Box::new(move |_| {
                    let _ = answer.send(Err(e));
                }),
            ),
        });
        self.jobs.send(Job::Grouped(job)).map_err(|_| gone())?;
        answered.await.map_err(|_| gone())?
    }

    /// Run `f` with the connection to itself, between groups.
    pub async fn alone<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: AloneJob = Box::new(move |conn| {
            let _ = answer.send(f(conn));
        });
        self.jobs.send(Job::Alone(job)).map_err(|_| gone())?;
        answered.await.map_err(|_| gone())?
    }
}

fn run(mut conn: Connection, queue: mpsc::Receiver<Job>) {
    let mut waiting: VecDeque<Job> = VecDeque::new();
    loop {
        let job = match waiting.pop_front() {
            Some(job) => job,
            None => match queue.recv() {
                Ok(job) => job,
                Err(_) => return, // every handle dropped: the server is gone
            },
        };
        match job {
            Job::Alone(job) => {
                // A panic drops the job's answer channel: its caller sees an error.
                if catch_unwind(AssertUnwindSafe(|| job(&mut conn))).is_err() {
                    tracing::error!("a store job panicked");
                }
            }
            Job::Grouped(first) => {
                let mut group = vec![first];
                while group.len() < MAX_GROUP {
                    match queue.try_recv() {
                        Ok(Job::Grouped(job)) => group.push(job),
                        Ok(alone) => {
                            waiting.push_back(alone);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                commit_group(&conn, group);
            }
        }
    }
}

fn commit_group(conn: &Connection, group: Vec<GroupedJob>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        // Nothing ran; dropping the jobs answers each caller with an error.
        tracing::error!(error = %e, jobs = group.len(), "cannot begin a write transaction");
        return;
    }
    let mut finishes = Vec::with_capacity(group.len());
    for job in group {
        if let Err(e) = conn.execute_batch("SAVEPOINT job") {
            finishes.push(failed(e));
            continue;
        }
        let (ok, finish) = match catch_unwind(AssertUnwindSafe(|| job(conn))) {
            Ok(outcome) => outcome,
            Err(_) => {
                tracing::error!("a write job panicked");
                (false, Box::new(|_| {}) as Finish)
            }
        };
        let end = if ok {
            "RELEASE job"
        } else {
            "ROLLBACK TO job; RELEASE job"
        };
        match conn.execute_batch(end) {
            Ok(()) => finishes.push(finish),
            Err(e) => {
                finish(Err(StoreError::Sqlite(e)));
            }
        }
    }
    let committed = conn.execute_batch("COMMIT").map_err(|e| e.to_string());
    if committed.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    for finish in finishes {
        finish(
            committed
                .clone()
                .map_err(|e| StoreError::Task(format!("commit failed: {e}"))),
        );
    }
}

fn failed(e: rusqlite::Error) -> Finish {
    let message = e.to_string();
    Box::new(move |_| tracing::error!(error = %message, "cannot open a savepoint"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer() -> (Writer, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("t.db")).unwrap();
        conn.execute_batch("CREATE TABLE t (n INTEGER)").unwrap();
        (Writer::spawn(conn).unwrap(), dir)
    }

    async fn count(w: &Writer) -> i64 {
        w.grouped(|c| Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?))
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_failing_job_rolls_back_alone_and_the_rest_commit() {
        let (w, _dir) = writer();
        let jobs = (0..200).map(|i| {
            let w = w.clone();
            async move {
                w.grouped(move |c| {
                    c.execute("INSERT INTO t VALUES (?1)", [i])?;
                    if i % 10 == 0 {
                        return Err(StoreError::Task(format!("job {i} fails")));
                    }
                    Ok(i)
                })
                .await
            }
        });
        let results = futures::future::join_all(jobs).await;
        let failed = results.iter().filter(|r| r.is_err()).count();
        assert_eq!(failed, 20);
        assert_eq!(count(&w).await, 180);
    }

    #[tokio::test]
    async fn a_panicking_job_fails_its_caller_and_the_writer_lives_on() {
        let (w, _dir) = writer();
        let boom = w
            .grouped(|c| -> Result<(), StoreError> {
                c.execute("INSERT INTO t VALUES (1)", [])?;
                panic!("boom")
            })
            .await;
        assert!(boom.is_err());
        let alone = w
            .alone(|_| -> Result<(), StoreError> { panic!("boom alone") })
            .await;
        assert!(alone.is_err());
        w.grouped(|c| Ok(c.execute("INSERT INTO t VALUES (2)", [])?))
            .await
            .unwrap();
        assert_eq!(count(&w).await, 1, "the panicked insert was rolled back");
    }
}
