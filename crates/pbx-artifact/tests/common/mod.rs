//! Hostile and clean archives built by hand: a raw zip writer (so every
//! offset, header and record can be wrong on purpose), tar.gz sdists from
//! the tar crate's raw headers, and the corpus both the hostile-archive
//! tests and the differential test against Python read.
#![allow(dead_code, reason = "each test binary uses a different part")]

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use sha2::Digest as _;

pub const NAME: &str = "demo";
pub const VERSION: &str = "1.0";
pub const WHEEL: &str = "demo-1.0-py3-none-any.whl";
pub const SDIST: &str = "demo-1.0.tar.gz";

// ------------------------------------------------------------ raw zip

/// One member as written: every field of both headers can disagree.
#[derive(Clone, Debug)]
pub struct RawEntry {
    pub name: Vec<u8>,
    pub local_name: Vec<u8>,
    pub method: u16,
    pub local_method: u16,
    pub flags: u16,
    pub local_flags: u16,
    pub crc: u32,
    pub local_crc: u32,
    pub size: u32,
    pub csize: u32,
    pub local_size: u32,
    pub local_csize: u32,
    /// The member's data as stored (compressed for method 8).
    pub data: Vec<u8>,
    pub extra: Vec<u8>,
    pub local_extra: Vec<u8>,
    pub external_attr: u32,
    /// Bytes written after the data (a data descriptor).
    pub after_data: Vec<u8>,
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

impl RawEntry {
    pub fn stored(name: &str, data: &[u8]) -> Self {
        let crc = crc32(data);
        let size = data.len() as u32;
        RawEntry {
            name: name.as_bytes().to_vec(),
            local_name: name.as_bytes().to_vec(),
            method: 0,
            local_method: 0,
            flags: 0,
            local_flags: 0,
            crc,
            local_crc: crc,
            size,
            csize: size,
            local_size: size,
            local_csize: size,
            data: data.to_vec(),
            extra: Vec::new(),
            local_extra: Vec::new(),
            external_attr: 0o100644 << 16,
            after_data: Vec::new(),
        }
    }

    pub fn deflated(name: &str, data: &[u8]) -> Self {
        let compressed = deflate(data);
        let csize = compressed.len() as u32;
        RawEntry {
            method: 8,
            local_method: 8,
            csize,
            local_csize: csize,
            data: compressed,
            ..RawEntry::stored(name, data)
        }
    }

    /// The local header, name, extra, data and trailer.
    pub fn local_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&self.local_flags.to_le_bytes());
        out.extend_from_slice(&self.local_method.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&0x5821u16.to_le_bytes());
        out.extend_from_slice(&self.local_crc.to_le_bytes());
        out.extend_from_slice(&self.local_csize.to_le_bytes());
        out.extend_from_slice(&self.local_size.to_le_bytes());
        out.extend_from_slice(&(self.local_name.len() as u16).to_le_bytes());
        out.extend_from_slice(&(self.local_extra.len() as u16).to_le_bytes());
        out.extend_from_slice(&self.local_name);
        out.extend_from_slice(&self.local_extra);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.after_data);
        out
    }

    /// The central directory entry for a local header at `offset`.
    pub fn central_bytes(&self, offset: u32) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        out.extend_from_slice(&0x0314u16.to_le_bytes()); // made by Unix, 2.0
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&self.flags.to_le_bytes());
        out.extend_from_slice(&self.method.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&0x5821u16.to_le_bytes());
        out.extend_from_slice(&self.crc.to_le_bytes());
        out.extend_from_slice(&self.csize.to_le_bytes());
        out.extend_from_slice(&self.size.to_le_bytes());
        out.extend_from_slice(&(self.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&(self.extra.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // comment
        out.extend_from_slice(&0u16.to_le_bytes()); // disk
        out.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        out.extend_from_slice(&self.external_attr.to_le_bytes());
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(&self.name);
        out.extend_from_slice(&self.extra);
        out
    }
}

/// The end of central directory record.
pub fn end_record(count: u16, cd_size: u32, cd_offset: u32, comment: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&(comment.len() as u16).to_le_bytes());
    out.extend_from_slice(comment);
    out
}

/// The zip64 end record and locator for a central directory, placed at
/// `at` (where the zip64 end record starts).
pub fn zip64_records(count: u64, cd_size: u64, cd_offset: u64, at: u64) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
    out.extend_from_slice(&44u64.to_le_bytes());
    out.extend_from_slice(&45u16.to_le_bytes());
    out.extend_from_slice(&45u16.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    out
}

