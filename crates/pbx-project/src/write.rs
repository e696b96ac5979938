//! Rewriting the version in place.
//!
//! [`set_pyproject_version`] and [`set_lock_version`] return the new text of
//! a file in which only the bytes of one version string changed: the value's
//! byte span comes from `toml_edit`'s parser, and the new version is spliced
//! between the original quotes, so comments, key order, quoting style
//! (`"…"`, `'…'`, `"""…"""`, `'''…'''`) and line endings (CRLF too) stay
//! byte for byte what they were. The result is parsed again and must read
//! back as the new version, or nothing is returned.
//!
//! [`replace_all_or_nothing`] then writes several files atomically: every
//! new content goes to a synced temporary file next to its target, and
//! every target gets a backup name there (a hard link to the original),
//! before any new file is renamed over its target. A failed rename renames
//! back every file already replaced, so the files change together or not
//! at all.

use std::fs::{self, File};
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use pbx_report::Location;
use pbx_version::{PackageName, Version};
use toml_edit::{Document, Item};

use crate::error::ProjectError;
use crate::lock::find_root;
use crate::span::location_of;

/// A file's text with its version string replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionRewrite {
    /// The version as it was written before.
    pub old: String,
    /// Where the old version string was.
    pub location: Location,
    /// The whole file with only the version's bytes changed.
    pub text: String,
}

/// Sets `[project].version` of the pyproject.toml `text` (read from
/// `path`, which only names it in errors) to the canonical spelling of
/// `new`.
///
/// A version listed in `[project].dynamic` has no string to rewrite: that
/// is an error explaining where the build backend takes the version from.
pub fn set_pyproject_version(
    path: &Path,
    text: &str,
    new: &Version,
) -> Result<VersionRewrite, ProjectError> {
    let doc = Document::parse(text).map_err(|err| ProjectError::toml(path, text, &err))?;
    let project = doc.get("project").and_then(Item::as_table_like);
    let Some(project) = project else {
        return Err(
            ProjectError::new(Location::file(path), "no `[project]` table")
                .hint("add a `[project]` table with `name` and `version` (PEP 621)"),
        );
    };
    let dynamic = project
        .get("dynamic")
        .and_then(Item::as_array)
        .and_then(|array| array.iter().find(|v| v.as_str() == Some("version")));
    if let Some(dynamic) = dynamic {
        return Err(ProjectError::new(
            location_of(path, text, dynamic.span()),
            "the version is dynamic (`dynamic = [\"version\"]`): the build backend computes it (from a git tag with hatch-vcs or setuptools-scm, or from a file it reads), so pyproject.toml has no version string to rewrite",
        )
        .hint("set the new version where the backend reads it (for a tag-based version: create the tag), or run without --write to print it only"));
    }
    let Some(item) = project.get("version") else {
        return Err(ProjectError::new(
            location_of(path, text, doc.get("project").and_then(Item::span)),
            "`[project]` has no `version`",
        )
        .hint("add `version = \"1.2.3\"` to `[project]`"));
    };
    let rewrite = splice(path, text, item, 0, new, "`[project].version`")?;
    let reread = Document::parse(rewrite.text.as_str()).ok().and_then(|doc| {
        doc.get("project")
            .and_then(Item::as_table_like)
            .and_then(|p| p.get("version"))
            .and_then(Item::as_str)
            .map(str::to_string)
    });
    verify(path, &rewrite, reread, new)
}

/// Sets the `version` of the root project's `[[package]]` entry (the entry
/// named `package` whose source is the project directory) in the uv.lock
/// `text` to the canonical spelling of `new`.
pub fn set_lock_version(
    path: &Path,
    text: &str,
    package: &PackageName,
    new: &Version,
) -> Result<VersionRewrite, ProjectError> {
    let root = find_root(path, text, package)?;
    let entry = root.table();
    let Some(item) = entry.get("version") else {
        return Err(ProjectError::new(
            root.location(path, text, entry.span()),
            format!("the root package `{package}` in uv.lock has no `version` (uv records none for a dynamic version)"),
        )
        .hint("give the project a static `[project].version` and run `uv lock`"));
    };
    let rewrite = splice(
        path,
        text,
        item,
        root.offset,
        new,
        "the root package's `version`",
    )?;
    let reread = find_root(path, &rewrite.text, package)
        .ok()
        .and_then(|root| {
            root.table()
                .get("version")
                .and_then(Item::as_str)
                .map(str::to_string)
        });
    verify(path, &rewrite, reread, new)
}

