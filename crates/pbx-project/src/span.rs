use pbx_report::Location;

/// A value and where it was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was read.
    pub location: Location,
}

impl<T> Located<T> {
    /// Pairs a value with a location.
    pub fn new(value: T, location: Location) -> Self {
        Located { value, location }
    }
}

pub(crate) fn location_of(
    path: &std::path::Path,
    text: &str,
    span: Option<std::ops::Range<usize>>,
) -> Location {
    match span {
        Some(span) => Location::at_offset(path, text, span.start),
        None => Location::file(path),
    }
}
