//! Table-driven PEP 440 cases ported from pypa/packaging's test suite:
//! <https://github.com/pypa/packaging/blob/main/tests/test_version.py>
//! (`VERSIONS`, `test_invalid_versions`, `test_normalized_versions`,
//! `test_version_str_repr`). pbx relies on these through `pep440_rs`; the
//! table keeps both the wrapper and the dependency honest.

use pbx_version::{Version, VersionKind};

/// In the correct sorting order (packaging's `VERSIONS`).
const ORDERED: &[&str] = &[
    "1.0.dev456",
    "1.0a1",
    "1.0a2.dev456",
    "1.0a12.dev456",
    "1.0a12",
    "1.0b1.dev456",
    "1.0b2",
    "1.0b2.post345.dev456",
    "1.0b2.post345",
    "1.0b2-346",
    "1.0c1.dev456",
    "1.0c1",
    "1.0rc2",
    "1.0c3",
    "1.0",
    "1.0.post456.dev34",
    "1.0.post456",
    "1.1.dev1",
    "1.2+123abc",
    "1.2+123abc456",
    "1.2+abc",
    "1.2+abc123",
    "1.2+abc123def",
    "1.2+1234.abc",
    "1.2+123456",
    "1.2.r32+123abc",
    "1.2.r32+123456",
    "1.2.rev33+123456",
    "1!1.0.dev456",
    "1!1.0a1",
    "1!1.0a2.dev456",
    "1!1.0a12.dev456",
    "1!1.0a12",
    "1!1.0b1.dev456",
    "1!1.0b2",
    "1!1.0b2.post345.dev456",
    "1!1.0b2.post345",
    "1!1.0b2-346",
    "1!1.0c1.dev456",
    "1!1.0c1",
    "1!1.0rc2",
    "1!1.0c3",
    "1!1.0",
    "1!1.0.post456.dev34",
    "1!1.0.post456",
    "1!1.1.dev1",
    "1!1.2+123abc",
    "1!1.2+123abc456",
    "1!1.2+abc",
    "1!1.2+abc123",
    "1!1.2+abc123def",
    "1!1.2+1234.abc",
    "1!1.2+123456",
    "1!1.2.r32+123abc",
    "1!1.2.r32+123456",
    "1!1.2.rev33+123456",
];

const INVALID: &[&str] = &[
    "french toast",
    "1.0+a+",
    "1.0++",
    "1.0+_foobar",
    "1.0+foo&asd",
    "1.0+1+1",
    "1. 0",
    "1 .0",
    "1. 0a1",
    "1 .0a1",
    "1.0 a1",
    "1.0a 1",
    "\u{0660}\u{0661}\u{0662}.\u{0663}\u{0664}\u{0665}.\u{0666}\u{0667}\u{0668}\u{0669}",
    ".",
    "..",
    "1..0",
    "1.0.",
    ".1.0",
    "1..2.3",
    "1.0+\u{0130}",
];

const NORMALIZED: &[(&str, &str)] = &[
    ("1.0dev", "1.0.dev0"),
    ("1.0.dev", "1.0.dev0"),
    ("1.0dev1", "1.0.dev1"),
    ("1.0-dev", "1.0.dev0"),
    ("1.0-dev1", "1.0.dev1"),
    ("1.0DEV", "1.0.dev0"),
    ("1.0.DEV", "1.0.dev0"),
    ("1.0DEV1", "1.0.dev1"),
    ("1.0.DEV1", "1.0.dev1"),
    ("1.0-DEV", "1.0.dev0"),
    ("1.0-DEV1", "1.0.dev1"),
    ("1.0a", "1.0a0"),
    ("1.0.a", "1.0a0"),
    ("1.0.a1", "1.0a1"),
    ("1.0-a", "1.0a0"),
    ("1.0-a1", "1.0a1"),
    ("1.0alpha", "1.0a0"),
    ("1.0.alpha", "1.0a0"),
    ("1.0.alpha1", "1.0a1"),
    ("1.0-alpha", "1.0a0"),
    ("1.0-alpha1", "1.0a1"),
    ("1.0A", "1.0a0"),
    ("1.0.A", "1.0a0"),
    ("1.0.A1", "1.0a1"),
    ("1.0-A", "1.0a0"),
    ("1.0-A1", "1.0a1"),
    ("1.0ALPHA", "1.0a0"),
    ("1.0.ALPHA", "1.0a0"),
    ("1.0.ALPHA1", "1.0a1"),
    ("1.0-ALPHA", "1.0a0"),
    ("1.0-ALPHA1", "1.0a1"),
    ("1.0b", "1.0b0"),
    ("1.0.b", "1.0b0"),
    ("1.0.b1", "1.0b1"),
    ("1.0-b", "1.0b0"),
    ("1.0-b1", "1.0b1"),
    ("1.0beta", "1.0b0"),
    ("1.0.beta", "1.0b0"),
    ("1.0.beta1", "1.0b1"),
    ("1.0-beta", "1.0b0"),
    ("1.0-beta1", "1.0b1"),
    ("1.0B", "1.0b0"),
    ("1.0.B", "1.0b0"),
    ("1.0.B1", "1.0b1"),
    ("1.0-B", "1.0b0"),
    ("1.0-B1", "1.0b1"),
    ("1.0BETA", "1.0b0"),
    ("1.0.BETA", "1.0b0"),
    ("1.0.BETA1", "1.0b1"),
    ("1.0-BETA", "1.0b0"),
    ("1.0-BETA1", "1.0b1"),
    ("1.0c", "1.0rc0"),
    ("1.0.c", "1.0rc0"),
    ("1.0.c1", "1.0rc1"),
    ("1.0-c", "1.0rc0"),
    ("1.0-c1", "1.0rc1"),
    ("1.0rc", "1.0rc0"),
    ("1.0.rc", "1.0rc0"),
    ("1.0.rc1", "1.0rc1"),
    ("1.0-rc", "1.0rc0"),
    ("1.0-rc1", "1.0rc1"),
    ("1.0C", "1.0rc0"),
    ("1.0.C", "1.0rc0"),
    ("1.0.C1", "1.0rc1"),
    ("1.0-C", "1.0rc0"),
    ("1.0-C1", "1.0rc1"),
    ("1.0RC", "1.0rc0"),
    ("1.0.RC", "1.0rc0"),
    ("1.0.RC1", "1.0rc1"),
    ("1.0-RC", "1.0rc0"),
    ("1.0-RC1", "1.0rc1"),
    ("1.0post", "1.0.post0"),
    ("1.0.post", "1.0.post0"),
    ("1.0post1", "1.0.post1"),
    ("1.0-post", "1.0.post0"),
    ("1.0-post1", "1.0.post1"),
    ("1.0POST", "1.0.post0"),
    ("1.0.POST", "1.0.post0"),
    ("1.0POST1", "1.0.post1"),
    ("1.0r", "1.0.post0"),
    ("1.0rev", "1.0.post0"),
    ("1.0.POST1", "1.0.post1"),
    ("1.0.r1", "1.0.post1"),
    ("1.0.rev1", "1.0.post1"),
    ("1.0-POST", "1.0.post0"),
    ("1.0-POST1", "1.0.post1"),
    ("1.0-5", "1.0.post5"),
    ("1.0-r5", "1.0.post5"),
    ("1.0-rev5", "1.0.post5"),
    ("1.0+AbC", "1.0+abc"),
    ("1.01", "1.1"),
    ("1.0a05", "1.0a5"),
    ("1.0b07", "1.0b7"),
    ("1.0c056", "1.0rc56"),
    ("1.0rc09", "1.0rc9"),
    ("1.0.post000", "1.0.post0"),
    ("1.1.dev09000", "1.1.dev9000"),
    ("00!1.2", "1.2"),
    ("0100!0.0", "100!0.0"),
    ("v1.0", "1.0"),
    ("   v1.0\t\n", "1.0"),
];

