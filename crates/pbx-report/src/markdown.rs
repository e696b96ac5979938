//! The one Markdown table builder every step summary uses.

/// How a column's cells sit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// The renderer's default (left).
    Default,
    /// Right-aligned (sizes, counts).
    Right,
}

/// A GitHub-flavoured Markdown table: a header, then one line per row.
/// Every cell is escaped: `|` becomes `\|` (inside code spans too, as GFM
/// wants) and line breaks become spaces, so outside text can never end a
/// cell or the table.
#[derive(Clone, Debug)]
pub struct MarkdownTable {
    header: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl MarkdownTable {
    /// A table with these column headings.
    pub fn new(header: &[&str]) -> MarkdownTable {
        MarkdownTable {
            header: header.iter().map(|h| cell(h)).collect(),
            align: vec![Align::Default; header.len()],
            rows: Vec::new(),
        }
    }

    /// Aligns column `index`.
    pub fn align(mut self, index: usize, align: Align) -> MarkdownTable {
        if let Some(slot) = self.align.get_mut(index) {
            *slot = align;
        }
        self
    }

    /// Adds a row; missing cells are empty, extra cells are dropped.
    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) -> &mut Self {
        let mut row: Vec<String> = cells.into_iter().map(|c| cell(c.as_ref())).collect();
        row.resize(self.header.len(), String::new());
        self.rows.push(row);
        self
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table's Markdown, each line ending in a newline.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let line = |cells: &[String], out: &mut String| {
            out.push('|');
            for c in cells {
                out.push(' ');
                out.push_str(c);
                out.push_str(" |");
            }
            out.push('\n');
        };
        line(&self.header, &mut out);
        out.push('|');
        for align in &self.align {
            out.push_str(match align {
                Align::Default => "---|",
                Align::Right => "---:|",
            });
        }
        out.push('\n');
        for row in &self.rows {
            line(row, &mut out);
        }
        out
    }
}

/// `text` as one table cell: `|` escaped, line breaks as spaces.
pub fn cell(text: &str) -> String {
    text.replace("\r\n", " ")
        .replace(['\r', '\n'], " ")
        .replace('|', "\\|")
}

/// `text` as a code span inside a table cell (`` `name` ``), escaped.
pub fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table() {
        let mut table = MarkdownTable::new(&["a", "size"]).align(1, Align::Right);
        table.row(["x | y\nz", "1"]).row(["only"]);
        assert_eq!(
            table.render(),
            "| a | size |\n|---|---:|\n| x \\| y z | 1 |\n| only |  |\n"
        );
    }
}
