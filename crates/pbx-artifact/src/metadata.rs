/// Core metadata (`METADATA` in a wheel, `PKG-INFO` in an sdist): an
/// RFC 822-style header block, then an optional body (the description).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CoreMetadata {
    fields: Vec<(String, String)>,
    /// The message body, when present (the long description).
    pub body: Option<String>,
}

impl CoreMetadata {
    /// Parses the header block. Continuation lines (starting with a space or
    /// tab) extend the previous field; repeated fields are kept in order.
    pub fn parse(text: &str) -> Self {
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut lines = text.split_inclusive('\n');
        let mut body = None;
        while let Some(raw) = lines.next() {
            let line = raw.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                let rest: String = lines.collect();
                if !rest.is_empty() {
                    body = Some(rest);
                }
                break;
            }
            if line.starts_with([' ', '\t']) {
                if let Some((_, value)) = fields.last_mut() {
                    value.push('\n');
                    value.push_str(line.trim_start());
                }
                continue;
            }
            if let Some((key, value)) = line.split_once(':') {
                fields.push((key.trim().to_string(), value.trim().to_string()));
            }
        }
        CoreMetadata { fields, body }
    }

    /// The first value of a field (names compare case-insensitively).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated field, in order.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// Every field, in file order.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_continuations_and_repeats() {
        let meta = CoreMetadata::parse(
            "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\nClassifier: A\nClassifier: B\nLicense: line one\n  line two\n\nBody text\n",
        );
        assert_eq!(meta.get("name"), Some("demo"));
        assert_eq!(meta.get_all("Classifier").collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(meta.get("License"), Some("line one\nline two"));
        assert_eq!(meta.body.as_deref(), Some("Body text\n"));
    }
}
