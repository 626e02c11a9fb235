//! Limits on what one GraphQL document may ask, in the spirit of GraphQL Armor: lexical tokens
//! (checked before parsing), aliases, directives and depth (after parsing). Complexity is
//! async-graphql's own (every field node counts, aliased copies included); its refusal gets a
//! code here too ([`with_code`]). Each refusal carries an `extensions.code` a client can act on.
//! They are applied to clients' documents by [`super::request`]; the REST layer's own documents
//! are fixed and listed ([`crate::rest::documents`]), and skip them.
//!
//! Introspection fields (`__schema`, `__type`) are measured apart with a fixed depth allowance:
//! the playground's schema query is 13 levels deep, which no depth limit meant for data should
//! have to allow.

use std::collections::HashSet;

use async_graphql::{
    parser::types::{ExecutableDocument, Selection, SelectionSet},
    ErrorExtensionValues, ServerError,
};

use crate::error::ErrorCode;

/// Depth allowed inside an introspection field.
pub const INTROSPECTION_MAX_DEPTH: usize = 15;

/// The limits of one deployment.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Nesting of data fields.
    pub max_depth: usize,
    /// Aliased fields in a document.
    pub max_aliases: usize,
    /// Lexical tokens in a document.
    pub max_tokens: usize,
    /// Directives in a document.
    pub max_directives: usize,
    /// Whether `__schema` and `__type` may be asked.
    pub introspection: bool,
}

/// A refusal with its code: the endpoint's own (`TOO_MANY_TOKENS`, …, listed in the README's
/// table of limits), or an [`ErrorCode`]'s text.
pub fn refusal(code: &str, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", code);
    error.extensions = Some(ext);
    error
}

/// async-graphql's own refusals, given a code: (message prefix, code).
const BUILT_IN: &[(&str, &str)] = &[
    ("Query is too complex", "QUERY_TOO_COMPLEX"),
    ("Query is nested too deep", "QUERY_TOO_DEEP"),
    ("The recursion depth of the query", "QUERY_TOO_DEEP"),
    // An argument that breaks its validator (a filter over its length, say), met while the
    // field resolves: the input's fault, in every interface.
    ("Failed to parse", ErrorCode::BadUserInput.as_str()),
];

/// `error` with the code of the limit that produced it, when async-graphql produced it.
pub fn with_code(mut error: ServerError) -> ServerError {
    if error.extensions.is_none() {
        if let Some((_, code)) = BUILT_IN.iter().find(|(p, _)| error.message.starts_with(p)) {
            let mut ext = ErrorExtensionValues::default();
            ext.set("code", *code);
            error.extensions = Some(ext);
        }
    }
    error
}

impl Limits {
    /// The limits on the text, before it is parsed.
    pub fn check_text(&self, query: &str) -> Result<(), ServerError> {
        if count_tokens(query, self.max_tokens) > self.max_tokens {
            return Err(refusal(
                "TOO_MANY_TOKENS",
                format!("The document has more than {} tokens.", self.max_tokens),
            ));
        }
        Ok(())
    }

    /// The limits on the parsed document.
    pub fn check_document(&self, doc: &ExecutableDocument) -> Result<(), ServerError> {
        let mut shape = Shape::default();
        for (_, op) in doc.operations.iter() {
            shape.measure(
                &op.node.selection_set.node,
                doc,
                &mut HashSet::new(),
                1,
                false,
            );
        }
        for fragment in doc.fragments.values() {
            shape.count(&fragment.node.selection_set.node);
        }
        if shape.aliases > self.max_aliases {
            return Err(refusal(
                "TOO_MANY_ALIASES",
                format!("The document has more than {} aliases.", self.max_aliases),
            ));
        }
        if shape.directives > self.max_directives {
            return Err(refusal(
                "TOO_MANY_DIRECTIVES",
                format!(
                    "The document has more than {} directives.",
                    self.max_directives
                ),
            ));
        }
        if shape.depth > self.max_depth {
            return Err(refusal(
                "QUERY_TOO_DEEP",
                format!("The query is nested deeper than {} levels.", self.max_depth),
            ));
        }
        if shape.introspects && !self.introspection {
            return Err(refusal(
                "INTROSPECTION_DISABLED",
                "Introspection is disabled on this server.".to_owned(),
            ));
        }
        if shape.introspection_depth > INTROSPECTION_MAX_DEPTH {
            return Err(refusal(
                "QUERY_TOO_DEEP",
                format!("Introspection is nested deeper than {INTROSPECTION_MAX_DEPTH} levels."),
            ));
        }
        Ok(())
    }
}

/// What a document asks for.
#[derive(Default)]
struct Shape {
    /// Asks `__schema` or `__type` (`__typename` is not introspection of the schema).
    introspects: bool,
    depth: usize,
    introspection_depth: usize,
    aliases: usize,
    directives: usize,
}

