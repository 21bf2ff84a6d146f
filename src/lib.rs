//! claimwatch: finds trust-label claims on vendors' pages and judges them against the registry of qualifications actually granted.
pub mod canon;
pub mod config;
pub mod crawl;
pub mod detect;
pub mod diag;
pub mod extract;
pub mod fetch;
pub mod judge;
pub mod patterns;
pub mod pipeline;
pub mod registry;
pub mod report;
pub mod robots;
pub mod scan;
pub mod sitemap;
