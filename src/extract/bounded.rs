//! HTML parsing under limits: the document is fed to html5ever in slices; markup nested deeper than browsers nest is flattened, and parsing stops once the tree has too many elements.
//!
//! html5ever's cost is not linear in the input on hostile markup: each block element opened
//! walks the whole stack of open elements (100,000 nested `<div>` take minutes), and
//! formatting elements closed implicitly are re-opened ("reconstructed") before every later
//! text, so `<div><b id=N></div>` repeated builds a tree quadratic in the input (42 KB of it
//! gives 2 million elements).
//!
//! Deep nesting is flattened as Blink does it: past [`FLATTEN_DEPTH`], what would nest deeper
//! stays at that depth. Here the start tags (and their end tags) that would open an element
//! there are dropped before they reach the tree builder, so its stack of open elements never
//! grows past the limit and each token costs at most a walk of that bounded stack: the text is
//! read, in order, and the cost stays linear. What a tag cannot express by nesting (a
//! reconstructed formatting element has no tag) is caught by counting what the tree builder
//! creates, checked between slices: the work past [`MAX_ELEMENTS`] or [`MAX_DEPTH`] is at most
//! one slice's worth.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use ego_tree::NodeId;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeBuilder, TreeSink};
use html5ever::{Attribute, LocalName, QualName, TokenizerResult, local_name};
use scraper::{Html, HtmlTreeSink};

/// Elements that would open deeper than this are read as if at this depth: Blink's limit.
pub const FLATTEN_DEPTH: u32 = 512;
/// A tree deeper than this stops the parse. Flattening keeps tags below [`FLATTEN_DEPTH`]; only
/// elements the tree builder makes by itself (reconstructed formatting elements) go deeper.
pub const MAX_DEPTH: u32 = 1_000;
/// More elements than this stop the parse: a 5 MB page of real markup has far fewer, and each
/// element costs about 200 bytes in the tree.
pub const MAX_ELEMENTS: usize = 200_000;
/// Input fed to the parser between two checks of the limits.
const SLICE: usize = 8 * 1024;

/// A parsed document, and what was done to read it.
pub struct Parsed {
    pub html: Html,
    /// Set when deep markup was flattened: how much, for the page's record.
    pub flattened: Option<String>,
}

impl std::fmt::Debug for Parsed {
    // A whole tree would flood a failing test's output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parsed").field("flattened", &self.flattened).finish_non_exhaustive()
    }
}

/// Parses `text` as an HTML document; `Err` says which limit stopped the parse and where.
pub fn parse_document(text: &str) -> Result<Parsed, String> {
    let builder = TreeBuilder::new(CountingSink::default(), Default::default());
    let tokenizer = Tokenizer::new(
        DepthFilter { inner: builder, dropped: RefCell::default(), total: Cell::new(0) },
        Default::default(),
    );
    let input = BufferQueue::default();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + SLICE).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        input.push_back(StrTendril::from_slice(&text[start..end]));
        // A script result only pauses the tokenizer for a script engine; there is none here.
        while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
        start = end;
        let sink = &tokenizer.sink.inner.sink;
        if sink.max_depth.get() > MAX_DEPTH {
            return Err(format!("HTML nested deeper than {MAX_DEPTH} elements (parsing stopped at byte {start})"));
        }
        if sink.elements.get() > MAX_ELEMENTS {
            return Err(format!("HTML makes more than {MAX_ELEMENTS} elements (parsing stopped at byte {start})"));
        }
    }
    tokenizer.end();
    let filter = tokenizer.sink;
    let total = filter.total.get();
    let flattened = (total > 0).then(|| {
        format!(
            "HTML nested deeper than {FLATTEN_DEPTH} elements: {total} deeper element{} read as if at that depth, as browsers do",
            if total == 1 { "" } else { "s" }
        )
    });
    Ok(Parsed { html: filter.inner.sink.finish(), flattened })
}

/// Sits between the tokenizer and the tree builder, and drops the tags that would nest an
/// element deeper than [`FLATTEN_DEPTH`].
struct DepthFilter {
    inner: TreeBuilder<NodeId, CountingSink>,
    /// Start tags dropped and not yet closed, by name: their end tags are dropped too.
    dropped: RefCell<HashMap<LocalName, u32>>,
    total: Cell<usize>,
}

