//! A page's text laid out from its content stream: text runs placed by the text and graphics
//! matrices (`Td`, `TD`, `Tm`, `T*`, `TJ` offsets, `cm`, form XObjects), joined into lines by
//! their baselines, with a space where the pen jumps forward.

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::fonts::{FontKey, Fonts, deref};
use super::{MAX_STREAM_BYTES, PdfError};

/// How deep form XObjects may be drawn inside each other.
const MAX_FORM_DEPTH: usize = 8;
/// How many graphics states `q` may save; deeper saves are ignored.
const MAX_SAVED_STATES: usize = 64;

/// A gap along the baseline wider than this share of the font size is a space between words.
const SPACE_GAP: f64 = 0.15;
/// A move across the baseline wider than this share of the font size starts a new line.
const LINE_GAP: f64 = 0.5;
/// A move across the baseline wider than this share of the font size leaves an empty line.
const PARAGRAPH_GAP: f64 = 2.5;

/// What a whole document may still cost: interpreted operators, content bytes decoded, text.
pub(super) struct Budget {
    pub operations: usize,
    pub content_bytes: usize,
    pub text_bytes: usize,
}

impl Budget {
    fn charge_content(&mut self, bytes: usize, operations: usize) -> Result<(), PdfError> {
        self.content_bytes = self
            .content_bytes
            .checked_sub(bytes)
            .ok_or_else(|| PdfError::Limit(format!("more than {} bytes of page content", super::MAX_CONTENT_BYTES)))?;
        self.operations = self
            .operations
            .checked_sub(operations)
            .ok_or_else(|| PdfError::Limit(format!("more than {} content operators", super::MAX_OPERATIONS)))?;
        Ok(())
    }
}

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m × n` in PDF's row-vector convention (apply `m`, then `n`).
fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn translate(tx: f64, ty: f64) -> Matrix {
    [1.0, 0.0, 0.0, 1.0, tx, ty]
}

fn num(o: Option<&Object>) -> Option<f64> {
    match o? {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
    .filter(|n| n.is_finite())
}

fn matrix(args: &[Object]) -> Option<Matrix> {
    let mut m = [0.0; 6];
    for (slot, arg) in m.iter_mut().zip(args) {
        *slot = num(Some(arg))?;
    }
    (args.len() >= 6).then_some(m)
}

/// The part of the graphics state text needs (`q` saves it, `Q` restores it).
#[derive(Clone)]
struct State {
    ctm: Matrix,
    font: Option<usize>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    horizontal_scale: f64,
    leading: f64,
}

impl State {
    fn new(ctm: Matrix) -> State {
        State { ctm, font: None, size: 0.0, char_spacing: 0.0, word_spacing: 0.0, horizontal_scale: 1.0, leading: 0.0 }
    }
}

/// Where the last run ended: its pen position, baseline direction and size, in device space.
struct Pen {
    end: (f64, f64),
    dir: (f64, f64),
    size: f64,
}

/// The page's text as lines, in drawing order.
#[derive(Default)]
struct Lines {
    out: String,
    last: Option<Pen>,
}

impl Lines {
    /// Adds a run: on the last run's line (with a space before it across a gap) or on a new one.
    /// A run with no text only moves the pen along its line.
    fn push(&mut self, text: &str, start: (f64, f64), end: (f64, f64), dir: (f64, f64), size: f64) {
        let size = if size.is_finite() && size > 0.01 { size } else { 1.0 };
        if let Some(last) = &self.last {
            let d = (start.0 - last.end.0, start.1 - last.end.1);
            let along = d.0 * last.dir.0 + d.1 * last.dir.1;
            let across = last.dir.0 * d.1 - last.dir.1 * d.0;
            let same_direction = dir.0 * last.dir.0 + dir.1 * last.dir.1 > 0.95;
            let em = last.size.max(size);
            let same_line = along.is_finite() && across.is_finite() && same_direction && across.abs() <= LINE_GAP * em;
            if text.is_empty() {
                if same_line {
                    self.last = Some(Pen { end, dir, size: last.size });
                }
                return;
            }
            if !same_line {
                self.out.push('\n');
                if same_direction && across.abs() > PARAGRAPH_GAP * em {
                    self.out.push('\n');
                }
            } else if along > SPACE_GAP * em
                && !self.out.ends_with(char::is_whitespace)
                && !text.starts_with(char::is_whitespace)
            {
                self.out.push(' ');
            }
        } else if text.is_empty() {
            return;
        }
        self.out.push_str(text);
        self.last = Some(Pen { end, dir, size });
    }
}

/// The marked-content sequences open (`BMC`/`BDC` … `EMC`), for their `/ActualText`: the text
/// a span stands for replaces what its glyphs decode to (Chromium draws a soft hyphen as a
/// space glyph in a span whose actual text is U+00AD).
#[derive(Default)]
struct Marked {
    spans: Vec<Option<ActualText>>,
    /// Spans opened past [`MAX_MARKED`], counted only.
    overflow: usize,
}

struct ActualText {
    text: String,
    given: bool,
}

/// How deep marked-content sequences are followed.
const MAX_MARKED: usize = 64;

impl Marked {
    fn begin(&mut self, actual: Option<String>) {
        if self.spans.len() < MAX_MARKED {
            self.spans.push(actual.map(|text| ActualText { text, given: false }));
        } else {
            self.overflow += 1;
        }
    }

    fn end(&mut self) {
        if self.overflow > 0 {
            self.overflow -= 1;
        } else {
            self.spans.pop();
        }
    }

    /// Inside a span with actual text, what a run shows instead of its glyphs: the whole actual
    /// text for the first run, nothing for the others.
    fn replacement(&mut self) -> Option<String> {
        let span = self.spans.iter_mut().flatten().next()?;
        Some(if span.given {
            String::new()
        } else {
            span.given = true;
            span.text.clone()
        })
    }
}

/// The text of one page, laid out into lines (not yet cleaned: see `text::clean_page`), and
/// what of its content could not be read, if anything.
pub(super) fn page_text<'d>(
    doc: &'d Document,
    page: ObjectId,
    fonts: &mut Fonts<'d>,
    budget: &mut Budget,
) -> Result<(String, Option<String>), PdfError> {
    let content = doc.get_page_content_with_limit(page, MAX_STREAM_BYTES).map_err(|e| {
        if super::is_limit(&e) {
            PdfError::Limit(format!("its content: {}", super::describe(&e)))
        } else {
            PdfError::Malformed(format!("its content: {}", super::describe(&e)))
        }
    })?;
    let resources = page_resources(doc, page);
    let (operations, problem) = match Content::decode(&content) {
        Ok(content) => (content.operations, None),
        Err(e) => {
            let (operations, lost) = salvage(&content);
            let problem = format!("{lost} of its text objects cannot be parsed ({})", super::describe(&e));
            (operations, Some(problem))
        }
    };
    budget.charge_content(content.len(), operations.len())?;
    let mut painter = Painter { doc, fonts, budget, lines: Lines::default(), forms: Vec::new() };
    painter.run(&operations, &resources, State::new(IDENTITY))?;
    Ok((painter.lines.out, problem))
}

/// The operators of a content stream that does not parse whole: the stream cut before each
/// `BT`, each piece parsed on its own, the pieces that parse kept. A damaged or hostile text
/// object then hides only itself. Returns the operators and how many pieces were lost.
fn salvage(content: &[u8]) -> (Vec<Operation>, usize) {
    let delimiter = |b: u8| b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b);
    let mut cuts = vec![0];
    cuts.extend(
        content
            .windows(4)
            .enumerate()
            .filter_map(|(i, w)| (delimiter(w[0]) && &w[1..3] == b"BT" && delimiter(w[3])).then_some(i + 1)),
    );
    cuts.push(content.len());
    let mut operations = Vec::new();
    let mut lost = 0;
    for piece in cuts.windows(2) {
        match Content::decode(&content[piece[0]..piece[1]]) {
            Ok(c) => operations.extend(c.operations),
            Err(_) => lost += 1,
        }
    }
    (operations, lost)
}

/// A page's resource dictionaries, nearest first (its own, then inherited ones).
fn page_resources(doc: &Document, page: ObjectId) -> Vec<&Dictionary> {
    let Ok((direct, ids)) = doc.get_page_resources(page) else { return Vec::new() };
    direct.into_iter().chain(ids.into_iter().filter_map(|id| doc.get_dictionary(id).ok())).collect()
}

struct Painter<'a, 'd> {
    doc: &'d Document,
    fonts: &'a mut Fonts<'d>,
    budget: &'a mut Budget,
    lines: Lines,
    /// The form XObjects being drawn, outermost first (a form that draws itself is skipped).
    forms: Vec<ObjectId>,
}

impl<'d> Painter<'_, 'd> {
    fn run(&mut self, ops: &[Operation], resources: &[&'d Dictionary], mut state: State) -> Result<(), PdfError> {
        let mut saved: Vec<State> = Vec::new();
        let mut marked = Marked::default();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        for op in ops {
            let args = op.operands.as_slice();
            match op.operator.as_str() {
                "q" if saved.len() < MAX_SAVED_STATES => saved.push(state.clone()),
                "Q" => {
                    if let Some(s) = saved.pop() {
                        state = s;
                    }
                }
                "cm" => {
                    if let Some(m) = matrix(args) {
                        state.ctm = mul(&m, &state.ctm);
                    }
                }
                "BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                "Tf" => {
                    let named = match args.first().and_then(|n| n.as_name().ok()) {
                        Some(name) => self.font(resources, name)?,
                        None => None,
                    };
                    state.font = Some(named.unwrap_or_else(|| self.fonts.fallback()));
                    state.size = num(args.get(1)).unwrap_or(0.0);
                }
                "Tc" => state.char_spacing = num(args.first()).unwrap_or(0.0),
                "Tw" => state.word_spacing = num(args.first()).unwrap_or(0.0),
                "Tz" => state.horizontal_scale = num(args.first()).unwrap_or(100.0) / 100.0,
                "TL" => state.leading = num(args.first()).unwrap_or(0.0),
                "Td" | "TD" => {
                    let (tx, ty) = (num(args.first()).unwrap_or(0.0), num(args.get(1)).unwrap_or(0.0));
                    if op.operator == "TD" {
                        state.leading = -ty;
                    }
                    tlm = mul(&translate(tx, ty), &tlm);
                    tm = tlm;
                }
                "Tm" => {
                    if let Some(m) = matrix(args) {
                        tlm = m;
                        tm = m;
                    }
                }
                "T*" => {
                    tlm = mul(&translate(0.0, -state.leading), &tlm);
                    tm = tlm;
                }
                "Tj" => self.show(&state, &mut tm, &mut marked, args.first())?,
                "'" => {
                    tlm = mul(&translate(0.0, -state.leading), &tlm);
                    tm = tlm;
                    self.show(&state, &mut tm, &mut marked, args.first())?;
                }
                "\"" => {
                    state.word_spacing = num(args.first()).unwrap_or(0.0);
                    state.char_spacing = num(args.get(1)).unwrap_or(0.0);
                    tlm = mul(&translate(0.0, -state.leading), &tlm);
                    tm = tlm;
                    self.show(&state, &mut tm, &mut marked, args.get(2))?;
                }
                "TJ" => {
                    for item in args.first().and_then(|a| a.as_array().ok()).map(Vec::as_slice).unwrap_or_default() {
                        match item {
                            Object::String(..) => self.show(&state, &mut tm, &mut marked, Some(item))?,
                            other => {
                                if let Some(n) = num(Some(other)) {
                                    let tx = -n / 1000.0 * state.size * state.horizontal_scale;
                                    tm = mul(&translate(tx, 0.0), &tm);
                                }
                            }
                        }
                    }
                }
                "Do" => {
                    if let Some(name) = args.first().and_then(|n| n.as_name().ok()) {
                        self.form(resources, name, &state)?;
                    }
                }
                "BMC" => marked.begin(None),
                "BDC" => marked.begin(self.actual_text(resources, args.get(1))),
                "EMC" => marked.end(),
                _ => {}
            }
        }
        Ok(())
    }

    /// The font named `name` in the resources, read once per document.
    fn font(&mut self, resources: &[&'d Dictionary], name: &[u8]) -> Result<Option<usize>, PdfError> {
        let doc = self.doc;
        for res in resources {
            let Some(fonts) = deref(doc, res.get(b"Font").ok()).and_then(|f| f.as_dict().ok()) else { continue };
            let found = match fonts.get(name) {
                Ok(Object::Reference(id)) => doc.get_dictionary(*id).ok().map(|d| (FontKey::Object(*id), d)),
                Ok(Object::Dictionary(d)) => Some((FontKey::Inline(std::ptr::from_ref(d) as usize), d)),
                _ => None,
            };
            if let Some((key, dict)) = found {
                return self.fonts.get(doc, key, dict).map(Some);
            }
        }
        Ok(None)
    }

    /// Shows one string: decodes it, places it, moves the pen by its advance.
    fn show(
        &mut self,
        state: &State,
        tm: &mut Matrix,
        marked: &mut Marked,
        string: Option<&Object>,
    ) -> Result<(), PdfError> {
        let (Some(font), Some(Object::String(bytes, _))) = (state.font, string) else { return Ok(()) };
        let mut shown = self.fonts.font(font).show(bytes);
        if let Some(actual) = marked.replacement() {
            shown.text = actual;
        }
        let start = mul(tm, &state.ctm);
        let tx = (shown.advance * state.size
            + state.char_spacing * shown.codes as f64
            + state.word_spacing * shown.spaces as f64)
            * state.horizontal_scale;
        *tm = mul(&translate(tx, 0.0), tm);
        let end = mul(tm, &state.ctm);
        let length = start[0].hypot(start[1]);
        let dir = if length > 0.0 { (start[0] / length, start[1] / length) } else { (1.0, 0.0) };
        let size = state.size.abs() * start[2].hypot(start[3]);
        self.budget.text_bytes = self
            .budget
            .text_bytes
            .checked_sub(shown.text.len())
            .ok_or_else(|| PdfError::Limit(format!("more than {} bytes of text", super::MAX_TEXT_BYTES)))?;
        self.lines.push(&shown.text, (start[4], start[5]), (end[4], end[5]), dir, size);
        Ok(())
    }

    /// The `/ActualText` of a marked-content span's properties (given inline, or by name in the
    /// resources' `/Properties`).
    fn actual_text(&self, resources: &[&'d Dictionary], properties: Option<&Object>) -> Option<String> {
        let doc = self.doc;
        let properties = match properties? {
            Object::Dictionary(d) => d,
            Object::Name(name) => resources.iter().find_map(|res| {
                let named = deref(doc, res.get(b"Properties").ok())?.as_dict().ok()?;
                deref(doc, named.get(name).ok())?.as_dict().ok()
            })?,
            _ => return None,
        };
        lopdf::decode_text_string(deref(doc, properties.get(b"ActualText").ok())?).ok()
    }

    /// Draws the form XObject named `name`, if it is one: its content with its own resources
    /// (or the caller's) and matrix.
    fn form(&mut self, resources: &[&'d Dictionary], name: &[u8], state: &State) -> Result<(), PdfError> {
        if self.forms.len() >= MAX_FORM_DEPTH {
            return Ok(());
        }
        let doc = self.doc;
        let found = resources.iter().find_map(|res| {
            let xobjects = deref(doc, res.get(b"XObject").ok())?.as_dict().ok()?;
            xobjects.get(name).ok()?.as_reference().ok()
        });
        let Some(id) = found else { return Ok(()) };
        if self.forms.contains(&id) {
            return Ok(());
        }
        let Ok(stream) = doc.get_object(id).and_then(Object::as_stream) else { return Ok(()) };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form".as_slice()) {
            return Ok(());
        }
        let bytes = match stream.get_plain_content_with_limit(MAX_STREAM_BYTES) {
            Ok(bytes) => bytes,
            Err(e) if super::is_limit(&e) => {
                return Err(PdfError::Limit(format!("a form XObject: {}", super::describe(&e))));
            }
            Err(_) => return Ok(()),
        };
        let Ok(content) = Content::decode(&bytes) else { return Ok(()) };
        self.budget.charge_content(bytes.len(), content.operations.len())?;
        let own: Vec<&'d Dictionary> = deref(doc, stream.dict.get(b"Resources").ok())
            .and_then(|r| r.as_dict().ok())
            .into_iter()
            .chain(resources.iter().copied())
            .collect();
        let mut inner = State::new(state.ctm);
        if let Some(m) = stream.dict.get(b"Matrix").ok().and_then(|m| m.as_array().ok()).and_then(|m| matrix(m)) {
            inner.ctm = mul(&m, &state.ctm);
        }
        self.forms.push(id);
        let result = self.run(&content.operations, &own, inner);
        self.forms.pop();
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Run<'a> = (&'a str, (f64, f64), (f64, f64));

    fn lines(runs: &[Run<'_>]) -> String {
        let mut l = Lines::default();
        for (text, start, end) in runs {
            l.push(text, *start, *end, (1.0, 0.0), 10.0);
        }
        l.out
    }

    #[test]
    fn runs_on_one_baseline_join_with_a_space_only_across_a_gap() {
        let out = lines(&[
            ("Nuv", (0.0, 0.0), (15.0, 0.0)),
            ("exa", (15.5, 0.0), (30.0, 0.0)),
            ("Cloud", (33.0, 0.0), (60.0, 0.0)),
        ]);
        assert_eq!(out, "Nuvexa Cloud");
    }

    #[test]
    fn a_lower_baseline_is_a_new_line_and_a_far_one_a_new_paragraph() {
        let out = lines(&[
            ("a", (0.0, 100.0), (5.0, 100.0)),
            ("b", (0.0, 88.0), (5.0, 88.0)),
            ("c", (0.0, 40.0), (5.0, 40.0)),
        ]);
        assert_eq!(out, "a\nb\n\nc");
    }

    #[test]
    fn a_superscript_stays_on_its_line() {
        let out = lines(&[("m", (0.0, 0.0), (8.0, 0.0)), ("2", (8.0, 3.0), (12.0, 3.0))]);
        assert_eq!(out, "m2");
    }

    #[test]
    fn a_text_object_that_does_not_parse_hides_only_itself() {
        let nested = format!("{}(x){}", "[".repeat(200), "]".repeat(200));
        let content = format!("BT /F1 12 Tf (Nuvexa) Tj ET\nBT /F1 12 Tf {nested} TJ ET\nBT /F1 12 Tf (Cloud) Tj ET");
        assert!(Content::decode(content.as_bytes()).is_err());
        let (ops, lost) = salvage(content.as_bytes());
        assert_eq!(lost, 1);
        let shown: Vec<&Object> = ops.iter().filter(|o| o.operator == "Tj").flat_map(|o| &o.operands).collect();
        assert_eq!(shown.len(), 2);
    }

    #[test]
    fn matrices_compose_in_pdf_order() {
        let scaled_then_moved = mul(&[2.0, 0.0, 0.0, 2.0, 0.0, 0.0], &translate(10.0, 20.0));
        assert_eq!(scaled_then_moved, [2.0, 0.0, 0.0, 2.0, 10.0, 20.0]);
        let moved_then_scaled = mul(&translate(10.0, 20.0), &[2.0, 0.0, 0.0, 2.0, 0.0, 0.0]);
        assert_eq!(moved_then_scaled, [2.0, 0.0, 0.0, 2.0, 20.0, 40.0]);
    }
}