/// Replaces the bytes of the string value `item` with `new`, keeping its
/// delimiters (and a multi-line string's leading newline). `item` was
/// parsed from the slice of `text` that starts at `offset`.
fn splice(
    path: &Path,
    text: &str,
    item: &Item,
    offset: usize,
    new: &Version,
    what: &str,
) -> Result<VersionRewrite, ProjectError> {
    let value = item.as_value();
    let span = value
        .and_then(|v| v.span())
        .or_else(|| item.span())
        .map(|s| s.start + offset..s.end + offset);
    let location = location_of(path, text, span.clone());
    let (Some(old), Some(span)) = (item.as_str(), span) else {
        return Err(
            ProjectError::new(location, format!("{what} must be a string"))
                .hint("write it as `version = \"1.2.3\"`"),
        );
    };
    let Some(body) = string_body(text, span) else {
        return Err(ProjectError::new(
            location,
            format!("{what} is not a plain TOML string that can be rewritten in place"),
        )
        .hint("write it as `version = \"1.2.3\"`"));
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..body.start]);
    out.push_str(&new.canonical());
    out.push_str(&text[body.end..]);
    Ok(VersionRewrite {
        old: old.to_string(),
        location,
        text: out,
    })
}

/// The bytes between a string literal's delimiters (for a multi-line
/// string: after the newline that directly follows the opening delimiter,
/// which TOML trims).
fn string_body(text: &str, span: Range<usize>) -> Option<Range<usize>> {
    let raw = text.get(span.clone())?;
    let delimiter = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|d| raw.starts_with(d) && raw.ends_with(d) && raw.len() >= 2 * d.len())?;
    let mut start = span.start + delimiter.len();
    let end = span.end - delimiter.len();
    if delimiter.len() == 3 {
        if text[start..end].starts_with("\r\n") {
            start += 2;
        } else if text[start..end].starts_with('\n') {
            start += 1;
        }
    }
    Some(start..end)
}

/// The rewritten text must read back as the new version.
fn verify(
    path: &Path,
    rewrite: &VersionRewrite,
    reread: Option<String>,
    new: &Version,
) -> Result<VersionRewrite, ProjectError> {
    if reread.as_deref() == Some(new.canonical().as_str()) {
        return Ok(rewrite.clone());
    }
    Err(ProjectError::new(
        rewrite.location.clone(),
        format!(
            "rewriting the version `{}` in {} in place did not produce `{new}`",
            rewrite.old,
            path.display()
        ),
    )
    .hint("write the version as a plain string, e.g. `version = \"1.2.3\"`, and try again"))
}

/// A file could not be replaced; see [`replace_all_or_nothing`].
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Preparing the temporary files failed; no file was changed.
    #[error("cannot prepare the new {}: {source}; no file was changed", path.display())]
    Stage {
        /// The file that was to be replaced.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// Renaming a new file into place failed; every file already replaced
    /// was put back, so no file was changed.
    #[error("cannot replace {}: {source}; no file was changed", path.display())]
    Replace {
        /// The file that could not be replaced.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// Renaming a new file into place failed, and putting back a file that
    /// had already been replaced failed too.
    #[error("cannot replace {}: {source}; and {} was already replaced and could not be restored ({restore_error}): its original content is in {}", path.display(), restored.display(), backup.display())]
    Restore {
        /// The file that could not be replaced.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
        /// The file that was replaced and could not be put back.
        restored: PathBuf,
        /// The error putting it back.
        restore_error: io::Error,
        /// Where its original content is kept.
        backup: PathBuf,
    },
}

impl WriteError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            WriteError::Stage { path, .. }
            | WriteError::Replace { path, .. }
            | WriteError::Restore { path, .. } => path,
        }
    }
}

/// One file ready to be renamed into place.
struct Staged {
    /// The file replaced (symlinks resolved).
    target: PathBuf,
    /// The new content.
    new: tempfile::TempPath,
    /// The original content.
    backup: tempfile::TempPath,
}

/// Writes every `(path, contents)` atomically, all or nothing.
///
/// Each new content is written (and synced) to a temporary file in the
/// target's own directory, with the target's permissions, next to a backup
/// of the target (a hard link to it, or a copy); only when all are ready
/// are the new files renamed over the targets. If a rename fails, every target
/// already replaced is renamed back from its backup. A symlink is followed:
/// the file it points to is replaced.
pub fn replace_all_or_nothing(files: &[(&Path, &str)]) -> Result<(), WriteError> {
    replace_with(files, &mut |from, to| fs::rename(from, to))
}

