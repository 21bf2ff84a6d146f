//! A streaming WARC record reader for large files written by others (Common Crawl's `.warc.gz`).
//!
//! The input is read once, front to back, through a `BufRead`; nothing is seeked and memory stays
//! bounded whatever the input: a block is kept up to `max_block` bytes (the rest is read and
//! dropped), a header up to 64 KiB, and a corrupt gzip member is re-scanned from a replay buffer
//! of at most 1 MiB. Broken input yields an `Err(RecordError)` and the reading goes on.
//!
//! # Formats and offsets
//!
//! * **gzip, one member per record** (what Common Crawl and most crawlers write): `offset` is the
//!   position of the record's gzip member in the compressed file and `length` its exact compressed
//!   length, the pair Common Crawl's index gives, so `file[offset..offset + length]` decodes on
//!   its own to this record. The gzip framing is read by this module (headers, CRC-32 and size
//!   trailers) around flate2's raw inflater, so every member boundary is exact and a hostile gzip
//!   header (an endless file name) costs nothing. A member whole in the input buffer with a plain
//!   header is first tried in one go by libdeflate (`inflate.rs`); anything else, or any
//!   failure there, is streamed as described here.
//! * **gzip, many records in one member** (a file compressed as a whole): every record of the
//!   member has the member's `offset`; its `length` is the compressed bytes from the member's start
//!   that had been read when the record was complete (the inflater reads a little ahead), so
//!   `file[offset..offset + length]` decodes at least up to the end of this record, and the last
//!   record of the member gets the whole member's length. A streaming reader cannot know the whole
//!   member's length before reaching its end.
//! * **plain (uncompressed)**: `offset` is the position of the record's `WARC/` line and `length`
//!   runs to the end of the `\r\n\r\n` that follows the block.
//!
//! # Broken input
//!
//! * a gzip member that does not inflate, or whose CRC-32 or size does not match: an error at the
//!   member's offset, then the input is scanned again from the member's second byte for the next
//!   `1f 8b 08` that inflates to `WARC/`;
//! * a header without a `WARC/` line, longer than 64 KiB, or without a numeric `Content-Length`:
//!   an error at the record's offset, then the rest of the member is skipped (gzip) or the input is
//!   scanned for the next line starting with `WARC/` (plain, or a later record of a shared member);
//! * a block cut short by the end of its member or of the file: an error;
//! * a block longer than `max_block`: a record with `oversized` set and the first `max_block`
//!   bytes, the rest read and dropped;
//! * a read error of the underlying input: an error, and the iteration ends.
//!
//! Every error makes progress through the input, so the iteration always ends.
//!
//! The response block of a record is parsed by [`parse_http_response`] and its body decoded by
//! [`decoded_body`].

use std::borrow::Cow;
use std::io::{self, BufRead};

use flate2::{Crc, Decompress, FlushDecompress, Status};

use super::inflate::WholeMember;
use crate::fetch::body;

/// The default cap on the bytes of a block kept in memory.
pub const DEFAULT_MAX_BLOCK: usize = 16 * 1024 * 1024;
/// The longest WARC header kept (Common Crawl's are under 2 KiB).
const MAX_HEADER: usize = 64 * 1024;
/// Decoded bytes buffered between the inflater and the record parser; also the largest member the
/// fast path inflates in one go (larger ones are streamed).
const OUT_BUF: usize = 4 * 1024 * 1024;
/// The compressed bytes of the current gzip member kept to re-scan it if it proves corrupt.
const REPLAY_LIMIT: usize = 1024 * 1024;
/// The longest file name or comment accepted in a gzip header.
const MAX_GZIP_NAME: usize = 4096;
/// Compressed bytes a resynchronisation probe may read to inflate the first five bytes.
const PROBE_BUDGET: u64 = 64 * 1024;

/// Something wrong in the input at `offset` (of the gzip member, or of the record in a plain file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("WARC input at offset {offset}: {what}")]
pub struct RecordError {
    pub offset: u64,
    pub what: String,
}

