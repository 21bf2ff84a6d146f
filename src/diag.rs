//! Located problems in input files (`file:line:col: message`) and spanned TOML reading that keeps going after the first problem.
//!
//! Config, pattern and registry files are all read through [`TomlDoc`]: a syntax error stops
//! that file, but every other problem (an unknown key, a bad value, a broken entry in an
//! array of tables) is recorded with its line and reading goes on, so a user sees every
//! mistake of a file in one pass.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

/// One problem in one input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file (unreadable, missing).
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn whole_file(file: &Path, message: impl Into<String>) -> Self {
        Diagnostic { file: file.to_path_buf(), line: 0, column: 0, message: message.into() }
    }

    /// A problem with a whole line (1-based).
    pub fn at_line(file: &Path, line: usize, message: impl Into<String>) -> Self {
        Diagnostic { file: file.to_path_buf(), line, column: 1, message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(f, "{}:{}:{}: {}", self.file.display(), self.line, self.column, self.message)
        }
    }
}

/// Every problem found while loading some input, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
    /// In file order: by file, then line, then column.
    pub fn sorted(mut self) -> Self {
        self.0.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        self
    }

    /// `Ok(value)` when nothing was recorded.
    pub fn into_result<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// A TOML file being read: its path and text, to turn byte spans into lines.
pub struct TomlDoc<'a> {
    path: &'a Path,
    text: &'a str,
    line_starts: Vec<usize>,
    pub diagnostics: Diagnostics,
    /// Keys read since the last [`reject_unknown`](Self::reject_unknown): each must be in the
    /// list of known keys given to it, so that a key list cannot miss a key the loader reads.
    read: Vec<String>,
}

/// A table's entries, taken out one key at a time so that what is left at the end is unknown.
pub type Table<'a> = DeTable<'a>;
pub type Value<'a> = Spanned<DeValue<'a>>;

impl<'a> TomlDoc<'a> {
    pub fn new(path: &'a Path, text: &'a str) -> Self {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        TomlDoc { path, text, line_starts, diagnostics: Diagnostics::default(), read: Vec::new() }
    }

    pub fn path(&self) -> &Path {
        self.path
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self.text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        (line, column)
    }

    pub fn diagnostic(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        let (line, column) = self.locate(span.start);
        Diagnostic { file: self.path.to_path_buf(), line, column, message: message.into() }
    }

    /// Records a problem at `span` and keeps reading.
    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        let d = self.diagnostic(span, message);
        self.diagnostics.push(d);
    }

    /// Parses the document; a syntax error is final for this file.
    pub fn parse(&mut self) -> Option<Table<'a>> {
        match DeTable::parse(self.text) {
            Ok(table) => Some(table.into_inner()),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let message = format!("TOML syntax: {}", first_line(e.message()));
                self.error(span, message);
                None
            }
        }
    }

    /// Deserialises one value; on failure records why, at the most precise span known.
    pub fn value<T: DeserializeOwned>(&mut self, value: Value<'a>) -> Option<T> {
        let fallback = value.span();
        match T::deserialize(ValueDeserializer::from(value)) {
            Ok(v) => Some(v),
            Err(e) => {
                let span = e.span().unwrap_or(fallback);
                let message = first_line(e.message()).to_string();
                self.error(span, message);
                None
            }
        }
    }

    /// Takes `key` out of `table` and deserialises it; `None` when absent or invalid.
    pub fn take<T: DeserializeOwned>(&mut self, table: &mut Table<'a>, key: &str) -> Option<T> {
        self.read.push(key.to_string());
        let value = table.remove(key)?;
        self.value(value)
    }

    /// Like [`take`](Self::take), but a missing key is an error reported at `table_span`.
    pub fn require<T: DeserializeOwned>(
        &mut self,
        table: &mut Table<'a>,
        table_span: Range<usize>,
        key: &str,
    ) -> Option<T> {
        if !table.contains_key(key) {
            self.read.push(key.to_string());
            self.error(table_span, format!("missing required key `{key}`"));
            return None;
        }
        self.take(table, key)
    }

    /// Takes an array of tables (`[[key]]`), deserialising each element on its own so that one
    /// broken element does not hide problems in the others. Elements come back with their span.
    pub fn take_array<T: DeserializeOwned>(&mut self, table: &mut Table<'a>, key: &str) -> Vec<(T, Range<usize>)> {
        self.read.push(key.to_string());
        let Some(value) = table.remove(key) else { return Vec::new() };
        let span = value.span();
        match value.into_inner() {
            DeValue::Array(items) => items
                .into_iter()
                .filter_map(|item| {
                    let span = item.span();
                    self.value(item).map(|v| (v, span))
                })
                .collect(),
            _ => {
                self.error(span, format!("`{key}` must be an array of tables ([[{key}]])"));
                Vec::new()
            }
        }
    }

    /// Takes a sub-table (`[name]`) out of `table`, to read it key by key.
    pub fn take_table(&mut self, table: &mut Table<'a>, key: &str) -> Option<(Table<'a>, Range<usize>)> {
        self.read.push(key.to_string());
        let value = table.remove(key)?;
        let span = value.span();
        match value.into_inner() {
            DeValue::Table(t) => Some((t, span)),
            _ => {
                self.error(span, format!("`{key}` must be a table ([{key}])"));
                None
            }
        }
    }

    /// Reports every key still in `table` as unknown. `allowed` is the table's list of known
    /// keys (shown in the message); every key read from it since the last call must be listed.
    pub fn reject_unknown(&mut self, table: Table<'a>, allowed: &[&str]) {
        let unlisted: Vec<String> = self.read.drain(..).filter(|k| !allowed.contains(&k.as_str())).collect();
        debug_assert!(unlisted.is_empty(), "keys read but missing from the table's key list: {unlisted:?}");
        for (key, _) in table {
            let hint = if allowed.is_empty() {
                String::new()
            } else {
                format!(", expected one of {}", allowed.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))
            };
            self.error(key.span(), format!("unknown key `{}`{hint}", key.get_ref()));
        }
    }
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message).trim()
}

