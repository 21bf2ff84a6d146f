//! HTML parsing under limits: the document is fed to html5ever in slices, and parsing stops once the tree is too deep or has too many elements.
//!
//! html5ever's cost is not linear in the input on hostile markup: each block element opened
//! walks the whole stack of open elements (100,000 nested `<div>` take minutes), and
//! formatting elements closed implicitly are re-opened ("reconstructed") before every later
//! text, so `<div><b id=N></div>` repeated builds a tree quadratic in the input (42 KB of it
//! gives 2 million elements). A parser that only counts cannot stop that, so the sink counts
//! what the tree builder creates, and the document is fed a slice at a time to check the
//! counts between slices: the work past a limit is at most one slice's worth.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use ego_tree::NodeId;
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, QualName};
use scraper::{Html, HtmlTreeSink};

/// Elements nested deeper than this stop the parse. Browsers stop nesting at 512 (Blink); no
/// real page comes near.
pub const MAX_DEPTH: u32 = 1_000;
/// More elements than this stop the parse: a 5 MB page of real markup has far fewer, and each
/// element costs about 200 bytes in the tree.
pub const MAX_ELEMENTS: usize = 200_000;
/// Input fed to the parser between two checks of the limits.
const SLICE: usize = 8 * 1024;

/// Parses `text` as an HTML document; `Err` says which limit stopped the parse and where.
pub fn parse_document(text: &str) -> Result<Html, String> {
    let mut parser = html5ever::driver::parse_document(CountingSink::default(), Default::default());
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + SLICE).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        parser.process(StrTendril::from_slice(&text[start..end]));
        start = end;
        let sink = &parser.tokenizer.sink.sink;
        if sink.max_depth.get() > MAX_DEPTH {
            return Err(format!("HTML nested deeper than {MAX_DEPTH} elements (parsing stopped at byte {start})"));
        }
        if sink.elements.get() > MAX_ELEMENTS {
            return Err(format!("HTML makes more than {MAX_ELEMENTS} elements (parsing stopped at byte {start})"));
        }
    }
    Ok(parser.finish())
}

/// scraper's own sink, with the depth of every node and the number of elements counted.
struct CountingSink {
    inner: HtmlTreeSink,
    depth: RefCell<HashMap<NodeId, u32>>,
    max_depth: Cell<u32>,
    elements: Cell<usize>,
}

impl Default for CountingSink {
    fn default() -> Self {
        CountingSink {
            inner: HtmlTreeSink::new(Html::new_document()),
            depth: RefCell::default(),
            max_depth: Cell::new(0),
            elements: Cell::new(0),
        }
    }
}

impl CountingSink {
    fn depth_of(&self, node: &NodeId) -> u32 {
        self.depth.borrow().get(node).copied().unwrap_or(0)
    }

    /// Records that `child` now sits at `depth` (only elements matter: text has no children).
    fn placed(&self, child: &NodeOrText<NodeId>, depth: u32) {
        if let NodeOrText::AppendNode(id) = child {
            self.depth.borrow_mut().insert(*id, depth);
            if depth > self.max_depth.get() {
                self.max_depth.set(depth);
            }
        }
    }
}

impl TreeSink for CountingSink {
    type Handle = NodeId;
    type Output = Html;
    type ElemName<'a> = <HtmlTreeSink as TreeSink>::ElemName<'a>;

