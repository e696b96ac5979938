//! Hostile archives, made by hand byte by byte, are refused with a reason
//! naming what two readers would disagree about; clean ones (including
//! zip64, data descriptors, compressed tag sets and zip sdists) pass.

mod common;

use std::io::Write as _;

use common::*;
use pbx_artifact::{inspect, ArtifactError, Limits};

fn check(case: &Case) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let path = write_case(dir.path(), case);
    let outcome = inspect(&path, &Limits::default());
    match (&case.expect, &outcome) {
        (Expect::Accept, Ok(inspection)) => {
            let failed: Vec<String> = inspection
                .findings
                .iter()
                .filter(|f| !f.ok)
                .map(|f| f.message.clone())
                .collect();
            if failed.is_empty() {
                Ok(())
            } else {
                Err(format!("accepted, but checks failed: {failed:?}"))
            }
        }
        (Expect::Unsafe(text), Err(ArtifactError::Unsafe { reason, .. }))
        | (Expect::Damaged(text), Err(ArtifactError::Archive { reason, .. }))
            if reason.contains(text) =>
        {
            Ok(())
        }
        (expect, outcome) => Err(format!("expected {expect:?}, got {outcome:?}")),
    }
}

fn check_all(cases: Vec<Case>) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| check(case).err().map(|e| format!("{}: {e}", case.label)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn zip_layouts_readers_could_disagree_about_are_refused() {
    check_all(zip_cases());
}

#[test]
fn tar_gz_sdists_readers_could_disagree_about_are_refused() {
    check_all(tar_cases());
}

#[test]
fn maturin_compressed_tag_lines_and_zip_sdists_are_valid_artifacts() {
    check_all(
        corpus()
            .into_iter()
            .filter(|c| matches!(c.label, "clean-zip-sdist" | "compressed-tag-line"))
            .collect(),
    );
}

#[test]
fn a_local_version_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let name = "demo-1.0+local-py3-none-any.whl";
    let path = dir.path().join(name);
    let bytes = RawZip::new(&deflated_entries(&wheel_files(
        NAME,
        "1.0+local",
        &["py3-none-any"],
        &[],
    )))
    .bytes();
    std::fs::write(&path, bytes).unwrap();
    let inspection = inspect(&path, &Limits::default()).unwrap();
    let local = inspection
        .findings
        .iter()
        .find(|f| !f.ok)
        .unwrap_or_else(|| panic!("no failed check: {:?}", inspection.findings));
    assert!(
        local.message.contains("local segment (`+local`)"),
        "{local:?}"
    );
    assert!(!inspection.ok());
}

/// Pseudo-random printable text (incompressible enough that the ratio
/// check does not fire first).
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            b'a' + (state % 26) as u8
        })
        .collect()
}

