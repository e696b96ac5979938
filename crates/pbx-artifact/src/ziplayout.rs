//! The byte layout of a zip archive (wheels, zip sdists), read from the raw
//! records with bounds checks and refused when two readers could see
//! different members.
//!
//! Readers disagree about a zip in known ways: Python's `zipfile` (and so
//! pip) finds the central directory just before the end record and shifts
//! every offset by any difference (prepended data); the `zip` crate and
//! others trust the recorded offsets; streaming readers (`unzip -` style,
//! installers that unpack while downloading) walk the local headers and
//! never see the central directory. So pbx accepts only the one canonical
//! layout every reader agrees on:
//!
//! `[local header, data, (data descriptor)]* [central directory]
//! [(zip64 end record, zip64 locator)] [end record + comment]`
//!
//! with nothing before the first local header, no gap or overlap between
//! members, the central directory exactly where the end record says and
//! ending where the end record (or zip64 record) starts, every local header
//! agreeing with its central directory entry (name, flags, method, CRC,
//! sizes), and the end record's comment running exactly to the end of the
//! file.

use std::io::{self, Read, Seek, SeekFrom};

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const DESCRIPTOR_SIG: u32 = 0x0807_4b50;
const EOCD_LEN: u64 = 22;
const ZIP64_EOCD_LEN: u64 = 56;
const ZIP64_LOCATOR_LEN: u64 = 20;
const CENTRAL_LEN: usize = 46;
const LOCAL_LEN: usize = 30;

/// General purpose flag bits.
const FLAG_ENCRYPTED: u16 = 1;
const FLAG_DESCRIPTOR: u16 = 1 << 3;
const FLAG_STRONG_ENCRYPTION: u16 = 1 << 6;
const FLAG_UTF8: u16 = 1 << 11;
const FLAG_MASKED_HEADERS: u16 = 1 << 13;

/// Extra field ids.
const EXTRA_ZIP64: u16 = 0x0001;
const EXTRA_UNICODE_PATH: u16 = 0x7075;

/// Why a zip is not accepted.
#[derive(Debug)]
pub(crate) enum LayoutError {
    /// Readers could disagree about it: refused.
    Unsafe(String),
    /// Not a zip pbx can read (truncated, unsupported).
    Damaged(String),
    /// Reading the file failed.
    Io(io::Error),
}

impl From<io::Error> for LayoutError {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            LayoutError::Damaged("the archive is truncated".into())
        } else {
            LayoutError::Io(e)
        }
    }
}

fn refuse<T>(reason: impl Into<String>) -> Result<T, LayoutError> {
    Err(LayoutError::Unsafe(reason.into()))
}

fn damaged<T>(reason: impl Into<String>) -> Result<T, LayoutError> {
    Err(LayoutError::Damaged(reason.into()))
}

/// One member as the central directory and its local header agree on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LayoutEntry {
    /// The name, decoded (UTF-8 flag, else ASCII only).
    pub name: String,
    /// The raw name bytes.
    pub raw_name: Vec<u8>,
    /// 0 stored, 8 deflated.
    pub method: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub size: u64,
    /// Offset of the local header.
    pub header_offset: u64,
    /// Offset of the member's data.
    pub data_offset: u64,
}

/// The validated layout.
#[derive(Clone, Debug)]
pub(crate) struct ZipLayout {
    pub entries: Vec<LayoutEntry>,
    /// Where the central directory starts (= where the last member ends).
    pub central_directory_offset: u64,
}

/// Little-endian reads from a slice, every one bounds-checked.
struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    fn new(data: &'a [u8]) -> Self {
        Bytes { data, pos: 0 }
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let slice = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(slice)
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Option<u64> {
        self.take(8).map(|b| {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            u64::from_le_bytes(a)
        })
    }
}

fn read_at<R: Read + Seek>(
    reader: &mut R,
    offset: u64,
    len: usize,
) -> Result<Vec<u8>, LayoutError> {
    reader.seek(SeekFrom::Start(offset))?;
    let mut buf = vec![0u8; len];
    reader.read_exact(&mut buf)?;
    Ok(buf)
}

fn find_all(haystack: &[u8], needle: u32) -> Vec<usize> {
    let needle = needle.to_le_bytes();
    haystack
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

/// Parsed extra fields: the zip64 values and the unicode path, checked for
/// shape (every field inside the block, no id twice where it matters).
struct Extra<'a> {
    zip64: Option<&'a [u8]>,
    unicode_path: Option<&'a [u8]>,
}