/// A calendar date written as a TOML local date (`2026-09-15`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub NaiveDate);

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let dt = toml::value::Datetime::deserialize(d)
            .map_err(|_| D::Error::custom("expected a date such as 2026-09-15 (no quotes)"))?;
        match (dt.date, dt.time, dt.offset) {
            (Some(date), None, None) => NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
                .map(Day)
                .ok_or_else(|| D::Error::custom(format!("{dt} is not a valid date"))),
            _ => Err(D::Error::custom(format!("expected a date without time, found {dt}"))),
        }
    }
}

/// A TOML value written as one string or a list of them (`registry = "a.toml"` or a list; a
/// pattern rule's `subject`, `speech`, `display`).
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(crate) fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// The field names a `#[derive(Deserialize)]` struct accepts (after renames), as the derive
/// lists them: tests compare them with the key lists the documentation is checked against.
#[cfg(test)]
pub(crate) fn struct_fields<T: DeserializeOwned>() -> Vec<&'static str> {
    use serde::de::{Error, Visitor, value};

    struct Catch<'c>(&'c mut Option<&'static [&'static str]>);

    impl<'de> Deserializer<'de> for Catch<'_> {
        type Error = value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, value::Error> {
            Err(value::Error::custom("not a struct"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, value::Error> {
            *self.0 = Some(fields);
            Err(value::Error::custom("fields caught"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }

    let mut fields = None;
    let _ = T::deserialize(Catch(&mut fields));
    let mut fields = fields.expect("a struct with named fields").to_vec();
    fields.sort_unstable();
    fields
}

/// `keys`, sorted, to compare with [`struct_fields`].
#[cfg(test)]
pub(crate) fn sorted(keys: &[&'static str]) -> Vec<&'static str> {
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Entry {
        name: String,
        #[allow(dead_code)]
        count: u32,
    }

    #[test]
    fn every_broken_array_element_is_reported_with_its_line() {
        let text = "top = 1\n[[entry]]\nname = \"a\"\ncount = 1\n[[entry]]\nname = 2\ncount = 1\n[[entry]]\nname = \"c\"\ncont = 3\ncount = 1\n";
        let path = Path::new("x.toml");
        let mut doc = TomlDoc::new(path, text);
        let mut table = doc.parse().unwrap();
        let entries: Vec<(Entry, _)> = doc.take_array(&mut table, "entry");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].0.name, "a");
        let lines: Vec<usize> = doc.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, vec![6, 10], "{}", doc.diagnostics);
        assert!(doc.diagnostics.0[1].message.contains("cont"));
    }

    #[test]
    fn unknown_top_level_keys_are_reported_with_line() {
        let text = "known = 1\n\nunknwon = 2\n";
        let path = Path::new("x.toml");
        let mut doc = TomlDoc::new(path, text);
        let mut table = doc.parse().unwrap();
        let _: Option<u32> = doc.take(&mut table, "known");
        doc.reject_unknown(table, &["known"]);
        assert_eq!(doc.diagnostics.len(), 1);
        let d = &doc.diagnostics.0[0];
        assert_eq!((d.line, d.column), (3, 1));
        assert_eq!(d.to_string(), "x.toml:3:1: unknown key `unknwon`, expected one of `known`");
    }

    #[test]
    fn struct_fields_are_the_keys_a_struct_accepts() {
        assert_eq!(struct_fields::<Entry>(), ["count", "name"]);
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "missing from the table's key list")]
    fn a_key_read_but_not_listed_is_a_bug_caught_in_debug_builds() {
        let mut doc = TomlDoc::new(Path::new("x.toml"), "a = 1\n");
        let mut table = doc.parse().unwrap();
        let _: Option<u32> = doc.take(&mut table, "a");
        let _: Option<u32> = doc.take(&mut table, "b");
        doc.reject_unknown(table, &["a"]);
    }

    #[test]
    fn syntax_error_has_a_line() {
        let text = "a = 1\nb = \"unterminated\n";
        let path = Path::new("x.toml");
        let mut doc = TomlDoc::new(path, text);
        assert!(doc.parse().is_none());
        assert_eq!(doc.diagnostics.0[0].line, 2, "{}", doc.diagnostics);
    }

    #[test]
    fn dates_must_be_plain_toml_dates() {
        let text = "a = 2026-09-15\nb = \"2026-09-15\"\nd = 2026-09-15T10:00:00\n";
        let path = Path::new("x.toml");
        let mut doc = TomlDoc::new(path, text);
        let mut table = doc.parse().unwrap();
        let a: Option<Day> = doc.take(&mut table, "a");
        assert_eq!(a, Some(Day(NaiveDate::from_ymd_opt(2026, 9, 15).unwrap())));
        let b: Option<Day> = doc.take(&mut table, "b");
        let d: Option<Day> = doc.take(&mut table, "d");
        assert!(b.is_none() && d.is_none());
        let lines: Vec<usize> = doc.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, vec![2, 3], "{}", doc.diagnostics);
    }
}
