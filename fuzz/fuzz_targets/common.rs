// Shared by the archive targets: limits small enough that one input cannot
// take the fuzzer's memory or time (the defaults allow 4 GiB).
pub fn limits() -> pbx_artifact::Limits {
    pbx_artifact::Limits {
        max_total_bytes: 64 << 20,
        max_member_bytes: 16 << 20,
        max_metadata_bytes: 1 << 20,
        max_record_bytes: 1 << 20,
        max_members: 10_000,
        ..pbx_artifact::Limits::default()
    }
}