fn parse_extra<'a>(extra: &'a [u8], member: &str) -> Result<Extra<'a>, LayoutError> {
    let mut bytes = Bytes::new(extra);
    let mut out = Extra {
        zip64: None,
        unicode_path: None,
    };
    while bytes.pos < extra.len() {
        let (Some(id), Some(len)) = (bytes.u16(), bytes.u16()) else {
            return refuse(format!(
                "member `{member}` has a malformed extra field block (a field header runs past its end)"
            ));
        };
        let Some(data) = bytes.take(usize::from(len)) else {
            return refuse(format!(
                "member `{member}` has a malformed extra field block (field 0x{id:04x} runs past its end)"
            ));
        };
        let slot = match id {
            EXTRA_ZIP64 => &mut out.zip64,
            EXTRA_UNICODE_PATH => &mut out.unicode_path,
            _ => continue,
        };
        if slot.replace(data).is_some() {
            return refuse(format!(
                "member `{member}` has extra field 0x{id:04x} twice: readers that take the first and readers that take the last would disagree"
            ));
        }
    }
    Ok(out)
}

/// Replaces saturated 32-bit values with the zip64 extra field's, in the
/// order the format defines (size, compressed size, offset). Returns the
/// 64-bit values.
fn apply_zip64(
    zip64: Option<&[u8]>,
    fields: &mut [(u64, bool)],
    member: &str,
) -> Result<(), LayoutError> {
    let wanted = fields.iter().filter(|(_, saturated)| *saturated).count();
    if wanted == 0 {
        return Ok(());
    }
    let Some(data) = zip64 else {
        return refuse(format!(
            "member `{member}` has a size or offset of 0xFFFFFFFF without a zip64 extra field"
        ));
    };
    let mut bytes = Bytes::new(data);
    for (value, saturated) in fields.iter_mut() {
        if *saturated {
            match bytes.u64() {
                Some(v) => *value = v,
                None => {
                    return refuse(format!(
                        "member `{member}` has a zip64 extra field too short for the values it must hold"
                    ))
                }
            }
        }
    }
    Ok(())
}

fn decode_name(raw: &[u8], flags: u16, what: &str) -> Result<String, LayoutError> {
    if flags & FLAG_UTF8 != 0 {
        return match std::str::from_utf8(raw) {
            Ok(name) => Ok(name.to_string()),
            Err(_) => refuse(format!(
                "{what} `{}` is flagged UTF-8 but is not valid UTF-8",
                String::from_utf8_lossy(raw)
            )),
        };
    }
    if raw.is_ascii() {
        return Ok(String::from_utf8_lossy(raw).into_owned());
    }
    refuse(format!(
        "{what} `{}` has non-ASCII bytes without the UTF-8 flag: Python reads it as cp437, other tools as UTF-8",
        String::from_utf8_lossy(raw)
    ))
}

fn check_unicode_path(
    upath: Option<&[u8]>,
    name: &str,
    member_kind: &str,
) -> Result<(), LayoutError> {
    let Some(data) = upath else { return Ok(()) };
    // version (1), CRC-32 of the header name (4), UTF-8 name.
    let same = data.len() >= 5 && data.get(5..).is_some_and(|u| u == name.as_bytes());
    if same {
        Ok(())
    } else {
        refuse(format!(
            "{member_kind} `{name}` carries an Info-ZIP Unicode Path field naming another file: the `zip` crate and unzip read that name, Python's zipfile the header's"
        ))
    }
}

/// Where the end of central directory record is, and what it says.
struct End {
    entries: u64,
    cd_size: u64,
    cd_offset: u64,
    /// Where the records after the central directory start (the zip64 end
    /// record, else the end record).
    cd_end: u64,
}

