//! The gazetteer (`config/gazetteer.toml`): organisations that pages name (cloud and IT companies, public bodies, certification bodies), so that a claim can be tied to whoever it is about.
//!
//! It is data, like the pattern files: adding a company is adding an entry. It lives outside
//! `patterns/` because every `*.toml` there is a label file.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics, TomlDoc};
use crate::extract::normalize;

#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    #[error("{0}")]
    Invalid(Diagnostics),
}

impl GazetteerError {
    pub fn diagnostics(&self) -> &Diagnostics {
        match self {
            GazetteerError::Invalid(d) => d,
        }
    }
}

/// What an organisation is, for attribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// A company that may hold or sell a labelled offer.
    Company,
    /// A public body (ANSSI, CNIL, a ministry): it publishes, requires or grants, never holds.
    PublicBody,
    /// A certification body or auditor: it grants, never holds.
    Issuer,
}

impl OrgKind {
    /// Whether the organisation can be the holder of a label.
    pub fn can_hold(self) -> bool {
        self == OrgKind::Company
    }
}

/// One organisation of the gazetteer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub name: String,
    pub aliases: Vec<String>,
    pub kind: OrgKind,
    /// The provider as the registry names it, when the registry spells it otherwise.
    pub registry: Option<String>,
    pub line: usize,
}

/// Longest name, in words, that is looked for in a sentence.
pub const MAX_NAME_WORDS: usize = 10;

/// A loaded gazetteer, indexed by squashed name (folded, letters and digits only).
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    pub path: Option<PathBuf>,
    pub organisations: Vec<Organisation>,
    index: HashMap<String, usize>,
    /// SHA-256 of the file, hex (empty for no file): part of the reading version.
    pub sha256: String,
}

