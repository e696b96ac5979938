//! An sdist's own tree of files, directories and links, and link targets
//! resolved against it (not lexically one link at a time): `sub/up -> ..`
//! then `esc -> sub/up/..` climbs two levels, not zero.

use std::collections::{HashMap, VecDeque};

use crate::limits::{normalize_member, unsafe_member_name};

/// The most links one resolution may follow (Linux's `MAXSYMLINKS` is 40).
const MAX_LINK_HOPS: usize = 40;

/// What a path in the archive is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum NodeKind {
    File,
    Dir,
    /// A symlink and its raw target.
    Symlink(String),
    /// A hard link and its raw target (a member path).
    Hardlink(String),
}

impl NodeKind {
    fn word(&self) -> &'static str {
        match self {
            NodeKind::File => "file",
            NodeKind::Dir => "directory",
            NodeKind::Symlink(_) => "symlink",
            NodeKind::Hardlink(_) => "hard link",
        }
    }
}

/// The most path components all link resolutions of one archive may
/// walk: real sdists need a few thousand; a hostile one must not take
/// minutes.
const MAX_RESOLVE_STEPS: usize = 1_000_000;

/// Every entry of an archive in a trie of path components (so that each
/// name costs time linear in its length), in archive order.
#[derive(Debug)]
pub(crate) struct Tree {
    /// (parent node, interned component) → node; node 0 is the archive
    /// root.
    children: HashMap<(usize, usize), usize>,
    /// Component text → its interned id.
    components: HashMap<String, usize>,
    /// Per node: what the archive says it is (`None`: only implied by a
    /// deeper name) and its entry's position.
    kinds: Vec<Option<(NodeKind, usize)>>,
    /// Per node: whether a deeper name passes through it.
    has_children: Vec<bool>,
    /// Entries in archive order: name and node.
    order: Vec<(String, usize)>,
}

impl Default for Tree {
    fn default() -> Self {
        Tree {
            children: HashMap::new(),
            components: HashMap::new(),
            kinds: vec![None],
            has_children: vec![false],
            order: Vec::new(),
        }
    }
}

impl Tree {
    fn child(&mut self, parent: usize, part: &str) -> usize {
        let next = self.components.len();
        let component = match self.components.get(part) {
            Some(c) => *c,
            None => {
                self.components.insert(part.to_string(), next);
                next
            }
        };
        if let Some(id) = self.children.get(&(parent, component)) {
            return *id;
        }
        let id = self.kinds.len();
        self.kinds.push(None);
        self.has_children.push(false);
        self.children.insert((parent, component), id);
        id
    }

    fn lookup(&self, parent: usize, part: &str) -> Option<usize> {
        let component = self.components.get(part)?;
        self.children.get(&(parent, *component)).copied()
    }

    /// Adds `name` (normalised). A directory may be listed twice; anything
    /// else twice, a file and a directory with one name, or a member under
    /// a file or link, is refused.
    pub fn insert(&mut self, name: String, kind: NodeKind) -> Result<(), String> {
        let parts: Vec<&str> = name.split('/').collect();
        let Some((last, parents)) = parts.split_last() else {
            return Ok(());
        };
        let mut id = 0usize;
        for (depth, part) in parents.iter().enumerate() {
            id = self.child(id, part);
            if let Some(flag) = self.has_children.get_mut(id) {
                *flag = true;
            }
            if let Some(Some((existing, _))) = self.kinds.get(id) {
                if *existing != NodeKind::Dir {
                    return Err(format!(
                        "`{name}` lies under `{}`, which is a {}: extracting it would write wherever that points",
                        parts.get(..=depth).unwrap_or_default().join("/"),
                        existing.word()
                    ));
                }
            }
        }
        id = self.child(id, last);
        match self.kinds.get(id).cloned().flatten() {
            None => {}
            Some((NodeKind::Dir, _)) if kind == NodeKind::Dir => return Ok(()),
            Some((existing, _)) => {
                return Err(if existing == NodeKind::Dir || kind == NodeKind::Dir {
                    format!("`{name}` is both a file and a directory")
                } else {
                    format!(
                        "`{name}` appears more than once: tools that read the first copy and tools that read the last would see different files"
                    )
                })
            }
        }
        if kind != NodeKind::Dir && self.has_children.get(id).copied().unwrap_or(false) {
            return Err(format!(
                "`{name}` is a {}, and other members lie under it: extracting them would write wherever it points",
                kind.word()
            ));
        }
        let index = self.order.len();
        if let Some(slot) = self.kinds.get_mut(id) {
            *slot = Some((kind, index));
        }
        self.order.push((name, id));
        Ok(())
    }