fn read_end<R: Read + Seek>(reader: &mut R, file_len: u64) -> Result<End, LayoutError> {
    if file_len < EOCD_LEN {
        return damaged("not a zip archive (too short for an end of central directory record)");
    }
    let tail_len = file_len.min(EOCD_LEN + 0xFFFF);
    let tail_start = file_len - tail_len;
    let tail = read_at(reader, tail_start, usize::try_from(tail_len).unwrap_or(0))?;
    // Every position where an end record could be, with a comment running
    // exactly to the end of the file.
    let candidates: Vec<usize> = find_all(&tail, EOCD_SIG)
        .into_iter()
        .filter(|&pos| {
            tail.get(pos + 20..pos + 22)
                .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
                .is_some_and(|comment| pos + 22 + comment == tail.len())
        })
        .collect();
    let pos = match candidates.as_slice() {
        [] => {
            return if find_all(&tail, EOCD_SIG).is_empty() {
                damaged("not a zip archive (no end of central directory record)")
            } else {
                refuse("the end of central directory record's comment does not end at the end of the file (trailing data, or a truncated comment)")
            }
        }
        [one] => *one,
        _ => {
            return refuse(
                "more than one end of central directory record fits the end of the file: readers could pick different ones",
            )
        }
    };
    // Python's zipfile takes the last end-record signature in the tail;
    // anything after ours (in the comment) would be read instead.
    if find_all(&tail, EOCD_SIG).iter().any(|&p| p > pos)
        || !find_all(&tail[pos..], ZIP64_LOCATOR_SIG).is_empty()
    {
        return refuse("the zip comment holds an end of central directory signature: readers could pick different end records");
    }
    let eocd_offset = tail_start + pos as u64;
    let mut b = Bytes::new(&tail[pos..]);
    let _sig = b.u32();
    let (
        Some(disk),
        Some(cd_disk),
        Some(disk_entries),
        Some(entries),
        Some(cd_size),
        Some(cd_offset),
    ) = (b.u16(), b.u16(), b.u16(), b.u16(), b.u32(), b.u32())
    else {
        return damaged("the end of central directory record is truncated");
    };
    let saturated = disk_entries == 0xFFFF
        || entries == 0xFFFF
        || cd_size == 0xFFFF_FFFF
        || cd_offset == 0xFFFF_FFFF;
    let locator_at = eocd_offset.checked_sub(ZIP64_LOCATOR_LEN);
    let locator = match locator_at {
        Some(at) => {
            let bytes = read_at(reader, at, ZIP64_LOCATOR_LEN as usize)?;
            (u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) == ZIP64_LOCATOR_SIG)
                .then_some((at, bytes))
        }
        None => None,
    };
    let Some((locator_offset, locator)) = locator else {
        if disk != 0 || cd_disk != 0 || disk_entries != entries {
            return refuse("the archive claims to span several disks");
        }
        if saturated {
            return refuse("the end record has zip64 placeholder values but no zip64 locator");
        }
        return Ok(End {
            entries: u64::from(entries),
            cd_size: u64::from(cd_size),
            cd_offset: u64::from(cd_offset),
            cd_end: eocd_offset,
        });
    };
    // zip64: Python reads the zip64 end record from the 56 bytes right
    // before the locator and ignores the locator's offset; other readers
    // follow the offset. Both must name the same record.
    let mut l = Bytes::new(&locator);
    let _sig = l.u32();
    let (Some(locator_disk), Some(record_offset), Some(disks)) = (l.u32(), l.u64(), l.u32()) else {
        return damaged("the zip64 locator is truncated");
    };
    if locator_disk != 0 || disks > 1 {
        return refuse("the zip64 locator claims several disks");
    }
    let Some(expected) = locator_offset.checked_sub(ZIP64_EOCD_LEN) else {
        return refuse("the zip64 locator has no zip64 end record before it");
    };
    if record_offset != expected {
        return refuse(format!(
            "the zip64 locator points at offset {record_offset}, but the zip64 end record must sit right before it at {expected}: readers disagree about which to use"
        ));
    }
    let record = read_at(reader, expected, ZIP64_EOCD_LEN as usize)?;
    let mut r = Bytes::new(&record);
    let (
        Some(sig),
        Some(record_size),
        Some(_made_by),
        Some(_needed),
        Some(disk64),
        Some(cd_disk64),
        Some(disk_entries64),
        Some(entries64),
        Some(cd_size64),
        Some(cd_offset64),
    ) = (
        r.u32(),
        r.u64(),
        r.u16(),
        r.u16(),
        r.u32(),
        r.u32(),
        r.u64(),
        r.u64(),
        r.u64(),
        r.u64(),
    )
    else {
        return damaged("the zip64 end record is truncated");
    };
    if sig != ZIP64_EOCD_SIG {
        return refuse("the zip64 locator points at something that is not a zip64 end record");
    }
    if record_size != ZIP64_EOCD_LEN - 12 {
        return refuse(
            "the zip64 end record has an extensible data sector, which readers skip differently",
        );
    }
    if disk != 0 || cd_disk != 0 || disk64 != 0 || cd_disk64 != 0 || disk_entries64 != entries64 {
        return refuse("the archive claims to span several disks");
    }
    // Each 16/32-bit field must be the placeholder or equal to the zip64
    // value: a reader that ignores zip64 must not see another archive.
    let agrees16 = |small: u16, big: u64| small == 0xFFFF || u64::from(small) == big;
    let agrees32 = |small: u32, big: u64| small == 0xFFFF_FFFF || u64::from(small) == big;
    if !(agrees16(entries, entries64)
        && agrees16(disk_entries, disk_entries64)
        && agrees32(cd_size, cd_size64)
        && agrees32(cd_offset, cd_offset64))
    {
        return refuse("the end record and the zip64 end record disagree about the entry count or where the central directory is");
    }
    Ok(End {
        entries: entries64,
        cd_size: cd_size64,
        cd_offset: cd_offset64,
        cd_end: expected,
    })
}