/// `test_version_str_repr`: already-canonical spellings print unchanged.
const CANONICAL: &[(&str, &str)] = &[
    ("1.0.dev456", "1.0.dev456"),
    ("1.0a1", "1.0a1"),
    ("1.0b2.post345.dev456", "1.0b2.post345.dev456"),
    ("1.0rc1", "1.0rc1"),
    ("1.0.post456.dev34", "1.0.post456.dev34"),
    ("0!1.0.2", "1.0.2"),
    ("1.0.3+7", "1.0.3+7"),
    ("0!1.0.4+8.0", "1.0.4+8.0"),
    ("1.2+123abc456", "1.2+123abc456"),
    ("7!1.0b2.post345.dev456", "7!1.0b2.post345.dev456"),
    ("7!1.0.5+9.5", "7!1.0.5+9.5"),
];

fn parse(input: &str) -> Version {
    Version::parse(input).unwrap_or_else(|err| panic!("{input:?} should parse: {err}"))
}

#[test]
fn every_listed_version_is_valid() {
    for input in ORDERED {
        parse(input);
    }
}

#[test]
fn versions_sort_as_packaging_sorts_them() {
    for (i, left) in ORDERED.iter().enumerate() {
        for (j, right) in ORDERED.iter().enumerate() {
            let expected = i.cmp(&j);
            assert_eq!(
                parse(left).cmp(&parse(right)),
                expected,
                "{left} vs {right}"
            );
        }
    }
}

#[test]
fn invalid_versions_are_refused() {
    for input in INVALID {
        assert!(Version::parse(input).is_err(), "{input:?} must not parse");
    }
}

#[test]
fn spellings_normalise_to_the_canonical_form() {
    for (input, expected) in NORMALIZED.iter().chain(CANONICAL) {
        assert_eq!(parse(input).canonical(), *expected, "normalising {input:?}");
    }
}

#[test]
fn rc_and_c_are_the_same_version() {
    assert_eq!(parse("1.0rc1"), parse("1.0c1"));
}

#[test]
fn trailing_zeros_compare_equal_but_keep_their_spelling() {
    assert_eq!(parse("1.0"), parse("1.0.0"));
    assert_eq!(parse("1.0.0").canonical(), "1.0.0");
}

#[test]
fn kinds_and_local_segments() {
    let cases = [
        ("1.2.3", VersionKind::Final, false),
        ("1.2.3rc1", VersionKind::Pre, true),
        ("1.2.3a4", VersionKind::Pre, true),
        ("1.2.3.post2", VersionKind::Post, false),
        ("1.2.3.dev1", VersionKind::Dev, true),
        ("1.2.3rc1.post1", VersionKind::Pre, true),
    ];
    for (input, kind, prerelease) in cases {
        let version = parse(input);
        assert_eq!(version.kind(), kind, "{input}");
        assert_eq!(version.is_prerelease(), prerelease, "{input}");
    }
    assert!(parse("1.0+local").has_local());
    assert!(!parse("1.0").has_local());
    assert_eq!(
        parse("1.0.post5+deadbeef").public().canonical(),
        "1.0.post5"
    );
    assert_eq!(parse("1!1.0a1.post5.dev6").base().canonical(), "1!1.0");
}