/// One WARC record as read: its header, and its block up to the reader's `max_block` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord {
    /// Offset of the record's gzip member in the compressed file, or of the record in a plain file.
    pub offset: u64,
    /// Compressed length of the member (Common Crawl's index `length`), or the record's length in a
    /// plain file (see the module documentation for files compressed as one member).
    pub length: u64,
    /// `WARC/1.0` or `WARC/1.1`.
    pub version: String,
    pub headers: Vec<(String, String)>,
    /// The block, up to `max_block` bytes.
    pub block: Vec<u8>,
    /// The block was longer than `max_block`; the rest was read and dropped.
    pub oversized: bool,
}

impl RawRecord {
    /// The first header of that name, compared without case.
    pub fn header(&self, name: &str) -> Option<&str> {
        header_of(&self.headers, name)
    }

    /// `response`, `request`, `metadata`, `warcinfo`…
    pub fn warc_type(&self) -> Option<&str> {
        self.header("WARC-Type")
    }
}

fn header_of<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// A `BufRead` that counts the bytes consumed and can go back to a marked position: the bytes
/// consumed since the mark are recorded (up to `REPLAY_LIMIT`) and served again after a rewind.
struct Src<R> {
    inner: R,
    /// Bytes consumed from the start of the input.
    pos: u64,
    replay: Vec<u8>,
    rpos: usize,
    recording: bool,
    rec: Vec<u8>,
    rec_start: u64,
}