/// Elements that are always let through: void elements nest nothing (and `<img alt>` is read),
/// and the raw-text ones switch the tokenizer's state, without which a script would be text.
fn never_dropped(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("area")
            | local_name!("base")
            | local_name!("br")
            | local_name!("col")
            | local_name!("embed")
            | local_name!("hr")
            | local_name!("img")
            | local_name!("input")
            | local_name!("link")
            | local_name!("meta")
            | local_name!("param")
            | local_name!("source")
            | local_name!("track")
            | local_name!("wbr")
            | local_name!("script")
            | local_name!("style")
            | local_name!("textarea")
            | local_name!("title")
            | local_name!("xmp")
            | local_name!("iframe")
            | local_name!("noembed")
            | local_name!("noframes")
            | local_name!("noscript")
            | local_name!("plaintext")
            | local_name!("html")
            | local_name!("head")
            | local_name!("body")
    )
}

impl TokenSink for DepthFilter {
    type Handle = NodeId;

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<NodeId> {
        if let Token::TagToken(tag) = &token
            && !never_dropped(&tag.name)
        {
            match tag.kind {
                TagKind::StartTag if self.inner.sink.frontier.get() > FLATTEN_DEPTH => {
                    *self.dropped.borrow_mut().entry(tag.name.clone()).or_default() += 1;
                    self.total.set(self.total.get() + 1);
                    return TokenSinkResult::Continue;
                }
                TagKind::EndTag if self.total.get() > 0 => {
                    let mut dropped = self.dropped.borrow_mut();
                    if let Some(open) = dropped.get_mut(&tag.name)
                        && *open > 0
                    {
                        *open -= 1;
                        return TokenSinkResult::Continue;
                    }
                }
                _ => {}
            }
        }
        self.inner.process_token(token, line_number)
    }

    fn end(&self) {
        self.inner.end()
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.inner.adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// Hashes a [`NodeId`] (an index into the tree, hashed as one `usize`) with one multiplication:
/// the depth map is read and written for every node placed, and SipHash cost more than the
/// rest of the bookkeeping. The keys come from the tree builder, never from the page, so
/// there is no collision flooding to guard against.
#[derive(Default, Clone, Copy)]
struct NodeHasher;

impl std::hash::BuildHasher for NodeHasher {
    type Hasher = MulHasher;
    fn build_hasher(&self) -> MulHasher {
        MulHasher(0)
    }
}

struct MulHasher(u64);

impl std::hash::Hasher for MulHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        // Fibonacci hashing: spreads consecutive indices over the high bits the table uses.
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// Reads the index ego_tree gives a node. ego_tree keeps a tree's nodes in a `Vec` and a
/// [`NodeId`] is an index into it (plus one), but keeps it private; its derived `Hash` writes that
/// one integer, and this hasher keeps what it is given. `None` if a `NodeId` ever hashes
/// otherwise (a later ego_tree): the depths then go to the hash map.
#[derive(Default)]
struct IndexHasher {
    index: Option<usize>,
    other: bool,
}

impl std::hash::Hasher for IndexHasher {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, _: &[u8]) {
        self.other = true;
    }
    fn write_usize(&mut self, n: usize) {
        self.other |= self.index.replace(n).is_some();
    }
}

fn node_index(id: &NodeId) -> Option<usize> {
    let mut h = IndexHasher::default();
    std::hash::Hash::hash(id, &mut h);
    if h.other { None } else { h.index }
}

/// The depth of every node placed, by the node's index in the tree: written and read for every
/// node, in creation order mostly, so a `Vec` (sequential, no hashing) rather than a hash map,
/// which cost about a tenth of the parse in time. Nodes never placed read as depth 0.
#[derive(Default)]
struct Depths {
    by_index: Vec<u32>,
    /// Nodes whose index cannot be read (see [`IndexHasher`]), or would not fit the tree.
    others: HashMap<NodeId, u32, NodeHasher>,
}

impl Depths {
    fn get(&self, node: &NodeId) -> u32 {
        if !self.others.is_empty()
            && let Some(&d) = self.others.get(node)
        {
            return d;
        }
        match node_index(node) {
            Some(i) => self.by_index.get(i).copied().unwrap_or(0),
            None => 0,
        }
    }