    /// How many distinct paths the archive lists.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// The paths in archive order.
    pub fn names(&self) -> impl Iterator<Item = &String> {
        self.order.iter().map(|(name, _)| name)
    }

    /// Refuses a symlink that resolves (through the archive's own links)
    /// outside its top-level directory, and a hard link to anything but an
    /// earlier regular file in the same top-level directory.
    pub fn check(&self) -> Result<(), String> {
        let mut steps = 0usize;
        for (name, id) in &self.order {
            let Some(Some((kind, index))) = self.kinds.get(*id) else {
                continue;
            };
            let top = name.split('/').next().unwrap_or_default();
            match kind {
                NodeKind::Symlink(target) => {
                    // The link's directory, as node ids from the root.
                    let mut dir = vec![0usize];
                    let parts: Vec<&str> = name.split('/').collect();
                    for part in parts.iter().take(parts.len().saturating_sub(1)) {
                        let next = dir
                            .last()
                            .and_then(|parent| self.lookup(*parent, part))
                            .unwrap_or(usize::MAX);
                        dir.push(next);
                    }
                    let top_id = self.lookup(0, top);
                    match self.resolve(dir, target, &mut steps) {
                        Ok(resolved) if top_id.is_some() && resolved.get(1).copied() == top_id => {}
                        Ok(_) => {
                            return Err(format!(
                                "symlink `{name}` points outside the sdist's directory `{top}/` (to `{target}`, resolved through the archive's own links)"
                            ))
                        }
                        Err(reason) => {
                            return Err(format!(
                                "symlink `{name}` points outside the sdist's directory: its target `{target}` {reason}"
                            ))
                        }
                    }
                }
                NodeKind::Hardlink(target) => {
                    let normal = normalize_member(target);
                    let mut id = Some(0usize);
                    for part in normal.split('/') {
                        id = id.and_then(|parent| self.lookup(parent, part));
                    }
                    let ok = unsafe_member_name(target).is_none()
                        && normal.split('/').next() == Some(top)
                        && matches!(
                            id.and_then(|id| self.kinds.get(id).cloned().flatten()),
                            Some((NodeKind::File, t)) if t < *index
                        );
                    if !ok {
                        return Err(format!(
                            "hard link `{name}` points outside the sdist's directory or at no earlier regular file in it (to `{target}`)"
                        ));
                    }
                }
                NodeKind::File | NodeKind::Dir => {}
            }
        }
        Ok(())
    }

    /// Resolves `target` relative to the directory `stack` (node ids from
    /// the root; `usize::MAX` for a directory the archive does not hold),
    /// following the archive's symlinks. Errs when it is absolute, climbs
    /// above the archive root, loops, or takes too many steps.
    fn resolve(
        &self,
        mut stack: Vec<usize>,
        target: &str,
        steps: &mut usize,
    ) -> Result<Vec<usize>, &'static str> {
        if is_absolute(target) {
            return Err("is absolute");
        }
        let mut pending: VecDeque<String> = components(target).collect();
        let mut hops = 0usize;
        while let Some(part) = pending.pop_front() {
            *steps += 1;
            if *steps > MAX_RESOLVE_STEPS {
                return Err("takes too many steps to resolve (over a million path components across the archive's links)");
            }
            if part == ".." {
                if stack.len() <= 1 {
                    return Err("climbs above the archive root");
                }
                stack.pop();
                continue;
            }
            let parent = stack.last().copied().unwrap_or(usize::MAX);
            let id = if parent == usize::MAX {
                usize::MAX
            } else {
                self.lookup(parent, &part).unwrap_or(usize::MAX)
            };
            if let Some(Some((NodeKind::Symlink(next), _))) = self.kinds.get(id) {
                hops += 1;
                if hops > MAX_LINK_HOPS {
                    return Err("is a loop of links (more than 40 hops)");
                }
                if is_absolute(next) {
                    return Err("leads through an absolute link");
                }
                for part in components(next).collect::<Vec<_>>().into_iter().rev() {
                    pending.push_front(part);
                }
                continue;
            }
            stack.push(id);
        }
        Ok(stack)
    }
}

