//! Inflating a whole gzip member at once with libdeflate: the reader's fast path for the small
//! per-record members of Common Crawl's files (the streaming inflater stays for everything else).
//!
//! libdeflate inflates a whole buffer about twice as fast as a streaming inflater (it keeps no
//! sliding window and copies nothing twice), and it reports how many input bytes the deflate data
//! used, which is what gives the member's exact end. It needs the whole member in memory and an
//! output buffer large enough: when either is missing, or anything is wrong with the member, the
//! fast path answers `None` and the reader inflates the member as a stream, whose errors are the
//! ones reported. So the fast path never changes what is read, only how fast.

use std::ffi::c_void;
use std::ptr::NonNull;

use flate2::Crc;
use libdeflate_sys::{
    libdeflate_alloc_decompressor, libdeflate_decompressor, libdeflate_deflate_decompress_ex,
    libdeflate_free_decompressor, libdeflate_result_LIBDEFLATE_SUCCESS,
};

/// The gzip header the fast path takes: magic, deflate, no flags (no extra field, name, comment
/// or header CRC). Every member Common Crawl writes has it; any other header goes the slow way.
const SIMPLE_HEADER_LEN: usize = 10;

/// A libdeflate decompressor (it holds only its tables, no state between calls).
pub struct WholeMember {
    d: NonNull<libdeflate_decompressor>,
}

// SAFETY: a libdeflate decompressor is plain memory with no thread affinity; `&mut self` on every
// use keeps it from being used by two threads at once.
unsafe impl Send for WholeMember {}

impl WholeMember {
    /// None if libdeflate cannot allocate its tables (the reader then streams every member).
    pub fn new() -> Option<WholeMember> {
        // SAFETY: no arguments; a null result (allocation failure) is checked.
        NonNull::new(unsafe { libdeflate_alloc_decompressor() }).map(|d| WholeMember { d })
    }

    /// Inflates the gzip member at the start of `input` into `out`, checking its CRC-32 and size:
    /// `Some((member length, decoded length))`, or `None` when the member is not whole in `input`,
    /// does not fit in `out`, has a header other than the simple one, or is broken in any way.
    pub fn inflate(&mut self, input: &[u8], out: &mut [u8]) -> Option<(usize, usize)> {
        let header = input.get(..SIMPLE_HEADER_LEN)?;
        if header[..4] != [0x1f, 0x8b, 0x08, 0x00] {
            return None;
        }
        let data = &input[SIMPLE_HEADER_LEN..];
        let (mut used, mut produced) = (0usize, 0usize);
        // SAFETY: the pointers and lengths come from live slices that outlive the call; libdeflate
        // reads at most `data.len()` bytes, writes at most `out.len()` bytes, and writes the two
        // counts through valid pointers to local variables.
        let result = unsafe {
            libdeflate_deflate_decompress_ex(
                self.d.as_ptr(),
                data.as_ptr().cast::<c_void>(),
                data.len(),
                out.as_mut_ptr().cast::<c_void>(),
                out.len(),
                &mut used,
                &mut produced,
            )
        };
        if result != libdeflate_result_LIBDEFLATE_SUCCESS || used > data.len() || produced > out.len() {
            return None;
        }
        let trailer = data.get(used..used + 8)?;
        let mut crc = Crc::new();
        crc.update(&out[..produced]);
        let stored_crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        let stored_size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
        (stored_crc == crc.sum() && stored_size == produced as u32).then_some((SIMPLE_HEADER_LEN + used + 8, produced))
    }
}

impl Drop for WholeMember {
    fn drop(&mut self) {
        // SAFETY: `d` came from `libdeflate_alloc_decompressor` and is freed once, here.
        unsafe { libdeflate_free_decompressor(self.d.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(data).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn a_whole_member_gives_its_exact_length_and_bytes() {
        let text = b"WARC/1.0\r\nWARC-Type: response\r\n\r\n".repeat(200);
        let mut input = gzip(&text);
        let member = input.len();
        input.extend_from_slice(&gzip(b"the next member"));
        let mut out = vec![0; 1 << 16];
        let (len, produced) = WholeMember::new().unwrap().inflate(&input, &mut out).unwrap();
        assert_eq!((len, &out[..produced]), (member, &text[..]));
    }

    #[test]
    fn a_cut_member_a_small_buffer_or_a_bad_crc_go_the_slow_way() {
        let text = b"some text that compresses ".repeat(100);
        let input = gzip(&text);
        let mut fast = WholeMember::new().unwrap();
        let mut out = vec![0; 1 << 16];
        assert_eq!(fast.inflate(&input[..input.len() - 1], &mut out), None, "trailer cut");
        assert_eq!(fast.inflate(&input[..input.len() / 2], &mut out), None, "data cut");
        assert_eq!(fast.inflate(&input, &mut out[..text.len() - 1]), None, "output too small");
        let mut bad = input.clone();
        let at = bad.len() - 8;
        bad[at] ^= 1;
        assert_eq!(fast.inflate(&bad, &mut out), None, "CRC-32 differs");
        let mut named = input.clone();
        named[3] = 0x08;
        assert_eq!(fast.inflate(&named, &mut out), None, "a header with flags");
        assert!(fast.inflate(&input, &mut out).is_some());
    }
}