fn replace_with(
    files: &[(&Path, &str)],
    rename: &mut dyn FnMut(&Path, &Path) -> io::Result<()>,
) -> Result<(), WriteError> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, contents) in files {
        staged.push(stage(path, contents).map_err(|source| WriteError::Stage {
            path: path.to_path_buf(),
            source,
        })?);
    }
    // (target, backup of its original bytes) for every file already replaced.
    let mut replaced: Vec<(PathBuf, tempfile::TempPath)> = Vec::with_capacity(staged.len());
    for (index, file) in staged.into_iter().enumerate() {
        if let Err(source) = rename(&file.new, &file.target) {
            let path = files[index].0.to_path_buf();
            let mut failed_restore = None;
            for (target, backup) in replaced.into_iter().rev() {
                match rename(&backup, &target) {
                    // The backup is the target again: nothing to delete.
                    Ok(()) => drop(backup.keep()),
                    Err(restore_error) if failed_restore.is_none() => {
                        let backup = backup.keep().unwrap_or_default();
                        failed_restore = Some((target, restore_error, backup));
                    }
                    // Only the first failure is reported; keep this backup too.
                    Err(_) => drop(backup.keep()),
                }
            }
            return Err(match failed_restore {
                None => WriteError::Replace { path, source },
                Some((restored, restore_error, backup)) => WriteError::Restore {
                    path,
                    source,
                    restored,
                    restore_error,
                    backup,
                },
            });
        }
        // The new file is the target now: nothing to delete.
        let Staged {
            target,
            new,
            backup,
        } = file;
        drop(new.keep());
        replaced.push((target, backup));
    }
    let mut dirs: Vec<&Path> = replaced.iter().filter_map(|(t, _)| t.parent()).collect();
    dirs.dedup();
    for dir in dirs {
        sync_dir(dir);
    }
    // Dropping `replaced` deletes the backups.
    Ok(())
}

fn stage(path: &Path, contents: &str) -> io::Result<Staged> {
    let target = fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = fs::metadata(&target)?.permissions();
    let prefix = format!(".{file_name}.");
    let builder = |suffix: &'static str| {
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(suffix);
        builder
    };
    // The backup is a second name for the original file (a hard link: no
    // bytes copied, permissions and all kept), or a synced copy on a
    // filesystem without hard links.
    let backup = match builder(".pbx-orig").make_in(dir, |link| fs::hard_link(&target, link)) {
        Ok(link) => link.into_temp_path(),
        Err(_) => {
            let mut copy = builder(".pbx-orig").tempfile_in(dir)?;
            copy.write_all(&fs::read(&target)?)?;
            copy.as_file().sync_all()?;
            fs::set_permissions(copy.path(), permissions.clone())?;
            copy.into_temp_path()
        }
    };
    let mut new = builder(".pbx-new").tempfile_in(dir)?;
    new.write_all(contents.as_bytes())?;
    new.as_file().sync_all()?;
    fs::set_permissions(new.path(), permissions)?;
    Ok(Staged {
        target,
        new: new.into_temp_path(),
        backup,
    })
}

