//! Runs each pattern file's own examples through detection and attribution, so that a label's rules are tested by the file that defines them.

use std::path::PathBuf;

use super::{ClaimKind, PatternSet};
use crate::detect::{Reading, detect};
use crate::extract::{Block, Link, Segment, Span};
use crate::gazetteer::Gazetteer;
use crate::judge::{Subject, VendorNames, attribute};

/// The result of one example.
#[derive(Debug, Clone)]
pub struct ExampleOutcome {
    pub label: String,
    pub file: PathBuf,
    pub line: usize,
    pub text: String,
    pub expected: Option<ClaimKind>,
    pub expected_subject: Option<Subject>,
    /// Kind of every claim of this label found in the text (after attribution), with the rule
    /// that decided it and whose offer it was found to be about.
    pub got: Vec<(ClaimKind, Option<String>, Subject)>,
}

impl ExampleOutcome {
    /// An example expecting a kind passes when the label is found and every occurrence has that
    /// kind (and subject, when it names one); one expecting none passes when the label is not
    /// found at all.
    pub fn passed(&self) -> bool {
        match self.expected {
            None => self.got.is_empty(),
            Some(k) => {
                !self.got.is_empty()
                    && self.got.iter().all(|(g, _, s)| *g == k && self.expected_subject.is_none_or(|e| e == *s))
            }
        }
    }
}

/// Runs every example of every label; each label is run alone so that its file stands on its
/// own. An example with an `owner` is read as that owner's page.
pub fn run_examples(set: &PatternSet, gazetteer: &Gazetteer) -> Vec<ExampleOutcome> {
    let mut outcomes = Vec::new();
    for label in &set.labels {
        let Some(alone) = set.only(&label.id) else { continue };
        for example in &label.examples {
            let mut segment = Segment::new(example.location, "example", example.text.clone());
            if let Some(href) = &example.link_to {
                segment.links.push(Link { range: 0..segment.text.len(), href: href.clone() });
            }
            segment.region = example.region;
            segment.spans.push(Span { range: 0..segment.text.len(), block: Block::Region(example.region) });
            let reading = Reading { patterns: &alone, gazetteer, article: example.article };
            let mut names = VendorNames::none();
            for n in &example.owner {
                names.add(n);
            }
            let got = detect(&[segment], &reading)
                .into_iter()
                .map(|c| {
                    let a = attribute(&c, &names);
                    (a.kind, c.rule, a.subject)
                })
                .collect();
            outcomes.push(ExampleOutcome {
                label: label.id.clone(),
                file: label.file.clone(),
                line: example.line,
                text: example.text.clone(),
                expected: example.expected,
                expected_subject: example.subject,
                got,
            });
        }
    }
    outcomes
}