/// A zip as pieces, so a test can splice bytes between them.
#[derive(Clone, Debug)]
pub struct RawZip {
    /// Local headers and data, back to back.
    pub locals: Vec<u8>,
    /// Where each entry's local header starts in `locals`.
    pub offsets: Vec<u32>,
    pub central: Vec<u8>,
    pub count: u16,
}

impl RawZip {
    pub fn new(entries: &[RawEntry]) -> Self {
        let mut locals = Vec::new();
        let mut offsets = Vec::new();
        for entry in entries {
            offsets.push(locals.len() as u32);
            locals.extend(entry.local_bytes());
        }
        let mut central = Vec::new();
        for (entry, offset) in entries.iter().zip(&offsets) {
            central.extend(entry.central_bytes(*offset));
        }
        RawZip {
            locals,
            offsets,
            central,
            count: entries.len() as u16,
        }
    }

    /// The canonical archive.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = self.locals.clone();
        out.extend_from_slice(&self.central);
        out.extend(end_record(
            self.count,
            self.central.len() as u32,
            self.locals.len() as u32,
            b"",
        ));
        out
    }
}

// ------------------------------------------------------------ wheels

/// RECORD for `files` (plus its own unhashed line).
pub fn record_for(dist_info: &str, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut record = String::new();
    for (name, bytes) in files {
        let digest =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(bytes));
        record.push_str(&format!("{name},sha256={digest},{}\n", bytes.len()));
    }
    record.push_str(&format!("{dist_info}/RECORD,,\n"));
    record.into_bytes()
}

/// The members of a small valid wheel, RECORD last, with `tag_line` as
/// WHEEL's Tag and `extra` members listed in RECORD.
pub fn wheel_files(
    name: &str,
    version: &str,
    tag_lines: &[&str],
    extra: &[(&str, &[u8])],
) -> Vec<(String, Vec<u8>)> {
    let dist_info = format!("{name}-{version}.dist-info");
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (
            format!("{name}/__init__.py"),
            b"__version__ = '1.0'\n".to_vec(),
        ),
        (
            format!("{dist_info}/METADATA"),
            format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nA demo.\n")
                .into_bytes(),
        ),
        (
            format!("{dist_info}/WHEEL"),
            format!(
                "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\n{}",
                tag_lines
                    .iter()
                    .map(|t| format!("Tag: {t}\n"))
                    .collect::<String>()
            )
            .into_bytes(),
        ),
    ];
    for (member, bytes) in extra {
        files.push((member.to_string(), bytes.to_vec()));
    }
    let record = record_for(&dist_info, &files);
    files.push((format!("{dist_info}/RECORD"), record));
    files
}

pub fn deflated_entries(files: &[(String, Vec<u8>)]) -> Vec<RawEntry> {
    files
        .iter()
        .map(|(n, b)| RawEntry::deflated(n, b))
        .collect()
}

/// A clean wheel, written by the raw writer.
pub fn clean_wheel() -> Vec<u8> {
    RawZip::new(&deflated_entries(&wheel_files(
        NAME,
        VERSION,
        &["py3-none-any"],
        &[],
    )))
    .bytes()
}

// ------------------------------------------------------------ sdists

pub fn pkg_info(name: &str, version: &str) -> Vec<u8> {
    format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n").into_bytes()
}

/// One tar entry to write.
#[derive(Clone, Debug)]
pub enum TarItem {
    File(String, Vec<u8>),
    Dir(String),
    Symlink(String, String),
    Hardlink(String, String),
    /// A raw header (checksum set here) and the data after it.
    Raw(Box<tar::Header>, Vec<u8>),
}