/// A central directory entry before its local header is checked.
struct Central {
    entry: LayoutEntry,
    flags: u16,
}

fn parse_central(
    cd: &[u8],
    expected_entries: u64,
    max_members: usize,
) -> Result<Vec<Central>, LayoutError> {
    let mut b = Bytes::new(cd);
    let mut out = Vec::new();
    while b.pos < cd.len() {
        if out.len() >= max_members {
            return refuse(format!("more than {max_members} members"));
        }
        let index = out.len();
        let Some(fixed) = b.take(CENTRAL_LEN) else {
            return refuse(format!(
                "central directory entry #{index} runs past the size the end record gives the central directory"
            ));
        };
        let mut f = Bytes::new(fixed);
        let (
            Some(sig),
            Some(_made_by),
            Some(_needed),
            Some(flags),
            Some(method),
            Some(_time),
            Some(_date),
            Some(crc32),
            Some(csize),
            Some(usize_),
            Some(name_len),
            Some(extra_len),
            Some(comment_len),
            Some(disk_start),
            Some(_internal),
            Some(_external),
            Some(offset),
        ) = (
            f.u32(),
            f.u16(),
            f.u16(),
            f.u16(),
            f.u16(),
            f.u16(),
            f.u16(),
            f.u32(),
            f.u32(),
            f.u32(),
            f.u16(),
            f.u16(),
            f.u16(),
            f.u16(),
            f.u16(),
            f.u32(),
            f.u32(),
        )
        else {
            return damaged("a central directory entry is truncated");
        };
        if sig != CENTRAL_SIG {
            return refuse(format!(
                "central directory entry #{index} does not start with a central header signature (the central directory is not where the end record says, or its size is wrong)"
            ));
        }
        let (Some(raw_name), Some(extra), Some(_comment)) = (
            b.take(usize::from(name_len)),
            b.take(usize::from(extra_len)),
            b.take(usize::from(comment_len)),
        ) else {
            return refuse(format!(
                "central directory entry #{index} runs past the size the end record gives the central directory"
            ));
        };
        let name = decode_name(raw_name, flags, "member")?;
        if flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_HEADERS) != 0 {
            return refuse(format!("member `{name}` is encrypted"));
        }
        let extra = parse_extra(extra, &name)?;
        check_unicode_path(extra.unicode_path, &name, "member")?;
        if disk_start != 0 {
            return refuse(format!("member `{name}` claims to start on another disk"));
        }
        let mut values = [
            (u64::from(usize_), usize_ == 0xFFFF_FFFF),
            (u64::from(csize), csize == 0xFFFF_FFFF),
            (u64::from(offset), offset == 0xFFFF_FFFF),
        ];
        apply_zip64(extra.zip64, &mut values, &name)?;
        let [(size, _), (compressed_size, _), (header_offset, _)] = values;
        match method {
            0 if compressed_size != size => {
                return refuse(format!(
                    "member `{name}` is stored (not compressed) but its compressed size {compressed_size} differs from its size {size}"
                ))
            }
            0 | 8 => {}
            other => {
                return damaged(format!(
                    "member `{name}` uses compression method {other}; pbx reads only stored (0) and deflated (8) members"
                ))
            }
        }
        if name.ends_with('/') && size != 0 {
            return refuse(format!(
                "directory entry `{name}` holds {size} bytes of data"
            ));
        }
        out.push(Central {
            entry: LayoutEntry {
                name,
                raw_name: raw_name.to_vec(),
                method,
                crc32,
                compressed_size,
                size,
                header_offset,
                data_offset: 0,
            },
            flags,
        });
    }
    if out.len() as u64 != expected_entries {
        return refuse(format!(
            "the end record counts {expected_entries} members, the central directory holds {}: readers that trust the count and readers that trust the size would list different members",
            out.len()
        ));
    }
    Ok(out)
}