/// A name as compared: folded, letters and digits only ("Cloud-Temple" = "cloud temple").
pub fn squash(name: &str) -> String {
    normalize(name).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Every top-level key of the gazetteer file.
pub const TOP_KEYS: &[&str] = &["organisation"];

/// Every key of an `[[organisation]]` entry (the fields of `Entry`; a test checks it).
pub const ORGANISATION_KEYS: &[&str] = &["name", "aliases", "kind", "registry", "note"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: Spanned<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    kind: Option<OrgKind>,
    registry: Option<String>,
    #[allow(dead_code)]
    note: Option<String>,
}

impl Gazetteer {
    /// A gazetteer that knows nobody (a config without one).
    pub fn empty() -> Gazetteer {
        Gazetteer::default()
    }

    pub fn load(path: &Path) -> Result<Gazetteer, GazetteerError> {
        let bytes = std::fs::read(path).map_err(|e| {
            GazetteerError::Invalid(Diagnostic::whole_file(path, format!("cannot read gazetteer: {e}")).into())
        })?;
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            GazetteerError::Invalid(Diagnostic::whole_file(path, format!("gazetteer is not UTF-8: {e}")).into())
        })?;
        let mut g = Gazetteer::parse(path, text)?;
        g.sha256 = hex::encode(Sha256::digest(&bytes));
        Ok(g)
    }

    /// Parses the text of a gazetteer file; `path` is used in diagnostics.
    pub fn parse(path: &Path, text: &str) -> Result<Gazetteer, GazetteerError> {
        let mut doc = TomlDoc::new(path, text);
        let Some(mut table) = doc.parse() else {
            return Err(GazetteerError::Invalid(std::mem::take(&mut doc.diagnostics)));
        };
        let entries: Vec<(Entry, Range<usize>)> = doc.take_array(&mut table, "organisation");
        doc.reject_unknown(table, TOP_KEYS);
        let mut g = Gazetteer {
            path: Some(path.to_path_buf()),
            sha256: hex::encode(Sha256::digest(text)),
            ..Default::default()
        };
        for (entry, span) in entries {
            let (line, _) = doc.locate(span.start);
            let i = g.organisations.len();
            let mut names = vec![&entry.name];
            names.extend(entry.aliases.iter());
            // Every name is checked and the good ones indexed even when another name of the entry
            // is wrong, so that one pass reports every duplicate of the file.
            for n in &names {
                let key = squash(n.get_ref());
                if key.chars().count() < 2 {
                    doc.error(n.span(), format!("`{}` is too short to be a name", n.get_ref()));
                } else if n.get_ref().split_whitespace().count() > MAX_NAME_WORDS {
                    doc.error(n.span(), format!("`{}` has more than {MAX_NAME_WORDS} words", n.get_ref()));
                } else if let Some(&other) = g.index.get(&key).filter(|&&o| o != i) {
                    doc.error(
                        n.span(),
                        format!(
                            "`{}` is already a name of `{}` (line {})",
                            n.get_ref(),
                            g.organisations[other].name,
                            g.organisations[other].line
                        ),
                    );
                } else {
                    g.index.insert(key, i);
                }
            }
            g.organisations.push(Organisation {
                name: entry.name.get_ref().clone(),
                aliases: entry.aliases.iter().map(|a| a.get_ref().clone()).collect(),
                kind: entry.kind.unwrap_or(OrgKind::Company),
                registry: entry.registry,
                line,
            });
        }
        if doc.diagnostics.is_empty() {
            Ok(g)
        } else {
            Err(GazetteerError::Invalid(std::mem::take(&mut doc.diagnostics).sorted()))
        }
    }

    /// The organisation one of whose names squashes to `key`.
    pub fn by_key(&self, key: &str) -> Option<&Organisation> {
        self.index.get(key).map(|&i| &self.organisations[i])
    }

    /// The organisation named `name` (any spelling that squashes the same).
    pub fn find(&self, name: &str) -> Option<&Organisation> {
        self.by_key(&squash(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_organisation_key_list_is_the_fields_an_entry_accepts() {
        use crate::diag::{sorted, struct_fields};
        assert_eq!(struct_fields::<Entry>(), sorted(ORGANISATION_KEYS));
    }

    #[test]
    fn a_gazetteer_that_sets_every_listed_key_is_accepted_and_an_unlisted_key_is_not() {
        assert_eq!(TOP_KEYS, ["organisation"]);
        let sample = |key: &str| match key {
            "name" => r#""Nuvexa""#,
            "aliases" => r#"["Nuvexa Cloud"]"#,
            "kind" => r#""company""#,
            "registry" => r#""Nuvexa SAS""#,
            "note" => r#""a fictional company""#,
            _ => panic!("no sample value for `{key}` in [[organisation]]: add one to this test"),
        };
        let mut text = String::from("[[organisation]]\n");
        for key in ORGANISATION_KEYS {
            text += &format!("{key} = {}\n", sample(key));
        }
        let g = Gazetteer::parse(Path::new("g.toml"), &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(g.find("nuvexa cloud").and_then(|o| o.registry.as_deref()), Some("Nuvexa SAS"));
        for broken in [format!("unlisted_key = 1\n{text}"), format!("{text}unlisted_key = 1\n")] {
            let shown = Gazetteer::parse(Path::new("g.toml"), &broken).unwrap_err().to_string();
            assert!(shown.contains("unknown") && shown.contains("unlisted_key"), "{shown}");
        }
    }

    #[test]
    fn names_and_aliases_are_found_whatever_their_spelling() {
        let g = Gazetteer::parse(
            Path::new("g.toml"),
            "[[organisation]]\nname = \"Cloud Temple\"\naliases = [\"CloudTemple\"]\n\
             [[organisation]]\nname = \"ANSSI\"\nkind = \"public_body\"\n",
        );
        let g = g.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.find("cloud-temple").map(|o| o.name.as_str()), Some("Cloud Temple"));
        assert_eq!(g.find("Anssi").map(|o| o.kind), Some(OrgKind::PublicBody));
        assert!(g.find("Temple").is_none());
    }

    #[test]
    fn every_duplicate_is_reported_even_after_an_entry_with_a_bad_name() {
        let text = "[[organisation]]\nname = \"Nuvexa\"\naliases = [\"N\"]\n\n[[organisation]]\nname = \"Nuvexa\"\n";
        let shown = Gazetteer::parse(Path::new("g.toml"), text).unwrap_err().to_string();
        assert!(shown.contains("too short"), "{shown}");
        assert!(shown.contains("g.toml:6") && shown.contains("already a name of `Nuvexa`"), "{shown}");
    }

    #[test]
    fn a_name_given_twice_and_unknown_keys_are_rejected_with_their_lines() {
        let text = "[[organisation]]\nname = \"Nuvexa\"\n\n[[organisation]]\nname = \"NUVEXA\"\n\n[[organisation]]\nname = \"Brume\"\ncolour = \"x\"\n";
        let e = Gazetteer::parse(Path::new("g.toml"), text).unwrap_err();
        let shown = e.to_string();
        assert!(shown.contains("g.toml:5"), "{shown}");
        assert!(shown.contains("already a name of `Nuvexa`"), "{shown}");
        assert!(shown.contains("colour"), "{shown}");
    }
}
