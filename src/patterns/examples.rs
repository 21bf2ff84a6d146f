//! Runs each pattern file's own examples through detection, so that a label's rules are tested by the file that defines them.

use std::path::PathBuf;

use super::{ClaimKind, PatternSet};
use crate::detect::detect;
use crate::extract::{Link, Segment};

/// The result of one example.
#[derive(Debug, Clone)]
pub struct ExampleOutcome {
    pub label: String,
    pub file: PathBuf,
    pub line: usize,
    pub text: String,
    pub expected: Option<ClaimKind>,
    /// Kind of every claim of this label found in the text, with the rule that decided it.
    pub got: Vec<(ClaimKind, Option<String>)>,
}

impl ExampleOutcome {
    /// An example expecting a kind passes when the label is found and every occurrence has that
    /// kind; one expecting none passes when the label is not found at all.
    pub fn passed(&self) -> bool {
        match self.expected {
            None => self.got.is_empty(),
            Some(k) => !self.got.is_empty() && self.got.iter().all(|(g, _)| *g == k),
        }
    }
}

/// Runs every example of every label; each label is run alone so that its file stands on its own.
pub fn run_examples(set: &PatternSet) -> Vec<ExampleOutcome> {
    let mut outcomes = Vec::new();
    for label in &set.labels {
        let Some(alone) = set.only(&label.id) else { continue };
        for example in &label.examples {
            let mut segment = Segment::new(example.location, "example", example.text.clone());
            if let Some(href) = &example.link_to {
                segment.links.push(Link { range: 0..segment.text.len(), href: href.clone() });
            }
            let got = detect(&[segment], &alone).into_iter().map(|c| (c.kind, c.rule)).collect();
            outcomes.push(ExampleOutcome {
                label: label.id.clone(),
                file: label.file.clone(),
                line: example.line,
                text: example.text.clone(),
                expected: example.expected,
                got,
            });
        }
    }
    outcomes
}
