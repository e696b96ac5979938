//! Release tags read from a git repository with the real `git`.

use std::path::{Path, PathBuf};
use std::process::Command;

use pbx_version::Tag;

/// The release tags of a repository: every tag that starts with the tag
/// prefix, split into those that name a PEP 440 version and the rest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitTags {
    /// The directory `git -C` ran in.
    pub dir: PathBuf,
    /// Tags naming a version (`v1.2.3.post1`).
    pub tags: Vec<Tag>,
    /// Tags with the prefix that name no version (`vnext`): ignored.
    pub ignored: Vec<String>,
}

/// Why the tags could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The directory is not inside a git repository.
    #[error("{} is not inside a git repository, so its release tags cannot be read", dir.display())]
    NotARepository {
        /// The directory given.
        dir: PathBuf,
    },
    /// The directory does not exist.
    #[error("{} does not exist, so no release tags can be read there", dir.display())]
    NoSuchDirectory {
        /// The directory given.
        dir: PathBuf,
    },
    /// The `git` program could not be started.
    #[error("cannot run `git` to read the release tags: {source}")]
    GitMissing {
        /// Why it could not start.
        source: std::io::Error,
    },
    /// `git tag --list` failed for another reason.
    #[error("`git -C {} tag --list` failed ({status}): {stderr}", dir.display())]
    Failed {
        /// The directory given.
        dir: PathBuf,
        /// The exit status.
        status: String,
        /// What git said.
        stderr: String,
    },
}

impl GitTags {
    /// Runs `git -C dir tag --list '<prefix>*'` and parses every tag.
    ///
    /// `git` is found on `PATH`; the repository's own configuration applies
    /// as it does for any `git` command run there.
    pub fn read(dir: &Path, prefix: &str) -> Result<GitTags, GitError> {
        if !dir.is_dir() {
            return Err(GitError::NoSuchDirectory {
                dir: dir.to_path_buf(),
            });
        }
        let output = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["tag", "--list"])
            .arg(format!("{}*", glob_escape(prefix)))
            .env("LC_ALL", "C")
            .output()
            .map_err(|source| GitError::GitMissing { source })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
            if stderr.contains("not a git repository") {
                return Err(GitError::NotARepository {
                    dir: dir.to_path_buf(),
                });
            }
            return Err(GitError::Failed {
                dir: dir.to_path_buf(),
                status: output.status.to_string(),
                stderr,
            });
        }
        Ok(Self::parse(
            dir,
            &String::from_utf8_lossy(&output.stdout),
            prefix,
        ))
    }

    /// Parses the output of `git tag --list` (one tag a line).
    pub fn parse(dir: &Path, listing: &str, prefix: &str) -> GitTags {
        let mut tags = Vec::new();
        let mut ignored = Vec::new();
        for line in listing.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match Tag::parse(line, prefix) {
                Ok(tag) => tags.push(tag),
                Err(_) if line.starts_with(prefix) => ignored.push(line.to_string()),
                Err(_) => {}
            }
        }
        GitTags {
            dir: dir.to_path_buf(),
            tags,
            ignored,
        }
    }
}

/// Escapes the glob characters git's pattern matching understands.
fn glob_escape(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len());
    for ch in prefix.chars() {
        if matches!(ch, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_prefixed_versions_count() {
        let tags = GitTags::parse(
            Path::new("."),
            "v1.0\nv1.0.post1\nvnext\nrelease-2.0\nv1.1rc1\n",
            "v",
        );
        let names: Vec<_> = tags.tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["v1.0", "v1.0.post1", "v1.1rc1"]);
        assert_eq!(tags.ignored, ["vnext"]);
        let other = GitTags::parse(Path::new("."), "release-2.0\nv1.0\n", "release-");
        assert_eq!(other.tags[0].version.canonical(), "2.0");
        assert_eq!(other.tags.len(), 1);
    }

    #[test]
    fn glob_characters_in_the_prefix_are_literal() {
        assert_eq!(glob_escape("v"), "v");
        assert_eq!(glob_escape("r[1]*"), "r\\[1\\]\\*");
    }
}