impl<R: BufRead> Src<R> {
    fn new(inner: R) -> Self {
        Src { inner, pos: 0, replay: Vec::new(), rpos: 0, recording: false, rec: Vec::new(), rec_start: 0 }
    }

    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.rpos < self.replay.len() {
            return Ok(&self.replay[self.rpos..]);
        }
        loop {
            match self.inner.fill_buf() {
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        self.inner.fill_buf()
    }

    /// Consumes `n` bytes of what `fill_buf` last returned.
    fn consume(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        if self.recording && self.rec.len() + n > REPLAY_LIMIT {
            self.recording = false;
            self.rec.clear();
        }
        if self.rpos < self.replay.len() {
            let n = n.min(self.replay.len() - self.rpos);
            if self.recording {
                self.rec.extend_from_slice(&self.replay[self.rpos..self.rpos + n]);
            }
            self.rpos += n;
            if self.rpos == self.replay.len() {
                self.replay.clear();
                self.rpos = 0;
            }
            self.pos += n as u64;
        } else {
            if self.recording {
                match self.inner.fill_buf() {
                    Ok(b) if b.len() >= n => self.rec.extend_from_slice(&b[..n]),
                    _ => {
                        self.recording = false;
                        self.rec.clear();
                    }
                }
            }
            self.inner.consume(n);
            self.pos += n as u64;
        }
    }

    fn read_byte(&mut self) -> io::Result<Option<u8>> {
        let b = match self.fill_buf()?.first() {
            Some(&b) => b,
            None => return Ok(None),
        };
        self.consume(1);
        Ok(Some(b))
    }

    /// Starts recording the bytes consumed from here.
    fn mark(&mut self) {
        self.recording = true;
        self.rec.clear();
        self.rec_start = self.pos;
    }

    /// Stops recording (a later rewind fails).
    fn unmark(&mut self) {
        self.recording = false;
        self.rec.clear();
    }

    /// Goes back to `to`, a position recorded since the last mark; false (and nothing changes but
    /// the end of the recording) if those bytes were not all kept.
    fn rewind(&mut self, to: u64) -> bool {
        let was_recording = std::mem::replace(&mut self.recording, false);
        let recorded_end = self.rec_start + self.rec.len() as u64;
        if !was_recording || to < self.rec_start || to > recorded_end || recorded_end != self.pos {
            self.rec.clear();
            return false;
        }
        let mut replay = self.rec.split_off((to - self.rec_start) as usize);
        replay.extend_from_slice(&self.replay[self.rpos..]);
        self.replay = replay;
        self.rpos = 0;
        self.rec.clear();
        self.pos = to;
        true
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Unknown,
    Plain,
    Gzip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Member {
    /// Between members: the next bytes should be a gzip header.
    Outside,
    /// Inflating the member's deflate data.
    Deflate,
    /// The member's data and trailer were read; its decoded bytes may still be buffered.
    Done,
}

/// What went wrong below the record parser.
#[derive(Debug)]
enum DErr {
    /// The input ended inside a gzip member.
    Truncated(String),
    /// The gzip member is not gzip, does not inflate, or fails its CRC-32 or size check.
    Corrupt(String),
    /// The underlying reader failed.
    Io(io::Error),
}

/// Why a record could not be read.
enum Fail {
    BadHeader(String),
    Truncated(String),
    Stream(DErr),
}

impl From<DErr> for Fail {
    fn from(e: DErr) -> Self {
        Fail::Stream(e)
    }
}

struct Parsed {
    version: String,
    headers: Vec<(String, String)>,
    block: Vec<u8>,
    oversized: bool,
}

/// Reads WARC records one by one from gzip (per record or whole) or plain input.
pub struct WarcReader<R: BufRead> {
    src: Src<R>,
    max_block: usize,
    format: Format,
    inflate: Decompress,
    /// The fast path for a member whole in the input buffer; `None` if libdeflate is unavailable.
    whole: Option<WholeMember>,
    crc: Crc,
    member: Member,
    member_start: u64,
    records_in_member: u32,
    /// Decoded bytes: `out[pos..end]` not yet parsed.
    out: Vec<u8>,
    pos: usize,
    end: usize,
    /// Decoded bytes consumed (the file offset in a plain file).
    dpos: u64,
    /// Scan for the next good gzip member before reading on.
    resync: bool,
    finished: bool,
    /// An error found after a record that was returned first.
    pending: Option<RecordError>,
}

impl<R: BufRead> WarcReader<R> {
    /// A reader keeping blocks up to [`DEFAULT_MAX_BLOCK`] bytes; gzip or plain input is told
    /// apart by its first bytes.
    pub fn new(input: R) -> Self {
        Self::with_limits(input, DEFAULT_MAX_BLOCK)
    }

    /// A reader keeping blocks up to `max_block` bytes: a longer block is kept up to the cap, the
    /// record marked `oversized` and the rest read and dropped.
    pub fn with_limits(input: R, max_block: usize) -> Self {
        WarcReader {
            src: Src::new(input),
            max_block,
            format: Format::Unknown,
            inflate: Decompress::new(false),
            whole: WholeMember::new(),
            crc: Crc::new(),
            member: Member::Outside,
            member_start: 0,
            records_in_member: 0,
            out: vec![0; OUT_BUF],
            pos: 0,
            end: 0,
            dpos: 0,
            resync: false,
            finished: false,
            pending: None,
        }
    }

    /// Compressed (or plain) bytes read so far.
    pub fn position(&self) -> u64 {
        self.src.pos
    }

    fn detect(&mut self) -> io::Result<()> {
        self.src.mark();
        let a = self.src.read_byte()?;
        let b = self.src.read_byte()?;
        self.src.rewind(0);
        self.format = if a == Some(0x1f) && b == Some(0x8b) { Format::Gzip } else { Format::Plain };
        Ok(())
    }

    // ---- the decoded stream ----

    /// Appends decoded bytes to `out`; 0 at the end of the member (gzip) or of the input (plain).
    fn fill_more(&mut self) -> Result<usize, DErr> {
        if self.pos > 0 {
            self.out.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.out.len() {
            return Ok(0);
        }
        match self.format {
            Format::Gzip => self.inflate_more(),
            _ => {
                let buf = self.src.fill_buf().map_err(DErr::Io)?;
                let n = buf.len().min(self.out.len() - self.end);
                self.out[self.end..self.end + n].copy_from_slice(&buf[..n]);
                self.src.consume(n);
                self.end += n;
                Ok(n)
            }
        }
    }

    fn inflate_more(&mut self) -> Result<usize, DErr> {
        if self.member != Member::Deflate {
            return Ok(0);
        }
        loop {
            let input = self.src.fill_buf().map_err(DErr::Io)?;
            let eof = input.is_empty();
            let (before_in, before_out) = (self.inflate.total_in(), self.inflate.total_out());
            let status = self.inflate.decompress(input, &mut self.out[self.end..], FlushDecompress::None);
            let consumed = (self.inflate.total_in() - before_in) as usize;
            let produced = (self.inflate.total_out() - before_out) as usize;
            self.crc.update(&self.out[self.end..self.end + produced]);
            self.src.consume(consumed);
            self.end += produced;
            match status {
                Err(e) => return Err(DErr::Corrupt(format!("corrupt deflate data in the gzip member: {e}"))),
                Ok(Status::StreamEnd) => {
                    self.read_trailer()?;
                    return Ok(produced);
                }
                Ok(_) if produced > 0 => return Ok(produced),
                Ok(_) if eof => return Err(DErr::Truncated("the input ends inside a gzip member".into())),
                Ok(_) if consumed == 0 => {
                    return Err(DErr::Corrupt("the gzip member's deflate data makes no progress".into()));
                }
                Ok(_) => {}
            }
        }
    }

    fn read_trailer(&mut self) -> Result<(), DErr> {
        let mut t = [0u8; 8];
        for b in t.iter_mut() {
            *b = self
                .src
                .read_byte()
                .map_err(DErr::Io)?
                .ok_or_else(|| DErr::Truncated("the input ends inside a gzip member's trailer".into()))?;
        }
        let crc = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
        let size = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
        if crc != self.crc.sum() {
            return Err(DErr::Corrupt(format!(
                "gzip member's CRC-32 is {crc:08x}, its data's is {:08x}",
                self.crc.sum()
            )));
        }
        if size != self.crc.amount() {
            return Err(DErr::Corrupt(format!(
                "gzip member's size is {size}, its data's is {} (mod 2^32)",
                self.crc.amount()
            )));
        }
        self.member = Member::Done;
        Ok(())
    }

    /// At least `n` decoded bytes (`n` ≤ half the buffer), fewer only at the end of the stream.
    fn peek(&mut self, n: usize) -> Result<&[u8], DErr> {
        while self.end - self.pos < n {
            if self.fill_more()? == 0 {
                break;
            }
        }
        Ok(&self.out[self.pos..self.end])
    }

    fn take(&mut self, n: usize) {
        self.pos += n;
        self.dpos += n as u64;
    }

    /// Skips up to `max` CR and LF bytes.
    fn skip_newlines(&mut self, max: usize) -> Result<(), DErr> {
        let mut skipped = 0;
        while skipped < max {
            match self.peek(1)?.first() {
                Some(b'\r' | b'\n') => {
                    self.take(1);
                    skipped += 1;
                }
                _ => break,
            }
        }
        Ok(())
    }

    /// Skips decoded bytes up to the next line that starts with `WARC/` (or to the end of the stream).
    fn scan_decoded(&mut self) -> Result<(), DErr> {
        loop {
            let avail = self.peek(6)?;
            if avail.len() < 6 {
                let n = avail.len();
                self.take(n);
                return Ok(());
            }
            if let Some(i) = avail.windows(6).position(|w| w == b"\nWARC/") {
                self.take(i + 1);
                return Ok(());
            }
            let n = avail.len() - 5;
            self.take(n);
        }
    }

    /// Skips the rest of the current gzip member's data.
    fn drain_member(&mut self) -> Result<(), DErr> {
        loop {
            self.pos = 0;
            self.end = 0;
            if self.fill_more()? == 0 {
                return Ok(());
            }
        }
    }

    // ---- gzip framing ----

    fn gz_byte(&mut self) -> Result<u8, DErr> {
        self.src
            .read_byte()
            .map_err(DErr::Io)?
            .ok_or_else(|| DErr::Truncated("the input ends inside a gzip header".into()))
    }

    /// Reads a gzip member header (RFC 1952) and readies the inflater for its data.
    fn read_gzip_header(&mut self) -> Result<(), DErr> {
        let magic = [self.gz_byte()?, self.gz_byte()?, self.gz_byte()?];
        if magic != [0x1f, 0x8b, 0x08] {
            return Err(DErr::Corrupt(format!(
                "not a gzip member (starts with {:02x} {:02x} {:02x}, not 1f 8b 08)",
                magic[0], magic[1], magic[2]
            )));
        }
        let flags = self.gz_byte()?;
        if flags & 0xe0 != 0 {
            return Err(DErr::Corrupt(format!("gzip header has reserved flags set ({flags:02x})")));
        }
        for _ in 0..6 {
            self.gz_byte()?; // MTIME, XFL, OS
        }
        if flags & 0x04 != 0 {
            let xlen = u16::from_le_bytes([self.gz_byte()?, self.gz_byte()?]);
            for _ in 0..xlen {
                self.gz_byte()?;
            }
        }
        for (flag, what) in [(0x08, "file name"), (0x10, "comment")] {
            if flags & flag != 0 {
                let mut n = 0;
                while self.gz_byte()? != 0 {
                    n += 1;
                    if n > MAX_GZIP_NAME {
                        return Err(DErr::Corrupt(format!(
                            "gzip header's {what} is longer than {MAX_GZIP_NAME} bytes"
                        )));
                    }
                }
            }
        }
        if flags & 0x02 != 0 {
            self.gz_byte()?;
            self.gz_byte()?;
        }
        self.inflate.reset(false);
        self.crc.reset();
        self.member = Member::Deflate;
        Ok(())
    }

    /// Inflates the member that starts here in one go when it is whole in the input buffer and
    /// sound (see [`WholeMember`]); false, with nothing consumed, to stream it instead.
    fn inflate_whole(&mut self) -> bool {
        let Some(whole) = self.whole.as_mut() else { return false };
        let Ok(input) = self.src.fill_buf() else { return false };
        let Some((used, produced)) = whole.inflate(input, &mut self.out) else { return false };
        // A member read whole is never re-scanned: its bytes need not be kept.
        self.src.unmark();
        self.src.consume(used);
        self.pos = 0;
        self.end = produced;
        self.member = Member::Done;
        true
    }

    /// Whether a gzip member that inflates to `WARC/` starts here (consumes what it reads).
    fn probe_member(&mut self) -> bool {
        if self.read_gzip_header().is_err() {
            return false;
        }
        let mut head = [0u8; 5];
        let mut got = 0;
        let start = self.src.pos;
        while got < head.len() && self.src.pos - start < PROBE_BUDGET {
            let Ok(input) = self.src.fill_buf() else { return false };
            if input.is_empty() {
                return false;
            }
            let (before_in, before_out) = (self.inflate.total_in(), self.inflate.total_out());
            let status = self.inflate.decompress(input, &mut head[got..], FlushDecompress::None);
            let consumed = (self.inflate.total_in() - before_in) as usize;
            let produced = (self.inflate.total_out() - before_out) as usize;
            got += produced;
            self.src.consume(consumed);
            match status {
                Ok(Status::StreamEnd) => break,
                Ok(_) if consumed > 0 || produced > 0 => {}
                _ => return false,
            }
        }
        &head[..got] == b"WARC/"
    }

    /// Moves to the next `1f 8b 08` that starts a member inflating to `WARC/`; false at the end.
    fn scan_for_member(&mut self) -> io::Result<bool> {
        loop {
            let buf = self.src.fill_buf()?;
            if buf.is_empty() {
                return Ok(false);
            }
            match buf.iter().position(|&b| b == 0x1f) {
                Some(i) => self.src.consume(i),
                None => {
                    let n = buf.len();
                    self.src.consume(n);
                    continue;
                }
            }
            let p = self.src.pos;
            self.src.mark();
            let found = self.probe_member();
            self.member = Member::Outside;
            if found && self.src.rewind(p) {
                return Ok(true);
            }
            if !found {
                // If the probe's bytes were not all kept, go on from where it stopped (it read
                // at least the 1f byte, so the scan moves on either way).
                self.src.rewind(p + 1);
            }
        }
    }

    /// The error for a member that failed, and where to go on from.
    fn member_failed(&mut self, e: DErr) -> RecordError {
        let offset = self.member_start;
        self.pos = 0;
        self.end = 0;
        self.member = Member::Outside;
        let what = match e {
            DErr::Io(e) => {
                self.finished = true;
                return RecordError { offset, what: format!("reading the input failed: {e}") };
            }
            DErr::Truncated(w) | DErr::Corrupt(w) => w,
        };
        // Look for the next good member from the failed one's second byte (or from here, if its
        // bytes were too many to keep).
        self.src.rewind(offset + 1);
        self.resync = true;
        RecordError { offset, what }
    }

    // ---- records ----

    /// Reads one record from the decoded stream, which is at its first byte.
    fn read_one(&mut self) -> Result<Parsed, Fail> {
        let start = self.peek(5)?;
        if !start.starts_with(b"WARC/") {
            let shown = String::from_utf8_lossy(&start[..start.len().min(5)]).into_owned();
            return Err(Fail::BadHeader(format!("no WARC/ line where a record should start (found {shown:?})")));
        }
        let mut head: Vec<u8> = Vec::new();
        let mut line_start = 0;
        loop {
            let avail = self.peek(1)?;
            if avail.is_empty() {
                return Err(Fail::Truncated("the record's header is cut short".into()));
            }
            let (n, eol) = match avail.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            if head.len() + n > MAX_HEADER {
                self.take(n);
                return Err(Fail::BadHeader(format!("the header is longer than {MAX_HEADER} bytes")));
            }
            head.extend_from_slice(&avail[..n]);
            self.take(n);
            if eol {
                let line = &head[line_start..];
                if line == b"\r\n" || line == b"\n" {
                    head.truncate(line_start);
                    break;
                }
                line_start = head.len();
            }
        }
        let (version, headers) = parse_header_lines(&head, "WARC/").map_err(Fail::BadHeader)?;
        let length = match header_of(&headers, "Content-Length") {
            None => return Err(Fail::BadHeader("the header has no Content-Length".into())),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map_err(|_| Fail::BadHeader(format!("Content-Length `{}` is not a number", v.trim())))?,
        };
        let keep = length.min(self.max_block as u64) as usize;
        let mut block = Vec::with_capacity(keep.min(1 << 20));
        let mut left = length;
        while left > 0 {
            let avail = self.peek(1)?;
            if avail.is_empty() {
                return Err(Fail::Truncated(format!(
                    "the record's block is cut short after {} of {length} bytes",
                    length - left
                )));
            }
            let n = (avail.len() as u64).min(left) as usize;
            let room = keep - block.len();
            block.extend_from_slice(&avail[..n.min(room)]);
            self.take(n);
            left -= n as u64;
        }
        Ok(Parsed { version, headers, block, oversized: length > self.max_block as u64 })
    }

    fn record(&self, p: Parsed, offset: u64, length: u64) -> RawRecord {
        RawRecord { offset, length, version: p.version, headers: p.headers, block: p.block, oversized: p.oversized }
    }

    fn next_plain(&mut self) -> Option<Result<RawRecord, RecordError>> {
        let io_error = |this: &mut Self, e: DErr| {
            this.finished = true;
            let what = match e {
                DErr::Io(e) => format!("reading the input failed: {e}"),
                DErr::Truncated(w) | DErr::Corrupt(w) => w,
            };
            Some(Err(RecordError { offset: this.dpos, what }))
        };
        if let Err(e) = self.skip_newlines(usize::MAX) {
            return io_error(self, e);
        }
        match self.peek(1) {
            Ok([]) => {
                self.finished = true;
                return None;
            }
            Ok(_) => {}
            Err(e) => return io_error(self, e),
        }
        let start = self.dpos;
        match self.read_one() {
            Ok(p) => {
                if let Err(e) = self.skip_newlines(4) {
                    self.pending = io_error(self, e).and_then(|r| r.err());
                }
                Some(Ok(self.record(p, start, self.dpos - start)))
            }
            Err(Fail::BadHeader(what)) => {
                if let Err(e) = self.scan_decoded() {
                    self.pending = io_error(self, e).and_then(|r| r.err());
                }
                Some(Err(RecordError { offset: start, what }))
            }
            Err(Fail::Truncated(what)) => Some(Err(RecordError { offset: start, what })),
            Err(Fail::Stream(e)) => io_error(self, e),
        }
    }

    /// The next record of the current gzip member; None when the member ends first.
    fn next_in_member(&mut self) -> Option<Result<RawRecord, RecordError>> {
        if let Err(e) = self.skip_newlines(usize::MAX) {
            return Some(Err(self.member_failed(e)));
        }
        match self.peek(1) {
            Ok([]) => {
                self.member = Member::Outside;
                return None;
            }
            Ok(_) => {}
            Err(e) => return Some(Err(self.member_failed(e))),
        }
        let offset = self.member_start;
        let first = self.records_in_member == 0;
        match self.read_one() {
            Ok(p) => {
                self.records_in_member += 1;
                let after = self.skip_newlines(4).and_then(|()| self.peek(1).map(|a| a.is_empty()));
                match after {
                    Ok(member_ended) => {
                        if member_ended {
                            self.member = Member::Outside;
                        }
                        Some(Ok(self.record(p, offset, self.src.pos - offset)))
                    }
                    Err(e) => {
                        let length = self.src.pos - offset;
                        let err = self.member_failed(e);
                        if first {
                            // The record's own member is damaged: its bytes cannot be trusted.
                            Some(Err(err))
                        } else {
                            self.pending = Some(err);
                            Some(Ok(self.record(p, offset, length)))
                        }
                    }
                }
            }
            Err(Fail::BadHeader(what)) => {
                let skipped = if first { self.drain_member() } else { self.scan_decoded() };
                if let Err(e) = skipped {
                    self.pending = Some(self.member_failed(e));
                }
                Some(Err(RecordError { offset, what }))
            }
            Err(Fail::Truncated(what)) => {
                if self.member == Member::Done {
                    self.member = Member::Outside;
                }
                Some(Err(RecordError { offset, what: format!("{what} (the gzip member ends first)") }))
            }
            Err(Fail::Stream(e)) => Some(Err(self.member_failed(e))),
        }
    }

    fn next_gzip(&mut self) -> Option<Result<RawRecord, RecordError>> {
        loop {
            if self.finished {
                return None;
            }
            if self.member != Member::Deflate && self.pos == self.end {
                if self.member == Member::Done {
                    self.member = Member::Outside;
                }
                if self.resync {
                    self.resync = false;
                    match self.scan_for_member() {
                        Ok(true) => {}
                        Ok(false) => {
                            self.finished = true;
                            return None;
                        }
                        Err(e) => {
                            self.finished = true;
                            return Some(Err(RecordError {
                                offset: self.src.pos,
                                what: format!("reading the input failed: {e}"),
                            }));
                        }
                    }
                }
                match self.src.fill_buf() {
                    Ok([]) => {
                        self.finished = true;
                        return None;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        self.finished = true;
                        return Some(Err(RecordError {
                            offset: self.src.pos,
                            what: format!("reading the input failed: {e}"),
                        }));
                    }
                }
                self.member_start = self.src.pos;
                self.records_in_member = 0;
                self.pos = 0;
                self.end = 0;
                self.src.mark();
                if !self.inflate_whole()
                    && let Err(e) = self.read_gzip_header()
                {
                    return Some(Err(self.member_failed(e)));
                }
            }
            if let Some(r) = self.next_in_member() {
                return Some(r);
            }
        }
    }
}

impl<R: BufRead> Iterator for WarcReader<R> {
    type Item = Result<RawRecord, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.pending.take() {
            return Some(Err(e));
        }
        if self.finished {
            return None;
        }
        if self.format == Format::Unknown
            && let Err(e) = self.detect()
        {
            self.finished = true;
            return Some(Err(RecordError { offset: 0, what: format!("reading the input failed: {e}") }));
        }
        match self.format {
            Format::Gzip => self.next_gzip(),
            _ => self.next_plain(),
        }
    }
}

/// The first line (which must start with `prefix`) and the `Name: value` lines after it; a line
/// starting with a space or tab continues the previous value.
fn parse_header_lines(head: &[u8], prefix: &str) -> Result<(String, Vec<(String, String)>), String> {
    let mut lines = head.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let first = String::from_utf8_lossy(lines.next().unwrap_or_default()).trim().to_string();
    if !first.starts_with(prefix) {
        return Err(format!("the first line is not a {prefix} line"));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.is_empty() {
            continue;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if let Some((_, v)) = headers.last_mut() {
                v.push(' ');
                v.push_str(String::from_utf8_lossy(line).trim());
            }
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return Err(format!("header line without a colon: {:?}", String::from_utf8_lossy(line)));
        };
        let name = String::from_utf8_lossy(&line[..colon]).trim().to_string();
        let value = String::from_utf8_lossy(&line[colon + 1..]).trim().to_string();
        headers.push((name, value));
    }
    Ok((first, headers))
}

/// An HTTP response as stored in a `response` record's block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse<'a> {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body as stored (see [`decoded_body`]).
    pub body: &'a [u8],
}

impl HttpResponse<'_> {
    /// The first header of that name, compared without case.
    pub fn header(&self, name: &str) -> Option<&str> {
        header_of(&self.headers, name)
    }
}

/// Splits a response record's block into status, headers and body.
pub fn parse_http_response(block: &[u8]) -> Result<HttpResponse<'_>, String> {
    // The header ends at the first empty line, CRLF or bare LF; a bare-LF end is only looked for
    // before the CRLF one, so the body is never searched.
    let crlf = memchr::memmem::find(block, b"\r\n\r\n").map(|i| (i + 2, i + 4));
    let before = crlf.map_or(block.len(), |(end, _)| end);
    let lf = memchr::memmem::find(&block[..before], b"\n\n").map(|i| (i + 1, i + 2));
    let (head_end, body_start) = match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => return Err("the HTTP header has no end (no empty line)".into()),
    };
    let (status_line, headers) =
        parse_header_lines(&block[..head_end], "HTTP/").map_err(|e| format!("not an HTTP response: {e}"))?;
    let code = status_line.split_whitespace().nth(1).unwrap_or("");
    let status = match code.parse::<u16>() {
        Ok(s) if code.len() == 3 && (100..=999).contains(&s) => s,
        _ => return Err(format!("bad HTTP status line {status_line:?}")),
    };
    Ok(HttpResponse { status, headers, body: &block[body_start..] })
}