pub fn tar_bytes(items: &[TarItem], end_marker: bool) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for item in items {
        match item {
            TarItem::File(name, bytes) => {
                let mut header = tar::Header::new_gnu();
                header.set_size(bytes.len() as u64);
                header.set_mode(0o644);
                header.set_entry_type(tar::EntryType::Regular);
                builder
                    .append_data(&mut header, name, bytes.as_slice())
                    .unwrap();
            }
            TarItem::Dir(name) => {
                let mut header = tar::Header::new_gnu();
                header.set_size(0);
                header.set_mode(0o755);
                header.set_entry_type(tar::EntryType::Directory);
                builder
                    .append_data(&mut header, name, std::io::empty())
                    .unwrap();
            }
            TarItem::Symlink(name, target) | TarItem::Hardlink(name, target) => {
                let mut header = tar::Header::new_gnu();
                header.set_size(0);
                header.set_mode(0o777);
                header.set_entry_type(if matches!(item, TarItem::Symlink(..)) {
                    tar::EntryType::Symlink
                } else {
                    tar::EntryType::Link
                });
                builder.append_link(&mut header, name, target).unwrap();
            }
            TarItem::Raw(header, data) => {
                let mut header = (**header).clone();
                header.set_cksum();
                builder.append(&header, data.as_slice()).unwrap();
            }
        }
    }
    let mut bytes = builder.into_inner().unwrap();
    if !end_marker {
        // tar::Builder::into_inner writes the two zero blocks; take them off.
        bytes.truncate(bytes.len() - 1024);
    }
    bytes
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// The entries of a clean sdist `demo-1.0`.
pub fn sdist_items() -> Vec<TarItem> {
    vec![
        TarItem::Dir("demo-1.0".into()),
        TarItem::File("demo-1.0/PKG-INFO".into(), pkg_info(NAME, VERSION)),
        TarItem::File(
            "demo-1.0/pyproject.toml".into(),
            b"[project]\nname = \"demo\"\nversion = \"1.0\"\n".to_vec(),
        ),
        TarItem::Dir("demo-1.0/demo".into()),
        TarItem::File(
            "demo-1.0/demo/__init__.py".into(),
            b"__version__ = '1.0'\n".to_vec(),
        ),
    ]
}

pub fn sdist_with(extra: &[TarItem]) -> Vec<u8> {
    let mut items = sdist_items();
    items.extend_from_slice(extra);
    gzip(&tar_bytes(&items, true))
}

/// A header block for `name` of `kind` declaring `size` bytes.
pub fn raw_header(name: &str, kind: tar::EntryType, size: u64) -> tar::Header {
    let mut header = tar::Header::new_ustar();
    header.set_path(name).unwrap();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_entry_type(kind);
    header
}

// ------------------------------------------------------------ corpus

