//! The root project's entry in `uv.lock`.
//!
//! A real uv.lock holds thousands of `[[package]]` entries and pbx needs
//! one of them. [`find_root`] therefore reads the lock in one streaming pass
//! with `toml_parser` (the lexer and parser under `toml_edit`): every token
//! is checked against the TOML grammar, every key and value is decoded and
//! validated (escapes, numbers, dates), a key defined twice in a table and
//! a table header written twice are refused; but no document is built.
//! The tokens are parsed in chunks cut at top-level table headers, so the
//! memory used besides the text is one chunk of tokens, whatever the size
//! of the lock. Only the `[[package]]` entries whose `name` matches the
//! project are then built with `toml_edit` (from their own slice of the
//! text, the offsets shifted back), which keeps every value's position for
//! messages and for the in-place rewrite in `write.rs`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use pbx_report::Location;
use pbx_version::PackageName;
use toml_edit::{Document, Item, Table};
use toml_parser::decoder::{Encoding, ScalarKind};
use toml_parser::lexer::{Token, TokenKind};
use toml_parser::parser::{Event, EventKind, EventReceiver, RecursionGuard, ValidateWhitespace};
use toml_parser::{ErrorSink, ParseError, Raw, Source, Span};

use crate::error::ProjectError;
use crate::span::{location_of, Located};

/// The root project's entry in `uv.lock`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedRoot {
    /// The `name` as written.
    pub name: String,
    /// The `version` as written; `None` when uv recorded none (a dynamic
    /// version).
    pub version: Option<Located<String>>,
    /// Where the `[[package]]` entry starts.
    pub location: Location,
}

/// What pbx needs from `uv.lock`.
#[derive(Clone, Debug)]
pub struct UvLock {
    /// The file read.
    pub path: PathBuf,
    /// The root project's entry.
    pub root: LockedRoot,
}

impl UvLock {
    /// Reads `path` and finds the root project `package` in it.
    pub fn read(path: &Path, package: &PackageName) -> Result<Self, ProjectError> {
        let text =
            crate::read_text_file(path).map_err(|err| ProjectError::unreadable(path, &err))?;
        Self::parse(path, &text, package)
    }

    /// Parses `text` as the uv.lock at `path`.
    pub fn parse(path: &Path, text: &str, package: &PackageName) -> Result<Self, ProjectError> {
        let root = find_root(path, text, package)?;
        let entry = root.table();
        let name = entry.get("name").and_then(Item::as_str).unwrap_or_default();
        let entry_loc = root.location(path, text, entry.span());
        let version = match entry.get("version") {
            None => None,
            Some(item) => {
                let span = item
                    .as_value()
                    .and_then(|v| v.span())
                    .or_else(|| item.span());
                let location = root.location(path, text, span);
                let value = item.as_str().ok_or_else(|| {
                    ProjectError::new(
                        location.clone(),
                        "the root package's `version` must be a string",
                    )
                    .hint("regenerate the lock file with `uv lock`")
                })?;
                Some(Located::new(value.to_string(), location))
            }
        };
        Ok(UvLock {
            path: path.to_path_buf(),
            root: LockedRoot {
                name: name.to_string(),
                version,
                location: entry_loc,
            },
        })
    }
}

/// The root project's `[[package]]` entry, built from its own slice of the
/// lock's text.
pub(crate) struct RootEntry<'t> {
    /// The entry's slice parsed alone: a document whose `package` array
    /// holds exactly this entry.
    doc: Document<&'t str>,
    /// Where the slice starts in the whole text.
    pub(crate) offset: usize,
}

impl<'t> RootEntry<'t> {
    fn parse(path: &Path, text: &'t str, range: Range<usize>) -> Result<Self, ProjectError> {
        let offset = range.start;
        let doc = Document::parse(&text[range]).map_err(|err| {
            ProjectError::toml_at(
                path,
                text,
                err.span().map(|s| s.start + offset),
                err.message(),
            )
        })?;
        let entry = RootEntry { doc, offset };
        if entry
            .doc
            .get("package")
            .and_then(|p| p.as_array_of_tables())
            .map(|a| a.len())
            != Some(1)
        {
            return Err(ProjectError::new(
                location_of(path, text, Some(offset..offset)),
                "`package` must be an array of `[[package]]` tables",
            )
            .hint("regenerate the lock file with `uv lock`"));
        }
        Ok(entry)
    }

