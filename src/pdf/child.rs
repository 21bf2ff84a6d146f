//! PDF extraction in a child process under limits: claimwatch runs itself with the hidden
//! `__pdf-extract` subcommand, the PDF on its standard input and the answer as JSON on its
//! standard output, with CPU time and address space capped by rlimits and a wall-clock
//! deadline kept by the parent. A parser cannot be cancelled from inside; a process can.

use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::{MAX_TEXT_BYTES, PdfError, PdfText, extract_pdf};

/// The hidden subcommand that runs [`child_main`].
pub const SUBCOMMAND: &str = "__pdf-extract";

/// The most the child's answer may be: the text, escaped as JSON, and the field names.
const MAX_ANSWER_BYTES: usize = 4 * MAX_TEXT_BYTES + (1 << 20);
/// The most of the child's standard error kept for the reason of a crash.
const MAX_STDERR_BYTES: usize = 64 << 10;
/// What the child says on standard error when memory runs out, as Rust's allocator does.
const OUT_OF_MEMORY: &str = "memory allocation";

/// What one extraction may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildLimits {
    /// CPU time (RLIMIT_CPU), in seconds.
    pub cpu_secs: u64,
    /// Address space (RLIMIT_AS), in bytes.
    pub memory_bytes: u64,
    /// Wall-clock time, after which the parent kills the child.
    pub wall: Duration,
}

impl Default for ChildLimits {
    fn default() -> ChildLimits {
        ChildLimits { cpu_secs: 20, memory_bytes: 1 << 30, wall: Duration::from_secs(30) }
    }
}

/// Why a PDF was not read in the child: the document's own reason, or the child's fate.
#[derive(Debug, thiserror::Error)]
pub enum ChildError {
    #[error(transparent)]
    Pdf(#[from] PdfError),
    #[error("PDF extraction was stopped after {:.0} s (wall-clock limit)", .0.as_secs_f64())]
    TimedOut(Duration),
    #[error("PDF extraction used up its {0} s of CPU time")]
    CpuLimit(u64),
    #[error("PDF extraction ran out of its {} MiB of memory", .0 >> 20)]
    OutOfMemory(u64),
    #[error("the PDF extractor crashed: {0}")]
    Crashed(String),
    #[error("cannot run the PDF extractor: {0}")]
    Spawn(#[source] std::io::Error),
}

/// Extracts a PDF's text in a child process: `exe` (claimwatch itself) run with the hidden
/// subcommand under `limits`. Blocks until the child answers, fails or is killed.
pub fn extract_in_child(exe: &Path, bytes: &[u8], limits: &ChildLimits) -> Result<PdfText, ChildError> {
    let mut command = Command::new(exe);
    command.arg(SUBCOMMAND).env_clear().stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let (cpu, memory) = (limits.cpu_secs, limits.memory_bytes);
    // SAFETY: the closure runs between fork and exec and only calls getrlimit, setrlimit and
    // prctl, which are async-signal-safe; it allocates nothing.
    unsafe {
        command.pre_exec(move || apply_limits(cpu, memory));
    }
    let mut child = command.spawn().map_err(ChildError::Spawn)?;
    let (stdin, stdout, stderr) = (child.stdin.take(), child.stdout.take(), child.stderr.take());
    let deadline = Instant::now() + limits.wall;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            // A child that dies early closes the pipe: the error says nothing more than its status.
            if let Some(mut stdin) = stdin {
                let _ = stdin.write_all(bytes);
            }
        });
        let (closed, answered) = std::sync::mpsc::channel::<()>();
        let answer = scope.spawn(move || {
            let answer = read_capped(stdout, MAX_ANSWER_BYTES);
            let _ = closed.send(());
            answer
        });
        let errors = scope.spawn(move || read_capped(stderr, MAX_STDERR_BYTES));
        // The child closes its standard output when it exits (or dies): wait for that, then
        // for its status, never past the deadline.
        let _ = answered.recv_timeout(deadline.saturating_duration_since(Instant::now()));
        let mut pause = Duration::from_millis(1);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(25));
                }
                // Past the deadline (or unable to tell): stop it.
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
            }
        };
        let (answer, overflow) = answer.join().unwrap_or_default();
        let (errors, _) = errors.join().unwrap_or_default();
        let Some(status) = status else { return Err(ChildError::TimedOut(limits.wall)) };
        if overflow {
            return Err(ChildError::Crashed(format!("answer longer than {MAX_ANSWER_BYTES} bytes")));
        }
        outcome(status, &answer, &String::from_utf8_lossy(&errors), limits)
    })
}

