//! Differential test: whatever pbx accepts, Python's `zipfile` / `tarfile`
//! (what pip reads archives with) lists identically: the same members, the
//! same kinds and link targets, the same bytes (SHA-256 per file).
//!
//! The corpus is every hostile and clean archive of `common::corpus()`,
//! plus the real artifacts the workspace tests downloaded from PyPI when
//! they are present. The interpreter is `$PBX_TEST_VENV/bin/python`, else
//! `python3` on PATH; without one the test says so, and fails under
//! `CI=true`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use pbx_artifact::{list_members, Limits, Member, MemberKind};

const LISTER: &str = r#"
import hashlib, json, sys, tarfile, zipfile

def norm(name):
    return "/".join(p for p in name.split("/") if p not in ("", "."))

path = sys.argv[1]
out = []
if path.endswith(".tar.gz"):
    with tarfile.open(path, "r:gz") as archive:
        for m in archive.getmembers():
            entry = {"name": norm(m.name), "target": None, "size": 0, "sha256": None}
            if m.isdir():
                entry["kind"] = "dir"
            elif m.issym():
                entry.update(kind="symlink", target=m.linkname)
            elif m.islnk():
                entry.update(kind="hardlink", target=m.linkname)
            elif m.isreg():
                data = archive.extractfile(m).read()
                entry.update(kind="file", size=len(data), sha256=hashlib.sha256(data).hexdigest())
            else:
                entry["kind"] = "other"
            out.append(entry)
else:
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            entry = {"name": norm(info.filename), "target": None, "size": 0, "sha256": None}
            if info.is_dir():
                entry["kind"] = "dir"
            else:
                data = archive.read(info)
                entry.update(kind="file", size=len(data), sha256=hashlib.sha256(data).hexdigest())
            out.append(entry)
json.dump(out, sys.stdout)
"#;

/// (name, kind, target, size, sha256) of one member.
type Row = (String, String, Option<String>, u64, Option<String>);

fn python() -> Option<PathBuf> {
    let venv = std::env::var_os("PBX_TEST_VENV")
        .filter(|v| !v.is_empty())
        .map(|v| PathBuf::from(v).join("bin/python"));
    let candidates = venv.into_iter().chain([PathBuf::from("python3")]);
    candidates.into_iter().find(|p| {
        Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

#[expect(clippy::print_stderr, reason = "a test says what it could not run")]
fn say(what: &str) {
    eprintln!("{what}");
}

fn pbx_rows(members: &[Member]) -> Vec<Row> {
    let mut rows: Vec<Row> = members
        .iter()
        .map(|m| {
            let (kind, target) = match &m.kind {
                MemberKind::File => ("file", None),
                MemberKind::Dir => ("dir", None),
                MemberKind::Symlink(t) => ("symlink", Some(t.clone())),
                MemberKind::Hardlink(t) => ("hardlink", Some(t.clone())),
            };
            (
                m.name.clone(),
                kind.to_string(),
                target,
                m.size,
                m.sha256.map(|d| d.hex()),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn python_rows(python: &Path, archive: &Path) -> Result<Vec<Row>, String> {
    let output = Command::new(python)
        .args(["-c", LISTER])
        .arg(archive)
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let value: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| e.to_string())?;
    let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
    let mut rows: Vec<Row> = value
        .as_array()
        .ok_or("not a list")?
        .iter()
        .map(|m| {
            (
                text(&m["name"]).unwrap_or_default(),
                text(&m["kind"]).unwrap_or_default(),
                text(&m["target"]),
                m["size"].as_u64().unwrap_or_default(),
                text(&m["sha256"]),
            )
        })
        .collect();
    rows.sort();
    Ok(rows)
}

/// The real artifacts the workspace's tests cache (when present).
fn real_artifacts() -> Vec<PathBuf> {
    let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-cache");
    ["pypi-wheels", "pypi-real"]
        .iter()
        .flat_map(|d| std::fs::read_dir(cache.join(d)).into_iter().flatten())
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".whl") || name.ends_with(".tar.gz") || name.ends_with(".zip")
        })
        .collect()
}

#[test]
fn what_pbx_accepts_python_lists_identically() {
    let Some(python) = python() else {
        say("differential test: no Python interpreter ($PBX_TEST_VENV/bin/python or python3): not run");
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true and no Python interpreter for the differential test"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut archives: Vec<(String, PathBuf)> = corpus()
        .iter()
        .map(|case| (case.label.to_string(), write_case(dir.path(), case)))
        .collect();
    let real = real_artifacts();
    if real.is_empty() {
        say("differential test: no downloaded PyPI artifacts in target/test-cache (run `cargo test --test checksum inspect` first); the hand-made corpus only");
    }
    archives.extend(real.into_iter().map(|p| (p.display().to_string(), p)));
    let mut compared = 0usize;
    let mut refused = 0usize;
    let mut differences = Vec::new();
    for (label, path) in &archives {
        let Ok(members) = list_members(path, &Limits::default()) else {
            refused += 1;
            continue;
        };
        compared += 1;
        let ours = pbx_rows(&members);
        match python_rows(&python, path) {
            Ok(theirs) if theirs == ours => {}
            Ok(theirs) => differences.push(format!(
                "{label}: pbx lists\n  {ours:?}\nPython lists\n  {theirs:?}"
            )),
            Err(e) => differences.push(format!(
                "{label}: pbx accepts it, Python cannot read it: {e}"
            )),
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n\n"));
    // Not vacuous: the clean shapes were compared, the attacks refused.
    assert!(compared >= 8, "only {compared} archives accepted");
    assert!(refused >= 30, "only {refused} archives refused");
    say(&format!(
        "differential test: {compared} accepted archives listed identically by Python ({}), {refused} refused",
        python.display()
    ));
}
