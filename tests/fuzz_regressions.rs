//! Replays, on stable, every input a fuzz target (`fuzz/`, `scripts/fuzz`)
//! ever crashed or hung on: each file under `fuzz/regressions/TARGET/` goes
//! through the same call as that target (`fuzz/src/lib.rs`, included here)
//! and must return without panicking, quickly.

use std::path::Path;
use std::time::{Duration, Instant};

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod targets;

#[test]
fn every_saved_fuzz_input_returns_quickly_without_panicking() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    for target in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        let name = target.file_name().to_string_lossy().into_owned();
        assert!(
            targets::TARGETS.contains(&name.as_str()),
            "fuzz/regressions/{name}: no fuzz target of that name ({})",
            targets::TARGETS.join(", ")
        );
        for input in std::fs::read_dir(target.path()).unwrap().flatten() {
            let data = std::fs::read(input.path()).unwrap();
            let start = Instant::now();
            assert!(targets::run(&name, &data));
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{} took {:?}",
                input.path().display(),
                start.elapsed()
            );
        }
    }
}

/// Every target in `fuzz/fuzz_targets/` is one the replay knows, and each
/// runs here on a few ordinary inputs (so this file and the targets cannot
/// drift apart unnoticed).
#[test]
fn the_replay_knows_every_fuzz_target() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".rs"))
                .map(String::from)
        })
        .collect();
    on_disk.sort();
    let mut known: Vec<String> = targets::TARGETS.iter().map(|t| t.to_string()).collect();
    known.sort();
    assert_eq!(on_disk, known);
    for name in targets::TARGETS {
        for input in [
            &b""[..],
            b"1.0.0\n1.0.0.post1",
            b"text/html\n<a href=\"demo-1.0.tar.gz#sha256=00\">demo-1.0.tar.gz</a>",
            b"[project]\nname = \"demo\"\nversion = \"1.0\"\n",
            b"\xff\xfe",
        ] {
            assert!(targets::run(name, input), "{name}");
        }
    }
}
