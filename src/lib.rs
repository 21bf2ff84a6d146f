//! claimwatch: finds trust-label claims on vendors' pages and judges them against the registry of qualifications actually granted.
pub mod config;
pub mod detect;
pub mod diag;
pub mod extract;
pub mod judge;
pub mod patterns;
pub mod registry;
pub mod report;
pub mod scan;