    /// The entry's table.
    pub(crate) fn table(&self) -> &Table {
        // `parse` checked that the array holds one table.
        self.doc
            .get("package")
            .and_then(Item::as_array_of_tables)
            .and_then(|array| array.get(0))
            .unwrap_or_else(|| self.doc.as_table())
    }

    /// `span` (relative to the entry's slice) as a location in the whole
    /// text.
    pub(crate) fn location(&self, path: &Path, text: &str, span: Option<Range<usize>>) -> Location {
        location_of(path, text, self.shift(span))
    }

    /// `span` (relative to the entry's slice) as a range of the whole text.
    pub(crate) fn shift(&self, span: Option<Range<usize>>) -> Option<Range<usize>> {
        span.map(|s| s.start + self.offset..s.end + self.offset)
    }
}

/// The root project's `[[package]]` entry: the one whose normalised name is
/// `package` and whose source is the project directory itself. The whole
/// text must be valid TOML; two root entries for the project are refused
/// (which one would a rewrite change?).
pub(crate) fn find_root<'t>(
    path: &Path,
    text: &'t str,
    package: &PackageName,
) -> Result<RootEntry<'t>, ProjectError> {
    let candidates = scan(path, text, package)?;
    let mut same_name_elsewhere = None;
    let mut roots: Vec<RootEntry<'t>> = Vec::new();
    for range in candidates {
        let entry = RootEntry::parse(path, text, range)?;
        if is_root_source(entry.table().get("source")) {
            roots.push(entry);
        } else {
            same_name_elsewhere = Some(entry.location(path, text, entry.table().span()));
        }
    }
    if roots.len() > 1 {
        let describe = |entry: &RootEntry<'_>| {
            let table = entry.table();
            let at = entry.location(path, text, table.span());
            match table.get("version").and_then(Item::as_str) {
                Some(version) => format!("version {version} at line {}", at.line.unwrap_or(0)),
                None => format!("no version, at line {}", at.line.unwrap_or(0)),
            }
        };
        let listed: Vec<String> = roots.iter().map(describe).collect();
        let first = &roots[0];
        return Err(ProjectError::new(
            first.location(path, text, first.table().span()),
            format!(
                "uv.lock has {} root entries for the project `{package}` ({}): it is ambiguous which one is the project",
                roots.len(),
                listed.join("; ")
            ),
        )
        .hint("the lock file was merged or edited by hand: run `uv lock` in the project directory and commit uv.lock"));
    }
    if let Some(root) = roots.pop() {
        return Ok(root);
    }
    let message = match same_name_elsewhere {
        Some(_) => format!(
            "uv.lock has a `{package}` entry, but not as the root project (its source is not `{{ editable = \".\" }}` or `{{ virtual = \".\" }}`)"
        ),
        None => format!("uv.lock has no entry for the project `{package}`"),
    };
    Err(ProjectError::new(same_name_elsewhere.unwrap_or_else(|| Location::file(path)), message)
        .hint("the lock file is stale or belongs to another project: run `uv lock` in the project directory and commit uv.lock"))
}

fn is_root_source(source: Option<&Item>) -> bool {
    let Some(source) = source else {
        return false;
    };
    let get = |key: &str| {
        source
            .as_inline_table()
            .and_then(|table| table.get(key))
            .and_then(|value| value.as_str())
            .or_else(|| {
                source
                    .as_table()
                    .and_then(|t| t.get(key))
                    .and_then(Item::as_str)
            })
    };
    get("editable") == Some(".") || get("virtual") == Some(".")
}

/// How deep arrays and inline tables may nest (`toml_edit`'s limit).
const NESTING_LIMIT: u32 = 80;

/// Tokens parsed at a time: the parser is given the tokens up to a
/// top-level table header once at least this many are waiting. A chunk
/// (24 KiB of tokens) stays in the core's L1 and L2 caches between the
/// lexer writing it and the parser reading it: 4096 was ~15 % slower.
const CHUNK_TOKENS: usize = 1024;