/// Reads a pipe to its end, keeping at most `cap` bytes (and whether there was more).
fn read_capped(pipe: Option<impl Read>, cap: usize) -> (Vec<u8>, bool) {
    let Some(mut pipe) = pipe else { return (Vec::new(), false) };
    let mut kept = Vec::new();
    let mut buf = [0u8; 64 << 10];
    let mut overflow = false;
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let room = cap.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
                overflow |= n > room;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    (kept, overflow)
}

/// What the child's exit means.
fn outcome(status: ExitStatus, answer: &[u8], errors: &str, limits: &ChildLimits) -> Result<PdfText, ChildError> {
    if status.success() {
        return match serde_json::from_slice::<Result<PdfText, PdfError>>(answer) {
            Ok(result) => result.map_err(ChildError::Pdf),
            Err(e) => Err(ChildError::Crashed(format!("unreadable answer: {e}"))),
        };
    }
    if status.signal() == Some(libc::SIGXCPU) {
        return Err(ChildError::CpuLimit(limits.cpu_secs));
    }
    if errors.contains(OUT_OF_MEMORY) {
        return Err(ChildError::OutOfMemory(limits.memory_bytes));
    }
    let said = errors.split_whitespace().collect::<Vec<_>>().join(" ");
    let said: String = said.chars().take(300).collect();
    let how = match (status.signal(), status.code()) {
        (Some(signal), _) => format!("killed by signal {signal}"),
        (None, Some(code)) => format!("exit code {code}"),
        (None, None) => "ended".to_string(),
    };
    Err(ChildError::Crashed(if said.is_empty() { how } else { format!("{how}: {said}") }))
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
type Resource = libc::__rlimit_resource_t;
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
type Resource = libc::c_int;

/// Caps a resource at `soft`, and its hard limit at `hard`, within the hard limit inherited.
fn limit(resource: Resource, soft: u64, hard: u64) -> std::io::Result<()> {
    let mut current = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit read and write the rlimit given, nothing else.
    unsafe {
        if libc::getrlimit(resource, &mut current) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let max = (hard as libc::rlim_t).min(current.rlim_max);
        let wanted = libc::rlimit { rlim_cur: (soft as libc::rlim_t).min(max), rlim_max: max };
        if libc::setrlimit(resource, &wanted) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Run in the child before exec: no core dumps, no files written, CPU time and address space
/// capped, and death with the parent. The soft CPU limit sends SIGXCPU; the hard one, a second
/// later, SIGKILL.
fn apply_limits(cpu_secs: u64, memory_bytes: u64) -> std::io::Result<()> {
    limit(libc::RLIMIT_CORE, 0, 0)?;
    limit(libc::RLIMIT_FSIZE, 0, 0)?;
    limit(libc::RLIMIT_CPU, cpu_secs.max(1), cpu_secs.max(1).saturating_add(1))?;
    limit(libc::RLIMIT_AS, memory_bytes, memory_bytes)?;
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_PDEATHSIG only sets the signal this process gets when its parent dies.
    unsafe {
        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The hidden subcommand: reads a PDF on standard input, writes `{"Ok": PdfText}` or
/// `{"Err": PdfError}` as JSON on standard output. Exit code 0 when it answered, 2 when it
/// could not read its input or write its answer.
pub fn child_main() -> ExitCode {
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut input) {
        if e.kind() == std::io::ErrorKind::OutOfMemory {
            eprintln!("claimwatch {SUBCOMMAND}: {OUT_OF_MEMORY} failed while reading the PDF");
        } else {
            eprintln!("claimwatch {SUBCOMMAND}: cannot read the PDF from standard input: {e}");
        }
        return ExitCode::from(2);
    }
    let result = extract_pdf(&input);
    drop(input);
    let mut out = std::io::stdout().lock();
    match serde_json::to_writer(&mut out, &result).map_err(std::io::Error::from).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("claimwatch {SUBCOMMAND}: cannot write the answer: {e}");
            ExitCode::from(2)
        }
    }
}