/// What pbx must do with an archive.
#[derive(Clone, Debug)]
pub enum Expect {
    /// Accepted (inspect returns Ok, every check may still be judged).
    Accept,
    /// Refused as unsafe, the reason containing this text.
    Unsafe(&'static str),
    /// Refused as damaged or unsupported, the reason containing this text.
    Damaged(&'static str),
}

/// One archive of the corpus.
#[derive(Clone, Debug)]
pub struct Case {
    pub label: &'static str,
    pub filename: String,
    pub bytes: Vec<u8>,
    pub expect: Expect,
}

fn case(label: &'static str, filename: &str, bytes: Vec<u8>, expect: Expect) -> Case {
    Case {
        label,
        filename: filename.to_string(),
        bytes,
        expect,
    }
}

/// Writes `case` into `dir/label/filename` and returns the path.
pub fn write_case(dir: &Path, case: &Case) -> PathBuf {
    let path = dir.join(case.label).join(&case.filename);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &case.bytes).unwrap();
    path
}

/// Every zip attack, on a wheel.
pub fn zip_cases() -> Vec<Case> {
    let files = wheel_files(NAME, VERSION, &["py3-none-any"], &[]);
    let entries = deflated_entries(&files);
    let clean = RawZip::new(&entries);
    let mut cases = vec![case("clean-wheel", WHEEL, clean.bytes(), Expect::Accept)];

    // Stored members too.
    let stored: Vec<RawEntry> = files.iter().map(|(n, b)| RawEntry::stored(n, b)).collect();
    cases.push(case(
        "clean-stored-wheel",
        WHEEL,
        RawZip::new(&stored).bytes(),
        Expect::Accept,
    ));

    // A clean zip64 archive: zip64 end record and locator, placeholders
    // in the end record.
    {
        let mut bytes = clean.locals.clone();
        bytes.extend_from_slice(&clean.central);
        let at = bytes.len() as u64;
        bytes.extend(zip64_records(
            u64::from(clean.count),
            clean.central.len() as u64,
            clean.locals.len() as u64,
            at,
        ));
        bytes.extend(end_record(0xFFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, b""));
        cases.push(case("clean-zip64", WHEEL, bytes, Expect::Accept));
    }

    // Data descriptors written the usual way (deflated, signature, zero
    // sizes in the local header).
    {
        let with_descriptors: Vec<RawEntry> = entries
            .iter()
            .map(|e| {
                let mut e = e.clone();
                e.flags |= 8;
                e.local_flags |= 8;
                e.local_crc = 0;
                e.local_size = 0;
                e.local_csize = 0;
                e.after_data = [
                    0x0807_4b50u32.to_le_bytes(),
                    e.crc.to_le_bytes(),
                    e.csize.to_le_bytes(),
                    e.size.to_le_bytes(),
                ]
                .concat();
                e
            })
            .collect();
        cases.push(case(
            "clean-data-descriptors",
            WHEEL,
            RawZip::new(&with_descriptors).bytes(),
            Expect::Accept,
        ));
    }

    // Data before the first local header, offsets left alone: Python
    // shifts every offset by it, the zip crate too; others do not.
    {
        let mut bytes = b"#!/bin/sh\necho self-extracting\n".to_vec();
        bytes.extend(clean.bytes());
        cases.push(case(
            "prepended-data",
            WHEEL,
            bytes,
            Expect::Unsafe("must end where the end records start"),
        ));
    }
    // Data before the first local header, offsets adjusted (a
    // self-extractor done right): still a stretch no member covers.
    {
        let prefix = b"#!/bin/sh\necho self-extracting\n".to_vec();
        let shift = prefix.len() as u32;
        let mut central = Vec::new();
        for (entry, offset) in entries.iter().zip(&clean.offsets) {
            central.extend(entry.central_bytes(offset + shift));
        }
        let mut bytes = prefix;
        bytes.extend_from_slice(&clean.locals);
        let cd_offset = bytes.len() as u32;
        bytes.extend_from_slice(&central);
        bytes.extend(end_record(
            clean.count,
            central.len() as u32,
            cd_offset,
            b"",
        ));
        cases.push(case(
            "prepended-data-shifted",
            WHEEL,
            bytes,
            Expect::Unsafe("before the first local header"),
        ));
    }
    // Bytes between the central directory and the end record.
    {
        let mut bytes = clean.locals.clone();
        bytes.extend_from_slice(&clean.central);
        bytes.extend_from_slice(b"hidden");
        bytes.extend(end_record(
            clean.count,
            clean.central.len() as u32,
            clean.locals.len() as u32,
            b"",
        ));
        cases.push(case(
            "data-before-end-record",
            WHEEL,
            bytes,
            Expect::Unsafe("must end where the end records start"),
        ));
    }
    // Two central directories: the end record names the second, which
    // leaves RECORD out; the first still lists everything.
    {
        let mut bytes = clean.bytes();
        let second_offset = bytes.len() as u32;
        let mut second = Vec::new();
        for (entry, offset) in entries.iter().zip(&clean.offsets).take(entries.len() - 1) {
            second.extend(entry.central_bytes(*offset));
        }
        bytes.extend_from_slice(&second);
        bytes.extend(end_record(
            clean.count - 1,
            second.len() as u32,
            second_offset,
            b"",
        ));
        cases.push(case(
            "two-central-directories",
            WHEEL,
            bytes,
            Expect::Unsafe("between the last member and the central directory"),
        ));
    }
    // The end record points at the first of two central directories; the
    // second sits right before it (where Python looks).
    {
        let mut bytes = clean.locals.clone();
        bytes.extend_from_slice(&clean.central);
        let mut evil = entries.clone();
        let last = evil.len() - 1;
        evil[0].name = b"demo/__init__.pz".to_vec();
        evil[last].name = evil[last].name.clone();
        let mut second = Vec::new();
        for (entry, offset) in evil.iter().zip(&clean.offsets) {
            second.extend(entry.central_bytes(*offset));
        }
        bytes.extend_from_slice(&second);
        bytes.extend(end_record(
            clean.count,
            clean.central.len() as u32,
            clean.locals.len() as u32,
            b"",
        ));
        cases.push(case(
            "end-record-points-at-first-directory",
            WHEEL,
            bytes,
            Expect::Unsafe("must end where the end records start"),
        ));
    }
    // A central directory size that leaves an entry out (count and size
    // disagree: Python walks the size, others the count).
    {
        let mut bytes = clean.locals.clone();
        bytes.extend_from_slice(&clean.central);
        bytes.extend(end_record(
            clean.count + 1,
            clean.central.len() as u32,
            clean.locals.len() as u32,
            b"",
        ));
        cases.push(case(
            "count-disagrees-with-size",
            WHEEL,
            bytes,
            Expect::Unsafe("counts 5 members"),
        ));
    }
    // Local headers that disagree with the central directory.
    let mut local = |label: &'static str, expect: &'static str, change: &dyn Fn(&mut RawEntry)| {
        let mut evil = entries.clone();
        change(&mut evil[0]);
        cases.push(case(
            label,
            WHEEL,
            RawZip::new(&evil).bytes(),
            Expect::Unsafe(expect),
        ));
    };
    local("local-name-differs", "its local header names", &|e| {
        e.local_name = b"demo/__init__.pz".to_vec()
    });
    local("local-sizes-differ", "the local header says CRC", &|e| {
        e.local_size += 1
    });
    local("local-crc-differs", "the local header says CRC", &|e| {
        e.local_crc ^= 1
    });
    local("local-method-differs", "compression method", &|e| {
        e.local_method = 0
    });
    local("local-flags-differ", "flags", &|e| e.local_flags |= 1 << 3);
    local("local-utf8-flag-differs", "flags", &|e| {
        e.name = "demo/café.py".as_bytes().to_vec();
        e.local_name = e.name.clone();
        e.flags |= 1 << 11;
    });
    local("unicode-path-names-another-file", "Unicode Path", &|e| {
        let mut field = vec![0x75, 0x70];
        let data = [&[1u8][..], &crc32(&e.name).to_le_bytes(), b"demo/evil.py"].concat();
        field.extend_from_slice(&(data.len() as u16).to_le_bytes());
        field.extend(data);
        e.extra = field.clone();
        e.local_extra = field;
    });
    local("non-ascii-name-without-utf8-flag", "cp437", &|e| {
        e.name = b"demo/caf\xe9.py".to_vec();
        e.local_name = e.name.clone();
    });
    local(
        "stored-with-descriptor",
        "stored with a data descriptor",
        &|e| {
            let data = b"__version__ = '1.0'\n".to_vec();
            *e = RawEntry::stored("demo/__init__.py", &data);
            e.flags |= 8;
            e.local_flags |= 8;
            e.after_data = [
                e.crc.to_le_bytes(),
                e.csize.to_le_bytes(),
                e.size.to_le_bytes(),
            ]
            .concat();
        },
    );
    local("descriptor-disagrees", "data descriptor", &|e| {
        e.flags |= 8;
        e.local_flags |= 8;
        e.after_data = [
            e.crc.to_le_bytes(),
            (e.csize + 1).to_le_bytes(),
            e.size.to_le_bytes(),
        ]
        .concat();
    });

    // A member hidden between two listed ones: a streaming reader sees it.
    {
        let hidden = RawEntry::deflated("demo/evil.py", b"import os\n");
        let mut locals = Vec::new();
        let mut offsets = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            offsets.push(locals.len() as u32);
            locals.extend(entry.local_bytes());
            if i == 0 {
                locals.extend(hidden.local_bytes());
            }
        }
        let mut central = Vec::new();
        for (entry, offset) in entries.iter().zip(&offsets) {
            central.extend(entry.central_bytes(*offset));
        }
        let mut bytes = locals.clone();
        bytes.extend_from_slice(&central);
        bytes.extend(end_record(
            entries.len() as u16,
            central.len() as u32,
            locals.len() as u32,
            b"",
        ));
        cases.push(case(
            "hidden-member-between-members",
            WHEEL,
            bytes,
            Expect::Unsafe("between members"),
        ));
    }
    // Overlapping members: a stored member whose data holds another
    // member's local header, both listed.
    {
        let inner = RawEntry::deflated("demo/evil.py", b"import os\n");
        let inner_bytes = inner.local_bytes();
        let mut outer_files = files.clone();
        outer_files.insert(0, ("demo/blob.bin".to_string(), inner_bytes.clone()));
        let dist_info = format!("{NAME}-{VERSION}.dist-info");
        let last = outer_files.len() - 1;
        outer_files[last].1 = record_for(&dist_info, &outer_files[..last]);
        let mut outer_entries: Vec<RawEntry> = outer_files
            .iter()
            .map(|(n, b)| {
                if n == "demo/blob.bin" {
                    RawEntry::stored(n, b)
                } else {
                    RawEntry::deflated(n, b)
                }
            })
            .collect();
        let zip = RawZip::new(&outer_entries);
        // The blob's data starts after its 30-byte header and name.
        let inner_offset = zip.offsets[0] + 30 + "demo/blob.bin".len() as u32;
        outer_entries.push(inner);
        let mut central = zip.central.clone();
        central.extend(outer_entries.last().unwrap().central_bytes(inner_offset));
        let mut bytes = zip.locals.clone();
        bytes.extend_from_slice(&central);
        bytes.extend(end_record(
            outer_entries.len() as u16,
            central.len() as u32,
            zip.locals.len() as u32,
            b"",
        ));
        cases.push(case(
            "overlapping-members",
            WHEEL,
            bytes,
            Expect::Unsafe("overlaps"),
        ));
    }
    // zip64: the zip64 record's count disagrees with the end record's.
    {
        let mut bytes = clean.locals.clone();
        bytes.extend_from_slice(&clean.central);
        let at = bytes.len() as u64;
        bytes.extend(zip64_records(
            u64::from(clean.count) - 1,
            clean.central.len() as u64,
            clean.locals.len() as u64,
            at,
        ));
        bytes.extend(end_record(
            clean.count,
            clean.central.len() as u32,
            clean.locals.len() as u32,
            b"",
        ));
        cases.push(case(
            "zip64-count-disagrees",
            WHEEL,
            bytes,
            Expect::Unsafe("disagree about the entry count"),
        ));
    }
    // zip64: the locator points somewhere other than right before it.
    {
        let mut bytes = clean.locals.clone();
        bytes.extend_from_slice(&clean.central);
        let at = bytes.len() as u64;
        bytes.extend(zip64_records(
            u64::from(clean.count),
            clean.central.len() as u64,
            clean.locals.len() as u64,
            at + 8,
        ));
        bytes.extend(end_record(0xFFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, b""));
        cases.push(case(
            "zip64-locator-elsewhere",
            WHEEL,
            bytes,
            Expect::Unsafe("zip64 locator points at offset"),
        ));
    }
    // The comment holds a second end record (Python takes the last one).
    {
        let mut bytes = clean.locals.clone();
        bytes.extend_from_slice(&clean.central);
        let fake = end_record(0, 0, 0, b"");
        bytes.extend(end_record(
            clean.count,
            clean.central.len() as u32,
            clean.locals.len() as u32,
            &fake,
        ));
        cases.push(case(
            "end-record-in-comment",
            WHEEL,
            bytes,
            Expect::Unsafe("end of central directory"),
        ));
    }
    // Trailing data after the end record.
    {
        let mut bytes = clean.bytes();
        bytes.extend_from_slice(b"trailing");
        cases.push(case(
            "data-after-end-record",
            WHEEL,
            bytes,
            Expect::Unsafe("comment does not end at the end of the file"),
        ));
    }
    cases
}

