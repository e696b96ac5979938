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

/// Every entry of an archive by normalised path, in archive order.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    nodes: HashMap<String, (NodeKind, usize)>,
    order: Vec<String>,
}

impl Tree {
    /// Adds `name` (normalised). A directory may be listed twice; anything
    /// else twice, or a file and a directory with one name, is refused.
    pub fn insert(&mut self, name: String, kind: NodeKind) -> Result<(), String> {
        match self.nodes.get(&name) {
            None => {}
            Some((NodeKind::Dir, _)) if kind == NodeKind::Dir => return Ok(()),
            Some((existing, _)) => {
                return Err(if *existing == NodeKind::Dir || kind == NodeKind::Dir {
                    format!("`{name}` is both a file and a directory")
                } else {
                    format!(
                        "`{name}` appears more than once: tools that read the first copy and tools that read the last would see different files"
                    )
                })
            }
        }
        let index = self.order.len();
        self.order.push(name.clone());
        self.nodes.insert(name, (kind, index));
        Ok(())
    }

    /// How many distinct paths the tree holds.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// The paths in archive order.
    pub fn names(&self) -> &[String] {
        &self.order
    }

    /// Refuses a member under a link or a file, a symlink that resolves
    /// (through the archive's own links) outside its top-level directory,
    /// and a hard link to anything but an earlier regular file.
    pub fn check(&self) -> Result<(), String> {
        for name in &self.order {
            let mut prefix = String::new();
            let parts: Vec<&str> = name.split('/').collect();
            for part in parts.iter().take(parts.len().saturating_sub(1)) {
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(part);
                if let Some((kind, _)) = self.nodes.get(&prefix) {
                    if *kind != NodeKind::Dir {
                        return Err(format!(
                            "`{name}` lies under `{prefix}`, which is a {}: extracting it would write wherever that points",
                            kind.word()
                        ));
                    }
                }
            }
        }
        for name in &self.order {
            let Some((kind, index)) = self.nodes.get(name) else {
                continue;
            };
            let top = name.split('/').next().unwrap_or_default();
            match kind {
                NodeKind::Symlink(target) => {
                    let mut dir: Vec<String> = name.split('/').map(str::to_string).collect();
                    dir.pop();
                    let inside = match self.resolve(dir, target) {
                        Ok(resolved) => resolved.first().is_some_and(|first| first == top),
                        Err(reason) => {
                            return Err(format!("symlink `{name}` -> `{target}` {reason}"))
                        }
                    };
                    if !inside {
                        return Err(format!(
                            "symlink `{name}` points outside the sdist's directory `{top}/` (to `{target}`, resolved through the archive's own links)"
                        ));
                    }
                }
                NodeKind::Hardlink(target) => {
                    let normal = normalize_member(target);
                    let ok = unsafe_member_name(target).is_none()
                        && normal.split('/').next() == Some(top)
                        && matches!(self.nodes.get(&normal), Some((NodeKind::File, t)) if t < index);
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

    /// Resolves `target` relative to the directory `dir` (components from
    /// the archive root), following the archive's symlinks. Errs when it is
    /// absolute, climbs above the archive root or loops.
    fn resolve(&self, mut stack: Vec<String>, target: &str) -> Result<Vec<String>, &'static str> {
        if target.starts_with('/') || unsafe_member_name_root(target) {
            return Err("is absolute");
        }
        let mut pending: VecDeque<String> = components(target).collect();
        let mut hops = 0usize;
        while let Some(part) = pending.pop_front() {
            if part == ".." {
                if stack.pop().is_none() {
                    return Err("climbs above the archive root");
                }
                continue;
            }
            stack.push(part);
            let path = stack.join("/");
            if let Some((NodeKind::Symlink(next), _)) = self.nodes.get(&path) {
                hops += 1;
                if hops > MAX_LINK_HOPS {
                    return Err("is a loop of links (more than 40 hops)");
                }
                if next.starts_with('/') || unsafe_member_name_root(next) {
                    return Err("leads through an absolute link");
                }
                stack.pop();
                for part in components(next).collect::<Vec<_>>().into_iter().rev() {
                    pending.push_front(part);
                }
            }
        }
        Ok(stack)
    }
}

fn components(path: &str) -> impl Iterator<Item = String> + '_ {
    path.split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .map(str::to_string)
}

/// A Windows drive or backslash path, which is absolute somewhere.
fn unsafe_member_name_root(target: &str) -> bool {
    target.contains('\\') || target.as_bytes().get(1) == Some(&b':')
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
        let t = tree(&[("p/d", link("x")), ("p/d/f", NodeKind::File)]);
        assert!(t.check().unwrap_err().contains("lies under `p/d`"));
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