/// Validates the whole of `text` as TOML and returns the byte ranges of the
/// `[[package]]` entries named `package` (each from its header to the next
/// top-level table header).
fn scan(path: &Path, text: &str, package: &PackageName) -> Result<Vec<Range<usize>>, ProjectError> {
    if let Some(matches) = scan_in_halves(text, package) {
        return Ok(matches);
    }
    let part = scan_part(text, package);
    if let Some(err) = part.error {
        let at = err.unexpected().or(err.context()).map(|span| span.start());
        let mut message = err.description().to_string();
        if let Some(expected) = err.expected().filter(|e| !e.is_empty()) {
            let names: Vec<String> = expected
                .iter()
                .map(|e| match e {
                    toml_parser::Expected::Literal(lit) => format!("`{lit}`"),
                    toml_parser::Expected::Description(desc) => (*desc).to_string(),
                    #[allow(unreachable_patterns)]
                    _ => String::new(),
                })
                .filter(|s| !s.is_empty())
                .collect();
            if !names.is_empty() {
                message.push_str(&format!(" (expected {})", names.join(", ")));
            }
        }
        return Err(ProjectError::toml_at(path, text, at, &message));
    }
    if let Some((span, message)) = part.shape {
        return Err(ProjectError::new(
            location_of(path, text, Some(span.start()..span.end())),
            message,
        )
        .hint("regenerate the lock file with `uv lock`"));
    }
    Ok(part.matches)
}

/// Locks at least this large are scanned in two halves at once when the
/// machine has two cores or more. Below it, starting the second thread
/// (its stack, its malloc arena and their page faults) costs about what
/// the half saves: a real 650 KB lock was checked faster on one thread,
/// a 2.6 MB one as fast on either (docs/benchmarks.md).
const HALVES_MIN_BYTES: usize = 2 << 20;

/// Scans a large lock as two halves on two threads, cut at a
/// `[[package]]` header line near the middle. `None` (scan it whole)
/// when the lock is small, there is one core, or anything in either half
/// is not plainly valid: a cut that fell inside a multi-line string or
/// array leaves the first half unterminated, and every error is reported
/// by the whole scan, with its position in the whole text.
fn scan_in_halves(text: &str, package: &PackageName) -> Option<Vec<Range<usize>>> {
    if text.len() < HALVES_MIN_BYTES
        || std::thread::available_parallelism().map_or(1, |n| n.get()) < 2
    {
        return None;
    }
    let mut middle = text.len() / 2;
    while !text.is_char_boundary(middle) {
        middle += 1;
    }
    // The start of a line that is exactly `[[package]]`.
    let header = "\n[[package]]";
    let mut from = middle;
    let cut = loop {
        let at = from + text[from..].find(header)? + 1;
        let after = &text.as_bytes()[at + header.len() - 1..];
        if after.starts_with(b"\n") || after.starts_with(b"\r\n") {
            break at;
        }
        from = at;
    };
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| scan_part(&text[cut..], package));
        let first = scan_part(&text[..cut], package);
        (first, second.join().ok())
    });
    let second = second?;
    if first.error.is_some()
        || second.error.is_some()
        || first.shape.is_some()
        || second.shape.is_some()
    {
        return None;
    }
    // A top-level table written in both halves is a duplicate the halves
    // cannot see alone (a `[[package]]` entry's sub-tables are its own).
    let top_level = |h: &&String| !h.starts_with("package\0");
    if first
        .headers
        .iter()
        .filter(top_level)
        .any(|h| second.headers.contains(h))
    {
        return None;
    }
    let mut matches = first.matches;
    matches.extend(
        second
            .matches
            .into_iter()
            .map(|r| r.start + cut..r.end + cut),
    );
    Some(matches)
}