    fn finish(self) -> Html {
        self.inner.finish()
    }
    fn parse_error(&self, msg: Cow<'static, str>) {
        self.inner.parse_error(msg)
    }
    fn get_document(&self) -> NodeId {
        self.inner.get_document()
    }
    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Self::ElemName<'a> {
        self.inner.elem_name(target)
    }
    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        self.elements.set(self.elements.get() + 1);
        self.inner.create_element(name, attrs, flags)
    }
    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.inner.create_comment(text)
    }
    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.inner.create_pi(target, data)
    }
    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        self.placed(&child, self.depth_of(parent) + 1);
        self.inner.append(parent, child)
    }
    fn append_based_on_parent_node(&self, element: &NodeId, prev_element: &NodeId, child: NodeOrText<NodeId>) {
        // Foster parenting: the child lands next to `element` or inside `prev_element`.
        let depth = self.depth_of(element).max(self.depth_of(prev_element) + 1);
        self.placed(&child, depth);
        self.inner.append_based_on_parent_node(element, prev_element, child)
    }
    fn append_doctype_to_document(&self, name: StrTendril, public_id: StrTendril, system_id: StrTendril) {
        self.inner.append_doctype_to_document(name, public_id, system_id)
    }
    fn mark_script_already_started(&self, node: &NodeId) {
        self.inner.mark_script_already_started(node)
    }
    fn pop(&self, node: &NodeId) {
        self.inner.pop(node)
    }
    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        self.inner.get_template_contents(target)
    }
    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        self.inner.same_node(x, y)
    }
    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode)
    }
    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        self.placed(&new_node, self.depth_of(sibling));
        self.inner.append_before_sibling(sibling, new_node)
    }
    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs)
    }
    fn associate_with_form(&self, target: &NodeId, form: &NodeId, nodes: (&NodeId, Option<&NodeId>)) {
        self.inner.associate_with_form(target, form, nodes)
    }
    fn remove_from_parent(&self, target: &NodeId) {
        self.inner.remove_from_parent(target)
    }
    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        // The adoption agency moves children one level at most; their recorded depth is close
        // enough for a limit (the descendants are not walked, which would cost what we avoid).
        self.inner.reparent_children(node, new_parent)
    }
    fn is_mathml_annotation_xml_integration_point(&self, handle: &NodeId) -> bool {
        self.inner.is_mathml_annotation_xml_integration_point(handle)
    }
    fn set_current_line(&self, line_number: u64) {
        self.inner.set_current_line(line_number)
    }
    fn allow_declarative_shadow_roots(&self, intended_parent: &NodeId) -> bool {
        self.inner.allow_declarative_shadow_roots(intended_parent)
    }
    fn attach_declarative_shadow(&self, location: &NodeId, template: &NodeId, attrs: &[Attribute]) -> bool {
        self.inner.attach_declarative_shadow(location, template, attrs)
    }
    fn maybe_clone_an_option_into_selectedcontent(&self, option: &NodeId) {
        self.inner.maybe_clone_an_option_into_selectedcontent(option)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_documents_parse_as_scraper_parses_them() {
        let doc = "<!DOCTYPE html><html><head><title>T</title></head><body><table><tr><td>a<b>b<p>c</b>d</table>\
                   <ul><li>x<li>y</ul><svg><g/></svg>é</body></html>"
            .repeat(300);
        let ours = parse_document(&doc).unwrap();
        assert_eq!(ours.html(), Html::parse_document(&doc).html());
    }

    #[test]
    fn deep_nesting_stops_the_parse_soon_after_the_limit() {
        let doc = "<div>".repeat(100_000);
        let started = std::time::Instant::now();
        let why = parse_document(&doc).unwrap_err();
        assert!(why.starts_with("HTML nested deeper than 1000 elements (parsing stopped at byte "), "{why}");
        let stopped_at: usize = why.rsplit(' ').next().unwrap().trim_end_matches(')').parse().unwrap();
        assert!(stopped_at <= 5 * 1_000 + SLICE + 100, "{why}");
        // A guard against a quadratic walk coming back, not a speed measurement: the whole
        // document took minutes before the limit.
        assert!(started.elapsed() < std::time::Duration::from_secs(60));
    }

    #[test]
    fn reconstructed_formatting_elements_are_counted() {
        let doc: String = (0..20_000).map(|i| format!("<div><b id={i}></div>")).collect();
        let why = parse_document(&doc).unwrap_err();
        assert!(why.contains("more than 200000 elements") || why.contains("nested deeper"), "{why}");
    }
}
