//! Replays, on stable, every input the fuzz targets (`fuzz/`,
//! `scripts/fuzz`) ever crashed or hung on: each file under
//! `tests/fuzz-regressions/TARGET/` goes through the same call as that
//! target, and must return (an error is fine) without panicking, quickly.

use std::path::Path;
use std::time::{Duration, Instant};

use pbx_artifact::{
    expand_tags, inspect_sdist_bytes, inspect_wheel_bytes, parse_record, CoreMetadata,
    DistFilename, Limits,
};

/// The fuzz targets' limits (fuzz/fuzz_targets/common.rs).
fn limits() -> Limits {
    Limits {
        max_total_bytes: 64 << 20,
        max_member_bytes: 16 << 20,
        max_metadata_bytes: 1 << 20,
        max_record_bytes: 1 << 20,
        max_members: 10_000,
        ..Limits::default()
    }
}

fn run(target: &str, data: &[u8]) {
    let text = std::str::from_utf8(data).ok();
    match target {
        "wheel" => drop(inspect_wheel_bytes(
            "demo-1.0-py3-none-any.whl",
            data,
            &limits(),
        )),
        "sdist_tar" => drop(inspect_sdist_bytes("demo-1.0.tar.gz", data, &limits())),
        "sdist_zip" => drop(inspect_sdist_bytes("demo-1.0.zip", data, &limits())),
        "sdist_tar_inner" => {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut encoder, data).unwrap();
            let gz = encoder.finish().unwrap();
            drop(inspect_sdist_bytes("demo-1.0.tar.gz", &gz, &limits()))
        }
        "metadata" | "wheel_tags" => {
            if let Some(text) = text {
                let meta = CoreMetadata::parse(text);
                for tag in meta.get_all("Tag") {
                    drop(expand_tags(tag));
                }
            }
        }
        "record" => drop(text.map(parse_record)),
        "filename" => drop(text.map(DistFilename::parse)),
        _ => {}
    }
}

#[test]
fn every_saved_fuzz_input_returns_quickly_without_panicking() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut replayed = 0usize;
    for target in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        let name = target.file_name().to_string_lossy().into_owned();
        for input in std::fs::read_dir(target.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let data = std::fs::read(input.path()).unwrap();
            let start = Instant::now();
            run(&name, &data);
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{} took {:?}",
                input.path().display(),
                start.elapsed()
            );
            replayed += 1;
        }
    }
    let _ = replayed;
}