/// Reads the local header of `central` and checks it against the central
/// directory; returns where the member's bytes (header, data, descriptor)
/// end.
fn check_local<R: Read + Seek>(
    reader: &mut R,
    central: &mut Central,
    limit: u64,
) -> Result<u64, LayoutError> {
    let entry = &mut central.entry;
    let name = entry.name.clone();
    let past = |what: &str| -> Result<u64, LayoutError> {
        refuse(format!(
            "member `{name}`: its {what} runs into the central directory or past the end of the archive"
        ))
    };
    if entry
        .header_offset
        .checked_add(LOCAL_LEN as u64)
        .is_none_or(|end| end > limit)
    {
        return past("local header");
    }
    let fixed = read_at(reader, entry.header_offset, LOCAL_LEN)?;
    let mut f = Bytes::new(&fixed);
    let (
        Some(sig),
        Some(_needed),
        Some(flags),
        Some(method),
        Some(_time),
        Some(_date),
        Some(crc32),
        Some(csize),
        Some(usize_),
        Some(name_len),
        Some(extra_len),
    ) = (
        f.u32(),
        f.u16(),
        f.u16(),
        f.u16(),
        f.u16(),
        f.u16(),
        f.u32(),
        f.u32(),
        f.u32(),
        f.u16(),
        f.u16(),
    )
    else {
        return damaged(format!("member `{name}`: truncated local header"));
    };
    if sig != LOCAL_SIG {
        return refuse(format!(
            "member `{name}`: the central directory points at offset {}, where there is no local header",
            entry.header_offset
        ));
    }
    let variable = u64::from(name_len) + u64::from(extra_len);
    let data_offset = entry.header_offset + LOCAL_LEN as u64 + variable;
    if data_offset > limit {
        return past("local header");
    }
    let rest = read_at(
        reader,
        entry.header_offset + LOCAL_LEN as u64,
        usize::from(name_len) + usize::from(extra_len),
    )?;
    let (local_name, local_extra) = rest.split_at(usize::from(name_len));
    if local_name != entry.raw_name.as_slice() {
        return refuse(format!(
            "member `{name}`: its local header names `{}`: Python refuses it, streaming readers install the local name",
            String::from_utf8_lossy(local_name)
        ));
    }
    // The UTF-8 flag only changes what a non-ASCII name means.
    let utf8 = if entry.raw_name.is_ascii() {
        0
    } else {
        FLAG_UTF8
    };
    let relevant = FLAG_ENCRYPTED | FLAG_DESCRIPTOR | utf8 | FLAG_STRONG_ENCRYPTION;
    if flags & relevant != central.flags & relevant {
        return refuse(format!(
            "member `{name}`: the local header's flags 0x{flags:04x} differ from the central directory's 0x{:04x}",
            central.flags
        ));
    }
    if method != entry.method {
        return refuse(format!(
            "member `{name}`: the local header says compression method {method}, the central directory {}",
            entry.method
        ));
    }
    let extra = parse_extra(local_extra, &name)?;
    check_unicode_path(extra.unicode_path, &name, "member")?;
    let mut values = [
        (u64::from(usize_), usize_ == 0xFFFF_FFFF),
        (u64::from(csize), csize == 0xFFFF_FFFF),
    ];
    apply_zip64(extra.zip64, &mut values, &name)?;
    let [(local_size, _), (local_csize, _)] = values;
    let descriptor = flags & FLAG_DESCRIPTOR != 0;
    // With a data descriptor the local header may leave CRC and sizes zero;
    // any value it does give must be the central directory's.
    let agrees = |local: u64, central: u64| local == central || (descriptor && local == 0);
    if !agrees(u64::from(crc32), u64::from(entry.crc32))
        || !agrees(local_size, entry.size)
        || !agrees(local_csize, entry.compressed_size)
    {
        return refuse(format!(
            "member `{name}`: the local header says CRC {crc32:08x}, {local_csize} compressed and {local_size} bytes, the central directory CRC {:08x}, {} compressed and {} bytes: streaming readers and Python would read different data",
            entry.crc32, entry.compressed_size, entry.size
        ));
    }
    let Some(data_end) = data_offset.checked_add(entry.compressed_size) else {
        return past("data");
    };
    if data_end > limit {
        return past("data");
    }
    entry.data_offset = data_offset;
    if !descriptor {
        return Ok(data_end);
    }
    if entry.method == 0 {
        return refuse(format!(
            "member `{name}` is stored with a data descriptor: a streaming reader cannot tell where its data ends"
        ));
    }
    // The descriptor: optional signature, CRC, then 4- or 8-byte sizes.
    let available = usize::try_from((limit - data_end).min(24)).unwrap_or(0);
    let bytes = read_at(reader, data_end, available)?;
    let mut d = Bytes::new(&bytes);
    let mut start = 0usize;
    if d.u32() == Some(DESCRIPTOR_SIG) {
        start = 4;
    }
    let body = bytes.get(start..).unwrap_or_default();
    let mut b = Bytes::new(body);
    let crc = b.u32();
    let matches32 = {
        let mut b = Bytes::new(body.get(4..).unwrap_or_default());
        (b.u32(), b.u32())
            == (
                u32::try_from(entry.compressed_size).ok(),
                u32::try_from(entry.size).ok(),
            )
    };
    let matches64 = {
        let mut b = Bytes::new(body.get(4..).unwrap_or_default());
        (b.u64(), b.u64()) == (Some(entry.compressed_size), Some(entry.size))
    };
    if crc != Some(entry.crc32) || !(matches32 || matches64) {
        return refuse(format!(
            "member `{name}`: its data descriptor is missing or disagrees with the central directory"
        ));
    }
    let zip64 = extra.zip64.is_some();
    let len = start
        + 4
        + if zip64 && matches64 {
            16
        } else if matches32 {
            8
        } else {
            16
        };
    Ok(data_end + len as u64)
}