#[test]
fn metadata_larger_than_the_cap_is_refused_not_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let cap = Limits::default().max_metadata_bytes as usize;
    // A valid header block, then a description that takes it past the cap.
    let mut metadata = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\n".to_vec();
    metadata.extend(noise(cap + 1 - metadata.len() + 1));
    let dist_info = "demo-1.0.dist-info";
    let mut files = wheel_files(NAME, VERSION, &["py3-none-any"], &[]);
    files[1].1 = metadata.clone();
    let last = files.len() - 1;
    files[last].1 = record_for(dist_info, &files[..last]);
    let wheel = dir.path().join(WHEEL);
    std::fs::write(&wheel, RawZip::new(&deflated_entries(&files)).bytes()).unwrap();
    match inspect(&wheel, &Limits::default()) {
        Err(ArtifactError::Unsafe { reason, .. }) => {
            assert!(reason.contains("demo-1.0.dist-info/METADATA"), "{reason}");
            assert!(
                reason.contains("refused rather than read in part"),
                "{reason}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // The same for PKG-INFO.
    let mut pkg = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\n".to_vec();
    pkg.extend(noise(cap + 1 - pkg.len() + 1));
    let mut items = sdist_items();
    items[1] = TarItem::File("demo-1.0/PKG-INFO".into(), pkg);
    let sdist = dir.path().join(SDIST);
    std::fs::write(&sdist, gzip(&tar_bytes(&items, true))).unwrap();
    match inspect(&sdist, &Limits::default()) {
        Err(ArtifactError::Unsafe { reason, .. }) => {
            assert!(reason.contains("demo-1.0/PKG-INFO"), "{reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A raw deflate stream of `chunks` MiB of zeros, padded with `pad` empty
/// stored blocks (5 bytes each, no output), and its CRC.
fn padded_zeros(chunks: usize, pad: usize) -> (Vec<u8>, u32) {
    let mut compress = flate2::Compress::new(flate2::Compression::default(), false);
    let zeros = vec![0u8; 1 << 20];
    let mut chunk = Vec::with_capacity(1 << 16);
    compress
        .compress_vec(&zeros, &mut chunk, flate2::FlushCompress::Sync)
        .unwrap();
    assert_eq!(compress.total_in(), 1 << 20);
    let mut stream = Vec::with_capacity(chunk.len() * chunks + pad * 5 + 2);
    for _ in 0..chunks {
        stream.extend_from_slice(&chunk);
    }
    for _ in 0..pad {
        stream.extend_from_slice(&[0x00, 0x00, 0x00, 0xff, 0xff]);
    }
    stream.extend_from_slice(&[0x03, 0x00]);
    let mut one = flate2::Crc::new();
    one.update(&zeros);
    let mut crc = flate2::Crc::new();
    for _ in 0..chunks {
        crc.combine(&one);
    }
    (stream, crc.sum())
}

#[test]
fn padded_deflate_streams_cannot_exceed_the_total_expanded_size() {
    // Five members of 1 GiB of zeros, each padded to just under the
    // 200:1 ratio: a 27 MB wheel that expands to 5 GiB.
    let (stream, crc) = padded_zeros(1024, 1_100_000);
    let size = 1u32 << 30;
    assert!(u64::from(size) / stream.len() as u64 <= 200);
    // The stream is real: it inflates to exactly the zeros it claims.
    {
        let mut decoder = flate2::read::DeflateDecoder::new(&stream[..stream.len().min(64 << 10)]);
        let mut head = vec![0u8; 4096];
        std::io::Read::read_exact(&mut decoder, &mut head).unwrap();
        assert!(head.iter().all(|b| *b == 0));
    }
    let mut entries = deflated_entries(&wheel_files(NAME, VERSION, &["py3-none-any"], &[]));
    for i in 0..5 {
        let mut e = RawEntry::stored(&format!("demo/zeros{i}.bin"), b"");
        e.method = 8;
        e.local_method = 8;
        e.data = stream.clone();
        e.csize = stream.len() as u32;
        e.local_csize = e.csize;
        e.size = size;
        e.local_size = size;
        e.crc = crc;
        e.local_crc = crc;
        entries.insert(0, e);
    }
    let dir = tempfile::tempdir().unwrap();
    let wheel = dir.path().join(WHEEL);
    let mut file = std::fs::File::create(&wheel).unwrap();
    file.write_all(&RawZip::new(&entries).bytes()).unwrap();
    drop(file);
    let on_disk = std::fs::metadata(&wheel).unwrap().len();
    assert!(on_disk < 40 << 20, "{on_disk}");
    match inspect(&wheel, &Limits::default()) {
        Err(ArtifactError::Unsafe { reason, .. }) => {
            assert!(reason.contains("in total"), "{reason}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // The limit is raisable: with room for 5 GiB the archive is read (its
    // members are not in RECORD, so they are never inflated here).
    let raised = Limits {
        max_total_bytes: 6 << 30,
        ..Limits::default()
    };
    let inspection = inspect(&wheel, &raised).unwrap();
    assert!(inspection
        .findings
        .iter()
        .any(|f| !f.ok && f.message.contains("not in RECORD")));
}

/// Writes the corpus as seeds for the fuzz targets (`scripts/fuzz` runs
/// it with `PBX_FUZZ_SEEDS=fuzz/corpus`).
#[test]
#[ignore = "writes fuzzing seeds; run by scripts/fuzz"]
fn write_fuzz_seeds() {
    let Some(root) = std::env::var_os("PBX_FUZZ_SEEDS") else {
        return;
    };
    let root = std::path::PathBuf::from(root);
    let seed = |target: &str, label: &str, bytes: &[u8]| {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(label), bytes).unwrap();
    };
    for case in corpus() {
        let target = if case.filename.ends_with(".whl") {
            "wheel"
        } else if case.filename.ends_with(".zip") {
            "sdist_zip"
        } else {
            "sdist_tar"
        };
        seed(target, case.label, &case.bytes);
        if target == "sdist_tar" {
            let mut tar = Vec::new();
            let _ = std::io::Read::read_to_end(
                &mut flate2::read::MultiGzDecoder::new(case.bytes.as_slice()),
                &mut tar,
            );
            seed("sdist_tar_inner", case.label, &tar);
        }
    }
    for (name, bytes) in wheel_files(NAME, VERSION, &["py2.py3-none-any"], &[]) {
        let target = match name.rsplit('/').next() {
            Some("METADATA") => "metadata",
            Some("RECORD") => "record",
            Some("WHEEL") => "wheel_tags",
            _ => continue,
        };
        seed(target, "demo", &bytes);
    }
    seed("filename", "wheel", WHEEL.as_bytes());
    seed("filename", "sdist", SDIST.as_bytes());
    seed(
        "filename",
        "maturin",
        b"pydantic_core-2.23.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    );
    seed("version", "pair", b"1.2.3rc1\n1.2.3.post2+local");
    seed(
        "manifest",
        "sha256sum",
        b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  demo-1.0.tar.gz\n\\e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 *a\\nb.whl\nSHA256 (x.whl) = e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n# comment\n",
    );
    seed("version", "epoch", b"1!2.0.dev3\nv1.0");
}