fn components(path: &str) -> impl Iterator<Item = String> + '_ {
    path.split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .map(str::to_string)
}

/// An absolute target, or a Windows drive or backslash path (absolute
/// somewhere).
fn is_absolute(target: &str) -> bool {
    target.starts_with('/') || target.contains('\\') || target.as_bytes().get(1) == Some(&b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(entries: &[(&str, NodeKind)]) -> Tree {
        let mut tree = Tree::default();
        for (name, kind) in entries {
            tree.insert(name.to_string(), kind.clone()).unwrap();
        }
        tree
    }

    #[test]
    fn chains_resolve_through_the_tree() {
        let link = |t: &str| NodeKind::Symlink(t.to_string());
        // Lexically `p/esc -> sub/up/..` is `p/sub`; through the tree it is
        // the archive root.
        let t = tree(&[
            ("p", NodeKind::Dir),
            ("p/sub", NodeKind::Dir),
            ("p/sub/up", link("..")),
            ("p/esc", link("sub/up/..")),
        ]);
        let err = t.check().unwrap_err();
        assert!(err.contains("p/esc"), "{err}");
        let t = tree(&[("p/sub/up", link("..")), ("p/ok", link("sub/up/sub"))]);
        t.check().unwrap();
        let t = tree(&[("p/a", link("b")), ("p/b", link("a"))]);
        assert!(t.check().unwrap_err().contains("loop"));
        let t = tree(&[("p/a", link("/etc"))]);
        assert!(t.check().unwrap_err().contains("absolute"));
        let mut t = Tree::default();
        t.insert("p/d".into(), link("x")).unwrap();
        let err = t.insert("p/d/f".into(), NodeKind::File).unwrap_err();
        assert!(err.contains("lies under `p/d`"), "{err}");
        let mut t = Tree::default();
        t.insert("p/d/f".into(), NodeKind::File).unwrap();
        let err = t.insert("p/d".into(), link("x")).unwrap_err();
        assert!(err.contains("other members lie under it"), "{err}");
    }

    #[test]
    fn many_long_links_are_bounded_not_slow() {
        let start = std::time::Instant::now();
        let mut t = Tree::default();
        t.insert("p".into(), NodeKind::Dir).unwrap();
        let target = "x/..".repeat(1000);
        for i in 0..2000 {
            t.insert(format!("p/l{i}"), NodeKind::Symlink(target.clone()))
                .unwrap();
        }
        let err = t.check().unwrap_err();
        assert!(err.contains("too many steps"), "{err}");
        let links = start.elapsed();
        // A deep name costs time linear in its length.
        let deep = vec!["d"; 2000].join("/");
        for i in 0..500 {
            t.insert(format!("p/{i}/{deep}"), NodeKind::File).unwrap();
        }
        let limit = std::time::Duration::from_secs(20);
        assert!(
            links < limit && start.elapsed() < 2 * limit,
            "{links:?} {:?}",
            start.elapsed()
        );
    }

    #[test]
    fn hard_links_need_an_earlier_file() {
        let hard = |t: &str| NodeKind::Hardlink(t.to_string());
        tree(&[("p/f", NodeKind::File), ("p/h", hard("p/f"))])
            .check()
            .unwrap();
        assert!(tree(&[("p/h", hard("p/f")), ("p/f", NodeKind::File)])
            .check()
            .is_err());
        assert!(tree(&[("p/h", hard("/etc/passwd"))]).check().is_err());
        assert!(tree(&[("p/f", NodeKind::File), ("q/h", hard("p/f"))])
            .check()
            .is_err());
    }
}