/// The body decoded, at most `max` bytes (a longer one is an error, as a body that would decode
/// to more than `max` bytes is).
///
/// De-chunked if `Transfer-Encoding: chunked` (Common Crawl usually stores it de-chunked already
/// and renames the header `X-Crawler-Transfer-Encoding`, which is ignored), and decompressed if
/// still content-encoded per `Content-Encoding`. Common Crawl's `X-Crawler-Content-Encoding` is
/// informational only: the body was encoded and is stored decoded, so it is not decoded again; and
/// a body declared gzip that does not start with the gzip magic was stored decoded too.
pub fn decoded_body<'a>(resp: &HttpResponse<'a>, max: u64) -> Result<Cow<'a, [u8]>, String> {
    let chunked = resp
        .header("Transfer-Encoding")
        .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("chunked")));
    let data: Cow<'_, [u8]> = if chunked { Cow::Owned(dechunk(resp.body)?) } else { Cow::Borrowed(resp.body) };
    let mut codings = body::codings(resp.header("Content-Encoding"));
    if codings.last().is_some_and(|c| c == "gzip" || c == "x-gzip") && !data.starts_with(&[0x1f, 0x8b]) {
        codings.clear();
    }
    if codings.is_empty() {
        if data.len() as u64 > max {
            return Err(format!("the body is longer than {max} bytes"));
        }
        return Ok(data);
    }
    body::decode(&data, &codings, max).map(Cow::Owned).map_err(|e| e.to_string())
}