impl Shape {
    /// Depths of a selection set at `level`, fragments expanded (each at most once on a path,
    /// so a cycle, refused later by validation, cannot loop here). Aliases and directives of
    /// operations are counted on the way; those of fragments by [`Shape::count`].
    fn measure(
        &mut self,
        set: &SelectionSet,
        doc: &ExecutableDocument,
        on_path: &mut HashSet<String>,
        level: usize,
        introspection: bool,
    ) {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let field = &f.node;
                    let name = field.name.node.as_str();
                    self.introspects |= name == "__schema" || name == "__type";
                    let inside = introspection || name.starts_with("__");
                    if inside {
                        self.introspection_depth = self.introspection_depth.max(level);
                    } else {
                        self.depth = self.depth.max(level);
                    }
                    if on_path.is_empty() {
                        self.aliases += usize::from(field.alias.is_some());
                        self.directives += field.directives.len();
                    }
                    self.measure(&field.selection_set.node, doc, on_path, level + 1, inside);
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.to_string();
                    if on_path.is_empty() {
                        self.directives += spread.node.directives.len();
                    }
                    if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                        if on_path.insert(name.clone()) {
                            self.measure(
                                &fragment.node.selection_set.node,
                                doc,
                                on_path,
                                level,
                                introspection,
                            );
                            on_path.remove(&name);
                        }
                    }
                }
                Selection::InlineFragment(inline) => {
                    if on_path.is_empty() {
                        self.directives += inline.node.directives.len();
                    }
                    self.measure(
                        &inline.node.selection_set.node,
                        doc,
                        on_path,
                        level,
                        introspection,
                    );
                }
            }
        }
    }

    /// Aliases and directives written in a fragment.
    fn count(&mut self, set: &SelectionSet) {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    self.aliases += usize::from(f.node.alias.is_some());
                    self.directives += f.node.directives.len();
                    self.count(&f.node.selection_set.node);
                }
                Selection::FragmentSpread(s) => self.directives += s.node.directives.len(),
                Selection::InlineFragment(i) => {
                    self.directives += i.node.directives.len();
                    self.count(&i.node.selection_set.node);
                }
            }
        }
    }
}

/// The lexical tokens of a GraphQL document (names, numbers, strings, punctuators; not
/// whitespace, commas or comments), counting stops past `stop`.
fn count_tokens(text: &str, stop: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut tokens = 0;
    while i < bytes.len() && tokens <= stop {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            0xEF if bytes[i..].starts_with(&[0xEF, 0xBB, 0xBF]) => i += 3, // a byte-order mark
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
                tokens += 1;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                tokens += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                i += 3;
                tokens += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                tokens += 1;
            }
            c if c.is_ascii_digit() || c == b'-' => {
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b'+' | b'-'))
                    && !bytes[i..].starts_with(b"...")
                {
                    i += 1;
                }
                tokens += 1;
            }
            _ => {
                i += 1;
                tokens += 1;
            }
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_skip_whitespace_commas_comments_and_take_strings_whole() {
        assert_eq!(count_tokens("{ a b }", 100), 4);
        assert_eq!(
            count_tokens("query Q($x: Int = -1.5e3) { f(s: \"a b, c\") # no\n }", 100),
            18
        );
        assert_eq!(
            count_tokens("{ f(s: \"\"\"multi\n\"line\"\"\") ...F }", 100),
            10
        );
        assert_eq!(count_tokens("{a...F}", 100), 5);
        assert_eq!(
            count_tokens(&"a ".repeat(5000), 10),
            11,
            "counting stops early"
        );
    }

    fn shape(query: &str) -> Shape {
        let doc = async_graphql::parser::parse_query(query).unwrap();
        let mut shape = Shape::default();
        for (_, op) in doc.operations.iter() {
            shape.measure(
                &op.node.selection_set.node,
                &doc,
                &mut HashSet::new(),
                1,
                false,
            );
        }
        for fragment in doc.fragments.values() {
            shape.count(&fragment.node.selection_set.node);
        }
        shape
    }

    #[test]
    fn depth_expands_fragments_and_keeps_introspection_apart() {
        let s = shape("{ a { b { ...F } } __schema { types { fields { type { name } } } } } fragment F on T { c { d } x: e @skip(if: true) }");
        assert_eq!(s.depth, 4);
        assert_eq!(s.introspection_depth, 5);
        assert_eq!(s.aliases, 1);
        assert_eq!(s.directives, 1);
        let cyclic = shape("{ a { ...F } } fragment F on T { b { ...F } }");
        assert_eq!(cyclic.depth, 2);
    }
}