fn sync_dir(dir: &Path) {
    // Makes the renames durable; a directory that cannot be opened or synced
    // (some filesystems refuse) does not undo a rename that has happened.
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn only_the_version_bytes_change_whatever_the_quoting() {
        for (before, after) in [
            (
                "[project]\nname = \"a\"\nversion = \"1.0\"\n",
                "[project]\nname = \"a\"\nversion = \"1.0.post1\"\n",
            ),
            (
                "[project]\r\nname='a'\r\nversion='1.0' # c\r\n",
                "[project]\r\nname='a'\r\nversion='1.0.post1' # c\r\n",
            ),
            (
                "[project]\nname = \"a\"\nversion = \"\"\"\n1.0\"\"\"\n",
                "[project]\nname = \"a\"\nversion = \"\"\"\n1.0.post1\"\"\"\n",
            ),
            (
                "[project]\nname = \"a\"\nversion = '''1.0'''\n",
                "[project]\nname = \"a\"\nversion = '''1.0.post1'''\n",
            ),
            (
                "project = { name = \"a\", version = \"1.0\" }\n",
                "project = { name = \"a\", version = \"1.0.post1\" }\n",
            ),
            (
                "project.name = \"a\"\nproject.version = \"1.0\"\n",
                "project.name = \"a\"\nproject.version = \"1.0.post1\"\n",
            ),
        ] {
            let out = set_pyproject_version(Path::new("p.toml"), before, &v("1.0.post1")).unwrap();
            assert_eq!(out.text, after);
            assert_eq!(out.old, "1.0");
        }
    }

    #[test]
    fn an_escaped_version_is_rewritten_as_plain_text() {
        let out = set_pyproject_version(
            Path::new("p.toml"),
            "[project]\nname = \"a\"\nversion = \"1\\u002E0\"\n",
            &v("1.0rc2"),
        )
        .unwrap();
        assert_eq!(out.text, "[project]\nname = \"a\"\nversion = \"1.0rc2\"\n");
        assert_eq!(out.old, "1.0");
    }

    #[test]
    fn a_dynamic_version_is_refused_where_it_is_declared() {
        let err = set_pyproject_version(
            Path::new("p.toml"),
            "[project]\nname = \"a\"\ndynamic = [\"readme\", \"version\"]\n",
            &v("1.0"),
        )
        .unwrap_err();
        assert_eq!(err.location, Location::at("p.toml", 3, 22));
        assert!(err.message.contains("dynamic"), "{}", err.message);
    }

    #[test]
    fn the_lock_changes_only_the_root_entry() {
        let lock = "version = 1\n\n[[package]]\nname = \"dep\"\nversion = \"1.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n\n[[package]]\nname = \"My_App\"\nversion = \"1.0\"\nsource = { editable = \".\" }\n";
        let out = set_lock_version(
            Path::new("uv.lock"),
            lock,
            &PackageName::new("my-app").unwrap(),
            &v("1.0.post3"),
        )
        .unwrap();
        assert_eq!(
            out.text,
            lock.replacen(
                "version = \"1.0\"\nsource = { editable",
                "version = \"1.0.post3\"\nsource = { editable",
                1
            )
        );
        assert_eq!(out.location, Location::at("uv.lock", 10, 11));
    }

    #[test]
    fn a_lock_with_two_root_entries_is_not_rewritten() {
        let lock = "version = 1\n\n[[package]]\nname = \"app\"\nversion = \"1.0.0\"\nsource = { editable = \".\" }\n\n[[package]]\nname = \"app\"\nversion = \"9.9.9\"\nsource = { editable = \".\" }\n";
        let err = set_lock_version(
            Path::new("uv.lock"),
            lock,
            &PackageName::new("app").unwrap(),
            &v("1.0.0.post1"),
        )
        .unwrap_err();
        assert!(err.message.contains("2 root entries"), "{}", err.message);
        assert!(err.message.contains("line 8"), "{}", err.message);
    }

    #[test]
    fn files_are_replaced_together() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        fs::write(&a, "old a").unwrap();
        fs::write(&b, "old b").unwrap();
        replace_all_or_nothing(&[(&a, "new a"), (&b, "new b")]).unwrap();
        assert_eq!(fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(fs::read_to_string(&b).unwrap(), "new b");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no temp file left"
        );
    }

    #[test]
    fn a_failed_second_rename_puts_the_first_file_back() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        fs::write(&a, "old a").unwrap();
        fs::write(&b, "old b").unwrap();
        let mut calls = 0;
        let err = replace_with(&[(&a, "new a"), (&b, "new b")], &mut |from, to| {
            calls += 1;
            if calls == 2 {
                return Err(io::Error::new(io::ErrorKind::PermissionDenied, "refused"));
            }
            fs::rename(from, to)
        })
        .unwrap_err();
        assert!(matches!(err, WriteError::Replace { .. }), "{err}");
        assert_eq!(err.path(), b);
        assert_eq!(fs::read_to_string(&a).unwrap(), "old a");
        assert_eq!(fs::read_to_string(&b).unwrap(), "old b");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no temp file left"
        );
    }

    #[test]
    fn a_failed_restore_names_the_backup() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        fs::write(&a, "old a").unwrap();
        fs::write(&b, "old b").unwrap();
        let mut calls = 0;
        let err = replace_with(&[(&a, "new a"), (&b, "new b")], &mut |from, to| {
            calls += 1;
            if calls >= 2 {
                return Err(io::Error::other("disk gone"));
            }
            fs::rename(from, to)
        })
        .unwrap_err();
        let WriteError::Restore { backup, .. } = &err else {
            panic!("{err}");
        };
        assert_eq!(fs::read_to_string(backup).unwrap(), "old a");
        assert!(err.to_string().contains(&backup.display().to_string()));
    }

    #[test]
    fn a_missing_file_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        fs::write(&a, "old a").unwrap();
        let missing = dir.path().join("missing");
        let err = replace_all_or_nothing(&[(&a, "new a"), (&missing, "x")]).unwrap_err();
        assert!(matches!(err, WriteError::Stage { .. }));
        assert_eq!(fs::read_to_string(&a).unwrap(), "old a");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn permissions_and_symlinks_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        replace_all_or_nothing(&[(&link, "new")]).unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(
            fs::metadata(&real).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }
}