/// Undoes `Transfer-Encoding: chunked` (chunk extensions and trailers are ignored).
fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(data.len());
    loop {
        let Some(eol) = data.iter().position(|&b| b == b'\n') else {
            return Err("chunked body: ends before its last (zero-size) chunk".into());
        };
        let line = String::from_utf8_lossy(&data[..eol]);
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = if !size_text.is_empty() && size_text.len() <= 16 {
            u64::from_str_radix(size_text, 16).map_err(|_| ())
        } else {
            Err(())
        }
        .map_err(|()| format!("chunked body: bad chunk size {size_text:?}"))?;
        data = &data[eol + 1..];
        if size == 0 {
            return Ok(out);
        }
        if (data.len() as u64) < size {
            return Err(format!("chunked body: a chunk of {size} bytes is cut short after {}", data.len()));
        }
        let size = size as usize;
        out.extend_from_slice(&data[..size]);
        data = &data[size..];
        data = if let Some(rest) = data.strip_prefix(b"\r\n") {
            rest
        } else if let Some(rest) = data.strip_prefix(b"\n") {
            rest
        } else {
            return Err("chunked body: no line end after a chunk".into());
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_joined_and_broken_ones_refused() {
        assert_eq!(dechunk(b"5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n").unwrap(), b"hello world");
        assert!(dechunk(b"5\r\nhel").unwrap_err().contains("cut short"));
        assert!(dechunk(b"zz\r\nhello\r\n0\r\n\r\n").unwrap_err().contains("bad chunk size"));
        assert!(dechunk(b"5\r\nhello\r\n").unwrap_err().contains("last"));
        assert!(dechunk(b"5\r\nhelloXX0\r\n\r\n").unwrap_err().contains("line end"));
    }
}
