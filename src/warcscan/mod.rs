//! Reading other people's WARC files as streams (Common Crawl's `.warc.gz`, about 1 GB each):
//! a record reader that survives broken input ([`reader`]) and the sources it reads from, local
//! files or http(s) URLs resumed with `Range` requests ([`source`]), and each record through the
//! claim reader ([`scan`]).
//!
//! claimwatch's own evidence archives are read by `crate::evidence::warc`, which loads whole
//! files and trusts them; this module is for large files written by others.

mod inflate;
pub mod reader;
pub mod scan;
pub mod source;