    /// Records `depth` for `node`; `nodes` is the size of the tree, which no index exceeds.
    fn set(&mut self, node: NodeId, depth: u32, nodes: impl FnOnce() -> usize) {
        match node_index(&node) {
            Some(i) if i < self.by_index.len() || i <= nodes() => {
                if i >= self.by_index.len() {
                    self.by_index.resize(i + 1, 0);
                }
                self.by_index[i] = depth;
                if !self.others.is_empty() {
                    self.others.remove(&node);
                }
            }
            // Never, unless a `NodeId` is not what it was: slower, still right.
            _ => {
                self.others.insert(node, depth);
            }
        }
    }
}

/// scraper's own sink, with the depth of every node and the number of elements counted.
struct CountingSink {
    inner: HtmlTreeSink,
    depth: RefCell<Depths>,
    max_depth: Cell<u32>,
    /// The depth at which the next element would be placed: inside the last element placed,
    /// or beside the last text.
    frontier: Cell<u32>,
    elements: Cell<usize>,
}

impl Default for CountingSink {
    fn default() -> Self {
        CountingSink {
            inner: HtmlTreeSink::new(Html::new_document()),
            depth: RefCell::default(),
            max_depth: Cell::new(0),
            frontier: Cell::new(0),
            elements: Cell::new(0),
        }
    }
}

impl CountingSink {
    fn depth_of(&self, node: &NodeId) -> u32 {
        self.depth.borrow().get(node)
    }

    /// Records that `child` now sits at `depth` (only elements matter: text has no children).
    fn placed(&self, child: &NodeOrText<NodeId>, depth: u32) {
        match child {
            NodeOrText::AppendNode(id) => {
                self.depth.borrow_mut().set(*id, depth, || self.inner.0.borrow().tree.nodes().len());
                if depth > self.max_depth.get() {
                    self.max_depth.set(depth);
                }
                self.frontier.set(depth + 1);
            }
            NodeOrText::AppendText(_) => self.frontier.set(depth),
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
        // The next element goes beside the one closed.
        self.frontier.set(self.depth_of(node));
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
        assert!(ours.flattened.is_none());
        assert_eq!(ours.html.html(), Html::parse_document(&doc).html());
    }

    #[test]
    fn deep_nesting_is_flattened_and_its_text_read_in_order() {
        let doc = format!(
            "{}<p>Nuvexa est qualifiée</p>{}<p>et voilà</p>",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        let parsed = parse_document(&doc).unwrap();
        let text: String = parsed.html.root_element().text().collect();
        assert_eq!(text, "Nuvexa est qualifiéeet voilà");
        let note = parsed.flattened.expect("a note says the markup was flattened");
        assert!(note.starts_with("HTML nested deeper than 512 elements: "), "{note}");
        // The tree stops at the limit: no element sits deeper than a few levels past it.
        fn depth(n: ego_tree::NodeRef<'_, scraper::Node>) -> usize {
            n.children().map(depth).max().unwrap_or(0) + 1
        }
        let d = depth(parsed.html.tree.root());
        assert!((500..=FLATTEN_DEPTH as usize + 8).contains(&d), "tree depth {d}");
    }

    #[test]
    fn flattening_keeps_scripts_out_of_the_text_and_images_alt() {
        let doc = format!(
            "{}<script>var label = 'SecNumCloud';</script><img alt=\"Badge qualifié\"><span>visible</span>",
            "<section>".repeat(2_000)
        );
        let parsed = parse_document(&doc).unwrap();
        let text: String = parsed.html.root_element().text().collect();
        assert!(text.ends_with("visible") && text.contains("var label"), "{text}");
        let script = scraper::Selector::parse("script").unwrap();
        assert_eq!(parsed.html.select(&script).count(), 1, "the script stays a script element");
        let img = scraper::Selector::parse("img[alt]").unwrap();
        assert_eq!(parsed.html.select(&img).count(), 1);
    }

    #[test]
    fn shallow_documents_are_not_flattened() {
        let doc = format!("{}x{}", "<div>".repeat(400), "</div>".repeat(400));
        assert!(parse_document(&doc).unwrap().flattened.is_none());
    }

    #[test]
    fn node_ids_read_as_their_index_in_the_tree() {
        // The depths live in a Vec only if this holds (else in the hash map, more slowly).
        let html = Html::parse_document("<p>a<b>b</b></p><!-- c --><i>d</i>");
        let indices: Vec<Option<usize>> = html.tree.nodes().map(|n| node_index(&n.id())).collect();
        let expected: Vec<Option<usize>> = (1..=indices.len()).map(Some).collect();
        assert_eq!(indices, expected);
    }

    #[test]
    fn reconstructed_formatting_elements_stay_bounded() {
        // Each `<div>` re-opens every `<b>` still active: without bounds, 2 million elements.
        let doc: String = (0..20_000).map(|i| format!("<div><b id={i}></div>")).collect();
        match parse_document(&doc) {
            Err(why) => assert!(why.contains("more than 200000 elements") || why.contains("nested deeper"), "{why}"),
            Ok(parsed) => assert!(parsed.html.tree.nodes().count() <= MAX_ELEMENTS + SLICE, "{parsed:?}"),
        }
    }
}