/// Every tar.gz attack, on an sdist.
pub fn tar_cases() -> Vec<Case> {
    let clean = gzip(&tar_bytes(&sdist_items(), true));
    let mut cases = vec![case("clean-sdist", SDIST, clean.clone(), Expect::Accept)];
    cases.push(case(
        "clean-sdist-with-links",
        SDIST,
        sdist_with(&[
            TarItem::Symlink("demo-1.0/README".into(), "pyproject.toml".into()),
            TarItem::Dir("demo-1.0/sub".into()),
            TarItem::Symlink("demo-1.0/sub/up".into(), "..".into()),
            TarItem::Symlink("demo-1.0/ok".into(), "sub/up/demo".into()),
            TarItem::Hardlink(
                "demo-1.0/copy.py".into(),
                "demo-1.0/demo/__init__.py".into(),
            ),
        ]),
        Expect::Accept,
    ));

    // Two gzip members: Python reads both (a hidden entry and a second
    // PKG-INFO in the second), pbx read only the first.
    {
        let mut first_items = sdist_items();
        first_items.truncate(3);
        let mut bytes = gzip(&tar_bytes(&first_items, false));
        bytes.extend(gzip(&tar_bytes(
            &[TarItem::File(
                "demo-1.0/demo/__init__.py".into(),
                b"import os\n".to_vec(),
            )],
            true,
        )));
        cases.push(case(
            "two-gzip-members",
            SDIST,
            bytes,
            Expect::Unsafe("more than one gzip member"),
        ));
    }
    {
        let mut bytes = clean.clone();
        bytes.extend_from_slice(b"trailing garbage");
        cases.push(case(
            "data-after-gzip",
            SDIST,
            bytes,
            Expect::Unsafe("data after the end of the gzip stream"),
        ));
    }
    // Entries after the tar end marker.
    {
        let mut tar = tar_bytes(&sdist_items(), true);
        tar.extend(tar_bytes(
            &[TarItem::File(
                "demo-1.0/evil.py".into(),
                b"import os\n".to_vec(),
            )],
            true,
        ));
        cases.push(case(
            "entries-after-end-marker",
            SDIST,
            gzip(&tar),
            Expect::Unsafe("after the tar end-of-archive marker"),
        ));
    }
    // Symlink chains resolved through the tree.
    cases.push(case(
        "symlink-chain-escape",
        SDIST,
        sdist_with(&[
            TarItem::Dir("demo-1.0/sub".into()),
            TarItem::Symlink("demo-1.0/sub/up".into(), "..".into()),
            TarItem::Symlink("demo-1.0/esc".into(), "sub/up/..".into()),
            TarItem::Symlink("demo-1.0/esc2".into(), "esc/..".into()),
        ]),
        Expect::Unsafe("symlink `demo-1.0/esc` points outside"),
    ));
    cases.push(case(
        "file-through-symlink-chain",
        SDIST,
        sdist_with(&[
            TarItem::Dir("demo-1.0/sub".into()),
            TarItem::Symlink("demo-1.0/sub/up".into(), "..".into()),
            TarItem::Symlink("demo-1.0/esc".into(), "sub/up/..".into()),
            TarItem::Symlink("demo-1.0/esc2".into(), "esc/..".into()),
            TarItem::File("demo-1.0/esc2/evil.py".into(), b"import os\n".to_vec()),
        ]),
        Expect::Unsafe("lies under `demo-1.0/esc2`, which is a symlink"),
    ));
    cases.push(case(
        "file-through-symlink",
        SDIST,
        sdist_with(&[
            TarItem::Symlink("demo-1.0/out".into(), "demo".into()),
            TarItem::File("demo-1.0/out/evil.py".into(), b"import os\n".to_vec()),
        ]),
        Expect::Unsafe("lies under `demo-1.0/out`, which is a symlink"),
    ));
    cases.push(case(
        "hardlink-through-symlink-chain",
        SDIST,
        sdist_with(&[
            TarItem::Dir("demo-1.0/sub".into()),
            TarItem::Symlink("demo-1.0/sub/up".into(), "..".into()),
            TarItem::Hardlink(
                "demo-1.0/h".into(),
                "demo-1.0/sub/up/../../etc/passwd".into(),
            ),
        ]),
        Expect::Unsafe("hard link `demo-1.0/h`"),
    ));
    cases.push(case(
        "hardlink-to-later-member",
        SDIST,
        gzip(&tar_bytes(
            &[
                TarItem::Hardlink("demo-1.0/h".into(), "demo-1.0/PKG-INFO".into()),
                TarItem::File("demo-1.0/PKG-INFO".into(), pkg_info(NAME, VERSION)),
            ],
            true,
        )),
        Expect::Unsafe("hard link `demo-1.0/h`"),
    ));
    // A symlink with data: Python's tarfile reads the data as the next
    // header (a hidden file), the tar crate skips it.
    {
        let hidden = {
            let mut h = raw_header("demo-1.0/evil.py", tar::EntryType::Regular, 0);
            h.set_cksum();
            h.as_bytes().to_vec()
        };
        let mut link = raw_header("demo-1.0/link", tar::EntryType::Symlink, 512);
        link.set_link_name("PKG-INFO").unwrap();
        cases.push(case(
            "symlink-with-data",
            SDIST,
            sdist_with(&[TarItem::Raw(Box::new(link), hidden.clone())]),
            Expect::Unsafe("bytes of data"),
        ));
        let dir = raw_header("demo-1.0/data/", tar::EntryType::Directory, 512);
        cases.push(case(
            "directory-with-data",
            SDIST,
            sdist_with(&[TarItem::Raw(Box::new(dir), hidden)]),
            Expect::Unsafe("bytes of data"),
        ));
    }
    // An old-style regular file whose name ends with `/` (Python: a
    // directory).
    {
        let mut header = tar::Header::new_old();
        header.set_path("demo-1.0/data/").unwrap();
        header.set_size(4);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::new(0));
        cases.push(case(
            "regular-file-named-like-a-directory",
            SDIST,
            sdist_with(&[TarItem::Raw(Box::new(header), b"data".to_vec())]),
            Expect::Unsafe("ends with `/`"),
        ));
    }
    // A GNU header with bytes where ustar keeps its prefix: Python's
    // tarfile prepends them to the name.
    {
        let mut header = tar::Header::new_gnu();
        header.set_path("evil.py").unwrap();
        header.set_size(4);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.as_mut_bytes()[345..353].copy_from_slice(b"demo-1.0");
        cases.push(case(
            "gnu-header-with-prefix",
            SDIST,
            sdist_with(&[TarItem::Raw(Box::new(header), b"data".to_vec())]),
            Expect::Unsafe("ustar prefix field"),
        ));
    }
    // A pax global header that renames what follows (Python applies it).
    {
        let record = |key: &str, value: &str| {
            let body = format!(" {key}={value}\n");
            let mut total = body.len() + 1;
            while total != body.len() + total.to_string().len() {
                total = body.len() + total.to_string().len();
            }
            format!("{total}{body}")
        };
        let data = record("path", "demo-1.0/evil.py").into_bytes();
        let global = raw_header(
            "pax_global_header",
            tar::EntryType::XGlobalHeader,
            data.len() as u64,
        );
        cases.push(case(
            "pax-global-path",
            SDIST,
            sdist_with(&[TarItem::Raw(Box::new(global), data)]),
            Expect::Unsafe("pax global header sets `path`"),
        ));
        let mut local_data = record("path", "demo-1.0/a.py");
        local_data.push_str(&record("path", "demo-1.0/b.py"));
        let local = raw_header(
            "PaxHeaders/x",
            tar::EntryType::XHeader,
            local_data.len() as u64,
        );
        let file = raw_header("demo-1.0/x.py", tar::EntryType::Regular, 4);
        cases.push(case(
            "pax-duplicate-path",
            SDIST,
            sdist_with(&[
                TarItem::Raw(Box::new(local), local_data.into_bytes()),
                TarItem::Raw(Box::new(file), b"data".to_vec()),
            ]),
            Expect::Unsafe("gives `path` twice"),
        ));
        let pax = record("path", "demo-1.0/a.py");
        let long = b"demo-1.0/b.py\0".to_vec();
        cases.push(case(
            "gnu-long-name-and-pax-path",
            SDIST,
            sdist_with(&[
                TarItem::Raw(
                    Box::new(raw_header(
                        "PaxHeaders/x",
                        tar::EntryType::XHeader,
                        pax.len() as u64,
                    )),
                    pax.into_bytes(),
                ),
                TarItem::Raw(
                    Box::new(raw_header(
                        "././@LongLink",
                        tar::EntryType::GNULongName,
                        long.len() as u64,
                    )),
                    long,
                ),
                TarItem::Raw(
                    Box::new(raw_header("demo-1.0/x.py", tar::EntryType::Regular, 4)),
                    b"data".to_vec(),
                ),
            ]),
            Expect::Unsafe("its pax `path` and its GNU long name differ"),
        ));
    }
    cases
}

/// Every case of the corpus.
pub fn corpus() -> Vec<Case> {
    let mut cases = zip_cases();
    cases.extend(tar_cases());
    // A zip sdist, the old way (numpy-1.8.0.zip, pytz-2014.10.zip).
    let files: Vec<(String, Vec<u8>)> = vec![
        ("demo-1.0/PKG-INFO".into(), pkg_info(NAME, VERSION)),
        (
            "demo-1.0/setup.py".into(),
            b"from distutils.core import setup\n".to_vec(),
        ),
        ("demo-1.0/demo/__init__.py".into(), b"".to_vec()),
    ];
    cases.push(case(
        "clean-zip-sdist",
        "demo-1.0.zip",
        RawZip::new(&deflated_entries(&files)).bytes(),
        Expect::Accept,
    ));
    // A maturin-style wheel: one compressed Tag line.
    let maturin = "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
    cases.push(case(
        "compressed-tag-line",
        maturin,
        RawZip::new(&deflated_entries(&wheel_files(
            NAME,
            VERSION,
            &["cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"],
            &[],
        )))
        .bytes(),
        Expect::Accept,
    ));
    cases
}