/// Reads and checks the layout of the zip `reader` (see the module docs).
pub(crate) fn read_layout<R: Read + Seek>(
    reader: &mut R,
    max_members: usize,
) -> Result<ZipLayout, LayoutError> {
    let file_len = reader.seek(SeekFrom::End(0))?;
    let end = read_end(reader, file_len)?;
    let Some(cd_end) = end.cd_offset.checked_add(end.cd_size) else {
        return refuse("the central directory's offset and size overflow");
    };
    if cd_end != end.cd_end {
        return refuse(format!(
            "the end record places the central directory at {}..{cd_end}, but it must end where the end records start ({}): Python's zipfile and other readers would look in different places (data before the archive, or between the central directory and the end record)",
            end.cd_offset, end.cd_end
        ));
    }
    let cd_len = usize::try_from(end.cd_size)
        .map_err(|_| LayoutError::Damaged("central directory too large".into()))?;
    let cd = read_at(reader, end.cd_offset, cd_len)?;
    if !find_all(&cd, EOCD_SIG).is_empty() {
        return refuse("the central directory holds an end of central directory signature: readers could pick different end records");
    }
    let mut centrals = parse_central(&cd, end.entries, max_members)?;
    let mut spans = Vec::with_capacity(centrals.len());
    for central in &mut centrals {
        let span_end = check_local(reader, central, end.cd_offset)?;
        spans.push((
            central.entry.header_offset,
            span_end,
            central.entry.name.clone(),
        ));
    }
    spans.sort();
    let mut at = 0u64;
    for (start, span_end, name) in &spans {
        if *start < at {
            return refuse(format!(
                "member `{name}` overlaps the member before it (offset {start} < {at}): one stretch of bytes read as two files"
            ));
        }
        if *start > at {
            return refuse(if at == 0 {
                format!("{start} bytes of data before the first local header: Python's zipfile shifts offsets over them, other readers do not")
            } else {
                format!(
                    "{} bytes between members before `{name}` that no central directory entry covers: a streaming reader could find hidden members there",
                    start - at
                )
            });
        }
        at = *span_end;
    }
    if at != end.cd_offset {
        return refuse(format!(
            "{} bytes between the last member and the central directory that no entry covers: a streaming reader could find hidden members there",
            end.cd_offset.saturating_sub(at)
        ));
    }
    Ok(ZipLayout {
        entries: centrals.into_iter().map(|c| c.entry).collect(),
        central_directory_offset: end.cd_offset,
    })
}