/// What scanning one part of a lock found.
struct Part {
    /// The entries named like the project (offsets in the part).
    matches: Vec<Range<usize>>,
    /// The `[table]` headers still in scope at the end.
    headers: HashSet<String>,
    /// `package` written as something else than `[[package]]` tables.
    shape: Option<(Span, &'static str)>,
    /// The first syntax error.
    error: Option<ParseError>,
}

/// Validates `text` and finds the entries named `package` in it.
fn scan_part(text: &str, package: &PackageName) -> Part {
    let source = Source::new(text);
    let mut scanner = Scanner::new(source, package);
    let mut error: Option<ParseError> = None;
    {
        let mut whitespace = ValidateWhitespace::new(&mut scanner, source);
        let mut receiver = RecursionGuard::new(&mut whitespace, NESTING_LIMIT);
        let mut tokens: Vec<Token> = Vec::with_capacity(CHUNK_TOKENS + 256);
        // Bracket depth and "only whitespace since the last newline": a `[`
        // at depth 0 at the start of a line starts a table header, where a
        // chunk may end (newlines end every expression outside brackets).
        let mut depth = 0u32;
        let mut line_start = true;
        for token in source.lex() {
            let kind = token.kind();
            if kind == TokenKind::LeftSquareBracket
                && depth == 0
                && line_start
                && tokens.len() >= CHUNK_TOKENS
            {
                toml_parser::parser::parse_document(&tokens, &mut receiver, &mut error);
                tokens.clear();
                if error.is_some() {
                    break;
                }
            }
            match kind {
                TokenKind::LeftSquareBracket | TokenKind::LeftCurlyBracket => depth += 1,
                TokenKind::RightSquareBracket | TokenKind::RightCurlyBracket => {
                    depth = depth.saturating_sub(1);
                }
                _ => {}
            }
            line_start = match kind {
                TokenKind::Newline => true,
                TokenKind::Whitespace => line_start,
                _ => false,
            };
            tokens.push(token);
        }
        if error.is_none() {
            toml_parser::parser::parse_document(&tokens, &mut receiver, &mut error);
        }
    }
    scanner.finish(text.len());
    Part {
        matches: scanner.matches,
        headers: scanner.headers,
        shape: scanner.shape,
        error,
    }
}

/// The body of a one-line string without escapes or control characters
/// (nearly every string of a uv.lock): valid as it is, and its own decoded
/// value. `None` sends the string through the full decoder.
fn plain_string(raw: &str, encoding: Option<Encoding>) -> Option<&str> {
    let quote = match encoding {
        Some(Encoding::BasicString) => b'"',
        Some(Encoding::LiteralString) => b'\'',
        _ => return None,
    };
    let bytes = raw.as_bytes();
    if bytes.len() < 2 || bytes[0] != quote || bytes[bytes.len() - 1] != quote {
        return None;
    }
    let body = &bytes[1..bytes.len() - 1];
    // Bytes >= 0x80 are parts of UTF-8 characters (the text is a `str`),
    // all allowed; a `\` in a basic string is an escape to decode.
    // A backslash is an escape in a basic string, a plain character in a
    // literal one. Folded without an early exit, so it runs as SIMD.
    let backslash = if quote == b'"' { b'\\' } else { quote };
    let bad = body.iter().fold(false, |bad, &b| {
        bad | ((b < 0x20 && b != b'\t') | (b == 0x7f) | (b == quote) | (b == backslash))
    });
    let plain = !bad;
    plain.then(|| &raw[1..raw.len() - 1])
}

/// What the key path being read belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyOf {
    /// A `key = value` line or an inline table's key.
    Value,
    /// A `[table]` header.
    Table,
    /// A `[[array]]` header.
    ArrayTable,
}

/// One level of nesting inside a value.
#[derive(Debug)]
enum Frame<'s> {
    Array,
    /// An inline table and the keys it defined.
    InlineTable(KeySet<'s>),
}

/// The keys defined in one table: a short list searched in order (tables
/// in a lock have a handful of keys), a hash set past that.
#[derive(Debug, Default)]
struct KeySet<'s> {
    few: Vec<Cow<'s, str>>,
    many: HashSet<Cow<'s, str>>,
}

impl<'s> KeySet<'s> {
    const FEW: usize = 16;

    /// Adds `key`; false when it was there already.
    fn insert(&mut self, key: Cow<'s, str>) -> bool {
        if self.few.len() < Self::FEW {
            if self.few.contains(&key) {
                return false;
            }
            self.few.push(key);
            return true;
        }
        if self.few.contains(&key) {
            return false;
        }
        self.many.insert(key)
    }

    fn clear(&mut self) {
        self.few.clear();
        self.many.clear();
    }
}

