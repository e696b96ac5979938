use pbx_version::{next_fix_forward, FixForwardError, FixLane, PackageName, Tag, Version};

fn v(input: &str) -> Version {
    Version::parse(input).unwrap()
}

#[test]
fn names_compare_after_pep503_normalisation() {
    let cases = [
        ("Proxbox_API", "proxbox-api"),
        ("proxbox.api", "proxbox-api"),
        ("PROXBOX--api", "proxbox-api"),
        ("a_-_b", "a-b"),
        ("Django", "django"),
    ];
    for (input, normalized) in cases {
        assert_eq!(PackageName::new(input).unwrap().as_str(), normalized);
    }
    assert_eq!(
        PackageName::new("Proxbox_API").unwrap(),
        PackageName::new("proxbox-api").unwrap()
    );
    assert_eq!(
        PackageName::new("proxbox-api").unwrap().as_dist_info_name(),
        "proxbox_api"
    );
    for bad in ["", "-lead", "trail-", "sp ace", "ünï"] {
        assert!(PackageName::new(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn tags_are_the_prefix_and_a_version() {
    let tag = Tag::parse("refs/tags/v1.2.3.post1", "v").unwrap();
    assert_eq!(tag.name, "v1.2.3.post1");
    assert_eq!(tag.version, v("1.2.3.post1"));
    assert!(Tag::parse("1.2.3", "v").is_err());
    assert!(Tag::parse("vv1.2.3", "v").is_err());
    assert!(Tag::parse("vnext", "v").is_err());
    assert_eq!(
        Tag::parse("release-2.0", "release-").unwrap().version,
        v("2.0")
    );
}

#[test]
fn post_lane_counts_past_every_used_post() {
    let used = [
        v("1.2.3"),
        v("1.2.3.post1"),
        v("1.2.3.post4"),
        v("1.2.4.post9"),
    ];
    assert_eq!(
        next_fix_forward(&v("1.2.3"), &used, FixLane::Post).unwrap(),
        v("1.2.3.post5")
    );
    assert_eq!(
        next_fix_forward(&v("1.2.3"), &[], FixLane::Post).unwrap(),
        v("1.2.3.post1")
    );
    // The current version counts as used.
    assert_eq!(
        next_fix_forward(&v("1.2.3.post7"), &[], FixLane::Post).unwrap(),
        v("1.2.3.post8")
    );
    // `1.2.3` and `1.2.3.0` share a base.
    assert_eq!(
        next_fix_forward(&v("1.2.3"), &[v("1.2.3.0.post2")], FixLane::Post)
            .unwrap()
            .canonical(),
        "1.2.3.post3"
    );
}

#[test]
fn rc_lane_counts_past_every_used_rc_and_refuses_after_a_final() {
    let used = [v("2.0.0rc1"), v("2.0.0rc3"), v("2.0.0b7"), v("1.9.0rc9")];
    assert_eq!(
        next_fix_forward(&v("2.0.0rc1"), &used, FixLane::Rc).unwrap(),
        v("2.0.0rc4")
    );
    assert_eq!(
        next_fix_forward(&v("2.0.0"), &[], FixLane::Rc).unwrap(),
        v("2.0.0rc1")
    );
    // Development releases of the final sort below every candidate: no
    // refusal. A post-release's development release sorts above the final:
    // a candidate would land below it (pip --pre would never pick it).
    assert_eq!(
        next_fix_forward(&v("2.0.0rc1"), &[v("2.0.0.dev3")], FixLane::Rc).unwrap(),
        v("2.0.0rc2")
    );
    assert_eq!(
        next_fix_forward(&v("2.0.0rc1"), &[v("2.0.0.post1.dev0")], FixLane::Rc).unwrap_err(),
        FixForwardError::FinalAlreadyReleased {
            base: v("2.0.0"),
            suggestion: v("2.0.0.post2"),
        }
    );
    let err = next_fix_forward(&v("2.0.0rc2"), &[v("2.0.0")], FixLane::Rc).unwrap_err();
    assert_eq!(
        err,
        FixForwardError::FinalAlreadyReleased {
            base: v("2.0.0"),
            suggestion: v("2.0.0.post1"),
        }
    );
}