/// The event receiver of [`scan`]: validates every key and value and
/// remembers the `[[package]]` entries named like the project.
struct Scanner<'s, 'p> {
    source: Source<'s>,
    package: &'p PackageName,
    /// The decoded parts of the key being read.
    key: Vec<Cow<'s, str>>,
    key_of: KeyOf,
    /// Where the header being read starts.
    header_start: usize,
    /// Arrays and inline tables the parser is inside.
    nesting: Vec<Frame<'s>>,
    /// Key sets of closed inline tables, kept for the next ones.
    spare: Vec<KeySet<'s>>,
    /// Keys defined directly under the current header.
    table_keys: KeySet<'s>,
    /// `[table]` headers seen (array tables clear their sub-tables).
    headers: HashSet<String>,
    /// Directly in a `[[package]]` entry (not in one of its sub-tables).
    in_package_body: bool,
    /// Before the first header.
    at_root: bool,
    /// The next value, at depth 0, is the `name` of the entry.
    name_next: bool,
    /// The `[[package]]` entry being read: its start and whether its name
    /// is the project's.
    entry: Option<(usize, bool)>,
    /// The ranges of the entries named like the project.
    matches: Vec<Range<usize>>,
    /// `package` written as something else than `[[package]]` tables.
    shape: Option<(Span, &'static str)>,
}

impl<'s, 'p> Scanner<'s, 'p> {
    fn new(source: Source<'s>, package: &'p PackageName) -> Self {
        Scanner {
            source,
            package,
            key: Vec::new(),
            key_of: KeyOf::Value,
            header_start: 0,
            nesting: Vec::new(),
            spare: Vec::new(),
            table_keys: KeySet::default(),
            headers: HashSet::new(),
            in_package_body: false,
            at_root: true,
            name_next: false,
            entry: None,
            matches: Vec::new(),
            shape: None,
        }
    }

    /// The current entry ends at `end`.
    fn finish(&mut self, end: usize) {
        if let Some((start, true)) = self.entry.take() {
            self.matches.push(start..end);
        }
        self.entry = None;
    }

    fn joined_key(&self) -> String {
        let mut joined = String::new();
        for (i, part) in self.key.iter().enumerate() {
            if i > 0 {
                // A byte that cannot be in a decoded key unescaped, so
                // `"a.b"` and `a.b` stay apart.
                joined.push('\0');
            }
            joined.push_str(part);
        }
        joined
    }

    fn shape_error(&mut self, span: Span) {
        self.shape
            .get_or_insert((span, "`package` must be an array of `[[package]]` tables"));
    }

    fn header_closed(&mut self, span: Span, array: bool, error: &mut dyn ErrorSink) {
        let joined = self.joined_key();
        let first = self.key.first().map(|k| k.as_ref());
        let is_package = first == Some("package");
        let header_span = Span::new_unchecked(self.header_start, span.end());
        if array {
            if is_package && self.key.len() == 1 {
                self.finish(self.header_start);
                self.entry = Some((self.header_start, false));
                self.in_package_body = true;
            } else {
                if !is_package {
                    self.finish(self.header_start);
                }
                self.in_package_body = false;
            }
            // A new element: the sub-tables of the array are new too.
            let prefix = format!("{joined}\0");
            self.headers.retain(|h| !h.starts_with(&prefix));
        } else {
            if is_package && self.key.len() == 1 {
                self.shape_error(header_span);
            }
            if !is_package {
                self.finish(self.header_start);
            }
            self.in_package_body = false;
            if !self.headers.insert(joined) {
                error.report_error(
                    ParseError::new("duplicate table header").with_unexpected(header_span),
                );
            }
        }
        self.at_root = false;
        self.table_keys.clear();
        self.key.clear();
        self.key_of = KeyOf::Value;
    }

    /// The text of a key or a value, with its string encoding.
    fn raw(&self, kind: EventKind, encoding: Option<Encoding>, span: Span) -> Option<Raw<'s>> {
        self.source.get(Event::new_unchecked(kind, encoding, span))
    }

    fn value_starts(&mut self) {
        self.name_next = false;
    }
}

impl EventReceiver for Scanner<'_, '_> {
    fn std_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.key.clear();
        self.key_of = KeyOf::Table;
        self.header_start = span.start();
    }

    fn std_table_close(&mut self, span: Span, error: &mut dyn ErrorSink) {
        if self.key_of == KeyOf::Table {
            self.header_closed(span, false, error);
        }
    }

    fn array_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.key.clear();
        self.key_of = KeyOf::ArrayTable;
        self.header_start = span.start();
    }

    fn array_table_close(&mut self, span: Span, error: &mut dyn ErrorSink) {
        if self.key_of == KeyOf::ArrayTable {
            self.header_closed(span, true, error);
        }
    }

    fn inline_table_open(&mut self, _span: Span, _error: &mut dyn ErrorSink) -> bool {
        self.value_starts();
        let keys = self.spare.pop().unwrap_or_default();
        self.nesting.push(Frame::InlineTable(keys));
        true
    }

    fn inline_table_close(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        if let Some(Frame::InlineTable(mut keys)) = self.nesting.pop() {
            keys.clear();
            self.spare.push(keys);
        }
    }

    fn array_open(&mut self, _span: Span, _error: &mut dyn ErrorSink) -> bool {
        self.value_starts();
        self.nesting.push(Frame::Array);
        true
    }

    fn array_close(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.nesting.pop();
    }

    fn simple_key(&mut self, span: Span, encoding: Option<Encoding>, error: &mut dyn ErrorSink) {
        let Some(raw) = self.raw(EventKind::SimpleKey, encoding, span) else {
            return;
        };
        let key = match plain_string(raw.as_str(), encoding) {
            Some(body) => Cow::Borrowed(body),
            None => {
                let mut key: Cow<'_, str> = Cow::Borrowed("");
                raw.decode_key(&mut key, error);
                key
            }
        };
        self.key.push(key);
    }

    fn key_val_sep(&mut self, span: Span, error: &mut dyn ErrorSink) {
        let joined = match self.key.as_slice() {
            [one] => one.clone(),
            _ => Cow::Owned(self.joined_key()),
        };
        let keys = match self.nesting.last_mut() {
            Some(Frame::InlineTable(keys)) => Some(keys),
            Some(Frame::Array) => None,
            None => Some(&mut self.table_keys),
        };
        if let Some(keys) = keys {
            if !keys.insert(joined) {
                error.report_error(ParseError::new("duplicate key").with_unexpected(span));
            }
        }
        if self.nesting.is_empty() {
            if self.at_root && self.key.first().map(|k| k.as_ref()) == Some("package") {
                self.shape_error(span);
            }
            self.name_next = self.in_package_body && self.key.len() == 1 && self.key[0] == "name";
        }
        self.key.clear();
        self.key_of = KeyOf::Value;
    }

    fn scalar(&mut self, span: Span, encoding: Option<Encoding>, error: &mut dyn ErrorSink) {
        let Some(raw) = self.raw(EventKind::Scalar, encoding, span) else {
            return;
        };
        let (kind, decoded) = match plain_string(raw.as_str(), encoding) {
            Some(body) => (ScalarKind::String, Cow::Borrowed(body)),
            None => {
                let mut decoded: Cow<'_, str> = Cow::Borrowed("");
                let kind = raw.decode_scalar(&mut decoded, error);
                (kind, decoded)
            }
        };
        // The checks `toml_edit` makes on top of the decoder.
        match kind {
            ScalarKind::String | ScalarKind::Boolean(_) => {}
            ScalarKind::DateTime => {
                if let Err(err) = decoded.parse::<toml_datetime::Datetime>() {
                    error.report_error(ParseError::new(err.to_string()).with_unexpected(span));
                }
            }
            ScalarKind::Float => match decoded.parse::<f64>() {
                Ok(value)
                    if value.is_infinite()
                        && !decoded
                            .strip_prefix(['+', '-'])
                            .unwrap_or(&decoded)
                            .chars()
                            .all(|c| c.is_ascii_alphabetic()) =>
                {
                    error.report_error(
                        ParseError::new("floating-point number overflowed").with_unexpected(span),
                    );
                }
                Ok(_) => {}
                Err(_) => error.report_error(
                    ParseError::new(kind.invalid_description()).with_unexpected(span),
                ),
            },
            ScalarKind::Integer(radix) => {
                if i64::from_str_radix(&decoded, radix.value()).is_err() {
                    error.report_error(
                        ParseError::new("integer number overflowed").with_unexpected(span),
                    );
                }
            }
        }
        let is_the_name = self.name_next
            && self.nesting.is_empty()
            && kind == ScalarKind::String
            && pbx_version::normalize(&decoded) == self.package.as_str();
        if let (true, Some((_, matches))) = (is_the_name, self.entry.as_mut()) {
            *matches = true;
        }
        self.name_next = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIG: &str = include_str!("../../../scripts/bench/data/big-service/uv.lock");

    fn name(text: &str) -> PackageName {
        PackageName::new(text).unwrap()
    }

    fn lock(entries: &str) -> String {
        format!("version = 1\nrevision = 2\n\n[[package]]\nname = \"dep\"\nversion = \"1.0\"\nsource = {{ registry = \"https://pypi.org/simple\" }}\n{entries}")
    }

    /// What `toml_edit` reads from the whole document, for comparison.
    fn whole_document_version(text: &str, package: &PackageName) -> Option<(String, usize)> {
        let doc = Document::parse(text).ok()?;
        let entry = doc["package"].as_array_of_tables()?.iter().find(|t| {
            t.get("name")
                .and_then(Item::as_str)
                .map(pbx_version::normalize)
                == Some(package.as_str().to_string())
                && is_root_source(t.get("source"))
        })?;
        let item = entry.get("version")?;
        Some((item.as_str()?.to_string(), item.as_value()?.span()?.start))
    }

    #[test]
    fn the_real_lock_reads_as_toml_edit_reads_it() {
        let package = name("big-service");
        let lock = UvLock::parse(Path::new("uv.lock"), BIG, &package).unwrap();
        let version = lock.root.version.unwrap();
        let (expected, offset) = whole_document_version(BIG, &package).unwrap();
        assert_eq!(version.value, expected);
        assert_eq!(
            version.location,
            Location::at_offset("uv.lock", BIG, offset)
        );
        assert_eq!(lock.root.name, "big-service");
    }

    #[test]
    fn the_root_entry_is_found_past_many_chunks() {
        // Far more tokens than one chunk before and after the entry.
        let filler: String = (0..3000)
            .map(|i| format!("\n[[package]]\nname = \"dep-{i}\"\nversion = \"1.0\"\nsource = {{ registry = \"https://pypi.org/simple\" }}\n[package.metadata]\nrequires-dist = [{{ name = \"x\", specifier = \">=1\" }}]\n"))
            .collect();
        let text = format!("{}{filler}\n[[package]]\nname = \"My_App\"\nversion = \"2.0\"\nsource = {{ editable = \".\" }}\n{filler}", lock(""));
        let package = name("my-app");
        let root = UvLock::parse(Path::new("uv.lock"), &text, &package)
            .unwrap()
            .root;
        let (expected, offset) = whole_document_version(&text, &package).unwrap();
        let version = root.version.unwrap();
        assert_eq!(version.value, expected);
        assert_eq!(
            version.location,
            Location::at_offset("uv.lock", &text, offset)
        );
    }

    #[test]
    fn two_root_entries_are_refused_naming_both() {
        let text = lock("\n[[package]]\nname = \"app\"\nversion = \"1.0.0\"\nsource = { editable = \".\" }\n\n[[package]]\nname = \"app\"\nversion = \"9.9.9\"\nsource = { editable = \".\" }\n");
        let err = UvLock::parse(Path::new("uv.lock"), &text, &name("app")).unwrap_err();
        assert_eq!(err.location, Location::at("uv.lock", 9, 1));
        assert!(
            err.message.contains("version 1.0.0 at line 9"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("version 9.9.9 at line 14"),
            "{}",
            err.message
        );
    }

    #[test]
    fn malformed_locks_are_refused_where_they_break() {
        for (bad, line) in [
            ("[[package]\n", 9),
            ("[[package]]\nname = \"x\\q\"\n", 10),
            ("[[package]]\nname = \"x\"\nname = \"y\"\n", 11),
            (
                "[[package]]\nname = \"x\"\nsize = 99999999999999999999\n",
                11,
            ),
            ("[[package]]\nname = \"x\"\nwhen = 2024-13-45\n", 11),
            (
                "[[package]]\nname = \"x\"\n[package.metadata]\n[package.metadata]\n",
                12,
            ),
            (
                "[[package]]\nname = \"x\"\nsdist = { url = \"a\", url = \"b\" }\n",
                11,
            ),
            ("[[package]]\nname = \"x\"\nwheels = [\n", 11),
        ] {
            let text = lock(&format!("\n{bad}"));
            assert!(
                Document::parse(text.as_str()).is_err(),
                "toml_edit accepts {bad:?}"
            );
            let err = UvLock::parse(Path::new("uv.lock"), &text, &name("app")).unwrap_err();
            assert!(
                err.message.starts_with("malformed TOML"),
                "{bad:?}: {}",
                err.message
            );
            assert_eq!(err.location.line, Some(line), "{bad:?}: {err}");
        }
    }

    #[test]
    fn damaged_copies_of_the_real_lock_are_refused_like_toml_edit_refuses_them() {
        // The first ~60 KB (the root entry is in there), cut at an entry.
        let cut = BIG[60_000..].find("\n[[package]]").unwrap() + 60_000;
        let sample = &BIG[..cut];
        let package = name("big-service");
        let mut checked = 0;
        for (i, (at, _)) in sample.char_indices().enumerate().step_by(373) {
            for insert in ["\"", "[", "=", "\n", ""] {
                let mut text = sample.to_string();
                if insert.is_empty() {
                    text.remove(at);
                } else {
                    text.insert_str(at, insert);
                }
                let whole = Document::parse(text.as_str()).is_ok();
                let ours = scan(Path::new("uv.lock"), &text, &package).is_ok();
                assert_eq!(ours, whole, "edit {i} at byte {at} ({insert:?})");
                checked += 1;
            }
        }
        assert!(checked > 500);
    }

    #[test]
    fn a_large_lock_scanned_in_halves_is_refused_like_toml_edit_refuses_it() {
        // The real lock, its entries repeated under new names up to the
        // size that is scanned in halves.
        let entries = &BIG[BIG.find("\n[[package]]").unwrap()..];
        let mut large = BIG.to_string();
        for copy in 1.. {
            if large.len() >= HALVES_MIN_BYTES {
                break;
            }
            large.push_str(&entries.replace("\nname = \"", &format!("\nname = \"copy{copy}-")));
        }
        let package = name("big-service");
        assert!(scan_in_halves(&large, &package).is_some());
        let (whole, _) = whole_document_version(&large, &package).unwrap();
        assert_eq!(
            UvLock::parse(Path::new("uv.lock"), &large, &package)
                .unwrap()
                .root
                .version
                .unwrap()
                .value,
            whole
        );
        let middle = large.len() / 2;
        // Edits around the cut (the first `[[package]]` line after the
        // middle), where a wrong split would show.
        let cut = middle + large[middle..].find("\n[[package]]").unwrap() + 1;
        let mut checked = 0;
        for at in (cut.saturating_sub(600)..cut + 600).step_by(89) {
            if !large.is_char_boundary(at) {
                continue;
            }
            for insert in ["\"\"\"", "[", "x = [\n", "\n"] {
                let mut text = large.clone();
                text.insert_str(at, insert);
                let whole = Document::parse(text.as_str()).is_ok();
                let ours = scan(Path::new("uv.lock"), &text, &package);
                assert_eq!(ours.is_ok(), whole, "{insert:?} at byte {at}: {ours:?}");
                checked += 1;
            }
        }
        assert!(checked > 40);
        // A top-level table in both halves is a duplicate.
        let text = format!("[tool]\nx = 1\n{large}\n[tool]\ny = 2\n");
        assert!(Document::parse(text.as_str()).is_err());
        let err = scan(Path::new("uv.lock"), &text, &package).unwrap_err();
        assert!(err.message.contains("duplicate"), "{}", err.message);
    }

    #[test]
    fn package_as_a_plain_table_is_refused() {
        let err = UvLock::parse(
            Path::new("uv.lock"),
            "version = 1\n[package]\nname = \"app\"\n",
            &name("app"),
        )
        .unwrap_err();
        assert!(
            err.message.contains("array of `[[package]]` tables"),
            "{}",
            err.message
        );
    }
}
